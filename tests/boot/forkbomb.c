/* A real fork bomb for the machine tests (tests/boot/machine.sh): every
 * process forks for ever. A fork the cgroup's pids_max refuses waits 5 ms
 * and tries again, so the bomb stays at its limit without starving a
 * TCG guest of CPU. Built static with musl by the test, for the guest. */
#include <time.h>
#include <unistd.h>

int main(void)
{
    const struct timespec pause = {0, 5 * 1000 * 1000};

    for (;;)
        if (fork() < 0)
            nanosleep(&pause, NULL);
}
