/* The environment of a child about to exec, built in fixed storage: the
 * C library's setenv would bring malloc into the binary for this alone. */
#ifndef NSINIT_ENV_H
#define NSINIT_ENV_H

#define ENV_MAX 512

/* Each returns 0, or -1 with errno (E2BIG when the table or storage is
 * full). They make `environ` point at the table, so execvp sees it. */
int env_clear(void);
int env_put(const char *name_value);        /* "NAME=VALUE", kept by pointer */
int env_set(const char *name, const char *value);

#endif
