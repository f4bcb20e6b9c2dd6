/* Chunked bump allocator behind every string and list element of a config.
 * Chunks are mmap'd 16 KiB at a time (bigger requests get a chunk of their
 * own) and only ever freed together by arena_free(). mmap rather than
 * malloc: nothing else in nsinit allocates, so no allocator is linked in. */
#include "arena.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_ALIGN alignof(max_align_t)

struct chunk {
    struct chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct chunk *head; /* the chunk bump allocations come from */
    size_t total;       /* bytes malloc'd so far, for ARENA_LIMIT */
};

static struct chunk *arena_chunk_new(size_t total, size_t size)
{
    struct chunk *c;

    if (size > ARENA_LIMIT || total + size > ARENA_LIMIT) {
        errno = ENOMEM;
        return NULL;
    }
    c = mmap(NULL, sizeof(*c) + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (c == MAP_FAILED)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct arena *arena_new(void)
{
    struct chunk *c = arena_chunk_new(0, ARENA_CHUNK);
    struct arena *a;

    if (!c)
        return NULL;
    /* The arena's own header lives in its first chunk. */
    a = (struct arena *)c->data;
    c->used = (sizeof(*a) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    a->head = c;
    a->total = ARENA_CHUNK;
    return a;
}

void *arena_alloc(struct arena *a, size_t n)
{
    struct chunk *c = a->head;
    void *p;

    if (n > ARENA_LIMIT) {
        errno = ENOMEM;
        return NULL;
    }
    n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (n == 0)
        n = ARENA_ALIGN;
    if (c->size - c->used < n) {
        /* Big requests get their own chunk behind the head, so the head's
         * free space is not thrown away for them. */
        int alone = n > ARENA_CHUNK / 4;
        size_t size = alone ? n : ARENA_CHUNK;
        struct chunk *nc = arena_chunk_new(a->total, size);

        if (!nc)
            return NULL;
        a->total += size;
        if (alone) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    if (p)
        memcpy(p, s, n);
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_free(struct arena *a)
{
    struct chunk *c, *next;

    if (!a)
        return;
    /* a itself sits inside one of the chunks: read head before freeing. */
    for (c = a->head; c; c = next) {
        next = c->next;
        munmap(c, sizeof(*c) + c->size);
    }
}
