/* Unit tests for the service state machine (init/service.c), driven through
 * service_event() alone. Everything service.c calls outside itself is faked
 * here, so the archive's spawn.o, loop.o, output.o, supervisor.o, runtime.o,
 * cgroup.o and log.o are never linked (a duplicate symbol would fail the
 * link): a fake clock and timers the test fires, a scripted spawn and
 * launch report, and a log kept in memory.
 *
 * kill(2) stays the real one. Most cases hand out pids above the kernel's
 * PID_MAX_LIMIT (4194304), which no process can have: every kill() there
 * fails with ESRCH, which service.c tolerates, and nothing on the machine is
 * ever signalled. The cases about what a stop sends use real children forked
 * here instead (their own process group, as a service has), so the test
 * sees the very signal arrive: stop_signal, then SIGKILL to the process and
 * its group at the stop timeout, and the leftovers' SIGKILL after an exit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fmt.h"
#include "log.h"
#include "options.h"
#include "output.h"
#include "runtime.h"
#include "service.h"
#include "spawn.h"
#include "supervisor.h"

/* One launch at a time: a second watch fails the case. */
#define FAKE_LOOP_WATCHES 1
#include "fake_loop.h"

#define GHOST_PID_BASE 5000000 /* > PID_MAX_LIMIT: no such process, ever */
#define EXITED(code) ((code) << 8)
#define SIGNALED(sig) (sig)
#define T0 1000000 /* the fake clock's start, ms */

/* ---- fakes ------------------------------------------------------------ */

/* What spawn_service and spawn_read_report do next. */
static struct {
    int calls, reads;
    pid_t pid;        /* 0: a ghost pid */
    const char *fail; /* spawn fails with this reason */
    bool no_report;   /* a parent-side step failed: no report pipe */
    int report;       /* 1 still open, 0 closed empty, -1 a step failed */
    const char *report_reason;
} sp;

pid_t spawn_service(struct service *s, const struct svc_conf *c)
{
    sp.calls++;
    s->reason[0] = '\0'; /* as the real one: a launch starts with no reason */
    if (sp.fail) {
        fmt(s->reason, sizeof(s->reason), "%s", sp.fail);
        return -1;
    }
    s->report_fd = sp.no_report ? -1 : 900 + sp.calls; /* only ever passed to fakes */
    return sp.pid ? sp.pid : GHOST_PID_BASE + sp.calls;
}

int spawn_read_report(struct service *s)
{
    sp.reads++;
    assert_true(s->report_fd >= 0);
    if (sp.report == 1)
        return 1;
    s->report_fd = -1;
    if (sp.report < 0)
        fmt(s->reason, sizeof(s->reason), "%s", sp.report_reason);
    return sp.report;
}

static int flushes;

void output_flush(struct service *s)
{
    flushes++;
}

struct runtime rt;
static struct {
    int calls;
    enum ending how;
    int status;
} shutdown_;

void runtime_shutdown(enum ending how, int status)
{
    shutdown_.calls++;
    shutdown_.how = how;
    shutdown_.status = status;
}

static int changes;

void supervisor_changed(void)
{
    changes++;
}

static bool cg_usable;
static int cg_kills;
static char cg_killed[SERVICE_NAME_MAX];

bool cgroup_usable(void)
{
    return cg_usable;
}

int cgroup_service_kill(const char *name)
{
    cg_kills++;
    fmt(cg_killed, sizeof(cg_killed), "%s", name);
    return 0;
}

/* Every line service.c logs, in order, one per '\n'. */
static char logbuf[8192];
static size_t log_len;
int log_verbose;

static void log_add(const char *f, va_list ap)
{
    log_len += fmt_v(logbuf + log_len, sizeof(logbuf) - log_len - 1, f, ap);
    if (log_len < sizeof(logbuf) - 1)
        logbuf[log_len++] = '\n';
    logbuf[log_len] = '\0';
}

void log_error(const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    log_add(f, ap);
    va_end(ap);
}

void log_info(const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    log_add(f, ap);
    va_end(ap);
}

/* ---- the service under test and its helpers -------------------------- */

static struct svc_conf conf;
static struct service svc;

/* As add_service() in supervisor.c leaves a new one, with the parser's
 * defaults in its config. */
static int setup(void **state)
{
    memset(&conf, 0, sizeof(conf));
    fmt(conf.name, sizeof(conf.name), "web");
    conf.restart = RESTART_ALWAYS;
    conf.restart_delay_ms = 1000;
    conf.restart_limit = 5;
    conf.stop_signal = SIGTERM;
    conf.stop_timeout_ms = 5000;
    memset(&svc, 0, sizeof(svc));
    svc.used = true;
    memcpy(svc.name, conf.name, sizeof(svc.name));
    svc.conf = &conf;
    svc.report_fd = svc.log_r = svc.log_w = svc.ready_fd = -1;
    svc.last_status = -1;
    svc.state = SVC_STOPPED;

    fake_loop_reset(T0);
    memset(&sp, 0, sizeof(sp));
    flushes = changes = cg_kills = 0;
    cg_usable = false;
    cg_killed[0] = '\0';
    memset(&shutdown_, 0, sizeof(shutdown_));
    memset(&rt, 0, sizeof(rt));
    rt.mode = MODE_SUPERVISOR;
    log_len = 0;
    logbuf[0] = '\0';
    return 0;
}

static void ev(enum svc_event e, int arg)
{
    service_event(&svc, e, arg);
}

/* The loop seeing the launch report pipe readable. */
static void report(int rc)
{
    assert_non_null(fake_watches[0].fn);
    assert_ptr_equal(fake_watches[0].ctx, &svc);
    assert_int_equal(fake_watches[0].fd, svc.report_fd);
    sp.report = rc;
    fake_watches[0].fn(fake_watches[0].fd, POLLIN, fake_watches[0].ctx);
}

/* From waiting: launched, and its exec reported. */
static void launch_to_running(void)
{
    assert_int_equal(svc.state, SVC_WAITING);
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_STARTING);
    report(0);
    assert_int_equal(svc.state, SVC_RUNNING);
}

static void bring_up(void)
{
    ev(EV_START, 0);
    launch_to_running();
}

