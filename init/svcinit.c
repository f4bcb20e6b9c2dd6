/* The init of a service's pid namespace. As PID 1 of that namespace it
 * gets only the signals it takes, so it blocks them all and takes each
 * with sigtimedwait: SIGCHLD reaps, every other one goes on to the
 * command, which may have no handler at all (a plain sleep stops on
 * SIGTERM). When the command ends, so does this init, and with it (the
 * kernel's rule) whatever else is left in the namespace. */
#include "svcinit.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "sig.h"

pid_t svcinit_fork(void)
{
    pid_t pid;

    sig_block_all();
    if ((pid = fork()) == 0)
        sig_reset_in_child();
    return pid;
}

void svcinit_run(pid_t cmd, int keep)
{
    uint64_t all = ~0ULL;
    siginfo_t si;

    if (keep >= 0)
        close(keep);
    for (;;) {
        int sig = (int)syscall(SYS_rt_sigtimedwait, &all, &si, NULL, sizeof(all)), ws;
        pid_t pid;

        if (sig < 0)
            continue; /* EINTR only: nothing else can fail here */
        if (sig != SIGCHLD) {
            kill(cmd, sig);
            continue;
        }
        while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
            if (pid == cmd)
                _exit(status_from_wait(ws));
    }
}
