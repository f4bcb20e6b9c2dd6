/* Signal names and numbers, both ways: for -p, stop_signal and messages. */
#ifndef NSINIT_SIGNAME_H
#define NSINIT_SIGNAME_H

/* "TERM", "SIGTERM", "term", "15", "RTMIN+3", "SIGRTMAX-1": the number, or -1. */
int sig_from_name(const char *name);
/* "SIGTERM", or "SIG34" for those without a name, written into buf. */
const char *sig_name(int sig, char buf[12]);

#endif
