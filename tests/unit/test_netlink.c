/* rtnetlink message encoding, the reply parser on good and hostile bytes,
 * and the host-side veth names. Pure: no socket is opened. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "net.h"
#include "netlink.h"

static const struct rtattr *attr_at(const struct nl_msg *m, size_t off)
{
    return (const struct rtattr *)(m->u.buf + off);
}

static uint32_t attr_u32(const struct rtattr *a)
{
    uint32_t v;
    memcpy(&v, RTA_DATA(a), sizeof(v));
    return v;
}

static void test_attr_is_padded_to_four_bytes(void **state)
{
    struct nl_msg m;

    nl_msg_init(&m, RTM_NEWLINK, 0);
    memset(m.u.buf + NLMSG_HDRLEN, 0xaa, 8); /* padding must be cleared */
    nl_attr_put(&m, 7, "abc", 3);
    assert_int_equal(m.err, 0);
    assert_int_equal(attr_at(&m, NLMSG_HDRLEN)->rta_len, 7);
    assert_int_equal(attr_at(&m, NLMSG_HDRLEN)->rta_type, 7);
    assert_int_equal(m.u.hdr.nlmsg_len, NLMSG_HDRLEN + 8);
    assert_memory_equal(m.u.buf + NLMSG_HDRLEN + 4, "abc\0", 4);
    nl_attr_put_u32(&m, 8, 0x01020304);
    assert_int_equal(m.u.hdr.nlmsg_len, NLMSG_HDRLEN + 16);
    assert_int_equal(attr_u32(attr_at(&m, NLMSG_HDRLEN + 8)), 0x01020304);
}

static void test_string_attr_carries_its_nul(void **state)
{
    struct nl_msg m;

    nl_msg_init(&m, RTM_NEWLINK, 0);
    nl_attr_put_str(&m, IFLA_IFNAME, "br0");
    assert_int_equal(attr_at(&m, NLMSG_HDRLEN)->rta_len, RTA_LENGTH(4));
    assert_string_equal(RTA_DATA(attr_at(&m, NLMSG_HDRLEN)), "br0");
}

static void test_nest_length_covers_children_with_padding(void **state)
{
    struct nl_msg m;
    size_t outer, inner;

    nl_msg_init(&m, RTM_NEWLINK, 0);
    outer = nl_nest_begin(&m, 1);
    nl_attr_put(&m, 2, "x", 1); /* 5 bytes, 8 with padding */
    inner = nl_nest_begin(&m, 3);
    nl_attr_put_u32(&m, 4, 9);
    nl_nest_end(&m, inner);
    nl_nest_end(&m, outer);
    assert_int_equal(m.err, 0);
    assert_int_equal(attr_at(&m, inner)->rta_len, 4 + 8);
    assert_int_equal(attr_at(&m, outer)->rta_len, 4 + 8 + 12);
    assert_int_equal(outer + attr_at(&m, outer)->rta_len, m.u.hdr.nlmsg_len);
}

static void test_overflow_is_sticky_and_stays_in_buffer(void **state)
{
    struct nl_msg m;
    char big[100] = {0};
    int i;

    nl_msg_init(&m, RTM_NEWLINK, 0);
    for (i = 0; i < 20 && !m.err; i++)
        nl_attr_put(&m, 1, big, sizeof(big));
    assert_int_equal(m.err, EMSGSIZE);
    assert_true(m.u.hdr.nlmsg_len <= NL_MSG_MAX);
    uint32_t len = m.u.hdr.nlmsg_len;
    nl_attr_put_u32(&m, 2, 1); /* would fit, but the message is already broken */
    assert_int_equal(m.u.hdr.nlmsg_len, len);
    assert_null(nl_msg_reserve(&m, 4));
    /* an attribute longer than rta_len can say */
    nl_msg_init(&m, RTM_NEWLINK, 0);
    nl_attr_put(&m, 1, big, 70000);
    assert_int_equal(m.err, EMSGSIZE);
}