/* It runs for ms, then its process is reaped with wstatus. */
static void run_then_exit(uint64_t ms, int wstatus)
{
    fake_now += ms;
    ev(EV_EXIT, wstatus);
}

/* How long the armed backoff makes it wait. */
static uint64_t backoff_wait(void)
{
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_true(svc.timer.armed);
    assert_non_null(svc.timer.fire);
    assert_true(svc.timer.at >= fake_now);
    return svc.timer.at - fake_now;
}

/* The loop firing the timer when it is due, as loop.c does. */
static void fire_timer(void)
{
    assert_true(svc.timer.armed);
    assert_non_null(svc.timer.fire);
    if (fake_now < svc.timer.at)
        fake_now = svc.timer.at;
    svc.timer.armed = false;
    svc.timer.fire(&svc.timer);
}

/* One more rapid crash from backoff: sits out the wait, runs 10 ms, exits 1. */
static void crash_again(void)
{
    fire_timer();
    assert_int_equal(svc.state, SVC_WAITING);
    launch_to_running();
    run_then_exit(10, EXITED(1));
}

/* ---- real children, for the signals a stop sends -------------------- */

#define MAX_KIDS 4
static pid_t kids[MAX_KIDS];
static int n_kids;

/* A process set up as spawn sets up a service: the leader of its own
 * process group (unless !own_group: a child not yet through its setsid()).
 * It ignores `ignore` (0: nothing); with life_fd, a helper in its group that
 * ignores SIGTERM holds the write end of a pipe whose read end (*life_fd)
 * sees EOF once the helper is gone. Returns once they are ready, so no
 * signal can arrive before the dispositions are set. */
