/* libFuzzer target: the config loader on arbitrary bytes. Any crash,
 * sanitizer report, leak or hang (-timeout) is a bug: PID 1 reads this
 * file at boot and on every reload. Run with `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fmt.h"

static void drop_diag(struct diag *d, const char *line, size_t len)
{
    (void)d;
    (void)line;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[32];
    static int fd = -1;
    struct diag d = {drop_diag, NULL, 0};
    struct config *c;

    /* A memfd: one file, rewritten per input, nothing left on disk. */
    if (fd < 0) {
        if ((fd = memfd_create("nsinit.conf", MFD_CLOEXEC)) < 0)
            abort();
        fmt(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    if ((c = config_load(path, &d)))
        config_free(c);
    return 0;
}
