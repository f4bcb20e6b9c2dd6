/* The control server. Everything is non-blocking and bounded: at most
 * CONTROL_MAX_CLIENTS at once (more wait in the listen backlog), a request
 * of at most CONTROL_REQUEST_MAX bytes, CONTROL_IDLE_MS to ask and to read
 * the answer. Only uid 0 (SO_PEERCRED) may change anything; anyone who can
 * connect may read status. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "values.h"
#include "fmt.h"
#include "log.h"
#include "logring.h"
#include "loop.h"
#include "runtime.h"
#include "service.h"
#include "supervisor.h"

struct client {
    bool used;         /* zero-initialised: no page is touched until used */
    int fd;
    uid_t uid;
    char in[CONTROL_REQUEST_MAX];
    size_t in_len;
    char out[8192];
    size_t out_len, out_off;
    int status_next;   /* status: the next service index to describe, -1 done */
    char status_name[SERVICE_NAME_MAX];
    enum ending after; /* a shutdown verb: started once the answer is out */
    bool shutdown_after;
    struct timer idle;
    bool log, follow;  /* log: lines from the ring; -f: then new ones too */
    char log_name[SERVICE_NAME_MAX];
    struct ring_cursor cur;
    char note[96];     /* a log request's error */
};

#define ACCEPT_RETRY_MS 500 /* after EMFILE and the like: no spin meanwhile */
/* Slots only uid 0 may take: however many others connect and idle, root's
 * stop or poweroff is never queued behind them. */
#define ROOT_SLOTS 4
#define LISTEN_RETRY_MIN_MS 1000 /* making the socket again, doubling each time */
#define LISTEN_RETRY_MAX_MS 60000

static struct client clients[CONTROL_MAX_CLIENTS];
static int listen_fd = -1;
static struct timer accept_retry;
static struct timer listen_retry; /* the socket could not be made yet */
static unsigned listen_backoff_ms;
static int listen_errno;
static bool listen_report;
static char sock_path[108];

static void client_close(struct client *c)
{
    loop_unwatch(c->fd);
    close(c->fd);
    c->fd = -1;
    c->used = false;
    timer_disarm(&c->idle);
    if (listen_fd >= 0)
        loop_set_events(listen_fd, POLLIN); /* a slot is free: accept again */
    if (c->shutdown_after) {
        c->shutdown_after = false;
        runtime_shutdown(c->after, 0);
    }
}

static void on_idle(struct timer *t)
{
    client_close((struct client *)((char *)t - offsetof(struct client, idle)));
}

static void out_add(struct client *c, const char *s, size_t n)
{
    if (n > sizeof(c->out) - c->out_len)
        n = sizeof(c->out) - c->out_len;
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

static void out_fmt_line(struct client *c, const char *line)
{
    out_add(c, line, strlen(line));
    out_add(c, "\n", 1);
}

static void append_namespaces(char *buf, size_t size, size_t *n, pid_t pid)
{
    static const char *const kinds[] = {"cgroup", "ipc", "mnt", "net",
                                        "pid", "time", "user", "uts"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        char path[48], link[64];
        ssize_t len;

        fmt(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i]);
        if ((len = readlink(path, link, sizeof(link) - 1)) <= 0)
            continue;
        link[len] = '\0';
        *n += fmt(buf + *n, size - *n, " %s", link);
    }
}

/* NAME STATE pid=N restarts=N uptime=Ns exit=N [ns...] [reason="..."] */
static size_t status_line(const struct service *s, char *buf, size_t size)
{
    size_t n = fmt(buf, size, "%s %s pid=%d restarts=%u", s->name,
                   service_state_name(s->state), (int)s->pid, s->restarts);

    if (s->pid > 0)
        n += fmt(buf + n, size - n, " uptime=%us",
                 (unsigned)((now_ms() - s->started_at) / 1000));
    else
        n += fmt(buf + n, size - n, " uptime=-");
    if (s->last_status >= 0)
        n += fmt(buf + n, size - n, " exit=%d", s->last_status);
    else
        n += fmt(buf + n, size - n, " exit=-");
    if (s->pid > 0)
        append_namespaces(buf, size, &n, s->pid);
    if (s->status_text[0])
        n += fmt(buf + n, size - n, " status=\"%s\"", s->status_text);
    char why[SERVICE_NAME_MAX + 32];
    const char *reason = s->reason[0] || !supervisor_waiting_for(s, why, sizeof(why)) ? s->reason : why;
    if (reason[0]) {
        size_t from = n + sizeof(" reason=\"") - 1;

        n += fmt(buf + n, size - n, " reason=\"%s\"", reason);
        /* The reason quotes what a config or a system call said: a '"'
         * inside it must not end the field for a reader. */
        for (size_t i = from; i + 1 < n; i++)
            if (buf[i] == '"')
                buf[i] = '\'';
    }
    return n;
}

