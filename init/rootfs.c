/* An initramfs is the kernel's rootfs, and pivot_root(2) refuses to move
 * away from the rootfs (it has no parent mount): a service with `root =`
 * could not start in a VM booted from one. So boot mode makes / a bind
 * mount of the rootfs over the rootfs itself, as switch_root moves a real
 * root over it: the same files, no copy, and a root with a parent. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

#define ROOT_BIND "/.nsinit-root"

bool rootfs_is_initramfs(void)
{
    char buf[256];
    char *sp;

    /* The first line of /proc/self/mounts: "rootfs / rootfs ..." */
    return file_read(AT_FDCWD, "/proc/self/mounts", buf, sizeof(buf)) > 0 &&
           (sp = strchr(buf, ' ')) && !strncmp(sp, " / rootfs ", 10);
}

int rootfs_rebind(void)
{
    if ((mkdir(ROOT_BIND, 0700) < 0 && errno != EEXIST) ||
        mount("/", ROOT_BIND, NULL, MS_BIND, NULL) < 0 || chdir(ROOT_BIND) < 0 ||
        mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return -1;
    rmdir(ROOT_BIND); /* the bind shows the empty mount point too */
    return 0;
}
