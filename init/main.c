/* Entry point: the mode follows from argv and from being PID 1. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "container.h"
#include "ctl.h"
#include "fmt.h"
#include "log.h"
#include "options.h"
#include "supervisor.h"

#ifndef NSINIT_VERSION
#define NSINIT_VERSION "0.1"
#endif

static const char usage[] =
    "usage: nsinit [OPTIONS] [--] CMD [ARG...]   run CMD as a container's init\n"
    "       nsinit -c FILE [OPTIONS] [-- CMD...]  supervise FILE's services (and CMD)\n"
    "       nsinit check FILE...                  validate config files\n"
    "       nsinit ctl [-s SOCKET] VERB [NAME]    control a running nsinit\n"
    "       nsinit                                as PID 1: boot, /etc/nsinit.conf\n"
    "options:\n"
    "  -g               signal CMD's process group; CMD gets its own session/group\n"
    "  -p SIG           signal to receive when nsinit's parent dies\n"
    "  -e CODE          treat exit status CODE as 0 (repeatable; 143 = SIGTERM)\n"
    "  -w               after CMD exits, SIGTERM what is left, SIGKILL after -t\n"
    "  -t SECONDS       grace period for -w (default 5)\n"
    "  -c FILE          run FILE's services beside CMD (or alone)\n"
    "  --preserve-fds N pass fds 3..N+2 to CMD (socket activation: LISTEN_FDS)\n"
    "  -r SRC:DST       forward signal SRC as DST, 0 drops it (repeatable; --rewrite)\n"
    "  -s               accepted for tini compatibility (always a subreaper)\n"
    "  -v               more messages on stderr\n"
    "  TINI_KILL_PROCESS_GROUP=1 is -g, TINI_VERBOSITY=2 is -v, TINI_SUBREAPER ignored\n"
    "  -h, --help       this text;  -V, --version  the version\n"
    "ctl verbs: status [NAME], start|stop|restart NAME, reload, enter NAME [-- CMD],\n"
    "           log [NAME] [-n LINES] [-f], poweroff, reboot, halt\n"
    "keys such as ready = fd:N|notify and init = yes: man nsinit.conf\n";

int main(int argc, char **argv)
{
    struct options o;
    char err[200];

    if (argc > 1 && !strcmp(argv[1], "check"))
        return config_check_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "ctl"))
        return ctl_main(argc - 1, argv + 1);
    /* The kernel hands init the words after "--" on its command line. */
    if (getpid() == 1 && (argc == 1 || boot_is_machine()))
        return boot_main(argv + 1);
    if (options_parse(argc, argv, &o, err, sizeof(err)) < 0) {
        /* One line, as the contract asks: the hint rides on it. */
        log_error("%s (see nsinit --help)", err);
        return 2;
    }
    if (o.action == ACT_HELP) {
        return write(1, usage, sizeof(usage) - 1) < 0;
    }
    if (o.action == ACT_VERSION) {
        /* The form of tini's that dockerd parses for `docker info` and
         * `docker version` (prefix "tini version ", then " - git.COMMIT"). */
        fmt_fd(1, "tini version %s - git.nsinit\n", NSINIT_VERSION);
        return 0;
    }
    options_from_env(&o, getenv("TINI_KILL_PROCESS_GROUP"), getenv("TINI_VERBOSITY"));
    log_verbose = o.verbose;
    if (o.cmd)
        return container_main(&o);
    return supervisor_main(&o);
}