/* Status lines are made as the socket drains, so a long list needs no
 * more buffer than one screenful. */
static void status_fill(struct client *c)
{
    char line[1024];

    while (c->status_next >= 0 && c->status_next < MAX_SERVICES) {
        const struct service *s = supervisor_service(c->status_next);
        size_t n;

        if (!s || (c->status_name[0] && strcmp(s->name, c->status_name))) {
            c->status_next++;
            continue;
        }
        n = status_line(s, line, sizeof(line) - 1);
        if (n + 1 > sizeof(c->out) - c->out_len)
            return;
        line[n++] = '\n';
        out_add(c, line, n);
        c->status_next++;
    }
    if (c->status_next >= MAX_SERVICES) {
        c->status_next = -1;
        out_fmt_line(c, "OK");
    }
}

/* Log lines are made as the socket drains, as status lines are: a reader
 * that stops reading holds only its place in the ring, never PID 1. */
static void log_fill(struct client *c)
{
    const char *name = c->log_name[0] ? c->log_name : NULL;

    /* Room for a gap's note first: a line that does not fit waits. */
    while (sizeof(c->out) - c->out_len >= 100) {
        uint64_t lost = 0;
        char *at = c->out + c->out_len;
        size_t n = ring_next(&c->cur, name, at, sizeof(c->out) - c->out_len, &lost);

        if (lost) {
            /* Said where the gap is, with the time it is said. */
            n = ring_stamp(at, 100);
            n += fmt(at + n, 100 - n, "nsinit: %llu lines dropped: this reader was too slow\n",
                     (unsigned long long)lost);
        }
        if (!n)
            return;
        c->out_len += n;
    }
}

static void reload_error(struct diag *d, const char *line, size_t len)
{
    out_add(d->ctx, line, len);
}

static const char *do_service_verb(const char *verb, struct service *s)
{
    if (!strcmp(verb, "start")) {
        if (!s->conf)
            return "it is being removed";
        if (s->conf->invalid)
            return "its config is invalid";
        service_event(s, EV_START, 0);
    } else if (!strcmp(verb, "stop")) {
        service_event(s, EV_STOP, 0);
    } else {
        if (!s->conf || s->conf->invalid)
            return "its config is invalid";
        if (service_alive(s)) {
            service_event(s, EV_STOP, 0);
            s->restart_pending = true;
        } else {
            service_event(s, EV_START, 0);
        }
    }
    return NULL;
}

static bool is_shutdown_verb(const char *verb, enum ending *how)
{
    if (!strcmp(verb, "poweroff"))
        *how = END_POWEROFF;
    else if (!strcmp(verb, "reboot"))
        *how = END_REBOOT;
    else if (!strcmp(verb, "halt"))
        *how = END_HALT;
    else
        return false;
    if (rt.mode != MODE_BOOT)
        *how = END_EXIT; /* not a machine's init: stop everything and exit */
    return true;
}

/* Runs one request; returns NULL (answer "OK" or status in progress) or
 * the reason for "ERR". */
