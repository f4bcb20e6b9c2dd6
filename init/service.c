/* The service state machine: every event in every state has its answer
 * here, and nowhere else. See service.h for the states. */
#include "service.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "fmt.h"
#include "log.h"
#include "options.h"
#include "output.h"
#include "ready.h"
#include "runtime.h"
#include "signame.h"
#include "spawn.h"
#include "supervisor.h"

#define RAPID_MS 1000        /* a run shorter than this is a rapid failure */
#define BACKOFF_CAP_MS 30000
#define BACKOFF_FLOOR_MS 100 /* restart_delay = 0 must not make a crash loop spin */
#define KILL_WAIT_MS 5000    /* how long a SIGKILLed process may take to go */

static const char *const state_names[] = {
    "stopped", "waiting", "starting", "running", "stopping", "backoff", "failed", "done",
};

const char *service_state_name(enum svc_state st)
{
    return state_names[st];
}

bool service_satisfies(const struct service *s)
{
    if (s->conf && s->conf->oneshot)
        return s->state == SVC_DONE;
    return s->state == SVC_RUNNING;
}

bool service_alive(const struct service *s)
{
    return s->pid > 0;
}

static void on_timer(struct timer *t)
{
    /* The timer is the first thing service_event needs: find its owner. */
    struct service *s = (struct service *)((char *)t - offsetof(struct service, timer));
    service_event(s, EV_TIMER, 0);
}

static void on_report(int fd, short revents, void *ctx)
{
    struct service *s = ctx;
    int rc = spawn_read_report(s);

    if (rc == 1)
        return;
    loop_unwatch(fd);
    if (rc == 0)
        service_event(s, EV_EXEC_OK, 0);
}

static void start_now(struct service *s)
{
    const struct svc_conf *c = s->conf;
    pid_t pid;

    s->started_at = now_ms();
    s->killed = s->exec_done = s->ready_seen = s->not_ready = false;
    s->wait_ready = c->ready != READY_EXEC;
    s->status_text[0] = '\0';
    s->stop_signal = c->stop_signal;
    s->stop_timeout_ms = c->stop_timeout_ms;
    s->state = SVC_STARTING;
    if ((pid = spawn_service(s, c)) < 0) {
        service_event(s, EV_EXIT, -1);
        return;
    }
    s->pid = pid;
    if (s->wait_ready) {
        s->timer.fire = on_timer;
        timer_arm(&s->timer, s->started_at + c->ready_timeout_ms);
    }
    if (s->report_fd >= 0 && loop_watch(s->report_fd, POLLIN, on_report, s) < 0)
        log_error("%s: cannot watch its launch: %s", s->name, strerror(errno));
}

static void send_stop(struct service *s)
{
    s->state = SVC_STOPPING;
    if (kill(s->pid, s->stop_signal) < 0 && errno != ESRCH)
        log_error("%s: kill: %s", s->name, strerror(errno));
    s->timer.fire = on_timer;
    timer_arm(&s->timer, now_ms() + s->stop_timeout_ms);
}

static void not_ready(struct service *s)
{
    unsigned v = s->conf ? s->conf->ready_timeout_ms : 0;
    const char *unit = "ms";

    /* The duration as a config writes it: 30s, 2m, 500ms. */
    if (v % 1000 == 0) {
        v /= 1000, unit = "s";
        if (v % 60 == 0 && v)
            v /= 60, unit = "m";
    }
    /* Said (and logged) with its exit, as any other reason. */
    fmt(s->reason, sizeof(s->reason), "not ready after %u%s", v, unit);
    s->not_ready = true;
    send_stop(s);
}

static void became_ready(struct service *s)
{
    s->state = SVC_RUNNING;
    timer_disarm(&s->timer);
    if (s->wait_ready)
        log_info("%s: ready", s->name);
}

static void stop_timeout(struct service *s)
{
    log_error("%s: did not stop within %ums: SIGKILL", s->name, s->stop_timeout_ms);
    s->killed = true;
    kill(-s->pid, SIGKILL); /* its process group: helpers too */
    kill(s->pid, SIGKILL);
    timer_arm(&s->timer, now_ms() + KILL_WAIT_MS);
}

/* Only a process stuck in the kernel (a hung NFS or FUSE call, a dead
 * disk) outlives SIGKILL. Waiting on would hold up a shutdown forever:
 * the service is failed and its process left to be reaped whenever it
 * goes, as an orphan. */
static void stuck_after_kill(struct service *s)
{
    fmt(s->reason, sizeof(s->reason), "pid %d still there %ums after SIGKILL: left behind",
        (int)s->pid, KILL_WAIT_MS);
    log_error("%s: %s", s->name, s->reason);
    s->pid = 0;
    s->restart_pending = false;
    s->state = SVC_FAILED;
}

/* After its process ended: nothing else of the service may stay behind. */
static void kill_leftovers(struct service *s, pid_t pid)
{
    kill(-pid, SIGKILL);
    if (cgroup_usable())
        cgroup_service_kill(s->name);
}

/* The log line, and the reason status shows until the next launch. */
static void describe_exit(struct service *s, int status)
{
    char sig[12];

    if (!s->reason[0] && status >= 128)
        fmt(s->reason, sizeof(s->reason), "killed by %s", sig_name(status - 128, sig));
    else if (!s->reason[0] && status != 0)
        fmt(s->reason, sizeof(s->reason), "exited with status %d", status);
    if (s->reason[0])
        log_error("%s: %s", s->name, s->reason);
    else
        log_info("%s: exited with status 0", s->name);
}

