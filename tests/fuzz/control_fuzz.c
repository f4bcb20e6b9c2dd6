/* libFuzzer target: the control server's request reader, driven through a
 * real socketpair as a client would drive it. control.c is compiled in so
 * that its static client functions are reached; the supervisor it asks is
 * replaced by a table of two services. Input: one byte (bit 0: the client
 * is root; bits 1-3: how many bytes per send, so a request may arrive in
 * pieces), then the bytes the client sends before closing its side. */
#include <stdint.h>
#include <stdlib.h>

#define supervisor_find fuzz_supervisor_find
#define supervisor_reload fuzz_supervisor_reload
#define supervisor_service fuzz_supervisor_service
#define service_event fuzz_service_event
#define service_alive fuzz_service_alive
#define service_state_name fuzz_service_state_name
#define runtime_shutdown fuzz_runtime_shutdown
#define rt fuzz_rt
#include "../../init/control.c"
#undef supervisor_find
#undef supervisor_reload
#undef supervisor_service
#undef service_event
#undef service_alive
#undef service_state_name
#undef runtime_shutdown
#undef rt

struct runtime fuzz_rt = {.mode = MODE_SUPERVISOR};
static struct service table[2];
static struct svc_conf conf;
static int shutdowns;

struct service *fuzz_supervisor_find(const char *name)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(table[i].name, name))
            return &table[i];
    return NULL;
}

struct service *fuzz_supervisor_service(int i)
{
    return i >= 0 && i < 2 ? &table[i] : NULL;
}

int fuzz_supervisor_reload(struct diag *d)
{
    static const char line[] = "nsinit.conf:1: a reload error\n";
    d->emit(d, line, sizeof(line) - 1);
    return -1;
}

void fuzz_service_event(struct service *s, enum svc_event ev, int arg)
{
    (void)arg;
    if (s < table || s >= table + 2 || (ev != EV_START && ev != EV_STOP))
        abort();
}

bool fuzz_service_alive(const struct service *s)
{
    return s->pid > 0;
}

const char *fuzz_service_state_name(enum svc_state st)
{
    return st == SVC_RUNNING ? "running" : "stopped";
}

void fuzz_runtime_shutdown(enum ending how, int status)
{
    (void)how;
    (void)status;
    shutdowns++;
}

static void setup(void)
{
    static bool done;

    if (done)
        return;
    done = true;
    if (ring_init(64 * 1024) < 0)
        abort();
    ring_put("web", "a line of web\n", 14);
    ring_put("nsinit", "a line of nsinit\n", 17);
    fmt(table[0].name, sizeof(table[0].name), "web");
    fmt(table[1].name, sizeof(table[1].name), "db");
    fmt(table[1].reason, sizeof(table[1].reason), "exec \"/bin/db\": No such file");
    for (int i = 0; i < 2; i++) {
        table[i].used = true;
        table[i].conf = &conf;
        table[i].last_status = -1;
    }
    table[0].state = SVC_RUNNING;
    table[0].pid = getpid();
    control_start(NULL, false); /* the client slots, and no listening socket */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    struct client *c = &clients[0];
    char sink[4096];

    if (size < 1)
        return 0;
    setup();
    size_t chunk = ((data[0] >> 1) & 7) ? ((data[0] >> 1) & 7) * 64 : size;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0 ||
        loop_watch(sv[0], POLLIN, on_client, c) < 0)
        abort();
    c->fd = sv[0];
    c->uid = data[0] & 1 ? 0 : 1000;
    c->in_len = c->out_len = c->out_off = 0;
    c->status_next = -1;
    c->shutdown_after = c->log = c->follow = false;
    c->idle.fire = on_idle;
    /* The client sends in pieces, the server reads after each, and the
     * client reads all it is sent: what a well-behaved peer would do,
     * with arbitrary bytes. */
    data++;
    size--;
    for (size_t off = 0; c->fd >= 0; off += chunk) {
        if (off < size) {
            size_t n = size - off < chunk ? size - off : chunk;
            if (send(sv[1], data + off, n, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
                break;
        } else {
            shutdown(sv[1], SHUT_WR);
        }
        client_read(c);
        while (c->fd >= 0 && recv(sv[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
            client_write(c);
        if (off >= size + chunk * 4)
            break; /* it has everything and an end: more rounds change nothing */
    }
    if (c->fd >= 0)
        client_close(c); /* a follower (log -f) stays, as it should */
    close(sv[1]);
    if (c->shutdown_after)
        abort();
    return 0;
}
