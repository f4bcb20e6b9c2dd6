/* libFuzzer target: the value parsers a config or a command line hands
 * arbitrary text to (durations, sizes, limits, addresses, id maps, words,
 * the exec splitter, signal names). Beyond "no crash", each result is
 * checked for what the parser promises: a wrong answer is a bug too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "signame.h"
#include "values.h"

#define ARGV_MAX 16

static void check_argv(const char *s)
{
    size_t len = strlen(s);
    char *buf = malloc(len + 1), *argv[ARGV_MAX + 1];
    int n = parse_argv(s, buf, argv, ARGV_MAX);

    if (n >= 0) {
        if (n > ARGV_MAX || argv[n] != NULL)
            abort();
        for (int i = 0; i < n; i++) /* every word lies inside buf */
            if (argv[i] < buf || argv[i] + strlen(argv[i]) > buf + len)
                abort();
    }
    free(buf);
}

static void check_signal(const char *s)
{
    char name[12];
    int n = sig_from_name(s);

    /* What a number is called must name that number again. */
    if (n > 0 && sig_from_name(sig_name(n, name)) != n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *copy, *words[8];
    uint32_t u32, a, b, c;
    uint64_t u64;
    int64_t i64;
    uint8_t prefix;
    bool flag;

    memcpy(s, data, size);
    s[size] = '\0';
    (void)parse_u32(s, &u32);
    if (parse_duration_ms(s, &u32) == 0 && parse_sduration_ms(s, &i64) == 0 && i64 != u32)
        abort(); /* an unsigned duration reads the same signed */
    (void)parse_sduration_ms(s, &i64);
    (void)parse_size(s, &u64);
    (void)parse_bool(s, &flag);
    (void)parse_limit(s, &u64);
    (void)parse_ipv4(s, &a);
    if (parse_ipv4_prefix(s, &a, &prefix) == 0 && prefix > 32)
        abort();
    if (parse_idmap(s, &a, &b, &c) == 0 &&
        (c == 0 || (uint64_t)a + c - 1 > UINT32_MAX || (uint64_t)b + c - 1 > UINT32_MAX))
        abort();
    copy = strdup(s);
    int n = parse_words(copy, words, 8);
    if (n > 8)
        abort();
    free(copy);
    check_argv(s);
    check_signal(s);
    (void)value_is_service_name(s);
    (void)value_is_ifname(s);
    (void)value_is_hostname(s);
    (void)value_is_env_name(s, strlen(s));
    free(s);
    return 0;
}
