/* libFuzzer target: the modules.dep / modules.alias / modules.softdep /
 * modules.builtin reader of boot mode. modules.c is compiled in so that its
 * static lookups are reached; the index files, normally mapped from
 * /lib/modules/RELEASE, come from the input instead: four files split on
 * NUL bytes, then the module names to load (one a line) in a fifth part.
 * No module is inserted: the directory named below does not exist, so
 * every open of a .ko fails, as on an image that lacks it. */
#include <stdint.h>
#include <stdlib.h>

#include "../../init/modules.c"

static struct text parts[IDX_N + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char name[64];

    for (int i = 0; i <= IDX_N; i++) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        parts[i].p = p;
        parts[i].n = (size_t)((z ? z : end) - p);
        p = z ? z + 1 : end;
    }
    for (int i = 0; i < IDX_N; i++)
        idx[i] = parts[i];
    fmt(moddir, sizeof(moddir), "/nonexistent/nsinit-fuzz");
    size_t pos = 0;
    struct text l;
    for (int i = 0; i < 4 && text_line(&parts[IDX_N], &pos, &l); i++) {
        if (!l.n || l.n >= sizeof(name) || memchr(l.p, '/', l.n))
            continue;
        memcpy(name, l.p, l.n);
        name[l.n] = '\0';
        mod_steps = MOD_STEPS_MAX; /* as modules_load does per name */
        (void)load_one(name, 0);
    }
    return 0;
}
