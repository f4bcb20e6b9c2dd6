/* Names of capabilities, resource limits and namespaces, both ways: used by
 * the config parser and by the runtime for its messages. */
#ifndef NSINIT_NAMES_H
#define NSINIT_NAMES_H

#define CAP_LAST_KNOWN 40 /* cap_checkpoint_restore, Linux 5.9 */

/* "cap_net_admin", "NET_ADMIN", "net_admin": the number, or -1. */
int cap_from_name(const char *name);
/* "cap_net_admin" for 12, or NULL past CAP_LAST_KNOWN. */
const char *cap_name(int cap);
/* "nofile", "NOFILE", "RLIMIT_NOFILE": RLIMIT_NOFILE, or -1. */
int rlimit_from_name(const char *name);
/* "nofile" for RLIMIT_NOFILE, or NULL. */
const char *rlimit_name(int resource);
/* "net" -> CLONE_NEWNET ... as /proc/PID/ns names them; 0 when unknown. */
int ns_from_name(const char *name);
/* CLONE_NEWNET -> "net" (one flag), or NULL. */
const char *ns_name(int flag);

#endif
