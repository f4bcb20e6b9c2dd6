/* capabilities = and no_new_privs = for a service's child, with raw
 * capget/capset (no libcap). The listed capabilities must survive both the
 * switch to a non-root user and the execve, so the work is split around
 * creds_apply(). The integrator's order, in the child, is exactly:
 *
 *     rlimits_apply(s, st)      rlimits, while still privileged
 *     caps_prepare(s, st)       bounding set drop + PR_SET_KEEPCAPS (needs root)
 *     caps_no_new_privs(s, st)  any time before execve; kept here by convention
 *     creds_apply(s, st)        setgroups, setresgid, setresuid, HOME/USER
 *     caps_finish(s, st)        capset + ambient raise (after the uid change)
 *     ... workdir, environment, execve
 *
 * Without capabilities = the caps_* steps do nothing: root keeps all, a
 * non-root user has none, as usual. */
#ifndef NSINIT_CAPS_H
#define NSINIT_CAPS_H
#include "config.h"
#include "step.h"

/* The highest capability the running kernel knows: from
 * /proc/sys/kernel/cap_last_cap, or probed with PR_CAPBSET_READ when /proc
 * is not mounted. */
int caps_last_cap(void);

/* Checks that nsinit holds every listed capability and that the kernel
 * knows it, drops every other one from the bounding set and sets
 * PR_SET_KEEPCAPS so the permitted set survives setresuid. */
int caps_prepare(const struct svc_conf *s, struct step *st);

/* Sets effective = permitted = inheritable = the list, then raises each in
 * the ambient set so that a non-root user keeps them across execve. */
int caps_finish(const struct svc_conf *s, struct step *st);

/* no_new_privs = yes: PR_SET_NO_NEW_PRIVS (ambient capabilities survive it). */
int caps_no_new_privs(const struct svc_conf *s, struct step *st);

#endif
