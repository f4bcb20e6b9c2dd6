/* Boot mode's hardware watchdog: `[init] watchdog`, pinged from the loop. */
#ifndef NSINIT_WATCHDOG_H
#define NSINIT_WATCHDOG_H
#include <stdint.h>

/* Opens dev (once: later calls, from a reload, keep the device open and
 * set the new timeout), sets the timeout and arms a timer that pings it
 * every half timeout for as long as PID 1 runs. Logs and gives up on
 * failure. */
void watchdog_start(const char *dev, uint32_t timeout_ms);
/* One ping now (before slow steps of the shutdown: sync, unmount). */
void watchdog_ping(void);

#endif
