/* The one event loop of PID 1: poll(2) over a fixed table of fds, with the
 * earliest armed timer as its timeout. Blocked in the kernel when nothing
 * happens: no periodic wake-up, no system call while idle. */
#ifndef NSINIT_LOOP_H
#define NSINIT_LOOP_H
#include <stdbool.h>
#include <stdint.h>

/* Per service: its output pipe, its readiness fd, and its launch report
 * while it starts; plus the control clients, the listening socket and
 * the signalfd. */
#define LOOP_MAX_FDS (3 * 256 + 16 + 8)
#define LOOP_MAX_TIMERS (256 + 16 + 8)

typedef void (*loop_fd_fn)(int fd, short revents, void *ctx);

struct timer {
    uint64_t at;        /* CLOCK_MONOTONIC, ms */
    void (*fire)(struct timer *t);
    bool armed;
    bool registered;
};

/* Watches fd for events; -1 (ENOSPC) when the table is full. */
int loop_watch(int fd, short events, loop_fd_fn fn, void *ctx);
void loop_unwatch(int fd);
void loop_set_events(int fd, short events);

/* Timers live in their owners' static storage; the loop keeps pointers. */
void timer_arm(struct timer *t, uint64_t at_ms);
void timer_disarm(struct timer *t);
uint64_t now_ms(void);

/* Waits for and dispatches one round of events; never returns an error. */
void loop_once(void);

#endif
