/* User-namespace id maps of a service: the parent (PID 1) writes them while
 * the child waits, then the child switches to the mapped root. */
#ifndef NSINIT_IDMAP_H
#define NSINIT_IDMAP_H
#include <sys/types.h>

#include "config.h"
#include "step.h"

/* Parent side, after clone3(CLONE_NEWUSER) and before the child goes on:
 * writes /proc/CHILD/uid_map and gid_map (each in one write), and "deny" to
 * /proc/CHILD/setgroups first only when we lack CAP_SETGID (the kernel then
 * refuses a gid_map otherwise). Without CLONE_NEWUSER in s->ns_flags, or
 * with no map lines, writes nothing. */
int idmap_write(pid_t child, const struct svc_conf *s, struct step *st);

/* Child side, once the parent has written the maps: becomes gid 0 and
 * uid 0 of the new namespace where 0 is mapped, and drops the supplementary
 * groups inherited from the host. Until then the child still has the host's
 * kuid 0: it would create files as host root. */
int idmap_enter(const struct svc_conf *s, struct step *st);

/* Becomes root (uid and gid 0, no supplementary groups) of the user
 * namespace the caller is in, where 0 is mapped; used after creating one,
 * joining one (join = user:X) and entering one (ctl enter). */
int idmap_become_root(struct step *st);

#endif
