/* Helpers for the tests that need root: children that unshare what they
 * need (always a private mount namespace first, so that nothing reaches the
 * host's mount table), checks that report the failing line from inside a
 * child, small file helpers, a scratch directory per group of cases, and
 * hand-built svc_conf lists. */
#ifndef TESTLIB_H
#define TESTLIB_H
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"

/* In a child: print what failed and return 1 (the child's exit status). */
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: child check failed: %s (errno %d: %s)\n", __FILE__,  \
                    __LINE__, #cond, errno, strerror(errno));                            \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

#define SKIP_UNLESS_ROOT()                                                               \
    do {                                                                                 \
        if (geteuid() != 0) {                                                            \
            fprintf(stderr, "SKIP: needs root\n");                                       \
            skip();                                                                      \
        }                                                                                \
    } while (0)

static inline void tl_mount(struct svc_conf *s, struct mount_item *m,
                            enum mount_kind kind, const char *src, const char *dst,
                            const char *opts, bool ro)
{
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    m->src = src;
    m->dst = dst;
    m->opts = opts;
    m->ro = ro;
    list_append(&s->mounts, &m->it);
}

static inline void tl_idmap(struct list *l, struct idmap_item *m, uint32_t inside,
                            uint32_t outside, uint32_t count)
{
    memset(m, 0, sizeof(*m));
    m->inside = inside;
    m->outside = outside;
    m->count = count;
    list_append(l, &m->it);
}

/* The IPv4 address a.b.c.d as the config holds it: in network byte order. */
static inline uint32_t tl_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    uint8_t q[4] = {a, b, c, d};
    uint32_t v;

    memcpy(&v, q, 4);
    return v;
}

/* Waits for pid; returns its exit status, or 128+N when killed by N. */
static inline int tl_wait(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* Runs fn(arg) in a forked child that first unshares CLONE_NEWNS | flags
 * and makes / private; returns the child's exit status (0: all checks
 * passed). */
static inline int tl_run_child(int flags, int (*fn)(void *), void *arg)
{
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (unshare(CLONE_NEWNS | flags) < 0) {
            perror("unshare");
            _exit(100);
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            perror("make / private");
            _exit(101);
        }
        _exit(fn(arg));
    }
    return tl_wait(pid);
}

/* struct clone_args, version 0 (64 bytes): <linux/sched.h> clashes with
 * <sched.h>. Returns 0 in the child, like fork(). */
static inline pid_t tl_clone3(uint64_t flags)
{
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    } args = {.flags = flags, .exit_signal = SIGCHLD};

    fflush(NULL);
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Is path a mount point in the caller's mount namespace? */
static inline int tl_has_mount(const char *mountinfo, const char *path)
{
    char line[4096];
    FILE *f = fopen(mountinfo, "re");
    int found = 0;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char point[4096];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
            strcmp(point, path) == 0)
            found = 1;
    }
    fclose(f);
    return found;
}

/* Is point one of allowed (NULL-ended)? An entry ending in '*' allows
 * every point that starts with what comes before it. */
static inline int tl_mount_allowed(const char *point, const char *const *allowed)
{
    for (const char *const *a = allowed; *a; a++) {
        size_t len = strlen(*a);
        if (len && (*a)[len - 1] == '*' ? strncmp(point, *a, len - 1) == 0
                                        : strcmp(point, *a) == 0)
            return 1;
    }
    return 0;
}

/* Every mount point the caller sees must be one of allowed: nothing of the
 * host's tree (its /, /proc, /sys, /dev...) may be left. Prints each other
 * one; 0 when there was one (or mountinfo cannot be read). */
static inline int tl_only_these_mounts(const char *const *allowed)
{
    char line[4096];
    FILE *f = fopen("/proc/self/mountinfo", "re");
    int ok = 1;

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        char point[4096];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
            continue;
        if (!tl_mount_allowed(point, allowed)) {
            fprintf(stderr, "unexpected mount: %s", line);
            ok = 0;
        }
    }
    fclose(f);
    return ok;
}

/* A fresh directory under /tmp that a user namespace's root may enter. */
static inline void tl_tmpdir(char *buf, size_t size, const char *what)
{
    snprintf(buf, size, "/tmp/nsinit-%s-XXXXXX", what);
    if (!mkdtemp(buf) || chmod(buf, 0755) < 0) {
        perror("mkdtemp");
        abort();
    }
}

static inline int tl_rm_one(const char *path, const struct stat *sb, int type,
                            struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

static inline void tl_rm_tree(const char *dir)
{
    nftw(dir, tl_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Defines tmp, the scratch directory of a group of cases
 * (/tmp/nsinit-what-XXXXXX), and the group's fixtures: setup_tmp makes it,
 * teardown_tmp removes it with all it holds. */
#define TL_TMP_GROUP(what)                                                               \
    static char tmp[256];                                                                \
    static int setup_tmp(void **state)                                                   \
    {                                                                                    \
        (void)state;                                                                     \
        tl_tmpdir(tmp, sizeof(tmp), what);                                               \
        return 0;                                                                        \
    }                                                                                    \
    static int teardown_tmp(void **state)                                                \
    {                                                                                    \
        (void)state;                                                                     \
        tl_rm_tree(tmp);                                                                 \
        return 0;                                                                        \
    }

static inline int tl_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static inline int tl_read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

#endif
