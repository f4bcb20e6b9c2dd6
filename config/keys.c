/* The config keys: one table row per (section, key) naming its handler,
 * whether it repeats and which namespace it needs, as procd's
 * instance_attr[]. Adding a key is one row, one handler and its entry in
 * nsinit.conf(5) (a test compares the two). */
#include "keys.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>

#include "arena.h"
#include "fmt.h"
#include "internal.h"
#include "names.h"
#include "signame.h"
#include "values.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

void key_error(struct key_ctx *kc, const char *f, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, f);
    fmt_v(msg, sizeof(msg), f, ap);
    va_end(ap);
    config_report(kc->st, kc->svc, kc->file, kc->line, "%s", msg);
}

/* ---- helpers shared by the handlers ---------------------------------- */

static char *key_strdup(struct key_ctx *kc, const char *s)
{
    char *p = arena_strdup(kc->cfg->arena, s);

    if (!p)
        config_report_oom(kc->st, kc->file, kc->line);
    return p;
}

/* A new element at the end of l, or NULL (reported) when the list is full. */
static void *key_item(struct key_ctx *kc, struct list *l, size_t size)
{
    size_t k = (size_t)(kc->key - config_keys);
    struct item *it;

    if (l->count >= CONFIG_LIST_MAX) {
        if (!kc->list_full[k])
            key_error(kc, "too many '%s' entries (limit %d)", kc->key->name,
                      CONFIG_LIST_MAX);
        kc->list_full[k] = true;
        return NULL;
    }
    it = arena_alloc(kc->cfg->arena, size);
    if (!it) {
        config_report_oom(kc->st, kc->file, kc->line);
        return NULL;
    }
    it->file = kc->file;
    it->line = kc->line;
    list_append(l, it);
    return it;
}

static int key_add_str(struct key_ctx *kc, struct list *l, const char *s)
{
    struct str_item *si = key_item(kc, l, sizeof(*si));

    if (!si || !(si->s = key_strdup(kc, s)))
        return -1;
    return 0;
}

static int key_string(struct key_ctx *kc, const char *v, const char **out)
{
    const char *s = key_strdup(kc, v);

    if (!s)
        return -1;
    *out = s;
    return 0;
}

static int key_abs_path(struct key_ctx *kc, const char *v, const char **out)
{
    if (v[0] != '/') {
        key_error(kc, "%s: not an absolute path '%s'", kc->key->name, v);
        return -1;
    }
    return key_string(kc, v, out);
}

static int key_duration(struct key_ctx *kc, const char *v, uint32_t *ms)
{
    if (parse_duration_ms(v, ms) == 0)
        return 0;
    if (errno == ERANGE)
        key_error(kc, "duration out of range '%s'", v);
    else
        key_error(kc, "bad duration '%s'", v);
    return -1;
}

static int key_u32(struct key_ctx *kc, const char *v, uint32_t *n)
{
    if (parse_u32(v, n) == 0)
        return 0;
    if (errno == ERANGE)
        key_error(kc, "number out of range '%s'", v);
    else
        key_error(kc, "bad number '%s'", v);
    return -1;
}

static int key_bool(struct key_ctx *kc, const char *v, bool *b)
{
    if (parse_bool(v, b) == 0)
        return 0;
    key_error(kc, "bad boolean '%s' (yes or no)", v);
    return -1;
}

/* Splits a list value; reports "too many words" past max. */
static int key_words(struct key_ctx *kc, char *v, char **w, int max)
{
    int n = parse_words(v, w, max);

    if (n < 0)
        key_error(kc, "%s: too many words (limit %d)", kc->key->name, max);
    return n;
}

/* ---- [init] ------------------------------------------------------------ */

static int key_init_hostname(struct key_ctx *kc, char *v)
{
    if (!value_is_hostname(v)) {
        key_error(kc, "bad hostname '%s'", v);
        return -1;
    }
    return key_string(kc, v, &kc->cfg->hostname);
}

static bool key_is_module_name(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return i > 0 && i < 56; /* MODULE_NAME_LEN */
}

