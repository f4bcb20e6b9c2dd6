/* nsspawn N CMD [ARG...]: the floor for a namespaced spawn. N times, one
 * after the other: clone3 with new pid, mnt, uts, ipc and net namespaces;
 * the child makes its mounts private, mounts a fresh /proc and execs CMD;
 * the parent waits. Nothing else: the kernel's own cost of what a
 * launcher does. */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[1]) : 0;
    struct clone_args ca;
    int st;

    if (n <= 0) {
        fprintf(stderr, "usage: nsspawn N CMD [ARG...]\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        memset(&ca, 0, sizeof(ca));
        ca.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
        ca.exit_signal = SIGCHLD;
        long pid = syscall(SYS_clone3, &ca, sizeof(ca));
        if (pid < 0) {
            perror("nsspawn: clone3");
            return 1;
        }
        if (pid == 0) {
            if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                perror("nsspawn: mount");
                _exit(126);
            }
            execvp(argv[2], argv + 2);
            perror(argv[2]);
            _exit(127);
        }
        while (waitpid((pid_t)pid, &st, 0) < 0) {
            if (errno != EINTR) {
                perror("nsspawn: waitpid");
                return 1;
            }
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "nsspawn: run %ld failed (status %#x)\n", i, st);
            return 1;
        }
    }
    return 0;
}