static pid_t kid_start(int ignore, int *life_fd, bool own_group)
{
    int ready[2], life[2] = {-1, -1};
    char buf[2];
    pid_t pid;

    assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
    if (life_fd)
        assert_int_equal(pipe2(life, O_CLOEXEC), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sigset_t none;

        /* Whatever the test runner's own parent ignored or blocked. */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (own_group)
            setpgid(0, 0);
        if (ignore)
            signal(ignore, SIG_IGN);
        close(ready[0]);
        if (life_fd) {
            close(life[0]);
            if (fork() == 0) {
                signal(SIGTERM, SIG_IGN);
                if (write(ready[1], "h", 1) != 1)
                    _exit(1);
                for (;;)
                    pause();
            }
            close(life[1]);
        }
        if (write(ready[1], "m", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    if (own_group)
        setpgid(pid, pid); /* whichever of the two runs first */
    kids[n_kids++] = pid;
    close(ready[1]);
    if (life_fd) {
        close(life[1]);
        *life_fd = life[0];
    }
    for (int want = life_fd ? 2 : 1, got = 0; got < want;) {
        ssize_t n = read(ready[0], buf, (size_t)(want - got));
        assert_true(n > 0);
        got += (int)n;
    }
    close(ready[0]);
    return pid;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Its wait status once it has ended; fails if it is still alive after 5 s. */
static int kid_reap(pid_t pid)
{
    int status;

    for (int i = 0; i < 500; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        assert_true(r >= 0);
        if (r == pid)
            return status;
        sleep_ms(10);
    }
    fail_msg("pid %d is still alive", (int)pid);
    return -1;
}

static bool kid_alive(pid_t pid)
{
    sleep_ms(50); /* a signal in flight has landed by now */
    return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Whether the helper holding the pipe's write end has ended within ms. */
static bool helper_gone(int life_fd, int ms)
{
    struct pollfd p = {life_fd, POLLIN, 0};
    char c;

    return poll(&p, 1, ms) == 1 && read(life_fd, &c, 1) == 0;
}

/* Whatever a failed case left behind. */
static int teardown_kids(void **state)
{
    for (int i = 0; i < n_kids; i++) {
        kill(-kids[i], SIGKILL);
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, WNOHANG);
    }
    n_kids = 0;
    return 0;
}

/* ---- every event in every state --------------------------------------- */

static const char *const event_names[] = {"start",   "stop", "deps ok",
                                          "exec ok", "exit", "timer", "ready"};

/* Into st through the transitions that lead there, never by assignment. */
static void reach(enum svc_state st)
{
    switch (st) {
    case SVC_STOPPED:
        break;
    case SVC_WAITING:
        ev(EV_START, 0);
        break;
    case SVC_STARTING:
        reach(SVC_WAITING);
        ev(EV_DEPS_OK, 0);
        break;
    case SVC_RUNNING:
        reach(SVC_STARTING);
        report(0);
        break;
    case SVC_STOPPING:
        reach(SVC_RUNNING);
        ev(EV_STOP, 0);
        break;
    case SVC_BACKOFF:
        reach(SVC_RUNNING);
        run_then_exit(10, EXITED(1));
        break;
    case SVC_FAILED:
        conf.restart = RESTART_NEVER;
        reach(SVC_RUNNING);
        run_then_exit(10, EXITED(1));
        break;
    case SVC_DONE:
        conf.oneshot = true;
        reach(SVC_RUNNING);
        run_then_exit(10, EXITED(0));
        break;
    }
    assert_int_equal(svc.state, st);
}

static const struct {
    enum svc_state from;
    enum svc_event ev;
    enum svc_state to;
} transitions[] = {
    // clang-format off
    {SVC_STOPPED, EV_START, SVC_WAITING},
    {SVC_STOPPED, EV_STOP, SVC_STOPPED},
    {SVC_STOPPED, EV_DEPS_OK, SVC_STOPPED},
    {SVC_STOPPED, EV_EXEC_OK, SVC_STOPPED},
    {SVC_STOPPED, EV_READY, SVC_STOPPED},
    {SVC_STOPPED, EV_TIMER, SVC_STOPPED},
    {SVC_WAITING, EV_START, SVC_WAITING},
    {SVC_WAITING, EV_STOP, SVC_STOPPED},
    {SVC_WAITING, EV_DEPS_OK, SVC_STARTING},
    {SVC_WAITING, EV_EXEC_OK, SVC_WAITING},
    {SVC_WAITING, EV_READY, SVC_WAITING},
    {SVC_WAITING, EV_TIMER, SVC_WAITING},
    {SVC_STARTING, EV_START, SVC_STARTING},
    {SVC_STARTING, EV_STOP, SVC_STOPPING},
    {SVC_STARTING, EV_DEPS_OK, SVC_STARTING},
    {SVC_STARTING, EV_EXEC_OK, SVC_RUNNING},
    {SVC_STARTING, EV_EXIT, SVC_BACKOFF},
    {SVC_STARTING, EV_READY, SVC_STARTING},
    {SVC_STARTING, EV_TIMER, SVC_STARTING},
    {SVC_RUNNING, EV_START, SVC_RUNNING},
    {SVC_RUNNING, EV_STOP, SVC_STOPPING},
    {SVC_RUNNING, EV_DEPS_OK, SVC_RUNNING},
    {SVC_RUNNING, EV_EXEC_OK, SVC_RUNNING},
    {SVC_RUNNING, EV_EXIT, SVC_BACKOFF},
    {SVC_RUNNING, EV_READY, SVC_RUNNING},
    {SVC_RUNNING, EV_TIMER, SVC_RUNNING},
    {SVC_STOPPING, EV_START, SVC_STOPPING},
    {SVC_STOPPING, EV_STOP, SVC_STOPPING},
    {SVC_STOPPING, EV_DEPS_OK, SVC_STOPPING},
    {SVC_STOPPING, EV_EXEC_OK, SVC_STOPPING},
    {SVC_STOPPING, EV_EXIT, SVC_STOPPED},
    {SVC_STOPPING, EV_READY, SVC_STOPPING},
    {SVC_STOPPING, EV_TIMER, SVC_STOPPING},
    {SVC_BACKOFF, EV_START, SVC_WAITING},
    {SVC_BACKOFF, EV_STOP, SVC_STOPPED},
    {SVC_BACKOFF, EV_DEPS_OK, SVC_BACKOFF},
    {SVC_BACKOFF, EV_EXEC_OK, SVC_BACKOFF},
    {SVC_BACKOFF, EV_READY, SVC_BACKOFF},
    {SVC_BACKOFF, EV_TIMER, SVC_WAITING},
    {SVC_FAILED, EV_START, SVC_WAITING},
    {SVC_FAILED, EV_STOP, SVC_FAILED},
    {SVC_FAILED, EV_DEPS_OK, SVC_FAILED},
    {SVC_FAILED, EV_EXEC_OK, SVC_FAILED},
    {SVC_FAILED, EV_READY, SVC_FAILED},
    {SVC_FAILED, EV_TIMER, SVC_FAILED},
    {SVC_DONE, EV_START, SVC_WAITING},
    {SVC_DONE, EV_STOP, SVC_DONE},
    {SVC_DONE, EV_DEPS_OK, SVC_DONE},
    {SVC_DONE, EV_EXEC_OK, SVC_DONE},
    {SVC_DONE, EV_READY, SVC_DONE},
    {SVC_DONE, EV_TIMER, SVC_DONE},
    // clang-format on
};

static bool has_process(enum svc_state st)
{
    return st == SVC_STARTING || st == SVC_RUNNING || st == SVC_STOPPING;
}

static void test_every_event_in_every_state_lands_where_the_table_says(void **state)
{
    int seen[8][7] = {{0}};

    for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
        enum svc_state from = transitions[i].from, to = transitions[i].to;
        enum svc_event e = transitions[i].ev;
        int spawned, notified;

        setup(state);
        reach(from);
        spawned = sp.calls;
        notified = changes;
        ev(e, e == EV_EXIT ? EXITED(1) : 0);
        if (svc.state != to)
            fail_msg("%s + %s: %s, expected %s", service_state_name(from), event_names[e],
                     service_state_name(svc.state), service_state_name(to));
        /* Only a go-ahead in waiting launches; every event tells the supervisor. */
        assert_int_equal(sp.calls - spawned, from == SVC_WAITING && e == EV_DEPS_OK);
        assert_int_equal(changes - notified, 1);
        assert_int_equal(service_alive(&svc), has_process(svc.state));
        seen[from][e]++;
    }
    /* Exit comes from supervisor_on_exit(), found by pid: a state without a
     * process (pid 0) can never be handed one. Every other pair is above. */
    for (int st = 0; st < 8; st++)
        for (int e = 0; e < 7; e++)
            if (e != EV_EXIT || has_process(st))
                assert_int_equal(seen[st][e], 1);
            else
                assert_int_equal(seen[st][e], 0);
    for (int st = 0; st < 8; st++) {
        if (has_process(st))
            continue;
        setup(state);
        reach(st);
        assert_false(service_alive(&svc));
        assert_int_equal(svc.pid, 0);
    }
}

static void test_state_names_and_who_counts_as_up(void **state)
{
    static const char *const names[] = {"stopped",  "waiting", "starting", "running",
                                        "stopping", "backoff", "failed",   "done"};

    for (int st = 0; st < 8; st++)
        assert_string_equal(service_state_name(st), names[st]);
    /* A long-running service is up while it runs; a oneshot once it is done. */
    for (int st = 0; st < 8; st++) {
        svc.state = st;
        conf.oneshot = false;
        assert_int_equal(service_satisfies(&svc), st == SVC_RUNNING);
        conf.oneshot = true;
        assert_int_equal(service_satisfies(&svc), st == SVC_DONE);
    }
}

/* ---- launching -------------------------------------------------------- */

static void test_start_waits_and_launches_nothing(void **state)
{
    svc.reason[0] = 'x';
    svc.rapid = 3;
    ev(EV_START, 0);
    assert_int_equal(svc.state, SVC_WAITING);
    assert_int_equal(sp.calls, 0);
    assert_int_equal(svc.rapid, 0);
    assert_string_equal(svc.reason, "");
}

static void test_deps_ok_launches_and_watches_the_launch_report(void **state)
{
    conf.stop_signal = SIGINT;
    conf.stop_timeout_ms = 1234;
    ev(EV_START, 0);
    fake_now += 77;
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_STARTING);
    assert_int_equal(sp.calls, 1);
    assert_int_equal(svc.pid, GHOST_PID_BASE + 1);
    assert_true(service_alive(&svc));
    assert_int_equal(svc.started_at, T0 + 77);
    assert_int_equal(fake_watch_calls, 1);
    assert_int_equal(fake_watches[0].fd, svc.report_fd);
    /* Copied at launch: a reload may free conf while it runs. */
    assert_int_equal(svc.stop_signal, SIGINT);
    assert_int_equal(svc.stop_timeout_ms, 1234);
    assert_false(service_satisfies(&svc));
}

static void test_report_closing_empty_makes_it_running(void **state)
{
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    report(0);
    assert_int_equal(svc.state, SVC_RUNNING);
    assert_int_equal(fake_unwatch_calls, 1);
    assert_int_equal(svc.report_fd, -1);
    assert_true(service_satisfies(&svc));
}

static void test_report_still_open_keeps_starting_and_watching(void **state)
{
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    report(1);
    assert_int_equal(svc.state, SVC_STARTING);
    assert_int_equal(fake_unwatch_calls, 0);
    assert_non_null(fake_watches[0].fn);
    report(0);
    assert_int_equal(svc.state, SVC_RUNNING);
}

static void test_reported_step_failure_is_a_rapid_failure_with_its_reason(void **state)
{
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    sp.report_reason = "pivot_root /srv/web-root: Invalid argument";
    report(-1);
    /* Not running: the child exits after its report, and that exit decides. */
    assert_int_equal(svc.state, SVC_STARTING);
    assert_int_equal(fake_unwatch_calls, 1);
    assert_false(service_satisfies(&svc));
    run_then_exit(5, EXITED(1));
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(svc.rapid, 1);
    assert_string_equal(svc.reason, "pivot_root /srv/web-root: Invalid argument");
    assert_non_null(strstr(logbuf, "web: pivot_root /srv/web-root: Invalid argument\n"));
    assert_null(strstr(logbuf, "exited with status"));
}

static void test_exit_before_the_report_was_read_reads_it_first(void **state)
{
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    sp.report = -1;
    sp.report_reason = "user www: no such user";
    run_then_exit(3, EXITED(1));
    assert_int_equal(sp.reads, 1);
    assert_int_equal(fake_unwatch_calls, 1);
    assert_null(fake_watches[0].fn);
    assert_string_equal(svc.reason, "user www: no such user");
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(svc.rapid, 1);
}

static void test_spawn_failure_is_a_rapid_failure_with_its_reason(void **state)
{
    sp.fail = "clone: Operation not permitted";
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    assert_int_equal(sp.calls, 1);
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(svc.pid, 0);
    assert_false(service_alive(&svc));
    assert_int_equal(svc.rapid, 1);
    assert_int_equal(svc.last_status, -1);
    assert_int_equal(fake_watch_calls, 0);
    assert_string_equal(svc.reason, "clone: Operation not permitted");
    assert_non_null(strstr(logbuf, "web: clone: Operation not permitted\n"));
    assert_int_equal(backoff_wait(), 1000);
    /* Three in a row count up like crashes do: 1 s, 2 s, 4 s. */
    fire_timer();
    ev(EV_DEPS_OK, 0);
    assert_int_equal(backoff_wait(), 2000);
    fire_timer();
    ev(EV_DEPS_OK, 0);
    assert_int_equal(backoff_wait(), 4000);
    assert_int_equal(svc.rapid, 3);
}

static void test_spawn_failure_with_limit_one_fails_at_once(void **state)
{
    conf.restart_limit = 1;
    sp.fail = "chdir /srv: No such file or directory";
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_FAILED);
    assert_false(svc.timer.armed);
    assert_string_equal(svc.reason, "chdir /srv: No such file or directory");
}

static void test_parent_step_failure_without_report_counts_at_exit(void **state)
{
    /* spawn's id-map or veth step failed: it returns the pid, killed, with
     * the reason and no report pipe, so it never counts as started. */
    sp.no_report = true;
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_STARTING);
    assert_int_equal(fake_watch_calls, 0);
    fmt(svc.reason, sizeof(svc.reason), "uid_map: Operation not permitted");
    run_then_exit(2, SIGNALED(SIGKILL));
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(svc.rapid, 1);
    assert_int_equal(svc.last_status, 128 + SIGKILL);
    assert_non_null(strstr(logbuf, "web: uid_map: Operation not permitted\n"));
}

