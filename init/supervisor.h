/* The service supervisor: dependency order, restarts with backoff, ordered
 * stop. Every service is a state machine written in service.c. */
#ifndef NSINIT_SUPERVISOR_H
#define NSINIT_SUPERVISOR_H
#include <stdbool.h>
#include <sys/types.h>

struct config;
struct diag;
struct options;

/* `nsinit -c FILE` without a command: supervise until SIGTERM/SIGINT. */
int supervisor_main(const struct options *o);

/* Takes ownership of c (valid services start; invalid ones are listed as
 * failed) and starts what can start. */
int supervisor_start(struct config *c);
/* True when pid was one of ours (a service's main process). */
bool supervisor_on_exit(pid_t pid, int wstatus);
/* Stops every service in reverse dependency order; calls
 * runtime_services_stopped() once the last one is down (at once if none). */
void supervisor_stop_all(void);
/* Re-reads the config file; errors go to d and change nothing. */
int supervisor_reload(struct diag *d);
/* At the very end: bridges down, control socket removed. */
void supervisor_cleanup(void);
/* The pid of a running service, or 0. */
pid_t supervisor_pid_of(const char *name);
/* Re-runs scheduling after any service changed state (service.c). */
void supervisor_changed(void);
/* By name, or NULL; and by table index (NULL for a free slot). */
struct service *supervisor_find(const char *name);
/* A waiting service: "waiting for NAME (STATE)", the first service it is
 * after or joins that is not up yet; false when none is. */
bool supervisor_waiting_for(const struct service *s, char *buf, size_t size);
struct service *supervisor_service(int i);

#endif
