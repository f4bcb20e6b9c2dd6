/* Load generator for tests/integration/stress.sh, in C so that the counts
 * the tests need (tens of thousands of forks, signals, connections) take
 * seconds, not minutes of shell. Modes:
 *   orphans N FILE     N grandchildren orphaned at once (each exits at
 *                      once); FILE is written after the last, then sleeps
 *   signals PID N      N signals to PID, cycling through several kinds
 *   catch FILE CODE    handles those signals; exits CODE once FILE exists
 *   clients SOCK N     N control connections: whole requests read to the
 *                      end, requests cut short, connections closed at once
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const int storm[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGCONT, SIGURG};
#define NSTORM (int)(sizeof(storm) / sizeof(storm[0]))

static int orphans(long n, const char *file)
{
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) {
            if (errno == EAGAIN) { /* the kernel catching up: retry */
                i--;
                usleep(1000);
                continue;
            }
            perror("fork");
            return 1;
        }
        if (p == 0) {
            if (fork() < 0)
                _exit(1);
            _exit(0); /* its child, if any, is now an orphan */
        }
        int st;
        if (waitpid(p, &st, 0) < 0)
            return perror("waitpid"), 1;
        if (!WIFEXITED(st) || WEXITSTATUS(st)) /* its fork failed: again */
            i--;
    }
    FILE *f = fopen(file, "w");
    if (!f || fclose(f))
        return perror(file), 1;
    pause();
    return 0;
}

static int signals(pid_t pid, long n)
{
    for (long i = 0; i < n; i++)
        if (kill(pid, storm[i % NSTORM]) < 0)
            return perror("kill"), 1;
    return 0;
}

static volatile sig_atomic_t got;
static void on_sig(int sig) { (void)sig; got++; }

static int catch_until(const char *file, int code)
{
    struct sigaction sa = {.sa_handler = on_sig};
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NSTORM; i++)
        sigaction(storm[i], &sa, NULL);
    while (access(file, F_OK) < 0)
        usleep(20000);
    return code;
}

static int connect_to(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror(path);
        exit(1);
    }
    return fd;
}

static int clients(const char *path, long n)
{
    char buf[65536];
    for (long i = 0; i < n; i++) {
        int fd = connect_to(path);
        ssize_t r;
        switch (i % 4) {
        case 0: /* a whole request, read to the end */
        case 1:
            if (write(fd, i % 4 ? "status\n" : "pid nosuch\n", i % 4 ? 7 : 11) < 0)
                return perror("write"), 1;
            while ((r = read(fd, buf, sizeof(buf))) > 0)
                ;
            if (r < 0 && errno != ECONNRESET)
                return perror("read"), 1;
            break;
        case 2: /* half a request, then gone */
            if (write(fd, "stat", 4) < 0)
                return perror("write"), 1;
            break;
        case 3: /* gone at once */
            break;
        }
        close(fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "orphans"))
        return orphans(atol(argv[2]), argv[3]);
    if (argc == 4 && !strcmp(argv[1], "signals"))
        return signals(atoi(argv[2]), atol(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "catch"))
        return catch_until(argv[2], atoi(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "clients"))
        return clients(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: see the top of stress_helper.c\n");
    return 2;
}
