/* Unit tests for the dependency order of init/supervisor.c: who starts when,
 * given `after`, oneshots and `join`s, and the reverse order of the stops at
 * shutdown. The real supervisor.c, service.c and config parser run; configs
 * are real files read by config_load(). The process side is faked (spawn,
 * loop, output, runtime, cgroup, control socket, bridges), so those objects
 * are never linked: a launch is recorded, the exec is reported through the
 * watched report pipe's callback, an exit through supervisor_on_exit(), and
 * pids are above PID_MAX_LIMIT, so the stop signals find no process.
 *
 * supervisor.c keeps its table in static storage, as PID 1 must: each case
 * runs in a child of its own (a fresh table), where a failed assertion
 * prints why and aborts (CMOCKA_TEST_ABORT), failing the case in the parent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "control.h"
#include "fmt.h"
#include "net.h"
#include "output.h"
#include "runtime.h"
#include "service.h"
#include "spawn.h"
#include "supervisor.h"
#include "fake_loop.h"

#define GHOST_PID_BASE 5000000 /* > PID_MAX_LIMIT: no such process, ever */
#define EXITED(code) ((code) << 8)

/* ---- fakes ------------------------------------------------------------ */

/* Every launch, in order: "db web ...". */
static char launches[4096];
static int n_launches;

pid_t spawn_service(struct service *s, const struct svc_conf *c)
{
    size_t len = strlen(launches);

    s->reason[0] = '\0';
    fmt(launches + len, sizeof(launches) - len, "%s%s", len ? " " : "", c->name);
    n_launches++;
    s->report_fd = 1000 + n_launches; /* only ever passed to the fakes */
    return GHOST_PID_BASE + n_launches;
}

int spawn_read_report(struct service *s)
{
    s->report_fd = -1;
    return 0; /* exec succeeded */
}

void output_flush(struct service *s)
{
}

void output_close(struct service *s)
{
}

int cgroup_init(void)
{
    return -1; /* ENOTSUP is not logged; nothing depends on it here */
}

bool cgroup_usable(void)
{
    return false;
}

int cgroup_service_kill(const char *name)
{
    return 0;
}

int cgroup_service_remove(const char *name)
{
    return 0;
}

int control_start(const char *path, bool report)
{
    return 0;
}

void control_log_failure(const char *what, const char *path)
{
}

void control_stop(void)
{
}

int control_move(const char *path)
{
    return 0;
}

int net_bridges_up(const struct config *c, struct step *st, net_fail_fn *fail, void *ctx)
{
    return 0;
}

void net_bridges_down(void)
{
}

struct runtime rt = {.mode = MODE_SUPERVISOR};
static int services_stopped;

int runtime_init(enum mode mode)
{
    return 0;
}

void runtime_run(void)
{
    abort(); /* supervisor_main() is not under test */
}

void runtime_shutdown(enum ending how, int status)
{
}

void runtime_attach_supervisor(void)
{
}

void runtime_services_stopped(void)
{
    services_stopped++;
}

/* ---- each case in a child of its own ---------------------------------- */

struct body {
    void (*fn)(void);
};

static void run_isolated(void **state)
{
    const struct body *b = *state;
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("CMOCKA_TEST_ABORT", "1", 1);
        fake_loop_reset(1000000);
        b->fn();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fputc('\n', stderr); /* the child's message may lack its newline */
        fail_msg("the case failed in its child (wait status %#x)", (unsigned)status);
    }
}

// clang-format off
#define ISOLATED(f) {#f, run_isolated, NULL, NULL, &(struct body){f}}
// clang-format on

/* ---- helpers ---------------------------------------------------------- */

/* The config in text, read from a file by the real parser, supervised. */
static void supervise(const char *text)
{
    char path[] = "/tmp/nsinit-order-XXXXXX";
    int fd = mkstemp(path);
    struct config *c;
    struct diag d;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    diag_to_stderr(&d);
    c = config_load(path, &d);
    unlink(path);
    assert_non_null(c);
    assert_int_equal(c->n_errors, 0);
    assert_int_equal(supervisor_start(c), 0);
}

