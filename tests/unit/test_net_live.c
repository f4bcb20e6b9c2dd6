/* The network set-up against the real kernel (root). Every test runs in a
 * forked child that first unshares its network namespace, so the host's
 * network is never touched; services are further children with their own
 * namespaces, and traffic only flows between these namespaces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "netlink.h"

#define BR_ADDR "10.99.0.1"
#define SKIP_CODE 77

/* Inside forked children cmocka's asserts would unwind into a copy of the
 * runner: check by hand and leave with a status the test asserts on. */
#define CHECK(c)                                                                         \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            dprintf(2, "%s:%d: check failed: %s (errno: %s)\n", __FILE__, __LINE__, #c,  \
                    strerror(errno));                                                    \
            _exit(1);                                                                    \
        }                                                                                \
    } while (0)

static void run_isolated(void (*fn)(void))
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(30);
        if (unshare(CLONE_NEWNET) < 0) {
            dprintf(2, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
            _exit(SKIP_CODE);
        }
        fn();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP_CODE)
        skip();
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int if_flags(const char *name)
{
    struct ifreq ifr = {0};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

    CHECK(fd >= 0);
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    r = ioctl(fd, SIOCGIFFLAGS, &ifr);
    close(fd);
    return r < 0 ? -1 : ifr.ifr_flags;
}

static uint32_t if_ioctl_addr(const char *name, unsigned long req)
{
    struct ifreq ifr = {0};
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

    CHECK(fd >= 0);
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    r = ioctl(fd, req, &ifr);
    close(fd);
    if (r < 0)
        return 0;
    memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
    return sin.sin_addr.s_addr;
}

static bool link_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

/* A namespace being destroyed takes its veths along a little later. */
static bool link_gone_within(const char *name, int ms)
{
    struct timespec ts = {0, 20 * 1000000};

    for (int i = 0; i < ms / 20; i++) {
        if (!link_exists(name))
            return true;
        nanosleep(&ts, NULL);
    }
    return !link_exists(name);
}

static void one_bridge(struct config *c, const char *name, const char *addr,
                       uint8_t prefix)
{
    struct bridge_conf *b = &c->bridges[c->n_bridges++];

    snprintf(b->name, sizeof(b->name), "%s", name);
    b->has_addr = addr != NULL;
    b->addr = addr ? inet_addr(addr) : 0;
    b->prefix = prefix;
}

static void bring_up_test_bridge(void)
{
    static struct config c;
    struct step st = {{0}};

    c.n_bridges = 0;
    one_bridge(&c, "brt0", BR_ADDR, 24);
    CHECK(net_bridges_up(&c, &st, NULL, NULL) == 0);
}

static void svc_init(struct svc_conf *s, const char *name, const char *addr,
                     const char *gw)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->ns_flags = CLONE_NEWNET;
    s->has_net = addr != NULL;
    snprintf(s->net_bridge, sizeof(s->net_bridge), "brt0");
    s->net_addr = addr ? inet_addr(addr) : 0;
    s->net_prefix = 24;
    s->net_has_gw = gw != NULL;
    s->net_gw = gw ? inet_addr(gw) : 0;
}

/* ---- bridges ---- */

static void bridge_is_created_up_with_its_address(void)
{
    bring_up_test_bridge();
    CHECK(if_flags("brt0") >= 0 && (if_flags("brt0") & IFF_UP));
    CHECK(if_ioctl_addr("brt0", SIOCGIFADDR) == inet_addr(BR_ADDR));
    CHECK(if_ioctl_addr("brt0", SIOCGIFNETMASK) == inet_addr("255.255.255.0"));
    CHECK(if_ioctl_addr("brt0", SIOCGIFBRDADDR) == inet_addr("10.99.0.255"));
    net_bridges_down();
    CHECK(!link_exists("brt0"));
}

static void test_bridge_is_created_up_with_its_address(void **state)
{
    run_isolated(bridge_is_created_up_with_its_address);
}

