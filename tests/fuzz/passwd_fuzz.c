/* libFuzzer target: the /etc/passwd and /etc/group reader (an image's
 * files, read by PID 1 for user = and group =). Input: the key, a newline,
 * then the file's bytes, in a buffer of exactly their size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size < 80 ? size : 80);
    char key[81];
    struct pw_user u;
    gid_t gid, groups[PW_GROUPS_MAX];
    unsigned id;

    if (!nl)
        return 0;
    memcpy(key, data, (size_t)(nl - data));
    key[nl - data] = '\0';
    size -= (size_t)(nl - data) + 1;
    char *file = malloc(size ? size : 1);
    memcpy(file, nl + 1, size);

    if (passwd_find_user(file, size, key, &u) == 0 &&
        (!memchr(u.name, '\0', sizeof(u.name)) || !memchr(u.home, '\0', sizeof(u.home))))
        abort();
    (void)passwd_find_group(file, size, key, &gid);
    int n = passwd_user_groups(file, size, key, 42, groups, PW_GROUPS_MAX);
    if (n == 0 || n > PW_GROUPS_MAX || (n > 0 && groups[0] != 42))
        abort(); /* the primary group comes first, always */
    if (passwd_parse_id(key, strlen(key), &id) == 0 && id == 4294967295u)
        abort(); /* (uid_t)-1 means "unchanged" to the kernel */
    (void)passwd_parse_user_line(file, size, &u);
    struct pw_group g;
    if (passwd_parse_group_line(file, size, &g) == 0 &&
        (g.members < file || g.members + g.members_len > file + size))
        abort();
    free(file);
    return 0;
}
