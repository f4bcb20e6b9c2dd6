/* Unit tests for init/fds.c: how many inherited fds the command keeps
 * (--preserve-fds, LISTEN_FDS/LISTEN_PID), and what fds_sanitize and
 * fds_pass_kept do to a real fd table (in a forked child). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fds.h"

static void test_nothing_passed(void **state)
{
    bool act = true;

    assert_int_equal(fds_kept(0, NULL, NULL, 42, &act), 0);
    assert_false(act);
}

static void test_preserve_only(void **state)
{
    bool act = true;

    assert_int_equal(fds_kept(3, NULL, NULL, 42, &act), 3);
    assert_false(act);
}

static void test_activation_for_us(void **state)
{
    bool act = false;

    assert_int_equal(fds_kept(0, "2", "42", 42, &act), 2);
    assert_true(act);
    /* As PID 1 of a namespace, LISTEN_PID=1 names us. */
    act = false;
    assert_int_equal(fds_kept(0, "1", "1", 1, &act), 1);
    assert_true(act);
}

static void test_activation_for_another_process(void **state)
{
    bool act = true;

    assert_int_equal(fds_kept(0, "2", "43", 42, &act), 0);
    assert_false(act);
    /* The fds are not ours, but --preserve-fds still stands. */
    assert_int_equal(fds_kept(1, "2", "43", 42, &act), 1);
    assert_false(act);
}

static void test_activation_needs_both_variables(void **state)
{
    bool act = true;

    assert_int_equal(fds_kept(0, "2", NULL, 42, &act), 0);
    assert_false(act);
    assert_int_equal(fds_kept(0, NULL, "42", 42, &act), 0);
    assert_false(act);
    assert_int_equal(fds_kept(0, "", "42", 42, &act), 0);
    assert_false(act);
    assert_int_equal(fds_kept(0, "2", "", 42, &act), 0);
    assert_false(act);
}

static void test_activation_zero_fds(void **state)
{
    bool act = true;

    assert_int_equal(fds_kept(0, "0", "42", 42, &act), 0);
    assert_false(act);
}

static void test_garbage_values_keep_nothing(void **state)
{
    static const char *bad[] = {"2x", "-2", " 2", "x", "+2", "99999999999999999999"};
    bool act;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        act = true;
        assert_int_equal(fds_kept(0, bad[i], "42", 42, &act), 0);
        assert_false(act);
        act = true;
        assert_int_equal(fds_kept(0, "2", bad[i], 42, &act), 0);
        assert_false(act);
    }
}

static void test_both_larger_range_wins(void **state)
{
    bool act = false;

    assert_int_equal(fds_kept(1, "3", "42", 42, &act), 3);
    assert_true(act);
    act = false;
    assert_int_equal(fds_kept(5, "3", "42", 42, &act), 5);
    /* Still activation: LISTEN_PID must be rewritten for the command. */
    assert_true(act);
}

/* fd state: -1 closed, 0 open without CLOEXEC, 1 open with CLOEXEC. */
static int fd_state(int fd)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0)
        return -1;
    return (flags & FD_CLOEXEC) ? 1 : 0;
}

/* Runs in a child: exit 0 when every check held, else the failed step. */
static int sanitize_child(void)
{
    int null = open("/dev/null", O_RDWR);

    if (null < 0)
        return 100;
    for (int fd = 3; fd <= 9; fd++)
        if (fd != null && dup2(null, fd) < 0)
            return 101;
    if (dup2(null, 200) < 0)
        return 102;
    close(0); /* a closed stdin must come back as /dev/null */
    fds_sanitize(2);
    if (fd_state(0) != 0 || fd_state(1) < 0 || fd_state(2) < 0)
        return 1;
    if (fd_state(3) != 1 || fd_state(4) != 1)
        return 2;
    for (int fd = 5; fd <= 9; fd++)
        if (fd_state(fd) != -1)
            return 3;
    if (fd_state(200) != -1)
        return 4;
    fds_pass_kept(2);
    if (fd_state(3) != 0 || fd_state(4) != 0 || fd_state(5) != -1)
        return 5;
    return 0;
}

static void test_sanitize_and_pass_kept(void **state)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(sanitize_child());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int close_from_child(void)
{
    if (dup2(1, 10) < 0 || dup2(1, 11) < 0 || dup2(1, 500) < 0)
        return 100;
    fds_close_from(11);
    if (fd_state(10) < 0)
        return 1;
    if (fd_state(11) != -1 || fd_state(500) != -1)
        return 2;
    return 0;
}

static void test_close_from(void **state)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(close_from_child());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_passed),
        cmocka_unit_test(test_preserve_only),
        cmocka_unit_test(test_activation_for_us),
        cmocka_unit_test(test_activation_for_another_process),
        cmocka_unit_test(test_activation_needs_both_variables),
        cmocka_unit_test(test_activation_zero_fds),
        cmocka_unit_test(test_garbage_values_keep_nothing),
        cmocka_unit_test(test_both_larger_range_wins),
        cmocka_unit_test(test_sanitize_and_pass_kept),
        cmocka_unit_test(test_close_from),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
