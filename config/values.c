/* Pure value parsers of the config language: numbers, durations, sizes,
 * booleans, IPv4 addresses, id maps and exec's argv splitting. No
 * allocation, no locale, no strtol: every overflow is caught here. */
#include "config.h"
#include "values.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static int values_fail(int err)
{
    errno = err;
    return -1;
}

/* Leading decimal digits into *v; returns how many, or -1 (ERANGE) when
 * the number passes limit. */
static int values_digits(const char *s, uint64_t limit, uint64_t *v)
{
    uint64_t n = 0;
    int i;

    for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');

        if (n > (limit - d) / 10)
            return values_fail(ERANGE);
        n = n * 10 + d;
    }
    *v = n;
    return i;
}

int parse_u32(const char *s, uint32_t *v)
{
    uint64_t n;
    int len = values_digits(s, UINT32_MAX, &n);

    if (len < 0)
        return -1;
    if (len == 0 || s[len])
        return values_fail(EINVAL);
    *v = (uint32_t)n;
    return 0;
}

static const struct {
    char unit[3];
    uint32_t ms;
} duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60000}, {"h", 3600000},
};

/* Unsigned duration with a magnitude limit, shared by both signs. */
static int values_duration(const char *s, uint64_t limit, uint64_t *ms)
{
    uint64_t n;
    int len = values_digits(s, UINT64_MAX, &n);

    if (len < 0)
        return -1;
    if (len == 0)
        return values_fail(EINVAL);
    for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
        uint64_t mul = duration_units[i].ms;

        if (strcmp(s + len, duration_units[i].unit))
            continue;
        if (n > limit / mul)
            return values_fail(ERANGE);
        *ms = n * mul;
        return 0;
    }
    return values_fail(EINVAL);
}

int parse_duration_ms(const char *s, uint32_t *ms)
{
    uint64_t v;

    if (values_duration(s, UINT32_MAX, &v) < 0)
        return -1;
    *ms = (uint32_t)v;
    return 0;
}

int parse_sduration_ms(const char *s, int64_t *ms)
{
    int neg = *s == '-';
    uint64_t v;

    if (*s == '-' || *s == '+')
        s++;
    if (values_duration(s, INT64_MAX, &v) < 0)
        return -1;
    *ms = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int parse_size(const char *s, uint64_t *bytes)
{
    static const char units[] = "KMGT";
    const char *u;
    unsigned shift = 0;
    uint64_t n;
    int len = values_digits(s, UINT64_MAX, &n);

    if (len < 0)
        return -1;
    if (len == 0)
        return values_fail(EINVAL);
    s += len;
    /* Upper-casing a NUL or blank would give NUL, which strchr finds. */
    if (((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) &&
        (u = strchr(units, *s & ~0x20))) {
        shift = 10 * (unsigned)(u - units + 1);
        s++;
        if (*s == 'i' && s[1] == 'B')
            s++;
    }
    if (*s == 'B')
        s++;
    if (*s)
        return values_fail(EINVAL);
    if (shift && n > (UINT64_MAX >> shift))
        return values_fail(ERANGE);
    *bytes = n << shift;
    return 0;
}

int parse_bool(const char *s, bool *v)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(s, yes[i])) {
            *v = true;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *v = false;
            return 0;
        }
    }
    return values_fail(EINVAL);
}

int parse_limit(const char *s, uint64_t *v)
{
    uint64_t n;
    int len;

    if (!strcasecmp(s, "infinity") || !strcasecmp(s, "unlimited")) {
        *v = UINT64_MAX;
        return 0;
    }
    /* UINT64_MAX itself means unlimited: a number must stay below it. */
    len = values_digits(s, UINT64_MAX - 1, &n);
    if (len < 0)
        return -1;
    if (len == 0 || s[len])
        return values_fail(EINVAL);
    *v = n;
    return 0;
}

