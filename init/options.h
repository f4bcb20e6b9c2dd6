/* Command-line options of container mode (tini-compatible) and the exit
 * status they produce. Pure logic, unit-tested. */
#ifndef NSINIT_OPTIONS_H
#define NSINIT_OPTIONS_H
#include <stdbool.h>
#include <stdint.h>

enum action { ACT_RUN, ACT_HELP, ACT_VERSION };

struct options {
    enum action action;
    bool group;            /* -g: signal the command's process group */
    bool wait;             /* -w: after the command, TERM/KILL what is left */
    int verbose;           /* -v, repeatable */
    int pdeathsig;         /* -p SIG, 0 = none */
    uint32_t wait_ms;      /* -t SECONDS with -w, default 5 s */
    uint8_t exit_zero[32]; /* -e CODE: bit per final status mapped to 0 */
    int preserve_fds;      /* --preserve-fds N */
    uint8_t rewrite[65];   /* -r SRC:DST: forward SRC as rewrite[SRC], 0 drops */
    const char *config;    /* -c FILE */
    char **cmd;            /* NULL-terminated, or NULL without a command */
};

/* Fills o from argv (argv[0] is the program). On a usage error returns -1
 * with a one-line reason in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, int errlen);

/* tini's environment: TINI_KILL_PROCESS_GROUP (non-empty) is -g,
 * TINI_VERBOSITY above 1 is -v; either may be NULL. */
void options_from_env(struct options *o, const char *kill_group, const char *verbosity);

/* The exit status for a wait(2) status: the code, or 128+N for signal N. */
int status_from_wait(int wstatus);
/* Applies -e: a status listed there becomes 0. */
int status_map(const struct options *o, int status);

#endif