static const char *handle(struct client *c, char *verb, char *name)
{
    static char why[300];
    bool mutating = strcmp(verb, "status") && strcmp(verb, "pid");
    struct service *s = NULL;
    enum ending how;

    if (mutating && c->uid != 0)
        return "permission denied: only root may change state";
    if (!strcmp(verb, "status")) {
        if (name && !supervisor_find(name))
            return fmt(why, sizeof(why), "unknown service '%s'", name), why;
        fmt(c->status_name, sizeof(c->status_name), "%s", name ? name : "");
        c->status_next = 0;
        return NULL;
    }
    if (is_shutdown_verb(verb, &how)) {
        c->shutdown_after = true;
        c->after = how;
        return NULL;
    }
    if (!strcmp(verb, "reload")) {
        struct diag d = {reload_error, c, 0};
        if (supervisor_reload(&d) < 0)
            return "reload refused: the config has errors; nothing changed";
        return NULL;
    }
    if (strcmp(verb, "start") && strcmp(verb, "stop") && strcmp(verb, "restart") &&
        strcmp(verb, "pid"))
        return fmt(why, sizeof(why), "unknown verb '%s'", verb), why;
    if (!name)
        return fmt(why, sizeof(why), "'%s' needs a service name", verb), why;
    if (!(s = supervisor_find(name)))
        return fmt(why, sizeof(why), "unknown service '%s'", name), why;
    if (!strcmp(verb, "pid")) {
        if (s->state != SVC_RUNNING)
            return fmt(why, sizeof(why), "'%s' is not running", name), why;
        char line[24];
        fmt(line, sizeof(line), "%d", (int)s->pid);
        out_fmt_line(c, line);
        return NULL;
    }
    return do_service_verb(verb, s);
}

/* "log [NAME] [-n LINES] [-f]", in any order. */
static const char *log_request(struct client *c, char *args, char *why, size_t size)
{
    char *w[5];
    int n = parse_words(args, w, 5);
    uint32_t last = 0;

    if (c->uid != 0)
        return "permission denied: only root may read the log";
    if (!ring_on())
        return "no log ring (log_buffer = 0)";
    c->log_name[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (!strcmp(w[i], "-f"))
            c->follow = true;
        else if (!strcmp(w[i], "-n") && i + 1 < n && parse_u32(w[i + 1], &last) == 0)
            i++;
        else if (!c->log_name[0] && (supervisor_find(w[i]) || !strcmp(w[i], "nsinit")))
            fmt(c->log_name, sizeof(c->log_name), "%s", w[i]);
        else
            return fmt(why, size, "log: bad argument or unknown service '%s'", w[i]), why;
    }
    ring_seek_last(&c->cur, c->log_name[0] ? c->log_name : NULL, last);
    c->log = true;
    if (c->follow) {
        /* Its lines wait in the ring, not in socket buffers. */
        setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &(int){4096}, sizeof(int));
        timer_disarm(&c->idle); /* until the client goes */
    }
    return NULL;
}

static void client_request(struct client *c)
{
    char *verb = c->in, *name, *extra;
    const char *err;

    c->in[c->in_len] = '\0';
    while (*verb == ' ')
        verb++;
    c->status_next = -1;
    if (!strncmp(verb, "log", 3) && (verb[3] == ' ' || !verb[3])) {
        if ((err = log_request(c, verb + 3, c->note, sizeof(c->note)))) {
            out_add(c, "ERR ", 4);
            out_fmt_line(c, err);
        }
        return;
    }
    name = strchr(verb, ' ');
    if (name) {
        *name++ = '\0';
        while (*name == ' ')
            name++;
        if ((extra = strchr(name, ' ')))
            *extra = '\0';
        if (!*name)
            name = NULL;
    }
    c->status_next = -1;
    err = handle(c, verb, name);
    if (err) {
        out_add(c, "ERR ", 4);
        out_fmt_line(c, err);
    } else if (c->status_next < 0) {
        out_fmt_line(c, "OK");
    }
}

static void client_write(struct client *c)
{
    for (;;) {
        if (c->out_off == c->out_len) {
            c->out_off = c->out_len = 0;
            if (c->log) {
                log_fill(c);
                if (c->out_len)
                    continue;
                if (c->follow) {
                    /* Nothing new: wait for lines, or for the client to go. */
                    loop_set_events(c->fd, POLLIN);
                    return;
                }
                c->log = false;
                out_fmt_line(c, "OK");
                continue;
            }
            if (c->status_next < 0) {
                client_close(c);
                return;
            }
            status_fill(c);
            continue;
        }
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                client_close(c);
            return;
        }
        c->out_off += (size_t)n;
        if (c->log && !c->follow)
            timer_arm(&c->idle, now_ms() + CONTROL_IDLE_MS); /* it reads: keep it */
    }
}

