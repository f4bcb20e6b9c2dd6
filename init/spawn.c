/* The launch of one service. The child side is one straight-line function
 * in the order STYLE.md fixes: joins, user ids, time, hostname, mounts and
 * pivot_root (with /proc), network, rlimits, capabilities, no_new_privs,
 * user/group, workdir, environment, exec. Any failure is written to the
 * CLOEXEC report pipe as "step" + errno; a pipe that closes empty means
 * the exec happened. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "creds.h"
#include "env.h"
#include "file.h"
#include "idmap.h"
#include "log.h"
#include "mounts.h"
#include "net.h"
#include "output.h"
#include "ready.h"
#include "rlimits.h"
#include "service.h"
#include "sig.h"
#include "step.h"
#include "svcinit.h"
#include "sys.h"
#include "supervisor.h"
#include "timens.h"

bool spawn_clean_env;

struct report {
    int err;
    bool says_why;
    char what[200];
};

static void child_report(int fd, const struct step *st, int err) __attribute__((noreturn));

static void child_report(int fd, const struct step *st, int err)
{
    struct report r;

    memset(&r, 0, sizeof(r));
    r.err = err;
    r.says_why = st->says_why;
    memcpy(r.what, st->what, sizeof(r.what) - 1);
    while (write(fd, &r, sizeof(r)) < 0 && errno == EINTR)
        ;
    _exit(err == ENOENT ? 127 : 126);
}

#define SPAWN_MAX_JOINS 16 /* join_targets() looks at no more */

static const char *join_name(const struct join_item *j)
{
    return j->service ? j->service : j->path;
}

