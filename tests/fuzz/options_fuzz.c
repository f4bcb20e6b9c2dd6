/* libFuzzer target: container mode's command line (tini's options). The
 * input is argv, words split on NUL bytes; argv[0] is the program. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define ARGS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[ARGS_MAX + 2], err[128];
    int argc = 0;
    struct options o;

    memcpy(buf, data, size);
    buf[size] = '\0';
    argv[argc++] = "nsinit";
    for (char *p = buf; p <= buf + size && argc < ARGS_MAX; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    memset(&o, 0, sizeof(o));
    if (options_parse(argc, argv, &o, err, sizeof(err)) == 0) {
        if (o.action == ACT_RUN && o.cmd && !o.cmd[0])
            abort(); /* a command is never empty */
        for (int st = 0; st < 256; st++)
            if (status_map(&o, st) < 0 || status_map(&o, st) > 255)
                abort();
    } else if (!memchr(err, '\0', sizeof(err))) {
        abort(); /* the reason is a string */
    }
    options_from_env(&o, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
    free(buf);
    return 0;
}
