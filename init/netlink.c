/* rtnetlink requests built by hand in a fixed buffer: a header, a family
 * struct, then attributes (nested ones for link kinds). Each request asks for
 * an ACK and waits for the kernel's answer to its own sequence number. */
#include "netlink.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define NL_RECV_MAX 16384 /* a link reply is a few KiB; the ACK far less */
#define NL_TIMEOUT_S 5    /* PID 1 must never hang on a kernel that stays silent */

/* ---- message building ---- */

void nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags)
{
    memset(m, 0, sizeof(*m));
    m->u.hdr.nlmsg_len = NLMSG_HDRLEN;
    m->u.hdr.nlmsg_type = type;
    m->u.hdr.nlmsg_flags = flags;
}

/* Every addition keeps nlmsg_len a multiple of 4, padding included. */
void *nl_msg_reserve(struct nl_msg *m, size_t len)
{
    size_t at = m->u.hdr.nlmsg_len;
    size_t space = NLMSG_ALIGN(len);

    if (m->err || space > sizeof(m->u.buf) - at) {
        m->err = EMSGSIZE;
        return NULL;
    }
    memset(m->u.buf + at, 0, space);
    m->u.hdr.nlmsg_len = at + space;
    return m->u.buf + at;
}

void nl_attr_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
    struct rtattr *a;

    if (len > 0xffff - RTA_LENGTH(0)) {
        m->err = EMSGSIZE;
        return;
    }
    a = nl_msg_reserve(m, RTA_LENGTH(len));
    if (!a)
        return;
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(a), data, len);
}

void nl_attr_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
    nl_attr_put(m, type, &v, sizeof(v));
}

void nl_attr_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
    nl_attr_put(m, type, s, strlen(s) + 1);
}

size_t nl_nest_begin(struct nl_msg *m, uint16_t type)
{
    size_t at = m->u.hdr.nlmsg_len;

    nl_attr_put(m, type, NULL, 0);
    return at;
}

/* A nest's length covers its children with their padding (as libmnl does). */
void nl_nest_end(struct nl_msg *m, size_t nest)
{
    struct rtattr *a = (struct rtattr *)(m->u.buf + nest);

    if (m->err)
        return;
    if (m->u.hdr.nlmsg_len - nest > 0xffff) {
        m->err = EMSGSIZE;
        return;
    }
    a->rta_len = m->u.hdr.nlmsg_len - nest;
}

static struct ifinfomsg *nl_put_ifinfo(struct nl_msg *m, int ifindex)
{
    struct ifinfomsg *ifi = nl_msg_reserve(m, sizeof(*ifi));

    if (ifi) {
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
    }
    return ifi;
}

void nl_build_getlink(struct nl_msg *m, const char *name)
{
    nl_msg_init(m, RTM_GETLINK, 0);
    nl_put_ifinfo(m, 0);
    nl_attr_put_str(m, IFLA_IFNAME, name);
}

static void nl_put_kind(struct nl_msg *m, const char *kind)
{
    size_t info = nl_nest_begin(m, IFLA_LINKINFO);

    nl_attr_put_str(m, IFLA_INFO_KIND, kind);
    nl_nest_end(m, info);
}

