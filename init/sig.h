/* nsinit takes every signal through one signalfd: all of them are blocked
 * from the start. What our own parent gave us (mask, ignored signals) is
 * remembered so that every child starts as if nsinit were not there. */
#ifndef NSINIT_SIG_H
#define NSINIT_SIG_H
#include <stdint.h>

/* Blocks every signal, saves the original mask and ignored set, resets an
 * inherited SIG_IGN of SIGCHLD (we must see our children exit), and returns
 * a non-blocking CLOEXEC signalfd, or -1. */
int sig_setup(void);
/* In a freshly forked child: restores the original mask and SIGCHLD. */
void sig_restore_in_child(void);
/* In a service child: unblocks everything and resets every disposition,
 * so services never inherit a container runtime's oddities. */
void sig_reset_in_child(void);

/* Blocks all 64 signals (init = yes, before its fork). */
void sig_block_all(void);

#endif
