/* The floor an init is measured against: fork the command, reap every
 * child until the command itself has exited, exit with its status. No
 * signal handling, no forwarding: what is left of PID 1's job when
 * everything an init adds is taken away. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    pid_t cmd, p;
    int st;

    if (argc < 2) {
        fprintf(stderr, "usage: reaper CMD [ARG...]\n");
        return 2;
    }
    cmd = fork();
    if (cmd < 0) {
        perror("reaper: fork");
        return 1;
    }
    if (cmd == 0) {
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    for (;;) {
        p = wait(&st);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            perror("reaper: wait");
            return 1;
        }
        if (p == cmd)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
}