/* "name:state" for every service, in config order. */
static const char *states(void)
{
    static char buf[4096];
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < MAX_SERVICES; i++) {
        struct service *s = supervisor_service(i);
        if (s)
            len += fmt(buf + len, sizeof(buf) - len, "%s%s:%s", len ? " " : "", s->name,
                       service_state_name(s->state));
    }
    return buf;
}

static struct service *find(const char *name)
{
    struct service *s = supervisor_find(name);

    if (!s)
        fail_msg("no service %s", name);
    return s;
}

/* The loop finding name's launch report pipe closed empty: it exec'd. */
static void execs(const char *name)
{
    struct fake_watch *w = fake_loop_watch_of(find(name));

    if (!w)
        fail_msg("%s has no launch being watched (%s)", name, states());
    w->fn(w->fd, POLLIN, w->ctx);
}

/* Its process reaped with this exit code. */
static void exits(const char *name, int code)
{
    struct service *s = find(name);

    assert_true(s->pid > 0);
    assert_true(supervisor_on_exit(s->pid, EXITED(code)));
}

#define assert_states(want) assert_string_equal(states(), want)

/* ---- starting --------------------------------------------------------- */

static void test_unrelated_services_start_side_by_side(void)
{
    supervise("[service a]\nexec = /bin/a\n"
              "[service b]\nexec = /bin/b\n"
              "[service c]\nexec = /bin/c\n");
    assert_string_equal(launches, "a b c");
    assert_states("a:starting b:starting c:starting");
    execs("b");
    assert_states("a:starting b:running c:starting");
}

static void test_after_starts_once_the_other_runs(void)
{
    supervise("[service web]\nexec = /bin/web\nafter = db\n"
              "[service db]\nexec = /bin/db\n");
    assert_string_equal(launches, "db");
    assert_states("web:waiting db:starting");
    execs("db");
    assert_string_equal(launches, "db web");
    assert_states("web:starting db:running");
}

static void test_after_several_waits_for_all_of_them(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service cache]\nexec = /bin/cache\n"
              "[service web]\nexec = /bin/web\nafter = db cache\n");
    assert_string_equal(launches, "db cache");
    execs("cache");
    assert_states("db:starting cache:running web:waiting");
    execs("db");
    assert_string_equal(launches, "db cache web");
}

static void test_a_chain_starts_one_link_at_a_time(void)
{
    supervise("[service c]\nexec = /bin/c\nafter = b\n"
              "[service b]\nexec = /bin/b\nafter = a\n"
              "[service a]\nexec = /bin/a\n");
    assert_string_equal(launches, "a");
    execs("a");
    assert_string_equal(launches, "a b");
    execs("b");
    assert_string_equal(launches, "a b c");
    execs("c");
    assert_states("c:running b:running a:running");
}

static void test_after_a_oneshot_waits_for_its_exit_0(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service migrate]\nexec = /bin/migrate\noneshot = yes\nafter = db\n"
              "[service web]\nexec = /bin/web\nafter = migrate\n");
    assert_string_equal(launches, "db");
    execs("db");
    assert_string_equal(launches, "db migrate");
    execs("migrate");
    /* Running is not enough for a oneshot: it has to have done its job. */
    assert_states("db:running migrate:running web:waiting");
    exits("migrate", 0);
    assert_states("db:running migrate:done web:starting");
    assert_string_equal(launches, "db migrate web");
}

static void test_after_a_failed_oneshot_keeps_waiting(void)
{
    supervise("[service migrate]\nexec = /bin/migrate\noneshot = yes\nrestart = never\n"
              "[service web]\nexec = /bin/web\nafter = migrate\n");
    execs("migrate");
    exits("migrate", 1);
    assert_states("migrate:failed web:waiting");
    fake_loop_advance(60000);
    assert_string_equal(launches, "migrate");
}

static void test_after_a_oneshot_that_succeeds_on_retry_starts_then(void)
{
    supervise("[service migrate]\nexec = /bin/migrate\noneshot = yes\n"
              "restart = on-failure\nrestart_delay = 2s\n"
              "[service web]\nexec = /bin/web\nafter = migrate\n");
    execs("migrate");
    exits("migrate", 1);
    assert_states("migrate:backoff web:waiting");
    fake_loop_advance(1999);
    assert_string_equal(launches, "migrate");
    fake_loop_advance(1);
    assert_string_equal(launches, "migrate migrate");
    execs("migrate");
    exits("migrate", 0);
    assert_states("migrate:done web:starting");
}

