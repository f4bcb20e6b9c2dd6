/* Unit tests of config/values.c and config/names.c: every value parser,
 * its limits and overflows, the exec argv splitter, and the name tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "testlib.h"
#include "names.h"
#include "values.h"

static void test_duration_units_and_bare_seconds(void **state)
{
    uint32_t ms = 7;

    assert_int_equal(parse_duration_ms("500ms", &ms), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(parse_duration_ms("5s", &ms), 0);
    assert_int_equal(ms, 5000);
    assert_int_equal(parse_duration_ms("2m", &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(parse_duration_ms("1h", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(parse_duration_ms("10", &ms), 0);
    assert_int_equal(ms, 10000);
    assert_int_equal(parse_duration_ms("0", &ms), 0);
    assert_int_equal(ms, 0);
}

static void test_duration_rejects_junk_and_keeps_output(void **state)
{
    const char *bad[] = {"",   "abc",  "5x",   "5 s", " 5s",  "-5s", "+5s",
                         "5S", "5sec", "1.5s", "ms",  "5ms5", "0x10"};
    uint32_t ms = 42;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errno = 0;
        assert_int_equal(parse_duration_ms(bad[i], &ms), -1);
        assert_int_equal(errno, EINVAL);
        assert_int_equal(ms, 42);
    }
}

static void test_duration_overflow_of_uint32_ms_is_erange(void **state)
{
    uint32_t ms = 1;

    assert_int_equal(parse_duration_ms("4294967295ms", &ms), 0);
    assert_int_equal(ms, UINT32_MAX);
    assert_int_equal(parse_duration_ms("4294967296ms", &ms), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_duration_ms("4294967s", &ms), 0);
    assert_int_equal(parse_duration_ms("4294968s", &ms), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_duration_ms("1193h", &ms), 0);
    assert_int_equal(ms, 1193u * 3600000u);
    assert_int_equal(parse_duration_ms("1194h", &ms), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_duration_ms("71582m", &ms), 0);
    assert_int_equal(parse_duration_ms("71583m", &ms), -1);
    assert_int_equal(parse_duration_ms("99999999999999999999999h", &ms), -1);
    assert_int_equal(errno, ERANGE);
}

static void test_signed_duration(void **state)
{
    int64_t ms = 0;

    assert_int_equal(parse_sduration_ms("-10s", &ms), 0);
    assert_int_equal(ms, -10000);
    assert_int_equal(parse_sduration_ms("+250ms", &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(parse_sduration_ms("3", &ms), 0);
    assert_int_equal(ms, 3000);
    assert_int_equal(parse_sduration_ms("-", &ms), -1);
    assert_int_equal(parse_sduration_ms("--1s", &ms), -1);
    assert_int_equal(parse_sduration_ms("-1x", &ms), -1);
    assert_int_equal(parse_sduration_ms("9223372036854775807ms", &ms), 0);
    assert_int_equal(parse_sduration_ms("9223372036854775808ms", &ms), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(ms, INT64_MAX);
}

static void test_size_suffixes_are_powers_of_1024(void **state)
{
    static const struct {
        const char *s;
        uint64_t v;
    } ok[] = {
        {"0", 0},
        {"123", 123},
        {"100B", 100},
        {"64K", 65536},
        {"64k", 65536},
        {"64KB", 65536},
        {"64KiB", 65536},
        {"16M", 16ull << 20},
        {"1G", 1ull << 30},
        {"1GiB", 1ull << 30},
        {"2T", 2ull << 40},
        {"16777215T", 16777215ull << 40},
        {"18446744073709551615", UINT64_MAX},
    };
    const char *bad[] = {"",     "K",  "64X",  "64Ki",  "64iB",
                         "64 K", "-1", "1.5M", "64KBB", "64Kb"};
    uint64_t v;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(parse_size(ok[i].s, &v), 0);
        assert_true(v == ok[i].v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse_size(bad[i], &v), -1);
        assert_int_equal(errno, EINVAL);
    }
}

static void test_size_overflow_is_erange(void **state)
{
    uint64_t v = 5;

    assert_int_equal(parse_size("16777216T", &v), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_size("18446744073709551616", &v), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_size("17179869184G", &v), -1);
    assert_int_equal(v, 5);
}

static void test_u32_range(void **state)
{
    uint32_t v = 9;

    assert_int_equal(parse_u32("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse_u32("4294967295", &v), 0);
    assert_int_equal(v, UINT32_MAX);
    assert_int_equal(parse_u32("00042", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse_u32("4294967296", &v), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_u32("99999999999", &v), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_u32("", &v), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(parse_u32("-1", &v), -1);
    assert_int_equal(parse_u32("+1", &v), -1);
    assert_int_equal(parse_u32("1 ", &v), -1);
    assert_int_equal(parse_u32("0x1", &v), -1);
    assert_int_equal(v, 42);
}

static void test_bool_spellings(void **state)
{
    const char *yes[] = {"yes", "YES", "true", "True", "on", "1"};
    const char *no[] = {"no", "No", "false", "FALSE", "off", "0"};
    const char *bad[] = {"", "y", "n", "2", "yess", "enable", "01"};
    bool b;

    for (size_t i = 0; i < 6; i++) {
        b = false;
        assert_int_equal(parse_bool(yes[i], &b), 0);
        assert_true(b);
        assert_int_equal(parse_bool(no[i], &b), 0);
        assert_false(b);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse_bool(bad[i], &b), -1);
}

static void test_limit_values(void **state)
{
    uint64_t v;

    assert_int_equal(parse_limit("infinity", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(parse_limit("Unlimited", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(parse_limit("1024", &v), 0);
    assert_true(v == 1024);
    assert_int_equal(parse_limit("18446744073709551615", &v), -1);
    assert_int_equal(parse_limit("inf", &v), -1);
    assert_int_equal(parse_limit("1K", &v), -1);
}

static void test_ipv4_network_byte_order(void **state)
{
    uint32_t a = 0;
    uint8_t p = 0;

    assert_int_equal(parse_ipv4("192.168.2.1", &a), 0);
    assert_int_equal(a, tl_ipv4(192, 168, 2, 1));
    assert_int_equal(parse_ipv4("0.0.0.0", &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(parse_ipv4("255.255.255.255", &a), 0);
    assert_int_equal(a, UINT32_MAX);
    assert_int_equal(parse_ipv4_prefix("10.1.2.3/8", &a, &p), 0);
    assert_int_equal(a, tl_ipv4(10, 1, 2, 3));
    assert_int_equal(p, 8);
    assert_int_equal(parse_ipv4_prefix("10.1.2.3/0", &a, &p), 0);
    assert_int_equal(p, 0);
    assert_int_equal(parse_ipv4_prefix("10.1.2.3/32", &a, &p), 0);
    assert_int_equal(p, 32);
}

static void test_ipv4_rejects_bad_forms(void **state)
{
    const char *bad[] = {"",         "1.2.3",      "1.2.3.4.5", "256.1.1.1",
                         "1.2.3.4 ", "01.2.3.4",   "1..3.4",    "a.b.c.d",
                         "1.2.3.-4", "1.2.3.4/24", "10",        "1.2.3.4."};
    const char *badp[] = {"1.2.3.4",      "1.2.3.4/",   "1.2.3.4/33",
                          "1.2.3.4/08",   "1.2.3.4/a",  "1.2.3/24",
                          "1.2.3.4/24/1", "1.2.3.4/-1", "1.2.3.4/999999999999"};
    uint32_t a = 77;
    uint8_t p = 7;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse_ipv4(bad[i], &a), -1);
    for (size_t i = 0; i < sizeof(badp) / sizeof(badp[0]); i++)
        assert_int_equal(parse_ipv4_prefix(badp[i], &a, &p), -1);
    assert_int_equal(a, 77);
    assert_int_equal(p, 7);
}

static void test_idmap_counts_and_overflow(void **state)
{
    uint32_t in = 1, out = 1, n = 1;

    assert_int_equal(parse_idmap("0 100000 65536", &in, &out, &n), 0);
    assert_int_equal(in, 0);
    assert_int_equal(out, 100000);
    assert_int_equal(n, 65536);
    assert_int_equal(parse_idmap("  5\t6   7 ", &in, &out, &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(parse_idmap("0 0 4294967295", &in, &out, &n), 0);
    assert_int_equal(parse_idmap("1 0 4294967295", &in, &out, &n), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_idmap("0 1 4294967295", &in, &out, &n), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(parse_idmap("0 0 0", &in, &out, &n), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(parse_idmap("0 0", &in, &out, &n), -1);
    assert_int_equal(parse_idmap("0 0 1 1", &in, &out, &n), -1);
    assert_int_equal(parse_idmap("0 0 x", &in, &out, &n), -1);
    assert_int_equal(parse_idmap("0 99999999999 1", &in, &out, &n), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(n, UINT32_MAX); /* from the last success */
}