static void test_a_new_launch_clears_the_last_reason(void **state)
{
    sp.fail = "clone: Operation not permitted";
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    sp.fail = NULL;
    fire_timer();
    launch_to_running();
    assert_string_equal(svc.reason, "");
    run_then_exit(10, EXITED(2));
    assert_non_null(strstr(logbuf, "web: exited with status 2\n"));
}

static void test_deps_ok_after_a_reload_removed_it_launches_nothing(void **state)
{
    ev(EV_START, 0);
    svc.conf = NULL;
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_WAITING);
    assert_int_equal(sp.calls, 0);
}

/* ---- exits and restart policies --------------------------------------- */

static void test_restart_policy_times_exit_kind(void **state)
{
    static const struct {
        enum restart_policy policy;
        int wstatus, status;
        enum svc_state to;
    } cases[] = {
        {RESTART_ALWAYS, EXITED(0), 0, SVC_BACKOFF},
        {RESTART_ALWAYS, EXITED(1), 1, SVC_BACKOFF},
        {RESTART_ALWAYS, SIGNALED(SIGSEGV), 128 + SIGSEGV, SVC_BACKOFF},
        {RESTART_ON_FAILURE, EXITED(0), 0, SVC_STOPPED},
        {RESTART_ON_FAILURE, EXITED(1), 1, SVC_BACKOFF},
        {RESTART_ON_FAILURE, SIGNALED(SIGSEGV), 128 + SIGSEGV, SVC_BACKOFF},
        {RESTART_NEVER, EXITED(0), 0, SVC_STOPPED},
        {RESTART_NEVER, EXITED(1), 1, SVC_FAILED},
        {RESTART_NEVER, SIGNALED(SIGSEGV), 128 + SIGSEGV, SVC_FAILED},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        conf.restart = cases[i].policy;
        bring_up();
        run_then_exit(5000, cases[i].wstatus);
        if (svc.state != cases[i].to)
            fail_msg("case %zu: %s, expected %s", i, service_state_name(svc.state),
                     service_state_name(cases[i].to));
        assert_int_equal(svc.last_status, cases[i].status);
        assert_int_equal(svc.pid, 0);
        assert_int_equal(svc.timer.armed, cases[i].to == SVC_BACKOFF);
        assert_int_equal(flushes, 1); /* its last partial line is written */
        assert_int_equal(shutdown_.calls, 0);
    }
}

