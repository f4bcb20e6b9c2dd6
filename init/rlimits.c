/* Resource limits of a service's child: one prlimit per rlimit = line,
 * in the order written, so a failure names the line's resource. prlimit
 * on ourselves rather than setrlimit: musl's setrlimit synchronises every
 * thread (__synccall), which a lone child does not need. */
#include "rlimits.h"

#include <stdint.h>
#include <sys/resource.h>

static const char *const rlimits_names[] = {
    [RLIMIT_CPU] = "cpu",           [RLIMIT_FSIZE] = "fsize",
    [RLIMIT_DATA] = "data",         [RLIMIT_STACK] = "stack",
    [RLIMIT_CORE] = "core",         [RLIMIT_RSS] = "rss",
    [RLIMIT_NPROC] = "nproc",       [RLIMIT_NOFILE] = "nofile",
    [RLIMIT_MEMLOCK] = "memlock",   [RLIMIT_AS] = "as",
    [RLIMIT_LOCKS] = "locks",       [RLIMIT_SIGPENDING] = "sigpending",
    [RLIMIT_MSGQUEUE] = "msgqueue", [RLIMIT_NICE] = "nice",
    [RLIMIT_RTPRIO] = "rtprio",     [RLIMIT_RTTIME] = "rttime",
};

const char *rlimits_name(int resource)
{
    if (resource < 0 ||
        resource >= (int)(sizeof(rlimits_names) / sizeof(rlimits_names[0])) ||
        !rlimits_names[resource])
        return "?";
    return rlimits_names[resource];
}

static rlim_t rlimits_value(uint64_t v)
{
    /* A value rlim_t cannot hold (32-bit glibc) means "as much as possible". */
    if (v == UINT64_MAX || v >= (uint64_t)RLIM_INFINITY)
        return RLIM_INFINITY;
    return (rlim_t)v;
}

int rlimits_apply(const struct svc_conf *s, struct step *st)
{
    LIST_FOR(const struct rlimit_item, r, &s->rlimits)
    {
        struct rlimit rl = {rlimits_value(r->soft), rlimits_value(r->hard)};

        if (prlimit(0, r->resource, &rl, NULL) < 0) {
            STEP_NAME(st, "rlimit %s", rlimits_name(r->resource));
            return -1;
        }
    }
    return 0;
}
