/* The service's user and group: resolved from the files of its own root
 * (called after pivot_root), then setgroups, setresgid, setresuid, and the
 * HOME/USER that follow user =. */
#ifndef NSINIT_CREDS_H
#define NSINIT_CREDS_H
#include "config.h"
#include "step.h"

/* Child side. Call order (see caps.h): rlimits_apply, caps_prepare,
 * caps_no_new_privs, creds_apply, caps_finish.
 * - user = NAME|NUMBER: uid, primary gid, HOME and USER from /etc/passwd;
 *   a number without an entry is fine (gid = the same number, HOME=/,
 *   USER=the number). Supplementary groups: every /etc/group entry that
 *   lists the user by name, plus the primary group (initgroups).
 * - group = NAME|NUMBER with user =: that group replaces the primary
 *   one (also in the list given to setgroups, as initgroups(user, gid)).
 * - group = alone: only the gid changes (groups become just that gid, so
 *   nothing of nsinit's own groups leaks); uid, HOME, USER stay.
 * HOME and USER are set with setenv(): the child must not share nsinit's
 * memory (no CLONE_VM). Returns 0, or -1 with errno and st naming the step
 * ("user www: no such user", "setgroups", ...). */
int creds_apply(const struct svc_conf *s, struct step *st);

#endif
