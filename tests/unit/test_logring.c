/* Unit tests for init/logring.c: lines come back oldest first as
 * "TIME NAME: text", the oldest go when the ring is full (across its end,
 * many times over), -n with and without a name, a reader overtaken is
 * told how many lines it lost, and floods made visible. One ring per process:
 * 4096 bytes, set up once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logring.h"

#define RING 4096

/* Reads every line from c into out (text after "TIME "), one per '\n'. */
static size_t read_all(struct ring_cursor *c, const char *name, char *out, size_t size,
                       uint64_t *lost)
{
    char line[2200];
    size_t n, total = 0;

    out[0] = '\0';
    while ((n = ring_next(c, name, line, sizeof(line), lost)) > 0) {
        assert_true(n > 25);
        assert_true(total + n - 25 < size);
        memcpy(out + total, line + 25, n - 25);
        total += n - 25;
        out[total] = '\0';
    }
    return total;
}

static void test_lines_come_back_in_order_with_a_utc_stamp(void **state)
{
    struct ring_cursor c;
    char line[2200];
    uint64_t lost = 0;
    regex_t re;
    size_t n;

    ring_put("web", "one", 3);
    ring_put("db", "two", 3);
    ring_seek_last(&c, NULL, 0);
    n = ring_next(&c, NULL, line, sizeof(line), &lost);
    line[n] = '\0';
    assert_int_equal(regcomp(&re, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{3}Z web: one\n$",
                             REG_EXTENDED), 0);
    assert_int_equal(regexec(&re, line, 0, NULL, 0), 0);
    regfree(&re);
    n = ring_next(&c, NULL, line, sizeof(line), &lost);
    line[n] = '\0';
    assert_string_equal(line + 25, "db: two\n");
    assert_int_equal(ring_next(&c, NULL, line, sizeof(line), &lost), 0);
    assert_int_equal(lost, 0);
}

