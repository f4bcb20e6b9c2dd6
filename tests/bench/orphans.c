/* orphans N: makes N orphans for PID 1 to reap. Each of N children forks a
 * grandchild and exits at once; the grandchild exits too and, its parent
 * gone, is left to PID 1 as a zombie. orphans ends only once PID 1 has
 * reaped them all (nothing but PID 1 and itself left in /proc, which must be
 * the pid namespace's own), so the time measured around it includes PID 1's
 * share of the work. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Processes in /proc other than PID 1 and us; -1 on error. */
static int others(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    pid_t self = getpid();

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        long pid = atol(e->d_name);
        if (pid != 1 && pid != self)
            n++;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    long n = argc == 2 ? atol(argv[1]) : 0;
    struct timespec ms = {0, 1000000};
    int st, left;

    if (n <= 0) {
        fprintf(stderr, "usage: orphans N\n");
        return 2;
    }
    if (getpid() == 1) {
        fprintf(stderr, "orphans: must run under an init (not as PID 1)\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) {
            perror("orphans: fork");
            return 1;
        }
        if (c == 0) {
            if (fork() < 0)
                _exit(1);
            _exit(0); /* the grandchild ends here too, as an orphan */
        }
        while (waitpid(c, &st, 0) < 0) {
            if (errno != EINTR) {
                perror("orphans: waitpid");
                return 1;
            }
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "orphans: a child could not fork\n");
            return 1;
        }
    }
    /* Every grandchild has been forked; wait for PID 1 to reap the last. */
    while ((left = others()) > 0)
        nanosleep(&ms, NULL);
    if (left < 0) {
        perror("orphans: /proc");
        return 1;
    }
    return 0;
}