static void test_words_split_in_place_with_limit(void **state)
{
    char s[] = "  a\tbb   ccc ";
    char t[] = "a b c";
    char *w[3];

    assert_int_equal(parse_words(s, w, 3), 3);
    assert_string_equal(w[0], "a");
    assert_string_equal(w[1], "bb");
    assert_string_equal(w[2], "ccc");
    assert_int_equal(parse_words(t, w, 2), -1);
    assert_int_equal(errno, E2BIG);
}

/* Splits s and compares with the expected words (NULL-terminated). */
static void check_argv(const char *s, const char *const *want)
{
    char buf[256], *argv[MAX_ARGS + 1];
    int n = parse_argv(s, buf, argv, MAX_ARGS), i;

    for (i = 0; want[i]; i++) {
        assert_true(i < n);
        assert_string_equal(argv[i], want[i]);
    }
    assert_int_equal(n, i);
    assert_null(argv[n]);
}

static void test_argv_blanks_and_quotes(void **state)
{
    check_argv("/usr/bin/httpd -f -p 80",
               (const char *const[]){"/usr/bin/httpd", "-f", "-p", "80", NULL});
    check_argv("  a \t b  ", (const char *const[]){"a", "b", NULL});
    check_argv(
        "/bin/sh -c \"exec /usr/bin/worker --jobs 2\"",
        (const char *const[]){"/bin/sh", "-c", "exec /usr/bin/worker --jobs 2", NULL});
    check_argv("a\"b c\"d", (const char *const[]){"ab cd", NULL});
    check_argv("\"\" x", (const char *const[]){"", "x", NULL});
    check_argv("\"a\"\"b\"", (const char *const[]){"ab", NULL});
    check_argv("", (const char *const[]){NULL});
}

