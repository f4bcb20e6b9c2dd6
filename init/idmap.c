/* Writes a service's uid/gid maps from PID 1 and lets the child become the
 * root of its user namespace. The kernel takes each map in a single write of
 * at most one page, once, from a writer that has CAP_SETUID/CAP_SETGID over
 * the parent namespace (or a single line naming the writer's own id). */
#include "idmap.h"
#include "file.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

/* The kernel rejects a map write of PAGE_SIZE bytes or more; 4095 is the
 * smallest such limit on every architecture we build for. */
#define IDMAP_BUF 4096

static int idmap_write_file(pid_t child, const char *name, const char *buf, size_t len)
{
    char path[64];

    fmt(path, sizeof(path), "/proc/%d/%s", (int)child, name);
    return file_write(AT_FDCWD, path, buf, len);
}

/* "INSIDE OUTSIDE COUNT\n" per item, all in one buffer. */
static int idmap_format(const struct list *maps, char *buf, size_t size, size_t *len)
{
    size_t used = 0;

    LIST_FOR(const struct idmap_item, m, maps)
    {
        char line[40];
        size_t n = fmt(line, sizeof(line), "%u %u %u\n", m->inside, m->outside, m->count);
        if (used + n >= size) {
            errno = E2BIG;
            return -1;
        }
        memcpy(buf + used, line, n);
        used += n;
    }
    *len = used;
    return 0;
}

/* A user namespace without a map would leave the service unmapped: nobody
 * inside, yet still host root to the file system. Without map lines root
 * inside is mapped to nobody (65534) outside instead: no privilege leaks. */
static struct idmap_item nobody_item = {{NULL, NULL, 0}, 0, 65534, 1};
static const struct list nobody_map = {&nobody_item.it, &nobody_item.it, 1};

static const struct list *idmap_effective(const struct list *maps)
{
    return maps->count ? maps : &nobody_map;
}

static int idmap_write_one(pid_t child, const struct list *maps, const char *name,
                           struct step *st)
{
    char buf[IDMAP_BUF];
    size_t len;

    maps = idmap_effective(maps);
    STEP_NAME(st, "write /proc/%d/%s", (int)child, name);
    if (idmap_format(maps, buf, sizeof(buf), &len) < 0)
        return -1;
    if (idmap_write_file(child, name, buf, len) == 0)
        return 0;
    /* Without CAP_SETGID over the parent namespace the kernel accepts a
     * gid_map only after setgroups is denied for good (user_namespaces(7)).
     * PID 1 as root has it, so "deny" is written only when the kernel has
     * just told us it is needed: the service keeps setgroups() otherwise. */
    if (errno != EPERM || strcmp(name, "gid_map") != 0)
        return -1;
    if (idmap_write_file(child, "setgroups", "deny", 4) < 0) {
        errno = EPERM;
        return -1;
    }
    return idmap_write_file(child, name, buf, len);
}

int idmap_write(pid_t child, const struct svc_conf *s, struct step *st)
{
    if (!(s->ns_flags & CLONE_NEWUSER))
        return 0;
    if (idmap_write_one(child, &s->uid_maps, "uid_map", st) < 0)
        return -1;
    return idmap_write_one(child, &s->gid_maps, "gid_map", st);
}

int idmap_become_root(struct step *st)
{
    /* The host's supplementary groups would still grant access to
     * group-owned host files. EPERM means setgroups was denied (see
     * idmap_write_one): the kernel then keeps them and so must we. */
    STEP_NAME(st, "setgroups");
    if (sys_setgroups(0, NULL) < 0 && errno != EPERM)
        return -1;
    /* EINVAL: 0 is not mapped, there is no root to be. */
    STEP_NAME(st, "setresgid 0");
    if (sys_setresgid(0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    STEP_NAME(st, "setresuid 0");
    if (sys_setresuid(0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    return 0;
}

int idmap_enter(const struct svc_conf *s, struct step *st)
{
    if (!(s->ns_flags & CLONE_NEWUSER))
        return 0;
    return idmap_become_root(st);
}
