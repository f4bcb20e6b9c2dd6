/* Signal names, in one table, both ways. Real-time signals are spelled
 * RTMIN+N / RTMAX-N after the C library's SIGRTMIN/SIGRTMAX, as kill(1) does. */
#include "signame.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"

static const struct {
    char name[8];
    unsigned char num;
} sig_table[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},
    {"ILL", SIGILL},       {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
    {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
    {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
    {"CLD", SIGCHLD},      {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},     {"WINCH", SIGWINCH},
    {"IO", SIGIO},         {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

/* A whole decimal number in [lo, hi], or -1. */
static int small_number(const char *s, int lo, int hi)
{
    long v = 0;

    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9' && v <= hi; s++)
        v = v * 10 + (*s - '0');
    if (*s || v < lo || v > hi)
        return -1;
    return (int)v;
}

int sig_from_name(const char *name)
{
    int n;

    if ((n = small_number(name, 1, SIGRTMAX)) > 0)
        return n;
    if (!strncasecmp(name, "SIG", 3))
        name += 3;
    /* "SIG34": what sig_name writes for a signal without a name. */
    if ((n = small_number(name, 1, SIGRTMAX)) > 0)
        return n;
    for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
        if (!strcasecmp(name, sig_table[i].name))
            return sig_table[i].num;
    if (!strncasecmp(name, "RTMIN", 5)) {
        if (!name[5])
            return SIGRTMIN;
        if (name[5] == '+' && (n = small_number(name + 6, 0, SIGRTMAX - SIGRTMIN)) >= 0)
            return SIGRTMIN + n;
    }
    if (!strncasecmp(name, "RTMAX", 5)) {
        if (!name[5])
            return SIGRTMAX;
        if (name[5] == '-' && (n = small_number(name + 6, 0, SIGRTMAX - SIGRTMIN)) >= 0)
            return SIGRTMAX - n;
    }
    return -1;
}

const char *sig_name(int sig, char buf[12])
{
    for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
        if (sig_table[i].num == sig) {
            fmt(buf, 12, "SIG%s", sig_table[i].name);
            return buf;
        }
    fmt(buf, 12, "SIG%d", sig);
    return buf;
}
