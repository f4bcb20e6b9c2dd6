/* The log ring. Records lie back to back in one byte buffer; one that
 * does not fit before the end leaves a wrap mark (a zero length) and
 * starts again at offset 0. Putting a record evicts the oldest ones that
 * lie where it goes, so the records always form one run from head to
 * tail. Readers hold a sequence number: one behind first_seq was
 * overtaken and learns how many lines it lost. */
#include "logring.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "loop.h"

struct rec {
    uint16_t len;      /* the whole record; 0 is a wrap mark */
    uint8_t name_len;
    uint8_t pad;
    uint32_t ms;       /* milliseconds in the second */
    int64_t sec;       /* CLOCK_REALTIME seconds */
};
#define HDR sizeof(struct rec)

static char *ring;
static uint32_t size, head, tail;
static uint64_t first_seq, next_seq;
static void (*notify)(void);

int ring_init(uint32_t bytes)
{
    if (ring || !bytes)
        return 0;
    if (!(ring = malloc(bytes)))
        return -1;
    size = bytes;
    return 0;
}

bool ring_on(void)
{
    return ring != NULL;
}

void ring_set_notify(void (*fn)(void))
{
    notify = fn;
}

static void rec_at(uint32_t off, struct rec *r)
{
    memcpy(r, ring + off, HDR);
}

/* The offset of the record at off, past a wrap mark or a tail too
 * short for a header. */
static uint32_t unwrap(uint32_t off)
{
    struct rec r;

    if (size - off < HDR)
        return 0;
    rec_at(off, &r);
    return r.len ? off : 0;
}

static void evict(void)
{
    struct rec r;

    rec_at(head, &r);
    first_seq++;
    head = first_seq == next_seq ? tail : unwrap(head + r.len);
}

void ring_put(const char *name, const char *text, size_t len)
{
    struct timespec ts;
    struct rec r = {0};
    size_t nl = strlen(name);
    uint32_t need;

    if (!ring)
        return;
    if (len > 2048)
        len = 2048;
    need = (uint32_t)(HDR + nl + len);
    if (tail + need > size) {
        /* Wrap: what lies between tail and the end goes first. */
        while (first_seq != next_seq && head >= tail)
            evict();
        if (size - tail >= sizeof(r.len))
            memset(ring + tail, 0, sizeof(r.len));
        tail = 0;
        if (first_seq == next_seq)
            head = 0;
    }
    while (first_seq != next_seq && head >= tail && head < tail + need)
        evict();
    clock_gettime(CLOCK_REALTIME, &ts);
    r.len = (uint16_t)need;
    r.name_len = (uint8_t)nl;
    r.sec = ts.tv_sec;
    r.ms = (uint32_t)(ts.tv_nsec / 1000000);
    memcpy(ring + tail, &r, HDR);
    memcpy(ring + tail + HDR, name, nl);
    memcpy(ring + tail + HDR + nl, text, len);
    if (first_seq == next_seq)
        head = tail;
    tail += need;
    next_seq++;
    if (notify)
        notify();
}

void ring_flood_end(struct ring_flood *f, const char *name)
{
    char line[96];

    if (!f->dropped)
        return;
    ring_put("nsinit", line,
             fmt(line, sizeof(line), "%s: %u lines not kept in the log (flood: over %u bytes/s)",
                 name, f->dropped, size / 4));
    f->dropped = 0;
}

void ring_put_limited(struct ring_flood *f, const char *name, const char *text, size_t len)
{
    uint64_t now = now_ms() / 1000;

    if (!ring)
        return;
    if (now != f->window) {
        ring_flood_end(f, name);
        f->window = now;
        f->bytes = 0;
    }
    f->bytes += (uint32_t)(HDR + len);
    if (f->bytes > size / 4) {
        f->dropped++;
        return;
    }
    ring_put(name, text, len);
}

static bool rec_is(uint32_t off, const char *name)
{
    struct rec r;

    if (!name)
        return true;
    rec_at(off, &r);
    return r.name_len == strlen(name) && !memcmp(ring + off + HDR, name, r.name_len);
}

/* Past the record at off, not yet unwrapped: what lies there is known
 * only once the next record has been written. */
static uint32_t rec_next(uint32_t off)
{
    struct rec r;

    rec_at(off, &r);
    return off + r.len;
}

void ring_seek_last(struct ring_cursor *c, const char *name, unsigned n)
{
    uint64_t matching = 0, skip;
    uint32_t off = head;

    c->seq = first_seq;
    c->off = head;
    if (!ring || !n)
        return;
    for (uint64_t s = first_seq; s < next_seq; s++, off = rec_next(off))
        matching += rec_is(off = unwrap(off), name);
    skip = matching > n ? matching - n : 0;
    for (; skip; c->seq++, c->off = rec_next(c->off))
        skip -= rec_is(c->off = unwrap(c->off), name);
}

/* A time since 1970 as UTC, by eras of 400 years (146097 days): the
 * year taken to begin on 1 March, so the leap day comes last. */
static size_t stamp(char *buf, size_t bufsize, int64_t sec, unsigned ms)
{
    unsigned days = (unsigned)(sec / 86400), secs = (unsigned)(sec % 86400);
    unsigned z = days + 719468, era = z / 146097, doe = z - era * 146097;
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;

    return fmt(buf, bufsize, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ ", yoe + era * 400 + (m <= 2),
               m, d, secs / 3600, secs / 60 % 60, secs % 60, ms);
}

size_t ring_stamp(char *buf, size_t bufsize)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return stamp(buf, bufsize, ts.tv_sec, (unsigned)(ts.tv_nsec / 1000000));
}

size_t ring_next(struct ring_cursor *c, const char *name, char *buf, size_t bufsize,
                 uint64_t *lost)
{
    struct rec r;
    size_t n;

    if (!ring)
        return 0;
    if (c->seq < first_seq) {
        *lost += first_seq - c->seq;
        c->seq = first_seq;
        c->off = head;
    }
    while (c->seq < next_seq && !rec_is(c->off = unwrap(c->off), name))
        c->seq++, c->off = rec_next(c->off);
    if (c->seq == next_seq)
        return 0;
    rec_at(c->off, &r);
    if (bufsize < 40u + r.len)
        return 0;
    n = stamp(buf, bufsize, r.sec, r.ms);
    memcpy(buf + n, ring + c->off + HDR, r.name_len);
    n += r.name_len;
    buf[n++] = ':';
    buf[n++] = ' ';
    memcpy(buf + n, ring + c->off + HDR + r.name_len, r.len - HDR - r.name_len);
    n += r.len - HDR - r.name_len;
    buf[n++] = '\n';
    c->seq++;
    c->off = rec_next(c->off);
    return n;
}
