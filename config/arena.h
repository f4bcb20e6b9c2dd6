/* The config's only allocator: a chunked bump arena. Nothing is freed
 * alone; config_free() releases every chunk at once, so strings handed out
 * never move and need no ownership rules. */
#ifndef NSINIT_ARENA_H
#define NSINIT_ARENA_H
#include <stddef.h>

#define ARENA_CHUNK (16 * 1024)
#define ARENA_LIMIT (32u * 1024 * 1024) /* a hostile config cannot eat PID 1's memory */

struct arena *arena_new(void);
/* Zeroed, aligned memory, or NULL (errno ENOMEM) past ARENA_LIMIT or malloc failure. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

#endif
