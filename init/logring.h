/* The log ring that `nsinit ctl log` reads: one fixed buffer of
 * [init] log_buffer bytes, allocated once at start, holding the last
 * lines of every service and of nsinit itself, each with its arrival
 * time. The oldest lines go first when a new one needs room. */
#ifndef NSINIT_LOGRING_H
#define NSINIT_LOGRING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A reader's place: the sequence number of the next line to read and
 * where it is, valid while that line is still in the ring. */
struct ring_cursor {
    uint64_t seq;
    uint32_t off;
};

/* Allocates the ring once (size 0: no ring, and every call is a no-op);
 * later calls change nothing. */
int ring_init(uint32_t size);
bool ring_on(void);
/* Called after every line put in: the followers' wake-up. */
void ring_set_notify(void (*fn)(void));
/* Keeps one line (without its newline) as NAME's, stamped now. */
void ring_put(const char *name, const char *text, size_t len);
/* Floods made visible. The ring always keeps the newest lines (the
 * oldest go first, whoever wrote them). A service that puts more than a
 * quarter of the ring into it within one second is flooding: a line of
 * nsinit's says so for every further quarter of the ring it fills, so a
 * ring full of its lines always holds one saying why. */
struct ring_flood {
    uint64_t window;        /* the second (CLOCK_MONOTONIC) being counted */
    uint32_t bytes;         /* in that second */
    uint32_t since, lines;  /* since the last note of the flood */
};
void ring_put_counted(struct ring_flood *f, const char *name, const char *text, size_t len);

/* Places c at the last n lines of name (NULL: every line; n 0: all). */
void ring_seek_last(struct ring_cursor *c, const char *name, unsigned n);
/* Copies the next line of name at c ("TIME NAME: text\n") into buf and
 * moves past it; returns its length, or 0 at the end or when it does not
 * fit (c unmoved). A reader the ring overtook gets 0 with *lost set to
 * how many lines it missed, and goes on from the oldest line kept. */
size_t ring_next(struct ring_cursor *c, const char *name, char *buf, size_t size,
                 uint64_t *lost);

/* "2026-12-03T06:12:01.123Z " for now (UTC): the time a note is made. */
size_t ring_stamp(char *buf, size_t size);

#endif
