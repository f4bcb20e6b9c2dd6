/* Message output. The prefix and the line are formatted into one buffer
 * so concurrent writers (services, nsinit) never interleave mid-line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <unistd.h>

#include "fmt.h"
#include "logring.h"

int log_verbose;

static void log_line(const char *f, va_list ap, bool print)
{
    char buf[512] = "nsinit: ";
    size_t n = 8;
    int saved = errno;

    n += fmt_v(buf + n, sizeof(buf) - n - 1, f, ap);
    buf[n++] = '\n';
    while (print && write(2, buf, n) < 0 && errno == EINTR)
        ;
    /* The ring keeps what -v would print too: ctl log is where to look. */
    ring_put("nsinit", buf + 8, n - 9);
    errno = saved;
}

void log_error(const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    log_line(f, ap, true);
    va_end(ap);
}

void log_info(const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    log_line(f, ap, log_verbose);
    va_end(ap);
}
