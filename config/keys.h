/* The table of config keys: one row per (section, key) with its handler,
 * whether it may repeat, and the namespace it needs. Exported so that a
 * test can compare it with nsinit.conf(5). */
#ifndef NSINIT_KEYS_H
#define NSINIT_KEYS_H
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum key_section { SEC_INIT = 1, SEC_SERVICE = 2, SEC_BRIDGE = 4 };

#define KEYS_MAX 64 /* rows in config_keys[], checked by a test */

struct load_state;
struct key_def;

/* The section being read: where a key handler stores what it parsed, how
 * it reports, and what the section has seen so far. */
struct key_ctx {
    struct load_state *st;
    struct config *cfg;
    struct svc_conf *svc;   /* in [service NAME], else NULL */
    int svc_index;          /* its index in cfg->services */
    struct bridge_conf *br; /* in [bridge NAME], else NULL */
    struct list *includes;  /* include = lines of the current file */
    const char *file;       /* arena copy */
    int line;
    const struct key_def *key;
    int seen[KEYS_MAX];       /* first line of each key in this section */
    bool list_full[KEYS_MAX]; /* "too many" already said for that key */
    unsigned clocks_set;      /* time_offsets: 1 monotonic, 2 boottime */
};

struct key_def {
    const char *name;
    enum key_section section;
    /* value is trimmed, non-empty and writable; the handler reports its
     * own problems through key_error() and returns -1 after one. */
    int (*parse)(struct key_ctx *kc, char *value);
    bool repeatable;
    int needs_ns; /* CLONE_NEW* that must be in namespaces =, or 0 */
};

extern const struct key_def config_keys[];
extern const size_t config_nkeys;

/* The row for name in section; NULL when there is none. */
const struct key_def *key_find(const char *name, enum key_section section);
/* At the end of a [service] section: prerequisites and the defaults that
 * depend on other keys (oneshot without restart = never restarts). */
void keys_end_service(struct key_ctx *kc);
/* Reports at the key's line and marks its service invalid. */
void key_error(struct key_ctx *kc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
