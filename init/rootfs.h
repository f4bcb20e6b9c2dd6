/* Boot mode from an initramfs: / made a mount with a parent, so that
 * pivot_root works for services. */
#ifndef NSINIT_ROOTFS_H
#define NSINIT_ROOTFS_H
#include <stdbool.h>

/* / is the kernel's rootfs (an initramfs, not yet switched from)? */
bool rootfs_is_initramfs(void);
/* Makes / a bind mount of the rootfs on top of itself; call before anything
 * else is mounted. 0, or -1 with errno. */
int rootfs_rebind(void);

#endif
