/* Switches a service's child to its user and group. Everything is resolved
 * before the first set*id call, so a failure leaves the child as it was;
 * the three ids (real, effective, saved) are always set together. */
#include "creds.h"
#include "env.h"
#include "passwd.h"
#include "sys.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CREDS_PASSWD "/etc/passwd"
#define CREDS_GROUP "/etc/group"

struct creds {
    struct pw_user user;
    gid_t gid;
    gid_t groups[PW_GROUPS_MAX];
    int ngroups;
};

static int creds_resolve_user(const char *key, struct pw_user *u, struct step *st)
{
    int r = passwd_lookup_user(CREDS_PASSWD, key, u);
    unsigned id;

    if (r == 0)
        return 0;
    if (passwd_parse_id(key, strlen(key), &id) == 0) {
        /* A bare number needs no entry: the image may have no passwd. */
        u->uid = id;
        u->gid = id;
        fmt(u->name, sizeof(u->name), "%u", id);
        fmt(u->home, sizeof(u->home), "/");
        return 0;
    }
    if (r < 0) {
        STEP_NAME(st, "user %s: %s", key, CREDS_PASSWD);
        return -1;
    }
    STEP_NAME(st, "user %s: no such user", key);
    st->says_why = true;
    errno = ENOENT;
    return -1;
}

static int creds_resolve_group(const char *key, gid_t *gid, struct step *st)
{
    int r = passwd_lookup_group(CREDS_GROUP, key, gid);
    unsigned id;

    if (r == 0)
        return 0;
    if (passwd_parse_id(key, strlen(key), &id) == 0) {
        *gid = id;
        return 0;
    }
    if (r < 0) {
        STEP_NAME(st, "group %s: %s", key, CREDS_GROUP);
        return -1;
    }
    STEP_NAME(st, "group %s: no such group", key);
    st->says_why = true;
    errno = ENOENT;
    return -1;
}

/* A missing /etc/group only means no supplementary groups. */
static int creds_resolve_groups(const char *user, struct creds *c, struct step *st)
{
    int n =
        passwd_lookup_user_groups(CREDS_GROUP, user, c->gid, c->groups, PW_GROUPS_MAX);

    if (n < 0 && errno == ENOENT) {
        c->groups[0] = c->gid;
        n = 1;
    }
    if (n < 0) {
        if (errno == E2BIG)
            STEP_NAME(st, "user %s: more than %d groups", user, PW_GROUPS_MAX);
        else
            STEP_NAME(st, "user %s: %s", user, CREDS_GROUP);
        return -1;
    }
    c->ngroups = n;
    return 0;
}

static int creds_resolve(const struct svc_conf *s, struct creds *c, struct step *st)
{
    if (s->user) {
        if (creds_resolve_user(s->user, &c->user, st) < 0)
            return -1;
        c->gid = c->user.gid;
    }
    if (s->group && creds_resolve_group(s->group, &c->gid, st) < 0)
        return -1;
    if (s->user)
        return creds_resolve_groups(c->user.name, c, st);
    c->groups[0] = c->gid;
    c->ngroups = 1;
    return 0;
}

static int creds_set_env(const struct pw_user *u, struct step *st)
{
    if (env_set("HOME", u->home[0] ? u->home : "/") < 0 ||
        env_set("USER", u->name) < 0) {
        STEP_NAME(st, "environment");
        return -1;
    }
    return 0;
}

int creds_apply(const struct svc_conf *s, struct step *st)
{
    struct creds c;

    if (!s->user && !s->group)
        return 0;
    if (creds_resolve(s, &c, st) < 0)
        return -1;
    if (sys_setgroups((size_t)c.ngroups, c.groups) < 0) {
        STEP_NAME(st, "setgroups");
        return -1;
    }
    if (sys_setresgid(c.gid, c.gid, c.gid) < 0) {
        STEP_NAME(st, "setresgid %u", (unsigned)c.gid);
        return -1;
    }
    if (!s->user)
        return 0;
    if (sys_setresuid(c.user.uid, c.user.uid, c.user.uid) < 0) {
        STEP_NAME(st, "setresuid %u", (unsigned)c.user.uid);
        return -1;
    }
    return creds_set_env(&c.user, st);
}
