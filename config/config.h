/* The parsed configuration: what config/ produces and init/ consumes.
 * One struct config per loaded file (plus its includes); every string and
 * list element lives in the config's own arena and dies with config_free(). */
#ifndef NSINIT_CONFIG_H
#define NSINIT_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_SERVICES 256       /* services in one config, includes counted */
#define MAX_BRIDGES 16
#define SERVICE_NAME_MAX 32    /* including the NUL: names are 1..31 chars */
#define BRIDGE_NAME_MAX 16     /* IFNAMSIZ */
#define CONFIG_LINE_MAX 4096   /* a longer line is an error */
#define MAX_ARGS 255           /* words in one exec = line */
#define MAX_INCLUDE_FILES 256

/* Singly linked lists, in file order; every element starts with an item. */
struct item {
    struct item *next;
    const char *file;
    int line;
};
struct list {
    struct item *head, *tail;
    int count;
};
static inline void list_append(struct list *l, struct item *it)
{
    it->next = NULL;
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
    l->count++;
}
#define LIST_FOR(type, var, lst) \
    for (type *var = (type *)(lst)->head; var; var = (type *)var->it.next)

struct str_item {
    struct item it;
    const char *s;
};

enum mount_kind { MOUNT_PROC, MOUNT_SYSFS, MOUNT_TMPFS, MOUNT_BIND, MOUNT_DEV };
struct mount_item {
    struct item it;
    enum mount_kind kind;
    const char *src;  /* bind only */
    const char *dst;  /* absolute path, inside the service's root */
    const char *opts; /* tmpfs: data string as given ("size=16m,mode=755"), or NULL */
    bool ro;          /* bind ... ro */
};

struct idmap_item {
    struct item it;
    uint32_t inside, outside, count;
};

struct join_item {
    struct item it;
    int ns_flag;         /* one CLONE_NEW* */
    const char *kind;    /* "net", "pid", ... as written */
    const char *service; /* KIND:SERVICE, or NULL */
    const char *path;    /* KIND:/path, or NULL */
};

struct rlimit_item {
    struct item it;
    int resource;        /* RLIMIT_* */
    uint64_t soft, hard; /* UINT64_MAX = unlimited ("infinity"/"unlimited") */
};

enum restart_policy { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };
enum ready_kind { READY_EXEC, READY_FD, READY_NOTIFY }; /* READY_EXEC: no ready = */

#define LOG_BUFFER_MIN 4096          /* holds a line of every length */
#define LOG_BUFFER_MAX (256u << 20)

struct svc_conf {
    char name[SERVICE_NAME_MAX];
    const char *file; /* where its section starts */
    int line;
    char **argv;      /* NULL-terminated, from exec = */
    enum restart_policy restart;
    uint32_t restart_delay_ms;
    uint32_t restart_limit; /* 0 = never give up */
    bool oneshot, is_main, no_new_privs;
    struct list after;      /* str_item: service names */
    const char *user, *group;
    struct list env;        /* str_item: "NAME=VALUE" */
    const char *workdir;    /* NULL: "/" */
    int stop_signal;
    uint32_t stop_timeout_ms;
    int ns_flags;           /* CLONE_NEW* from namespaces = */
    const char *hostname;
    struct list mounts;     /* mount_item */
    const char *root;
    bool has_net;           /* net = veth BRIDGE ADDR/PREFIX [gw ADDR] */
    char net_bridge[BRIDGE_NAME_MAX];
    uint32_t net_addr;      /* network byte order */
    uint8_t net_prefix;
    bool net_has_gw;
    uint32_t net_gw;        /* network byte order */
    struct list joins;      /* join_item */
    struct list uid_maps, gid_maps; /* idmap_item */
    bool has_time_offsets;
    int64_t time_monotonic_ms, time_boottime_ms; /* may be negative */
    struct list rlimits;    /* rlimit_item */
    bool has_caps;
    uint64_t caps;          /* bit n = capability n */
    uint64_t memory_max;    /* bytes, 0 = unset */
    uint32_t pids_max;      /* 0 = unset */
    uint32_t cpu_weight;    /* 0 = unset, else 1..10000 */
    enum ready_kind ready;
    int ready_fd;           /* ready = fd:N, N >= 3 */
    uint32_t ready_timeout_ms; /* default 30 s */
    bool init;              /* init = yes: nsinit is PID 1 of its pid namespace */
    uint64_t digest;        /* hash of every key and value: reload compares it */
    bool invalid;           /* the section had errors: never started */
    const char *problem;    /* the first of them, "FILE:LINE: message" */
};

struct bridge_conf {
    char name[BRIDGE_NAME_MAX];
    const char *file;
    int line;
    bool has_addr;
    uint32_t addr;          /* network byte order */
    uint8_t prefix;
};

struct arena;

struct config {
    const char *path;
    const char *hostname;         /* [init] hostname */
    struct list modules;          /* str_item */
    uint32_t shutdown_timeout_ms; /* default 10 s */
    const char *socket;           /* default "/run/nsinit.sock" */
    const char *watchdog;         /* [init] watchdog device, or NULL */
    uint32_t watchdog_timeout_ms; /* default 15 s */
    uint32_t log_buffer;          /* bytes of the log ring, 0 = none; default 64K */
    struct bridge_conf bridges[MAX_BRIDGES];
    int n_bridges;
    struct svc_conf *services[MAX_SERVICES];
    int n_services;
    int n_errors;                 /* every problem found, reported through diag */
    struct arena *arena;
};

/* Where problems go: emit() gets one finished line "FILE:LINE: message\n". */
struct diag {
    void (*emit)(struct diag *d, const char *line, size_t len);
    void *ctx;
    int count;
};
void diag_to_stderr(struct diag *d); /* sets emit to write(2, ...) */

/* Parses path and its includes. Returns NULL only when nothing could be
 * read at all (the reason reported through d); otherwise a config whose
 * n_errors counts the problems, with broken services marked invalid. */
struct config *config_load(const char *path, struct diag *d);
void config_free(struct config *c);

struct svc_conf *config_find(const struct config *c, const char *name);
const struct bridge_conf *config_find_bridge(const struct config *c, const char *name);

/* `nsinit check FILE...`: exit status 0 valid, 1 invalid, 2 usage. */
int config_check_main(int argc, char **argv);

/* Value parsers shared with the runtime and the command line. Each
 * returns 0 or -1 (and sets nothing on failure). */
int parse_duration_ms(const char *s, uint32_t *ms);  /* 500ms 5s 2m 1h, bare = s */
int parse_size(const char *s, uint64_t *bytes);       /* 64K 16M 1G, bare = bytes */
int parse_u32(const char *s, uint32_t *v);
int parse_bool(const char *s, bool *v);                /* yes/no true/false on/off 1/0 */

#endif
