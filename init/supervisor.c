/* The supervisor: owns the config in force and the table of services,
 * starts what may start (dependency order), stops in reverse order at
 * shutdown, and applies a reload as a difference. */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "control.h"
#include "fds.h"
#include "log.h"
#include "logring.h"
#include "net.h"
#include "options.h"
#include "output.h"
#include "runtime.h"
#include "service.h"
#include "step.h"

/* Services between clone and exec at once. Each holds a loop slot for its
 * launch report besides its output pipe's: MAX_SERVICES output pipes plus
 * this many reports, the clients and the signalfd fit in LOOP_MAX_FDS. */
#define MAX_LAUNCHING 32

static struct service services[MAX_SERVICES];
static struct config *conf;
/* Absolute: nsinit leaves its start directory, and reload reads it again. */
static char conf_path[4096];
static bool stopping_all, stopped_reported;

struct service *supervisor_find(const char *name)
{
    for (int i = 0; i < MAX_SERVICES; i++)
        if (services[i].used && !strcmp(services[i].name, name))
            return &services[i];
    return NULL;
}

pid_t supervisor_pid_of(const char *name)
{
    struct service *s = supervisor_find(name);

    return s && s->state == SVC_RUNNING ? s->pid : 0;
}

struct service *supervisor_service(int i)
{
    return i >= 0 && i < MAX_SERVICES && services[i].used ? &services[i] : NULL;
}

/* Whether every service s is after has started (a oneshot: is done) and
 * every one it joins runs; if not, *first is the first that has not (NULL
 * when it is not in the table). */
static bool deps_met(const struct service *s, const struct service **first)
{
    const struct svc_conf *c = s->conf;
    const struct service *t;

    LIST_FOR(struct str_item, a, &c->after)
        if (!(t = supervisor_find(a->s)) || !service_satisfies(t))
            return *first = t, false;
    LIST_FOR(struct join_item, j, &c->joins)
        if (j->service && (!(t = supervisor_find(j->service)) || t->state != SVC_RUNNING))
            return *first = t, false;
    return true;
}

static bool deps_ok(const struct service *s)
{
    const struct service *first;

    return deps_met(s, &first);
}

/* Is t after s, or does it join s? Then s stops only once t has. */
static bool depends_on(const struct service *t, const struct service *s)
{
    if (!t->conf)
        return false;
    LIST_FOR(struct str_item, a, &t->conf->after)
        if (!strcmp(a->s, s->name))
            return true;
    LIST_FOR(struct join_item, j, &t->conf->joins)
        if (j->service && !strcmp(j->service, s->name))
            return true;
    return false;
}

/* Through dependents without a process too: web after migrate (a oneshot,
 * done) after db still stops before db. seen: each one looked at once, cycles or not. */
static bool dependents_alive_from(const struct service *s, bool seen[MAX_SERVICES])
{
    for (int i = 0; i < MAX_SERVICES; i++) {
        const struct service *t = &services[i];
        if (!t->used || t == s || seen[i] || !depends_on(t, s))
            continue;
        seen[i] = true;
        if (service_alive(t) || dependents_alive_from(t, seen))
            return true;
    }
    return false;
}

static bool dependents_alive(const struct service *s)
{
    bool seen[MAX_SERVICES] = {false};

    return dependents_alive_from(s, seen);
}

static void forget(struct service *s)
{
    if (cgroup_usable())
        cgroup_service_remove(s->name);
    output_close(s);
    timer_disarm(&s->timer);
    s->used = false;
}

static int count_launching(void)
{
    int n = 0;

    for (int i = 0; i < MAX_SERVICES; i++)
        n += services[i].used && services[i].state == SVC_STARTING && !services[i].exec_done;
    return n;
}

/* One pass over every service; returns whether anything changed state. */
static bool schedule_pass(void)
{
    bool changed = false, alive = false;
    int launching = count_launching();

    for (int i = 0; i < MAX_SERVICES; i++) {
        struct service *s = &services[i];
        enum svc_state before = s->state;

        if (!s->used)
            continue;
        if (s->remove_pending && !service_alive(s)) {
            forget(s);
            continue;
        }
        if (stopping_all) {
            /* Only events that change something: the pass must settle. */
            bool up = s->state == SVC_STARTING || s->state == SVC_RUNNING;
            if (s->state == SVC_WAITING || s->state == SVC_BACKOFF || (up && !dependents_alive(s)))
                service_event(s, EV_STOP, 0);
        } else if (s->state == SVC_WAITING && launching < MAX_LAUNCHING && deps_ok(s)) {
            service_event(s, EV_DEPS_OK, 0);
            launching += s->state == SVC_STARTING;
        }
        alive |= service_alive(s);
        changed |= s->state != before;
    }
    if (stopping_all && !alive && !stopped_reported) {
        stopped_reported = true;
        runtime_services_stopped();
    }
    return changed;
}