static int key_modules(struct key_ctx *kc, char *v)
{
    char *w[CONFIG_LIST_MAX];
    int n = key_words(kc, v, w, CONFIG_LIST_MAX);

    for (int i = 0; i < n; i++) {
        if (!key_is_module_name(w[i]))
            key_error(kc, "bad module name '%s'", w[i]);
        else if (key_add_str(kc, &kc->cfg->modules, w[i]) < 0)
            return -1;
    }
    return n < 0 ? -1 : 0;
}

static int key_shutdown_timeout(struct key_ctx *kc, char *v)
{
    return key_duration(kc, v, &kc->cfg->shutdown_timeout_ms);
}

static int key_socket(struct key_ctx *kc, char *v)
{
    /* sun_path holds 108 bytes with the NUL. */
    if (v[0] != '/' || strlen(v) > 107) {
        key_error(kc, "bad socket path '%s' (absolute, at most 107 bytes)", v);
        return -1;
    }
    return key_string(kc, v, &kc->cfg->socket);
}

static int key_watchdog(struct key_ctx *kc, char *v)
{
    if (v[0] != '/') {
        key_error(kc, "bad watchdog device '%s' (an absolute path)", v);
        return -1;
    }
    return key_string(kc, v, &kc->cfg->watchdog);
}

/* The kernel's watchdog API counts whole seconds. */
static int key_watchdog_timeout(struct key_ctx *kc, char *v)
{
    uint32_t ms;

    if (key_duration(kc, v, &ms) < 0)
        return -1;
    if (ms < 2000 || ms > 3600000) {
        key_error(kc, "watchdog_timeout out of range '%s' (2s-1h)", v);
        return -1;
    }
    kc->cfg->watchdog_timeout_ms = ms;
    return 0;
}

static int key_log_buffer(struct key_ctx *kc, char *v)
{
    uint64_t bytes;

    if (parse_size(v, &bytes) < 0 || (bytes && bytes < LOG_BUFFER_MIN) ||
        bytes > LOG_BUFFER_MAX) {
        key_error(kc, "bad log_buffer '%s' (0, or 4K to 256M)", v);
        return -1;
    }
    kc->cfg->log_buffer = (uint32_t)bytes;
    return 0;
}

/* A relative include is taken from the including file's directory. */
static int key_include(struct key_ctx *kc, char *v)
{
    const char *slash = strrchr(kc->file, '/');
    char path[4096];

    if (v[0] == '/' || !slash)
        return key_add_str(kc, kc->includes, v);
    if ((size_t)(slash - kc->file) + 1 + strlen(v) >= sizeof(path)) {
        key_error(kc, "include: path too long");
        return -1;
    }
    fmt(path, sizeof(path), "%s", kc->file);
    fmt(path + (slash - kc->file) + 1, sizeof(path) - (size_t)(slash - kc->file) - 1,
        "%s", v);
    return key_add_str(kc, kc->includes, path);
}

/* ---- [bridge NAME] ----------------------------------------------------- */

static int key_bridge_address(struct key_ctx *kc, char *v)
{
    if (parse_ipv4_prefix(v, &kc->br->addr, &kc->br->prefix) < 0) {
        key_error(kc, "bad address '%s' (expected ADDR/PREFIX)", v);
        return -1;
    }
    kc->br->has_addr = true;
    return 0;
}

/* ---- [service NAME] ---------------------------------------------------- */

static int key_exec(struct key_ctx *kc, char *v)
{
    char *argv[MAX_ARGS + 1];
    char *buf = arena_alloc(kc->cfg->arena, strlen(v) + 1);
    int argc;

    kc->st->exec_given[kc->svc_index] = true;
    if (!buf) {
        config_report_oom(kc->st, kc->file, kc->line);
        return -1;
    }
    argc = parse_argv(v, buf, argv, MAX_ARGS);
    if (argc < 0 && errno == E2BIG)
        key_error(kc, "too many words in exec (limit %d)", MAX_ARGS);
    else if (argc < 0)
        key_error(kc, "unterminated quote");
    else if (argc == 0 || !argv[0][0])
        key_error(kc, "exec: empty command");
    if (argc <= 0 || !argv[0][0])
        return -1;
    kc->svc->argv = arena_alloc(kc->cfg->arena, sizeof(char *) * (size_t)(argc + 1));
    if (!kc->svc->argv) {
        config_report_oom(kc->st, kc->file, kc->line);
        return -1;
    }
    memcpy(kc->svc->argv, argv, sizeof(char *) * (size_t)(argc + 1));
    return 0;
}

