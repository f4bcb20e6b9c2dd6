/* Unit tests for init/options.c: every container-mode option, clustering,
 * attached and separate values, where the command starts, usage errors
 * with their reason, and the exit status mapping (128+N, -e). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static char err[200];

/* Parses a NULL-terminated argv; err is cleared first so a reason left
 * by an earlier case cannot pass for this one's. */
static int parse(char **argv, struct options *o)
{
    int argc = 0;

    while (argv[argc])
        argc++;
    memset(err, 0, sizeof(err));
    return options_parse(argc, argv, o, err, sizeof(err));
}

static int mapped(const struct options *o, int code)
{
    return (o->exit_zero[code / 8] >> (code % 8)) & 1;
}

static void test_defaults_with_dashdash(void **state)
{
    char *argv[] = {"nsinit", "--", "sleep", "1", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_int_equal(o.action, ACT_RUN);
    assert_false(o.group);
    assert_false(o.wait);
    assert_int_equal(o.verbose, 0);
    assert_int_equal(o.pdeathsig, 0);
    assert_int_equal(o.wait_ms, 5000);
    assert_int_equal(o.preserve_fds, 0);
    assert_null(o.config);
    for (int i = 0; i < 256; i++)
        assert_int_equal(mapped(&o, i), 0);
    assert_ptr_equal(o.cmd, &argv[2]);
    assert_string_equal(o.cmd[0], "sleep");
    assert_string_equal(o.cmd[1], "1");
    assert_null(o.cmd[2]);
}

static void test_every_short_option_separate(void **state)
{
    char *argv[] = {"nsinit", "-g",          "-w", "-v",  "-v", "-s",
                    "-p",     "SIGUSR1",     "-e", "143", "-t", "2",
                    "-c",     "/etc/x.conf", "--", "cmd", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_true(o.group);
    assert_true(o.wait);
    assert_int_equal(o.verbose, 2);
    assert_int_equal(o.pdeathsig, SIGUSR1);
    assert_true(mapped(&o, 143));
    assert_int_equal(o.wait_ms, 2000);
    assert_string_equal(o.config, "/etc/x.conf");
    assert_ptr_equal(o.cmd, &argv[15]);
}

static void test_clustered_flags(void **state)
{
    char *argv[] = {"nsinit", "-gwv", "--", "cmd", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_true(o.group);
    assert_true(o.wait);
    assert_int_equal(o.verbose, 1);
    assert_ptr_equal(o.cmd, &argv[3]);
}

static void test_cluster_ending_with_value_takes_next_word(void **state)
{
    char *argv[] = {"nsinit", "-gwe", "143", "cmd", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_true(o.group);
    assert_true(o.wait);
    assert_true(mapped(&o, 143));
    assert_ptr_equal(o.cmd, &argv[3]);
}

static void test_attached_values(void **state)
{
    char *argv[] = {"nsinit", "-e143", "-pKILL", "-t500ms", "-gp15", "-cfile", "x", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_true(mapped(&o, 143));
    assert_int_equal(o.wait_ms, 500);
    /* The later -p wins, and the cluster -gp15 sets both. */
    assert_int_equal(o.pdeathsig, SIGTERM);
    assert_true(o.group);
    assert_string_equal(o.config, "file");
    assert_ptr_equal(o.cmd, &argv[6]);
}

static void test_exit_code_repeatable(void **state)
{
    char *argv[] = {"nsinit", "-e",  "0",  "-e", "7", "-e255",
                    "-e",     "143", "--", "c",  NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    for (int i = 0; i < 256; i++)
        assert_int_equal(mapped(&o, i), i == 0 || i == 7 || i == 143 || i == 255);
}

static void test_pdeathsig_spellings(void **state)
{
    static const struct {
        const char *arg;
        int sig;
    } cases[] = {
        {"SIGKILL", SIGKILL},
        {"KILL", SIGKILL},
        {"usr1", SIGUSR1},
        {"9", SIGKILL},
        {"SIGRTMIN+2", 0 /* filled below */},
    };
    struct options o;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *argv[] = {"nsinit", "-p", (char *)cases[i].arg, "c", NULL};
        int want = cases[i].sig ? cases[i].sig : SIGRTMIN + 2;

        assert_int_equal(parse(argv, &o), 0);
        assert_int_equal(o.pdeathsig, want);
    }
}

static void test_preserve_fds_forms(void **state)
{
    char *sep[] = {"nsinit", "--preserve-fds", "3", "--", "c", NULL};
    char *eq[] = {"nsinit", "--preserve-fds=2", "c", NULL};
    char *zero[] = {"nsinit", "--preserve-fds=0", "c", NULL};
    struct options o;

    assert_int_equal(parse(sep, &o), 0);
    assert_int_equal(o.preserve_fds, 3);
    assert_ptr_equal(o.cmd, &sep[4]);
    assert_int_equal(parse(eq, &o), 0);
    assert_int_equal(o.preserve_fds, 2);
    assert_ptr_equal(o.cmd, &eq[2]);
    assert_int_equal(parse(zero, &o), 0);
    assert_int_equal(o.preserve_fds, 0);
}

static void test_help_and_version(void **state)
{
    char *h1[] = {"nsinit", "--help", NULL};
    char *h2[] = {"nsinit", "-h", NULL};
    char *v1[] = {"nsinit", "--version", NULL};
    char *v2[] = {"nsinit", "-V", NULL};
    struct options o;

    /* No command needed for either. */
    assert_int_equal(parse(h1, &o), 0);
    assert_int_equal(o.action, ACT_HELP);
    assert_int_equal(parse(h2, &o), 0);
    assert_int_equal(o.action, ACT_HELP);
    assert_int_equal(parse(v1, &o), 0);
    assert_int_equal(o.action, ACT_VERSION);
    assert_int_equal(parse(v2, &o), 0);
    assert_int_equal(o.action, ACT_VERSION);
}

static void test_command_without_dashdash(void **state)
{
    char *argv[] = {"nsinit", "-g", "sh", "-c", "echo -e", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_true(o.group);
    /* The command's own options are not ours. */
    assert_ptr_equal(o.cmd, &argv[2]);
    assert_string_equal(o.cmd[1], "-c");
}

static void test_dashdash_protects_dashed_command(void **state)
{
    char *argv[] = {"nsinit", "--", "-weird", "--", NULL};
    char *dash[] = {"nsinit", "-", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_false(o.wait);
    assert_ptr_equal(o.cmd, &argv[2]);
    assert_string_equal(o.cmd[1], "--");
    /* A lone "-" is a word, not an option. */
    assert_int_equal(parse(dash, &o), 0);
    assert_ptr_equal(o.cmd, &dash[1]);
}

static void test_empty_arguments_kept(void **state)
{
    char *argv[] = {"nsinit", "--", "printf", "", "a b", "", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_string_equal(o.cmd[1], "");
    assert_string_equal(o.cmd[2], "a b");
    assert_string_equal(o.cmd[3], "");
    assert_null(o.cmd[4]);
}

static void test_config_without_command(void **state)
{
    char *argv[] = {"nsinit", "-c", "f.conf", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_string_equal(o.config, "f.conf");
    assert_null(o.cmd);
}

/* Every usage error: -1 and a reason naming the culprit. */
static void expect_error(char **argv, const char *reason_part)
{
    struct options o;

    assert_int_equal(parse(argv, &o), -1);
    if (!strstr(err, reason_part))
        fail_msg("reason '%s' does not contain '%s'", err, reason_part);
    assert_null(strchr(err, '\n'));
}

static void test_bad_exit_codes(void **state)
{
    char *big[] = {"nsinit", "-e", "256", "c", NULL};
    char *abc[] = {"nsinit", "-e", "abc", "c", NULL};
    char *neg[] = {"nsinit", "-e", "-1", "c", NULL};
    char *attached[] = {"nsinit", "-e1000", "c", NULL};
    char *empty[] = {"nsinit", "-e", "", "c", NULL};
    char *trail[] = {"nsinit", "-e", "1x", "c", NULL};

    expect_error(big, "'256'");
    expect_error(abc, "'abc'");
    expect_error(neg, "'-1'");
    expect_error(attached, "'1000'");
    expect_error(empty, "-e");
    expect_error(trail, "'1x'");
}

static void test_bad_signal(void **state)
{
    char *nope[] = {"nsinit", "-p", "NOPE", "c", NULL};
    char *zero[] = {"nsinit", "-p", "0", "c", NULL};
    char *big[] = {"nsinit", "-p", "65", "c", NULL};

    expect_error(nope, "'NOPE'");
    expect_error(zero, "'0'");
    expect_error(big, "'65'");
}

static void test_bad_duration_and_count(void **state)
{
    char *t[] = {"nsinit", "-t", "soon", "c", NULL};
    char *p1[] = {"nsinit", "--preserve-fds=x", "c", NULL};
    char *p2[] = {"nsinit", "--preserve-fds=-1", "c", NULL};
    char *p3[] = {"nsinit", "--preserve-fds=", "c", NULL};

    expect_error(t, "'soon'");
    expect_error(p1, "'x'");
    expect_error(p2, "'-1'");
    expect_error(p3, "preserve-fds");
}

static void test_missing_values(void **state)
{
    char *e[] = {"nsinit", "-e", NULL};
    char *p[] = {"nsinit", "-gp", NULL};
    char *pf[] = {"nsinit", "--preserve-fds", NULL};

    expect_error(e, "missing value for '-e'");
    expect_error(p, "missing value for '-p'");
    expect_error(pf, "missing value for '--preserve-fds'");
}

static void test_unknown_options(void **state)
{
    char *s[] = {"nsinit", "-x", "--", "c", NULL};
    char *in_cluster[] = {"nsinit", "-gqw", "c", NULL};
    char *l[] = {"nsinit", "--frobnicate", "c", NULL};
    char *prefix[] = {"nsinit", "--preserve-fdsX=1", "c", NULL};

    expect_error(s, "unknown option '-x'");
    expect_error(in_cluster, "unknown option '-q'");
    expect_error(l, "unknown option '--frobnicate'");
    expect_error(prefix, "--preserve-fdsX=1");
}

static void test_no_command(void **state)
{
    char *none[] = {"nsinit", NULL};
    char *dd[] = {"nsinit", "--", NULL};
    char *opts[] = {"nsinit", "-g", "-w", NULL};

    expect_error(none, "no command");
    expect_error(dd, "no command");
    expect_error(opts, "no command");
}

static void test_error_truncated_to_buffer(void **state)
{
    char *argv[] = {"nsinit", "--a-very-long-unknown-option-name-indeed", "c", NULL};
    struct options o;
    char small[16];

    memset(small, 'x', sizeof(small));
    assert_int_equal(options_parse(ARGC(argv), argv, &o, small, sizeof(small)), -1);
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_rewrite_forms_and_identity(void **state)
{
    char *argv[] = {"nsinit", "-r", "15:3", "-rSIGUSR1:usr2", "--rewrite", "HUP:0",
                    "--rewrite=RTMIN+1:64", "--", "c", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_int_equal(o.rewrite[15], 3);
    assert_int_equal(o.rewrite[SIGUSR1], SIGUSR2);
    assert_int_equal(o.rewrite[SIGHUP], 0);
    assert_int_equal(o.rewrite[SIGRTMIN + 1], 64);
    /* Every other signal is forwarded as itself. */
    assert_int_equal(o.rewrite[SIGINT], SIGINT);
    assert_int_equal(o.rewrite[64], 64);
    assert_int_equal(o.rewrite[SIGTERM - 1], SIGTERM - 1);
    assert_string_equal(o.cmd[0], "c");
}

static void test_bad_rewrites(void **state)
{
    const char *bad[] = {"15", "15:", ":3", "15:65", "x:1", "0:1", "15:NOPE", "15:3:1",
                         "123456789012345678:1"};
    char *miss[] = {"nsinit", "--rewrite", NULL};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv[] = {"nsinit", "-r", (char *)bad[i], "c", NULL};
        char want[64];
        snprintf(want, sizeof(want), "'%s'", bad[i]);
        expect_error(argv, want);
    }
    expect_error(miss, "missing value for '--rewrite'");
}

static void test_tini_environment(void **state)
{
    char *argv[] = {"nsinit", "--", "c", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    options_from_env(&o, NULL, NULL);
    assert_false(o.group);
    assert_int_equal(o.verbose, 0);
    options_from_env(&o, "", "1");
    assert_false(o.group);
    assert_int_equal(o.verbose, 0);
    options_from_env(&o, "no", "x");
    assert_true(o.group); /* tini: any non-empty value */
    assert_int_equal(o.verbose, 0);
    options_from_env(&o, NULL, "2");
    assert_int_equal(o.verbose, 1);
}

static void test_status_from_wait(void **state)
{
    /* Encoded as the kernel does: code << 8, or the signal number. */
    assert_int_equal(status_from_wait(0), 0);
    assert_int_equal(status_from_wait(3 << 8), 3);
    assert_int_equal(status_from_wait(255 << 8), 255);
    assert_int_equal(status_from_wait(SIGTERM), 128 + SIGTERM);
    assert_int_equal(status_from_wait(SIGKILL), 137);
    assert_int_equal(status_from_wait(SIGSEGV | 0x80), 128 + SIGSEGV); /* core */
    assert_int_equal(status_from_wait(64), 192);                       /* SIGRTMAX */
    assert_true(WIFSIGNALED(SIGTERM) && WIFEXITED(3 << 8));
}

static void test_status_map(void **state)
{
    char *argv[] = {"nsinit", "-e", "143", "-e", "3", "c", NULL};
    char *none[] = {"nsinit", "c", NULL};
    struct options o;

    assert_int_equal(parse(argv, &o), 0);
    assert_int_equal(status_map(&o, status_from_wait(SIGTERM)), 0);
    assert_int_equal(status_map(&o, status_from_wait(3 << 8)), 0);
    assert_int_equal(status_map(&o, status_from_wait(4 << 8)), 4);
    assert_int_equal(status_map(&o, status_from_wait(SIGKILL)), 137);
    assert_int_equal(status_map(&o, 0), 0);
    assert_int_equal(status_map(&o, 256), 256);
    assert_int_equal(status_map(&o, -1), -1);
    assert_int_equal(parse(none, &o), 0);
    assert_int_equal(status_map(&o, 143), 143);
    assert_int_equal(status_map(&o, 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_with_dashdash),
        cmocka_unit_test(test_every_short_option_separate),
        cmocka_unit_test(test_clustered_flags),
        cmocka_unit_test(test_cluster_ending_with_value_takes_next_word),
        cmocka_unit_test(test_attached_values),
        cmocka_unit_test(test_exit_code_repeatable),
        cmocka_unit_test(test_pdeathsig_spellings),
        cmocka_unit_test(test_preserve_fds_forms),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_command_without_dashdash),
        cmocka_unit_test(test_dashdash_protects_dashed_command),
        cmocka_unit_test(test_empty_arguments_kept),
        cmocka_unit_test(test_config_without_command),
        cmocka_unit_test(test_bad_exit_codes),
        cmocka_unit_test(test_bad_signal),
        cmocka_unit_test(test_bad_duration_and_count),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_unknown_options),
        cmocka_unit_test(test_no_command),
        cmocka_unit_test(test_error_truncated_to_buffer),
        cmocka_unit_test(test_rewrite_forms_and_identity),
        cmocka_unit_test(test_bad_rewrites),
        cmocka_unit_test(test_tini_environment),
        cmocka_unit_test(test_status_from_wait),
        cmocka_unit_test(test_status_map),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