/* Can s still come up without anyone's help? Waiting on a service that
 * failed, stopped or is backing off means no (for now). */
static bool may_still_start(const struct service *s, int depth)
{
    if (s->state == SVC_STARTING || (s->state == SVC_RUNNING && s->conf->oneshot))
        return true;
    if (s->state != SVC_WAITING || depth > MAX_SERVICES)
        return false;
    LIST_FOR(struct str_item, a, &s->conf->after) {
        struct service *t = supervisor_find(a->s);
        if (!t || (!service_satisfies(t) && !may_still_start(t, depth + 1)))
            return false;
    }
    LIST_FOR(struct join_item, j, &s->conf->joins) {
        struct service *t = j->service ? supervisor_find(j->service) : NULL;
        if (j->service && (!t || (t->state != SVC_RUNNING && !may_still_start(t, depth + 1))))
            return false;
    }
    return true;
}

bool supervisor_waiting_for(const struct service *s, char *buf, size_t size)
{
    const struct service *t;

    if (s->state != SVC_WAITING || !s->conf || deps_met(s, &t) || !t)
        return false;
    fmt(buf, size, "waiting for %s (%s)", t->name, service_state_name(t->state));
    return true;
}

/* The start is over once nothing can still come up by itself: every
 * service is up (oneshots done), failed, or waits on one that failed. */
static bool start_settled(void)
{
    for (int i = 0; i < MAX_SERVICES; i++)
        if (services[i].used && may_still_start(&services[i], 0))
            return false;
    return true;
}

static void report_started(void)
{
    static bool reported;

    if (reported || stopping_all || !rt.services_started || !start_settled())
        return;
    reported = true;
    rt.services_started();
}

void supervisor_changed(void)
{
    static bool busy, again;

    if (busy) {
        again = true; /* the running pass loops once more */
        return;
    }
    busy = true;
    do {
        again = false;
        again |= schedule_pass();
    } while (again);
    busy = false;
    report_started();
}

static struct service *add_service(const struct svc_conf *c)
{
    for (int i = 0; i < MAX_SERVICES; i++) {
        struct service *s = &services[i];
        if (s->used)
            continue;
        /* The loop still holds this slot's timer: registering it again on
         * every reuse would fill its table until no timer fires. */
        bool registered = s->timer.registered;
        memset(s, 0, sizeof(*s));
        s->timer.registered = registered;
        s->used = true;
        memcpy(s->name, c->name, sizeof(s->name));
        s->conf = c;
        s->report_fd = s->log_r = s->log_w = s->ready_fd = -1;
        s->last_status = -1;
        if (c->invalid) {
            s->state = SVC_FAILED;
            if (c->problem)
                fmt(s->reason, sizeof(s->reason), "invalid config: %s", c->problem);
            else
                fmt(s->reason, sizeof(s->reason), "invalid config at %s:%d", c->file, c->line);
        } else {
            s->state = SVC_STOPPED;
            service_event(s, EV_START, 0);
        }
        return s;
    }
    return NULL;
}

static void bridge_failed(void *ctx, const struct step *st, int err)
{
    log_error("%s: %s", st->what, strerror(err));
}

static void bridges_up(const struct config *c)
{
    struct step st;

    if (c->n_bridges)
        net_bridges_up(c, &st, bridge_failed, NULL);
}

/* Remembers where the config came from, made absolute against the
 * directory we were started in. */
static void remember_path(const char *path)
{
    size_t n = 0, len = strlen(path);

    /* The system call: musl's getcwd brings strdup, and malloc with it. */
    if (path[0] != '/' && syscall(SYS_getcwd, conf_path, sizeof(conf_path) - 1) > 0) {
        n = strlen(conf_path);
        if (conf_path[n - 1] != '/')
            conf_path[n++] = '/';
    }
    if (n + len >= sizeof(conf_path)) {
        log_error("%s: path too long: reload cannot read it again", path);
        conf_path[0] = '\0';
        return;
    }
    memcpy(conf_path + n, path, len + 1);
}

