/* Reads /etc/passwd and /etc/group the way NSS "files" would, with fixed
 * buffers: lines are split on ':' in place, anything malformed, over-long
 * or containing a NUL byte is skipped rather than trusted. */
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

struct span {
    const char *p;
    size_t n;
};

/* Returns how many fields were found; the last one takes the rest. */
static int pw_split(const char *line, size_t len, struct span *f, int max)
{
    const char *end = line + len;
    int n = 0;

    while (n < max) {
        const char *c = n == max - 1 ? NULL : memchr(line, ':', (size_t)(end - line));

        f[n].p = line;
        f[n].n = c ? (size_t)(c - line) : (size_t)(end - line);
        n++;
        if (!c)
            break;
        line = c + 1;
    }
    return n;
}

static int pw_copy(char *dst, size_t size, struct span s)
{
    if (s.n >= size)
        return -1;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 0;
}

int passwd_parse_id(const char *s, size_t len, unsigned *id)
{
    uint64_t v = 0;

    if (len == 0 || len > 10)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v >= UINT32_MAX)
        return -1;
    *id = (unsigned)v;
    return 0;
}

/* Comments, blank lines, NIS "+"/"-" entries and embedded NULs. */
static bool pw_line_ignored(const char *line, size_t len)
{
    return len == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-' ||
           memchr(line, '\0', len) != NULL;
}

int passwd_parse_user_line(const char *line, size_t len, struct pw_user *u)
{
    struct span f[7];
    unsigned uid, gid;

    if (pw_line_ignored(line, len) || pw_split(line, len, f, 7) < 6 || f[0].n == 0)
        return -1;
    if (passwd_parse_id(f[2].p, f[2].n, &uid) < 0 ||
        passwd_parse_id(f[3].p, f[3].n, &gid) < 0)
        return -1;
    if (pw_copy(u->name, sizeof(u->name), f[0]) < 0 ||
        pw_copy(u->home, sizeof(u->home), f[5]) < 0)
        return -1;
    u->uid = uid;
    u->gid = gid;
    return 0;
}

int passwd_parse_group_line(const char *line, size_t len, struct pw_group *g)
{
    struct span f[4];
    unsigned gid;
    int n;

    if (pw_line_ignored(line, len))
        return -1;
    n = pw_split(line, len, f, 4);
    if (n < 3 || f[0].n == 0 || passwd_parse_id(f[2].p, f[2].n, &gid) < 0 ||
        pw_copy(g->name, sizeof(g->name), f[0]) < 0)
        return -1;
    g->gid = gid;
    g->members = n == 4 ? f[3].p : line + len;
    g->members_len = n == 4 ? f[3].n : 0;
    return 0;
}

bool passwd_members_include(const char *members, size_t len, const char *user)
{
    size_t ulen = strlen(user);
    const char *end = members + len;

    if (ulen == 0)
        return false;
    while (members < end) {
        const char *c = memchr(members, ',', (size_t)(end - members));
        size_t n = c ? (size_t)(c - members) : (size_t)(end - members);

        if (n == ulen && memcmp(members, user, n) == 0)
            return true;
        if (!c)
            break;
        members = c + 1;
    }
    return false;
}

/* ---- scanning: the same per-line callbacks over a buffer or a file ---- */

/* Returns true to stop the scan. */
typedef bool (*pw_line_fn)(const char *line, size_t len, void *ctx);

static void pw_scan_buf(const char *buf, size_t len, pw_line_fn fn, void *ctx)
{
    const char *end = buf + len;

    while (buf < end) {
        const char *nl = memchr(buf, '\n', (size_t)(end - buf));
        size_t n = nl ? (size_t)(nl - buf) : (size_t)(end - buf);

        if (n < PW_LINE_MAX && fn(buf, n, ctx))
            return;
        buf += n + 1;
    }
}

static ssize_t pw_read(int fd, char *buf, size_t size)
{
    ssize_t n;

    do
        n = read(fd, buf, size);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Feeds every complete line in buf[0..*have) to fn and keeps the rest.
 * *skip: we are inside a line too long to keep, dropped up to its '\n'. */
static bool pw_feed(char *buf, size_t *have, bool *skip, pw_line_fn fn, void *ctx)
{
    size_t start = 0;
    char *nl;

    while ((nl = memchr(buf + start, '\n', *have - start)) != NULL) {
        size_t n = (size_t)(nl - (buf + start));
        bool stop = !*skip && fn(buf + start, n, ctx);

        *skip = false;
        start += n + 1;
        if (stop)
            return true;
    }
    memmove(buf, buf + start, *have - start);
    *have -= start;
    if (*have == PW_LINE_MAX) {
        *skip = true;
        *have = 0;
    }
    return false;
}

static int pw_scan_file(const char *path, pw_line_fn fn, void *ctx)
{
    char buf[PW_LINE_MAX];
    size_t have = 0;
    bool skip = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t n = pw_read(fd, buf + have, sizeof(buf) - have);

        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        have += (size_t)n;
        if (pw_feed(buf, &have, &skip, fn, ctx)) {
            close(fd);
            return 0;
        }
    }
    if (have > 0 && !skip)
        fn(buf, have, ctx); /* last line without '\n' */
    close(fd);
    return 0;
}