static void test_exits_are_logged_with_code_or_signal(void **state)
{
    bring_up();
    run_then_exit(5000, EXITED(3));
    assert_non_null(strstr(logbuf, "web: exited with status 3\n"));
    assert_string_equal(svc.reason, "exited with status 3"); /* for status */
    fire_timer();
    launch_to_running();
    run_then_exit(5000, SIGNALED(SIGSEGV));
    assert_non_null(strstr(logbuf, "web: killed by SIGSEGV\n"));
    assert_string_equal(svc.reason, "killed by SIGSEGV");
}

static void test_oneshot_exit_0_is_done_whatever_the_policy(void **state)
{
    for (int p = RESTART_ALWAYS; p <= RESTART_NEVER; p++) {
        setup(state);
        conf.oneshot = true;
        conf.restart = p;
        bring_up();
        assert_false(service_satisfies(&svc)); /* running is not enough */
        run_then_exit(10, EXITED(0));
        assert_int_equal(svc.state, SVC_DONE);
        assert_true(service_satisfies(&svc));
        assert_false(svc.timer.armed);
        assert_int_equal(svc.rapid, 0);
    }
}

static void test_oneshot_nonzero_exit_restarts_per_policy(void **state)
{
    static const struct {
        enum restart_policy policy;
        int wstatus;
        enum svc_state to;
    } cases[] = {
        {RESTART_ALWAYS, EXITED(1), SVC_BACKOFF},
        {RESTART_ALWAYS, SIGNALED(SIGTERM), SVC_BACKOFF},
        {RESTART_ON_FAILURE, EXITED(1), SVC_BACKOFF},
        {RESTART_ON_FAILURE, SIGNALED(SIGTERM), SVC_BACKOFF},
        {RESTART_NEVER, EXITED(1), SVC_FAILED},
        {RESTART_NEVER, SIGNALED(SIGTERM), SVC_FAILED},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        conf.oneshot = true;
        conf.restart = cases[i].policy;
        bring_up();
        run_then_exit(10, cases[i].wstatus);
        assert_int_equal(svc.state, cases[i].to);
        assert_false(service_satisfies(&svc));
    }
    /* And once a retry exits 0, it is done. */
    setup(state);
    conf.oneshot = true;
    conf.restart = RESTART_ON_FAILURE;
    bring_up();
    run_then_exit(10, EXITED(1));
    fire_timer();
    launch_to_running();
    run_then_exit(10, EXITED(0));
    assert_int_equal(svc.state, SVC_DONE);
    assert_int_equal(svc.restarts, 1);
}

/* ---- rapid failures and backoff --------------------------------------- */

static void test_run_under_1s_is_a_rapid_failure_and_counts_up(void **state)
{
    conf.restart_limit = 0;
    bring_up();
    run_then_exit(999, EXITED(1));
    assert_int_equal(svc.rapid, 1);
    for (unsigned n = 2; n <= 4; n++) {
        crash_again();
        assert_int_equal(svc.rapid, n);
    }
    assert_int_equal(svc.restarts, 3);
}

static void test_run_of_1s_resets_the_rapid_count(void **state)
{
    conf.restart_limit = 0;
    bring_up();
    run_then_exit(10, EXITED(1));
    crash_again();
    crash_again();
    assert_int_equal(svc.rapid, 3);
    assert_int_equal(backoff_wait(), 4000);
    fire_timer();
    launch_to_running();
    run_then_exit(1000, EXITED(1));
    assert_int_equal(svc.rapid, 0);
    assert_int_equal(backoff_wait(), 1000); /* plain restart_delay again */
    crash_again();
    assert_int_equal(svc.rapid, 1);
    assert_int_equal(backoff_wait(), 1000);
}

static void test_rapid_failures_double_the_wait_up_to_the_30s_cap(void **state)
{
    static const uint64_t want[] = {500,   1000,  2000,  4000, 8000,
                                    16000, 30000, 30000, 30000};

    conf.restart_limit = 0;
    conf.restart_delay_ms = 500;
    bring_up();
    run_then_exit(10, EXITED(1));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (i)
            crash_again();
        assert_int_equal(svc.rapid, i + 1);
        assert_int_equal(backoff_wait(), want[i]);
    }
}

static void test_first_restart_after_a_long_run_waits_restart_delay(void **state)
{
    conf.restart_delay_ms = 2500;
    bring_up();
    run_then_exit(60000, EXITED(1));
    assert_int_equal(svc.rapid, 0);
    assert_int_equal(backoff_wait(), 2500);
}

static void test_zero_delay_rapid_failures_have_a_100ms_floor(void **state)
{
    static const uint64_t want[] = {100, 200, 400, 800};

    conf.restart_limit = 0;
    conf.restart_delay_ms = 0;
    bring_up();
    run_then_exit(10, EXITED(1));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (i)
            crash_again();
        assert_int_equal(backoff_wait(), want[i]);
    }
}

static void test_zero_delay_after_a_long_run_restarts_at_once(void **state)
{
    conf.restart_delay_ms = 0;
    bring_up();
    run_then_exit(1000, EXITED(1));
    assert_int_equal(backoff_wait(), 0);
    fire_timer();
    assert_int_equal(svc.state, SVC_WAITING);
}

static void test_delay_under_the_cap_doubles_to_the_cap_not_past_it(void **state)
{
    conf.restart_limit = 0;
    conf.restart_delay_ms = 20000;
    bring_up();
    run_then_exit(10, EXITED(1));
    assert_int_equal(backoff_wait(), 20000);
    crash_again();
    assert_int_equal(backoff_wait(), 30000);
    crash_again();
    assert_int_equal(backoff_wait(), 30000);
}

