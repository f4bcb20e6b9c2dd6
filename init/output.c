/* Line-prefixing of service output. A line longer than the buffer is
 * written in pieces, each prefixed, so a flood never grows memory and
 * nothing is dropped; a slow reader (our stderr) slows the service down
 * through its full pipe instead. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "logring.h"
#include "loop.h"
#include "service.h"

static void write_all(struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(2, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* stderr gone: the output has nowhere to go */
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++, n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
}

static void emit_line(struct service *s, const char *text, size_t len)
{
    struct iovec iov[4] = {
        {s->name, strlen(s->name)},
        {(void *)": ", 2},
        {(void *)text, len},
        {(void *)"\n", 1},
    };
    write_all(iov, 4);
    ring_put_counted(&s->flood, s->name, text, len);
}

static void take(struct service *s, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t chunk = nl ? (size_t)(nl - p) : n;
        size_t room = sizeof(s->line) - s->line_len;

        if (chunk > room)
            chunk = room;
        memcpy(s->line + s->line_len, p, chunk);
        s->line_len += chunk;
        p += chunk, n -= chunk;
        if (n > 0 && *p == '\n') {
            p++, n--;
            emit_line(s, s->line, s->line_len);
            s->line_len = 0;
        } else if (s->line_len == sizeof(s->line)) {
            emit_line(s, s->line, s->line_len);
            s->line_len = 0;
        }
    }
}

void output_drain(struct service *s)
{
    char buf[4096];
    ssize_t n;

    /* Bounded: a flooding service cannot keep PID 1 in here forever. */
    for (int rounds = 0; rounds < 16 && s->log_r >= 0; rounds++) {
        n = read(s->log_r, buf, sizeof(buf));
        if (n > 0) {
            take(s, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
}

void output_flush(struct service *s)
{
    output_drain(s);
    if (s->line_len) {
        emit_line(s, s->line, s->line_len);
        s->line_len = 0;
    }
}

static void on_output(int fd, short revents, void *ctx)
{
    output_drain(ctx);
}

int output_open(struct service *s)
{
    int p[2];

    if (s->log_r >= 0)
        return 0;
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    /* Only our end is non-blocking: a service writing to a full pipe waits. */
    fcntl(p[1], F_SETFL, 0);
    if (loop_watch(p[0], POLLIN, on_output, s) < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    s->log_r = p[0];
    s->log_w = p[1];
    return 0;
}

void output_close(struct service *s)
{
    if (s->log_r < 0)
        return;
    output_flush(s);
    loop_unwatch(s->log_r);
    close(s->log_r);
    close(s->log_w);
    s->log_r = s->log_w = -1;
}