static void client_read(struct client *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, MSG_DONTWAIT);
    char *nl;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0 || (n == 0 && c->in_len == 0)) {
        client_close(c);
        return;
    }
    c->in_len += (size_t)n;
    nl = memchr(c->in, '\n', c->in_len);
    if (!nl && n > 0 && c->in_len < sizeof(c->in) - 1)
        return;
    if (!nl && n > 0) {
        out_fmt_line(c, "ERR request too long");
    } else {
        /* A line, or a last line ended by the client closing its side. */
        if (nl)
            c->in_len = (size_t)(nl - c->in);
        client_request(c);
    }
    loop_set_events(c->fd, POLLOUT);
    client_write(c);
}

/* A follower only ever sends its request: anything readable now is its
 * end of the connection (or junk, dropped). */
static void follower_read(struct client *c)
{
    char junk[64];
    ssize_t n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);

    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        client_close(c);
}

/* New lines in the ring: followers waiting for them write again. */
static void log_wake(void)
{
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        if (clients[i].used && clients[i].follow)
            loop_set_events(clients[i].fd, POLLOUT | POLLIN);
}

static void on_client(int fd, short revents, void *ctx)
{
    struct client *c = ctx;

    if (c->follow && (revents & (POLLIN | POLLHUP | POLLERR)))
        follower_read(c);
    else if (revents & POLLOUT)
        client_write(c);
    else if (revents & (POLLIN | POLLHUP | POLLERR))
        client_read(c);
}

static void on_accept_retry(struct timer *t)
{
    if (listen_fd >= 0)
        loop_set_events(listen_fd, POLLIN);
}

/* Whether every slot a uid other than 0 may take is taken. */
static bool others_full(void)
{
    int others = 0;

    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        others += clients[i].used && clients[i].uid != 0;
    return others >= CONTROL_MAX_CLIENTS - ROOT_SLOTS;
}

/* Returns -1 when there is nothing more to accept now. */
static int accept_one(void)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct client *c = NULL;
    int fd;

    for (int i = 0; i < CONTROL_MAX_CLIENTS && !c; i++)
        if (!clients[i].used)
            c = &clients[i];
    if (!c) {
        /* Too many at once: the rest wait in the kernel's backlog (their
         * connect blocks when it is full) until a client is done. */
        loop_set_events(listen_fd, 0);
        return -1;
    }
    if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
        if (errno == EINTR || errno == ECONNABORTED)
            return 0;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            /* Out of fds or memory: the connection stays queued and the
             * socket readable; poll again only after a while. */
            log_error("control socket: accept: %s", strerror(errno));
            loop_set_events(listen_fd, 0);
            accept_retry.fire = on_accept_retry;
            timer_arm(&accept_retry, now_ms() + ACCEPT_RETRY_MS);
        }
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        goto refuse;
    if (cred.uid != 0 && others_full()) {
        static const char busy[] = "ERR busy: too many clients\n";
        ssize_t w = write(fd, busy, sizeof(busy) - 1); /* best effort */
        (void)w;
        goto refuse;
    }
    if (loop_watch(fd, POLLIN, on_client, c) < 0) {
refuse:
        close(fd);
        return 0;
    }
    c->used = true;
    c->fd = fd;
    c->uid = cred.uid;
    c->in_len = c->out_len = c->out_off = 0;
    c->status_next = -1;
    c->shutdown_after = false;
    c->log = c->follow = false;
    c->idle.fire = on_idle;
    timer_arm(&c->idle, now_ms() + CONTROL_IDLE_MS);
    return 0;
}

static void on_listen(int fd, short revents, void *ctx)
{
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        if (accept_one() < 0)
            return;
}

/* Only a stale socket may be replaced: never another kind of file, and
 * never the socket of a server that still answers (another nsinit). */
