/* Builds a service's mount namespace in the child: private propagation, the
 * `mount =` lines in order, a minimal /dev, and pivot_root into `root =` with
 * the old root detached so that the service cannot reach the host's tree. */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442 /* the same number on every architecture */
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define MOUNTS_ATTR_RDONLY 0x1 /* MOUNT_ATTR_RDONLY: <linux/mount.h> clashes */

/* struct mount_attr of mount_setattr(2), version 0. */
struct mounts_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* Which `mount =` lines a pass handles: with a root, proc and sysfs wait
 * until after pivot_root (they must belong to the new root and the kernel
 * lets a user namespace mount them only while the old proc is visible). */
enum mounts_pass { MOUNTS_ALL, MOUNTS_BEFORE_PIVOT, MOUNTS_AFTER_PIVOT };

/* Where a mount goes: `path` is what the kernel is given; prefix + path is
 * the same place as the host sees it, for step names (after pivot_root the
 * prefix is the root). */
struct mounts_where {
    char path[PATH_MAX];
    const char *prefix;
};

static int mounts_join(char *out, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    while (la > 0 && a[la - 1] == '/')
        la--;
    if (la + lb + 1 > PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(out, a, la);
    memcpy(out + la, b, lb + 1);
    return 0;
}

/* mkdir -p. The usual target already exists: one stat(). Otherwise every
 * component is tried with mkdir(), EEXIST being fine. */
static int mounts_mkdir_p(const struct mounts_where *w, struct step *st)
{
    char buf[PATH_MAX];
    struct stat sb;

    if (stat(w->path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    memcpy(buf, w->path, strlen(w->path) + 1);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
            STEP_NAME(st, "mkdir %s%s", w->prefix, buf);
            return -1;
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

/* Bind targets for files (device nodes, single files) are empty files. */
static int mounts_touch(const struct mounts_where *w, struct step *st)
{
    struct mounts_where parent;
    char *slash;
    int fd;

    if (access(w->path, F_OK) == 0)
        return 0;
    parent = *w;
    slash = strrchr(parent.path, '/');
    if (slash && slash != parent.path) {
        *slash = '\0';
        if (mounts_mkdir_p(&parent, st) < 0)
            return -1;
    }
    STEP_NAME(st, "create %s%s", w->prefix, w->path);
    fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    close(fd);
    return 0;
}

/* tmpfs OPTS: the flag words become MS_* flags, the rest stays mount data. */
static int mounts_tmpfs_opts(const char *opts, unsigned long *flags, char *data,
                             size_t size)
{
    static const struct {
        char word[8];
        unsigned long flag;
    } words[] = {
        {"ro", MS_RDONLY},
        {"nosuid", MS_NOSUID},
        {"nodev", MS_NODEV},
        {"noexec", MS_NOEXEC},
    };
    size_t used = 0;

    *flags = 0;
    data[0] = '\0';
    for (const char *p = opts; p && *p;) {
        size_t n = strcspn(p, ",");
        size_t i;

        for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strlen(words[i].word) == n && memcmp(words[i].word, p, n) == 0)
                break;
        if (i < sizeof(words) / sizeof(words[0])) {
            *flags |= words[i].flag;
        } else if (n > 0) {
            if (used + n + 2 > size) {
                errno = E2BIG;
                return -1;
            }
            if (used > 0)
                data[used++] = ',';
            memcpy(data + used, p, n);
            used += n;
            data[used] = '\0';
        }
        p += n + (p[n] == ',');
    }
    return 0;
}

static int mounts_tmpfs(const struct mount_item *m, const struct mounts_where *w,
                        struct step *st)
{
    char data[512];
    unsigned long flags;

    STEP_NAME(st, "mount tmpfs %s%s", w->prefix, w->path);
    if (mounts_tmpfs_opts(m->opts, &flags, data, sizeof(data)) < 0)
        return -1;
    if (mounts_mkdir_p(w, st) < 0)
        return -1;
    STEP_NAME(st, "mount tmpfs %s%s", w->prefix, w->path);
    return mount("tmpfs", w->path, "tmpfs", flags, data[0] ? data : NULL);
}

static unsigned long mounts_locked_flags(const struct statvfs *sv)
{
    static const struct {
        unsigned long st, ms;
    } map[] = {
        {ST_NOSUID, MS_NOSUID},         {ST_NODEV, MS_NODEV},
        {ST_NOEXEC, MS_NOEXEC},         {ST_NOATIME, MS_NOATIME},
        {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
    };
    unsigned long ms = 0;

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (sv->f_flag & map[i].st)
            ms |= map[i].ms;
    return ms;
}

/* In a user namespace the kernel refuses a remount that would clear a flag
 * the mount had when the namespace was made (nosuid, nodev, noexec, atime):
 * restate them. It only changes the top mount, not the ones below it. */
int mounts_remount_ro(const char *path)
{
    struct statvfs sv;

    if (statvfs(path, &sv) < 0)
        return -1;
    return mount(NULL, path, NULL,
                 MS_REMOUNT | MS_BIND | MS_RDONLY | mounts_locked_flags(&sv), NULL);
}

/* mount_setattr (5.12+) makes the whole bound tree read-only and touches no
 * other flag. Without it (ENOSYS, or EPERM from a seccomp filter that does
 * not know it) the remount does the top mount only. */
static int mounts_make_ro(const char *path)
{
    struct mounts_attr attr = {.attr_set = MOUNTS_ATTR_RDONLY};

    if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) ==
        0)
        return 0;
    if (errno != ENOSYS && errno != EPERM)
        return -1;
    return mounts_remount_ro(path);
}

static int mounts_bind(const struct mount_item *m, const struct mounts_where *w,
                       struct step *st)
{
    struct stat sb;
    int made;

    STEP_NAME(st, "bind %s %s%s", m->src, w->prefix, w->path);
    if (stat(m->src, &sb) < 0)
        return -1;
    made = S_ISDIR(sb.st_mode) ? mounts_mkdir_p(w, st) : mounts_touch(w, st);
    if (made < 0)
        return -1;
    STEP_NAME(st, "bind %s %s%s", m->src, w->prefix, w->path);
    if (mount(m->src, w->path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -1;
    if (!m->ro)
        return 0;
    STEP_NAME(st, "remount %s%s read-only", w->prefix, w->path);
    return mounts_make_ro(w->path);
}

static int mounts_kernfs(const struct mount_item *m, const struct mounts_where *w,
                         struct step *st)
{
    const char *type = m->kind == MOUNT_PROC ? "proc" : "sysfs";

    if (mounts_mkdir_p(w, st) < 0)
        return -1;
    STEP_NAME(st, "mount %s %s%s", type, w->prefix, w->path);
    return mount(type, w->path, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* ---- dev DIR ------------------------------------------------------------ */

/* Bound from the host: mknod is refused in a user namespace, and a node
 * created by a user namespace's root on its own tmpfs would not open. */
static const char *const mounts_dev_nodes[] = {
    "null", "zero", "full", "random", "urandom", "tty",
};
#define MOUNTS_DEV_NODES (sizeof(mounts_dev_nodes) / sizeof(mounts_dev_nodes[0]))

static const char *const mounts_dev_links[][2] = {
    {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},  {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

static int mounts_dev_sub(const struct mounts_where *dev, const char *name,
                          struct mounts_where *out)
{
    char rel[64];

    fmt(rel, sizeof(rel), "/%s", name);
    out->prefix = dev->prefix;
    return mounts_join(out->path, dev->path, rel);
}

/* The host nodes are opened (O_PATH) before the tmpfs goes up: `dev /dev`
 * without a root would hide them otherwise. They are bound through
 * /proc/self/fd, so /proc must be mounted (PID 1 mounts it at boot). */
static int mounts_dev_open_nodes(int *fds, struct step *st)
{
    char path[32];

    for (size_t i = 0; i < MOUNTS_DEV_NODES; i++) {
        fmt(path, sizeof(path), "/dev/%s", mounts_dev_nodes[i]);
        STEP_NAME(st, "open %s", path);
        fds[i] = open(path, O_PATH | O_CLOEXEC);
        if (fds[i] < 0)
            return -1;
    }
    return 0;
}

static int mounts_dev_bind_nodes(const struct mounts_where *dev, const int *fds,
                                 struct step *st)
{
    struct mounts_where node;
    char src[32];

    for (size_t i = 0; i < MOUNTS_DEV_NODES; i++) {
        STEP_NAME(st, "bind /dev/%s %s%s", mounts_dev_nodes[i], dev->prefix, dev->path);
        if (mounts_dev_sub(dev, mounts_dev_nodes[i], &node) < 0)
            return -1;
        if (mounts_touch(&node, st) < 0)
            return -1;
        fmt(src, sizeof(src), "/proc/self/fd/%d", fds[i]);
        STEP_NAME(st, "bind /dev/%s %s%s", mounts_dev_nodes[i], node.prefix, node.path);
        if (mount(src, node.path, NULL, MS_BIND, NULL) < 0)
            return -1;
    }
    return 0;
}

/* A mount under DIR: created directory, then the file system. */
static int mounts_dev_fs(const struct mounts_where *dev, const char *name,
                         const char *type, unsigned long flags, const char *data,
                         struct step *st)
{
    struct mounts_where sub;

    STEP_NAME(st, "mount %s %s%s/%s", type, dev->prefix, dev->path, name);
    if (mounts_dev_sub(dev, name, &sub) < 0)
        return -1;
    if (mounts_mkdir_p(&sub, st) < 0)
        return -1;
    STEP_NAME(st, "mount %s %s%s", type, sub.prefix, sub.path);
    return mount(type, sub.path, type, flags, data);
}

static int mounts_dev_links_make(const struct mounts_where *dev, struct step *st)
{
    struct mounts_where link;

    for (size_t i = 0; i < sizeof(mounts_dev_links) / sizeof(mounts_dev_links[0]); i++) {
        STEP_NAME(st, "symlink %s%s/%s", dev->prefix, dev->path, mounts_dev_links[i][0]);
        if (mounts_dev_sub(dev, mounts_dev_links[i][0], &link) < 0)
            return -1;
        if (symlink(mounts_dev_links[i][1], link.path) < 0)
            return -1;
    }
    return 0;
}

/* noexec: nothing in /dev is run; the bound nodes keep the host's own mount
 * flags, so mmap(PROT_EXEC) of /dev/zero is unaffected. */
static int mounts_dev_populate(const struct mounts_where *w, const int *fds,
                               struct step *st)
{
    if (mounts_mkdir_p(w, st) < 0)
        return -1;
    STEP_NAME(st, "mount dev tmpfs %s%s", w->prefix, w->path);
    if (mount("tmpfs", w->path, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
        return -1;
    if (mounts_dev_bind_nodes(w, fds, st) < 0)
        return -1;
    if (mounts_dev_fs(w, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
                      "newinstance,ptmxmode=0666,mode=0620", st) < 0)
        return -1;
    if (mounts_dev_fs(w, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777",
                      st) < 0)
        return -1;
    return mounts_dev_links_make(w, st);
}

static int mounts_dev(const struct mounts_where *w, struct step *st)
{
    int fds[MOUNTS_DEV_NODES];
    int rc, err;

    for (size_t i = 0; i < MOUNTS_DEV_NODES; i++)
        fds[i] = -1;
    rc = mounts_dev_open_nodes(fds, st);
    if (rc == 0)
        rc = mounts_dev_populate(w, fds, st);
    err = errno;
    for (size_t i = 0; i < MOUNTS_DEV_NODES; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    errno = err;
    return rc;
}

/* ---- the sequence -------------------------------------------------------- */

static int mounts_pass_wants(enum mounts_pass pass, enum mount_kind kind)
{
    int late = kind == MOUNT_PROC || kind == MOUNT_SYSFS;

    if (pass == MOUNTS_ALL)
        return 1;
    return pass == MOUNTS_AFTER_PIVOT ? late : !late;
}

/* After pivot_root the kernel is given dst itself; before it root + dst. */
static int mounts_where_for(const struct svc_conf *s, enum mounts_pass pass,
                            const char *dst, struct mounts_where *w)
{
    const char *root = s->root ? s->root : "";

    w->prefix = pass == MOUNTS_AFTER_PIVOT ? root : "";
    return mounts_join(w->path, pass == MOUNTS_AFTER_PIVOT ? "" : root, dst);
}

static int mounts_one(const struct mount_item *m, const struct mounts_where *w,
                      struct step *st)
{
    switch (m->kind) {
    case MOUNT_TMPFS:
        return mounts_tmpfs(m, w, st);
    case MOUNT_BIND:
        return mounts_bind(m, w, st);
    case MOUNT_DEV:
        return mounts_dev(w, st);
    case MOUNT_PROC:
    case MOUNT_SYSFS:
        return mounts_kernfs(m, w, st);
    }
    STEP_NAME(st, "mount %s%s: unknown kind", w->prefix, w->path);
    errno = EINVAL;
    return -1;
}

static int mounts_apply(const struct svc_conf *s, enum mounts_pass pass, struct step *st)
{
    struct mounts_where w;

    LIST_FOR(const struct mount_item, m, &s->mounts)
    {
        if (!mounts_pass_wants(pass, m->kind))
            continue;
        STEP_NAME(st, "mount %s%s", s->root ? s->root : "", m->dst);
        if (mounts_where_for(s, pass, m->dst, &w) < 0)
            return -1;
        if (mounts_one(m, &w, st) < 0)
            return -1;
    }
    return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one at "/",
 * which needs no put_old directory (the new root may be read-only); the
 * unmount of "." then removes the top one, the old root. */
static int mounts_pivot(const struct svc_conf *s, struct step *st)
{
    const char *root = s->root;

    STEP_NAME(st, "bind %s %s", root, root);
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -1;
    if (mounts_apply(s, MOUNTS_BEFORE_PIVOT, st) < 0)
        return -1;
    STEP_NAME(st, "chdir %s", root);
    if (chdir(root) < 0)
        return -1;
    STEP_NAME(st, "pivot_root %s", root);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return -1;
    if (mounts_apply(s, MOUNTS_AFTER_PIVOT, st) < 0)
        return -1;
    STEP_NAME(st, "detach the old root");
    if (umount2(".", MNT_DETACH) < 0)
        return -1;
    STEP_NAME(st, "chdir /");
    return chdir("/");
}

int mounts_setup(const struct svc_conf *s, struct step *st)
{
    if (!(s->ns_flags & CLONE_NEWNS)) {
        if (s->mounts.count == 0 && !s->root)
            return 0;
        /* Never change the mounts of the namespace we share with PID 1. */
        STEP_NAME(st, "mounts without a mount namespace");
        errno = EINVAL;
        return -1;
    }
    STEP_NAME(st, "make / private");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    if (s->root)
        return mounts_pivot(s, st);
    return mounts_apply(s, MOUNTS_ALL, st);
}
