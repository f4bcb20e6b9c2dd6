/* One-shot reads and writes of small kernel files. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int file_write(int dirfd, const char *path, const void *buf, size_t len)
{
    int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC), err;
    ssize_t n;

    if (fd < 0)
        return -1;
    do
        n = write(fd, buf, len);
    while (n < 0 && errno == EINTR);
    err = n < 0 ? errno : EIO;
    close(fd);
    if (n >= 0 && (size_t)n == len)
        return 0;
    errno = err;
    return -1;
}

ssize_t file_read(int dirfd, const char *path, char *buf, size_t size)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC), err;
    size_t have = 0;
    ssize_t n = 0;

    if (fd < 0)
        return -1;
    while (have < size - 1) {
        n = read(fd, buf + have, size - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    err = errno;
    close(fd);
    buf[have] = '\0';
    if (n < 0) {
        errno = err;
        return -1;
    }
    return (ssize_t)have;
}

const char *file_exec_error(const char *path, int err)
{
    if (err == ENOENT && strchr(path, '/') && access(path, F_OK) == 0)
        return "its #! interpreter or ELF loader is missing";
    return strerror(err);
}
