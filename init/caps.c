/* Capability sets of a service's child: bounding, permitted, effective,
 * inheritable and ambient, through the raw syscalls with the v3 (64-bit)
 * layout. See caps.h for the order around the user switch. */
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int caps_read_last_cap_file(void)
{
    char buf[16];
    ssize_t n;
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    int v = 0;

    if (fd < 0)
        return -1;
    do
        n = read(fd, buf, sizeof(buf));
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0 || buf[0] < '0' || buf[0] > '9')
        return -1;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9' && v < 64; i++)
        v = v * 10 + (buf[i] - '0');
    return v < 64 ? v : -1;
}

int caps_last_cap(void)
{
    int last = caps_read_last_cap_file();

    if (last >= 0)
        return last;
    /* No /proc (a root without it): the bounding set answers EINVAL past
     * the last capability the kernel knows. */
    last = -1;
    while (last < 63 && prctl(PR_CAPBSET_READ, (unsigned long)(last + 1), 0, 0, 0) >= 0)
        last++;
    return last;
}

static int caps_get(uint64_t *permitted)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d) < 0)
        return -1;
    *permitted = (uint64_t)d[1].permitted << 32 | d[0].permitted;
    return 0;
}

static int caps_set_all(uint64_t caps)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];

    for (int i = 0; i < 2; i++) {
        uint32_t half = (uint32_t)(caps >> (32 * i));

        d[i].effective = d[i].permitted = d[i].inheritable = half;
    }
    return (int)syscall(SYS_capset, &h, d);
}

static int caps_check(const struct svc_conf *s, int last, struct step *st)
{
    uint64_t permitted;

    if (caps_get(&permitted) < 0) {
        STEP_NAME(st, "capabilities: capget");
        return -1;
    }
    for (int c = 0; c < 64; c++) {
        if (!(s->caps >> c & 1))
            continue;
        if (c > last) {
            STEP_NAME(st, "capability %d: unknown to this kernel (last is %d)", c, last);
            errno = EINVAL;
            return -1;
        }
        if (!(permitted >> c & 1)) {
            STEP_NAME(st, "capability %d: not held by nsinit", c);
            errno = EPERM;
            return -1;
        }
    }
    return 0;
}

int caps_prepare(const struct svc_conf *s, struct step *st)
{
    int last;

    if (!s->has_caps)
        return 0;
    last = caps_last_cap();
    if (last < 0) {
        STEP_NAME(st, "capabilities: cap_last_cap");
        errno = ENOSYS;
        return -1;
    }
    if (caps_check(s, last, st) < 0)
        return -1;
    for (int c = 0; c <= last; c++) {
        if (s->caps >> c & 1)
            continue;
        if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0) {
            STEP_NAME(st, "capabilities: drop %d from the bounding set", c);
            return -1;
        }
    }
    if (prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) < 0) {
        STEP_NAME(st, "capabilities: keepcaps");
        return -1;
    }
    return 0;
}

int caps_finish(const struct svc_conf *s, struct step *st)
{
    if (!s->has_caps)
        return 0;
    if (caps_set_all(s->caps) < 0) {
        STEP_NAME(st, "capabilities");
        return -1;
    }
    /* What nsinit itself inherited must not reach the service. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && s->caps) {
        STEP_NAME(st, "capabilities: ambient");
        return -1;
    }
    for (int c = 0; c < 64; c++) {
        if (!(s->caps >> c & 1))
            continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0) {
            STEP_NAME(st, "capability %d: ambient", c);
            return -1;
        }
    }
    return 0;
}

int caps_no_new_privs(const struct svc_conf *s, struct step *st)
{
    if (!s->no_new_privs)
        return 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0, 0, 0) < 0) {
        STEP_NAME(st, "no_new_privs");
        return -1;
    }
    return 0;
}