void nl_build_bridge_add(struct nl_msg *m, const char *name)
{
    nl_msg_init(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    nl_put_ifinfo(m, 0);
    nl_attr_put_str(m, IFLA_IFNAME, name);
    nl_put_kind(m, "bridge");
}

void nl_build_link_up(struct nl_msg *m, int ifindex)
{
    struct ifinfomsg *ifi;

    nl_msg_init(m, RTM_NEWLINK, 0);
    ifi = nl_put_ifinfo(m, ifindex);
    if (ifi) {
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
    }
}

void nl_build_addr_add(struct nl_msg *m, int ifindex, uint32_t addr, uint8_t prefix)
{
    struct ifaddrmsg *ifa;

    nl_msg_init(m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    ifa = nl_msg_reserve(m, sizeof(*ifa));
    if (ifa) {
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = prefix;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = ifindex;
    }
    nl_attr_put_u32(m, IFA_LOCAL, addr);
    nl_attr_put_u32(m, IFA_ADDRESS, addr);
    /* what ifconfig gives by default; /31 and /32 have no broadcast */
    if (prefix < 31) {
        uint32_t host = prefix ? 0xffffffffu >> prefix : 0xffffffffu;
        nl_attr_put_u32(m, IFA_BROADCAST, addr | htonl(host));
    }
}

void nl_build_veth_add(struct nl_msg *m, const char *host_name, const char *peer_name,
                       pid_t peer_pid)
{
    size_t info, data, peer;

    nl_msg_init(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    nl_put_ifinfo(m, 0);
    nl_attr_put_str(m, IFLA_IFNAME, host_name);
    info = nl_nest_begin(m, IFLA_LINKINFO);
    nl_attr_put_str(m, IFLA_INFO_KIND, "veth");
    data = nl_nest_begin(m, IFLA_INFO_DATA);
    /* the peer is described like a link of its own: ifinfomsg, then attrs */
    peer = nl_nest_begin(m, VETH_INFO_PEER);
    nl_put_ifinfo(m, 0);
    nl_attr_put_str(m, IFLA_IFNAME, peer_name);
    nl_attr_put_u32(m, IFLA_NET_NS_PID, (uint32_t)peer_pid);
    nl_nest_end(m, peer);
    nl_nest_end(m, data);
    nl_nest_end(m, info);
}

void nl_build_set_master(struct nl_msg *m, int ifindex, int master_ifindex)
{
    nl_msg_init(m, RTM_NEWLINK, 0);
    nl_put_ifinfo(m, ifindex);
    nl_attr_put_u32(m, IFLA_MASTER, (uint32_t)master_ifindex);
}

void nl_build_route_default(struct nl_msg *m, uint32_t gw)
{
    struct rtmsg *rt;

    nl_msg_init(m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    rt = nl_msg_reserve(m, sizeof(*rt));
    if (rt) {
        rt->rtm_family = AF_INET;
        rt->rtm_table = RT_TABLE_MAIN;
        rt->rtm_protocol = RTPROT_BOOT;
        rt->rtm_scope = RT_SCOPE_UNIVERSE;
        rt->rtm_type = RTN_UNICAST;
    }
    nl_attr_put_u32(m, RTA_GATEWAY, gw);
}

void nl_build_link_del(struct nl_msg *m, int ifindex)
{
    nl_msg_init(m, RTM_DELLINK, 0);
    nl_put_ifinfo(m, ifindex);
}

/* ---- reply parsing: buf may hold anything, so copy before reading ---- */

static int nl_parse_one(const struct nlmsghdr *h, const unsigned char *msg, int *ifindex)
{
    int code;
    struct ifinfomsg ifi;

    switch (h->nlmsg_type) {
    case NLMSG_ERROR:
        if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(code))
            break;
        memcpy(&code, msg + NLMSG_HDRLEN, sizeof(code));
        if (code == 0)
            return 0;
        errno = code < 0 && code >= -4095 ? -code : EBADMSG;
        return -1;
    case NLMSG_OVERRUN:
        errno = ENOBUFS;
        return -1;
    case RTM_NEWLINK:
        if (ifindex && h->nlmsg_len >= NLMSG_HDRLEN + sizeof(ifi)) {
            memcpy(&ifi, msg + NLMSG_HDRLEN, sizeof(ifi));
            *ifindex = ifi.ifi_index;
        }
        return 1;
    default: /* NLMSG_NOOP, NLMSG_DONE, parts of a multipart answer */
        return 1;
    }
    errno = EBADMSG;
    return -1;
}

int nl_parse_reply(const void *buf, size_t len, uint32_t seq, int *ifindex)
{
    const unsigned char *p = buf;
    size_t off = 0;

    while (off < len) {
        struct nlmsghdr h;
        size_t step;
        int r;

        if (len - off < sizeof(h))
            break;
        memcpy(&h, p + off, sizeof(h));
        if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
            break;
        if (h.nlmsg_seq == seq) {
            r = nl_parse_one(&h, p + off, ifindex);
            if (r <= 0)
                return r;
        }
        step = NLMSG_ALIGN((size_t)h.nlmsg_len);
        off = step < len - off ? off + step : len; /* the last may lack padding */
    }
    if (off < len) {
        errno = EBADMSG;
        return -1;
    }
    return 1;
}

int nl_parse_ack(const void *buf, size_t len, uint32_t seq)
{
    return nl_parse_reply(buf, len, seq, NULL);
}

/* ---- the socket ---- */

int nl_open(struct nl *nl)
{
    struct timeval tv = {.tv_sec = NL_TIMEOUT_S};
    int one = 1;

    nl->seq = 0;
    nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (nl->fd < 0)
        return -1;
    if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        nl_close(nl);
        return -1;
    }
    /* ACKs without a copy of our request: optional (Linux 4.3+) */
    (void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    return 0;
}

void nl_close(struct nl *nl)
{
    if (nl->fd >= 0) {
        int saved = errno;
        close(nl->fd);
        errno = saved;
    }
    nl->fd = -1;
}

static int nl_send(struct nl *nl, struct nl_msg *m)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t n;

    if (m->err) {
        errno = m->err;
        return -1;
    }
    m->u.hdr.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    m->u.hdr.nlmsg_seq = ++nl->seq;
    do {
        n = sendto(nl->fd, m->u.buf, m->u.hdr.nlmsg_len, 0, (struct sockaddr *)&kernel,
                   sizeof(kernel));
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != m->u.hdr.nlmsg_len) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* Sends m and reads until the answer to it; stale answers are skipped. */
static int nl_talk(struct nl *nl, struct nl_msg *m, int *ifindex)
{
    union {
        struct nlmsghdr h;
        unsigned char b[NL_RECV_MAX];
    } rb;

    if (nl_send(nl, m) < 0)
        return -1;
    for (;;) {
        struct sockaddr_nl from;
        struct iovec iov = {.iov_base = rb.b, .iov_len = sizeof(rb.b)};
        struct msghdr mh = {.msg_name = &from,
                            .msg_namelen = sizeof(from),
                            .msg_iov = &iov,
                            .msg_iovlen = 1};
        ssize_t n = recvmsg(nl->fd, &mh, 0);
        int r;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                errno = ETIMEDOUT;
            return -1;
        }
        if (mh.msg_flags & MSG_TRUNC) {
            errno = EMSGSIZE;
            return -1;
        }
        if (mh.msg_namelen < sizeof(from) || from.nl_pid != 0)
            continue; /* only the kernel answers requests */
        r = nl_parse_reply(rb.b, (size_t)n, nl->seq, ifindex);
        if (r <= 0)
            return r;
    }
}

/* ---- requests ---- */

int nl_link_index(struct nl *nl, const char *name)
{
    struct nl_msg m;
    int ifindex = 0;

    nl_build_getlink(&m, name);
    if (nl_talk(nl, &m, &ifindex) < 0)
        return -1;
    if (ifindex <= 0) {
        errno = ENODEV;
        return -1;
    }
    return ifindex;
}

int nl_bridge_add(struct nl *nl, const char *name)
{
    struct nl_msg m;

    nl_build_bridge_add(&m, name);
    return nl_talk(nl, &m, NULL);
}

int nl_link_up(struct nl *nl, int ifindex)
{
    struct nl_msg m;

    nl_build_link_up(&m, ifindex);
    return nl_talk(nl, &m, NULL);
}

int nl_addr_add(struct nl *nl, int ifindex, uint32_t addr, uint8_t prefix)
{
    struct nl_msg m;

    if (prefix > 32) {
        errno = EINVAL;
        return -1;
    }
    nl_build_addr_add(&m, ifindex, addr, prefix);
    return nl_talk(nl, &m, NULL);
}

int nl_veth_add(struct nl *nl, const char *host_name, const char *peer_name,
                pid_t peer_pid)
{
    struct nl_msg m;

    nl_build_veth_add(&m, host_name, peer_name, peer_pid);
    return nl_talk(nl, &m, NULL);
}

int nl_link_set_master(struct nl *nl, int ifindex, int master_ifindex)
{
    struct nl_msg m;

    nl_build_set_master(&m, ifindex, master_ifindex);
    return nl_talk(nl, &m, NULL);
}

int nl_route_add_default(struct nl *nl, uint32_t gw)
{
    struct nl_msg m;

    nl_build_route_default(&m, gw);
    return nl_talk(nl, &m, NULL);
}

int nl_link_del(struct nl *nl, int ifindex)
{
    struct nl_msg m;

    nl_build_link_del(&m, ifindex);
    return nl_talk(nl, &m, NULL);
}
