/* libFuzzer target: the rtnetlink reply parser. A datagram comes from the
 * kernel, but the parser is written to be safe on any bytes: a reply
 * longer or shorter than its headers say must never be read past. Input:
 * the sequence number (4 bytes), then the datagram, in a buffer of
 * exactly its size so that ASan sees an over-read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t seq;
    int ifindex = -7;

    if (size < 4)
        return 0;
    memcpy(&seq, data, 4);
    size -= 4;
    /* The kernel's datagrams land in an aligned buffer; so does this. */
    void *buf = malloc(size ? size : 1);
    memcpy(buf, data + 4, size);
    int a = nl_parse_ack(buf, size, seq);
    int r = nl_parse_reply(buf, size, seq, &ifindex);
    if (a < -1 || a > 1 || r < -1 || r > 1)
        abort();
    free(buf);
    return 0;
}
