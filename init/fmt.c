/* The formatter behind every message nsinit prints: a subset of printf,
 * enough for names, numbers and errno texts, in a few hundred bytes. */
#include "fmt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct out {
    char *p, *end;
};

static void put(struct out *o, char c)
{
    if (o->p < o->end)
        *o->p++ = c;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
                       int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;

    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (n--)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static void put_number(struct out *o, unsigned long long v, int neg, unsigned base,
                       int width, int left, char pad)
{
    char tmp[24];
    char *t = tmp + sizeof(tmp);

    do {
        *--t = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg) {
        if (pad == '0') {
            put(o, '-');
            width--;
        } else {
            *--t = '-';
        }
    }
    put_padded(o, t, (size_t)(tmp + sizeof(tmp) - t), width, left, pad);
}

size_t fmt_v(char *buf, size_t size, const char *f, va_list ap)
{
    struct out o = {buf, buf + (size ? size - 1 : 0)};

    for (; *f; f++) {
        int left = 0, width = 0, lng = 0;
        char pad = ' ';

        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f++;
        if (*f == '-')
            left = 1, f++;
        if (*f == '0')
            pad = '0', f++;
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        while (*f == 'l' || *f == 'z')
            lng++, f++; /* size_t is unsigned long on every Linux ABI */
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            put_padded(&o, s, strlen(s), width, left, ' ');
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 'd':
        case 'i': {
            long long v = lng >= 2 ? va_arg(ap, long long)
                          : lng    ? va_arg(ap, long)
                                   : va_arg(ap, int);
            unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                         : (unsigned long long)v;
            put_number(&o, u, v < 0, 10, width, left, pad);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long)
                                   : lng    ? va_arg(ap, unsigned long)
                                            : va_arg(ap, unsigned);
            put_number(&o, v, 0, *f == 'x' ? 16 : 10, width, left, pad);
            break;
        }
        case '\0':
            f--;
            break;
        default:
            put(&o, *f);
        }
    }
    if (size)
        *o.p = '\0';
    return (size_t)(o.p - buf);
}

size_t fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, f);
    n = fmt_v(buf, size, f, ap);
    va_end(ap);
    return n;
}

void fmt_fd(int fd, const char *f, ...)
{
    char buf[1024];
    va_list ap;
    size_t n;
    int saved = errno;

    va_start(ap, f);
    n = fmt_v(buf, sizeof(buf), f, ap);
    va_end(ap);
    while (write(fd, buf, n) < 0 && errno == EINTR)
        ;
    errno = saved;
}