/* The pair request, byte by byte: the nesting the kernel's veth code walks. */
static void test_veth_request_nests_peer_in_linkinfo(void **state)
{
    struct nl_msg m;
    const struct rtattr *a;
    const struct ifinfomsg *ifi;
    size_t off = NLMSG_HDRLEN;

    nl_build_veth_add(&m, "vweb", "eth0", 4242);
    assert_int_equal(m.err, 0);
    assert_int_equal(m.u.hdr.nlmsg_type, RTM_NEWLINK);
    assert_int_equal(m.u.hdr.nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);
    off += NLMSG_ALIGN(sizeof(struct ifinfomsg));
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, IFLA_IFNAME);
    assert_string_equal(RTA_DATA(a), "vweb");
    off += RTA_ALIGN(a->rta_len);
    a = attr_at(&m, off); /* IFLA_LINKINFO */
    assert_int_equal(a->rta_type, IFLA_LINKINFO);
    assert_int_equal(off + a->rta_len, m.u.hdr.nlmsg_len);
    assert_int_equal(a->rta_len, 4 + 12 + 4 + 4 + 16 + 12 + 8);
    off += 4;
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, IFLA_INFO_KIND);
    assert_string_equal(RTA_DATA(a), "veth");
    off += RTA_ALIGN(a->rta_len);
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, IFLA_INFO_DATA);
    assert_int_equal(a->rta_len, 4 + 4 + 16 + 12 + 8);
    off += 4;
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, VETH_INFO_PEER);
    assert_int_equal(a->rta_len, 4 + 16 + 12 + 8);
    off += 4;
    ifi = (const struct ifinfomsg *)(m.u.buf + off);
    assert_int_equal(ifi->ifi_index, 0);
    off += sizeof(*ifi);
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, IFLA_IFNAME);
    assert_string_equal(RTA_DATA(a), "eth0");
    off += RTA_ALIGN(a->rta_len);
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, IFLA_NET_NS_PID);
    assert_int_equal(attr_u32(a), 4242);
    assert_int_equal(off + RTA_ALIGN(a->rta_len), m.u.hdr.nlmsg_len);
}

static void test_bridge_request_names_kind_bridge(void **state)
{
    struct nl_msg m;
    const struct rtattr *a;
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));

    nl_build_bridge_add(&m, "br0");
    assert_int_equal(m.u.hdr.nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);
    off += RTA_ALIGN(attr_at(&m, off)->rta_len); /* IFLA_IFNAME */
    a = attr_at(&m, off);
    assert_int_equal(a->rta_type, IFLA_LINKINFO);
    assert_int_equal(a->rta_len, 4 + RTA_SPACE(7));
    assert_string_equal(RTA_DATA(attr_at(&m, off + 4)), "bridge");
    assert_int_equal(off + a->rta_len, m.u.hdr.nlmsg_len);
}

static void test_link_up_sets_only_the_up_flag(void **state)
{
    struct nl_msg m;
    const struct ifinfomsg *ifi;

    nl_build_link_up(&m, 7);
    ifi = (const struct ifinfomsg *)(m.u.buf + NLMSG_HDRLEN);
    assert_int_equal(ifi->ifi_index, 7);
    assert_int_equal(ifi->ifi_flags, IFF_UP);
    assert_int_equal(ifi->ifi_change, IFF_UP);
    assert_int_equal(m.u.hdr.nlmsg_len, NLMSG_HDRLEN + sizeof(*ifi));
}

static void test_addr_request_has_local_address_and_broadcast(void **state)
{
    struct nl_msg m;
    const struct ifaddrmsg *ifa;
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifaddrmsg));

    nl_build_addr_add(&m, 3, inet_addr("192.168.2.1"), 24);
    ifa = (const struct ifaddrmsg *)(m.u.buf + NLMSG_HDRLEN);
    assert_int_equal(ifa->ifa_family, AF_INET);
    assert_int_equal(ifa->ifa_prefixlen, 24);
    assert_int_equal(ifa->ifa_index, 3);
    assert_int_equal(attr_at(&m, off)->rta_type, IFA_LOCAL);
    assert_int_equal(attr_u32(attr_at(&m, off)), inet_addr("192.168.2.1"));
    assert_int_equal(attr_at(&m, off + 8)->rta_type, IFA_ADDRESS);
    assert_int_equal(attr_at(&m, off + 16)->rta_type, IFA_BROADCAST);
    assert_int_equal(attr_u32(attr_at(&m, off + 16)), inet_addr("192.168.2.255"));
    assert_int_equal(m.u.hdr.nlmsg_len, off + 24);

    nl_build_addr_add(&m, 3, inet_addr("10.0.0.1"), 32); /* no broadcast */
    assert_int_equal(m.u.hdr.nlmsg_len, off + 16);
    nl_build_addr_add(&m, 3, inet_addr("10.1.2.3"), 0);
    assert_int_equal(attr_u32(attr_at(&m, off + 16)), inet_addr("255.255.255.255"));
}

