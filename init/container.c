/* Runs the command as our child with everything it would have had without
 * us (argv, cwd, environment, signal mask and ignored signals, fds 0-2 and
 * those passed on purpose), forwards signals to it, reaps everything, and
 * exits with its status. */
#include "container.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "env.h"
#include "fds.h"
#include "file.h"
#include "fmt.h"
#include "log.h"
#include "options.h"
#include "runtime.h"
#include "sig.h"
#include "supervisor.h"

/* Set when nsinit led the terminal's session and let go of the terminal
 * for the command's own session to take. */
static bool tty_let_go;

/* nsinit leads the terminal's session (PID 1 of a container with a tty,
 * `docker run -t`): it lets go of the terminal, so that the command's new
 * session may take it. Taking a terminal another session still holds
 * needs CAP_SYS_ADMIN, which container runtimes do not grant. Letting go
 * sends SIGHUP and SIGCONT to our foreground group, that is to nsinit:
 * both are blocked, and taken back here so that they are not forwarded. */
static void terminal_let_go(void)
{
    static const struct timespec now = {0, 0};
    sigset_t hup;

    if (tcgetsid(0) != getpid() || ioctl(0, TIOCNOTTY) < 0)
        return;
    tty_let_go = true;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    sigaddset(&hup, SIGCONT);
    while (sigtimedwait(&hup, NULL, &now) > 0)
        ;
}

/* -g: the command gets a process group (and, when it can, a session) of its
 * own, and the terminal as its foreground job when there is one. Runs in
 * the child while every signal is still blocked, so tcsetpgrp cannot stop
 * it with SIGTTOU. */
static void child_own_group(void)
{
    pid_t sid = getsid(0);

    if (tty_let_go) {
        /* The terminal nsinit let go of: free for our new session. */
        setsid();
        ioctl(0, TIOCSCTTY, 0);
        return;
    }
    if (tcgetsid(0) < 0 || tcgetsid(0) != sid) {
        setsid(); /* no terminal of ours: a session of its own */
        return;
    }
    if (sid == getppid()) {
        /* nsinit leads the session but could not let go: take the
         * terminal anyway (needs CAP_SYS_ADMIN; without it the command
         * still runs, and nsinit, in the foreground, forwards ^C). */
        setsid();
        ioctl(0, TIOCSCTTY, 1);
        return;
    }
    /* A shell's job: stay in its session in a group of its own, and be
     * the foreground group only if nsinit was: a background job must not
     * take the terminal from the shell. */
    bool foreground = tcgetpgrp(0) == getpgrp();
    setpgid(0, 0);
    if (foreground)
        tcsetpgrp(0, getpid());
}

/* -g in a shell's foreground job: when nsinit ends, the terminal goes back
 * to nsinit's group, as a shell takes it back from a finished job; else
 * the shell that started nsinit is left in the background. */
static pid_t tty_owner, tty_cmd;

void container_end(void)
{
    if (tty_cmd && tcgetpgrp(0) == tty_cmd)
        tcsetpgrp(0, tty_owner); /* every signal is blocked: no SIGTTOU */
}

/* Before the fork: the same test child_own_group makes. */
static void terminal_note_owner(void)
{
    pid_t sid = getsid(0), pgrp = getpgrp();

    if (tcgetsid(0) < 0 || tcgetsid(0) != sid || sid == getpid() || pgrp <= 0 ||
        tcgetpgrp(0) != pgrp)
        return;
    tty_owner = pgrp;
}

int container_signal(int sig, int code)
{
    /* The terminal signals its foreground group itself (^C, ^\, ^Z, a
     * resize, the SIGHUP of a session leader's exit: SI_KERNEL): a command
     * in nsinit's group has its own copy, a second would be one too many
     * (celery, gunicorn: a second ^C means "quit now"). A hangup reaches
     * the session's leader alone: when that is nsinit, it passes it on. */
    if (code == SI_KERNEL && !((sig == SIGHUP || sig == SIGCONT) && getsid(0) == rt.self) &&
        getpgid(rt.cmd_pid) == getpgrp())
        return 0;
    return rt.opts->rewrite[sig];
}

static void child_exec(const struct options *o, int keep, bool activation)
{
    char pid[16];
    int err;

    if (o->group)
        child_own_group();
    fds_pass_kept(keep);
    if (activation) {
        fmt(pid, sizeof(pid), "%d", (int)getpid());
        env_set("LISTEN_PID", pid);
    }
    sig_restore_in_child();
    execvp(o->cmd[0], o->cmd);
    err = errno;
    log_error("exec %s: %s", o->cmd[0], file_exec_error(o->cmd[0], err));
    _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

static int start_services(const struct options *o)
{
    struct diag d;
    struct config *c;

    diag_to_stderr(&d);
    if (!(c = config_load(o->config, &d)))
        return -1;
    runtime_attach_supervisor();
    return supervisor_start(c);
}

int container_main(const struct options *o)
{
    bool activation;
    int keep = fds_kept(o->preserve_fds, getenv("LISTEN_FDS"), getenv("LISTEN_PID"),
                        getpid(), &activation);
    pid_t pid;

    fds_sanitize(keep);
    rt.opts = o;
    rt.cmd_group = o->group;
    rt.sweep = o->wait;
    rt.sweep_ms = o->wait_ms;
    if (runtime_init(MODE_CONTAINER) < 0) {
        log_error("signal set-up: %s", strerror(errno));
        return 1;
    }
    if (!rt.pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        log_error("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
    if (o->pdeathsig && prctl(PR_SET_PDEATHSIG, o->pdeathsig) < 0)
        log_error("PR_SET_PDEATHSIG: %s", strerror(errno));
    if (o->config && start_services(o) < 0)
        return 1;
    if (o->group) {
        terminal_note_owner();
        terminal_let_go();
    }
    if ((pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        return 1;
    }
    if (pid == 0)
        child_exec(o, keep, activation);
    rt.cmd_pid = pid;
    if (tty_owner)
        tty_cmd = pid;
    log_info("started %s as pid %d", o->cmd[0], (int)pid);
    /* Hold no directory busy; the command kept the cwd it was given. */
    if (chdir("/") < 0)
        log_info("chdir /: %s", strerror(errno));
    runtime_run();
}