static int key_restart(struct key_ctx *kc, char *v)
{
    static const char *const names[] = {
        [RESTART_ALWAYS] = "always",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_NEVER] = "never",
    };

    for (int i = 0; i < 3; i++)
        if (!strcmp(v, names[i])) {
            kc->svc->restart = (enum restart_policy)i;
            return 0;
        }
    key_error(kc, "bad restart '%s' (always, on-failure or never)", v);
    return -1;
}

static int key_restart_delay(struct key_ctx *kc, char *v)
{
    return key_duration(kc, v, &kc->svc->restart_delay_ms);
}

static int key_restart_limit(struct key_ctx *kc, char *v)
{
    return key_u32(kc, v, &kc->svc->restart_limit);
}

static int key_oneshot(struct key_ctx *kc, char *v)
{
    return key_bool(kc, v, &kc->svc->oneshot);
}

static int key_main(struct key_ctx *kc, char *v)
{
    return key_bool(kc, v, &kc->svc->is_main);
}

static int key_no_new_privs(struct key_ctx *kc, char *v)
{
    return key_bool(kc, v, &kc->svc->no_new_privs);
}

static int key_after(struct key_ctx *kc, char *v)
{
    char *w[CONFIG_LIST_MAX];
    int n = key_words(kc, v, w, CONFIG_LIST_MAX);

    for (int i = 0; i < n; i++) {
        if (!value_is_service_name(w[i]))
            key_error(kc, "after: bad service name '%s'", w[i]);
        else if (key_add_str(kc, &kc->svc->after, w[i]) < 0)
            return -1;
    }
    return n < 0 ? -1 : 0;
}

/* A user or group: one word without ':' (a name or a number). */
static int key_account(struct key_ctx *kc, const char *v, const char **out)
{
    if (strlen(v) > 32 || strpbrk(v, " \t:/")) {
        key_error(kc, "bad %s '%s'", kc->key->name, v);
        return -1;
    }
    return key_string(kc, v, out);
}

static int key_user(struct key_ctx *kc, char *v)
{
    return key_account(kc, v, &kc->svc->user);
}

static int key_group(struct key_ctx *kc, char *v)
{
    return key_account(kc, v, &kc->svc->group);
}

static int key_env(struct key_ctx *kc, char *v)
{
    const char *eq = strchr(v, '=');
    size_t len = eq ? (size_t)(eq - v) : 0;

    if (!eq || !value_is_env_name(v, len)) {
        key_error(kc, "bad env '%s' (expected NAME=VALUE)", v);
        return -1;
    }
    LIST_FOR(struct str_item, e, &kc->svc->env)
    {
        if (!strncmp(e->s, v, len + 1)) {
            *(char *)eq = '\0';
            key_error(kc, "duplicate env '%s' (first at line %d)", v, e->it.line);
            return -1;
        }
    }
    return key_add_str(kc, &kc->svc->env, v);
}

static int key_workdir(struct key_ctx *kc, char *v)
{
    return key_abs_path(kc, v, &kc->svc->workdir);
}

static int key_stop_signal(struct key_ctx *kc, char *v)
{
    int sig = sig_from_name(v);

    if (sig <= 0) {
        key_error(kc, "bad signal '%s'", v);
        return -1;
    }
    kc->svc->stop_signal = sig;
    return 0;
}

static int key_stop_timeout(struct key_ctx *kc, char *v)
{
    return key_duration(kc, v, &kc->svc->stop_timeout_ms);
}

static int key_namespaces(struct key_ctx *kc, char *v)
{
    char *w[16];
    int n = key_words(kc, v, w, 16), bad = 0;

    for (int i = 0; i < n; i++) {
        int flag = ns_from_name(w[i]);

        if (!flag) {
            key_error(kc, "unknown namespace '%s'", w[i]);
            bad = -1;
        }
        kc->svc->ns_flags |= flag;
    }
    return n < 0 ? -1 : bad;
}

static int key_svc_hostname(struct key_ctx *kc, char *v)
{
    if (!value_is_hostname(v)) {
        key_error(kc, "bad hostname '%s'", v);
        return -1;
    }
    return key_string(kc, v, &kc->svc->hostname);
}

