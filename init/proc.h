/* Finding the processes left behind: every descendant of nsinit. */
#ifndef NSINIT_PROC_H
#define NSINIT_PROC_H
#include <sys/types.h>

/* Sends sig to every descendant of the calling process (kill(-1) when it
 * is PID 1 of its namespace, a walk of /proc otherwise). Returns how many
 * processes were signalled. */
int proc_signal_descendants(int sig);

/* The parent of pid (as /proc shows it), or -1 when it is gone. */
pid_t proc_parent(pid_t pid);

#endif
