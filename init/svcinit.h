/* init = yes: nsinit's own code as PID 1 of a service's pid namespace,
 * in the process clone() made (no file is exec'd for it, so nothing is
 * needed inside the service's root). It forks the command (PID 2),
 * forwards every signal to it, reaps every orphan of the namespace, and
 * exits with the command's status. */
#ifndef NSINIT_SVCINIT_H
#define NSINIT_SVCINIT_H
#include <sys/types.h>

/* Forks with every signal blocked in the parent: returns 0 in the child
 * (the command, signals as before), the child's pid, or -1. */
pid_t svcinit_fork(void);
/* The parent's side from then on; keep: the fd N of ready = fd:N (-1 for
 * none), which is the command's alone. */
void svcinit_run(pid_t cmd, int keep) __attribute__((noreturn));

#endif
