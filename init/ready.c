/* Readiness. fd:N (s6): any line written to the pipe means ready.
 * notify (systemd's sd_notify): datagrams of NAME=VALUE lines; READY=1
 * means ready, STATUS= is shown by status, the rest is accepted and
 * ignored. A datagram counts only from a process of the service: its
 * main process or a descendant of it, by the sender's pid that the
 * kernel vouches for (SCM_CREDENTIALS). A sender already gone when its
 * datagram is read cannot be looked up and is believed: only the
 * service is told the socket's name. */
#include "ready.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "loop.h"
#include "proc.h"
#include "service.h"

static void on_pipe(int fd, short revents, void *ctx)
{
    struct service *s = ctx;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0 && !memchr(buf, '\n', (size_t)n))
        return; /* not a whole line yet */
    /* A line is ready; an end without one never will be: either way the
     * pipe has said all it can. */
    ready_close(s);
    if (n > 0)
        service_event(s, EV_READY, 0);
}

int ready_pipe(struct service *s)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    /* Only our end is non-blocking: the service's fd is as a pipe's. */
    if (fcntl(p[1], F_SETFL, 0) < 0 || loop_watch(p[0], POLLIN, on_pipe, s) < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    s->ready_fd = p[0];
    return p[1];
}

/* Is pid the service's process, or one of its descendants? */
static int of_service(const struct service *s, pid_t pid)
{
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        if (pid == s->pid)
            return 1;
        if ((pid = proc_parent(pid)) < 0)
            return depth == 0; /* the sender itself is gone: believed */
    }
    return 0;
}

/* NAME=VALUE lines: READY=1 and STATUS= are read, the rest ignored. */
static void notify_fields(struct service *s, char *p, size_t n)
{
    bool ready = false;

    p[n] = '\n';
    for (char *line = p, *nl; line < p + n; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(p + n + 1 - line));
        *nl = '\0';
        ready |= !strcmp(line, "READY=1");
        if (!strncmp(line, "STATUS=", 7))
            fmt(s->status_text, sizeof(s->status_text), "%s", line + 7);
    }
    if (ready)
        service_event(s, EV_READY, 0);
}

/* Room for the sender's credentials only: fds sent along (FDSTORE=1)
 * do not fit, and the kernel discards them. */
struct creds_msg {
    struct cmsghdr h;
    struct ucred cr;
};

static void on_notify(int fd, short revents, void *ctx)
{
    struct service *s = ctx;
    char buf[4097];
    struct creds_msg cm;
    struct iovec iov = {buf, sizeof(buf) - 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm};

    ssize_t n;

    /* One datagram a round: the loop comes back while there are more. */
    m.msg_controllen = sizeof(cm);
    cm.cr.pid = 0;
    if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) < 0)
        return;
    if (of_service(s, cm.h.cmsg_type == SCM_CREDENTIALS ? cm.cr.pid : 0))
        notify_fields(s, buf, (size_t)n);
    else
        /* Into the ring, not onto the console: anyone may send. */
        log_info("%s: notify from pid %d, not one of its processes: ignored", s->name,
                 (int)cm.cr.pid);
}

int ready_socket(struct service *s, int netns, char *addr, size_t size)
{
    static int own = -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    socklen_t len = sizeof(a);
    int fd, one = 1, err = 0;

    /* The socket is made in the service's network namespace: an abstract
     * name is reachable from that namespace alone. */
    if (netns >= 0 && ((own < 0 && (own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) ||
                       setns(netns, CLONE_NEWNET) < 0))
        return -1;
    /* Binding with no name asks the kernel for a unique abstract one. */
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        err = errno;
    if (netns >= 0 && setns(own, CLONE_NEWNET) < 0)
        log_error("returning to our own network namespace: %s", strerror(errno));
    if (!err && loop_watch(fd, POLLIN, on_notify, s) < 0)
        err = errno;
    if (err) {
        close(fd);
        return errno = err, -1;
    }
    s->ready_fd = fd;
    /* "@" for the leading NUL of the abstract name, as sd_notify reads
     * it; the bytes after the name are still the zeros a began with. */
    a.sun_path[0] = '@';
    fmt(addr, size, "%s", a.sun_path);
    return 0;
}

void ready_close(struct service *s)
{
    if (s->ready_fd < 0)
        return;
    loop_unwatch(s->ready_fd);
    close(s->ready_fd);
    s->ready_fd = -1;
}
