/* Environment editing for a forked child (its own copy of this storage). */
#include "env.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char *vars[ENV_MAX + 1];
static int n_vars = -1; /* -1: still the inherited environ */
static char store[4096];
static size_t used;

static void env_adopt(void)
{
    if (n_vars >= 0)
        return;
    n_vars = 0;
    for (char **e = environ; e && *e && n_vars < ENV_MAX; e++)
        vars[n_vars++] = *e;
    vars[n_vars] = NULL;
    environ = vars;
}

int env_clear(void)
{
    n_vars = 0;
    vars[0] = NULL;
    environ = vars;
    return 0;
}

int env_put(const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t len = eq ? (size_t)(eq - kv) + 1 : strlen(kv);
    int i;

    env_adopt();
    for (i = 0; i < n_vars && strncmp(vars[i], kv, len); i++)
        ;
    if (i == n_vars) {
        if (n_vars == ENV_MAX)
            return errno = E2BIG, -1;
        vars[++n_vars] = NULL;
    }
    vars[i] = (char *)kv;
    return 0;
}

int env_set(const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    char *p = store + used;

    if (nl + vl + 2 > sizeof(store) - used)
        return errno = E2BIG, -1;
    memcpy(p, name, nl);
    p[nl] = '=';
    memcpy(p + nl + 1, value, vl + 1);
    used += nl + vl + 2;
    return env_put(p);
}