static void existing_bridge_and_address_are_reused(void)
{
    static struct config c;
    struct step st = {{0}};
    struct nl nl;
    int idx;

    CHECK(nl_open(&nl) == 0);
    CHECK(nl_bridge_add(&nl, "brpre") == 0);
    idx = nl_link_index(&nl, "brpre");
    CHECK(idx > 0);
    CHECK(nl_addr_add(&nl, idx, inet_addr("10.98.0.1"), 16) == 0);
    /* the same address again: the kernel says so, and net.c tolerates it */
    CHECK(nl_addr_add(&nl, idx, inet_addr("10.98.0.1"), 16) == -1 && errno == EEXIST);
    CHECK(nl_link_index(&nl, "nosuchlink") == -1 && errno == ENODEV);
    nl_close(&nl);

    one_bridge(&c, "brpre", "10.98.0.1", 16);
    one_bridge(&c, "brnew", "10.97.0.1", 24);
    CHECK(net_bridges_up(&c, &st, NULL, NULL) == 0);
    CHECK(if_flags("brpre") & IFF_UP);
    CHECK(if_ioctl_addr("brpre", SIOCGIFADDR) == inet_addr("10.98.0.1"));
    CHECK(if_flags("brnew") & IFF_UP);
    /* a second start (e.g. after reload) changes nothing and succeeds */
    CHECK(net_bridges_up(&c, &st, NULL, NULL) == 0);
    net_bridges_down();
    CHECK(link_exists("brpre")); /* not ours to delete */
    CHECK(!link_exists("brnew"));
}

static void test_existing_bridge_and_address_are_reused(void **state)
{
    run_isolated(existing_bridge_and_address_are_reused);
}

static int fail_calls;
static char fail_what[200];
static int fail_err;

static void record_fail(void *ctx, const struct step *st, int err)
{
    fail_calls++;
    snprintf(fail_what, sizeof(fail_what), "%s", st->what);
    fail_err = err;
}

static void failing_bridge_is_named_and_others_still_come_up(void)
{
    static struct config c;
    struct step st = {{0}};

    one_bridge(&c, "bad/name", "10.96.0.1", 24);
    one_bridge(&c, "brok", "10.95.0.1", 24);
    errno = 0;
    CHECK(net_bridges_up(&c, &st, record_fail, NULL) == -1);
    CHECK(errno == EINVAL);
    CHECK(strcmp(st.what, "bridge bad/name: create") == 0);
    CHECK(fail_calls == 1 && fail_err == EINVAL);
    CHECK(strcmp(fail_what, "bridge bad/name: create") == 0);
    CHECK(if_flags("brok") & IFF_UP);
    CHECK(if_ioctl_addr("brok", SIOCGIFADDR) == inet_addr("10.95.0.1"));
}

static void test_failing_bridge_is_named_and_others_still_come_up(void **state)
{
    run_isolated(failing_bridge_is_named_and_others_still_come_up);
}

/* ---- services ---- */

struct svc_proc {
    pid_t pid;
    int go;    /* we write: set-up done, carry on */
    int event; /* the child writes: 'r' in its namespace, then body events */
};

static char read_event(int fd)
{
    char c = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};

    CHECK(poll(&p, 1, 10000) == 1);
    CHECK(read(fd, &c, 1) == 1);
    return c;
}

static void send_event(int fd, char c)
{
    CHECK(write(fd, &c, 1) == 1);
}

/* Forks the service as nsinit would (new netns, parent half, then child
 * half); body runs in it once its network is ready. */
static void start_service(const struct svc_conf *s, struct svc_proc *p,
                          void (*body)(const struct svc_conf *, int event_fd))
{
    int go[2], ev[2];
    struct step st = {{0}};

    CHECK(pipe2(go, O_CLOEXEC) == 0 && pipe2(ev, O_CLOEXEC) == 0);
    p->pid = fork();
    CHECK(p->pid >= 0);
    if (p->pid == 0) {
        alarm(20);
        close(go[1]);
        close(ev[0]);
        CHECK(unshare(CLONE_NEWNET) == 0);
        send_event(ev[1], 'r');
        CHECK(read_event(go[0]) == 'g');
        if (net_setup_child(s, &st) < 0) {
            dprintf(2, "%s: %s: %s\n", s->name, st.what, strerror(errno));
            _exit(1);
        }
        body(s, ev[1]);
        _exit(0);
    }
    close(go[0]);
    close(ev[1]);
    p->go = go[1];
    p->event = ev[0];
    CHECK(read_event(p->event) == 'r');
    if (net_setup_parent(s, p->pid, &st) < 0) {
        dprintf(2, "%s: %s: %s\n", s->name, st.what, strerror(errno));
        CHECK(!"net_setup_parent");
    }
    send_event(p->go, 'g');
}

