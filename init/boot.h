/* Boot mode: nsinit as the first process of a machine. */
#ifndef NSINIT_BOOT_H
#define NSINIT_BOOT_H
#include <stdbool.h>

#include "runtime.h"

/* PID 1 of the first pid namespace: the init of a machine, not of a
 * container (and Ctrl-Alt-Del is now SIGINT). */
bool boot_is_machine(void);
/* `nsinit` as PID 1 without arguments, or a machine's PID 1 with the
 * kernel command line's words after "--" as cmd: early set-up, then
 * supervise /etc/nsinit.conf (and run cmd once its services started). */
int boot_main(char **cmd);
/* The last step of a shutdown: sync, unmount, reboot(2) from a child.
 * Returns only when the kernel refuses (a container): then PID 1 exits. */
void boot_end(enum ending how);

#endif
