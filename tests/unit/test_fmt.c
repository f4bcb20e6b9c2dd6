/* Unit tests for init/fmt.c: every conversion fmt.h lists, widths with
 * '0' and '-', truncation to the buffer, the terminating NUL, and fmt_fd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

static char buf[256];
/* Hidden from the compiler's format checks, which would refuse them. */
static const char *volatile no_string;
static const char *volatile trailing_percent = "abc%";

/* Formats into the shared buffer and checks text and returned length. */
#define EXPECT(want, ...)                                                                \
    do {                                                                                 \
        memset(buf, 'X', sizeof(buf));                                                   \
        size_t n_ = fmt(buf, sizeof(buf), __VA_ARGS__);                                  \
        assert_string_equal(buf, want);                                                  \
        assert_int_equal(n_, strlen(want));                                              \
    } while (0)

static void test_plain_text_and_percent(void **state)
{
    EXPECT("", "%s", "");
    EXPECT("hello", "hello");
    EXPECT("100%", "100%%");
    EXPECT("%%", "%%%%");
}

static void test_strings_and_chars(void **state)
{
    EXPECT("a=b", "%s=%s", "a", "b");
    EXPECT("(null)", "%s", no_string);
    EXPECT("x", "%c", 'x');
    EXPECT("[ab]", "[%c%c]", 'a', 'b');
}

static void test_signed(void **state)
{
    EXPECT("0", "%d", 0);
    EXPECT("42 -42", "%d %i", 42, -42);
    EXPECT("2147483647", "%d", INT_MAX);
    EXPECT("-2147483648", "%d", INT_MIN);
    EXPECT("-9223372036854775808", "%ld", LONG_MIN);
    EXPECT("9223372036854775807", "%ld", LONG_MAX);
    EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
    EXPECT("123456789012", "%lld", 123456789012LL);
}

static void test_unsigned_and_hex(void **state)
{
    EXPECT("4294967295", "%u", UINT_MAX);
    EXPECT("ff", "%x", 255u);
    EXPECT("deadbeef", "%x", 0xdeadbeefu);
    EXPECT("0", "%x", 0u);
    EXPECT("18446744073709551615", "%lu", ULONG_MAX);
    EXPECT("ffffffffffffffff", "%lx", ULONG_MAX);
    EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
    EXPECT("12345", "%zu", (size_t)12345);
}

static void test_varargs_sizes_do_not_shift(void **state)
{
    /* A wrong va_arg width would misread every argument after it. */
    EXPECT("1 2 3 4 5 s", "%d %ld %lld %zu %u %s", 1, 2L, 3LL, (size_t)4, 5u, "s");
}

static void test_widths(void **state)
{
    EXPECT("   42", "%5d", 42);
    EXPECT("00042", "%05d", 42);
    EXPECT("42   |", "%-5d|", 42);
    EXPECT("  -42", "%5d", -42);
    EXPECT("-0042", "%05d", -42);
    EXPECT("-42  |", "%-5d|", -42);
    EXPECT("123456", "%3d", 123456);
    EXPECT("   ab", "%5s", "ab");
    EXPECT("ab   |", "%-5s|", "ab");
    EXPECT("abcdef", "%2s", "abcdef");
    EXPECT("000ff", "%05x", 255u);
    EXPECT("  7", "%3u", 7u);
    EXPECT("0000000000000000000000000000001", "%031d", 1);
}

static void test_truncation(void **state)
{
    char small[6];

    memset(small, 'X', sizeof(small));
    assert_int_equal(fmt(small, sizeof(small), "hello world"), 5);
    assert_string_equal(small, "hello");
    memset(small, 'X', sizeof(small));
    assert_int_equal(fmt(small, sizeof(small), "%d", 1234567), 5);
    assert_string_equal(small, "12345");
    memset(small, 'X', sizeof(small));
    assert_int_equal(fmt(small, sizeof(small), "ab%10s", "c"), 5);
    assert_string_equal(small, "ab   ");
    memset(small, 'X', sizeof(small));
    assert_int_equal(fmt(small, 1, "abc"), 0);
    assert_int_equal(small[0], '\0');
    assert_int_equal(small[1], 'X');
}

static void test_size_zero_writes_nothing(void **state)
{
    char small[4] = "XYZ";

    assert_int_equal(fmt(small, 0, "abc%d", 5), 0);
    assert_string_equal(small, "XYZ");
}

static void test_nul_terminated_exactly(void **state)
{
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt(buf, sizeof(buf), "ab"), 2);
    assert_int_equal(buf[2], '\0');
    assert_int_equal(buf[3], 'X'); /* nothing written past the NUL */
}

static void test_embedded_nul_char(void **state)
{
    memset(buf, 'X', sizeof(buf));
    /* A %c of 0 is a byte like any other: counted, then the terminator. */
    assert_int_equal(fmt(buf, sizeof(buf), "a%cb", 0), 3);
    assert_memory_equal(buf, "a\0b\0", 4);
}

static size_t call_v(char *out, size_t size, const char *f, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, f);
    n = fmt_v(out, size, f, ap);
    va_end(ap);
    return n;
}

static void test_trailing_percent(void **state)
{
    assert_int_equal(call_v(buf, sizeof(buf), trailing_percent), 3);
    assert_string_equal(buf, "abc");
}

static void test_fmt_v(void **state)
{
    assert_int_equal(call_v(buf, sizeof(buf), "%s-%d", "v", 7), 3);
    assert_string_equal(buf, "v-7");
}

static void test_fmt_fd_one_write_errno_kept(void **state)
{
    int p[2];
    char got[64];
    ssize_t n;

    assert_int_equal(pipe(p), 0);
    errno = EXDEV;
    fmt_fd(p[1], "pid %d: %s\n", 12, "ok");
    assert_int_equal(errno, EXDEV);
    close(p[1]);
    n = read(p[0], got, sizeof(got));
    assert_int_equal(n, 11);
    assert_memory_equal(got, "pid 12: ok\n", 11);
    close(p[0]);
}

static void test_fmt_fd_truncates_long_lines(void **state)
{
    static char big[3000], got[4096];
    int p[2];
    ssize_t n, total = 0;

    memset(big, 'a', sizeof(big) - 1);
    assert_int_equal(pipe(p), 0);
    fmt_fd(p[1], "%s", big);
    close(p[1]);
    while ((n = read(p[0], got + total, sizeof(got) - (size_t)total)) > 0)
        total += n;
    close(p[0]);
    assert_int_equal(total, 1023);
    assert_int_equal(got[1022], 'a');
}

static void test_fmt_fd_bad_fd_keeps_errno(void **state)
{
    errno = ENOENT;
    fmt_fd(-1, "x");
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_and_percent),
        cmocka_unit_test(test_strings_and_chars),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_unsigned_and_hex),
        cmocka_unit_test(test_varargs_sizes_do_not_shift),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_size_zero_writes_nothing),
        cmocka_unit_test(test_nul_terminated_exactly),
        cmocka_unit_test(test_embedded_nul_char),
        cmocka_unit_test(test_trailing_percent),
        cmocka_unit_test(test_fmt_v),
        cmocka_unit_test(test_fmt_fd_one_write_errno_kept),
        cmocka_unit_test(test_fmt_fd_truncates_long_lines),
        cmocka_unit_test(test_fmt_fd_bad_fd_keeps_errno),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
