/* Gives a service its own CLOCK_MONOTONIC/CLOCK_BOOTTIME: the offsets can
 * only be written while no task is inside the new namespace, so the child
 * unshares it (which affects only its future children), writes them, then
 * joins it itself. */
#include "timens.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

/* The kernel wants 0 <= nanoseconds < 1e9 and a signed second count:
 * -1500 ms is "-2 500000000". */
static size_t timens_format(char *buf, size_t size, const char *clock, int64_t ms)
{
    long long sec = ms / 1000;
    long long rem = ms % 1000;

    if (rem < 0) {
        sec -= 1;
        rem += 1000;
    }
    return fmt(buf, size, "%s %lld %lld\n", clock, sec, rem * 1000000LL);
}

static int timens_write_offsets(const struct svc_conf *s)
{
    char buf[128];
    size_t len;

    len = timens_format(buf, sizeof(buf), "monotonic", s->time_monotonic_ms);
    len += timens_format(buf + len, sizeof(buf) - len, "boottime", s->time_boottime_ms);
    return file_write(AT_FDCWD, "/proc/self/timens_offsets", buf, len);
}

/* Since Linux 6.1 execve() alone would move us into time_for_children;
 * 5.6 to 6.0 never do it for the task itself. setns() works on both (the
 * caller is single-threaded, as a freshly cloned child is). */
static int timens_join_own(void)
{
    int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    int err;

    if (fd < 0)
        return -1;
    if (setns(fd, CLONE_NEWTIME) < 0) {
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    close(fd);
    return 0;
}

int timens_setup(const struct svc_conf *s, struct step *st)
{
    if (!(s->ns_flags & CLONE_NEWTIME))
        return 0;
    STEP_NAME(st, "unshare time namespace");
    if (unshare(CLONE_NEWTIME) < 0)
        return -1;
    if (s->has_time_offsets) {
        STEP_NAME(st, "write /proc/self/timens_offsets");
        if (timens_write_offsets(s) < 0)
            return -1;
    }
    STEP_NAME(st, "enter time namespace");
    return timens_join_own();
}
