/* The last file system step before reboot(2): unmount every mount,
 * deepest first (the reverse of /proc/self/mountinfo's order, which is the
 * order they were mounted in), again while a pass frees something that held
 * another busy, and remount read-only what stays busy, / included: a clean
 * journal and nothing lost at power-off. */
#include "unmount.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

#include "file.h"

#define UNMOUNT_MAX 512
#define UNMOUNT_PASSES 4

/* mountinfo escapes blanks, tabs, newlines and '\' as \ooo: undo it. */
static void unescape(char *s)
{
    char *o = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

/* The mount points, in mountinfo order; how many. */
static int mount_points(char *buf, size_t size, char **mnt)
{
    int n = 0;

    if (file_read(AT_FDCWD, "/proc/self/mountinfo", buf, size) <= 0)
        return 0;
    for (char *line = buf; line && *line && n < UNMOUNT_MAX;) {
        char *next = strchr(line, '\n'), *f = line;
        if (next)
            *next++ = '\0';
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
        for (int i = 0; i < 4 && f; i++)
            if ((f = strchr(f, ' ')))
                f++;
        if (f) {
            char *end = strchr(f, ' ');
            if (end)
                *end = '\0';
            unescape(f);
            mnt[n++] = f;
        }
        line = next;
    }
    return n;
}

void unmount_all(void)
{
    static char buf[65536];
    static char *mnt[UNMOUNT_MAX];
    int n = mount_points(buf, sizeof(buf), mnt);
    bool freed = true;

    for (int pass = 0; pass < UNMOUNT_PASSES && freed; pass++) {
        freed = false;
        for (int i = n - 1; i >= 0; i--)
            if (mnt[i] && strcmp(mnt[i], "/") && umount2(mnt[i], 0) == 0) {
                mnt[i] = NULL;
                freed = true;
            }
    }
    for (int i = n - 1; i >= 0; i--)
        if (mnt[i])
            mount(NULL, mnt[i], NULL, MS_REMOUNT | MS_RDONLY, NULL);
}
