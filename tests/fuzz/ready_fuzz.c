/* libFuzzer target: the readiness readers of init/ready.c, the sd_notify
 * datagram (NAME=VALUE lines, from any process that finds the socket) and
 * the fd:N line. ready.c is compiled in here so that its static readers
 * are reached; what they call in the supervisor is replaced by counters.
 * Input: one byte choosing the reader, then the bytes sent to it. */
#include <stdint.h>
#include <stdlib.h>

#define service_event fuzz_service_event
#define proc_parent fuzz_proc_parent
#include "../../init/ready.c"
#undef service_event
#undef proc_parent

static int events;

void fuzz_service_event(struct service *s, enum svc_event ev, int arg)
{
    (void)s;
    (void)arg;
    if (ev != EV_READY)
        abort();
    events++;
}

pid_t fuzz_proc_parent(pid_t pid)
{
    return pid > 100 ? pid - 100 : -1;
}

/* As on_notify receives it: at most sizeof(buf) - 1 bytes, one spare. */
static void notify(struct service *s, const uint8_t *data, size_t size)
{
    char buf[4097];

    if (size > sizeof(buf) - 1)
        size = sizeof(buf) - 1;
    memcpy(buf, data, size);
    notify_fields(s, buf, size);
    if (!memchr(s->status_text, '\0', sizeof(s->status_text)))
        abort();
}

/* Through a real pipe, as the service writes it. */
static void line(struct service *s, const uint8_t *data, size_t size)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        abort();
    if (size > 4096)
        size = 4096;
    if (size && write(p[1], data, size) != (ssize_t)size)
        abort();
    close(p[1]);
    s->ready_fd = p[0];
    /* Until the reader closes it: a line, or the end without one. */
    for (int i = 0; i < 64 && s->ready_fd >= 0; i++)
        on_pipe(p[0], POLLIN, s);
    if (s->ready_fd >= 0)
        abort(); /* the pipe is at its end by now: it must be let go */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct service s;

    if (size < 1)
        return 0;
    memset(&s, 0, sizeof(s));
    s.pid = 1000;
    s.ready_fd = -1;
    events = 0;
    if (data[0] & 1)
        notify(&s, data + 1, size - 1);
    else
        line(&s, data + 1, size - 1);
    if (events > 1)
        abort(); /* one datagram or one line is one readiness at most */
    return 0;
}