static const struct {
    const char *name;
    enum mount_kind kind;
    int min, max; /* words after the kind */
} mount_kinds[] = {
    {"proc", MOUNT_PROC, 1, 1},   {"sysfs", MOUNT_SYSFS, 1, 1},
    {"tmpfs", MOUNT_TMPFS, 1, 2}, {"bind", MOUNT_BIND, 2, 3},
    {"dev", MOUNT_DEV, 1, 1},
};

/* Fills m from the words after the kind; the kind's word count is checked. */
static int key_mount_fill(struct key_ctx *kc, struct mount_item *m, char **w, int n)
{
    const char *dst = m->kind == MOUNT_BIND ? w[1] : w[0];

    if (m->kind == MOUNT_BIND) {
        if (n == 3 && strcmp(w[2], "ro") && strcmp(w[2], "rw")) {
            key_error(kc, "mount: bad bind option '%s' (ro or rw)", w[2]);
            return -1;
        }
        m->ro = n == 3 && !strcmp(w[2], "ro");
        if (w[0][0] != '/') {
            key_error(kc, "mount: not an absolute path '%s'", w[0]);
            return -1;
        }
        if (!(m->src = key_strdup(kc, w[0])))
            return -1;
    }
    if (dst[0] != '/') {
        key_error(kc, "mount: not an absolute path '%s'", dst);
        return -1;
    }
    if (m->kind == MOUNT_TMPFS && n == 2 && !(m->opts = key_strdup(kc, w[1])))
        return -1;
    return (m->dst = key_strdup(kc, dst)) ? 0 : -1;
}

static int key_mount(struct key_ctx *kc, char *v)
{
    char *w[5];
    int n = parse_words(v, w, 5);
    struct mount_item m = {0}, *mi;
    size_t k;

    for (k = 0; n > 0 && k < sizeof(mount_kinds) / sizeof(mount_kinds[0]); k++)
        if (!strcmp(w[0], mount_kinds[k].name))
            break;
    if (n > 0 && k == sizeof(mount_kinds) / sizeof(mount_kinds[0])) {
        key_error(kc, "mount: unknown type '%s'", w[0]);
        return -1;
    }
    if (n < 1 || n - 1 < mount_kinds[k].min || n - 1 > mount_kinds[k].max) {
        key_error(kc, "mount: expected 'proc DIR', 'sysfs DIR', 'tmpfs DIR [OPTS]', "
                      "'bind SRC DST [ro]' or 'dev DIR'");
        return -1;
    }
    m.kind = mount_kinds[k].kind;
    if (key_mount_fill(kc, &m, w + 1, n - 1) < 0)
        return -1;
    if (!(mi = key_item(kc, &kc->svc->mounts, sizeof(*mi))))
        return -1;
    m.it = mi->it;
    *mi = m;
    return 0;
}

static int key_root(struct key_ctx *kc, char *v)
{
    return key_abs_path(kc, v, &kc->svc->root);
}

static int key_net(struct key_ctx *kc, char *v)
{
    struct svc_conf *s = kc->svc;
    char *w[6];
    int n = parse_words(v, w, 6);

    if ((n != 3 && n != 5) || strcmp(w[0], "veth") || (n == 5 && strcmp(w[3], "gw"))) {
        key_error(kc, "net: expected 'veth BRIDGE ADDR/PREFIX [gw ADDR]'");
        return -1;
    }
    if (!value_is_ifname(w[1])) {
        key_error(kc, "net: bad bridge name '%s'", w[1]);
        return -1;
    }
    if (parse_ipv4_prefix(w[2], &s->net_addr, &s->net_prefix) < 0) {
        key_error(kc, "net: bad address '%s' (expected ADDR/PREFIX)", w[2]);
        return -1;
    }
    if (n == 5 && parse_ipv4(w[4], &s->net_gw) < 0) {
        key_error(kc, "net: bad gateway '%s'", w[4]);
        return -1;
    }
    s->net_has_gw = n == 5;
    fmt(s->net_bridge, sizeof(s->net_bridge), "%s", w[1]);
    s->has_net = true;
    kc->st->net_line[kc->svc_index] = kc->line;
    return 0;
}

