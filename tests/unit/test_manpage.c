/* nsinit.conf(5) against the key table: the page documents exactly the
 * keys of config_keys[], each under its section, with its repeatability and
 * prerequisite, and the page's EXAMPLE is a valid config. Run from the
 * repository root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "keys.h"
#include "names.h"

#define PAGE "config/nsinit.conf.5"

struct entry {
    enum key_section sec;
    char name[40];
    char text[2048]; /* the .TP paragraph, macros included */
};

static char page[1 << 17];
static struct entry entries[128];
static int n_entries;

static void read_page(void)
{
    int fd = open(PAGE, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    assert_true(fd >= 0);
    n = read(fd, page, sizeof(page) - 1);
    assert_true(n > 0 && n < (ssize_t)sizeof(page) - 1);
    page[n] = '\0';
    close(fd);
}

/* The section a .SS/.SH heading opens: keys count only under the three. */
static enum key_section heading_section(const char *line)
{
    if (strncmp(line, ".SS", 3))
        return 0;
    if (strstr(line, "[init]"))
        return SEC_INIT;
    if (strstr(line, "[service"))
        return SEC_SERVICE;
    if (strstr(line, "[bridge"))
        return SEC_BRIDGE;
    return 0;
}

/* Each ".TP" followed by ".B key" or ".BI key ..." under a key section. */
static void parse_page(void)
{
    enum key_section sec = 0;
    struct entry *cur = NULL;
    char *save, *line;
    static char copy[sizeof(page)];

    memcpy(copy, page, sizeof(page));
    n_entries = 0;
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, ".SH", 3) || !strncmp(line, ".SS", 3)) {
            sec = heading_section(line);
            cur = NULL;
            continue;
        }
        if (sec && !strcmp(line, ".TP")) {
            char *next = strtok_r(NULL, "\n", &save);

            assert_non_null(next);
            assert_true(!strncmp(next, ".B ", 3) || !strncmp(next, ".BI ", 4));
            cur = &entries[n_entries++];
            cur->sec = sec;
            sscanf(strchr(next, ' ') + 1, "%39s", cur->name);
            cur->text[0] = '\0';
            continue;
        }
        if (cur && strlen(cur->text) + strlen(line) + 2 < sizeof(cur->text)) {
            strcat(cur->text, line);
            strcat(cur->text, "\n");
        }
    }
}

static struct entry *find_entry(const char *name, enum key_section sec)
{
    for (int i = 0; i < n_entries; i++)
        if (entries[i].sec == sec && !strcmp(entries[i].name, name))
            return &entries[i];
    return NULL;
}

static int setup(void **state)
{
    read_page();
    parse_page();
    return 0;
}

static void test_every_table_key_is_documented_in_its_section(void **state)
{
    for (size_t i = 0; i < config_nkeys; i++) {
        print_message("key %s\n", config_keys[i].name);
        assert_non_null(find_entry(config_keys[i].name, config_keys[i].section));
    }
}

static void test_every_documented_key_is_in_the_table(void **state)
{
    assert_true(n_entries > 0);
    for (int i = 0; i < n_entries; i++) {
        print_message("page entry %s\n", entries[i].name);
        assert_non_null(key_find(entries[i].name, entries[i].sec));
    }
    assert_int_equal((size_t)n_entries, config_nkeys);
}

static void test_page_states_repeatability_and_prerequisites(void **state)
{
    for (size_t i = 0; i < config_nkeys; i++) {
        const struct key_def *k = &config_keys[i];
        struct entry *e = find_entry(k->name, k->section);
        char needs[64];

        print_message("key %s\n", k->name);
        assert_non_null(e);
        assert_int_equal(strstr(e->text, "Repeatable") != NULL, k->repeatable);
        if (k->needs_ns) {
            snprintf(needs, sizeof(needs), "Needs\n.BR %s .", ns_name(k->needs_ns));
            assert_non_null(strstr(e->text, needs));
        } else {
            assert_null(strstr(e->text, "Needs\n"));
        }
    }
}

static void test_table_fits_keys_max(void **state)
{
    assert_true(config_nkeys <= KEYS_MAX);
}

/* The page's EXAMPLE, with roff escapes undone, loads without a problem. */
static void test_page_example_is_valid(void **state)
{
    char *ex = strstr(page, ".SH EXAMPLE\n.EX\n"), *end, text[8192];
    char path[] = "/tmp/nsinit-manex-XXXXXX";
    size_t n = 0;
    struct config *c;
    struct diag d = {NULL, NULL, 0};
    int fd;

    assert_non_null(ex);
    ex += strlen(".SH EXAMPLE\n.EX\n");
    end = strstr(ex, ".EE\n");
    assert_non_null(end);
    for (char *p = ex; p < end && n < sizeof(text) - 1; p++) {
        if (p[0] == '\\' && p[1] == '-')
            p++;
        text[n++] = *p;
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    c = config_load(path, &d);
    unlink(path);
    assert_non_null(c);
    assert_int_equal(d.count, 0);
    assert_int_equal(c->n_services, 5);
    assert_string_equal(config_find(c, "db")->argv[1], "--port");
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_key_is_documented_in_its_section),
        cmocka_unit_test(test_every_documented_key_is_in_the_table),
        cmocka_unit_test(test_page_states_repeatability_and_prerequisites),
        cmocka_unit_test(test_table_fits_keys_max),
        cmocka_unit_test(test_page_example_is_valid),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