static void test_delay_above_the_cap_is_kept_as_is(void **state)
{
    conf.restart_limit = 0;
    conf.restart_delay_ms = 60000;
    bring_up();
    run_then_exit(10, EXITED(1));
    for (int i = 0; i < 4; i++) {
        if (i)
            crash_again();
        assert_int_equal(backoff_wait(), 60000);
    }
    /* Exactly the cap: neither doubled nor cut. */
    setup(state);
    conf.restart_limit = 0;
    conf.restart_delay_ms = 30000;
    bring_up();
    run_then_exit(10, EXITED(1));
    crash_again();
    assert_int_equal(backoff_wait(), 30000);
}

static void test_backoff_timer_sends_it_back_to_waiting_as_a_restart(void **state)
{
    bring_up();
    run_then_exit(10, EXITED(1));
    assert_int_equal(svc.restarts, 0);
    fake_now += 999; /* the loop fires it when due: that is the supervisor's job */
    fire_timer();
    assert_int_equal(svc.state, SVC_WAITING);
    assert_int_equal(svc.restarts, 1);
    assert_int_equal(sp.calls, 1); /* the supervisor launches it, once deps are ok */
    ev(EV_DEPS_OK, 0);
    assert_int_equal(sp.calls, 2);
    assert_int_equal(svc.started_at, T0 + 10 + 1000);
}

static void test_restart_limit_rapid_failures_end_in_failed(void **state)
{
    conf.restart_limit = 3;
    bring_up();
    run_then_exit(10, EXITED(1));
    crash_again();
    assert_int_equal(svc.state, SVC_BACKOFF);
    crash_again();
    assert_int_equal(svc.state, SVC_FAILED);
    assert_int_equal(svc.rapid, 3);
    assert_false(svc.timer.armed);
    assert_int_equal(svc.last_status, 1);
    assert_non_null(strstr(logbuf, "web: 3 rapid failures in a row: giving up until "
                                   "'ctl start'\n"));
    /* Failed stays failed: no timer, and stop changes nothing. */
    ev(EV_TIMER, 0);
    ev(EV_STOP, 0);
    assert_int_equal(svc.state, SVC_FAILED);
}

static void test_restart_limit_counts_only_failures_in_a_row(void **state)
{
    conf.restart_limit = 2;
    bring_up();
    run_then_exit(10, EXITED(1));
    fire_timer();
    launch_to_running();
    run_then_exit(1500, EXITED(1)); /* a long run in between */
    assert_int_equal(svc.state, SVC_BACKOFF);
    crash_again();
    assert_int_equal(svc.state, SVC_BACKOFF);
    crash_again();
    assert_int_equal(svc.state, SVC_FAILED);
}

static void test_restart_limit_0_never_gives_up(void **state)
{
    conf.restart_limit = 0;
    bring_up();
    run_then_exit(10, EXITED(1));
    for (int i = 0; i < 50; i++)
        crash_again();
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(svc.rapid, 51);
    assert_int_equal(backoff_wait(), 30000);
}

static void test_start_after_failed_resets_the_rapid_count(void **state)
{
    conf.restart_limit = 2;
    sp.fail = "exec /bin/web: No such file or directory";
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    fire_timer();
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_FAILED);
    assert_string_equal(svc.reason, "exec /bin/web: No such file or directory");
    ev(EV_START, 0);
    assert_int_equal(svc.state, SVC_WAITING);
    assert_int_equal(svc.rapid, 0);
    assert_string_equal(svc.reason, "");
    /* A fresh count: one failure is a backoff again, not failed. */
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(svc.rapid, 1);
    assert_int_equal(backoff_wait(), 1000);
}

static void test_start_cuts_a_backoff_short(void **state)
{
    conf.restart_limit = 0;
    bring_up();
    run_then_exit(10, EXITED(1));
    crash_again();
    assert_int_equal(backoff_wait(), 2000);
    ev(EV_START, 0);
    assert_int_equal(svc.state, SVC_WAITING);
    assert_false(svc.timer.armed);
    ev(EV_DEPS_OK, 0);
    assert_int_equal(svc.state, SVC_STARTING);
    assert_int_equal(svc.started_at, fake_now); /* not a second later */
    /* The count of rapid failures goes on: only a start from failed resets it. */
    assert_int_equal(svc.rapid, 2);
}

/* ---- stopping ------------------------------------------------------- */

static void test_stop_running_sends_stop_signal_and_arms_the_timeout(void **state)
{
    conf.stop_signal = SIGINT;
    conf.stop_timeout_ms = 3000;
    sp.pid = kid_start(0, NULL, true);
    bring_up();
    ev(EV_STOP, 0);
    assert_int_equal(svc.state, SVC_STOPPING);
    assert_true(svc.timer.armed);
    assert_int_equal(svc.timer.at, fake_now + 3000);
    assert_false(svc.killed);
    int status = kid_reap(sp.pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGINT);
    fake_now += 40;
    ev(EV_EXIT, status);
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_false(svc.timer.armed);
    assert_int_equal(svc.pid, 0);
    assert_int_equal(svc.last_status, 128 + SIGINT);
    assert_int_equal(svc.rapid, 0); /* a stop is not a failure */
    assert_non_null(strstr(logbuf, "web: stopped\n"));
    assert_null(strstr(logbuf, "killed by"));
    assert_string_equal(svc.reason, "");
}

