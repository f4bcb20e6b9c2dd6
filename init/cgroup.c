/* cgroup v2 for services: nsinit moves itself into a leaf so its own
 * cgroup may hand controllers down, then keeps one directory per service.
 * All paths are relative to an fd of nsinit's own cgroup (OWN). */
#include "cgroup.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"
#define CG_SELF "nsinit"
#define CG_DIR_MAX (SERVICE_NAME_MAX + 8) /* NAME.service */

enum { CG_MEMORY = 1, CG_PIDS = 2, CG_CPU = 4, CG_NCTL = 3 };
static const char *const cg_ctl_names[CG_NCTL] = {"memory", "pids", "cpu"};
static const char *const cg_ctl_keys[CG_NCTL] = {"memory_max", "pids_max", "cpu_weight"};

static struct {
    int own;          /* O_DIRECTORY fd of OWN, -1 until cgroup_init succeeds */
    bool mounted;     /* /sys/fs/cgroup is cgroup2 */
    unsigned enabled; /* CG_* in OWN/cgroup.subtree_control */
    unsigned warned;  /* CG_* already warned about */
    bool warned_unusable;
} cg = {.own = -1};

static int cg_write(int dirfd, const char *file, const char *val)
{
    return file_write(dirfd, file, val, strlen(val));
}

static int cg_read(int dirfd, const char *file, char *buf, size_t size)
{
    return file_read(dirfd, file, buf, size) < 0 ? -1 : 0;
}

static unsigned cg_mask_of(const char *list)
{
    unsigned mask = 0;

    while (*list) {
        size_t n = strcspn(list, " \n");

        for (int i = 0; i < CG_NCTL; i++)
            if (n == strlen(cg_ctl_names[i]) && memcmp(list, cg_ctl_names[i], n) == 0)
                mask |= 1u << i;
        list += n;
        list += strspn(list, " \n");
    }
    return mask;
}