static void test_join_waits_for_the_joined_service_to_run(void)
{
    supervise("[service metrics]\nexec = /bin/metrics\njoin = net:web\n"
              "[service web]\nexec = /bin/web\nnamespaces = net\n");
    assert_string_equal(launches, "web");
    assert_states("metrics:waiting web:starting");
    execs("web");
    assert_states("metrics:starting web:running");
}

static void test_join_of_a_path_does_not_wait(void)
{
    supervise("[service metrics]\nexec = /bin/metrics\njoin = net:/run/netns/lab\n"
              "[service web]\nexec = /bin/web\n");
    assert_string_equal(launches, "metrics web");
}

static void test_join_starts_with_a_running_oneshot_not_a_done_one(void)
{
    /* Its namespace goes with its process: only a running one can be joined. */
    supervise("[service setup]\nexec = /bin/setup\noneshot = yes\nnamespaces = net\n"
              "[service app]\nexec = /bin/app\njoin = net:setup\n"
              "[service late]\nexec = /bin/late\njoin = net:setup\nafter = gate\n"
              "[service gate]\nexec = /bin/gate\n");
    execs("setup");
    assert_states("setup:running app:starting late:waiting gate:starting");
    exits("setup", 0);
    execs("gate");
    assert_states("setup:done app:starting late:waiting gate:running");
    /* status says why late waits. */
    char why[64];
    assert_true(supervisor_waiting_for(supervisor_find("late"), why, sizeof(why)));
    assert_string_equal(why, "waiting for setup (done)");
    assert_false(supervisor_waiting_for(supervisor_find("gate"), why, sizeof(why)));
}

static void test_a_dependency_in_backoff_holds_back_the_ones_not_yet_started(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n");
    exits("db", 1); /* died before its exec was reported */
    assert_states("db:backoff web:waiting");
    fake_loop_advance(1000);
    execs("db");
    assert_states("db:running web:starting");
}

static void test_a_running_dependent_stays_when_its_dependency_restarts(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n");
    execs("db");
    execs("web");
    exits("db", 1);
    assert_states("db:backoff web:running");
    fake_loop_advance(1000);
    execs("db");
    assert_states("db:running web:running");
    assert_string_equal(launches, "db web db");
}

static void test_at_most_32_launch_at_once(void)
{
    char text[8192];
    size_t len = 0;

    for (int i = 0; i < 40; i++)
        len += fmt(text + len, sizeof(text) - len, "[service s%d]\nexec = /bin/s\n", i);
    supervise(text);
    assert_int_equal(n_launches, 32);
    execs("s3");
    execs("s7");
    assert_int_equal(n_launches, 34);
    assert_string_equal(find("s32")->name, "s32");
    assert_int_equal(find("s32")->state, SVC_STARTING);
    assert_int_equal(find("s33")->state, SVC_STARTING);
    assert_int_equal(find("s34")->state, SVC_WAITING);
}

static void test_ctl_start_of_a_dependent_waits_for_its_dependency(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\nrestart = never\n");
    execs("db");
    execs("web");
    exits("web", 1);
    exits("db", 1);
    assert_states("db:backoff web:failed");
    service_event(find("web"), EV_START, 0); /* what control.c does */
    assert_states("db:backoff web:waiting");
    fake_loop_advance(1000);
    assert_states("db:starting web:waiting");
    execs("db");
    assert_states("db:running web:starting");
}

/* ---- stopping at shutdown --------------------------------------------- */

static void test_shutdown_stops_a_dependent_before_its_dependency(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n");
    execs("db");
    execs("web");
    supervisor_stop_all();
    assert_states("db:running web:stopping");
    exits("web", 0);
    assert_states("db:stopping web:stopped");
    assert_int_equal(services_stopped, 0);
    exits("db", 0);
    assert_states("db:stopped web:stopped");
    assert_int_equal(services_stopped, 1);
}

