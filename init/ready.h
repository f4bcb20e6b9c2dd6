/* Readiness of a service that has `ready =`: the read end of its fd:N
 * pipe, or its notify socket, watched in the one loop; what arrives
 * there becomes EV_READY (and STATUS= its status text). */
#ifndef NSINIT_READY_H
#define NSINIT_READY_H
#include <stddef.h>
#include <sys/types.h>

struct service;

/* fd:N: a pipe; returns the end the child makes fd N, or -1. */
int ready_pipe(struct service *s);
/* notify: a datagram socket in the network namespace netns (-1: ours),
 * bound to a fresh abstract name the kernel picks (so nothing in any
 * mount namespace or root is needed); its "@name" goes into addr. */
int ready_socket(struct service *s, int netns, char *addr, size_t size);
/* Stops watching and closes; a no-op without one. */
void ready_close(struct service *s);

#endif
