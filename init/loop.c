/* The event loop. Tables are fixed-size: nothing is allocated while PID 1
 * runs. A callback may watch or unwatch fds, including its own. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

struct watch {
    int fd;
    short events;
    loop_fd_fn fn;
    void *ctx;
};

static struct watch watches[LOOP_MAX_FDS];
static int n_watches;
static struct timer *timers[LOOP_MAX_TIMERS];
static int n_timers;

uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int loop_watch(int fd, short events, loop_fd_fn fn, void *ctx)
{
    int i;

    for (i = 0; i < n_watches && watches[i].fn; i++)
        ;
    if (i == LOOP_MAX_FDS) {
        errno = ENOSPC;
        return -1;
    }
    if (i == n_watches)
        n_watches++;
    watches[i] = (struct watch){fd, events, fn, ctx};
    return 0;
}

void loop_unwatch(int fd)
{
    for (int i = 0; i < n_watches; i++)
        if (watches[i].fn && watches[i].fd == fd)
            watches[i] = (struct watch){-1, 0, 0, 0};
    while (n_watches > 0 && !watches[n_watches - 1].fn)
        n_watches--;
}

void loop_set_events(int fd, short events)
{
    for (int i = 0; i < n_watches; i++)
        if (watches[i].fn && watches[i].fd == fd)
            watches[i].events = events;
}

void timer_arm(struct timer *t, uint64_t at_ms)
{
    if (!t->registered && n_timers < LOOP_MAX_TIMERS) {
        timers[n_timers++] = t;
        t->registered = true;
    }
    t->at = at_ms;
    t->armed = true;
}

void timer_disarm(struct timer *t)
{
    t->armed = false;
}

static int next_timeout(uint64_t now)
{
    uint64_t first = UINT64_MAX;

    for (int i = 0; i < n_timers; i++)
        if (timers[i]->armed && timers[i]->at < first)
            first = timers[i]->at;
    if (first == UINT64_MAX)
        return -1;
    if (first <= now)
        return 0;
    return first - now > 86400000 ? 86400000 : (int)(first - now);
}

static void fire_due_timers(void)
{
    uint64_t now = now_ms();

    for (int i = 0; i < n_timers; i++) {
        struct timer *t = timers[i];
        if (t->armed && t->at <= now) {
            t->armed = false;
            t->fire(t);
        }
    }
}

void loop_once(void)
{
    struct pollfd pfd[LOOP_MAX_FDS];
    struct watch snap[LOOP_MAX_FDS];
    int n = n_watches, ready;

    for (int i = 0; i < n; i++) {
        snap[i] = watches[i];
        pfd[i] = (struct pollfd){watches[i].fn ? watches[i].fd : -1, watches[i].events, 0};
    }
    ready = poll(pfd, (nfds_t)n, next_timeout(now_ms()));
    if (ready < 0 && errno != EINTR) {
        /* Only ENOMEM can get here; wait a little instead of spinning. */
        struct timespec pause = {0, 100000000};
        nanosleep(&pause, NULL);
    }
    for (int i = 0; ready > 0 && i < n; i++) {
        if (!pfd[i].revents)
            continue;
        /* Still the same watch? An earlier callback may have replaced it. */
        if (watches[i].fn == snap[i].fn && watches[i].fd == snap[i].fd &&
            watches[i].ctx == snap[i].ctx)
            snap[i].fn(snap[i].fd, pfd[i].revents, snap[i].ctx);
    }
    fire_due_timers();
}
