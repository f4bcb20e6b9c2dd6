/* What happens to PID 1's signals and children, in every mode, and the
 * one shutdown sequence: stop services (reverse order), then, when asked
 * for, SIGTERM everything left and SIGKILL it after a grace period, then
 * the end (exit, or reboot(2) in boot mode). */
#include "runtime.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "container.h"
#include "log.h"
#include "loop.h"
#include "options.h"
#include "proc.h"
#include "sig.h"
#include "signame.h"
#include "supervisor.h"

struct runtime rt;

enum phase { RUNNING, STOPPING, SWEEP_TERM, SWEEP_KILL };
static enum phase phase = RUNNING;
static struct timer sweep_timer;
static bool have_supervisor;

static void finish(void) __attribute__((noreturn));

static void finish(void)
{
    supervisor_cleanup();
    if (rt.mode == MODE_BOOT)
        boot_end(rt.ending); /* returns only where reboot(2) is refused */
    if (rt.mode == MODE_CONTAINER)
        container_end();
    exit(rt.exit_status);
}

static void forward(int sig)
{
    char name[12];

    if (!rt.cmd_pid || !sig)
        return;
    /* -g: right after the fork the command has not made its group yet
     * (ESRCH); it alone is all there is to signal then. */
    if ((rt.cmd_group && kill(-rt.cmd_pid, sig) == 0) || kill(rt.cmd_pid, sig) == 0)
        log_info("forwarded %s to %d", sig_name(sig, name), (int)rt.cmd_pid);
}

static void command_exited(int wstatus)
{
    rt.cmd_pid = 0;
    rt.exit_status = status_from_wait(wstatus);
    if (rt.opts)
        rt.exit_status = status_map(rt.opts, rt.exit_status);
    log_info("command exited, status %d", rt.exit_status);
    if (!have_supervisor && !rt.sweep)
        finish();
    runtime_shutdown(END_EXIT, rt.exit_status);
}

static void no_children_left(void)
{
    if (phase == SWEEP_TERM || phase == SWEEP_KILL)
        finish();
}

static void reap(void)
{
    for (;;) {
        int wstatus;
        pid_t pid = waitpid(-1, &wstatus, WNOHANG);

        if (pid > 0) {
            if (pid == rt.cmd_pid)
                command_exited(wstatus);
            else if (!supervisor_on_exit(pid, wstatus))
                log_info("reaped %d", (int)pid);
            continue;
        }
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0 && errno == ECHILD)
            no_children_left();
        return;
    }
}

/* Supervisor and boot mode: the signals that end or reload the system. */
static void system_signal(int sig)
{
    if (sig == SIGHUP) {
        supervisor_reload(NULL);
        return;
    }
    if (rt.mode == MODE_SUPERVISOR) {
        if (sig == SIGTERM || sig == SIGINT)
            runtime_shutdown(END_EXIT, 0);
        return;
    }
    switch (sig) {
    case SIGUSR2: runtime_shutdown(END_POWEROFF, 0); break;
    case SIGTERM: runtime_shutdown(END_REBOOT, 0); break;
    case SIGUSR1: runtime_shutdown(END_HALT, 0); break;
    case SIGINT: runtime_shutdown(END_REBOOT, 0); break; /* Ctrl-Alt-Del */
    }
}

static void on_signalfd(int fd, short revents, void *ctx)
{
    struct signalfd_siginfo si;

    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        int sig = (int)si.ssi_signo;

        if (sig == SIGCHLD) {
            reap();
            continue;
        }
        /* A SIGPIPE our own write raised is ours, not the command's. */
        if (si.ssi_code == SI_USER && (pid_t)si.ssi_pid == rt.self && sig == SIGPIPE)
            continue;
        if (rt.mode == MODE_CONTAINER)
            forward(container_signal(sig, si.ssi_code));
        else
            system_signal(sig);
    }
}

static void sweep_fire(struct timer *t)
{
    if (phase == SWEEP_TERM) {
        phase = SWEEP_KILL;
        log_info("grace period over: SIGKILL to what is left");
        proc_signal_descendants(SIGKILL);
        /* A process stuck in the kernel cannot stop the ending forever. */
        timer_arm(t, now_ms() + 5000);
    } else {
        log_error("processes left after SIGKILL; ending anyway");
        finish();
    }
}

void runtime_services_stopped(void)
{
    if (!rt.sweep)
        finish();
    phase = SWEEP_TERM;
    sweep_timer.fire = sweep_fire;
    if (proc_signal_descendants(SIGTERM) > 0) {
        proc_signal_descendants(SIGCONT);
        timer_arm(&sweep_timer, now_ms() + rt.sweep_ms);
    }
    reap();
    if (phase == SWEEP_TERM && !sweep_timer.armed)
        finish(); /* nothing was left to signal */
}

void runtime_shutdown(enum ending how, int status)
{
    if (how > rt.ending)
        rt.ending = how;
    if (rt.shutting_down)
        return;
    rt.shutting_down = true;
    rt.exit_status = status;
    phase = STOPPING;
    if (have_supervisor)
        supervisor_stop_all(); /* calls runtime_services_stopped() */
    else
        runtime_services_stopped();
}

int runtime_init(enum mode mode)
{
    int fd;

    rt.mode = mode;
    rt.self = getpid();
    rt.pid1 = rt.self == 1;
    if ((fd = sig_setup()) < 0)
        return -1;
    return loop_watch(fd, POLLIN, on_signalfd, NULL);
}

void runtime_attach_supervisor(void)
{
    have_supervisor = true;
}

void runtime_run(void)
{
    for (;;)
        loop_once();
}
