/* timens_setup (root needed): the offsets reach the child itself and the
 * program it execs (this binary again, run as `--print-clocks`), negative
 * offsets are written correctly, and the kernel facts the design rests on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "timens.h"
#include "testlib.h"

static int64_t ns_of(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int print_clocks(void)
{
    printf("%lld %lld\n", (long long)ns_of(CLOCK_MONOTONIC),
           (long long)ns_of(CLOCK_BOOTTIME));
    return 0;
}

static void time_conf(struct svc_conf *s, int64_t mono_ms, int64_t boot_ms)
{
    memset(s, 0, sizeof(*s));
    s->ns_flags = CLONE_NEWTIME;
    s->has_time_offsets = true;
    s->time_monotonic_ms = mono_ms;
    s->time_boottime_ms = boot_ms;
}

/* Forks a child that runs timens_setup and execs `--print-clocks`; returns
 * how far its clocks are ahead of ours, in ns. */
static void exec_clock_skew(const struct svc_conf *s, int64_t *mono, int64_t *boot)
{
    char buf[128];
    long long cm, cb;
    int64_t hm, hb;
    int out[2];
    ssize_t n;
    pid_t pid;

    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct step st = {{0}};
        if (timens_setup(s, &st) < 0) {
            fprintf(stderr, "%s: %s\n", st.what, strerror(errno));
            _exit(1);
        }
        dup2(out[1], 1);
        execl("/proc/self/exe", "test_timens", "--print-clocks", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    n = read(out[0], buf, sizeof(buf) - 1);
    hm = ns_of(CLOCK_MONOTONIC);
    hb = ns_of(CLOCK_BOOTTIME);
    close(out[0]);
    assert_int_equal(tl_wait(pid), 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_int_equal(sscanf(buf, "%lld %lld", &cm, &cb), 2);
    *mono = cm - hm;
    *boot = cb - hb;
}

/* The child's clock was read just before ours: it may lag by the time a
 * read() takes, never lead. */
#define assert_skew(got_ns, want_ms)                                                     \
    do {                                                                                 \
        int64_t d_ = (got_ns) - (int64_t)(want_ms)*1000000;                              \
        if (d_ > 1000000 || d_ < -500000000)                                             \
            fail_msg("skew %lld ns, want %lld ms", (long long)(got_ns),                  \
                     (long long)(want_ms));                                              \
    } while (0)

static void test_exec_runs_with_the_configured_offsets(void **state)
{
    struct svc_conf s;
    int64_t mono, boot;

    (void)state;
    SKIP_UNLESS_ROOT();
    time_conf(&s, 3600 * 1000, 2 * 86400 * 1000LL);
    exec_clock_skew(&s, &mono, &boot);
    assert_skew(mono, 3600 * 1000);
    assert_skew(boot, 2 * 86400 * 1000LL);
}

/* -2500 ms must be written as "-3 500000000": a wrong split would be off
 * by a second. */
static void test_negative_offsets_are_split_into_seconds_and_nanoseconds(void **state)
{
    struct svc_conf s;
    int64_t mono, boot;

    (void)state;
    SKIP_UNLESS_ROOT();
    if (ns_of(CLOCK_MONOTONIC) < 10 * 1000000000LL)
        skip(); /* the clock would go negative */
    time_conf(&s, -2500, -1);
    exec_clock_skew(&s, &mono, &boot);
    assert_skew(mono, -2500);
    assert_skew(boot, -1);
}

static int child_sees_offset_without_exec(void *arg)
{
    struct svc_conf s;
    struct step st = {{0}};
    int64_t before, after;

    (void)arg;
    time_conf(&s, 7200 * 1000, 0);
    before = ns_of(CLOCK_MONOTONIC);
    CHECK(timens_setup(&s, &st) == 0);
    after = ns_of(CLOCK_MONOTONIC);
    /* the setns() fallback: kernels before 6.1 move only forks, not
     * execve, into time_for_children */
    CHECK(after - before >= 7200 * 1000000000LL);
    CHECK(after - before < 7201 * 1000000000LL);
    return 0;
}

static void test_the_child_itself_is_inside_before_exec(void **state)
{
    (void)state;
    SKIP_UNLESS_ROOT();
    assert_int_equal(tl_run_child(0, child_sees_offset_without_exec, NULL), 0);
}

static int child_negative_clock(void *arg)
{
    struct svc_conf s;
    struct step st = {{0}};

    (void)arg;
    time_conf(&s, 0, -10 * 365 * 86400 * 1000LL); /* ten years before boot */
    CHECK(timens_setup(&s, &st) == -1 && errno == ERANGE);
    CHECK(strcmp(st.what, "write /proc/self/timens_offsets") == 0);
    return 0;
}

static void test_offset_below_zero_fails_naming_the_write(void **state)
{
    (void)state;
    SKIP_UNLESS_ROOT();
    assert_int_equal(tl_run_child(0, child_negative_clock, NULL), 0);
}

static int same_link(const char *a, const char *b)
{
    char la[64] = "", lb[64] = "";

    return readlink(a, la, sizeof(la) - 1) > 0 && readlink(b, lb, sizeof(lb) - 1) > 0 &&
           strcmp(la, lb) == 0;
}

static int child_no_time_flag(void *arg)
{
    const char *parent_ns = arg;
    struct svc_conf s;
    struct step st = {{0}};
    char own[64] = "";

    time_conf(&s, 1000, 1000);
    s.ns_flags = CLONE_NEWNS; /* offsets without `time`: nothing to do */
    CHECK(timens_setup(&s, &st) == 0);
    CHECK(same_link("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
    CHECK(readlink("/proc/self/ns/time", own, sizeof(own) - 1) > 0);
    CHECK(strcmp(own, parent_ns) == 0);
    return 0;
}

static void test_without_the_time_namespace_nothing_changes(void **state)
{
    char parent_ns[64] = "";

    (void)state;
    SKIP_UNLESS_ROOT();
    assert_true(readlink("/proc/self/ns/time", parent_ns, sizeof(parent_ns) - 1) > 0);
    assert_int_equal(tl_run_child(0, child_no_time_flag, parent_ns), 0);
}

/* Why the integrator must not pass CLONE_NEWTIME to clone3: the child is
 * then already inside, and the kernel refuses offsets for a namespace that
 * has a task in it. */
static void test_kernel_refuses_offsets_once_a_task_is_inside(void **state)
{
    pid_t pid;

    (void)state;
    SKIP_UNLESS_ROOT();
    pid = tl_clone3(CLONE_NEWTIME);
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            _exit(2);
        if (write(fd, "monotonic 10 0\n", 15) >= 0)
            _exit(3);
        _exit(errno == EACCES ? 0 : 4);
    }
    assert_int_equal(tl_wait(pid), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_runs_with_the_configured_offsets),
        cmocka_unit_test(test_negative_offsets_are_split_into_seconds_and_nanoseconds),
        cmocka_unit_test(test_the_child_itself_is_inside_before_exec),
        cmocka_unit_test(test_offset_below_zero_fails_naming_the_write),
        cmocka_unit_test(test_without_the_time_namespace_nothing_changes),
        cmocka_unit_test(test_kernel_refuses_offsets_once_a_task_is_inside),
    };

    if (argc == 2 && strcmp(argv[1], "--print-clocks") == 0)
        return print_clocks();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
