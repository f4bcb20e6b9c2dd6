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

/* -r SRC:DST, names or numbers; DST 0 drops SRC. */
static int take_rewrite(const char *value, struct options *o)
{
    char src[16];
    const char *colon = strchr(value, ':');
    size_t n = colon ? (size_t)(colon - value) : sizeof(src);
    int from, to;

    if (n >= sizeof(src))
        return -1;
    memcpy(src, value, n);
    src[n] = '\0';
    from = sig_from_name(src);
    to = strcmp(colon + 1, "0") ? sig_from_name(colon + 1) : 0;
    if (from <= 0 || to < 0)
        return -1;
    o->rewrite[from] = (uint8_t)to;
    return 0;
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
    case 'P':
        if (parse_u32(value, &n) || n > 65536)
            return bad(err, len, "--preserve-fds: bad count", value);
        o->preserve_fds = (int)n;
        return 0;
    }
    return take_rewrite(value, o) ? bad(err, len, "-r: want SRC:DST signals, not", value) : 0;
}

static int long_option(char *arg, char **next, struct options *o, int *used, char *err, int len)
{
    /* The long options with a value, as the short letter take_value knows. */
    static const struct {
        char name[14];
        char opt;
    } with_value[] = {{"preserve-fds", 'P'}, {"rewrite", 'r'}};

    if (!strcmp(arg, "--help"))
        return o->action = ACT_HELP, 0;
    if (!strcmp(arg, "--version"))
        return o->action = ACT_VERSION, 0;
    for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++) {
        size_t n = strlen(with_value[i].name);

        if (strncmp(arg + 2, with_value[i].name, n))
            continue;
        if (arg[2 + n] == '=')
            return take_value(with_value[i].opt, arg + 3 + n, o, err, len);
        if (arg[2 + n])
            break;
        if (!*next)
            return bad(err, len, "missing value for", arg);
        *used = 1;
        return take_value(with_value[i].opt, *next, o, err, len);
    }
    return bad(err, len, "unknown option", arg);
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
        case 'p': case 'e': case 't': case 'c': case 'r':
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
    for (i = 0; i < (int)sizeof(o->rewrite); i++)
        o->rewrite[i] = (uint8_t)i;
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

void options_from_env(struct options *o, const char *kill_group, const char *verbosity)
{
    uint32_t n;

    if (kill_group && *kill_group)
        o->group = true;
    if (verbosity && !parse_u32(verbosity, &n) && n > 1 && !o->verbose)
        o->verbose = (int)n - 1;
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