static int control_clear_path(const struct sockaddr_un *addr)
{
    struct stat st;
    int fd, rc;

    if (lstat(addr->sun_path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISSOCK(st.st_mode))
        return errno = EEXIST, -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        return -1;
    rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    close(fd);
    if (rc == 0 || errno == EAGAIN)
        return errno = EADDRINUSE, -1;
    return unlink(addr->sun_path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Binds, listens and watches path; sock_path is path from then on. */
static int listen_on(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    mode_t old;
    int fd;

    if (len >= sizeof(addr.sun_path))
        return errno = ENAMETOOLONG, -1;
    memcpy(addr.sun_path, path, len);
    if (control_clear_path(&addr) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        return -1;
    /* Created private, then opened to everyone: status is for all, the
     * rest is checked per request with SO_PEERCRED. */
    old = umask(077);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0666) < 0 ||
        listen(fd, 16) < 0 || loop_watch(fd, POLLIN, on_listen, NULL) < 0) {
        int err = errno;
        umask(old);
        close(fd);
        errno = err;
        return -1;
    }
    umask(old);
    listen_fd = fd;
    memmove(sock_path, path, len + 1);
    return 0;
}

/* Out of room, fds or memory, or an older server still on the path: what
 * goes away by itself. A path that cannot work (no directory, read-only,
 * another kind of file) waits for a reload instead. */
static bool listen_transient(int err)
{
    return err == ENOSPC || err == EDQUOT || err == EMFILE || err == ENFILE ||
           err == ENOMEM || err == ENOBUFS || err == EADDRINUSE;
}

void control_log_failure(const char *what, const char *path)
{
    int err = errno;

    log_error("%scontrol socket %s: %s%s", what, path, strerror(err),
              listen_retry.armed ? "; trying again" : "");
    errno = err;
}

static void on_listen_retry(struct timer *t);

/* A doubling pause between tries. */
static int listen_later(int err)
{
    if (listen_transient(err)) {
        listen_backoff_ms = listen_backoff_ms ? 2 * listen_backoff_ms : LISTEN_RETRY_MIN_MS;
        if (listen_backoff_ms > LISTEN_RETRY_MAX_MS)
            listen_backoff_ms = LISTEN_RETRY_MAX_MS;
        listen_retry.fire = on_listen_retry;
        timer_arm(&listen_retry, now_ms() + listen_backoff_ms);
    }
    listen_errno = errno = err;
    return -1;
}

/* A line only when the reason changes, and once it works. */
static void on_listen_retry(struct timer *t)
{
    int last = listen_errno;

    (void)t;
    if (listen_on(sock_path) == 0) {
        if (listen_report) /* the failure was said: say its end too */
            log_error("control socket %s: listening", sock_path);
        return;
    }
    listen_later(errno);
    if (listen_report && errno != last)
        control_log_failure("", sock_path);
}

int control_start(const char *path, bool report)
{
    size_t len;

    ring_set_notify(log_wake);
    if (listen_fd >= 0 || !path || !*path)
        return 0;
    if ((len = strlen(path)) >= sizeof(sock_path))
        return errno = ENAMETOOLONG, -1;
    timer_disarm(&listen_retry);
    listen_backoff_ms = 0;
    listen_report = report;
    if (listen_on(path) == 0)
        return 0;
    memmove(sock_path, path, len + 1);
    return listen_later(errno);
}

void control_stop(void)
{
    timer_disarm(&listen_retry);
    if (listen_fd < 0)
        return;
    timer_disarm(&accept_retry);
    loop_unwatch(listen_fd);
    close(listen_fd);
    unlink(sock_path);
    listen_fd = -1;
}

/* A reload that names another socket: the new one listens before the old
 * one goes, so a failure keeps the old one answering. */
int control_move(const char *path)
{
    char old[sizeof(sock_path)];
    int fd = listen_fd;

    if (!path || !*path || (fd >= 0 && !strcmp(path, sock_path)))
        return 0;
    /* None listening (it failed before): the reload is the next try. */
    if (fd < 0) {
        if (control_start(path, true) < 0) {
            control_log_failure("reload: ", path);
            return -1;
        }
        log_error("control socket %s: listening", path);
        return 0;
    }
    memcpy(old, sock_path, sizeof(old));
    loop_unwatch(fd);
    listen_fd = -1;
    if (listen_on(path) < 0) {
        log_error("reload: control socket %s: %s; still on %s", path, strerror(errno), old);
        listen_fd = fd;
        if (loop_watch(fd, POLLIN, on_listen, NULL) < 0)
            log_error("control socket %s: %s", old, strerror(errno));
        return -1;
    }
    close(fd);
    unlink(old);
    return 0;
}
