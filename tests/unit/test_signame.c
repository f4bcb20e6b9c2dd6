/* Unit tests for init/signame.c: names to numbers in every spelling,
 * numbers to names, real-time signals, and what is not a signal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "signame.h"

static void test_classic_names_every_spelling(void **state)
{
    static const struct {
        const char *name;
        int sig;
    } cases[] = {
        {"TERM", SIGTERM},     {"SIGTERM", SIGTERM},  {"term", SIGTERM},
        {"sigterm", SIGTERM},  {"SigTerm", SIGTERM},  {"HUP", SIGHUP},
        {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"KILL", SIGKILL},
        {"USR1", SIGUSR1},     {"USR2", SIGUSR2},     {"WINCH", SIGWINCH},
        {"CONT", SIGCONT},     {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
        {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"SEGV", SIGSEGV},
        {"ABRT", SIGABRT},     {"IOT", SIGABRT},      {"BUS", SIGBUS},
        {"FPE", SIGFPE},       {"ILL", SIGILL},       {"TRAP", SIGTRAP},
        {"SYS", SIGSYS},       {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},
        {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},     {"PWR", SIGPWR},
        {"IO", SIGIO},         {"POLL", SIGPOLL},     {"URG", SIGURG},
        {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"PROF", SIGPROF},
        {"VTALRM", SIGVTALRM}, {"STKFLT", SIGSTKFLT},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (sig_from_name(cases[i].name) != cases[i].sig)
            fail_msg("%s: want %d, got %d", cases[i].name, cases[i].sig,
                     sig_from_name(cases[i].name));
}

static void test_numbers(void **state)
{
    assert_int_equal(sig_from_name("1"), 1);
    assert_int_equal(sig_from_name("9"), SIGKILL);
    assert_int_equal(sig_from_name("15"), SIGTERM);
    assert_int_equal(sig_from_name("64"), 64);
    assert_int_equal(sig_from_name("015"), 15);
    /* The spelling sig_name uses for a signal without a name. */
    assert_int_equal(sig_from_name("SIG32"), 32);
    assert_int_equal(sig_from_name("sig15"), SIGTERM);
    assert_int_equal(sig_from_name("SIG0"), -1);
    assert_int_equal(sig_from_name("SIG65"), -1);
}

static void test_realtime_names(void **state)
{
    assert_int_equal(sig_from_name("RTMIN"), SIGRTMIN);
    assert_int_equal(sig_from_name("SIGRTMIN"), SIGRTMIN);
    assert_int_equal(sig_from_name("RTMIN+0"), SIGRTMIN);
    assert_int_equal(sig_from_name("RTMIN+3"), SIGRTMIN + 3);
    assert_int_equal(sig_from_name("sigrtmin+3"), SIGRTMIN + 3);
    assert_int_equal(sig_from_name("RTMAX"), SIGRTMAX);
    assert_int_equal(sig_from_name("SIGRTMAX-1"), SIGRTMAX - 1);
    assert_int_equal(sig_from_name("RTMIN+"
                                   "30"),
                     SIGRTMIN + 30 <= SIGRTMAX ? SIGRTMIN + 30 : -1);
    assert_int_equal(SIGRTMAX, 64);
}

static void test_bad_names(void **state)
{
    static const char *bad[] = {
        "",
        "SIG",
        "NOPE",
        "SIGNOPE",
        "0",
        "65",
        "100",
        "-1",
        "+9",
        " 9",
        "9 ",
        "9x",
        "TERM ",
        "SIGSIGTERM",
        "RTMIN+",
        "RTMIN-1",
        "RTMIN+x",
        "RTMIN+99",
        "RTMAX+1",
        "RTMAX-",
        "RTMAX-99",
        "RTMINX",
        "99999999999999999999",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (sig_from_name(bad[i]) != -1)
            fail_msg("'%s' taken as signal %d", bad[i], sig_from_name(bad[i]));
}

static void test_names_of_numbers(void **state)
{
    char buf[12];

    assert_string_equal(sig_name(SIGTERM, buf), "SIGTERM");
    assert_string_equal(sig_name(SIGKILL, buf), "SIGKILL");
    assert_string_equal(sig_name(SIGHUP, buf), "SIGHUP");
    assert_string_equal(sig_name(SIGWINCH, buf), "SIGWINCH");
    assert_string_equal(sig_name(SIGVTALRM, buf), "SIGVTALRM");
    assert_string_equal(sig_name(SIGSTKFLT, buf), "SIGSTKFLT");
    /* The first name in the table for a number with two. */
    assert_string_equal(sig_name(SIGABRT, buf), "SIGABRT");
    assert_string_equal(sig_name(SIGCHLD, buf), "SIGCHLD");
    assert_string_equal(sig_name(SIGIO, buf), "SIGIO");
    /* Returns its buffer. */
    assert_ptr_equal(sig_name(SIGINT, buf), buf);
}

static void test_names_without_table_entry(void **state)
{
    char buf[12];

    assert_string_equal(sig_name(32, buf), "SIG32");
    assert_string_equal(sig_name(64, buf), "SIG64");
    assert_string_equal(sig_name(0, buf), "SIG0");
    assert_string_equal(sig_name(-3, buf), "SIG-3");
    /* The longest possible output fits the 12-byte buffer. */
    memset(buf, 'x', sizeof(buf));
    assert_string_equal(sig_name(-2147483647, buf), "SIG-2147483");
}

/* Every name sig_name writes is one sig_from_name reads back. */
static void test_round_trip_every_signal(void **state)
{
    char buf[12];

    for (int sig = 1; sig <= 64; sig++) {
        int back = sig_from_name(sig_name(sig, buf));
        if (back != sig)
            fail_msg("signal %d: named '%s', read back as %d", sig, buf, back);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_names_every_spelling),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_realtime_names),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_names_of_numbers),
        cmocka_unit_test(test_names_without_table_entry),
        cmocka_unit_test(test_round_trip_every_signal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
