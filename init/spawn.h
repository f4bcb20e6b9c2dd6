/* Launching a service: clone into its namespaces, the parent's steps (id
 * maps, veth), then the child's straight-line set-up and exec. */
#ifndef NSINIT_SPAWN_H
#define NSINIT_SPAWN_H
#include <stdbool.h>
#include <sys/types.h>

struct service;
struct svc_conf;

/* Boot mode: services start from PATH alone, not our environment. */
extern bool spawn_clean_env;

/* Starts s from c. Returns the pid (s->report_fd then carries the launch
 * report), or -1 with s->reason saying which step failed and why. */
pid_t spawn_service(struct service *s, const struct svc_conf *c);
/* Reads the launch report: 1 while it is still open, 0 when it closed
 * empty (exec succeeded), -1 when a failure was reported (in s->reason). */
int spawn_read_report(struct service *s);

#endif
