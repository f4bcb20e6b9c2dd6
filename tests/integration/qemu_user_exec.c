/* $NSINIT of the cross runs (tests/run builds it with EMU and BIN):
 * runs BIN under the qemu-user emulator EMU with the arguments given, and
 * changes nothing else. A shell script would not do: it adds PWD to the
 * environment and resets an ignored SIGCHLD before its exec. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char *args[argc + 2];

    args[0] = EMU;
    args[1] = BIN;
    for (int i = 1; i <= argc; i++)
        args[i + 1] = argv[i];
    execv(EMU, args);
    perror(EMU);
    return 127;
}
