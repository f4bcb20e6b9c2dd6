/* siglat N LABEL CMD... [:: LABEL CMD...]...: signal forwarding latency.
 * Each CMD (an init with its command, the command being `siglat --child`)
 * runs as PID 1 of a pid namespace of its own, its stdout a pipe back to
 * us. Then N rounds; in each, for every subject in turn: SIGUSR1 to its
 * PID 1, and the time until the command writes its byte on the pipe. The
 * subjects take turns sample by sample, so they share the machine's ups
 * and downs. Prints "LABEL us1,us2,..." per subject.
 *
 * siglat --child: blocks SIGUSR1, says it is ready, then writes one byte
 * for every SIGUSR1 it gets. As PID 1 itself (no init: the floor) it gets
 * the signal because it is blocked, not ignored. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SUBJECTS 16

struct subject {
    const char *label;
    char **argv;
    pid_t init;   /* the subject's PID 1, as we see it */
    pid_t holder; /* our child, the namespace's creator (unshare -f's role) */
    int fd;       /* read end of the command's stdout */
    double *us;
};

static int child(void)
{
    sigset_t set;
    int sig;

    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || write(1, "r", 1) != 1)
        return 1;
    for (;;) {
        sig = sigwaitinfo(&set, NULL);
        if (sig < 0 && errno == EINTR)
            continue;
        if (sig < 0 || write(1, "x", 1) != 1)
            return 1;
    }
}

static int read_byte(int fd)
{
    char c;
    ssize_t r;
    while ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
        ;
    return r == 1 ? c : -1;
}

/* holder: new pid namespace, fork its PID 1, tell our parent its pid. */
static void start(struct subject *s)
{
    int out[2], pidp[2];
    pid_t init;

    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(pidp, O_CLOEXEC) < 0) {
        perror("siglat: pipe");
        exit(1);
    }
    s->holder = fork();
    if (s->holder < 0) {
        perror("siglat: fork");
        exit(1);
    }
    if (s->holder == 0) {
        if (unshare(CLONE_NEWPID) < 0) {
            perror("siglat: unshare");
            _exit(1);
        }
        init = fork();
        if (init == 0) {
            if (dup2(out[1], 1) < 0)
                _exit(126);
            execvp(s->argv[0], s->argv);
            perror(s->argv[0]);
            _exit(127);
        }
        if (init < 0 || write(pidp[1], &init, sizeof(init)) != sizeof(init))
            _exit(1);
        close(out[1]);
        int st;
        while (waitpid(init, &st, 0) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(out[1]);
    close(pidp[1]);
    if (read(pidp[0], &s->init, sizeof(s->init)) != sizeof(s->init)) {
        fprintf(stderr, "siglat: %s: no PID 1\n", s->label);
        exit(1);
    }
    close(pidp[0]);
    s->fd = out[0];
    if (read_byte(s->fd) != 'r') {
        fprintf(stderr, "siglat: %s: the command did not start\n", s->label);
        exit(1);
    }
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    struct subject subj[MAX_SUBJECTS];
    int ns = 0;
    long n;

    if (argc == 2 && !strcmp(argv[1], "--child"))
        return child();
    if (argc < 4 || (n = atol(argv[1])) <= 0) {
        fprintf(stderr, "usage: siglat N LABEL CMD... [:: LABEL CMD...]...\n");
        return 2;
    }
    for (int i = 2; i < argc && ns < MAX_SUBJECTS; ns++) {
        subj[ns].label = argv[i++];
        subj[ns].argv = argv + i;
        while (i < argc && strcmp(argv[i], "::"))
            i++;
        if (i < argc)
            argv[i++] = NULL;
        if (!subj[ns].argv[0]) {
            fprintf(stderr, "siglat: %s: no command\n", subj[ns].label);
            return 2;
        }
        if (!(subj[ns].us = calloc(n, sizeof(double)))) {
            perror("siglat: calloc");
            return 1;
        }
    }
    for (int s = 0; s < ns; s++)
        start(&subj[s]);
    for (long k = 0; k < n; k++) {
        for (int s = 0; s < ns; s++) {
            double t0 = now_us();
            if (kill(subj[s].init, SIGUSR1) < 0 || read_byte(subj[s].fd) != 'x') {
                fprintf(stderr, "siglat: %s: no answer to signal %ld\n", subj[s].label, k);
                return 1;
            }
            subj[s].us[k] = now_us() - t0;
        }
    }
    for (int s = 0; s < ns; s++) {
        printf("%s ", subj[s].label);
        for (long k = 0; k < n; k++)
            printf("%s%.1f", k ? "," : "", subj[s].us[k]);
        printf("\n");
        kill(subj[s].init, SIGKILL);
        while (waitpid(subj[s].holder, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    return 0;
}
