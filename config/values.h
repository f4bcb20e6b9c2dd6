/* Value parsers beyond the four in config.h: pure functions on one string,
 * shared by the key handlers and unit-tested alone. Each returns 0 (or a
 * count) on success and -1 with errno on failure: EINVAL for bad syntax,
 * ERANGE for a number that does not fit. Outputs are untouched on failure. */
#ifndef NSINIT_VALUES_H
#define NSINIT_VALUES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "-10s", "+2m", "500ms": a signed duration in milliseconds. */
int parse_sduration_ms(const char *s, int64_t *ms);
/* "10.0.0.1" into network byte order (no octal, no shorthand forms). */
int parse_ipv4(const char *s, uint32_t *addr);
/* "10.0.0.1/24". */
int parse_ipv4_prefix(const char *s, uint32_t *addr, uint8_t *prefix);
/* "INSIDE OUTSIDE COUNT": count >= 1, neither range wraps past 2^32-1. */
int parse_idmap(const char *s, uint32_t *inside, uint32_t *outside, uint32_t *count);
/* A decimal number or "infinity"/"unlimited" (UINT64_MAX), for rlimits. */
int parse_limit(const char *s, uint64_t *v);
/* Splits s in place on blanks (space, tab) into at most max words;
 * returns the count, or -1 (E2BIG) when there are more than max. */
int parse_words(char *s, char **words, int max);
/* exec = argv: blanks split, "..." groups, \" and \\ escape inside quotes,
 * adjacent pieces join. buf needs strlen(s)+1 bytes, argv max+1 slots.
 * Returns argc (argv NULL-terminated); -1 with EINVAL for an unterminated
 * quote, E2BIG for more than max words. */
int parse_argv(const char *s, char *buf, char **argv, int max);

/* Names: a service is [A-Za-z0-9][A-Za-z0-9_.-]* of at most 31 chars; an
 * interface as the kernel takes it (1-15 chars, no '/', ':' or blanks, not
 * "." or ".."); a hostname [A-Za-z0-9_.-] of 1-64; an env name
 * [A-Za-z_][A-Za-z0-9_]* of len bytes. */
bool value_is_service_name(const char *s);
bool value_is_ifname(const char *s);
bool value_is_hostname(const char *s);
bool value_is_env_name(const char *s, size_t len);

#endif