static void test_the_oldest_go_first_across_the_end_many_times(void **state)
{
    static char got[RING * 2], want[RING * 2];
    struct ring_cursor c;
    uint64_t lost = 0;

    /* Lengths that do not divide the ring: lines straddle its end. */
    for (int i = 0; i < 3000; i++) {
        char text[80];
        int len = snprintf(text, sizeof(text), "line %d %.*s", i, i % 37, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        ring_put("svc", text, (size_t)len);
        if (i % 251 && i != 2999)
            continue;
        /* What is kept is the newest lines, none missing, in order. */
        ring_seek_last(&c, NULL, 0);
        size_t total = read_all(&c, NULL, got, sizeof(got), &lost);
        /* Only this test's lines, once the earlier ones are gone. */
        if (strncmp(got, "svc: ", 5))
            continue;
        /* Rebuild the expected tail from the first kept line on. */
        const char *p = strstr(got, "svc: line ");
        assert_non_null(p);
        int from = atoi(p + strlen("svc: line "));
        size_t n = 0;
        for (int k = from; k <= i; k++)
            n += (size_t)snprintf(want + n, sizeof(want) - n, "svc: line %d %.*s\n", k, k % 37,
                                  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        assert_string_equal(got, want);
        /* Nearly full: never more than one line's room (at most 68
         * bytes here) left unused; each line also has its 25-byte stamp. */
        if (i > 200)
            assert_true(total + 25 * (size_t)(i - from + 1) > RING - 68);
    }
}

static void test_seek_last_n_with_and_without_a_name(void **state)
{
    static char got[RING * 2];
    struct ring_cursor c;
    uint64_t lost = 0;

    for (int i = 0; i < 10; i++) {
        char t[16];
        ring_put(i % 2 ? "odd" : "even", t, (size_t)snprintf(t, sizeof(t), "n%d", i));
    }
    ring_seek_last(&c, "odd", 2);
    read_all(&c, "odd", got, sizeof(got), &lost);
    assert_string_equal(got, "odd: n7\nodd: n9\n");
    ring_seek_last(&c, NULL, 3);
    read_all(&c, NULL, got, sizeof(got), &lost);
    assert_string_equal(got, "odd: n7\neven: n8\nodd: n9\n");
    /* A name that is a prefix of another is not that one. */
    ring_put("ev", "short", 5);
    ring_seek_last(&c, "ev", 0);
    read_all(&c, "ev", got, sizeof(got), &lost);
    assert_string_equal(got, "ev: short\n");
    /* More than there are: all of them. */
    ring_seek_last(&c, "ev", 50);
    read_all(&c, "ev", got, sizeof(got), &lost);
    assert_string_equal(got, "ev: short\n");
}

static void test_an_overtaken_reader_learns_how_many_it_lost(void **state)
{
    static char got[RING * 2];
    struct ring_cursor c;
    uint64_t lost = 0;
    char line[2200];

    ring_put("a", "mark", 4);
    ring_seek_last(&c, NULL, 1);
    /* 100 lines of 40 + 28 bytes: more than the ring holds. */
    for (int i = 0; i < 100; i++)
        ring_put("a", "0123456789012345678901234567890123456789", 40);
    /* First the gap alone, then the lines from the oldest kept on. */
    assert_int_equal(ring_next(&c, NULL, line, sizeof(line), &lost), 0);
    assert_true(lost > 1 && lost < 101);
    uint64_t gap = lost;
    lost = 0;
    read_all(&c, NULL, got, sizeof(got), &lost);
    assert_int_equal(lost, 0);
    /* Lost + read back = the mark and the 100. */
    size_t lines = 0;
    for (char *p = got; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(gap + lines, 101);
}

static void test_a_flood_keeps_the_newest_lines_and_says_so_every_quarter_ring(void **state)
{
    static char got[RING * 2];
    struct ring_flood f = {0};
    struct ring_cursor c;
    uint64_t lost = 0;
    int notes = 0;

    /* 400 lines of 32 + 28 bytes at once: about 24 K, six rings' worth. */
    for (int i = 0; i < 400; i++) {
        char t[40];
        ring_put_counted(&f, "flood", t, (size_t)snprintf(t, sizeof(t), "%04d-67890123456789012345678901", i));
    }
    ring_seek_last(&c, "flood", 1);
    read_all(&c, "flood", got, sizeof(got), &lost);
    assert_string_equal(got, "flood: 0399-67890123456789012345678901\n");
    /* What the ring holds now says why it is all flood. */
    ring_seek_last(&c, NULL, 0);
    read_all(&c, NULL, got, sizeof(got), &lost);
    for (char *p = got; (p = strstr(p, "nsinit: flood: flooding the log (over 1024 bytes/s): ")); p++) {
        int lines = atoi(p + strlen("nsinit: flood: flooding the log (over 1024 bytes/s): "));
        assert_true(lines >= 17 && lines <= 19); /* a quarter ring: 1024 / 60 */
        notes++;
    }
    assert_true(notes >= 3);
}

static void test_no_note_below_a_quarter_ring_a_second(void **state)
{
    static char got[RING * 2];
    struct ring_flood f = {0};
    struct ring_cursor c;
    uint64_t lost = 0;

    ring_put("mark", "start", 5);
    for (int i = 0; i < 10; i++)
        ring_put_counted(&f, "calm", "0123456789012345678901234567890123456789", 40);
    ring_seek_last(&c, NULL, 0);
    read_all(&c, NULL, got, sizeof(got), &lost);
    assert_null(strstr(got + (strstr(got, "mark: start") - got), "flooding"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_come_back_in_order_with_a_utc_stamp),
        cmocka_unit_test(test_the_oldest_go_first_across_the_end_many_times),
        cmocka_unit_test(test_seek_last_n_with_and_without_a_name),
        cmocka_unit_test(test_an_overtaken_reader_learns_how_many_it_lost),
        cmocka_unit_test(test_a_flood_keeps_the_newest_lines_and_says_so_every_quarter_ring),
        cmocka_unit_test(test_no_note_below_a_quarter_ring_a_second),
    };
    assert_int_equal(ring_init(RING), 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
