/* rlimit = lines of a service, applied in its child before the user
 * switch (raising a hard limit needs CAP_SYS_RESOURCE). */
#ifndef NSINIT_RLIMITS_H
#define NSINIT_RLIMITS_H
#include "config.h"
#include "step.h"

/* setrlimit for every rlimit item, in file order; UINT64_MAX is
 * RLIM_INFINITY. Returns 0, or -1 with errno and st = "rlimit nofile". */
int rlimits_apply(const struct svc_conf *s, struct step *st);

/* "nofile" for RLIMIT_NOFILE, as the config names it; "?" if unknown. */
const char *rlimits_name(int resource);

#endif
