/* Reads config files: lines, comments, [sections] and key = value, handing
 * each value to its row of the key table. Files are read with read(2) in
 * a fixed buffer, capped per file; include = directories are parsed after
 * the file that names them, as if appended to it. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arena.h"
#include "control.h"
#include "fmt.h"
#include "internal.h"
#include "values.h"

#define LINE_NUL 1
#define LINE_TOO_LONG 2

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

struct reader {
    int fd;
    bool eof;
    size_t pos, len, total;
    char buf[8192];
};

enum sec_kind { IN_NONE, IN_INIT, IN_SERVICE, IN_BRIDGE, IN_SKIP };

/* One file being read: the section it is in and the include = lines
 * waiting for its end. */
struct file_state {
    struct key_ctx kc;
    enum sec_kind sec;
    struct list includes;
};

/* ---- reading ----------------------------------------------------------- */

/* No errno says "not a regular file": one no open() here can return
 * carries it from parse_open to the message. */
#define ENOT_REGULAR EMEDIUMTYPE

/* The file named on the command line may be a pipe (`check /dev/stdin`);
 * an included one must be a regular file: a device or a FIFO someone
 * holds open would block PID 1 in read(). */
static int parse_open(const char *path, bool included)
{
    /* O_NONBLOCK: opening a FIFO without a writer must not hang PID 1. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat sb;

    if (fd < 0)
        return -1;
    if (fstat(fd, &sb) < 0)
        goto fail;
    if (S_ISDIR(sb.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (included && !S_ISREG(sb.st_mode)) {
        errno = ENOT_REGULAR;
        goto fail;
    }
    if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > CONFIG_FILE_MAX) {
        errno = EFBIG;
        goto fail;
    }
    /* A FIFO is read as cat reads it: once a writer comes (without one a
     * read says end of file at once, and an empty file is valid). PID 1
     * must never wait so: there it is no config at all. */
    if (S_ISFIFO(sb.st_mode)) {
        close(fd);
        if (getpid() == 1)
            return errno = ENOT_REGULAR, -1;
        return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    }
    return fd;
fail:
    close(fd);
    return -1;
}

static int reader_fill(struct reader *r)
{
    ssize_t got;

    do
        got = read(r->fd, r->buf, sizeof(r->buf));
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return -1;
    if (got == 0)
        r->eof = true;
    r->total += (size_t)got;
    if (r->total > CONFIG_FILE_MAX) {
        errno = EFBIG;
        return -1;
    }
    r->pos = 0;
    r->len = (size_t)got;
    return 0;
}

/* The next line (without its newline) into line[CONFIG_LINE_MAX + 1]:
 * 1 when there is one, 0 at the end, -1 on a read error or past the cap.
 * A longer line is consumed whole but kept only in part. */
static int reader_line(struct reader *r, char *line, size_t *len, unsigned *flags)
{
    size_t n = 0;
    bool any = false;

    *flags = 0;
    for (;;) {
        char c;

        if (r->pos == r->len) {
            if (r->eof)
                break;
            if (reader_fill(r) < 0)
                return -1;
            continue;
        }
        c = r->buf[r->pos++];
        any = true;
        if (c == '\n')
            break;
        if (c == '\0')
            *flags |= LINE_NUL;
        if (n < CONFIG_LINE_MAX)
            line[n++] = c;
        else
            *flags |= LINE_TOO_LONG;
    }
    line[n] = '\0';
    *len = n;
    return any;
}

/* ---- one line ------------------------------------------------------------ */

