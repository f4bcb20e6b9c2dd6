/* Fakes of init/loop.c for the unit tests that link service.c and
 * supervisor.c without loop.o: a clock the test moves, timers it fires, and
 * the table of watched fds. Include it in one .c file of a test binary (the
 * fakes are its one definition of the loop's functions); define
 * FAKE_LOOP_WATCHES first to allow fewer watches at a time. */
#ifndef FAKE_LOOP_H
#define FAKE_LOOP_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <string.h>

#include "config.h"
#include "loop.h"

#ifndef FAKE_LOOP_WATCHES
#define FAKE_LOOP_WATCHES MAX_SERVICES
#endif

static uint64_t fake_now;
static struct timer *fake_timers[MAX_SERVICES];
static int fake_n_timers;

/* The watched fds; a free slot has no fn. The counts are of calls. */
static struct fake_watch {
    int fd;
    loop_fd_fn fn;
    void *ctx;
} fake_watches[FAKE_LOOP_WATCHES];
static int fake_watch_calls, fake_unwatch_calls;

uint64_t now_ms(void)
{
    return fake_now;
}

void timer_arm(struct timer *t, uint64_t at_ms)
{
    if (!t->registered) {
        assert_true(fake_n_timers < MAX_SERVICES);
        fake_timers[fake_n_timers++] = t;
        t->registered = true;
    }
    t->at = at_ms;
    t->armed = true;
}

void timer_disarm(struct timer *t)
{
    t->armed = false;
}

/* Only launch report pipes are watched, and only for reading. */
int loop_watch(int fd, short events, loop_fd_fn fn, void *ctx)
{
    assert_int_equal(events, POLLIN);
    fake_watch_calls++;
    for (int i = 0; i < FAKE_LOOP_WATCHES; i++)
        if (!fake_watches[i].fn) {
            fake_watches[i].fd = fd;
            fake_watches[i].fn = fn;
            fake_watches[i].ctx = ctx;
            return 0;
        }
    fail_msg("watch table full (%d at a time)", FAKE_LOOP_WATCHES);
    return -1;
}

void loop_unwatch(int fd)
{
    fake_unwatch_calls++;
    for (int i = 0; i < FAKE_LOOP_WATCHES; i++)
        if (fake_watches[i].fn && fake_watches[i].fd == fd) {
            memset(&fake_watches[i], 0, sizeof(fake_watches[i]));
            return;
        }
    fail_msg("fd %d was not watched", fd);
}

/* The clock at now, no timer known, nothing watched, no call counted. */
static inline void fake_loop_reset(uint64_t now)
{
    fake_now = now;
    fake_n_timers = 0;
    memset(fake_watches, 0, sizeof(fake_watches));
    fake_watch_calls = fake_unwatch_calls = 0;
}

/* The watch whose callback gets ctx, or NULL. */
static inline struct fake_watch *fake_loop_watch_of(const void *ctx)
{
    for (int i = 0; i < FAKE_LOOP_WATCHES; i++)
        if (fake_watches[i].fn && fake_watches[i].ctx == ctx)
            return &fake_watches[i];
    return NULL;
}

/* The loop firing every timer due by now + ms, as loop.c does. */
static inline void fake_loop_advance(uint64_t ms)
{
    fake_now += ms;
    for (int i = 0; i < fake_n_timers; i++)
        if (fake_timers[i]->armed && fake_timers[i]->at <= fake_now) {
            fake_timers[i]->armed = false;
            fake_timers[i]->fire(fake_timers[i]);
        }
}

#endif
