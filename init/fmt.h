/* A small formatter so the binary carries no printf family.
 * Conversions: %s %c %d %i %u %x %ld %lu %lx %lld %llu %zu %% and a width
 * with '0' or '-' (e.g. %5d, %-8s). An unknown conversion prints its letter. */
#ifndef NSINIT_FMT_H
#define NSINIT_FMT_H
#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: writes at most size-1 bytes and a NUL, returns the
 * number of bytes written (not the would-be length). */
size_t fmt_v(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats into a stack buffer and writes it to fd in one write(2). */
void fmt_fd(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
