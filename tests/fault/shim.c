/* LD_PRELOAD fault injector for the glibc build of nsinit (tests/fault/run).
 * NSINIT_FAULT=CALL:ERRNO makes CALL fail with ERRNO in the supervisor's
 * own process (not in the children it forks, nor in what they exec) for as
 * long as the file NSINIT_FAULT_FILE exists, so a test turns the fault on
 * and off and watches PID 1 survive and recover. With NSINIT_FAULT_IN=
 * children it fails in the children instead, before they exec: a service's
 * set-up (its mounts, its /dev/null) in nsinit's code. CALL is one of:
 *   clone     fork(), and clone3/clone through syscall()
 *   pipe2 accept4 socket open (open and openat)
 *   console   write() and writev() to fd 1 or 2
 *   signalfd mount finit_module   (through syscall() or the libc call)
 * Every injected failure is a line "CALL PID" in NSINIT_FAULT_FILE.count. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

struct sockaddr; /* not <sys/socket.h>: its accept4 takes a transparent union */

static char call[32];
static int err;
static const char *file;
static pid_t target;
static int origin;   /* this image is the first to load the shim (or its fork) */
static int children; /* fail in origin's forks, not in origin */

__attribute__((constructor)) static void shim_init(void)
{
    const char *spec = getenv("NSINIT_FAULT"), *colon, *owner = getenv("NSINIT_FAULT_PID");
    static char pidbuf[16];

    /* The first process to load the shim is the one faults are for; its
     * children inherit the variable and so know they are not. */
    if (owner) {
        target = (pid_t)atoi(owner);
    } else {
        origin = 1;
        target = getpid();
        snprintf(pidbuf, sizeof(pidbuf), "%d", (int)target);
        setenv("NSINIT_FAULT_PID", pidbuf, 1);
    }
    file = getenv("NSINIT_FAULT_FILE");
    const char *in = getenv("NSINIT_FAULT_IN");
    children = in && !strcmp(in, "children");
    if (!spec || !(colon = strchr(spec, ':')) || (size_t)(colon - spec) >= sizeof(call))
        return;
    memcpy(call, spec, (size_t)(colon - spec));
    err = !strcmp(colon + 1, "EAGAIN") ? EAGAIN : !strcmp(colon + 1, "ENOMEM") ? ENOMEM
        : !strcmp(colon + 1, "EMFILE") ? EMFILE : !strcmp(colon + 1, "EIO") ? EIO
        : !strcmp(colon + 1, "ENOSPC") ? ENOSPC : !strcmp(colon + 1, "EPERM") ? EPERM
        : !strcmp(colon + 1, "ENOENT") ? ENOENT : atoi(colon + 1);
}

/* Whether this call of name fails now; counts it when it does. */
static int fault(const char *name)
{
    char count[256];

    if (!err || !file || (children ? !origin || getpid() == target : getpid() != target) ||
        strcmp(name, call) || access(file, F_OK) < 0)
        return 0;
    snprintf(count, sizeof(count), "%s.count", file);
    /* A line per failure, appended: every process counts in one file.
     * Raw syscalls: the shim must not go through what it intercepts. */
    int fd = (int)syscall(SYS_openat, AT_FDCWD, count, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        int n = snprintf(count, sizeof(count), "%s %d\n", name, (int)getpid());
        if (syscall(SYS_write, fd, count, (size_t)n) < 0)
            n = 0;
        syscall(SYS_close, fd);
    }
    errno = err;
    return 1;
}

#define REAL(ret, name, ...) \
    static ret (*real_##name)(__VA_ARGS__); \
    if (!real_##name) \
        real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

pid_t fork(void)
{
    REAL(pid_t, fork, void);
    return fault("clone") ? -1 : real_fork();
}

int pipe2(int p[2], int flags)
{
    REAL(int, pipe2, int *, int);
    return fault("pipe2") ? -1 : real_pipe2(p, flags);
}

int accept4(int fd, struct sockaddr *a, socklen_t *l, int flags)
{
    REAL(int, accept4, int, struct sockaddr *, socklen_t *, int);
    return fault("accept4") ? -1 : real_accept4(fd, a, l, flags);
}

int socket(int domain, int type, int proto)
{
    REAL(int, socket, int, int, int);
    return fault("socket") ? -1 : real_socket(domain, type, proto);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (mode_t)va_arg(ap, int);
    va_end(ap);
    REAL(int, open, const char *, int, ...);
    return fault("open") ? -1 : real_open(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (mode_t)va_arg(ap, int);
    va_end(ap);
    REAL(int, openat, int, const char *, int, ...);
    return fault("open") ? -1 : real_openat(dir, path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(ssize_t, write, int, const void *, size_t);
    return (fd == 1 || fd == 2) && fault("console") ? -1 : real_write(fd, buf, n);
}

struct iovec;
ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(ssize_t, writev, int, const struct iovec *, int);
    return (fd == 1 || fd == 2) && fault("console") ? -1 : real_writev(fd, iov, n);
}

int mount(const char *src, const char *dst, const char *type, unsigned long flags,
          const void *data)
{
    REAL(int, mount, const char *, const char *, const char *, unsigned long, const void *);
    return fault("mount") ? -1 : real_mount(src, dst, type, flags, data);
}

long syscall(long n, ...)
{
    va_list ap;
    long a[6];

    va_start(ap, n);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    REAL(long, syscall, long, ...);
    if (((n == SYS_clone3 || n == SYS_clone) && fault("clone")) ||
        (n == SYS_signalfd4 && fault("signalfd")) || (n == SYS_mount && fault("mount")) ||
        (n == SYS_finit_module && fault("finit_module")))
        return -1;
    return real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