static void test_stop_timeout_sends_sigkill_to_it_and_its_group(void **state)
{
    int life;

    sp.pid = kid_start(SIGTERM, &life, true);
    bring_up();
    ev(EV_STOP, 0);
    assert_true(kid_alive(sp.pid)); /* it ignores SIGTERM */
    assert_false(helper_gone(life, 0));
    fire_timer();
    assert_int_equal(svc.state, SVC_STOPPING); /* until the exit is reaped */
    assert_true(svc.killed);
    assert_non_null(strstr(logbuf, "web: did not stop within 5000ms: SIGKILL\n"));
    int status = kid_reap(sp.pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_true(helper_gone(life, 5000));
    close(life);
    ev(EV_EXIT, status);
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_int_equal(svc.last_status, 128 + SIGKILL);
}

static void test_stop_timeout_kills_it_before_it_leads_its_own_group(void **state)
{
    /* Stopped between clone and its setsid(): no group of its own yet. */
    sp.pid = kid_start(SIGTERM, NULL, false);
    bring_up();
    ev(EV_STOP, 0);
    fire_timer();
    int status = kid_reap(sp.pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void test_exit_while_stopping_kills_the_leftovers_of_its_group(void **state)
{
    int life;

    sp.pid = kid_start(0, &life, true);
    bring_up();
    ev(EV_STOP, 0);
    int status = kid_reap(sp.pid); /* it went; its helper ignored SIGTERM */
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_false(helper_gone(life, 50));
    ev(EV_EXIT, status);
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_true(helper_gone(life, 5000));
    close(life);
    assert_int_equal(cg_kills, 0); /* no usable cgroup here */
}

static void test_exit_while_stopping_kills_its_cgroup_when_usable(void **state)
{
    cg_usable = true;
    bring_up();
    ev(EV_STOP, 0);
    ev(EV_EXIT, SIGNALED(SIGTERM));
    assert_int_equal(cg_kills, 1);
    assert_string_equal(cg_killed, "web");
    /* An exit nobody asked for kills what it left too: a restart must
     * not run beside it. */
    ev(EV_START, 0);
    launch_to_running();
    run_then_exit(10, EXITED(1));
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_int_equal(cg_kills, 2);
}

static void test_oneshot_done_keeps_what_it_started(void **state)
{
    cg_usable = true;
    conf.oneshot = true;
    bring_up();
    run_then_exit(10, EXITED(0));
    assert_int_equal(svc.state, SVC_DONE);
    assert_int_equal(cg_kills, 0);
    /* A failed one does not. */
    conf.restart = RESTART_NEVER;
    ev(EV_START, 0);
    launch_to_running();
    run_then_exit(10, EXITED(3));
    assert_int_equal(svc.state, SVC_FAILED);
    assert_int_equal(cg_kills, 1);
}

static void test_process_stuck_after_sigkill_is_left_behind(void **state)
{
    bring_up();
    ev(EV_STOP, 0);
    fire_timer();
    assert_true(svc.killed);
    assert_int_equal(svc.state, SVC_STOPPING);
    /* SIGKILL did not end it within 5 s: it is stuck in the kernel. */
    assert_true(svc.timer.armed);
    assert_int_equal(svc.timer.at - fake_now, 5000);
    fire_timer();
    assert_int_equal(svc.state, SVC_FAILED);
    assert_int_equal(svc.pid, 0);
    assert_false(service_alive(&svc));
    assert_false(svc.timer.armed);
    assert_non_null(strstr(svc.reason, "after SIGKILL: left behind"));
    assert_non_null(strstr(logbuf, "web: pid "));
}

static void test_stop_while_starting_stops_it(void **state)
{
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    ev(EV_STOP, 0);
    assert_int_equal(svc.state, SVC_STOPPING);
    assert_true(svc.timer.armed);
    report(0); /* its exec still succeeds: it stays stopping */
    assert_int_equal(svc.state, SVC_STOPPING);
    ev(EV_EXIT, SIGNALED(SIGTERM));
    assert_int_equal(svc.state, SVC_STOPPED);
}

static void test_stop_waiting_or_backoff_stops_at_once(void **state)
{
    ev(EV_START, 0);
    ev(EV_STOP, 0);
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_int_equal(sp.calls, 0);

    setup(state);
    bring_up();
    run_then_exit(10, EXITED(1));
    assert_true(svc.timer.armed);
    ev(EV_STOP, 0);
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_false(svc.timer.armed);
    assert_false(svc.killed);
}

static void test_stop_does_not_restart_even_with_restart_always(void **state)
{
    bring_up();
    ev(EV_STOP, 0);
    run_then_exit(10, EXITED(0));
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_false(svc.timer.armed);
    ev(EV_TIMER, 0);
    assert_int_equal(svc.state, SVC_STOPPED);
}

static void test_start_while_stopping_starts_again_after_the_exit(void **state)
{
    conf.restart_limit = 0;
    bring_up();
    run_then_exit(10, EXITED(1));
    crash_again();
    assert_int_equal(svc.rapid, 2);
    ev(EV_START, 0);
    launch_to_running();
    ev(EV_STOP, 0);
    ev(EV_START, 0); /* ctl restart, or a reload */
    assert_int_equal(svc.state, SVC_STOPPING);
    assert_true(svc.restart_pending);
    ev(EV_EXIT, SIGNALED(SIGTERM));
    assert_int_equal(svc.state, SVC_WAITING);
    assert_false(svc.restart_pending);
    assert_int_equal(svc.rapid, 0);
}

static void test_stop_while_stopping_cancels_a_pending_start(void **state)
{
    bring_up();
    ev(EV_STOP, 0);
    ev(EV_START, 0);
    ev(EV_STOP, 0);
    assert_false(svc.restart_pending);
    ev(EV_EXIT, SIGNALED(SIGTERM));
    assert_int_equal(svc.state, SVC_STOPPED);
}

/* ---- main = yes ------------------------------------------------------- */

static void test_main_exit_in_supervisor_mode_shuts_down_with_its_status(void **state)
{
    static const struct {
        int wstatus, status;
        enum svc_state to;
    } cases[] = {
        {EXITED(0), 0, SVC_STOPPED},
        {EXITED(3), 3, SVC_FAILED},
        {SIGNALED(SIGKILL), 128 + SIGKILL, SVC_FAILED},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        conf.is_main = true;
        bring_up();
        run_then_exit(5000, cases[i].wstatus);
        assert_int_equal(shutdown_.calls, 1);
        assert_int_equal(shutdown_.how, END_EXIT);
        assert_int_equal(shutdown_.status, cases[i].status);
        assert_int_equal(svc.state, cases[i].to);
        assert_false(svc.timer.armed); /* no restart, whatever the policy */
    }
}

static void test_main_that_cannot_launch_shuts_down_with_status_1(void **state)
{
    conf.is_main = true;
    conf.oneshot = true;
    sp.fail = "exec /bin/app: No such file or directory";
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    assert_int_equal(shutdown_.calls, 1);
    assert_int_equal(shutdown_.status, 1);
    assert_int_equal(svc.state, SVC_FAILED);
}

static void test_main_stopped_on_purpose_does_not_shut_down(void **state)
{
    conf.is_main = true;
    bring_up();
    ev(EV_STOP, 0);
    ev(EV_EXIT, SIGNALED(SIGTERM));
    assert_int_equal(svc.state, SVC_STOPPED);
    assert_int_equal(shutdown_.calls, 0);
}

static void test_main_means_nothing_in_boot_or_container_mode(void **state)
{
    static const struct options opts;

    for (int boot = 0; boot < 2; boot++) {
        setup(state);
        conf.is_main = true;
        if (boot)
            rt.mode = MODE_BOOT;
        else
            rt.opts = &opts; /* container mode: the command decides */
        bring_up();
        run_then_exit(5000, EXITED(3));
        assert_int_equal(shutdown_.calls, 0);
        assert_int_equal(svc.state, SVC_BACKOFF);
    }
}

/* ---- readiness ---------------------------------------------------------- */

static void test_with_ready_exec_ok_keeps_starting_until_ready(void **state)
{
    conf.ready = READY_NOTIFY;
    conf.ready_timeout_ms = 30000;
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    report(0);
    assert_int_equal(svc.state, SVC_STARTING);
    assert_true(svc.timer.armed);
    assert_int_equal(svc.timer.at, T0 + 30000);
    ev(EV_READY, 0);
    assert_int_equal(svc.state, SVC_RUNNING);
    assert_false(svc.timer.armed);
}

static void test_ready_before_the_exec_report_counts_once_exec_is_seen(void **state)
{
    conf.ready = READY_FD;
    conf.ready_timeout_ms = 30000;
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    ev(EV_READY, 0);
    assert_int_equal(svc.state, SVC_STARTING);
    report(0);
    assert_int_equal(svc.state, SVC_RUNNING);
}

static void test_ready_timeout_stops_it_and_counts_as_a_failed_run(void **state)
{
    conf.ready = READY_NOTIFY;
    conf.ready_timeout_ms = 2000;
    conf.restart = RESTART_ON_FAILURE;
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    report(0);
    fire_timer();
    assert_int_equal(svc.state, SVC_STOPPING);
    assert_string_equal(svc.reason, "not ready after 2s");
    /* It stops cleanly on the signal, and still the run failed. */
    run_then_exit(10, EXITED(0));
    assert_int_equal(svc.state, SVC_BACKOFF);
    assert_string_equal(svc.reason, "not ready after 2s");
}

static void test_ready_timeout_reason_keeps_the_unit_as_configured(void **state)
{
    conf.ready = READY_FD;
    conf.ready_timeout_ms = 120000;
    ev(EV_START, 0);
    ev(EV_DEPS_OK, 0);
    fire_timer();
    assert_string_equal(svc.reason, "not ready after 2m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown_kids)
        T(test_every_event_in_every_state_lands_where_the_table_says),
        T(test_with_ready_exec_ok_keeps_starting_until_ready),
        T(test_ready_before_the_exec_report_counts_once_exec_is_seen),
        T(test_ready_timeout_stops_it_and_counts_as_a_failed_run),
        T(test_ready_timeout_reason_keeps_the_unit_as_configured),
        T(test_state_names_and_who_counts_as_up),
        T(test_start_waits_and_launches_nothing),
        T(test_deps_ok_launches_and_watches_the_launch_report),
        T(test_report_closing_empty_makes_it_running),
        T(test_report_still_open_keeps_starting_and_watching),
        T(test_reported_step_failure_is_a_rapid_failure_with_its_reason),
        T(test_exit_before_the_report_was_read_reads_it_first),
        T(test_spawn_failure_is_a_rapid_failure_with_its_reason),
        T(test_spawn_failure_with_limit_one_fails_at_once),
        T(test_parent_step_failure_without_report_counts_at_exit),
        T(test_a_new_launch_clears_the_last_reason),
        T(test_deps_ok_after_a_reload_removed_it_launches_nothing),
        T(test_restart_policy_times_exit_kind),
        T(test_exits_are_logged_with_code_or_signal),
        T(test_oneshot_exit_0_is_done_whatever_the_policy),
        T(test_oneshot_nonzero_exit_restarts_per_policy),
        T(test_run_under_1s_is_a_rapid_failure_and_counts_up),
        T(test_run_of_1s_resets_the_rapid_count),
        T(test_rapid_failures_double_the_wait_up_to_the_30s_cap),
        T(test_first_restart_after_a_long_run_waits_restart_delay),
        T(test_zero_delay_rapid_failures_have_a_100ms_floor),
        T(test_zero_delay_after_a_long_run_restarts_at_once),
        T(test_delay_under_the_cap_doubles_to_the_cap_not_past_it),
        T(test_delay_above_the_cap_is_kept_as_is),
        T(test_backoff_timer_sends_it_back_to_waiting_as_a_restart),
        T(test_restart_limit_rapid_failures_end_in_failed),
        T(test_restart_limit_counts_only_failures_in_a_row),
        T(test_restart_limit_0_never_gives_up),
        T(test_start_after_failed_resets_the_rapid_count),
        T(test_start_cuts_a_backoff_short),
        T(test_stop_running_sends_stop_signal_and_arms_the_timeout),
        T(test_stop_timeout_sends_sigkill_to_it_and_its_group),
        T(test_stop_timeout_kills_it_before_it_leads_its_own_group),
        T(test_exit_while_stopping_kills_the_leftovers_of_its_group),
        T(test_exit_while_stopping_kills_its_cgroup_when_usable),
        T(test_oneshot_done_keeps_what_it_started),
        T(test_process_stuck_after_sigkill_is_left_behind),
        T(test_stop_while_starting_stops_it),
        T(test_stop_waiting_or_backoff_stops_at_once),
        T(test_stop_does_not_restart_even_with_restart_always),
        T(test_start_while_stopping_starts_again_after_the_exit),
        T(test_stop_while_stopping_cancels_a_pending_start),
        T(test_main_exit_in_supervisor_mode_shuts_down_with_its_status),
        T(test_main_that_cannot_launch_shuts_down_with_status_1),
        T(test_main_stopped_on_purpose_does_not_shut_down),
        T(test_main_means_nothing_in_boot_or_container_mode),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
