/* The log ring. Lines are kept as ctl log prints them, "TIME NAME: text\n",
 * back to back in one byte buffer and wrapping around its end; putting
 * one evicts the oldest until it fits. Readers hold a sequence number:
 * one behind first_seq was overtaken and learns how many lines it lost. */
#include "logring.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "config.h"
#include "control.h"
#include "fmt.h"
#include "loop.h"

#define STAMP_LEN 25 /* "2026-12-03T06:12:01.123Z " */

static char *ring;
static uint32_t size, used, head, tail;
static uint64_t first_seq, next_seq;
static void (*notify)(void);

int ring_init(uint32_t bytes)
{
    if (ring || !bytes)
        return 0;
    /* mmap, as the config arena: no allocator is linked in, and a page
     * costs memory only once a line reaches it. */
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    ring = p;
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

/* n bytes at off out of the ring, around its end. */
static void copy_out(char *p, uint32_t off, size_t n)
{
    size_t k = size - off < n ? size - off : n;

    memcpy(p, ring + off, k);
    memcpy(p + k, ring, n - k);
}

/* Just past the newline of the line at off. */
static uint32_t line_end(uint32_t off)
{
    char *nl = memchr(ring + off, '\n', size - off);

    if (!nl)
        nl = memchr(ring, '\n', off);
    return (uint32_t)((nl - ring + 1) % size);
}

static uint32_t line_len(uint32_t off)
{
    return (line_end(off) + size - off) % size;
}

void ring_put(const char *name, const char *text, size_t len)
{
    char line[CONTROL_LOG_LINE_MAX];
    size_t n, k;

    if (!ring)
        return;
    if (len > 2048)
        len = 2048;
    n = ring_stamp(line, sizeof(line));
    n += fmt(line + n, sizeof(line) - n, "%s: ", name);
    memcpy(line + n, text, len);
    n += len;
    line[n++] = '\n';
    while (used + n > size) {
        used -= line_len(head);
        head = line_end(head);
        first_seq++;
    }
    k = size - tail < n ? size - tail : n;
    memcpy(ring + tail, line, k);
    memcpy(ring, line + k, n - k);
    tail = (uint32_t)((tail + n) % size);
    used += (uint32_t)n;
    next_seq++;
    if (notify)
        notify();
}

void ring_put_counted(struct ring_flood *f, const char *name, const char *text, size_t len)
{
    uint64_t now = now_ms() / 1000;
    uint32_t quarter = size / 4;
    char note[112];

    if (!ring)
        return;
    if (now != f->window) {
        if (f->bytes <= quarter)
            f->since = f->lines = 0; /* no flood then: counting starts again */
        f->window = now;
        f->bytes = 0;
    }
    f->bytes += (uint32_t)(STAMP_LEN + 3 + len);
    f->since += (uint32_t)(STAMP_LEN + 3 + len);
    f->lines++;
    ring_put(name, text, len);
    if (f->bytes > quarter && f->since > quarter) {
        ring_put("nsinit", note,
                 fmt(note, sizeof(note), "%s: flooding the log (over %u bytes/s): %u lines", name,
                     quarter, f->lines));
        f->since = f->lines = 0;
    }
}

/* Is the line at off name's (NULL: anyone's)? Names hold no ':'. */
static bool line_is(uint32_t off, const char *name)
{
    char head_[STAMP_LEN + SERVICE_NAME_MAX + 1];
    size_t nl;

    if (!name)
        return true;
    nl = strlen(name);
    copy_out(head_, off, STAMP_LEN + nl + 1);
    return !memcmp(head_ + STAMP_LEN, name, nl) && head_[STAMP_LEN + nl] == ':';
}

void ring_seek_last(struct ring_cursor *c, const char *name, unsigned n)
{
    uint64_t matching = 0;
    uint32_t off = head;

    c->seq = first_seq;
    c->off = head;
    for (uint64_t s = first_seq; n && s < next_seq; s++, off = line_end(off))
        matching += line_is(off, name);
    for (; matching > n; c->seq++, c->off = line_end(c->off))
        matching -= line_is(c->off, name);
}

/* A time since 1970 as UTC, by eras of 400 years (146097 days): the
 * year taken to begin on 1 March, so the leap day comes last. */
size_t ring_stamp(char *buf, size_t bufsize)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned days = (unsigned)(ts.tv_sec / 86400), secs = (unsigned)(ts.tv_sec % 86400);
    unsigned z = days + 719468, era = z / 146097, doe = z - era * 146097;
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;

    return fmt(buf, bufsize, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ ", yoe + era * 400 + (m <= 2),
               m, d, secs / 3600, secs / 60 % 60, secs % 60,
               (unsigned)(ts.tv_nsec / 1000000));
}

size_t ring_next(struct ring_cursor *c, const char *name, char *buf, size_t bufsize,
                 uint64_t *lost)
{
    if (c->seq < first_seq) {
        *lost = first_seq - c->seq;
        c->seq = first_seq;
        c->off = head;
        return 0;
    }
    for (; c->seq < next_seq; c->seq++, c->off = line_end(c->off)) {
        uint32_t n = line_len(c->off);

        if (!line_is(c->off, name))
            continue;
        if (n > bufsize)
            return 0;
        copy_out(buf, c->off, n);
        c->seq++;
        c->off = line_end(c->off);
        return n;
    }
    return 0;
}