/* The namespace file of a join: its path, or the running target's. */
static int join_open(const struct join_item *j, pid_t target)
{
    char path[64];

    if (j->path)
        return open(j->path, O_RDONLY | O_CLOEXEC);
    fmt(path, sizeof(path), "/proc/%d/ns/%s", (int)target, j->kind);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* Opens every namespace to join before entering any: once in another mount
 * namespace, /proc no longer shows the targets' pids. pid is joined by PID 1
 * around the clone (pid_join_enter), so it is left at -1. */
static int child_join_open(const struct svc_conf *c, const pid_t *targets, int *fds,
                           struct step *st)
{
    int i = 0;

    LIST_FOR(struct join_item, j, &c->joins) {
        if (i == SPAWN_MAX_JOINS)
            break;
        fds[i] = -1;
        if (j->ns_flag != CLONE_NEWPID) {
            STEP_NAME(st, "join %s:%s", j->kind, join_name(j));
            if ((fds[i] = join_open(j, targets[i])) < 0)
                return -1;
        }
        i++;
    }
    return 0;
}

/* The kernel refuses to re-enter the user namespace we are in (EINVAL):
 * joining the user namespace of a service that has none is a no-op. */
static bool join_is_own_userns(int fd)
{
    struct stat theirs, ours;

    return fstat(fd, &theirs) == 0 && stat("/proc/self/ns/user", &ours) == 0 &&
           theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev;
}

/* The user namespace first (it grants the rights for the others), the
 * mount namespace last (it changes what paths mean). */
static int join_pass(int ns_flag)
{
    if (ns_flag == CLONE_NEWUSER)
        return 0;
    return ns_flag == CLONE_NEWNS ? 2 : 1;
}

static int child_join_enter(const struct svc_conf *c, const int *fds, struct step *st)
{
    for (int pass = 0; pass < 3; pass++) {
        int i = 0;
        LIST_FOR(struct join_item, j, &c->joins) {
            if (i == SPAWN_MAX_JOINS)
                break;
            if (fds[i] >= 0 && join_pass(j->ns_flag) == pass &&
                !(pass == 0 && join_is_own_userns(fds[i]))) {
                STEP_NAME(st, "join %s:%s", j->kind, join_name(j));
                if (setns(fds[i], j->ns_flag) < 0)
                    return -1;
                /* Our host ids are unmapped there (nobody, and no
                 * capabilities after exec): be its root, as in a new one. */
                if (pass == 0 && idmap_become_root(st) < 0)
                    return -1;
            }
            i++;
        }
    }
    return 0;
}

/* join = KIND:SERVICE or KIND:/path. */
static int child_join(const struct svc_conf *c, const pid_t *targets, struct step *st)
{
    int fds[SPAWN_MAX_JOINS], rc, err;

    for (int i = 0; i < SPAWN_MAX_JOINS; i++)
        fds[i] = -1;
    rc = child_join_open(c, targets, fds, st);
    if (rc == 0)
        rc = child_join_enter(c, fds, st);
    err = errno;
    for (int i = 0; i < SPAWN_MAX_JOINS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    errno = err;
    return rc;
}

static int child_env(const struct svc_conf *c, const char *notify, struct step *st)
{
    STEP_NAME(st, "environment");
    if (spawn_clean_env && (env_clear() || env_put("PATH=/usr/sbin:/usr/bin:/sbin:/bin")))
        return -1;
    if (*notify && env_set("NOTIFY_SOCKET", notify))
        return -1;
    LIST_FOR(struct str_item, e, &c->env)
        if (env_put(e->s))
            return -1;
    return 0;
}

/* ready = fd:N: the pipe's end becomes fd N, the one fd the service
 * gets beyond 0-2; the report pipe moves out of its way first. */
static int child_ready_fd(const struct svc_conf *c, int fd, int *report, struct step *st)
{
    STEP_NAME(st, "ready fd:%d", c->ready_fd);
    if (*report == c->ready_fd && (*report = fcntl(*report, F_DUPFD_CLOEXEC, 3)) < 0)
        return -1;
    if (fd == c->ready_fd)
        return fcntl(fd, F_SETFD, 0);
    return dup2(fd, c->ready_fd) < 0 ? -1 : 0;
}

static void child_main(struct service *s, const struct svc_conf *c, const pid_t *targets,
                       int report, int go, int ready) __attribute__((noreturn));

static void child_main(struct service *s, const struct svc_conf *c, const pid_t *targets,
                       int report, int go, int ready)
{
    struct step st = {"start", false};
    char notify[112];
    ssize_t got;
    int null;

    sig_reset_in_child();
    setsid(); /* a session and process group of its own, no terminal */
    /* Wait until PID 1 has written our id maps and moved our veth in: it
     * closes go then, or, as its last step, writes the notify socket's
     * name into it (one write, smaller than PIPE_BUF: read whole). No
     * handler is set, so no signal interrupts the read. */
    got = read(go, notify, sizeof(notify) - 1);
    notify[got > 0 ? got : 0] = '\0';
    STEP_NAME(&st, "stdio");
    if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || dup2(null, 0) < 0 ||
        dup2(s->log_w, 1) < 0 || dup2(s->log_w, 2) < 0)
        child_report(report, &st, errno);
    if (child_join(c, targets, &st) < 0)
        child_report(report, &st, errno);
    if ((c->ns_flags & CLONE_NEWUSER) && idmap_enter(c, &st) < 0)
        child_report(report, &st, errno);
    if ((c->ns_flags & CLONE_NEWTIME) && timens_setup(c, &st) < 0)
        child_report(report, &st, errno);
    if (c->hostname) {
        STEP_NAME(&st, "sethostname %s", c->hostname);
        if (sethostname(c->hostname, strlen(c->hostname)) < 0)
            child_report(report, &st, errno);
    }
    if ((c->ns_flags & CLONE_NEWNS) && mounts_setup(c, &st) < 0)
        child_report(report, &st, errno);
    if ((c->ns_flags & CLONE_NEWNET) && net_setup_child(c, &st) < 0)
        child_report(report, &st, errno);
    /* The order caps.h explains: capabilities must survive the uid change. */
    if (rlimits_apply(c, &st) < 0 || caps_prepare(c, &st) < 0 ||
        caps_no_new_privs(c, &st) < 0 || creds_apply(c, &st) < 0 || caps_finish(c, &st) < 0)
        child_report(report, &st, errno);
    STEP_NAME(&st, "workdir %s", c->workdir ? c->workdir : "/");
    if (chdir(c->workdir ? c->workdir : "/") < 0)
        child_report(report, &st, errno);
    if (child_env(c, notify, &st) < 0 || (ready >= 0 && child_ready_fd(c, ready, &report, &st) < 0))
        child_report(report, &st, errno);
    if (c->init) {
        pid_t cmd;

        STEP_NAME(&st, "init: fork");
        if ((cmd = svcinit_fork()) < 0)
            child_report(report, &st, errno);
        if (cmd > 0) {
            /* The report pipe closes once the command's exec has. */
            close(report);
            svcinit_run(cmd, ready >= 0 ? c->ready_fd : -1);
        }
    }
    execvp(c->argv[0], c->argv);
    int err = errno;
    STEP_NAME(&st, "exec %s: %s", c->argv[0], file_exec_error(c->argv[0], err));
    st.says_why = true;
    child_report(report, &st, err);
}

/* clone3 puts the child straight into its cgroup and namespaces; clone(2)
 * where clone3 is missing (before 5.3). CLONE_NEWTIME is never passed: the
 * offsets must be written before any task is inside (timens.c). */
static pid_t clone_service(int flags, int cgroup_fd, bool *in_cgroup)
{
    struct clone_args args;
    pid_t pid;

    memset(&args, 0, sizeof(args));
    args.flags = (uint64_t)(unsigned)flags;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    *in_cgroup = pid >= 0 && cgroup_fd >= 0;
    if (pid < 0 && cgroup_fd >= 0 && errno != ENOSYS) {
        /* Before 5.7 there is no CLONE_INTO_CGROUP: the parent moves the
         * child in while it waits to be released. */
        args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    }
    if (pid < 0 && errno == ENOSYS)
        pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
    return pid;
}

static int fail(struct service *s, const struct step *st)
{
    if (st->says_why)
        fmt(s->reason, sizeof(s->reason), "%s", st->what);
    else
        fmt(s->reason, sizeof(s->reason), "%s: %s", st->what, strerror(errno));
    return -1;
}

/* The service's cgroup, when cgroup v2 is there; a failure is logged and
 * the service runs without one rather than not at all. */
static int cgroup_prepare(struct service *s, const struct svc_conf *c)
{
    struct step st;
    char warning[160];
    int fd = -1;

    if (cgroup_limits_warning(c, warning, sizeof(warning)))
        log_error("%s", warning);
    if (cgroup_usable() && (fd = cgroup_service_create(s->name, c, &st)) < 0)
        log_error("%s: %s: %s", s->name, st.what, strerror(errno));
    return fd;
}

/* The pids of the running services this one joins, in join order. */
static int join_targets(const struct svc_conf *c, pid_t *targets, struct step *st)
{
    int i = 0;

    LIST_FOR(struct join_item, j, &c->joins) {
        targets[i] = 0;
        if (j->service && (targets[i] = supervisor_pid_of(j->service)) <= 0) {
            STEP_NAME(st, "join %s:%s", j->kind, j->service);
            errno = ESRCH;
            return -1;
        }
        if (++i == SPAWN_MAX_JOINS)
            break;
    }
    return 0;
}

/* join = pid:X cannot be done by the child (setns of a pid namespace only
 * affects later children): PID 1 enters X's namespace for its children
 * around the clone, then returns to its own. */
static int pid_join_enter(const struct svc_conf *c, const pid_t *targets, int *own,
                          struct step *st)
{
    int i = 0;

    *own = -1;
    LIST_FOR(struct join_item, j, &c->joins) {
        int fd;

        if (j->ns_flag != CLONE_NEWPID) {
            i++;
            continue;
        }
        STEP_NAME(st, "join pid:%s", join_name(j));
        if ((*own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
            return -1;
        if ((fd = join_open(j, targets[i])) < 0)
            return -1;
        if (setns(fd, CLONE_NEWPID) < 0) {
            close(fd);
            return -1;
        }
        close(fd);
        return 0;
    }
    return 0;
}

static void pid_join_leave(int own)
{
    if (own < 0)
        return;
    if (setns(own, CLONE_NEWPID) < 0)
        log_error("returning to our own pid namespace: %s", strerror(errno));
    close(own);
}

/* The network namespace a notify socket must be in for the service to
 * reach it: its new one, the one it joins, or ours (-2). */
static int notify_netns(const struct svc_conf *c, pid_t pid, const pid_t *targets)
{
    char path[40];
    int i = 0;

    if (c->ns_flags & CLONE_NEWNET) {
        fmt(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
        return open(path, O_RDONLY | O_CLOEXEC);
    }
    LIST_FOR(struct join_item, j, &c->joins) {
        if (i == SPAWN_MAX_JOINS)
            break;
        if (j->ns_flag == CLONE_NEWNET)
            return join_open(j, targets[i]);
        i++;
    }
    return -2;
}

/* notify: the socket, and its name sent down the go pipe. */
static int notify_prepare(struct service *s, const struct svc_conf *c, pid_t pid,
                          const pid_t *targets, int go, struct step *st)
{
    char addr[108];
    int ns, rc;

    STEP_NAME(st, "notify socket");
    if ((ns = notify_netns(c, pid, targets)) == -1)
        return -1;
    rc = ready_socket(s, ns, addr, sizeof(addr));
    if (ns >= 0)
        close(ns);
    if (rc < 0)
        return -1;
    return write(go, addr, strlen(addr)) < 0 ? -1 : 0;
}

pid_t spawn_service(struct service *s, const struct svc_conf *c)
{
    struct step st = {"start", false};
    pid_t targets[SPAWN_MAX_JOINS], pid;
    bool in_cgroup = false;
    int report[2], go[2], own_pidns = -1, cgroup_fd = -1, ready = -1;

    s->reason[0] = '\0';
    if (join_targets(c, targets, &st) < 0)
        return fail(s, &st);
    STEP_NAME(&st, "output pipe");
    if (output_open(s) < 0)
        return fail(s, &st);
    STEP_NAME(&st, "ready pipe");
    if (c->ready == READY_FD && (ready = ready_pipe(s)) < 0)
        return fail(s, &st);
    STEP_NAME(&st, "launch pipes");
    if (pipe2(report, O_CLOEXEC) < 0) {
        fail(s, &st);
        goto no_pipes;
    }
    if (pipe2(go, O_CLOEXEC) < 0) {
        fail(s, &st);
        close(report[0]), close(report[1]);
        goto no_pipes;
    }
    cgroup_fd = cgroup_prepare(s, c);
    if (pid_join_enter(c, targets, &own_pidns, &st) < 0) {
        fail(s, &st);
        pid = -1;
    } else {
        STEP_NAME(&st, "clone");
        pid = clone_service(c->ns_flags & ~CLONE_NEWTIME, cgroup_fd, &in_cgroup);
        if (pid < 0)
            fail(s, &st);
    }
    if (pid == 0) {
        close(report[0]);
        close(go[1]); /* else our own read of go never sees its end */
        child_main(s, c, targets, report[1], go[0], ready);
    }
    if (ready >= 0)
        close(ready);
    pid_join_leave(own_pidns);
    if (pid > 0 && cgroup_fd >= 0 && !in_cgroup && cgroup_service_attach(s->name, pid) < 0)
        log_error("%s: cgroup: %s", s->name, strerror(errno));
    if (cgroup_fd >= 0)
        close(cgroup_fd);
    close(report[1]);
    close(go[0]);
    if (pid > 0 && (((c->ns_flags & CLONE_NEWUSER) && idmap_write(pid, c, &st) < 0) ||
                    (c->has_net && net_setup_parent(c, pid, &st) < 0) ||
                    (c->ready == READY_NOTIFY && notify_prepare(s, c, pid, targets, go[1], &st) < 0))) {
        /* Its exit is reaped and counted as a failure with this reason;
         * without a report pipe it never counts as started. */
        fail(s, &st);
        kill(pid, SIGKILL);
        close(report[0]);
        report[0] = -1;
    }
    close(go[1]); /* releases the child */
    if (pid < 0) {
        close(report[0]);
        goto no_pid;
    }
    if (report[0] >= 0)
        fcntl(report[0], F_SETFL, O_NONBLOCK);
    s->report_fd = report[0];
    return pid;
no_pipes:
    if (ready >= 0)
        close(ready);
no_pid:
    ready_close(s);
    return -1;
}

int spawn_read_report(struct service *s)
{
    struct report r;
    ssize_t n = read(s->report_fd, &r, sizeof(r));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 1;
    close(s->report_fd);
    s->report_fd = -1;
    if (n == (ssize_t)sizeof(r)) {
        r.what[sizeof(r.what) - 1] = '\0';
        if (r.says_why)
            fmt(s->reason, sizeof(s->reason), "%s", r.what);
        else
            fmt(s->reason, sizeof(s->reason), "%s: %s", r.what, strerror(r.err));
        return -1;
    }
    return 0;
}
