/* What nsinit does with the network: bring the configured bridges up (and
 * down again at exit if it made them), and wire a service's own network
 * namespace to its bridge with a veth pair, in two halves (PID 1, child). */
#include "net.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "netlink.h"

#define NET_PEER_NAME "eth0"

/* Bridges this nsinit created, by name: only those are deleted at exit. */
static char net_created[MAX_BRIDGES][BRIDGE_NAME_MAX];
static int net_n_created;

static void net_fmt_ip4(char out[16], uint32_t addr)
{
    const unsigned char *b = (const unsigned char *)&addr; /* network order */

    fmt(out, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static void net_remember_created(const char *name)
{
    for (int i = 0; i < net_n_created; i++)
        if (!strcmp(net_created[i], name))
            return;
    if (net_n_created < MAX_BRIDGES)
        fmt(net_created[net_n_created++], BRIDGE_NAME_MAX, "%s", name);
}

/* The bridge's ifindex, created first when there is no link of that name. */
static int net_bridge_get(struct nl *nl, const char *name)
{
    int idx = nl_link_index(nl, name);

    if (idx > 0 || errno != ENODEV)
        return idx;
    if (nl_bridge_add(nl, name) == 0)
        net_remember_created(name);
    else if (errno != EEXIST) /* EEXIST: someone else made it meanwhile */
        return -1;
    return nl_link_index(nl, name);
}

static int net_bridge_up(struct nl *nl, const struct bridge_conf *b, struct step *st)
{
    char ip[16];
    int idx;

    STEP_NAME(st, "bridge %s: create", b->name);
    idx = net_bridge_get(nl, b->name);
    if (idx < 0)
        return -1;
    if (b->has_addr) {
        net_fmt_ip4(ip, b->addr);
        STEP_NAME(st, "bridge %s: address %s/%u", b->name, ip, b->prefix);
        if (nl_addr_add(nl, idx, b->addr, b->prefix) < 0 && errno != EEXIST)
            return -1;
    }
    STEP_NAME(st, "bridge %s: up", b->name);
    return nl_link_up(nl, idx);
}

int net_bridges_up(const struct config *c, struct step *st, net_fail_fn *fail, void *ctx)
{
    struct nl nl;
    struct step one;
    int first_err = 0;

    if (c->n_bridges == 0)
        return 0;
    STEP_NAME(st, "bridges: netlink socket");
    if (nl_open(&nl) < 0)
        return -1;
    for (int i = 0; i < c->n_bridges; i++) {
        if (net_bridge_up(&nl, &c->bridges[i], &one) == 0)
            continue;
        if (fail)
            fail(ctx, &one, errno);
        if (!first_err) {
            first_err = errno ? errno : EIO;
            *st = one;
        }
    }
    nl_close(&nl);
    if (first_err) {
        errno = first_err;
        return -1;
    }
    return 0;
}

void net_bridges_down(void)
{
    struct nl nl;

    if (net_n_created == 0 || nl_open(&nl) < 0)
        return;
    for (int i = 0; i < net_n_created; i++) {
        int idx = nl_link_index(&nl, net_created[i]);
        if (idx > 0)
            (void)nl_link_del(&nl, idx); /* at exit: nothing better to do */
    }
    net_n_created = 0;
    nl_close(&nl);
}

/* FNV-1a: tiny, and good enough to tell apart names that share a prefix. */
static uint32_t net_hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

void net_veth_name(const char *service, char out[NET_IFNAME_MAX])
{
    size_t len = strlen(service);
    uint32_t h;

    if (len <= NET_IFNAME_MAX - 2) {
        fmt(out, NET_IFNAME_MAX, "v%s", service);
        return;
    }
    /* "v" + 8 chars of the name + 6 base-32 digits (30 bits) of the hash */
    out[0] = 'v';
    memcpy(out + 1, service, 8);
    h = net_hash(service);
    for (int i = 0; i < 6; i++, h >>= 5)
        out[9 + i] = "0123456789abcdefghijklmnopqrstuv"[h & 31];
    out[15] = '\0';
}

/* Clears the way for a new pair: a host end of that name can only be a
 * previous run's (its namespace may still be on its way out). */
static int net_delete_stale(struct nl *nl, const char *name)
{
    int idx = nl_link_index(nl, name);

    if (idx < 0)
        return errno == ENODEV ? 0 : -1;
    if (nl_link_del(nl, idx) < 0 && errno != ENODEV)
        return -1;
    return 0;
}

static int net_attach_host_end(struct nl *nl, const struct svc_conf *s, const char *host,
                               pid_t child, struct step *st)
{
    int br, idx;

    STEP_NAME(st, "net: bridge %s", s->net_bridge);
    br = nl_link_index(nl, s->net_bridge);
    if (br < 0)
        return -1;
    STEP_NAME(st, "net: delete stale %s", host);
    if (net_delete_stale(nl, host) < 0)
        return -1;
    STEP_NAME(st, "net: veth %s", host);
    if (nl_veth_add(nl, host, NET_PEER_NAME, child) < 0)
        return -1;
    idx = nl_link_index(nl, host);
    if (idx < 0)
        return -1;
    STEP_NAME(st, "net: %s master %s", host, s->net_bridge);
    if (nl_link_set_master(nl, idx, br) == 0) {
        STEP_NAME(st, "net: %s up", host);
        if (nl_link_up(nl, idx) == 0)
            return 0;
    }
    int saved = errno;
    (void)nl_link_del(nl, idx); /* no half-wired pair left behind */
    errno = saved;
    return -1;
}

int net_setup_parent(const struct svc_conf *s, pid_t child, struct step *st)
{
    char host[NET_IFNAME_MAX];
    struct nl nl;
    int r;

    if (!s->has_net)
        return 0;
    if (!(s->ns_flags & CLONE_NEWNET)) {
        STEP_NAME(st, "net: needs its own network namespace");
        errno = EINVAL;
        return -1;
    }
    net_veth_name(s->name, host);
    STEP_NAME(st, "net: netlink socket");
    if (nl_open(&nl) < 0)
        return -1;
    r = net_attach_host_end(&nl, s, host, child, st);
    nl_close(&nl);
    return r;
}

static int net_up_by_name(struct nl *nl, const char *name, struct step *st)
{
    int idx;

    STEP_NAME(st, "net: %s up", name);
    idx = nl_link_index(nl, name);
    if (idx < 0)
        return -1;
    return nl_link_up(nl, idx);
}

static int net_configure_eth0(struct nl *nl, const struct svc_conf *s, struct step *st)
{
    char ip[16];
    int idx;

    STEP_NAME(st, "net: " NET_PEER_NAME);
    idx = nl_link_index(nl, NET_PEER_NAME);
    if (idx < 0)
        return -1;
    net_fmt_ip4(ip, s->net_addr);
    STEP_NAME(st, "net: " NET_PEER_NAME " address %s/%u", ip, s->net_prefix);
    if (nl_addr_add(nl, idx, s->net_addr, s->net_prefix) < 0)
        return -1;
    /* up before the route: the gateway must be reachable on a live link */
    STEP_NAME(st, "net: " NET_PEER_NAME " up");
    if (nl_link_up(nl, idx) < 0)
        return -1;
    if (!s->net_has_gw)
        return 0;
    net_fmt_ip4(ip, s->net_gw);
    STEP_NAME(st, "net: default route via %s", ip);
    return nl_route_add_default(nl, s->net_gw);
}

int net_setup_child(const struct svc_conf *s, struct step *st)
{
    struct nl nl;
    int r;

    if (!(s->ns_flags & CLONE_NEWNET))
        return 0;
    STEP_NAME(st, "net: netlink socket");
    if (nl_open(&nl) < 0)
        return -1;
    r = net_up_by_name(&nl, "lo", st);
    if (r == 0 && s->has_net)
        r = net_configure_eth0(&nl, s, st);
    nl_close(&nl);
    return r;
}