static void wait_service_ok(struct svc_proc *p)
{
    int status;

    CHECK(waitpid(p->pid, &status, 0) == p->pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(p->go);
    close(p->event);
}

static struct sockaddr_in sin_of(const char *addr, int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    sin.sin_addr.s_addr = inet_addr(addr);
    return sin;
}

static int tcp_listen(const char *addr, int port)
{
    struct sockaddr_in sin = sin_of(addr, port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    CHECK(fd >= 0);
    CHECK(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
    CHECK(listen(fd, 4) == 0);
    return fd;
}

static int tcp_accept(int lfd, struct sockaddr_in *peer)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    socklen_t len = sizeof(*peer);
    int fd;

    CHECK(poll(&p, 1, 10000) == 1);
    fd = accept4(lfd, (struct sockaddr *)peer, &len, SOCK_CLOEXEC);
    CHECK(fd >= 0);
    return fd;
}

/* Sends msg to addr:port and expects it echoed back. */
static void tcp_echo_client(const char *addr, int port, const char *msg)
{
    struct sockaddr_in sin = sin_of(addr, port);
    char buf[64] = {0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    CHECK(fd >= 0);
    CHECK(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
    CHECK(write(fd, msg, strlen(msg)) == (ssize_t)strlen(msg));
    CHECK(read(fd, buf, sizeof(buf) - 1) == (ssize_t)strlen(msg));
    CHECK(strcmp(buf, msg) == 0);
    close(fd);
}

static void tcp_echo_once(int lfd, const char *want_peer)
{
    struct sockaddr_in peer;
    char buf[64];
    int fd = tcp_accept(lfd, &peer);
    ssize_t n = read(fd, buf, sizeof(buf));

    CHECK(peer.sin_addr.s_addr == inet_addr(want_peer));
    CHECK(n > 0);
    CHECK(write(fd, buf, (size_t)n) == n);
    close(fd);
}

/* The service's source address toward an address off its subnet; a UDP
 * connect only consults the routes, it sends nothing. */
static int route_source(const char *addr, uint32_t *src)
{
    struct sockaddr_in sin = sin_of(addr, 9), me;
    socklen_t len = sizeof(me);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

    CHECK(fd >= 0);
    r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
    if (r == 0) {
        CHECK(getsockname(fd, (struct sockaddr *)&me, &len) == 0);
        *src = me.sin_addr.s_addr;
    }
    close(fd);
    return r;
}

static void web_body(const struct svc_conf *s, int event_fd)
{
    uint32_t src = 0;

    CHECK(if_flags("lo") & IFF_UP);
    CHECK(if_flags("eth0") & IFF_UP);
    CHECK(if_ioctl_addr("eth0", SIOCGIFADDR) == inet_addr("10.99.0.2"));
    CHECK(route_source("198.51.100.7", &src) == 0 && src == inet_addr("10.99.0.2"));
    tcp_echo_client(BR_ADDR, 7000, "hello from web");
}

static void service_reaches_bridge_through_veth(void)
{
    struct svc_conf s;
    struct svc_proc p;
    int lfd;

    bring_up_test_bridge();
    lfd = tcp_listen(BR_ADDR, 7000);
    svc_init(&s, "web", "10.99.0.2", BR_ADDR);
    start_service(&s, &p, web_body);
    CHECK(link_exists("vweb"));
    CHECK(!link_exists("eth0")); /* the peer lives only in the service */
    tcp_echo_once(lfd, "10.99.0.2");
    wait_service_ok(&p);
    CHECK(link_gone_within("vweb", 5000));
    close(lfd);
}

static void test_service_reaches_bridge_through_veth(void **state)
{
    run_isolated(service_reaches_bridge_through_veth);
}

static void server_body(const struct svc_conf *s, int event_fd)
{
    uint32_t src;
    int lfd;

    /* no gw line: nothing off the subnet is reachable */
    CHECK(route_source("198.51.100.7", &src) == -1 && errno == ENETUNREACH);
    lfd = tcp_listen("10.99.0.2", 7001);
    send_event(event_fd, 'l');
    tcp_echo_once(lfd, "10.99.0.3");
    close(lfd);
}

static void client_body(const struct svc_conf *s, int event_fd)
{
    tcp_echo_client("10.99.0.2", 7001, "across the bridge");
}

static void two_services_talk_over_the_bridge(void)
{
    struct svc_conf a, b;
    struct svc_proc pa, pb;

    bring_up_test_bridge();
    svc_init(&a, "server", "10.99.0.2", NULL);
    svc_init(&b, "a-rather-long-client-name", "10.99.0.3", NULL);
    start_service(&a, &pa, server_body);
    CHECK(read_event(pa.event) == 'l');
    start_service(&b, &pb, client_body);
    wait_service_ok(&pb);
    wait_service_ok(&pa);
    CHECK(link_gone_within("vserver", 5000));
}

static void test_two_services_talk_over_the_bridge(void **state)
{
    run_isolated(two_services_talk_over_the_bridge);
}

static void noop_body(const struct svc_conf *s, int event_fd)
{
    CHECK(if_flags("eth0") & IFF_UP);
}

static void stale_host_end_is_replaced(void)
{
    struct svc_conf s;
    struct svc_proc p;
    struct nl nl;
    int old;

    bring_up_test_bridge();
    /* a leftover "vweb" (here with its peer in our own namespace) */
    CHECK(nl_open(&nl) == 0);
    CHECK(nl_veth_add(&nl, "vweb", "oldpeer", getpid()) == 0);
    old = nl_link_index(&nl, "vweb");
    CHECK(old > 0 && link_exists("oldpeer"));
    svc_init(&s, "web", "10.99.0.2", NULL);
    start_service(&s, &p, noop_body);
    CHECK(!link_exists("oldpeer"));
    CHECK(nl_link_index(&nl, "vweb") > 0);
    wait_service_ok(&p);
    nl_close(&nl);
}

static void test_stale_host_end_is_replaced(void **state)
{
    run_isolated(stale_host_end_is_replaced);
}

static void missing_bridge_fails_and_leaves_nothing(void)
{
    struct svc_conf s;
    struct step st = {{0}};

    svc_init(&s, "web", "10.99.0.2", NULL);
    snprintf(s.net_bridge, sizeof(s.net_bridge), "nobr");
    errno = 0;
    CHECK(net_setup_parent(&s, getpid(), &st) == -1 && errno == ENODEV);
    CHECK(strcmp(st.what, "net: bridge nobr") == 0);
    CHECK(!link_exists("vweb"));
    /* without net = there is nothing to do */
    s.has_net = false;
    CHECK(net_setup_parent(&s, getpid(), &st) == 0);
}

static void test_missing_bridge_fails_and_leaves_nothing(void **state)
{
    run_isolated(missing_bridge_fails_and_leaves_nothing);
}

/* ---- the child half on its own ---- */

static void child_steps_name_what_failed(void)
{
    struct svc_conf s;
    struct step st = {{0}};
    struct nl nl;

    svc_init(&s, "web", "10.99.0.2", NULL);
    errno = 0;
    CHECK(net_setup_child(&s, &st) == -1 && errno == ENODEV); /* no eth0 yet */
    CHECK(strcmp(st.what, "net: eth0") == 0);
    CHECK(nl_open(&nl) == 0);
    CHECK(nl_veth_add(&nl, "x0", "eth0", getpid()) == 0);
    nl_close(&nl);
    CHECK(net_setup_child(&s, &st) == 0);
    CHECK(net_setup_child(&s, &st) == -1 && errno == EEXIST);
    CHECK(strcmp(st.what, "net: eth0 address 10.99.0.2/24") == 0);
    /* a gateway off the subnet cannot be reached */
    svc_init(&s, "web", "10.99.0.4", "10.50.0.1");
    CHECK(net_setup_child(&s, &st) == -1 && errno == ENETUNREACH);
    CHECK(strcmp(st.what, "net: default route via 10.50.0.1") == 0);
}

static void test_child_steps_name_what_failed(void **state)
{
    run_isolated(child_steps_name_what_failed);
}

static void lo_is_up_without_net_line_only_in_own_namespace(void)
{
    struct svc_conf s;
    struct step st = {{0}};

    svc_init(&s, "plain", NULL, NULL);
    s.ns_flags = 0; /* shares its parent's namespace: must not touch it */
    CHECK(!(if_flags("lo") & IFF_UP));
    CHECK(net_setup_child(&s, &st) == 0);
    CHECK(!(if_flags("lo") & IFF_UP));
    s.ns_flags = CLONE_NEWNET;
    CHECK(net_setup_child(&s, &st) == 0);
    CHECK(if_flags("lo") & IFF_UP);
    CHECK(!link_exists("eth0"));
}

static void test_lo_is_up_without_net_line_only_in_own_namespace(void **state)
{
    run_isolated(lo_is_up_without_net_line_only_in_own_namespace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge_is_created_up_with_its_address),
        cmocka_unit_test(test_existing_bridge_and_address_are_reused),
        cmocka_unit_test(test_failing_bridge_is_named_and_others_still_come_up),
        cmocka_unit_test(test_service_reaches_bridge_through_veth),
        cmocka_unit_test(test_two_services_talk_over_the_bridge),
        cmocka_unit_test(test_stale_host_end_is_replaced),
        cmocka_unit_test(test_missing_bridge_fails_and_leaves_nothing),
        cmocka_unit_test(test_child_steps_name_what_failed),
        cmocka_unit_test(test_lo_is_up_without_net_line_only_in_own_namespace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