static void test_shutdown_stops_unrelated_services_side_by_side(void)
{
    supervise("[service a]\nexec = /bin/a\n"
              "[service b]\nexec = /bin/b\n"
              "[service c]\nexec = /bin/c\nafter = a\n");
    execs("a");
    execs("b");
    execs("c");
    supervisor_stop_all();
    assert_states("a:running b:stopping c:stopping");
    exits("b", 0);
    assert_states("a:running b:stopped c:stopping");
    exits("c", 0);
    assert_states("a:stopping b:stopped c:stopped");
}

static void test_shutdown_waits_for_every_dependent(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n"
              "[service api]\nexec = /bin/api\nafter = db\n");
    execs("db");
    execs("web");
    execs("api");
    supervisor_stop_all();
    assert_states("db:running web:stopping api:stopping");
    exits("web", 0);
    assert_states("db:running web:stopped api:stopping");
    exits("api", 0);
    assert_states("db:stopping web:stopped api:stopped");
}

static void test_shutdown_stops_a_chain_from_its_end(void)
{
    supervise("[service a]\nexec = /bin/a\n"
              "[service b]\nexec = /bin/b\nafter = a\n"
              "[service c]\nexec = /bin/c\nafter = b\n");
    execs("a");
    execs("b");
    execs("c");
    supervisor_stop_all();
    assert_states("a:running b:running c:stopping");
    exits("c", 0);
    assert_states("a:running b:stopping c:stopped");
    exits("b", 0);
    assert_states("a:stopping b:stopped c:stopped");
    exits("a", 0);
    assert_int_equal(services_stopped, 1);
}

static void test_shutdown_looks_through_a_done_oneshot_to_who_is_after_it(void)
{
    /* The contract's own example: web reached db through migrate. */
    supervise("[service db]\nexec = /bin/db\n"
              "[service migrate]\nexec = /bin/migrate\noneshot = yes\nafter = db\n"
              "[service web]\nexec = /bin/web\nafter = migrate\n");
    execs("db");
    execs("migrate");
    exits("migrate", 0);
    execs("web");
    supervisor_stop_all();
    assert_states("db:running migrate:done web:stopping");
    exits("web", 0);
    assert_states("db:stopping migrate:done web:stopped");
}

static void test_shutdown_looks_through_a_failed_service_in_the_middle(void)
{
    supervise("[service a]\nexec = /bin/a\n"
              "[service b]\nexec = /bin/b\nafter = a\nrestart = never\n"
              "[service c]\nexec = /bin/c\nafter = b\n");
    execs("a");
    execs("b");
    execs("c");
    exits("b", 1);
    supervisor_stop_all();
    assert_states("a:running b:failed c:stopping");
    exits("c", 0);
    assert_states("a:stopping b:failed c:stopped");
}

static void test_shutdown_stops_a_joined_service_after_its_joiners(void)
{
    supervise("[service web]\nexec = /bin/web\nnamespaces = net\n"
              "[service metrics]\nexec = /bin/metrics\njoin = net:web\n");
    execs("web");
    execs("metrics");
    supervisor_stop_all();
    assert_states("web:running metrics:stopping");
    exits("metrics", 0);
    assert_states("web:stopping metrics:stopped");
}

static void test_shutdown_waits_for_a_dependent_still_starting(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n");
    execs("db");
    supervisor_stop_all();
    assert_states("db:running web:stopping");
    exits("web", 0);
    assert_states("db:stopping web:stopped");
}

static void test_shutdown_stops_waiting_and_backoff_services_at_once(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n"
              "[service flaky]\nexec = /bin/flaky\n");
    execs("flaky");
    exits("flaky", 1);
    assert_states("db:starting web:waiting flaky:backoff");
    supervisor_stop_all();
    assert_states("db:stopping web:stopped flaky:stopped");
    fake_loop_advance(60000); /* flaky's backoff timer is gone: no restart */
    assert_states("db:stopping web:stopped flaky:stopped");
    assert_string_equal(launches, "db flaky");
}