static int key_join_one(struct key_ctx *kc, char *w)
{
    char *colon = strchr(w, ':');
    struct join_item *j;
    int flag;

    if (!colon || !colon[1]) {
        key_error(kc, "join: expected 'KIND:SERVICE' or 'KIND:/path', not '%s'", w);
        return -1;
    }
    *colon = '\0';
    if (!(flag = ns_from_name(w))) {
        key_error(kc, "join: unknown namespace '%s'", w);
        return -1;
    }
    if (colon[1] != '/' && !value_is_service_name(colon + 1)) {
        key_error(kc, "join: bad service name '%s'", colon + 1);
        return -1;
    }
    LIST_FOR(struct join_item, o, &kc->svc->joins)
    {
        if (o->ns_flag == flag) {
            key_error(kc, "join: '%s' given twice (first at line %d)", w, o->it.line);
            return -1;
        }
    }
    if (!(j = key_item(kc, &kc->svc->joins, sizeof(*j))))
        return -1;
    j->ns_flag = flag;
    j->kind = ns_name(flag);
    if (colon[1] == '/')
        j->path = key_strdup(kc, colon + 1);
    else
        j->service = key_strdup(kc, colon + 1);
    return j->path || j->service ? 0 : -1;
}

static int key_join(struct key_ctx *kc, char *v)
{
    char *w[8];
    int n = key_words(kc, v, w, 8), ret = 0;

    for (int i = 0; i < n; i++)
        if (key_join_one(kc, w[i]) < 0)
            ret = -1;
    return n < 0 ? -1 : ret;
}

static int key_idmap(struct key_ctx *kc, char *v, struct list *l)
{
    uint32_t in, out, count;
    struct idmap_item *m;

    if (parse_idmap(v, &in, &out, &count) < 0) {
        if (errno == ERANGE)
            key_error(kc, "%s out of range '%s'", kc->key->name, v);
        else
            key_error(kc, "bad %s '%s' (expected INSIDE OUTSIDE COUNT, COUNT >= 1)",
                      kc->key->name, v);
        return -1;
    }
    if (!(m = key_item(kc, l, sizeof(*m))))
        return -1;
    m->inside = in;
    m->outside = out;
    m->count = count;
    return 0;
}

static int key_uid_map(struct key_ctx *kc, char *v)
{
    return key_idmap(kc, v, &kc->svc->uid_maps);
}

static int key_gid_map(struct key_ctx *kc, char *v)
{
    return key_idmap(kc, v, &kc->svc->gid_maps);
}

/* Pairs of CLOCK DURATION; each clock once per service. */
static int key_time_offsets(struct key_ctx *kc, char *v)
{
    struct svc_conf *s = kc->svc;
    char *w[4];
    int n = parse_words(v, w, 4);

    if (n != 2 && n != 4) {
        key_error(kc, "time_offsets: expected 'monotonic DURATION' or "
                      "'boottime DURATION'");
        return -1;
    }
    for (int i = 0; i < n; i += 2) {
        bool mono = !strcmp(w[i], "monotonic");
        int64_t *slot = mono ? &s->time_monotonic_ms : &s->time_boottime_ms;
        unsigned bit = mono ? 1 : 2;

        if (!mono && strcmp(w[i], "boottime")) {
            key_error(kc, "time_offsets: unknown clock '%s'", w[i]);
            return -1;
        }
        if (kc->clocks_set & bit) {
            key_error(kc, "time_offsets: '%s' given twice", w[i]);
            return -1;
        }
        if (parse_sduration_ms(w[i + 1], slot) < 0) {
            key_error(kc, "%s duration '%s'", errno == ERANGE ? "out of range" : "bad",
                      w[i + 1]);
            return -1;
        }
        kc->clocks_set |= bit;
        s->has_time_offsets = true;
    }
    return 0;
}

