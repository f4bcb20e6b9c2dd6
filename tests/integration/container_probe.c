/* A test command for tests/integration/container.sh: it reports what the
 * kernel says about the process nsinit started (signals received, ids,
 * fds), or sets up a signal mask and ignored set and execs nsinit.
 *   probe catch FILE        record every signal as "N" lines in FILE, never die
 *   probe dieterm FILE      the same, but exit 0 on SIGTERM
 *   probe ids               "pid pgid sid tpgid" (tpgid of fd 0, -1 without tty)
 *   probe fds               "fd target" for every open fd, then LISTEN_PID, pid
 *   probe exec BLK IGN CMD..  block BLK, ignore IGN (comma lists of numbers or
 *                           "-"), everything else default, then exec CMD
 *   probe startkill N CMD.. N times: start CMD (an nsinit), SIGTERM it the
 *                           moment it has a child, expect it to end with 143 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int out_fd = -1;

static void record(int sig)
{
    char line[8];
    int n = snprintf(line, sizeof(line), "%d\n", sig);

    write(out_fd, line, (size_t)n);
}

static void record_and_exit(int sig)
{
    record(sig);
    if (sig == SIGTERM)
        _exit(0);
}

/* Handlers for every signal a process can catch; then "ready" appears
 * beside FILE with our pid, so a test knows when to start sending. */
static int catch_all(const char *file, void (*fn)(int))
{
    struct sigaction sa;
    char ready[4096], pid[16];
    int fd;
    sigset_t none;

    if ((out_fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
        return perror(file), 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = SA_RESTART;
    /* One handler at a time: signals pending together are recorded in
     * the kernel's order (lowest first), so a test can send a marker
     * behind others and know that they were all recorded before it. */
    sigfillset(&sa.sa_mask);
    for (int sig = 1; sig <= SIGRTMAX; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && (sig < 32 || sig >= SIGRTMIN))
            sigaction(sig, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    snprintf(ready, sizeof(ready), "%s.ready", file);
    snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    if ((fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
        return perror(ready), 1;
    write(fd, pid, strlen(pid));
    close(fd);
    for (;;)
        pause();
}

static int ids(void)
{
    printf("%d %d %d %d\n", (int)getpid(), (int)getpgrp(), (int)getsid(0),
           (int)tcgetpgrp(0));
    return 0;
}

static int fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    char path[300], target[4096];
    const char *lp = getenv("LISTEN_PID");

    if (!d)
        return perror("/proc/self/fd"), 1;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        ssize_t n;
        if (e->d_name[0] == '.' || fd == dirfd(d))
            continue;
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
            continue;
        target[n] = '\0';
        printf("%d %s\n", fd, target);
    }
    closedir(d);
    printf("LISTEN_PID=%s\npid=%d\n", lp ? lp : "", (int)getpid());
    return 0;
}

static void add_list(sigset_t *set, const char *list)
{
    char copy[256], *tok, *save;

    sigemptyset(set);
    if (!strcmp(list, "-"))
        return;
    snprintf(copy, sizeof(copy), "%s", list);
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        sigaddset(set, atoi(tok));
}

static int exec_with(const char *blk, const char *ign, char **cmd)
{
    sigset_t block, ignore;
    struct sigaction dfl, sa_ign;

    add_list(&block, blk);
    add_list(&ignore, ign);
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    memset(&sa_ign, 0, sizeof(sa_ign));
    sa_ign.sa_handler = SIG_IGN;
    for (int sig = 1; sig <= SIGRTMAX; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && (sig < 32 || sig >= SIGRTMIN))
            sigaction(sig, sigismember(&ignore, sig) ? &sa_ign : &dfl, NULL);
    sigprocmask(SIG_SETMASK, &block, NULL);
    execvp(cmd[0], cmd);
    perror(cmd[0]);
    return 127;
}

/* Waits up to 2 s for pid; its wait status, or -1 when it did not end. */
static int wait_briefly(pid_t pid)
{
    struct timespec tick = {0, 1000000};
    int status;

    for (int i = 0; i < 2000; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        nanosleep(&tick, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* A signal sent the moment nsinit has forked its command (before the
 * command has settled in its own group) must still reach the command. */
static int start_and_kill(int n, char **cmd)
{
    char path[64], buf[64];

    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        int status, fd;
        ssize_t got = 0;

        if (pid < 0)
            return perror("fork"), 1;
        if (pid == 0) {
            execvp(cmd[0], cmd);
            _exit(127);
        }
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
        while (got <= 0) {
            if ((fd = open(path, O_RDONLY)) < 0)
                return perror(path), 1;
            got = read(fd, buf, sizeof(buf));
            close(fd);
        }
        kill(pid, SIGTERM);
        status = wait_briefly(pid);
        if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 143) {
            printf("round %d: SIGTERM at start lost (status %d)\n", i, status);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "catch"))
        return catch_all(argv[2], record);
    if (argc == 3 && !strcmp(argv[1], "dieterm"))
        return catch_all(argv[2], record_and_exit);
    if (argc == 2 && !strcmp(argv[1], "ids"))
        return ids();
    if (argc == 2 && !strcmp(argv[1], "fds"))
        return fds();
    if (argc >= 4 && !strcmp(argv[1], "startkill"))
        return start_and_kill(atoi(argv[2]), argv + 3);
    if (argc >= 5 && !strcmp(argv[1], "exec"))
        return exec_with(argv[2], argv[3], argv + 4);
    fprintf(stderr,
            "usage: probe catch|dieterm FILE | ids | fds | exec BLK IGN CMD...\n");
    return 2;
}
