/* startstop N CMD [ARG...]: the floor for a supervisor's start and stop.
 * Forks N copies of CMD at once, counts each as started once its exec has
 * succeeded (its close-on-exec pipe closes), then sends every one SIGTERM
 * and reaps them all. What a supervisor must do for N independent
 * services (nsinit starts and stops those side by side too), without the
 * supervising. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[1]) : 0;
    pid_t *pids;
    int *fds, p[2], st;
    char c;
    ssize_t r;

    if (n <= 0 || !(pids = calloc(n, sizeof(*pids))) || !(fds = calloc(n, sizeof(*fds)))) {
        fprintf(stderr, "usage: startstop N CMD [ARG...]\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        if (pipe2(p, O_CLOEXEC) < 0 || (pids[i] = fork()) < 0) {
            perror("startstop: fork");
            return 1;
        }
        if (pids[i] == 0) {
            execvp(argv[2], argv + 2);
            if (write(p[1], "e", 1) < 0)
                _exit(126);
            _exit(127);
        }
        close(p[1]);
        fds[i] = p[0];
    }
    for (long i = 0; i < n; i++) {
        while ((r = read(fds[i], &c, 1)) < 0 && errno == EINTR)
            ;
        close(fds[i]);
        if (r != 0) {
            fprintf(stderr, "startstop: cannot exec %s\n", argv[2]);
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        if (kill(pids[i], SIGTERM) < 0) {
            perror("startstop: kill");
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        while (waitpid(pids[i], &st, 0) < 0) {
            if (errno != EINTR) {
                perror("startstop: waitpid");
                return 1;
            }
        }
    }
    return 0;
}
