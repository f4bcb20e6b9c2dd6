/* cmdloop [-q] N CMD [ARG...]: runs CMD N times, one after the other, and
 * prints one line per run, "run WALL_US", then "total WALL_US CPU_US" (CPU:
 * user + system of every process the runs left to be waited for). -q sends
 * CMD's stdout and stderr to /dev/null. A run that fails ends cmdloop with
 * status 1: a benchmark must not time failures. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int run(char **argv, int quiet)
{
    pid_t pid = fork();
    int st;

    if (pid < 0) {
        perror("cmdloop: fork");
        return -1;
    }
    if (pid == 0) {
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
                _exit(126);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "cmdloop: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            perror("cmdloop: waitpid");
            return -1;
        }
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "cmdloop: %s: %s %d\n", argv[0],
                WIFEXITED(st) ? "exit status" : "killed by signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int quiet = 0, i = 1;
    long n;
    long long start, t, total = 0;
    struct rusage ru;

    if (argc > 1 && !strcmp(argv[1], "-q")) {
        quiet = 1;
        i++;
    }
    if (argc - i < 2 || (n = atol(argv[i])) <= 0) {
        fprintf(stderr, "usage: cmdloop [-q] N CMD [ARG...]\n");
        return 2;
    }
    for (long k = 0; k < n; k++) {
        start = now_us();
        if (run(argv + i + 1, quiet) < 0)
            return 1;
        t = now_us() - start;
        total += t;
        printf("run %lld\n", t);
    }
    if (getrusage(RUSAGE_CHILDREN, &ru) < 0) {
        perror("cmdloop: getrusage");
        return 1;
    }
    printf("total %lld %lld\n", total,
           (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
               ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    return 0;
}
