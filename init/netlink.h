/* nsinit's own rtnetlink client (IPv4 only): just the link, address and route
 * requests that bridges and per-service veths need, so no `ip` binary is used.
 * Every request asks for an ACK; an NLMSG_ERROR code comes back as errno. */
#ifndef NSINIT_NETLINK_H
#define NSINIT_NETLINK_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>

/* One open NETLINK_ROUTE socket. It belongs to the network namespace the
 * caller was in when nl_open() ran: a child must open its own after unshare. */
struct nl {
    int fd;
    uint32_t seq;
};

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* The ifindex (> 0) of the link called name, or -1 (ENODEV when absent). */
int nl_link_index(struct nl *nl, const char *name);
int nl_bridge_add(struct nl *nl, const char *name); /* EEXIST when it exists */
int nl_link_up(struct nl *nl, int ifindex);
/* addr in network byte order; EEXIST when the same address is already there */
int nl_addr_add(struct nl *nl, int ifindex, uint32_t addr, uint8_t prefix);
/* A veth pair: host_name here, peer_name created directly in the network
 * namespace of peer_pid (it never appears in ours). */
int nl_veth_add(struct nl *nl, const char *host_name, const char *peer_name,
                pid_t peer_pid);
int nl_link_set_master(struct nl *nl, int ifindex, int master_ifindex);
int nl_route_add_default(struct nl *nl, uint32_t gw); /* gw: network order */
int nl_link_del(struct nl *nl, int ifindex);

/* ---- below: the message layer, public so that it can be unit-tested ---- */

#define NL_MSG_MAX 512 /* our largest request (veth) is about 120 bytes */

/* A request being built in place. Overflow is sticky: the first attribute
 * that does not fit sets err and the message is never sent. */
struct nl_msg {
    union {
        struct nlmsghdr hdr;
        unsigned char buf[NL_MSG_MAX];
    } u;
    int err;
};

void nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags);
/* len bytes, zeroed and padded to 4; NULL (and err set) on overflow */
void *nl_msg_reserve(struct nl_msg *m, size_t len);
void nl_attr_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_attr_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_attr_put_str(struct nl_msg *m, uint16_t type, const char *s);
/* Nesting: begin returns the offset of the nest's header, end fixes its length. */
size_t nl_nest_begin(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, size_t nest);

/* Builders of each request (seq not set yet); nl_msg.err tells overflow. */
void nl_build_getlink(struct nl_msg *m, const char *name);
void nl_build_bridge_add(struct nl_msg *m, const char *name);
void nl_build_link_up(struct nl_msg *m, int ifindex);
void nl_build_addr_add(struct nl_msg *m, int ifindex, uint32_t addr, uint8_t prefix);
void nl_build_veth_add(struct nl_msg *m, const char *host_name, const char *peer_name,
                       pid_t peer_pid);
void nl_build_set_master(struct nl_msg *m, int ifindex, int master_ifindex);
void nl_build_route_default(struct nl_msg *m, uint32_t gw);
void nl_build_link_del(struct nl_msg *m, int ifindex);

/* Reads one received datagram for the answer to request seq. Returns 0 when
 * it holds the ACK, -1 with errno for an NLMSG_ERROR (the kernel's code) or
 * a malformed datagram (EBADMSG), 1 when no answer for seq is in it yet
 * (other sequence numbers, multipart parts). Pure: safe on any bytes.
 * nl_parse_reply also picks the ifindex out of an RTM_NEWLINK for seq
 * (left alone when there is none). */
int nl_parse_ack(const void *buf, size_t len, uint32_t seq);
int nl_parse_reply(const void *buf, size_t len, uint32_t seq, int *ifindex);

#endif
