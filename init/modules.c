/* Kernel modules for boot mode, loaded the way modprobe would load them:
 * names resolved through modules.alias, softdeps from modules.softdep,
 * dependencies from modules.dep (deepest first), built-in modules counted
 * as loaded, '-' and '_' alike. The image's index files are mapped read-only
 * for the duration of one call; no modprobe binary is involved. */
#include "modules.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "fmt.h"
#include "log.h"

#define MODULE_INIT_COMPRESSED_FILE 4
#define MOD_DEPTH_MAX 16 /* a dependency chain longer than this is a loop */
/* Lookups per named module: a name listed twice (alias a b, alias a b) is
 * tried twice at each level, so a loop of them grows exponentially within
 * the depth limit and would hang the boot; a real module needs dozens. */
#define MOD_STEPS_MAX 512

struct text {
    const char *p;
    size_t n;
};

enum { IDX_DEP, IDX_ALIAS, IDX_SOFTDEP, IDX_BUILTIN, IDX_N };
static const char *const idx_files[IDX_N] = {"modules.dep", "modules.alias", "modules.softdep",
                                             "modules.builtin"};
static struct text idx[IDX_N];
static char moddir[128];
static unsigned mod_steps; /* left for this named module */

static void text_map(struct text *t, const char *name)
{
    char path[192];
    struct stat st;
    int fd;

    t->p = NULL;
    t->n = 0;
    fmt(path, sizeof(path), "%s/%s", moddir, name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            t->p = p;
            t->n = (size_t)st.st_size;
        }
    }
    close(fd);
}

/* The next line of t from *pos, without its newline. */
static bool text_line(const struct text *t, size_t *pos, struct text *line)
{
    const char *nl;

    if (*pos >= t->n)
        return false;
    line->p = t->p + *pos;
    nl = memchr(line->p, '\n', t->n - *pos);
    line->n = nl ? (size_t)(nl - line->p) : t->n - *pos;
    *pos += line->n + 1;
    return true;
}

/* The next blank-separated word of line, consumed. */
static bool text_word(struct text *line, struct text *w)
{
    while (line->n && (*line->p == ' ' || *line->p == '\t')) {
        line->p++;
        line->n--;
    }
    w->p = line->p;
    while (line->n && *line->p != ' ' && *line->p != '\t') {
        line->p++;
        line->n--;
    }
    w->n = (size_t)(line->p - w->p);
    return w->n > 0;
}

static bool same_name(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
        if (x != y)
            return false;
    }
    return true;
}

/* The module name of a path: its base name up to the first '.'. */
static bool path_name(struct text path, char *name, size_t size)
{
    const char *base = path.p, *end = path.p + path.n;

    for (const char *q = path.p; q < end; q++)
        if (*q == '/')
            base = q + 1;
    const char *dot = memchr(base, '.', (size_t)(end - base));
    size_t n = (size_t)((dot ? dot : end) - base);
    if (n == 0 || n >= size)
        return false;
    memcpy(name, base, n);
    name[n] = '\0';
    return true;
}

/* "kernel/fs/ext4/ext4.ko[.xz]" names module ext4? */
static bool path_is(struct text path, const char *name)
{
    char base[64];

    return path_name(path, base, sizeof(base)) &&
           same_name(base, strlen(base), name, strlen(name));
}

/* The modules.dep line of name ("PATH: DEP..."). */
static bool dep_line(const char *name, struct text *line)
{
    size_t pos = 0;
    struct text w;

    while (text_line(&idx[IDX_DEP], &pos, line)) {
        struct text rest = *line;
        if (text_word(&rest, &w) && w.p[w.n - 1] == ':') {
            w.n--;
            if (path_is(w, name))
                return true;
        }
    }
    return false;
}

static bool is_builtin(const char *name)
{
    size_t pos = 0;
    struct text line;

    while (text_line(&idx[IDX_BUILTIN], &pos, &line))
        if (path_is(line, name))
            return true;
    return false;
}

/* Loaded already (or built in with a /sys/module entry)? */
static bool is_loaded(const char *name)
{
    char path[96];
    struct stat st;
    size_t n = fmt(path, sizeof(path), "/sys/module/%s", name);

    for (size_t i = 12; i < n; i++)
        if (path[i] == '-')
            path[i] = '_';
    return stat(path, &st) == 0;
}

static int load_one(const char *name, int depth);

