/* /etc/passwd and /etc/group without NSS: a static binary has none, so
 * user = and group = are resolved by reading the files ourselves. The line
 * and buffer parsers are pure (unit-tested); the file readers stream. */
#ifndef NSINIT_PASSWD_H
#define NSINIT_PASSWD_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PW_NAME_MAX 64    /* a longer user or group name: the line is skipped */
#define PW_HOME_MAX 256   /* a longer home: the line is skipped */
#define PW_LINE_MAX 8192  /* a line this long or longer is skipped whole */
#define PW_GROUPS_MAX 256 /* supplementary groups of one user, primary included */

struct pw_user {
    uid_t uid;
    gid_t gid; /* primary group */
    char name[PW_NAME_MAX];
    char home[PW_HOME_MAX];
};

struct pw_group {
    gid_t gid;
    char name[PW_NAME_MAX];
    const char *members; /* points into the line: "a,b,c" (not NUL-ended) */
    size_t members_len;
};

/* One line, without its '\n'. 0, or -1 when it is a comment, empty,
 * malformed or too long for the fields above. */
int passwd_parse_user_line(const char *line, size_t len, struct pw_user *u);
int passwd_parse_group_line(const char *line, size_t len, struct pw_group *g);
/* Whether the comma-separated member list names user exactly. */
bool passwd_members_include(const char *members, size_t len, const char *user);
/* A user or group id as written in the files or the config: decimal,
 * 0..4294967294 ((uid_t)-1 means "unchanged" to the kernel). */
int passwd_parse_id(const char *s, size_t len, unsigned *id);

/* Lookups over a whole buffer (file contents) or a file. key is a name or
 * a number: a name matches first; else a numeric key matches the first
 * entry with that id. Return 0 found, 1 not found, -1 error (errno: the
 * file could not be read, or E2BIG: more than max groups). */
int passwd_find_user(const char *buf, size_t len, const char *key, struct pw_user *u);
int passwd_find_group(const char *buf, size_t len, const char *key, gid_t *gid);
int passwd_lookup_user(const char *path, const char *key, struct pw_user *u);
int passwd_lookup_group(const char *path, const char *key, gid_t *gid);

/* The groups of user as initgroups(3) makes them: primary first, then
 * every group whose member list names user, each once. Returns the count
 * (>= 1), or -1 (E2BIG when more than max; errno of the file). */
int passwd_user_groups(const char *buf, size_t len, const char *user, gid_t primary,
                       gid_t *groups, int max);
int passwd_lookup_user_groups(const char *path, const char *user, gid_t primary,
                              gid_t *groups, int max);

#endif
