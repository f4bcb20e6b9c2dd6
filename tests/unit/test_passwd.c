/* Unit tests for init/passwd.c: line parsing, buffer and file lookups,
 * supplementary groups as initgroups computes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "passwd.h"

static int parse_user(const char *line, struct pw_user *u)
{
    return passwd_parse_user_line(line, strlen(line), u);
}

static int parse_group(const char *line, struct pw_group *g)
{
    return passwd_parse_group_line(line, strlen(line), g);
}

static void test_user_line_all_fields(void **state)
{
    struct pw_user u;

    assert_int_equal(parse_user("www:x:33:34:web server:/var/www:/usr/sbin/nologin", &u),
                     0);
    assert_string_equal(u.name, "www");
    assert_int_equal(u.uid, 33);
    assert_int_equal(u.gid, 34);
    assert_string_equal(u.home, "/var/www");
}

static void test_user_line_empty_optional_fields(void **state)
{
    struct pw_user u;

    assert_int_equal(parse_user("svc::1000:1001:::", &u), 0);
    assert_string_equal(u.name, "svc");
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1001);
    assert_string_equal(u.home, "");
    /* Six fields (no shell) is still a user. */
    assert_int_equal(parse_user("a:x:1:2:g:/h", &u), 0);
    assert_string_equal(u.home, "/h");
}

static void test_user_line_rejects_garbage(void **state)
{
    struct pw_user u;
    const char *bad[] = {
        "",
        "# root:x:0:0:root:/root:/bin/sh",
        "+nisuser::::::",
        "-nisuser::::::",
        "garbage",
        "a:b:c",
        "a:x:1:2:gecos",     /* no home */
        ":x:1:2::/:/bin/sh", /* empty name */
        "a:x::2::/:/bin/sh", /* empty uid */
        "a:x:1:::/:/bin/sh", /* empty gid */
        "a:x:1x:2::/:/bin/sh",
        "a:x:-1:2::/:/bin/sh",
        "a:x: 1:2::/:/bin/sh",
        "a:x:4294967295:2::/:/bin/sh", /* (uid_t)-1 */
        "a:x:99999999999:2::/:/bin/sh",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse_user(bad[i], &u) != -1)
            fail_msg("accepted: '%s'", bad[i]);
    }
}

static void test_user_line_rejects_nul_and_overlong_fields(void **state)
{
    struct pw_user u;
    char line[1024];
    char name[PW_NAME_MAX + 1];
    char home[PW_HOME_MAX + 1];

    assert_int_equal(passwd_parse_user_line("a\0b:x:1:2::/:", 13, &u), -1);
    memset(name, 'n', PW_NAME_MAX);
    name[PW_NAME_MAX] = '\0';
    snprintf(line, sizeof(line), "%s:x:1:2::/:/bin/sh", name);
    assert_int_equal(parse_user(line, &u), -1);
    name[PW_NAME_MAX - 1] = '\0'; /* the longest that fits */
    snprintf(line, sizeof(line), "%s:x:1:2::/:/bin/sh", name);
    assert_int_equal(parse_user(line, &u), 0);
    memset(home, 'h', PW_HOME_MAX);
    home[PW_HOME_MAX] = '\0';
    snprintf(line, sizeof(line), "a:x:1:2::%s:/bin/sh", home);
    assert_int_equal(parse_user(line, &u), -1);
}

static void test_user_line_highest_id(void **state)
{
    struct pw_user u;

    assert_int_equal(parse_user("big:x:4294967294:0::/:", &u), 0);
    assert_int_equal(u.uid, 4294967294u);
}