/* softdep NAME pre: A B post: C — the words after `which` ("pre:" or
 * "post:") up to the other keyword. */
static void softdeps(const char *name, const char *which, int depth)
{
    size_t pos = 0;
    struct text line, w;
    char mod[64];

    while (text_line(&idx[IDX_SOFTDEP], &pos, &line)) {
        if (!text_word(&line, &w) || !same_name(w.p, w.n, "softdep", 7) ||
            !text_word(&line, &w) || !same_name(w.p, w.n, name, strlen(name)))
            continue;
        bool on = false;
        while (text_word(&line, &w)) {
            if (w.n && w.p[w.n - 1] == ':')
                on = same_name(w.p, w.n, which, strlen(which));
            else if (on && w.n < sizeof(mod)) {
                memcpy(mod, w.p, w.n);
                mod[w.n] = '\0';
                load_one(mod, depth + 1); /* soft: a miss is no failure */
            }
        }
    }
}

static int insert(struct text path)
{
    char file[256];
    int fd, r, flags = 0;

    /* depmod writes paths relative to the directory, or absolute. */
    if (fmt(file, sizeof(file), "%s/", path.p[0] == '/' ? "" : moddir) + path.n >=
        sizeof(file)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strncat(file, path.p, path.n);
    if (path.p[path.n - 1] != 'o') /* .ko.xz, .ko.zst, .ko.gz */
        flags = MODULE_INIT_COMPRESSED_FILE;
    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    r = (int)syscall(SYS_finit_module, fd, "", flags);
    int e = errno;
    close(fd);
    errno = e;
    return r < 0 && errno != EEXIST ? -1 : 0;
}

/* An alias loads every module it names, as modprobe does. */
static int load_alias(const char *name, int depth)
{
    struct text line, w;
    char mod[64];
    size_t pos = 0;
    bool any = false;

    while (text_line(&idx[IDX_ALIAS], &pos, &line))
        if (text_word(&line, &w) && same_name(w.p, w.n, "alias", 5) &&
            text_word(&line, &w) && same_name(w.p, w.n, name, strlen(name)) &&
            text_word(&line, &w) && path_name(w, mod, sizeof(mod)))
            any |= load_one(mod, depth + 1) == 0;
    if (!any)
        errno = ENOENT;
    return any ? 0 : -1;
}

/* Name with its softdeps and its dependencies, each one by name so that
 * its own softdeps count too. */
static int load_one(const char *name, int depth)
{
    struct text line, path;
    char dep[64];

    if (depth > MOD_DEPTH_MAX || !mod_steps) {
        errno = ELOOP;
        return -1;
    }
    mod_steps--;
    if (is_loaded(name) || is_builtin(name))
        return 0;
    if (!dep_line(name, &line))
        return load_alias(name, depth);
    softdeps(name, "pre:", depth);
    text_word(&line, &path);
    path.n--; /* the ':' */
    /* modules.dep lists users before what they use: load from the end. */
    for (size_t end = line.n; end > 0;) {
        size_t start = end;
        while (start > 0 && line.p[start - 1] != ' ')
            start--;
        struct text d = {line.p + start, end - start};
        end = start > 0 ? start - 1 : 0;
        if (d.n && path_name(d, dep, sizeof(dep)) && load_one(dep, depth + 1) < 0) {
            log_error("module %s needs %s: %s", name, dep, strerror(errno));
            return -1;
        }
    }
    if (insert(path) < 0)
        return -1;
    softdeps(name, "post:", depth);
    return 0;
}

void modules_load(const struct list *names)
{
    struct utsname u;

    if (!names->count)
        return;
    if (uname(&u) < 0 ||
        fmt(moddir, sizeof(moddir), "/lib/modules/%s", u.release) >= sizeof(moddir) - 1) {
        log_error("modules: %s", strerror(errno));
        return;
    }
    for (int i = 0; i < IDX_N; i++)
        text_map(&idx[i], idx_files[i]);
    LIST_FOR(struct str_item, m, names)
        if ((mod_steps = MOD_STEPS_MAX) && load_one(m->s, 0) < 0)
            log_error("module %s: %s", m->s,
                      errno == ENOENT ? "not found (modules.dep, modules.alias)"
                                      : strerror(errno));
    for (int i = 0; i < IDX_N; i++)
        if (idx[i].p)
            munmap((void *)idx[i].p, idx[i].n);
}