/* An exit nobody asked for: restart, give up, or be done. */
static void unexpected_exit(struct service *s, int status)
{
    const struct svc_conf *c = s->conf;
    bool ok = status == 0, restart;
    uint64_t now = now_ms(), delay;

    if (c->is_main && rt.mode != MODE_BOOT && !rt.opts) {
        s->state = ok ? SVC_STOPPED : SVC_FAILED;
        runtime_shutdown(END_EXIT, status < 0 ? 1 : status);
        return;
    }
    if (c->oneshot && ok) {
        s->state = SVC_DONE;
        return;
    }
    restart = c->restart == RESTART_ALWAYS || (c->restart == RESTART_ON_FAILURE && !ok);
    if (!restart) {
        s->state = ok ? SVC_STOPPED : SVC_FAILED;
        return;
    }
    s->rapid = now - s->started_at < RAPID_MS ? s->rapid + 1 : 0;
    if (c->restart_limit && s->rapid >= c->restart_limit) {
        s->state = SVC_FAILED;
        log_error("%s: %u rapid failures in a row: giving up until 'ctl start'", s->name,
                  s->rapid);
        return;
    }
    delay = c->restart_delay_ms;
    if (s->rapid && delay < BACKOFF_FLOOR_MS)
        delay = BACKOFF_FLOOR_MS;
    for (unsigned i = 1; i < s->rapid && delay < BACKOFF_CAP_MS; i++)
        delay *= 2;
    if (s->rapid > 1 && delay > BACKOFF_CAP_MS && c->restart_delay_ms < BACKOFF_CAP_MS)
        delay = BACKOFF_CAP_MS;
    s->state = SVC_BACKOFF;
    s->timer.fire = on_timer;
    timer_arm(&s->timer, now + delay);
}

static void handle_exit(struct service *s, int wstatus)
{
    int status = wstatus < 0 ? -1 : status_from_wait(wstatus);
    pid_t pid = s->pid;
    /* Stopped for not being ready: a failed run, not a stop. */
    bool stopping = s->state == SVC_STOPPING && !s->not_ready;

    if (s->report_fd >= 0) {
        /* It may have reported a failed step just before it exited. */
        int fd = s->report_fd;
        if (spawn_read_report(s) != 1)
            loop_unwatch(fd);
    }
    s->pid = 0;
    s->last_status = status;
    timer_disarm(&s->timer);
    ready_close(s);
    output_flush(s);
    if (stopping) {
        s->state = SVC_STOPPED;
        log_info("%s: stopped", s->name);
    } else {
        describe_exit(s, status);
        unexpected_exit(s, s->not_ready ? -1 : status);
    }
    /* What it left behind would run twice after a restart. A oneshot
     * that succeeded may have started a daemon on purpose: it stays. */
    if (s->state != SVC_DONE && pid > 0)
        kill_leftovers(s, pid);
}

static void ev_start(struct service *s)
{
    switch (s->state) {
    case SVC_STOPPED:
    case SVC_FAILED:
    case SVC_DONE:
        s->rapid = 0;
        s->reason[0] = '\0';
        s->state = SVC_WAITING;
        break;
    case SVC_STOPPING:
        s->restart_pending = true;
        break;
    case SVC_BACKOFF: /* asked for now: no need to sit out the backoff */
        timer_disarm(&s->timer);
        s->state = SVC_WAITING;
        break;
    default: /* already wanted up */
        break;
    }
}

static void ev_stop(struct service *s)
{
    s->restart_pending = false;
    switch (s->state) {
    case SVC_STARTING:
    case SVC_RUNNING:
        send_stop(s);
        break;
    case SVC_WAITING:
    case SVC_BACKOFF:
        timer_disarm(&s->timer);
        s->state = SVC_STOPPED;
        break;
    default: /* stopped, stopping, failed, done: nothing runs */
        break;
    }
}

static void ev_timer(struct service *s)
{
    if (s->state == SVC_STOPPING && !s->killed)
        stop_timeout(s);
    else if (s->state == SVC_STOPPING)
        stuck_after_kill(s);
    else if (s->state == SVC_STARTING && s->wait_ready)
        not_ready(s);
    else if (s->state == SVC_BACKOFF) {
        s->restarts++;
        s->state = SVC_WAITING;
    }
}

void service_event(struct service *s, enum svc_event ev, int arg)
{
    switch (ev) {
    case EV_START:
        ev_start(s);
        break;
    case EV_STOP:
        ev_stop(s);
        break;
    case EV_DEPS_OK:
        if (s->state == SVC_WAITING && s->conf)
            start_now(s);
        break;
    case EV_EXEC_OK:
        s->exec_done = true;
        if (s->state == SVC_STARTING && (!s->wait_ready || s->ready_seen))
            became_ready(s);
        break;
    case EV_READY:
        /* It may say so before PID 1 has seen its exec succeed. */
        s->ready_seen = true;
        if (s->state == SVC_STARTING && s->exec_done)
            became_ready(s);
        break;
    case EV_EXIT:
        handle_exit(s, arg);
        if (s->state == SVC_STOPPED && s->restart_pending) {
            s->restart_pending = false;
            ev_start(s);
        }
        break;
    case EV_TIMER:
        ev_timer(s);
        break;
    }
    supervisor_changed();
}