static void test_parse_id(void **state)
{
    unsigned id;

    assert_int_equal(passwd_parse_id("0", 1, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(passwd_parse_id("0065534", 7, &id), 0);
    assert_int_equal(id, 65534);
    assert_int_equal(passwd_parse_id("", 0, &id), -1);
    assert_int_equal(passwd_parse_id("12a", 3, &id), -1);
    assert_int_equal(passwd_parse_id("+1", 2, &id), -1);
    assert_int_equal(passwd_parse_id("4294967295", 10, &id), -1);
}

static void test_group_line(void **state)
{
    struct pw_group g;

    assert_int_equal(parse_group("wheel:x:10:alice,bob", &g), 0);
    assert_string_equal(g.name, "wheel");
    assert_int_equal(g.gid, 10);
    assert_int_equal(g.members_len, strlen("alice,bob"));
    assert_memory_equal(g.members, "alice,bob", g.members_len);

    assert_int_equal(parse_group("users:x:100:", &g), 0);
    assert_int_equal(g.members_len, 0);
    assert_int_equal(parse_group("nogroup:x:65534", &g), 0);
    assert_int_equal(g.gid, 65534);
    assert_int_equal(g.members_len, 0);

    assert_int_equal(parse_group("#wheel:x:10:alice", &g), -1);
    assert_int_equal(parse_group("wheel:x", &g), -1);
    assert_int_equal(parse_group("wheel:x:ten:alice", &g), -1);
    assert_int_equal(parse_group(":x:10:alice", &g), -1);
}

static void test_members_include_exact_names_only(void **state)
{
    const char *m = "alice,bob,carol";

    assert_true(passwd_members_include(m, strlen(m), "alice"));
    assert_true(passwd_members_include(m, strlen(m), "bob"));
    assert_true(passwd_members_include(m, strlen(m), "carol"));
    assert_false(passwd_members_include(m, strlen(m), "ali"));
    assert_false(passwd_members_include(m, strlen(m), "alice,bob"));
    assert_false(passwd_members_include(m, strlen(m), "carolx"));
    assert_false(passwd_members_include(m, strlen(m), ""));
    assert_false(passwd_members_include("", 0, "alice"));
    assert_true(passwd_members_include(",alice,", 7, "alice"));
    /* The length bounds the list, not a NUL. */
    assert_false(passwd_members_include("alice,bob", 5, "bob"));
}

static const char passwd_buf[] =
    "# the image's users\n"
    "\n"
    "root:x:0:0:root:/root:/bin/sh\n"
    "garbage line\n"
    "www:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "1000:x:2000:2000::/home/numeric-name:/bin/sh\n"
    "alice:x:1000:1000::/home/alice:/bin/sh\n"
    "alias:x:1000:1000::/home/alias:/bin/sh\n"
    "last:x:4242:4343::/home/last:/bin/sh"; /* no trailing newline */

static void test_find_user_by_name(void **state)
{
    struct pw_user u;

    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "www", &u), 0);
    assert_int_equal(u.uid, 33);
    assert_string_equal(u.home, "/var/www");
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "last", &u), 0);
    assert_int_equal(u.uid, 4242);
    assert_int_equal(u.gid, 4343);
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "nobody", &u), 1);
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "garbage line", &u),
                     1);
    assert_int_equal(
        passwd_find_user(passwd_buf, strlen(passwd_buf), "# the image's users", &u), 1);
}

static void test_find_user_by_number(void **state)
{
    struct pw_user u;

    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "33", &u), 0);
    assert_string_equal(u.name, "www");
    /* A name that looks like a number wins over the uid. */
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "1000", &u), 0);
    assert_int_equal(u.uid, 2000);
    /* Two entries with one uid: the first. */
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "2000", &u), 0);
    assert_string_equal(u.name, "1000");
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "4242", &u), 0);
    assert_string_equal(u.name, "last");
    assert_int_equal(passwd_find_user(passwd_buf, strlen(passwd_buf), "77", &u), 1);
}

static void test_find_user_skips_overlong_line(void **state)
{
    size_t n = PW_LINE_MAX + 100;
    char *buf = malloc(n + 64);
    struct pw_user u;

    assert_non_null(buf);
    /* A valid entry made too long (by its shell field) is skipped whole. */
    memset(buf, 'x', n);
    memcpy(buf, "evil:x:0:0::/:", 14);
    strcpy(buf + n, "\nok:x:5:5::/ok:\n");
    assert_int_equal(passwd_find_user(buf, n + strlen(buf + n), "evil", &u), 1);
    assert_int_equal(passwd_find_user(buf, n + strlen(buf + n), "ok", &u), 0);
    assert_string_equal(u.home, "/ok");
    free(buf);
}

static const char group_buf[] = "root:x:0:\n"
                                "# comment:x:5:svc\n"
                                "wheel:x:10:alice,svc\n"
                                "svc:x:4343:\n"
                                "audio:x:29:svcx,xsvc\n"
                                "video:x:44:svc\n"
                                "broken:x::svc\n"
                                "dup:x:10:svc\n"
                                "staff:x:50:bob,svc"; /* no trailing newline */

static void test_find_group(void **state)
{
    gid_t gid;

    assert_int_equal(passwd_find_group(group_buf, strlen(group_buf), "wheel", &gid), 0);
    assert_int_equal(gid, 10);
    assert_int_equal(passwd_find_group(group_buf, strlen(group_buf), "staff", &gid), 0);
    assert_int_equal(gid, 50);
    assert_int_equal(passwd_find_group(group_buf, strlen(group_buf), "44", &gid), 0);
    assert_int_equal(gid, 44);
    assert_int_equal(passwd_find_group(group_buf, strlen(group_buf), "broken", &gid), 1);
    assert_int_equal(passwd_find_group(group_buf, strlen(group_buf), "nope", &gid), 1);
}

static void test_user_groups_as_initgroups(void **state)
{
    gid_t g[PW_GROUPS_MAX];
    int n =
        passwd_user_groups(group_buf, strlen(group_buf), "svc", 4343, g, PW_GROUPS_MAX);

    /* primary, then each group naming svc once (dup has wheel's gid 10). */
    assert_int_equal(n, 4);
    assert_int_equal(g[0], 4343);
    assert_int_equal(g[1], 10);
    assert_int_equal(g[2], 44);
    assert_int_equal(g[3], 50);

    n = passwd_user_groups(group_buf, strlen(group_buf), "nobody", 65534, g,
                           PW_GROUPS_MAX);
    assert_int_equal(n, 1);
    assert_int_equal(g[0], 65534);
}

