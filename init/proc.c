/* As a subreaper we adopt orphans, but a live grandchild still has a live
 * parent: to end "everything left", walk /proc once, find the whole
 * subtree under us, and signal it. Fixed tables, no allocation. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"
#include "fmt.h"

#define PROC_MAX 32768

static pid_t proc_pid[PROC_MAX], proc_ppid[PROC_MAX];
static unsigned char proc_mark[PROC_MAX];

/* The ppid field of /proc/PID/stat: after the last ')' (comm may hold
 * anything), then the state, then ppid. */
static pid_t read_ppid(const char *pid)
{
    char path[32], buf[512];
    char *p;

    fmt(path, sizeof(path), "/proc/%s/stat", pid);
    if (file_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
        return -1;
    if (!(p = strrchr(buf, ')')) || !p[1] || !p[2] || !p[3])
        return -1;
    p += 4; /* ") S " */
    pid_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (*p++ - '0');
    return v;
}

pid_t proc_parent(pid_t pid)
{
    char name[16];

    fmt(name, sizeof(name), "%d", (int)pid);
    return read_ppid(name);
}

/* /proc's entries with getdents64 (opendir would bring malloc in). */
static int scan_proc(void)
{
    char buf[4096] __attribute__((aligned(8)));
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
    long got;

    if (fd < 0)
        return -1;
    while (n < PROC_MAX && (got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < got && n < PROC_MAX;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            pid_t ppid;

            off += e->d_reclen;
            if (e->d_name[0] < '1' || e->d_name[0] > '9')
                continue;
            if ((ppid = read_ppid(e->d_name)) < 0)
                continue;
            proc_pid[n] = 0;
            for (const char *c = e->d_name; *c; c++)
                proc_pid[n] = proc_pid[n] * 10 + (*c - '0');
            proc_ppid[n++] = ppid;
        }
    }
    close(fd);
    return n;
}

/* Open-addressing index from pid to table slot. */
#define HASH_SIZE 65536
static int hash_slot[HASH_SIZE];

static void index_build(int n)
{
    memset(hash_slot, 0xff, sizeof(hash_slot));
    for (int i = 0; i < n; i++) {
        unsigned h = (unsigned)proc_pid[i] % HASH_SIZE;
        while (hash_slot[h] >= 0)
            h = (h + 1) % HASH_SIZE;
        hash_slot[h] = i;
    }
}

static int index_find(pid_t pid)
{
    for (unsigned h = (unsigned)pid % HASH_SIZE; hash_slot[h] >= 0; h = (h + 1) % HASH_SIZE)
        if (proc_pid[hash_slot[h]] == pid)
            return hash_slot[h];
    return -1;
}

enum { UNKNOWN, OURS, NOT_OURS };

/* Walks up the parent chain from slot i; remembers the answer for every
 * slot on the way so the whole scan stays linear. */
static int is_descendant(int i, pid_t self)
{
    int path[64], depth = 0, answer = NOT_OURS, j = i;

    while (j >= 0 && proc_mark[j] == UNKNOWN && depth < 64) {
        path[depth++] = j;
        if (proc_ppid[j] == self) {
            answer = OURS;
            j = -1;
            break;
        }
        j = index_find(proc_ppid[j]);
    }
    if (j >= 0 && proc_mark[j] != UNKNOWN)
        answer = proc_mark[j];
    else if (j >= 0)
        answer = UNKNOWN; /* deeper than 64: decide again later */
    for (int k = 0; k < depth; k++)
        proc_mark[path[k]] = (unsigned char)answer;
    return answer;
}

int proc_signal_descendants(int sig)
{
    pid_t self = getpid();
    int n, count = 0;

    if (self == 1)
        return kill(-1, sig) == 0 ? 1 : 0;
    if ((n = scan_proc()) < 0)
        return 0;
    memset(proc_mark, UNKNOWN, (size_t)n);
    index_build(n);
    for (int i = 0; i < n; i++)
        if (is_descendant(i, self) == OURS && kill(proc_pid[i], sig) == 0)
            count++;
    return count;
}