/* One dotted quad; *end gets what follows it. */
static int values_quad(const char *s, uint8_t out[4], const char **end)
{
    for (int i = 0; i < 4; i++) {
        uint64_t n;
        int len = values_digits(s, 255, &n);

        /* No leading zeros: inet_aton would read "010" as octal 8. */
        if (len <= 0 || (len > 1 && *s == '0'))
            return values_fail(EINVAL);
        out[i] = (uint8_t)n;
        s += len;
        if (i < 3 && *s++ != '.')
            return values_fail(EINVAL);
    }
    *end = s;
    return 0;
}

int parse_ipv4(const char *s, uint32_t *addr)
{
    uint8_t q[4];
    const char *end;

    if (values_quad(s, q, &end) < 0 || *end)
        return values_fail(EINVAL);
    memcpy(addr, q, 4); /* the bytes in order are network byte order */
    return 0;
}

int parse_ipv4_prefix(const char *s, uint32_t *addr, uint8_t *prefix)
{
    uint8_t q[4];
    const char *end;
    uint64_t n;
    int len;

    if (values_quad(s, q, &end) < 0 || *end != '/')
        return values_fail(EINVAL);
    len = values_digits(end + 1, 32, &n);
    if (len <= 0 || end[1 + len] || (len > 1 && end[1] == '0'))
        return values_fail(EINVAL);
    memcpy(addr, q, 4);
    *prefix = (uint8_t)n;
    return 0;
}

int parse_words(char *s, char **words, int max)
{
    int n = 0;

    for (;;) {
        while (*s == ' ' || *s == '\t')
            *s++ = '\0';
        if (!*s)
            return n;
        if (n == max)
            return values_fail(E2BIG);
        words[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
}

int parse_idmap(const char *s, uint32_t *inside, uint32_t *outside, uint32_t *count)
{
    char copy[96], *w[3];
    uint32_t v[3];
    size_t len = strlen(s);

    if (len >= sizeof(copy))
        return values_fail(EINVAL);
    memcpy(copy, s, len + 1);
    if (parse_words(copy, w, 3) != 3)
        return values_fail(EINVAL);
    for (int i = 0; i < 3; i++)
        if (parse_u32(w[i], &v[i]) < 0)
            return -1;
    if (v[2] == 0)
        return values_fail(EINVAL);
    if ((uint64_t)v[0] + v[2] > UINT32_MAX || (uint64_t)v[1] + v[2] > UINT32_MAX)
        return values_fail(ERANGE);
    *inside = v[0];
    *outside = v[1];
    *count = v[2];
    return 0;
}

/* Copies one word from *sp to *op; returns 0, or -1 on an open quote. */
static int values_argv_word(const char **sp, char **op)
{
    const char *s = *sp;
    char *o = *op;
    int quoted = 0;

    for (; *s; s++) {
        if (!quoted && (*s == ' ' || *s == '\t'))
            break;
        if (*s == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
            s++;
        *o++ = *s;
    }
    if (quoted)
        return values_fail(EINVAL);
    *o++ = '\0';
    *sp = s;
    *op = o;
    return 0;
}

int parse_argv(const char *s, char *buf, char **argv, int max)
{
    int argc = 0;

    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        if (argc == max)
            return values_fail(E2BIG);
        argv[argc] = buf;
        if (values_argv_word(&s, &buf) < 0)
            return -1;
        argc++;
    }
    argv[argc] = NULL;
    return argc;
}

static bool value_is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool value_is_service_name(const char *s)
{
    size_t i;

    if (!value_is_alnum(s[0]))
        return false;
    for (i = 1; s[i]; i++)
        if (!value_is_alnum(s[i]) && !strchr("_.-", s[i]))
            return false;
    return i < SERVICE_NAME_MAX;
}

bool value_is_ifname(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len >= BRIDGE_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == ':' || s[i] == 0x7f)
            return false;
    return true;
}

bool value_is_hostname(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++)
        if (!value_is_alnum(s[i]) && !strchr("_.-", s[i]))
            return false;
    return i >= 1 && i <= 64;
}

bool value_is_env_name(const char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!value_is_alnum(s[i]) && s[i] != '_')
            return false;
    return true;
}
