/* Small files in one go: the kernel's control files (/proc/PID/uid_map,
 * timens_offsets, cgroup.procs, memory.max...) want a value in exactly one
 * write(2), and their contents are read whole. */
#ifndef NSINIT_FILE_H
#define NSINIT_FILE_H
#include <stddef.h>
#include <sys/types.h>

/* Writes buf in one write(2) to path (relative to dirfd, or AT_FDCWD).
 * 0, or -1 with errno (EIO for a short write). */
int file_write(int dirfd, const char *path, const void *buf, size_t len);
/* Reads at most size-1 bytes and NUL-terminates; the length, or -1. */
ssize_t file_read(int dirfd, const char *path, char *buf, size_t size);

/* After execve(path) failed with err: the reason to print. ENOENT for a
 * path that is there means its #! interpreter or ELF loader is missing (a
 * script with CRLF line ends, a binary for another libc), and says so. */
const char *file_exec_error(const char *path, int err);

#endif
