/* `nsinit check FILE...`: loads each file as boot mode would and prints
 * every problem as FILE:LINE: message on stderr; silent when all is well. */
#include <string.h>

#include "config.h"
#include "fmt.h"

static int check_usage(int fd, int status)
{
    fmt_fd(fd, "usage: nsinit check FILE...\n"
               "Validates nsinit config files (see nsinit.conf(5)); prints each "
               "problem as FILE:LINE: message.\nExit 0 valid, 1 invalid, 2 usage.\n");
    return status;
}

int config_check_main(int argc, char **argv)
{
    int i = 1, bad = 0;

    if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")))
        return check_usage(1, 0);
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
        fmt_fd(2, "nsinit check: unknown option '%s'\n", argv[i]);
        return check_usage(2, 2);
    }
    if (i >= argc)
        return check_usage(2, 2);
    for (; i < argc; i++) {
        struct diag d;
        struct config *c;

        diag_to_stderr(&d);
        c = config_load(argv[i], &d);
        if (!c || c->n_errors || d.count)
            bad = 1;
        config_free(c);
    }
    return bad;
}
