/* The file-system view of a service: mount propagation, its `mount =` lines,
 * pivot_root into `root =` and a minimal /dev. */
#ifndef NSINIT_MOUNTS_H
#define NSINIT_MOUNTS_H
#include "config.h"
#include "step.h"

/* Child side, in its new mount namespace (CLONE_NEWNS in s->ns_flags; a
 * service without one may have no mounts and no root: EINVAL). Makes /
 * MS_REC|MS_PRIVATE, then each `mount =` in order. With s->root: bind the
 * root onto itself, every mount except proc/sysfs under it, pivot_root,
 * proc and sysfs (while the old root is still attached: a user namespace
 * may only mount a fresh proc while a full one is visible), detach the old
 * root, chdir("/"). Bind sources are host paths. Run it after idmap_enter
 * and timens_setup, before anything that needs the service's own view. */
int mounts_setup(const struct svc_conf *s, struct step *st);

/* The pre-5.12 way to make a bind mount read-only: a remount that restates
 * the flags the kernel locks in a user namespace (read with statvfs).
 * mounts_setup uses it when mount_setattr() is missing; exposed for tests. */
int mounts_remount_ro(const char *path);

#endif