static bool parse_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* '#' starts a comment at the line's start or after a blank, outside
 * double quotes (with exec's escapes, so "a \" # b" stays whole). */
static void parse_strip_comment(char *s)
{
    bool quoted = false;

    for (size_t i = 0; s[i]; i++) {
        if (quoted && s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
            i++;
        else if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == '#' && !quoted && (i == 0 || parse_is_blank(s[i - 1]))) {
            s[i] = '\0';
            return;
        }
    }
}

static char *parse_trim(char *s)
{
    char *end;

    while (parse_is_blank(*s))
        s++;
    end = s + strlen(s);
    while (end > s && parse_is_blank(end[-1]))
        *--end = '\0';
    return s;
}

static void parse_report(struct file_state *fs, const char *f, ...)
    __attribute__((format(printf, 2, 3)));

/* A problem at the current line, charged to the current service if any. */
static void parse_report(struct file_state *fs, const char *f, ...)
{
    struct key_ctx *kc = &fs->kc;
    va_list ap;

    va_start(ap, f);
    config_vreport(kc->st, fs->sec == IN_SERVICE ? kc->svc : NULL, kc->file, kc->line, f,
                   ap);
    va_end(ap);
}

/* ---- sections ------------------------------------------------------------ */

static void parse_end_section(struct file_state *fs)
{
    if (fs->sec == IN_SERVICE)
        keys_end_service(&fs->kc);
    fs->sec = IN_NONE;
}

/* Clears the per-section state, keeping what belongs to the file. */
static void parse_new_section(struct file_state *fs, enum sec_kind sec)
{
    struct key_ctx keep = fs->kc;

    memset(&fs->kc, 0, sizeof(fs->kc));
    fs->kc.st = keep.st;
    fs->kc.cfg = keep.cfg;
    fs->kc.includes = keep.includes;
    fs->kc.file = keep.file;
    fs->kc.line = keep.line;
    fs->sec = sec;
}

static void parse_begin_service(struct file_state *fs, const char *name)
{
    struct load_state *st = fs->kc.st;
    struct config *cfg = st->cfg;
    struct svc_conf *old = config_find(cfg, name), *s;

    if (old) {
        config_report(st, old, fs->kc.file, fs->kc.line,
                      "duplicate service '%s' (first at %s:%d)", name, old->file,
                      old->line);
        return;
    }
    if (cfg->n_services == MAX_SERVICES) {
        if (!st->too_many_svcs)
            parse_report(fs, "too many services (limit %d)", MAX_SERVICES);
        st->too_many_svcs = true;
        return;
    }
    if (!(s = arena_alloc(cfg->arena, sizeof(*s)))) {
        config_report_oom(st, fs->kc.file, fs->kc.line);
        return;
    }
    fmt(s->name, sizeof(s->name), "%s", name);
    s->file = fs->kc.file;
    s->line = fs->kc.line;
    s->restart = RESTART_ALWAYS;
    s->restart_delay_ms = 1000;
    s->restart_limit = 5;
    s->stop_signal = 15; /* SIGTERM on every Linux architecture */
    s->stop_timeout_ms = 5000;
    s->ready_timeout_ms = 30000;
    s->digest = FNV_OFFSET;
    parse_new_section(fs, IN_SERVICE);
    fs->kc.svc = s;
    fs->kc.svc_index = cfg->n_services;
    cfg->services[cfg->n_services++] = s;
}

static void parse_begin_bridge(struct file_state *fs, const char *name)
{
    struct load_state *st = fs->kc.st;
    struct config *cfg = st->cfg;
    const struct bridge_conf *old = config_find_bridge(cfg, name);
    struct bridge_conf *b;

    if (old) {
        config_report(st, NULL, fs->kc.file, fs->kc.line,
                      "duplicate bridge '%s' (first at %s:%d)", name, old->file,
                      old->line);
        return;
    }
    if (cfg->n_bridges == MAX_BRIDGES) {
        if (!st->too_many_bridges)
            parse_report(fs, "too many bridges (limit %d)", MAX_BRIDGES);
        st->too_many_bridges = true;
        return;
    }
    b = &cfg->bridges[cfg->n_bridges++];
    fmt(b->name, sizeof(b->name), "%s", name);
    b->file = fs->kc.file;
    b->line = fs->kc.line;
    parse_new_section(fs, IN_BRIDGE);
    fs->kc.br = b;
}

/* "[kind name]": a section with something wrong is skipped (IN_SKIP), its
 * keys unread, so one mistake gives one message. */
static void parse_section(struct file_state *fs, char *s)
{
    char *close = strchr(s, ']'), *kind, *name;

    parse_end_section(fs);
    fs->sec = IN_SKIP;
    if (!close) {
        parse_report(fs, "unterminated section header");
        return;
    }
    if (*parse_trim(close + 1)) {
        parse_report(fs, "junk after section header '%s'", parse_trim(close + 1));
        return;
    }
    *close = '\0';
    kind = parse_trim(s + 1);
    for (name = kind; *name && !parse_is_blank(*name); name++)
        ;
    if (*name)
        *name++ = '\0';
    name = parse_trim(name);
    if (!strcmp(kind, "init")) {
        if (*name)
            parse_report(fs, "section [init] takes no name, not '%s'", name);
        else
            parse_new_section(fs, IN_INIT);
    } else if (strcmp(kind, "service") && strcmp(kind, "bridge")) {
        parse_report(fs, "unknown section '%s'", kind);
    } else if (!*name) {
        parse_report(fs, "section [%s] needs a name", kind);
    } else if (kind[0] == 's') {
        if (!value_is_service_name(name))
            parse_report(fs, "bad service name '%s'", name);
        else if (!strcmp(name, "nsinit"))
            /* ctl log names nsinit's own lines so: a service may not pass for it. */
            parse_report(fs, "service name 'nsinit' is reserved (nsinit's own log lines)");
        else
            parse_begin_service(fs, name);
    } else if (!value_is_ifname(name)) {
        parse_report(fs, "bad bridge name '%s'", name);
    } else {
        parse_begin_bridge(fs, name);
    }
}

/* ---- keys ------------------------------------------------------------------ */

static uint64_t parse_fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

static enum key_section parse_key_section(enum sec_kind sec)
{
    return sec == IN_INIT ? SEC_INIT : sec == IN_SERVICE ? SEC_SERVICE : SEC_BRIDGE;
}

/* Unknown here: either unknown at all or belonging to another section. */
static void parse_unknown_key(struct file_state *fs, const char *key)
{
    static const char *const sec_names[] = {"", "init", "service", "", "bridge"};
    enum key_section sec = parse_key_section(fs->sec);
    struct key_ctx *kc = &fs->kc;

    for (size_t i = 0; i < config_nkeys; i++)
        if (!strcmp(config_keys[i].name, key)) {
            config_report(kc->st, kc->svc, kc->file, kc->line,
                          "key '%s' is not allowed in [%s]", key, sec_names[sec]);
            return;
        }
    parse_report(fs, "unknown key '%s'", key);
}

/* A non-repeatable key seen before in the same file or section: report it
 * and say where. An [init] key from a later file (an include, such as an
 * image's /etc/nsinit.d) overrides the earlier one, as a drop-in does. */
static bool parse_is_duplicate(struct file_state *fs, const struct key_def *k)
{
    struct key_ctx *kc = &fs->kc;
    size_t i = (size_t)(k - config_keys);
    struct key_seen *init = &kc->st->init_seen[i];
    int first = fs->sec == IN_INIT ? init->line : kc->seen[i];

    if (!first) {
        if (fs->sec == IN_INIT)
            *init = (struct key_seen){kc->file, kc->line};
        kc->seen[i] = kc->line;
        return false;
    }
    if (k->repeatable)
        return false;
    if (fs->sec == IN_INIT && strcmp(init->file, kc->file)) {
        *init = (struct key_seen){kc->file, kc->line};
        return false;
    }
    config_report(kc->st, kc->svc, kc->file, kc->line, "duplicate key '%s' (first at line %d)",
                  k->name, first);
    return true;
}

static void parse_key_value(struct file_state *fs, char *s)
{
    char *eq = strchr(s, '='), *key, *value;
    struct key_ctx *kc = &fs->kc;
    const struct key_def *k;

    if (!eq) {
        parse_report(fs, "expected 'key = value'");
        return;
    }
    *eq = '\0';
    key = parse_trim(s);
    value = parse_trim(eq + 1);
    if (!*key) {
        parse_report(fs, "expected 'key = value'");
        return;
    }
    if (fs->sec == IN_SKIP)
        return;
    if (fs->sec == IN_NONE) {
        parse_report(fs, "key '%s' outside any section", key);
        return;
    }
    if (!(k = key_find(key, parse_key_section(fs->sec)))) {
        parse_unknown_key(fs, key);
        return;
    }
    if (!*value) {
        parse_report(fs, "missing value for '%s'", key);
        return;
    }
    if (parse_is_duplicate(fs, k))
        return;
    if (fs->sec == IN_SERVICE) {
        uint64_t h = kc->svc->digest;

        h = parse_fnv(h, key, strlen(key) + 1);
        h = parse_fnv(h, value, strlen(value) + 1);
        kc->svc->digest = h;
    }
    kc->key = k;
    k->parse(kc, value);
}

static void parse_line(struct file_state *fs, char *line, size_t len, unsigned flags)
{
    char *s;

    if (flags & LINE_TOO_LONG) {
        parse_report(fs, "line too long (limit %d bytes)", CONFIG_LINE_MAX);
        return;
    }
    if (flags & LINE_NUL) {
        parse_report(fs, "NUL byte");
        return;
    }
    if (fs->kc.line == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
        line += 3; /* a UTF-8 byte order mark, as some editors write */
    parse_strip_comment(line);
    s = parse_trim(line);
    if (!*s)
        return;
    if (*s == '[')
        parse_section(fs, s);
    else
        parse_key_value(fs, s);
}

/* ---- files and includes ---------------------------------------------------- */

static void parse_file(struct load_state *st, const char *path, int depth, int *opened);

/* Reads every line of an open file; include = lines are collected in fs. */
static void parse_lines(struct file_state *fs, int fd)
{
    struct reader r = {.fd = fd};
    char line[CONFIG_LINE_MAX + 1];
    unsigned flags;
    size_t len;
    int got;

    while ((got = reader_line(&r, line, &len, &flags)) > 0) {
        fs->kc.line++;
        parse_line(fs, line, len, flags);
    }
    parse_end_section(fs);
    if (got < 0 && errno == EFBIG)
        config_report(fs->kc.st, NULL, fs->kc.file, 0, "file too large (limit 4 MiB)");
    else if (got < 0)
        config_report(fs->kc.st, NULL, fs->kc.file, 0, "%s", strerror(errno));
}

struct dirent64_hdr {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static bool parse_is_conf_name(const char *name)
{
    size_t len = strlen(name);

    return name[0] != '.' && len > 5 && !strcmp(name + len - 5, ".conf");
}

/* Collects up to max *.conf names of the directory fd, sorted by strcmp;
 * returns how many, or -1 with errno. */
static int parse_dir_names(struct load_state *st, int fd, const char **names, int max)
{
    /* Records hold 64-bit fields: the buffer must be aligned for them. */
    _Alignas(uint64_t) char buf[4096];
    int n = 0;
    long got;

    while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < got;) {
            struct dirent64_hdr *de = (struct dirent64_hdr *)(buf + off);

            off += de->reclen;
            if (!parse_is_conf_name(de->name) || n == max)
                continue;
            if (!(names[n] = arena_strdup(st->cfg->arena, de->name))) {
                errno = ENOMEM;
                return -1;
            }
            /* Insertion sort: at most MAX_INCLUDE_FILES names. */
            for (int j = n++; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                const char *t = names[j];
                names[j] = names[j - 1];
                names[j - 1] = t;
            }
        }
    }
    return got < 0 ? -1 : n;
}

/* Parses one included file, counting it against MAX_INCLUDE_FILES. */
static void parse_included(struct load_state *st, struct str_item *inc, const char *path,
                           int depth)
{
    if (st->n_files >= MAX_INCLUDE_FILES) {
        if (!st->too_many_files)
            config_report(st, NULL, inc->it.file, inc->it.line,
                          "too many included files (limit %d)", MAX_INCLUDE_FILES);
        st->too_many_files = true;
        return;
    }
    st->n_files++;
    parse_file(st, path, depth, NULL);
}

static void parse_include_dir(struct load_state *st, struct str_item *inc, int fd,
                              int depth)
{
    const char *names[MAX_INCLUDE_FILES + 1];
    size_t dlen = strlen(inc->s);
    char path[4096];
    int n = parse_dir_names(st, fd, names, MAX_INCLUDE_FILES + 1);

    close(fd);
    if (n < 0) {
        config_report(st, NULL, inc->it.file, inc->it.line, "include '%s': %s", inc->s,
                      strerror(errno));
        return;
    }
    while (dlen > 0 && inc->s[dlen - 1] == '/')
        dlen--; /* "dir/" and "/" must not give "dir//x.conf" */
    for (int i = 0; i < n; i++) {
        size_t nlen = strlen(names[i]);

        if (dlen + 1 + nlen >= sizeof(path)) {
            config_report(st, NULL, inc->it.file, inc->it.line, "include: path too long");
            continue;
        }
        memcpy(path, inc->s, dlen);
        path[dlen] = '/';
        memcpy(path + dlen + 1, names[i], nlen + 1);
        parse_included(st, inc, path, depth);
    }
}

static void parse_include(struct load_state *st, struct str_item *inc, int depth)
{
    int fd;

    if (depth > CONFIG_INCLUDE_DEPTH) {
        config_report(st, NULL, inc->it.file, inc->it.line,
                      "include nested too deep (limit %d)", CONFIG_INCLUDE_DEPTH);
        return;
    }
    fd = open(inc->s, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (fd >= 0) {
        parse_include_dir(st, inc, fd, depth);
    } else if (errno == ENOTDIR) {
        parse_included(st, inc, inc->s, depth);
    } else if (errno != ENOENT) {
        /* A missing directory is fine: images include an optional one. */
        config_report(st, NULL, inc->it.file, inc->it.line, "include '%s': %s", inc->s,
                      strerror(errno));
    }
}

/* Parses path, then what it includes. *opened (if given) says whether the
 * file could be read at all. */
static void parse_file(struct load_state *st, const char *path, int depth, int *opened)
{
    struct file_state fs = {0};
    int fd;

    fs.kc.st = st;
    fs.kc.cfg = st->cfg;
    fs.kc.includes = &fs.includes;
    if (!(fs.kc.file = arena_strdup(st->cfg->arena, path))) {
        config_report_oom(st, path, 0);
        return;
    }
    if ((fd = parse_open(path, depth > 0)) < 0) {
        config_report(st, NULL, fs.kc.file, 0, "%s",
                      errno == EFBIG          ? "file too large (limit 4 MiB)"
                      : errno == ENOT_REGULAR ? "not a regular file"
                                              : strerror(errno));
        return;
    }
    if (opened)
        *opened = 1;
    parse_lines(&fs, fd);
    close(fd);
    LIST_FOR(struct str_item, inc, &fs.includes)
    {
        parse_include(st, inc, depth + 1);
    }
}

/* ---- the API --------------------------------------------------------------- */

static void parse_emit_nothing(struct diag *d, const char *line, size_t len)
{
}

struct config *config_load(const char *path, struct diag *d)
{
    struct diag quiet = {parse_emit_nothing, NULL, 0};
    struct arena *a = arena_new();
    struct load_state st = {.d = d ? d : &quiet};
    int opened = 0;

    if (!a || !(st.cfg = arena_alloc(a, sizeof(*st.cfg)))) {
        config_report(&st, NULL, path, 0, "out of memory");
        arena_free(a);
        return NULL;
    }
    st.cfg->arena = a;
    st.cfg->shutdown_timeout_ms = 10000;
    st.cfg->watchdog_timeout_ms = 15000;
    st.cfg->socket = CONTROL_DEFAULT_SOCKET;
    st.cfg->log_buffer = 64 << 10;
    st.cfg->path = arena_strdup(a, path);
    parse_file(&st, path, 0, &opened);
    if (!opened) {
        arena_free(a);
        return NULL;
    }
    config_validate(&st);
    return st.cfg;
}

void config_free(struct config *c)
{
    if (c)
        arena_free(c->arena);
}

struct svc_conf *config_find(const struct config *c, const char *name)
{
    for (int i = 0; i < c->n_services; i++)
        if (!strcmp(c->services[i]->name, name))
            return c->services[i];
    return NULL;
}

const struct bridge_conf *config_find_bridge(const struct config *c, const char *name)
{
    for (int i = 0; i < c->n_bridges; i++)
        if (!strcmp(c->bridges[i].name, name))
            return &c->bridges[i];
    return NULL;
}