/* ---- lookups ---- */

struct pw_key {
    const char *key;
    bool numeric;
    unsigned id;
    int found; /* 0 none, 1 by id, 2 by name */
};

static void pw_key_init(struct pw_key *k, const char *key)
{
    k->key = key;
    k->numeric = passwd_parse_id(key, strlen(key), &k->id) == 0;
    k->found = 0;
}

/* Records a match; true when it is final (by name). */
static bool pw_key_match(struct pw_key *k, const char *name, unsigned id, bool *take)
{
    *take = false;
    if (strcmp(name, k->key) == 0) {
        *take = true;
        k->found = 2;
        return true;
    }
    if (k->numeric && id == k->id && k->found == 0) {
        *take = true;
        k->found = 1;
    }
    return false;
}

struct pw_user_ctx {
    struct pw_key k;
    struct pw_user *out;
};

static bool pw_user_line(const char *line, size_t len, void *ctx)
{
    struct pw_user_ctx *c = ctx;
    struct pw_user u;
    bool take, stop;

    if (passwd_parse_user_line(line, len, &u) < 0)
        return false;
    stop = pw_key_match(&c->k, u.name, u.uid, &take);
    if (take)
        *c->out = u;
    return stop;
}

struct pw_group_ctx {
    struct pw_key k;
    gid_t *out;
};

static bool pw_group_line(const char *line, size_t len, void *ctx)
{
    struct pw_group_ctx *c = ctx;
    struct pw_group g;
    bool take, stop;

    if (passwd_parse_group_line(line, len, &g) < 0)
        return false;
    stop = pw_key_match(&c->k, g.name, g.gid, &take);
    if (take)
        *c->out = g.gid;
    return stop;
}

int passwd_find_user(const char *buf, size_t len, const char *key, struct pw_user *u)
{
    struct pw_user_ctx c = {.out = u};

    pw_key_init(&c.k, key);
    pw_scan_buf(buf, len, pw_user_line, &c);
    return c.k.found ? 0 : 1;
}

int passwd_lookup_user(const char *path, const char *key, struct pw_user *u)
{
    struct pw_user_ctx c = {.out = u};

    pw_key_init(&c.k, key);
    if (pw_scan_file(path, pw_user_line, &c) < 0)
        return -1;
    return c.k.found ? 0 : 1;
}

int passwd_find_group(const char *buf, size_t len, const char *key, gid_t *gid)
{
    struct pw_group_ctx c = {.out = gid};

    pw_key_init(&c.k, key);
    pw_scan_buf(buf, len, pw_group_line, &c);
    return c.k.found ? 0 : 1;
}

int passwd_lookup_group(const char *path, const char *key, gid_t *gid)
{
    struct pw_group_ctx c = {.out = gid};

    pw_key_init(&c.k, key);
    if (pw_scan_file(path, pw_group_line, &c) < 0)
        return -1;
    return c.k.found ? 0 : 1;
}

struct pw_groups_ctx {
    const char *user;
    gid_t *groups;
    int n, max;
    bool overflow;
};

static bool pw_groups_add(struct pw_groups_ctx *c, gid_t gid)
{
    for (int i = 0; i < c->n; i++)
        if (c->groups[i] == gid)
            return false;
    if (c->n == c->max) {
        c->overflow = true;
        return true;
    }
    c->groups[c->n++] = gid;
    return false;
}

static bool pw_groups_line(const char *line, size_t len, void *ctx)
{
    struct pw_groups_ctx *c = ctx;
    struct pw_group g;

    if (passwd_parse_group_line(line, len, &g) < 0 ||
        !passwd_members_include(g.members, g.members_len, c->user))
        return false;
    return pw_groups_add(c, g.gid);
}

static int pw_groups_result(struct pw_groups_ctx *c)
{
    if (c->overflow) {
        errno = E2BIG;
        return -1;
    }
    return c->n;
}

int passwd_user_groups(const char *buf, size_t len, const char *user, gid_t primary,
                       gid_t *groups, int max)
{
    struct pw_groups_ctx c = {.user = user, .groups = groups, .max = max};

    if (max < 1) {
        errno = E2BIG;
        return -1;
    }
    pw_groups_add(&c, primary);
    pw_scan_buf(buf, len, pw_groups_line, &c);
    return pw_groups_result(&c);
}

int passwd_lookup_user_groups(const char *path, const char *user, gid_t primary,
                              gid_t *groups, int max)
{
    struct pw_groups_ctx c = {.user = user, .groups = groups, .max = max};

    if (max < 1) {
        errno = E2BIG;
        return -1;
    }
    pw_groups_add(&c, primary);
    if (pw_scan_file(path, pw_groups_line, &c) < 0)
        return -1;
    return pw_groups_result(&c);
}
