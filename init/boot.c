/* Boot mode: the first process of a machine (or of a container started
 * without arguments). Early mounts where missing, console, hostname, lo,
 * then /etc/nsinit.conf under the supervisor; at the end sync, unmount
 * and reboot(2) from a child so a failing reboot never ends PID 1. */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "fds.h"
#include "file.h"
#include "fmt.h"
#include "log.h"
#include "netlink.h"
#include "spawn.h"
#include "supervisor.h"

#define BOOT_CONFIG "/etc/nsinit.conf"

static bool machine; /* the first process of a machine, not of a container */
static bool is_machine_init(void);

/* /run and /tmp only on a machine: in a container they are the image's
 * own directories, and a tmpfs would hide what is there. */
static const struct {
    const char *type, *dir, *opts;
    unsigned long flags;
    bool machine_only;
} early_mounts[] = {
    {"proc", "/proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, false},
    {"sysfs", "/sys", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, false},
    {"devtmpfs", "/dev", "mode=0755", MS_NOSUID, false},
    {"devpts", "/dev/pts", "mode=0620,ptmxmode=0666", MS_NOSUID | MS_NOEXEC, false},
    {"tmpfs", "/run", "mode=0755", MS_NOSUID | MS_NODEV, true},
    {"tmpfs", "/tmp", "mode=1777", MS_NOSUID | MS_NODEV, true},
};

/* Mounted already? Compare the device of DIR with that of its parent. */
static bool is_mountpoint(const char *dir)
{
    char parent[64];
    struct stat a, b;

    fmt(parent, sizeof(parent), "%s/..", dir);
    return stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static void mount_early(void)
{
    for (size_t i = 0; i < sizeof(early_mounts) / sizeof(early_mounts[0]); i++) {
        const char *dir = early_mounts[i].dir;

        if (is_mountpoint(dir) || (early_mounts[i].machine_only && !machine))
            continue;
        mkdir(dir, 0755);
        if (mount(early_mounts[i].type, dir, early_mounts[i].type, early_mounts[i].flags,
                  early_mounts[i].opts) < 0 && errno != EBUSY)
            log_error("mount %s: %s", dir, strerror(errno));
    }
}

static void loopback_up(void)
{
    struct nl nl;
    int lo;

    if (nl_open(&nl) < 0)
        return;
    if ((lo = nl_link_index(&nl, "lo")) < 0 || nl_link_up(&nl, lo) < 0)
        log_error("lo up: %s", strerror(errno));
    nl_close(&nl);
}

/* A machine's init sees the kernel's threads (kthreadd is pid 2); the
 * init of a container does not, and must not unmount or remount what
 * its runtime gave it (a read-only remount would reach the host). */
static bool is_machine_init(void)
{
    char buf[64];

    return file_read(AT_FDCWD, "/proc/2/stat", buf, sizeof(buf)) > 0 &&
           !strncmp(buf, "2 (kthreadd)", 12);
}

static void console_setup(void)
{
    int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return; /* keep what the kernel (or container runtime) gave us */
    for (int i = 0; i < 3; i++)
        dup2(fd, i);
    if (fd > 2)
        close(fd);
}

int boot_main(void)
{
    struct diag d;
    struct config *c;

    fds_sanitize(0);
    if (runtime_init(MODE_BOOT) < 0)
        log_error("signal set-up: %s", strerror(errno));
    if (chdir("/") < 0)
        log_error("chdir /: %s", strerror(errno));
    mount_early(); /* /proc first: is_machine_init reads it */
    machine = is_machine_init();
    if (machine)
        mount_early(); /* and now /run, /tmp */
    if (machine) {
        /* In a container the runtime's stdout is where output belongs. */
        console_setup();
        /* Ctrl-Alt-Del sends us SIGINT instead of rebooting at once. */
        if (reboot(RB_DISABLE_CAD) < 0)
            log_error("reboot(CAD off): %s", strerror(errno));
    }
    loopback_up();
    spawn_clean_env = true;
    rt.sweep = true;
    rt.sweep_ms = 10000;
    diag_to_stderr(&d);
    c = config_load(BOOT_CONFIG, &d);
    if (c) {
        rt.sweep_ms = c->shutdown_timeout_ms;
        if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
            log_error("sethostname %s: %s", c->hostname, strerror(errno));
        runtime_attach_supervisor();
        supervisor_start(c);
    } else {
        /* Still reachable: ctl poweroff must work on a broken image. */
        log_error("no services: %s could not be read", BOOT_CONFIG);
        if (control_start(CONTROL_DEFAULT_SOCKET) < 0)
            log_error("control socket: %s", strerror(errno));
    }
    runtime_run();
}

/* Unmounts what can be, innermost first; what stays busy is made
 * read-only so that nothing is lost at power-off. */
static void unmount_all(void)
{
    char buf[16384], *mnt[256];
    int n = 0;

    if (file_read(AT_FDCWD, "/proc/self/mounts", buf, sizeof(buf)) <= 0)
        return;
    for (char *line = buf; line && *line && n < 256;) {
        char *next = strchr(line, '\n'), *sp = strchr(line, ' ');
        if (next)
            *next++ = '\0';
        if (sp) {
            char *end = strchr(sp + 1, ' ');
            if (end)
                *end = '\0';
            mnt[n++] = sp + 1;
        }
        line = next;
    }
    while (n-- > 0) {
        if (!strcmp(mnt[n], "/") || umount2(mnt[n], 0) < 0)
            mount(NULL, mnt[n], NULL, MS_REMOUNT | MS_RDONLY, NULL);
    }
}

void boot_end(enum ending how)
{
    static const int cmds[] = {
        [END_EXIT] = RB_POWER_OFF, [END_POWEROFF] = RB_POWER_OFF,
        [END_REBOOT] = RB_AUTOBOOT, [END_HALT] = RB_HALT_SYSTEM,
    };
    pid_t pid;
    int wstatus;

    sync();
    if (machine)
        unmount_all();
    sync();
    if ((pid = fork()) == 0) {
        reboot(cmds[how]);
        _exit(errno == EPERM ? 1 : 2);
    }
    if (pid > 0)
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
    /* Still here: the kernel said no (a container). Exit with the status. */
}