/* The "0::/path" line of /proc/self/cgroup, as a path under CG_ROOT. */
static int cg_own_path(char *path, size_t size)
{
    char buf[4096];
    char *line = buf, *end;

    if (cg_read(AT_FDCWD, "/proc/self/cgroup", buf, sizeof(buf)) < 0)
        return -1;
    while (strncmp(line, "0::", 3) != 0) {
        line = strchr(line, '\n');
        if (!line) {
            errno = ENOENT;
            return -1;
        }
        line++;
    }
    line += 3;
    end = strchr(line, '\n');
    if (end)
        *end = '\0';
    if (fmt(path, size, "%s%s", CG_ROOT, line) >= size - 1) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static void cg_enable_controllers(int own)
{
    char buf[512];
    char word[16];
    unsigned avail;

    if (cg_read(own, "cgroup.controllers", buf, sizeof(buf)) < 0)
        return;
    avail = cg_mask_of(buf);
    /* One write each: a controller that cannot be enabled spoils no other. */
    for (int i = 0; i < CG_NCTL; i++) {
        if (!(avail >> i & 1))
            continue;
        fmt(word, sizeof(word), "+%s", cg_ctl_names[i]);
        cg_write(own, "cgroup.subtree_control", word);
    }
    if (cg_read(own, "cgroup.subtree_control", buf, sizeof(buf)) == 0)
        cg.enabled = cg_mask_of(buf);
}

/* The "no internal processes" rule: OWN may give controllers to its
 * children only once no process lives in OWN itself. */
static int cg_move_self(int own)
{
    int leaf, r;

    if (mkdirat(own, CG_SELF, 0755) < 0 && errno != EEXIST)
        return -1;
    leaf = openat(own, CG_SELF, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (leaf < 0)
        return -1;
    r = cg_write(leaf, "cgroup.procs", "0"); /* 0: the writing process */
    int e = errno;
    close(leaf);
    errno = e;
    return r;
}

int cgroup_init(void)
{
    struct statfs sf;
    char path[4200];
    int own;

    if (statfs(CG_ROOT, &sf) < 0)
        return -1;
    if ((unsigned long)sf.f_type != (unsigned long)CGROUP2_SUPER_MAGIC) {
        errno = ENOTSUP;
        return -1;
    }
    cg.mounted = true;
    if (cg_own_path(path, sizeof(path)) < 0)
        return -1;
    own = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (own < 0)
        return -1;
    if (cg_move_self(own) < 0) {
        int e = errno;
        close(own);
        errno = e;
        return -1;
    }
    cg_enable_controllers(own);
    cg.own = own;
    return 0;
}

bool cgroup_usable(void)
{
    return cg.own >= 0;
}

static unsigned cg_wanted(const struct svc_conf *s)
{
    return (s->memory_max ? CG_MEMORY : 0u) | (s->pids_max ? CG_PIDS : 0u) |
           (s->cpu_weight ? CG_CPU : 0u);
}

static size_t cg_format_list(char *buf, size_t size, unsigned mask,
                             const char *const *names)
{
    size_t n = 0;

    for (int i = 0; i < CG_NCTL; i++)
        if (mask >> i & 1)
            n += fmt(buf + n, size - n, "%s%s", n ? ", " : "", names[i]);
    return n;
}

/* "cgroup v2 controller memory, pids not available: memory_max, pids_max ignored" */
static void cg_format_missing(unsigned missing, char *buf, size_t size)
{
    size_t n = fmt(buf, size, "cgroup v2 controller ");

    n += cg_format_list(buf + n, size - n, missing, cg_ctl_names);
    n += fmt(buf + n, size - n, " not available: ");
    n += cg_format_list(buf + n, size - n, missing, cg_ctl_keys);
    fmt(buf + n, size - n, " ignored");
}

bool cgroup_limits_warning(const struct svc_conf *s, char *buf, size_t size)
{
    unsigned missing;

    if (!cg_wanted(s))
        return false;
    if (!cgroup_usable()) {
        if (cg.warned_unusable)
            return false;
        cg.warned_unusable = true;
        fmt(buf, size, "cgroup v2 is not %s: memory_max, pids_max, cpu_weight ignored",
            cg.mounted ? "usable" : "mounted");
        return true;
    }
    missing = cg_wanted(s) & ~cg.enabled & ~cg.warned;
    if (!missing)
        return false;
    cg.warned |= missing;
    cg_format_missing(missing, buf, size);
    return true;
}

static void cg_dir_name(const char *name, char dir[CG_DIR_MAX])
{
    fmt(dir, CG_DIR_MAX, "%s.service", name);
}

static int cg_open_service(const char *name)
{
    char dir[CG_DIR_MAX];

    if (!cgroup_usable()) {
        errno = ENOTSUP;
        return -1;
    }
    cg_dir_name(name, dir);
    return openat(cg.own, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Unset limits are written too, as the kernel's defaults: a reused
 * directory must not keep what an older config asked for. */
static int cg_write_limits(int fd, const struct svc_conf *s, const char *dir,
                           struct step *st)
{
    static const char *const files[CG_NCTL] = {"memory.max", "pids.max", "cpu.weight"};
    static const char *const defaults[CG_NCTL] = {"max", "max", "100"};
    const unsigned long long vals[CG_NCTL] = {s->memory_max, s->pids_max, s->cpu_weight};
    char val[24];

    for (int i = 0; i < CG_NCTL; i++) {
        if (!(cg.enabled >> i & 1))
            continue;
        if (vals[i])
            fmt(val, sizeof(val), "%llu", vals[i]);
        else
            fmt(val, sizeof(val), "%s", defaults[i]);
        if (cg_write(fd, files[i], val) < 0) {
            STEP_NAME(st, "cgroup %s/%s %s", dir, files[i], val);
            return -1;
        }
    }
    return 0;
}

int cgroup_service_create(const char *name, const struct svc_conf *s, struct step *st)
{
    char dir[CG_DIR_MAX];
    int fd;

    cg_dir_name(name, dir);
    if (!cgroup_usable()) {
        STEP_NAME(st, "cgroup %s", dir);
        errno = ENOTSUP;
        return -1;
    }
    if (mkdirat(cg.own, dir, 0755) < 0 && errno != EEXIST) {
        STEP_NAME(st, "cgroup %s", dir);
        return -1;
    }
    fd = openat(cg.own, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        STEP_NAME(st, "cgroup %s", dir);
        return -1;
    }
    if (cg_write_limits(fd, s, dir, st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int cgroup_service_attach(const char *name, pid_t pid)
{
    char val[16];
    int fd = cg_open_service(name), r;

    if (fd < 0)
        return -1;
    fmt(val, sizeof(val), "%d", (int)pid);
    r = cg_write(fd, "cgroup.procs", val);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

/* Signals every pid listed in cgroup.procs; returns how many were listed. */
static int cg_signal_procs(int dirfd, int sig)
{
    char buf[512];
    ssize_t n;
    int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC), count = 0;
    long pid = -1;

    if (fd < 0)
        return -1;
    for (;;) {
        n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                pid = (pid < 0 ? 0 : pid) * 10 + (buf[i] - '0');
                continue;
            }
            if (pid > 0) {
                kill((pid_t)pid, sig);
                count++;
            }
            pid = -1;
        }
    }
    if (pid > 0) {
        kill((pid_t)pid, sig);
        count++;
    }
    close(fd);
    return n < 0 ? -1 : count;
}

/* Frozen, nothing can fork while the list is read; without the freezer
 * (< 5.2) a second and third pass catch what forked during the first. */
static int cg_kill_each_fd(int fd)
{
    bool frozen = cg_write(fd, "cgroup.freeze", "1") == 0;
    int r = 0;

    for (int pass = 0; pass < 3 && r >= 0; pass++)
        if ((r = cg_signal_procs(fd, SIGKILL)) == 0)
            break;
    if (frozen)
        cg_write(fd, "cgroup.freeze", "0");
    return r < 0 ? -1 : 0;
}

static int cg_kill(const char *name, bool use_kill_file)
{
    int fd = cg_open_service(name), r = -1;

    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    if (use_kill_file)
        r = cg_write(fd, "cgroup.kill", "1");
    if (r < 0 && (!use_kill_file || errno == ENOENT))
        r = cg_kill_each_fd(fd);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

int cgroup_service_kill(const char *name)
{
    return cg_kill(name, true);
}

int cgroup_service_kill_each(const char *name)
{
    return cg_kill(name, false);
}

int cgroup_service_remove(const char *name)
{
    char dir[CG_DIR_MAX];

    if (!cgroup_usable())
        return 0;
    cg_dir_name(name, dir);
    if (unlinkat(cg.own, dir, AT_REMOVEDIR) < 0 && errno != ENOENT && errno != EBUSY)
        return -1;
    return 0;
}
