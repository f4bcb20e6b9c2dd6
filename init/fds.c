/* Inherited descriptors: a leaked runtime fd must not reach the workload. */
#include "fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int small_count(const char *s)
{
    long v = 0;

    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return (int)v;
}

int fds_kept(int preserve, const char *listen_fds, const char *listen_pid, pid_t self,
             bool *activation)
{
    int n = small_count(listen_fds);

    *activation = n > 0 && small_count(listen_pid) == self;
    if (*activation && n > preserve)
        return n;
    return preserve;
}

void fds_close_from(int from)
{
    struct rlimit rl;

#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
        return;
#endif
    /* Before Linux 5.9: every possible number; fds cannot exceed the limit. */
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 1048576)
        rl.rlim_cur = 1048576;
    for (int fd = from; fd < (int)rl.rlim_cur; fd++)
        close(fd);
}

void fds_sanitize(int keep)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0 && null != fd) {
                dup2(null, fd);
                close(null);
            }
        }
    }
    fds_close_from(3 + keep);
    for (int fd = 3; fd < 3 + keep; fd++)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void fds_pass_kept(int keep)
{
    for (int fd = 3; fd < 3 + keep; fd++)
        fcntl(fd, F_SETFD, 0);
}
