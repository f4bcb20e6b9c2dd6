/* The kernel gives init the words after "--" as its arguments, but keeps
 * dotted words such as nsinit.shell for itself (they look like module
 * parameters): nsinit reads those from /proc/cmdline. */
#include "cmdline.h"

#include <fcntl.h>
#include <string.h>

#include "file.h"

bool cmdline_has(const char *word)
{
    char buf[4096];
    size_t n = strlen(word);

    if (file_read(AT_FDCWD, "/proc/cmdline", buf, sizeof(buf)) <= 0)
        return false;
    for (char *w = buf; *w;) {
        size_t len = strcspn(w, " \n");
        if (len == 2 && !strncmp(w, "--", 2))
            return false; /* the rest is init's command */
        if (len == n && !strncmp(w, word, n))
            return true;
        w += len;
        w += strspn(w, " \n");
    }
    return false;
}
