/* Network policy: the [bridge] sections brought up at start (and removed at
 * exit when nsinit made them), and each service's veth into its bridge.
 * Failures name their step in a struct step ("net: eth0 up"). */
#ifndef NSINIT_NET_H
#define NSINIT_NET_H
#include <sys/types.h>
#include "config.h"
#include "step.h"

#define NET_IFNAME_MAX 16 /* IFNAMSIZ, NUL included */

/* Called once per bridge that failed, with its step and errno. */
typedef void net_fail_fn(void *ctx, const struct step *st, int err);

/* Creates every [bridge] of c that does not exist yet (an existing link of
 * that name is reused), adds its address (already there: fine), sets it up.
 * Goes on past a failing bridge, calling fail (may be NULL) for each; returns
 * -1 with errno and st naming the first failure ("bridge br0: up"). */
int net_bridges_up(const struct config *c, struct step *st, net_fail_fn *fail, void *ctx);
/* Deletes the bridges that net_bridges_up created (not the reused ones). */
void net_bridges_down(void);

/* The host end of a service's veth: "v" + name when it fits in 15 chars,
 * else the name's start and a hash of all of it, so names stay distinct. */
void net_veth_name(const char *service, char out[NET_IFNAME_MAX]);

/* In PID 1, once child exists in its new network namespace and before it
 * is released: veth pair, host end in the bridge and up, peer "eth0" inside
 * child's namespace. Nothing to do (0) without `net =`. A host end left by
 * an earlier run of the service is deleted first. */
int net_setup_parent(const struct svc_conf *s, pid_t child, struct step *st);

/* In the child, inside its own network namespace with CAP_NET_ADMIN there,
 * after net_setup_parent finished: lo up, and with `net =` eth0's address,
 * eth0 up and the default route. Does nothing (0) without CLONE_NEWNET in
 * s->ns_flags, so a service never touches a namespace it shares. */
int net_setup_child(const struct svc_conf *s, struct step *st);

#endif