static int key_rlimit(struct key_ctx *kc, char *v)
{
    char *w[4];
    int n = parse_words(v, w, 4), res;
    uint64_t soft = 0, hard = 0;
    struct rlimit_item *r;

    if (n != 2 && n != 3) {
        key_error(kc, "rlimit: expected 'NAME SOFT [HARD]'");
        return -1;
    }
    if ((res = rlimit_from_name(w[0])) < 0) {
        key_error(kc, "rlimit: unknown limit '%s'", w[0]);
        return -1;
    }
    for (int i = 1; i < n; i++)
        if (parse_limit(w[i], i == 1 ? &soft : &hard) < 0) {
            key_error(kc, "rlimit: bad value '%s' (a number, infinity or unlimited)",
                      w[i]);
            return -1;
        }
    if (n == 2)
        hard = soft;
    if (soft > hard) {
        key_error(kc, "rlimit: soft limit above hard limit");
        return -1;
    }
    LIST_FOR(struct rlimit_item, o, &kc->svc->rlimits)
    {
        if (o->resource == res) {
            key_error(kc, "rlimit: '%s' given twice (first at line %d)", w[0],
                      o->it.line);
            return -1;
        }
    }
    if (!(r = key_item(kc, &kc->svc->rlimits, sizeof(*r))))
        return -1;
    r->resource = res;
    r->soft = soft;
    r->hard = hard;
    return 0;
}

/* "none" alone keeps no capability at all. */
static int key_capabilities(struct key_ctx *kc, char *v)
{
    char *w[64];
    int n = key_words(kc, v, w, 64), ret = 0;
    uint64_t caps = 0;

    if (n == 1 && !strcmp(w[0], "none"))
        n = 0;
    for (int i = 0; i < n; i++) {
        int cap = cap_from_name(w[i]);

        if (cap < 0) {
            key_error(kc, "unknown capability '%s'", w[i]);
            ret = -1;
        } else {
            caps |= 1ULL << cap;
        }
    }
    if (n < 0 || ret < 0)
        return -1;
    kc->svc->caps = caps;
    kc->svc->has_caps = true;
    return 0;
}

static int key_memory_max(struct key_ctx *kc, char *v)
{
    uint64_t bytes;

    if (parse_size(v, &bytes) < 0) {
        key_error(kc, "%s size '%s'", errno == ERANGE ? "out of range" : "bad", v);
        return -1;
    }
    if (bytes == 0) {
        key_error(kc, "memory_max out of range '%s' (at least 1)", v);
        return -1;
    }
    kc->svc->memory_max = bytes;
    return 0;
}

static int key_pids_max(struct key_ctx *kc, char *v)
{
    uint32_t n;

    if (key_u32(kc, v, &n) < 0)
        return -1;
    if (n == 0) {
        key_error(kc, "pids_max out of range '%s' (at least 1)", v);
        return -1;
    }
    kc->svc->pids_max = n;
    return 0;
}

static int key_cpu_weight(struct key_ctx *kc, char *v)
{
    uint32_t n;

    if (key_u32(kc, v, &n) < 0)
        return -1;
    if (n < 1 || n > 10000) {
        key_error(kc, "cpu_weight out of range '%s' (1-10000)", v);
        return -1;
    }
    kc->svc->cpu_weight = n;
    return 0;
}

/* fd:N (s6's notification fd) or notify (systemd's NOTIFY_SOCKET). */
static int key_ready(struct key_ctx *kc, char *v)
{
    uint32_t n;

    if (!strcmp(v, "notify")) {
        kc->svc->ready = READY_NOTIFY;
        return 0;
    }
    if (strncmp(v, "fd:", 3) || parse_u32(v + 3, &n) < 0 || n < 3 || n > 1023) {
        key_error(kc, "bad ready '%s' (fd:N, N from 3 to 1023, or notify)", v);
        return -1;
    }
    kc->svc->ready = READY_FD;
    kc->svc->ready_fd = (int)n;
    return 0;
}

static int key_ready_timeout(struct key_ctx *kc, char *v)
{
    return key_duration(kc, v, &kc->svc->ready_timeout_ms);
}

static int key_init(struct key_ctx *kc, char *v)
{
    return key_bool(kc, v, &kc->svc->init);
}

/* ---- the table ---------------------------------------------------------- */

