/* Problem reports: every one becomes a single "FILE:LINE: message\n" line
 * handed to the caller's emit(), so check, boot mode and tests can each
 * send them where they like. */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "arena.h"
#include "fmt.h"

#define DIAG_LINE_MAX 1024

static void diag_write_stderr(struct diag *d, const char *line, size_t len)
{
    while (len) {
        ssize_t n = write(2, line, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        line += n;
        len -= (size_t)n;
    }
}

void diag_to_stderr(struct diag *d)
{
    d->emit = diag_write_stderr;
    d->ctx = NULL;
    d->count = 0;
}

/* Config text may hold escape sequences: never send them to a terminal. */
static void diag_sanitize(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = '?';
}

static size_t diag_vreport(struct diag *d, char *buf, const char *file, int line,
                           const char *f, va_list ap) __attribute__((format(printf, 5, 0)));

/* Formats the line into buf (DIAG_LINE_MAX), emits it and returns its
 * length without the newline. */
static size_t diag_vreport(struct diag *d, char *buf, const char *file, int line,
                           const char *f, va_list ap)
{
    size_t n;

    if (line > 0)
        n = fmt(buf, DIAG_LINE_MAX, "%s:%d: ", file, line);
    else
        n = fmt(buf, DIAG_LINE_MAX, "%s: ", file);
    n += fmt_v(buf + n, DIAG_LINE_MAX - n, f, ap);
    diag_sanitize(buf, n);
    if (n > DIAG_LINE_MAX - 5) /* cut short: say so, keep the newline */
        n = DIAG_LINE_MAX - 5 + fmt(buf + DIAG_LINE_MAX - 5, 5, "...");
    buf[n] = '\n';
    d->count++;
    if (d->emit)
        d->emit(d, buf, n + 1);
    return n;
}

void config_vreport(struct load_state *st, struct svc_conf *svc, const char *file,
                    int line, const char *f, va_list ap)
{
    char buf[DIAG_LINE_MAX];
    size_t n = diag_vreport(st->d, buf, file, line, f, ap);

    if (st->cfg)
        st->cfg->n_errors++;
    if (!svc)
        return;
    svc->invalid = true;
    /* status shows the first problem as the reason it never started. */
    if (!svc->problem && st->cfg)
        svc->problem = arena_strndup(st->cfg->arena, buf, n);
}

void config_report(struct load_state *st, struct svc_conf *svc, const char *file,
                   int line, const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    config_vreport(st, svc, file, line, f, ap);
    va_end(ap);
}

void config_report_oom(struct load_state *st, const char *file, int line)
{
    if (!st->oom_reported)
        config_report(st, NULL, file, line, "out of memory");
    st->oom_reported = true;
}
