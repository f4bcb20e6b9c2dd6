/* A service launch is a fixed sequence of steps run in the new child. When
 * one fails, the step names itself here (e.g. "pivot_root /srv/web-root")
 * and returns -1 with errno set; the child sends both to PID 1, which shows
 * "web: pivot_root /srv/web-root: Invalid argument" in status and the log. */
#ifndef NSINIT_STEP_H
#define NSINIT_STEP_H
#include <stdbool.h>

#include "fmt.h"

struct step {
    char what[200];
    bool says_why; /* "user www: no such user": no errno text after it */
};

#define STEP_NAME(st, ...) \
    ((st)->says_why = false, fmt((st)->what, sizeof((st)->what), __VA_ARGS__))

#endif
