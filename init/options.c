/* Parses `nsinit [OPTIONS] [--] CMD [ARG...]`. Short options cluster
 * (-gw) and take their value attached or as the next word (-e143, -e 143),
 * as getopt does; getopt itself is not used because musl's drags stdio in. */
#include "options.h"

#include <string.h>
#include <sys/wait.h>

#include "config.h"
#include "fmt.h"
#include "signame.h"

static int bad(char *err, int len, const char *what, const char *value)
{
    fmt(err, (size_t)len, "%s '%s'", what, value);
    return -1;
}

static int take_value(char opt, const char *value, struct options *o, char *err, int len)
{
    uint32_t n;

    switch (opt) {
    case 'p':
        if ((o->pdeathsig = sig_from_name(value)) <= 0)
            return bad(err, len, "-p: unknown signal", value);
        return 0;
    case 'e':
        if (parse_u32(value, &n) || n > 255)
            return bad(err, len, "-e: exit code must be 0-255, not", value);
        o->exit_zero[n / 8] |= (uint8_t)(1u << (n % 8));
        return 0;
    case 't':
        if (parse_duration_ms(value, &o->wait_ms))
            return bad(err, len, "-t: bad duration", value);
        return 0;
    case 'c':
        o->config = value;
        return 0;
    }
    return -1;
}

static int long_option(char *arg, char **next, struct options *o, int *used, char *err, int len)
{
    const char *value = NULL;
    uint32_t n;

    if (!strcmp(arg, "--help"))
        return o->action = ACT_HELP, 0;
    if (!strcmp(arg, "--version"))
        return o->action = ACT_VERSION, 0;
    if (!strncmp(arg, "--preserve-fds=", 15))
        value = arg + 15;
    else if (!strcmp(arg, "--preserve-fds")) {
        if (!(value = *next))
            return bad(err, len, "missing value for", arg);
        *used = 1;
    } else
        return bad(err, len, "unknown option", arg);
    if (parse_u32(value, &n) || n > 65536)
        return bad(err, len, "--preserve-fds: bad count", value);
    o->preserve_fds = (int)n;
    return 0;
}

/* One word of clustered short options; *used counts a value taken from
 * the next word. */
static int short_options(char *arg, char **next, struct options *o, int *used, char *err,
                         int len)
{
    char opt[3] = "-?";

    for (char *p = arg + 1; *p; p++) {
        opt[1] = *p;
        switch (*p) {
        case 'g': o->group = true; break;
        case 'w': o->wait = true; break;
        case 'v': o->verbose++; break;
        case 's': break; /* tini: subreaper; nsinit always is one */
        case 'h': o->action = ACT_HELP; break;
        case 'V': o->action = ACT_VERSION; break;
        case 'p': case 'e': case 't': case 'c':
            if (p[1])
                return take_value(*p, p + 1, o, err, len);
            if (!*next)
                return bad(err, len, "missing value for", opt);
            *used = 1;
            return take_value(*p, *next, o, err, len);
        default:
            return bad(err, len, "unknown option", opt);
        }
    }
    return 0;
}

int options_parse(int argc, char **argv, struct options *o, char *err, int len)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->wait_ms = 5000;
    for (i = 1; i < argc; i++) {
        char *arg = argv[i];
        int used = 0, rc;

        if (!strcmp(arg, "--")) {
            i++;
            break;
        }
        if (arg[0] != '-' || !arg[1])
            break; /* the command starts here, as with tini */
        rc = arg[1] == '-' ? long_option(arg, &argv[i + 1], o, &used, err, len)
                           : short_options(arg, &argv[i + 1], o, &used, err, len);
        if (rc)
            return -1;
        i += used;
    }
    o->cmd = i < argc ? &argv[i] : NULL;
    if (o->action == ACT_RUN && !o->cmd && !o->config) {
        fmt(err, (size_t)len, "no command given: nsinit [OPTIONS] -- CMD [ARG...]");
        return -1;
    }
    return 0;
}

int status_from_wait(int wstatus)
{
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

int status_map(const struct options *o, int status)
{
    if (status >= 0 && status < 256 && (o->exit_zero[status / 8] & (1u << (status % 8))))
        return 0;
    return status;
}