static void test_shutdown_skips_over_dependents_that_are_not_running(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\nrestart = never\n");
    execs("db");
    execs("web");
    exits("web", 1);
    supervisor_stop_all();
    assert_states("db:stopping web:failed");
}

static void test_shutdown_does_not_restart_a_service_that_crashes_meanwhile(void)
{
    supervise("[service db]\nexec = /bin/db\n"
              "[service web]\nexec = /bin/web\nafter = db\n");
    execs("db");
    execs("web");
    supervisor_stop_all();
    exits("db", 1); /* not yet asked to stop, it crashes */
    assert_states("db:stopped web:stopping");
    exits("web", 0);
    fake_loop_advance(60000);
    assert_states("db:stopped web:stopped");
    assert_int_equal(services_stopped, 1);
    assert_string_equal(launches, "db web");
}

static void test_shutdown_with_nothing_alive_reports_stopped_at_once(void)
{
    supervise("[service migrate]\nexec = /bin/migrate\noneshot = yes\n");
    execs("migrate");
    exits("migrate", 0);
    supervisor_stop_all();
    assert_states("migrate:done");
    assert_int_equal(services_stopped, 1);
    service_event(find("migrate"), EV_STOP, 0); /* a later pass: said once only */
    assert_int_equal(services_stopped, 1);
}

static void test_shutdown_sigkills_a_service_past_its_stop_timeout(void)
{
    supervise("[service db]\nexec = /bin/db\nstop_timeout = 2s\n"
              "[service web]\nexec = /bin/web\nafter = db\nstop_timeout = 3s\n");
    execs("db");
    execs("web");
    supervisor_stop_all();
    fake_loop_advance(2999);
    assert_false(find("web")->killed);
    fake_loop_advance(1);
    assert_true(find("web")->killed);
    assert_states("db:running web:stopping"); /* until its exit is reaped */
    assert_true(supervisor_on_exit(find("web")->pid, SIGKILL)); /* killed by it */
    assert_states("db:stopping web:stopped");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ISOLATED(test_unrelated_services_start_side_by_side),
        ISOLATED(test_after_starts_once_the_other_runs),
        ISOLATED(test_after_several_waits_for_all_of_them),
        ISOLATED(test_a_chain_starts_one_link_at_a_time),
        ISOLATED(test_after_a_oneshot_waits_for_its_exit_0),
        ISOLATED(test_after_a_failed_oneshot_keeps_waiting),
        ISOLATED(test_after_a_oneshot_that_succeeds_on_retry_starts_then),
        ISOLATED(test_join_waits_for_the_joined_service_to_run),
        ISOLATED(test_join_of_a_path_does_not_wait),
        ISOLATED(test_join_starts_with_a_running_oneshot_not_a_done_one),
        ISOLATED(test_a_dependency_in_backoff_holds_back_the_ones_not_yet_started),
        ISOLATED(test_a_running_dependent_stays_when_its_dependency_restarts),
        ISOLATED(test_at_most_32_launch_at_once),
        ISOLATED(test_ctl_start_of_a_dependent_waits_for_its_dependency),
        ISOLATED(test_shutdown_stops_a_dependent_before_its_dependency),
        ISOLATED(test_shutdown_stops_unrelated_services_side_by_side),
        ISOLATED(test_shutdown_waits_for_every_dependent),
        ISOLATED(test_shutdown_stops_a_chain_from_its_end),
        ISOLATED(test_shutdown_looks_through_a_done_oneshot_to_who_is_after_it),
        ISOLATED(test_shutdown_looks_through_a_failed_service_in_the_middle),
        ISOLATED(test_shutdown_stops_a_joined_service_after_its_joiners),
        ISOLATED(test_shutdown_waits_for_a_dependent_still_starting),
        ISOLATED(test_shutdown_stops_waiting_and_backoff_services_at_once),
        ISOLATED(test_shutdown_skips_over_dependents_that_are_not_running),
        ISOLATED(test_shutdown_does_not_restart_a_service_that_crashes_meanwhile),
        ISOLATED(test_shutdown_with_nothing_alive_reports_stopped_at_once),
        ISOLATED(test_shutdown_sigkills_a_service_past_its_stop_timeout),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