static void test_default_route_request(void **state)
{
    struct nl_msg m;
    const struct rtmsg *rt;
    const struct rtattr *a;

    nl_build_route_default(&m, inet_addr("192.168.2.1"));
    assert_int_equal(m.u.hdr.nlmsg_type, RTM_NEWROUTE);
    rt = (const struct rtmsg *)(m.u.buf + NLMSG_HDRLEN);
    assert_int_equal(rt->rtm_family, AF_INET);
    assert_int_equal(rt->rtm_dst_len, 0);
    assert_int_equal(rt->rtm_table, RT_TABLE_MAIN);
    assert_int_equal(rt->rtm_type, RTN_UNICAST);
    a = attr_at(&m, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*rt)));
    assert_int_equal(a->rta_type, RTA_GATEWAY);
    assert_int_equal(attr_u32(a), inet_addr("192.168.2.1"));
}

static void test_master_and_delete_requests(void **state)
{
    struct nl_msg m;
    const struct rtattr *a;

    nl_build_set_master(&m, 5, 2);
    assert_int_equal(((const struct ifinfomsg *)(m.u.buf + NLMSG_HDRLEN))->ifi_index, 5);
    a = attr_at(&m, NLMSG_HDRLEN + sizeof(struct ifinfomsg));
    assert_int_equal(a->rta_type, IFLA_MASTER);
    assert_int_equal(attr_u32(a), 2);
    nl_build_link_del(&m, 5);
    assert_int_equal(m.u.hdr.nlmsg_type, RTM_DELLINK);
    assert_int_equal(((const struct ifinfomsg *)(m.u.buf + NLMSG_HDRLEN))->ifi_index, 5);
}

/* ---- replies ---- */

struct reply {
    size_t len;
    unsigned char b[1024];
};

static void add_msg(struct reply *r, uint16_t type, uint16_t flags, uint32_t seq,
                    const void *body, size_t body_len)
{
    struct nlmsghdr h = {.nlmsg_len = NLMSG_HDRLEN + body_len,
                         .nlmsg_type = type,
                         .nlmsg_flags = flags,
                         .nlmsg_seq = seq};

    memcpy(r->b + r->len, &h, sizeof(h));
    if (body_len)
        memcpy(r->b + r->len + NLMSG_HDRLEN, body, body_len);
    r->len += NLMSG_ALIGN(h.nlmsg_len);
}

static void add_error(struct reply *r, uint32_t seq, int code)
{
    struct nlmsgerr e = {.error = code};
    add_msg(r, NLMSG_ERROR, 0, seq, &e, sizeof(e));
}

static void test_ack_is_success(void **state)
{
    struct reply r = {0};

    add_error(&r, 5, 0);
    assert_int_equal(nl_parse_ack(r.b, r.len, 5), 0);
}

static void test_error_code_becomes_errno(void **state)
{
    struct reply r = {0};

    add_error(&r, 5, -EEXIST);
    errno = 0;
    assert_int_equal(nl_parse_ack(r.b, r.len, 5), -1);
    assert_int_equal(errno, EEXIST);
}

static void test_answers_to_other_requests_are_skipped(void **state)
{
    struct reply r = {0};

    add_error(&r, 4, -EPERM); /* a stale answer to an older request */
    assert_int_equal(nl_parse_ack(r.b, r.len, 5), 1);
    add_error(&r, 5, 0);
    assert_int_equal(nl_parse_ack(r.b, r.len, 5), 0);
}

static void test_multipart_without_ack_asks_for_more(void **state)
{
    struct reply r = {0};
    struct ifinfomsg ifi = {.ifi_index = 9};

    add_msg(&r, RTM_NEWLINK, NLM_F_MULTI, 5, &ifi, sizeof(ifi));
    add_msg(&r, RTM_NEWLINK, NLM_F_MULTI, 5, &ifi, sizeof(ifi));
    add_msg(&r, NLMSG_DONE, NLM_F_MULTI, 5, "\0\0\0\0", 4);
    assert_int_equal(nl_parse_ack(r.b, r.len, 5), 1);
}