const struct key_def config_keys[] = {
    {"hostname", SEC_INIT, key_init_hostname, false, 0},
    {"modules", SEC_INIT, key_modules, true, 0},
    {"shutdown_timeout", SEC_INIT, key_shutdown_timeout, false, 0},
    {"socket", SEC_INIT, key_socket, false, 0},
    {"include", SEC_INIT, key_include, true, 0},
    {"watchdog", SEC_INIT, key_watchdog, false, 0},
    {"watchdog_timeout", SEC_INIT, key_watchdog_timeout, false, 0},
    {"log_buffer", SEC_INIT, key_log_buffer, false, 0},

    {"address", SEC_BRIDGE, key_bridge_address, false, 0},

    {"exec", SEC_SERVICE, key_exec, false, 0},
    {"restart", SEC_SERVICE, key_restart, false, 0},
    {"restart_delay", SEC_SERVICE, key_restart_delay, false, 0},
    {"restart_limit", SEC_SERVICE, key_restart_limit, false, 0},
    {"oneshot", SEC_SERVICE, key_oneshot, false, 0},
    {"main", SEC_SERVICE, key_main, false, 0},
    {"no_new_privs", SEC_SERVICE, key_no_new_privs, false, 0},
    {"after", SEC_SERVICE, key_after, true, 0},
    {"user", SEC_SERVICE, key_user, false, 0},
    {"group", SEC_SERVICE, key_group, false, 0},
    {"env", SEC_SERVICE, key_env, true, 0},
    {"workdir", SEC_SERVICE, key_workdir, false, 0},
    {"stop_signal", SEC_SERVICE, key_stop_signal, false, 0},
    {"stop_timeout", SEC_SERVICE, key_stop_timeout, false, 0},
    {"namespaces", SEC_SERVICE, key_namespaces, false, 0},
    {"hostname", SEC_SERVICE, key_svc_hostname, false, CLONE_NEWUTS},
    {"mount", SEC_SERVICE, key_mount, true, CLONE_NEWNS},
    {"root", SEC_SERVICE, key_root, false, CLONE_NEWNS},
    {"net", SEC_SERVICE, key_net, false, CLONE_NEWNET},
    {"join", SEC_SERVICE, key_join, true, 0},
    {"uid_map", SEC_SERVICE, key_uid_map, true, CLONE_NEWUSER},
    {"gid_map", SEC_SERVICE, key_gid_map, true, CLONE_NEWUSER},
    {"time_offsets", SEC_SERVICE, key_time_offsets, true, CLONE_NEWTIME},
    {"rlimit", SEC_SERVICE, key_rlimit, true, 0},
    {"capabilities", SEC_SERVICE, key_capabilities, false, 0},
    {"memory_max", SEC_SERVICE, key_memory_max, false, 0},
    {"pids_max", SEC_SERVICE, key_pids_max, false, 0},
    {"cpu_weight", SEC_SERVICE, key_cpu_weight, false, 0},
    {"ready", SEC_SERVICE, key_ready, false, 0},
    {"ready_timeout", SEC_SERVICE, key_ready_timeout, false, 0},
    {"init", SEC_SERVICE, key_init, false, CLONE_NEWPID},
};
const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

_Static_assert(sizeof(config_keys) / sizeof(config_keys[0]) <= KEYS_MAX,
               "raise KEYS_MAX");

const struct key_def *key_find(const char *name, enum key_section section)
{
    for (size_t i = 0; i < config_nkeys; i++)
        if (config_keys[i].section == section && !strcmp(config_keys[i].name, name))
            return &config_keys[i];
    return NULL;
}

/* Checks that need the whole section: prerequisites and defaults that
 * depend on other keys. */
void keys_end_service(struct key_ctx *kc)
{
    struct svc_conf *s = kc->svc;

    for (size_t i = 0; i < config_nkeys; i++) {
        const struct key_def *k = &config_keys[i];

        if (k->section != SEC_SERVICE || !k->needs_ns || !kc->seen[i] ||
            (s->ns_flags & k->needs_ns))
            continue;
        config_report(kc->st, s, kc->file, kc->seen[i], "'%s' needs '%s' in namespaces",
                      k->name, ns_name(k->needs_ns));
    }
    int rt_line = kc->seen[key_find("ready_timeout", SEC_SERVICE) - config_keys];

    if (rt_line && s->ready == READY_EXEC)
        config_report(kc->st, s, kc->file, rt_line, "'ready_timeout' needs 'ready'");
    if (s->oneshot && !kc->seen[key_find("restart", SEC_SERVICE) - config_keys])
        s->restart = RESTART_NEVER;
}
