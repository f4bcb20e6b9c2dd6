/* Raw system calls where the C library's wrapper costs too much: musl's
 * setresuid & co. synchronise every thread (__synccall), which a
 * single-threaded child does not need and the binary should not carry. */
#ifndef NSINIT_SYS_H
#define NSINIT_SYS_H
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* 32-bit ARM has 16-bit ids in the old calls; the *32 ones take full ids. */
#ifdef SYS_setresuid32
#define NSINIT_SYS_SETRESUID SYS_setresuid32
#define NSINIT_SYS_SETRESGID SYS_setresgid32
#define NSINIT_SYS_SETGROUPS SYS_setgroups32
#else
#define NSINIT_SYS_SETRESUID SYS_setresuid
#define NSINIT_SYS_SETRESGID SYS_setresgid
#define NSINIT_SYS_SETGROUPS SYS_setgroups
#endif

static inline int sys_setresuid(uid_t r, uid_t e, uid_t s)
{
    return (int)syscall(NSINIT_SYS_SETRESUID, r, e, s);
}
static inline int sys_setresgid(gid_t r, gid_t e, gid_t s)
{
    return (int)syscall(NSINIT_SYS_SETRESGID, r, e, s);
}
static inline int sys_setgroups(size_t n, const gid_t *list)
{
    return (int)syscall(NSINIT_SYS_SETGROUPS, n, list);
}

#endif