static void test_link_reply_gives_ifindex(void **state)
{
    struct reply r = {0};
    struct ifinfomsg ifi = {.ifi_index = 17};
    int idx = -5;

    add_msg(&r, RTM_NEWLINK, 0, 4, &ifi, sizeof(ifi)); /* not ours */
    assert_int_equal(nl_parse_reply(r.b, r.len, 5, &idx), 1);
    assert_int_equal(idx, -5);
    ifi.ifi_index = 23;
    add_msg(&r, RTM_NEWLINK, 0, 5, &ifi, sizeof(ifi));
    assert_int_equal(nl_parse_reply(r.b, r.len, 5, &idx), 1);
    assert_int_equal(idx, 23);
    add_error(&r, 5, 0);
    idx = 0;
    assert_int_equal(nl_parse_reply(r.b, r.len, 5, &idx), 0);
    assert_int_equal(idx, 23);
    /* a link message too short for an ifinfomsg gives nothing */
    memset(&r, 0, sizeof(r));
    add_msg(&r, RTM_NEWLINK, 0, 5, &ifi, 4);
    idx = 0;
    assert_int_equal(nl_parse_reply(r.b, r.len, 5, &idx), 1);
    assert_int_equal(idx, 0);
}

static void expect_bad(const void *buf, size_t len)
{
    errno = 0;
    assert_int_equal(nl_parse_ack(buf, len, 5), -1);
    assert_int_equal(errno, EBADMSG);
}

static void test_truncated_and_lying_lengths_are_bad(void **state)
{
    struct reply r = {0};
    struct nlmsghdr h;

    add_error(&r, 5, 0);
    expect_bad(r.b, 10);               /* half a header */
    expect_bad(r.b, NLMSG_HDRLEN + 2); /* body cut short */
    memcpy(&h, r.b, sizeof(h));
    h.nlmsg_len = 4000; /* past the buffer */
    memcpy(r.b, &h, sizeof(h));
    expect_bad(r.b, r.len);
    h.nlmsg_len = 8; /* shorter than its own header */
    memcpy(r.b, &h, sizeof(h));
    expect_bad(r.b, r.len);
    h.nlmsg_len = NLMSG_HDRLEN + 2; /* an error without room for a code */
    memcpy(r.b, &h, sizeof(h));
    expect_bad(r.b, r.len);
    h.nlmsg_len = UINT32_MAX;
    memcpy(r.b, &h, sizeof(h));
    expect_bad(r.b, r.len);
    assert_int_equal(nl_parse_ack(r.b, 0, 5), 1); /* nothing yet */
}

static void test_impossible_error_codes_are_bad(void **state)
{
    struct reply r = {0};

    add_error(&r, 5, 1);
    expect_bad(r.b, r.len);
    memset(&r, 0, sizeof(r));
    add_error(&r, 5, INT_MIN);
    expect_bad(r.b, r.len);
    memset(&r, 0, sizeof(r));
    add_error(&r, 5, -5000);
    expect_bad(r.b, r.len);
}

static void test_garbage_after_a_message_is_bad(void **state)
{
    struct reply r = {0};

    add_error(&r, 4, 0);
    r.len += 6; /* a tail too short for a header */
    expect_bad(r.b, r.len);
}

static void test_overrun_is_enobufs(void **state)
{
    struct reply r = {0};

    add_msg(&r, NLMSG_OVERRUN, 0, 5, NULL, 0);
    errno = 0;
    assert_int_equal(nl_parse_ack(r.b, r.len, 5), -1);
    assert_int_equal(errno, ENOBUFS);
}

static void test_unaligned_buffer_is_read(void **state)
{
    struct reply r = {0};
    unsigned char odd[sizeof(r.b) + 1];

    add_error(&r, 5, -ENODEV);
    memcpy(odd + 1, r.b, r.len);
    assert_int_equal(nl_parse_ack(odd + 1, r.len, 5), -1);
    assert_int_equal(errno, ENODEV);
}

/* Random and mutated buffers: the answer is always one of the three, and
 * (under a sanitizer or valgrind) nothing is read outside the buffer. */
