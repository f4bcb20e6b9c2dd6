/* Tables of capability, rlimit and namespace names. The numbers are the
 * kernel ABI (linux/capability.h); names are matched in any case, with or
 * without the cap_ / RLIMIT_ prefix. */
#include "names.h"

#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Indexed by capability number. */
static const char *const cap_names[CAP_LAST_KNOWN + 1] = {
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
};

int cap_from_name(const char *name)
{
    if (!strncasecmp(name, "cap_", 4))
        name += 4;
    for (int i = 0; i <= CAP_LAST_KNOWN; i++)
        if (!strcasecmp(name, cap_names[i] + 4))
            return i;
    return -1;
}

const char *cap_name(int cap)
{
    return cap >= 0 && cap <= CAP_LAST_KNOWN ? cap_names[cap] : NULL;
}

static const struct {
    char name[12];
    int resource;
} rlimit_names[] = {
    {"as", RLIMIT_AS},
    {"core", RLIMIT_CORE},
    {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE},
    {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},
    {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

int rlimit_from_name(const char *name)
{
    if (!strncasecmp(name, "rlimit_", 7))
        name += 7;
    for (size_t i = 0; i < NELEM(rlimit_names); i++)
        if (!strcasecmp(name, rlimit_names[i].name))
            return rlimit_names[i].resource;
    return -1;
}

const char *rlimit_name(int resource)
{
    for (size_t i = 0; i < NELEM(rlimit_names); i++)
        if (rlimit_names[i].resource == resource)
            return rlimit_names[i].name;
    return NULL;
}

static const struct {
    char name[8];
    int flag;
} ns_names[] = {
    {"mnt", CLONE_NEWNS},        {"pid", CLONE_NEWPID},   {"uts", CLONE_NEWUTS},
    {"ipc", CLONE_NEWIPC},       {"net", CLONE_NEWNET},   {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int ns_from_name(const char *name)
{
    for (size_t i = 0; i < NELEM(ns_names); i++)
        if (!strcmp(name, ns_names[i].name))
            return ns_names[i].flag;
    return 0;
}

const char *ns_name(int flag)
{
    for (size_t i = 0; i < NELEM(ns_names); i++)
        if (ns_names[i].flag == flag)
            return ns_names[i].name;
    return NULL;
}
