/* The time namespace of a service: CLOCK_MONOTONIC and CLOCK_BOOTTIME
 * offsets as the config gives them. */
#ifndef NSINIT_TIMENS_H
#define NSINIT_TIMENS_H
#include "config.h"
#include "step.h"

/* Child side, before mounts (it writes through the host's /proc) and after
 * idmap_enter. With CLONE_NEWTIME in s->ns_flags: unshare(CLONE_NEWTIME),
 * write the offsets to /proc/self/timens_offsets, then setns() into the new
 * namespace, so the caller and what it execs run with them.
 * CLONE_NEWTIME must NOT be passed to clone3: a namespace that a task has
 * entered is frozen and its offsets can no longer be written (EACCES). */
int timens_setup(const struct svc_conf *s, struct step *st);

#endif