int supervisor_start(struct config *c)
{
    /* Once, at start: a reload that changes log_buffer takes effect when
     * nsinit next starts (the ring is never reallocated). */
    if (ring_init(c->log_buffer) < 0)
        log_error("log ring of %u bytes: %s", c->log_buffer, strerror(errno));
    if (cgroup_init() < 0 && errno != ENOTSUP)
        log_info("cgroups: %s", strerror(errno));
    conf = c;
    remember_path(c->path);
    bridges_up(c);
    if (control_start(c->socket, true) < 0)
        control_log_failure("", c->socket);
    for (int i = 0; i < c->n_services; i++)
        add_service(c->services[i]);
    supervisor_changed();
    return 0;
}

bool supervisor_on_exit(pid_t pid, int wstatus)
{
    for (int i = 0; i < MAX_SERVICES; i++)
        if (services[i].used && services[i].pid == pid) {
            service_event(&services[i], EV_EXIT, wstatus);
            return true;
        }
    return false;
}

void supervisor_stop_all(void)
{
    stopping_all = true;
    supervisor_changed();
}

void supervisor_cleanup(void)
{
    for (int i = 0; i < MAX_SERVICES; i++) {
        if (!services[i].used)
            continue;
        output_flush(&services[i]);
        if (cgroup_usable())
            cgroup_service_remove(services[i].name);
    }
    control_stop();
    net_bridges_down();
}

/* Applies a new config: new services start, removed ones stop and go,
 * changed ones restart, unchanged ones keep running untouched. */
static void apply(struct config *next)
{
    for (int i = 0; i < MAX_SERVICES; i++) {
        struct service *s = &services[i];
        struct svc_conf *c;

        if (!s->used)
            continue;
        if (!(c = config_find(next, s->name))) {
            s->conf = NULL;
            s->remove_pending = true;
            service_event(s, EV_STOP, 0);
            continue;
        }
        /* No conf: an earlier reload removed it and it is still stopping. */
        bool changed = !s->conf || c->digest != s->conf->digest ||
                       c->invalid != s->conf->invalid;
        s->remove_pending = false;
        s->conf = c;
        if (!changed)
            continue;
        if (c->invalid) {
            service_event(s, EV_STOP, 0);
            continue;
        }
        if (service_alive(s)) {
            service_event(s, EV_STOP, 0);
            s->restart_pending = true;
        } else if (s->state != SVC_STOPPED || s->pid == 0) {
            service_event(s, EV_START, 0);
        }
    }
    for (int i = 0; i < next->n_services; i++)
        if (!supervisor_find(next->services[i]->name) && !add_service(next->services[i]))
            log_error("%s: no room (limit %d)", next->services[i]->name, MAX_SERVICES);
    bridges_up(next);
}

int supervisor_reload(struct diag *d)
{
    struct diag own;
    struct config *next;

    if (!d) {
        diag_to_stderr(&own);
        d = &own;
    }
    if (!conf_path[0] || !(next = config_load(conf_path, d)))
        return -1;
    if (next->n_errors) {
        log_error("reload: %s has %d problem(s); nothing changed", conf_path, next->n_errors);
        config_free(next);
        errno = EINVAL;
        return -1;
    }
    if (rt.machine_config)
        rt.machine_config(next);
    apply(next);
    control_move(next->socket);
    if (rt.mode != MODE_CONTAINER)
        rt.sweep_ms = next->shutdown_timeout_ms;
    config_free(conf);
    conf = next;
    log_info("reloaded %s", conf_path);
    supervisor_changed();
    return 0;
}

int supervisor_main(const struct options *o)
{
    struct diag d;
    struct config *c;

    fds_sanitize(0);
    if (runtime_init(MODE_SUPERVISOR) < 0) {
        log_error("signal set-up: %s", strerror(errno));
        return 1;
    }
    if (!rt.pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        log_error("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
    diag_to_stderr(&d);
    if (!(c = config_load(o->config, &d)))
        return 1;
    rt.sweep = true;
    rt.sweep_ms = c->shutdown_timeout_ms;
    runtime_attach_supervisor();
    supervisor_start(c);
    if (chdir("/") < 0)
        log_info("chdir /: %s", strerror(errno));
    runtime_run();
}
