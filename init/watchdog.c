/* The hardware watchdog: set its timeout once, then ping it every half
 * timeout from the event loop. The device is never closed (nor told the
 * magic 'V'): if PID 1 hangs, even during the shutdown, the board resets. */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

static int wd_fd = -1;
static uint32_t wd_period_ms;
static struct timer wd_timer;

void watchdog_ping(void)
{
    if (wd_fd >= 0 && ioctl(wd_fd, WDIOC_KEEPALIVE, 0) < 0)
        log_error("watchdog ping: %s", strerror(errno));
}

static void wd_fire(struct timer *t)
{
    watchdog_ping();
    timer_arm(t, now_ms() + wd_period_ms);
}

void watchdog_start(const char *dev, uint32_t timeout_ms)
{
    int secs = (int)((timeout_ms + 999) / 1000);

    /* Opened once (a reload only changes the timeout): the device allows
     * one opener, and closing it could stop the watchdog. */
    if (wd_fd < 0 && (wd_fd = open(dev, O_WRONLY | O_CLOEXEC)) < 0) {
        log_error("watchdog %s: %s", dev, strerror(errno));
        return;
    }
    /* Some drivers cannot take every value: they answer with theirs. */
    if (ioctl(wd_fd, WDIOC_SETTIMEOUT, &secs) < 0 &&
        ioctl(wd_fd, WDIOC_GETTIMEOUT, &secs) < 0)
        log_error("watchdog %s: timeout: %s", dev, strerror(errno));
    if (secs < 2)
        secs = 2;
    wd_period_ms = (uint32_t)secs * 500;
    wd_timer.fire = wd_fire;
    wd_fire(&wd_timer);
}