static void test_parser_survives_random_bytes(void **state)
{
    unsigned char *buf;
    struct reply r = {0};
    struct ifinfomsg ifi = {.ifi_index = 3};

    add_msg(&r, RTM_NEWLINK, NLM_F_MULTI, 5, &ifi, sizeof(ifi));
    add_error(&r, 5, -EPERM);
    srand(12345);
    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)rand() % 96;
        int idx, rc;

        buf = malloc(len ? len : 1); /* exact size: overreads are caught */
        assert_non_null(buf);
        if (i % 2) {
            for (size_t k = 0; k < len; k++)
                buf[k] = (unsigned char)rand();
        } else {
            len = len < r.len ? len : r.len;
            memcpy(buf, r.b, len);
            if (len)
                buf[(size_t)rand() % len] ^= (unsigned char)(1u << (rand() % 8));
        }
        rc = nl_parse_reply(buf, len, (uint32_t)(i % 3 ? 5 : rand()), &idx);
        assert_true(rc == -1 || rc == 0 || rc == 1);
        free(buf);
    }
}

/* ---- veth names ---- */

static void test_short_service_gets_v_prefix(void **state)
{
    char out[NET_IFNAME_MAX];

    net_veth_name("web", out);
    assert_string_equal(out, "vweb");
    net_veth_name("abcdefghijklmn", out); /* 14 chars: exactly fits */
    assert_string_equal(out, "vabcdefghijklmn");
}

static void test_long_service_names_are_truncated_with_hash(void **state)
{
    char a[NET_IFNAME_MAX], b[NET_IFNAME_MAX], c[NET_IFNAME_MAX];

    net_veth_name("abcdefghijklmno", a); /* 15 chars */
    assert_int_equal(strlen(a), IFNAMSIZ - 1);
    assert_memory_equal(a, "vabcdefgh", 9);
    assert_string_not_equal(a, "vabcdefghijklmn"); /* not the 14-char one's */
    net_veth_name("database-primary-eu-west-1", b);
    net_veth_name("database-primary-eu-west-2", c);
    assert_int_equal(strlen(b), 15);
    assert_memory_equal(b, "vdatabase", 9);
    assert_string_not_equal(b, c);
    net_veth_name("database-primary-eu-west-1", c);
    assert_string_equal(b, c); /* stable across runs: stale links are found */
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(x, y);
}

static void test_many_similar_names_never_collide(void **state)
{
    enum { N = 3000 };
    static char names[N][NET_IFNAME_MAX];
    char svc[64];

    for (int i = 0; i < N; i++) {
        /* a third short, the rest long with one shared prefix */
        if (i % 3 == 0)
            snprintf(svc, sizeof(svc), "s%d", i);
        else
            snprintf(svc, sizeof(svc), "worker-pool-instance-%d", i);
        net_veth_name(svc, names[i]);
        assert_true(strlen(names[i]) > 1 && strlen(names[i]) < IFNAMSIZ);
    }
    qsort(names, N, sizeof(names[0]), cmp_names);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(names[i - 1], names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attr_is_padded_to_four_bytes),
        cmocka_unit_test(test_string_attr_carries_its_nul),
        cmocka_unit_test(test_nest_length_covers_children_with_padding),
        cmocka_unit_test(test_overflow_is_sticky_and_stays_in_buffer),
        cmocka_unit_test(test_veth_request_nests_peer_in_linkinfo),
        cmocka_unit_test(test_bridge_request_names_kind_bridge),
        cmocka_unit_test(test_link_up_sets_only_the_up_flag),
        cmocka_unit_test(test_addr_request_has_local_address_and_broadcast),
        cmocka_unit_test(test_default_route_request),
        cmocka_unit_test(test_master_and_delete_requests),
        cmocka_unit_test(test_ack_is_success),
        cmocka_unit_test(test_error_code_becomes_errno),
        cmocka_unit_test(test_answers_to_other_requests_are_skipped),
        cmocka_unit_test(test_multipart_without_ack_asks_for_more),
        cmocka_unit_test(test_link_reply_gives_ifindex),
        cmocka_unit_test(test_truncated_and_lying_lengths_are_bad),
        cmocka_unit_test(test_impossible_error_codes_are_bad),
        cmocka_unit_test(test_garbage_after_a_message_is_bad),
        cmocka_unit_test(test_overrun_is_enobufs),
        cmocka_unit_test(test_unaligned_buffer_is_read),
        cmocka_unit_test(test_parser_survives_random_bytes),
        cmocka_unit_test(test_short_service_gets_v_prefix),
        cmocka_unit_test(test_long_service_names_are_truncated_with_hash),
        cmocka_unit_test(test_many_similar_names_never_collide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
