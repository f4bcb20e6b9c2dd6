/* File descriptors nsinit inherited: 0-2 always exist, those passed on
 * purpose (--preserve-fds, socket activation) go to the command, the rest
 * are closed before anything else happens. */
#ifndef NSINIT_FDS_H
#define NSINIT_FDS_H
#include <stdbool.h>
#include <sys/types.h>

/* How many fds from 3 up the command gets: the larger of --preserve-fds
 * and LISTEN_FDS when LISTEN_PID names us. *activation says whether the
 * LISTEN_PID must be rewritten for the command. Pure: env and pid given. */
int fds_kept(int preserve, const char *listen_fds, const char *listen_pid, pid_t self,
             bool *activation);
/* Opens /dev/null on any of 0, 1, 2 that is closed, closes every fd from
 * 3 + keep up, and marks 3 .. 2 + keep close-on-exec (only the command
 * gets them back). */
void fds_sanitize(int keep);
/* In the command's child: hand 3 .. 2 + keep over across exec. */
void fds_pass_kept(int keep);
/* Closes every fd >= from (close_range, or one by one). */
void fds_close_from(int from);

#endif
