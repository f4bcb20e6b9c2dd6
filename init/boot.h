/* Boot mode: nsinit as the first process of a machine. */
#ifndef NSINIT_BOOT_H
#define NSINIT_BOOT_H
#include "runtime.h"

/* `nsinit` as PID 1 without arguments: early set-up, then supervise
 * /etc/nsinit.conf forever. */
int boot_main(void);
/* The last step of a shutdown: sync, unmount, reboot(2) from a child.
 * Returns only when the kernel refuses (a container): then PID 1 exits. */
void boot_end(enum ending how);

#endif
