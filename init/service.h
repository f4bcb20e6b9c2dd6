/* One supervised service: its run-time state, and the state machine that
 * answers every event in every state (service.c). */
#ifndef NSINIT_SERVICE_H
#define NSINIT_SERVICE_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "logring.h"
#include "loop.h"

#define SERVICE_LINE_MAX 1024 /* a longer line is split, never dropped */

enum svc_state {
    SVC_STOPPED,  /* not running, not wanted (or stopped by ctl) */
    SVC_WAITING,  /* wanted, waiting for what it is after / joins */
    SVC_STARTING, /* cloned, setting up its namespaces; not yet exec'd, or
                   * (with ready =) not yet ready */
    SVC_RUNNING,
    SVC_STOPPING, /* stop signal sent, SIGKILL at the timer */
    SVC_BACKOFF,  /* exited, restarting at the timer */
    SVC_FAILED,   /* gave up (restart_limit) or invalid; until ctl start */
    SVC_DONE,     /* a oneshot that exited 0 */
};

enum svc_event {
    EV_START,     /* wanted up: ctl start, boot, reload */
    EV_STOP,      /* wanted down: ctl stop, shutdown, reload */
    EV_DEPS_OK,   /* everything it waits for is there */
    EV_EXEC_OK,   /* the launch report pipe closed empty: exec succeeded */
    EV_EXIT,      /* its process was reaped (arg: wait status) */
    EV_TIMER,     /* backoff over, stop or ready timeout hit */
    EV_READY,     /* ready = fd:N or notify: it said it is ready */
};

struct service {
    bool used;
    char name[SERVICE_NAME_MAX];
    const struct svc_conf *conf; /* NULL once a reload removed it */
    enum svc_state state;
    bool restart_pending;        /* start again once stopped (ctl restart, reload) */
    bool remove_pending;         /* forget it once stopped (reload) */
    pid_t pid;
    int report_fd;               /* launch report pipe, -1 when none */
    int log_r, log_w;            /* its stdout/stderr pipe, kept across restarts */
    char line[SERVICE_LINE_MAX];
    size_t line_len;
    struct ring_flood flood;     /* its share of the log ring */
    uint64_t started_at;
    unsigned restarts, rapid;
    int last_status;             /* exit status (code or 128+N), -1 none */
    char reason[240];            /* why it failed, for status and the log */
    struct timer timer;
    bool killed;
    bool exec_done;              /* the launch report closed empty */
    bool wait_ready, ready_seen; /* ready = given at start; it said ready */
    bool not_ready;              /* stopped by ready_timeout: a failed run */
    int ready_fd;                /* fd:N pipe or notify socket, -1 none */
    char status_text[64];        /* notify's last STATUS= */
    int stop_signal;             /* copied at start: a reload may free conf */
    uint32_t stop_timeout_ms;
};

void service_event(struct service *s, enum svc_event ev, int arg);
const char *service_state_name(enum svc_state st);
/* Is it up for those after it: running, or a oneshot done. */
bool service_satisfies(const struct service *s);
bool service_alive(const struct service *s);

#endif