static void test_argv_backslashes(void **state)
{
    /* Inside quotes \" and \\ escape; other backslashes stay. */
    check_argv("\"say \\\"hi\\\"\"", (const char *const[]){"say \"hi\"", NULL});
    check_argv("\"a\\\\b\"", (const char *const[]){"a\\b", NULL});
    check_argv("\"a\\nb\"", (const char *const[]){"a\\nb", NULL});
    /* Outside quotes a backslash is literal, even before a quote. */
    check_argv("a\\b c\\\\d", (const char *const[]){"a\\b", "c\\\\d", NULL});
    check_argv("x\\\"y z\"", (const char *const[]){"x\\y z", NULL});
}

static void test_argv_errors(void **state)
{
    char buf[1200], *argv[MAX_ARGS + 1], many[1200];
    size_t n = 0;

    assert_int_equal(parse_argv("echo \"oops", buf, argv, MAX_ARGS), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(parse_argv("\"a\\\"", buf, argv, MAX_ARGS), -1);
    assert_int_equal(errno, EINVAL);
    for (int i = 0; i < MAX_ARGS; i++) {
        many[n++] = 'w';
        many[n++] = ' ';
    }
    many[n] = '\0';
    assert_int_equal(parse_argv(many, buf, argv, MAX_ARGS), MAX_ARGS);
    many[n++] = 'x';
    many[n] = '\0';
    assert_int_equal(parse_argv(many, buf, argv, MAX_ARGS), -1);
    assert_int_equal(errno, E2BIG);
}

static void test_capability_names(void **state)
{
    assert_int_equal(cap_from_name("cap_chown"), 0);
    assert_int_equal(cap_from_name("CHOWN"), 0);
    assert_int_equal(cap_from_name("net_bind_service"), 10);
    assert_int_equal(cap_from_name("CAP_NET_ADMIN"), 12);
    assert_int_equal(cap_from_name("sys_admin"), 21);
    assert_int_equal(cap_from_name("cap_checkpoint_restore"), 40);
    assert_int_equal(cap_from_name("bpf"), 39);
    assert_int_equal(cap_from_name("cap_"), -1);
    assert_int_equal(cap_from_name("nope"), -1);
    assert_int_equal(cap_from_name(""), -1);
    assert_string_equal(cap_name(10), "cap_net_bind_service");
    assert_string_equal(cap_name(40), "cap_checkpoint_restore");
    assert_null(cap_name(41));
    assert_null(cap_name(-1));
    for (int i = 0; i <= CAP_LAST_KNOWN; i++)
        assert_int_equal(cap_from_name(cap_name(i)), i);
}

static void test_rlimit_and_namespace_names(void **state)
{
    assert_int_equal(rlimit_from_name("nofile"), RLIMIT_NOFILE);
    assert_int_equal(rlimit_from_name("NOFILE"), RLIMIT_NOFILE);
    assert_int_equal(rlimit_from_name("RLIMIT_CORE"), RLIMIT_CORE);
    assert_int_equal(rlimit_from_name("as"), RLIMIT_AS);
    assert_int_equal(rlimit_from_name("sigpending"), RLIMIT_SIGPENDING);
    assert_int_equal(rlimit_from_name("files"), -1);
    assert_string_equal(rlimit_name(RLIMIT_STACK), "stack");
    assert_int_equal(ns_from_name("net"), CLONE_NEWNET);
    assert_int_equal(ns_from_name("mnt"), CLONE_NEWNS);
    assert_int_equal(ns_from_name("time"), 0x80);
    assert_int_equal(ns_from_name("NET"), 0);
    assert_string_equal(ns_name(CLONE_NEWUSER), "user");
    assert_null(ns_name(0));
}

static void test_name_validators(void **state)
{
    assert_true(value_is_service_name("web"));
    assert_true(value_is_service_name("a.b-c_d9"));
    assert_true(value_is_service_name("0123456789012345678901234567890")); /* 31 */
    assert_false(value_is_service_name("01234567890123456789012345678901"));
    assert_false(value_is_service_name(""));
    assert_false(value_is_service_name("-web"));
    assert_false(value_is_service_name("x y"));
    assert_false(value_is_service_name("a/b"));
    assert_true(value_is_ifname("br0"));
    assert_true(value_is_ifname("123456789012345"));
    assert_false(value_is_ifname("1234567890123456"));
    assert_false(value_is_ifname("a/b"));
    assert_false(value_is_ifname("a:b"));
    assert_false(value_is_ifname(".."));
    assert_false(value_is_ifname(""));
    assert_true(value_is_env_name("PORT", 4));
    assert_true(value_is_env_name("_x1", 3));
    assert_false(value_is_env_name("1X", 2));
    assert_false(value_is_env_name("A-B", 3));
    assert_false(value_is_env_name("", 0));
    assert_true(value_is_hostname("web-1.local"));
    assert_false(value_is_hostname("bad host"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_units_and_bare_seconds),
        cmocka_unit_test(test_duration_rejects_junk_and_keeps_output),
        cmocka_unit_test(test_duration_overflow_of_uint32_ms_is_erange),
        cmocka_unit_test(test_signed_duration),
        cmocka_unit_test(test_size_suffixes_are_powers_of_1024),
        cmocka_unit_test(test_size_overflow_is_erange),
        cmocka_unit_test(test_u32_range),
        cmocka_unit_test(test_bool_spellings),
        cmocka_unit_test(test_limit_values),
        cmocka_unit_test(test_ipv4_network_byte_order),
        cmocka_unit_test(test_ipv4_rejects_bad_forms),
        cmocka_unit_test(test_idmap_counts_and_overflow),
        cmocka_unit_test(test_words_split_in_place_with_limit),
        cmocka_unit_test(test_argv_blanks_and_quotes),
        cmocka_unit_test(test_argv_backslashes),
        cmocka_unit_test(test_argv_errors),
        cmocka_unit_test(test_capability_names),
        cmocka_unit_test(test_rlimit_and_namespace_names),
        cmocka_unit_test(test_name_validators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