static void test_user_groups_overflow(void **state)
{
    gid_t g[2];

    errno = 0;
    assert_int_equal(passwd_user_groups(group_buf, strlen(group_buf), "svc", 4343, g, 2),
                     -1);
    assert_int_equal(errno, E2BIG);
}

static char *write_temp(const char *data, size_t len)
{
    static char path[64];
    int fd;

    strcpy(path, "/tmp/test_passwd.XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_lookup_file_matches_buffer(void **state)
{
    char *path = write_temp(passwd_buf, strlen(passwd_buf));
    struct pw_user u;

    assert_int_equal(passwd_lookup_user(path, "www", &u), 0);
    assert_int_equal(u.uid, 33);
    assert_int_equal(passwd_lookup_user(path, "last", &u), 0); /* no final '\n' */
    assert_string_equal(u.home, "/home/last");
    assert_int_equal(passwd_lookup_user(path, "2000", &u), 0);
    assert_string_equal(u.name, "1000");
    assert_int_equal(passwd_lookup_user(path, "nobody", &u), 1);
    unlink(path);

    errno = 0;
    assert_int_equal(passwd_lookup_user("/nonexistent/passwd", "root", &u), -1);
    assert_int_equal(errno, ENOENT);
}

/* Lines across read boundaries, and lines longer than the reader's buffer
 * (several buffers long) whose tail looks like an entry. */
static void test_lookup_file_long_lines(void **state)
{
    size_t big = 5 * PW_LINE_MAX + 123, n = 0;
    char *buf = malloc(big + PW_LINE_MAX + 65536);
    struct pw_user u;
    gid_t gid, g[8];
    char *path;

    assert_non_null(buf);
    for (int i = 0; i < 500; i++)
        n += (size_t)sprintf(buf + n, "user%d:x:%d:%d::/home/user%d:/bin/sh\n", i,
                             10000 + i, 10000 + i, i);
    memset(buf + n, 'x', big);
    n += big;
    n += (size_t)sprintf(buf + n, "evil:x:0:0::/:/bin/sh\n");
    memset(buf + n, 'y', PW_LINE_MAX); /* exactly the buffer: too long too */
    n += PW_LINE_MAX;
    n += (size_t)sprintf(buf + n, "evil2:x:0:0::/:/bin/sh\n");
    n += (size_t)sprintf(buf + n, "after:x:7:7::/after:/bin/sh");
    path = write_temp(buf, n);

    assert_int_equal(passwd_lookup_user(path, "user0", &u), 0);
    assert_int_equal(passwd_lookup_user(path, "user499", &u), 0);
    assert_int_equal(u.uid, 10499);
    assert_int_equal(passwd_lookup_user(path, "evil", &u), 1);
    assert_int_equal(passwd_lookup_user(path, "evil2", &u), 1);
    assert_int_equal(passwd_lookup_user(path, "after", &u), 0);
    assert_string_equal(u.home, "/after");
    /* The buffer parser agrees. */
    assert_int_equal(passwd_find_user(buf, n, "evil", &u), 1);
    assert_int_equal(passwd_find_user(buf, n, "after", &u), 0);
    unlink(path);

    n = (size_t)sprintf(buf, "long:x:1:");
    memset(buf + n, 'm', big);
    n += big;
    n += (size_t)sprintf(buf + n, ",svc\nstaff:x:50:bob,svc\n");
    path = write_temp(buf, n);
    assert_int_equal(passwd_lookup_group(path, "staff", &gid), 0);
    assert_int_equal(gid, 50);
    assert_int_equal(passwd_lookup_group(path, "long", &gid), 1);
    assert_int_equal(passwd_lookup_user_groups(path, "svc", 9, g, 8), 2);
    assert_int_equal(g[0], 9);
    assert_int_equal(g[1], 50);
    unlink(path);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_line_all_fields),
        cmocka_unit_test(test_user_line_empty_optional_fields),
        cmocka_unit_test(test_user_line_rejects_garbage),
        cmocka_unit_test(test_user_line_rejects_nul_and_overlong_fields),
        cmocka_unit_test(test_user_line_highest_id),
        cmocka_unit_test(test_parse_id),
        cmocka_unit_test(test_group_line),
        cmocka_unit_test(test_members_include_exact_names_only),
        cmocka_unit_test(test_find_user_by_name),
        cmocka_unit_test(test_find_user_by_number),
        cmocka_unit_test(test_find_user_skips_overlong_line),
        cmocka_unit_test(test_find_group),
        cmocka_unit_test(test_user_groups_as_initgroups),
        cmocka_unit_test(test_user_groups_overflow),
        cmocka_unit_test(test_lookup_file_matches_buffer),
        cmocka_unit_test(test_lookup_file_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
