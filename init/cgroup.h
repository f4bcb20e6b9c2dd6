/* One cgroup v2 directory per service, for limits (memory_max, pids_max,
 * cpu_weight) and for killing every process of a service at once. Used by
 * PID 1 (not by the child); everything is optional: without a usable
 * cgroup2 at /sys/fs/cgroup, services run without it.
 *
 * Layout under nsinit's own cgroup OWN (from /proc/self/cgroup "0::OWN"):
 *     OWN/nsinit         nsinit itself (a leaf: OWN may then enable controllers)
 *     OWN/NAME.service   one per service, reused across restarts */
#ifndef NSINIT_CGROUP_H
#define NSINIT_CGROUP_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "step.h"

/* Once at start, before any service: moves nsinit into OWN/nsinit and
 * enables what OWN offers of +memory +pids +cpu for the services. 0 when
 * cgroups are usable (even if no controller could be enabled), -1 when not
 * (errno: ENOTSUP when /sys/fs/cgroup is not cgroup2). */
int cgroup_init(void);
bool cgroup_usable(void);

/* Whether a log line about limits s asks for but cannot have is due: at
 * most once per nsinit run for "cgroup v2 is not mounted: memory_max,
 * pids_max, cpu_weight ignored", and once per missing controller. When
 * true, the line (without "nsinit: " and '\n') is in buf. */
bool cgroup_limits_warning(const struct svc_conf *s, char *buf, size_t size);

/* Creates OWN/NAME.service (or reuses it) and writes memory.max, pids.max
 * and cpu.weight: the configured value, or the kernel default when unset
 * (a reused cgroup keeps nothing of an older config); limits whose
 * controller is not enabled are skipped (see cgroup_limits_warning).
 * Returns an O_DIRECTORY|O_CLOEXEC fd for clone3(CLONE_INTO_CGROUP), which
 * the caller closes; -1 with errno and st on failure. */
int cgroup_service_create(const char *name, const struct svc_conf *s, struct step *st);

/* Fallback for kernels without CLONE_INTO_CGROUP (< 5.7): moves pid in. */
int cgroup_service_attach(const char *name, pid_t pid);

/* SIGKILL to every process in the service's cgroup: cgroup.kill (>= 5.14),
 * else freeze, kill each pid of cgroup.procs, thaw. 0 when nothing is
 * left to signal or the cgroup does not exist. */
int cgroup_service_kill(const char *name);
/* The fallback on its own (exposed for the tests). */
int cgroup_service_kill_each(const char *name);

/* rmdir. 0 also when it does not exist, and when it is still busy (EBUSY:
 * killed processes still exiting): the next create reuses it. */
int cgroup_service_remove(const char *name);

#endif
