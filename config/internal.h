/* What the files of config/ share among themselves and nothing outside
 * uses: the load state, the per-key context handed to key handlers, and the
 * one function every problem goes through. */
#ifndef NSINIT_CONFIG_INTERNAL_H
#define NSINIT_CONFIG_INTERNAL_H
#include <stdarg.h>

#include "config.h"
#include "keys.h"

#define CONFIG_FILE_MAX (4u * 1024 * 1024) /* bytes read per file */
#define CONFIG_INCLUDE_DEPTH 4
#define CONFIG_LIST_MAX 256 /* entries of one list key in one section */

struct key_seen {
    const char *file;
    int line; /* 0: not seen yet */
};

/* Everything one config_load() needs besides the config itself. */
struct load_state {
    struct config *cfg;
    struct diag *d;
    int n_files; /* included files read so far */
    bool oom_reported, too_many_svcs, too_many_bridges, too_many_files;
    struct key_seen init_seen[KEYS_MAX]; /* [init] may appear in many files */
    int net_line[MAX_SERVICES];          /* where each service's net = is */
    bool exec_given[MAX_SERVICES];       /* even if bad: no "has no exec" then */
};

/* Reports "FILE:LINE: message" (just "FILE: message" when line is 0),
 * counts it, and marks svc invalid when the problem is in its section. */
void config_report(struct load_state *st, struct svc_conf *svc, const char *file,
                   int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void config_vreport(struct load_state *st, struct svc_conf *svc, const char *file,
                    int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* "out of memory", once per load. */
void config_report_oom(struct load_state *st, const char *file, int line);

/* Cross-section checks once everything is read (validate.c). */
void config_validate(struct load_state *st);

#endif
