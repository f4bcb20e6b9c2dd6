/* Message output. The prefix and the line are formatted into one buffer
 * so concurrent writers (services, nsinit) never interleave mid-line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "fmt.h"

int log_verbose;

static void log_line(const char *f, va_list ap)
{
    char buf[512] = "nsinit: ";
    size_t n = 8;
    int saved = errno;

    n += fmt_v(buf + n, sizeof(buf) - n - 1, f, ap);
    buf[n++] = '\n';
    while (write(2, buf, n) < 0 && errno == EINTR)
        ;
    errno = saved;
}

void log_error(const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    log_line(f, ap);
    va_end(ap);
}

void log_info(const char *f, ...)
{
    va_list ap;

    if (!log_verbose)
        return;
    va_start(ap, f);
    log_line(f, ap);
    va_end(ap);
}
