/* Boot mode: the first process of a machine (or of a container started
 * without arguments). An initramfs made a mount of its own, early mounts where
 * missing, console, hostname, lo, modules, the watchdog, then
 * /etc/nsinit.conf under the supervisor and, once its services have
 * started, the kernel command line's command on the console; at the end
 * sync, unmount and reboot(2) from a child so a failing reboot never ends
 * PID 1. */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "config.h"
#include "control.h"
#include "env.h"
#include "fds.h"
#include "file.h"
#include "fmt.h"
#include "log.h"
#include "modules.h"
#include "netlink.h"
#include "rootfs.h"
#include "sig.h"
#include "spawn.h"
#include "supervisor.h"
#include "unmount.h"
#include "watchdog.h"

#define BOOT_CONFIG "/etc/nsinit.conf"

static bool machine; /* the first process of a machine, not of a container */
static char **main_cmd; /* the kernel command line's words after "--" */

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
    {"tmpfs", "/dev/shm", "mode=1777", MS_NOSUID | MS_NODEV, true},
    {"tmpfs", "/run", "mode=0755", MS_NOSUID | MS_NODEV, true},
    {"tmpfs", "/tmp", "mode=1777", MS_NOSUID | MS_NODEV, true},
    /* cgroup v2 alone: the services' limits (cgroup.c) need it. */
    {"cgroup2", "/sys/fs/cgroup", "nsdelegate", MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
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

/* In a container without CAP_NET_ADMIN lo is the runtime's business. */
static void loopback_up(void)
{
    struct nl nl;
    int lo;

    if (nl_open(&nl) < 0)
        return;
    if (((lo = nl_link_index(&nl, "lo")) < 0 || nl_link_up(&nl, lo) < 0) &&
        (machine || errno != EPERM))
        log_error("lo up: %s", strerror(errno));
    nl_close(&nl);
}

/* Only the init of the first pid namespace may disable Ctrl-Alt-Del: in
 * any other (a container's) reboot(2) refuses the command (EINVAL), and
 * without CAP_SYS_BOOT it refuses everything. Boot mode wants CAD off
 * anyway (SIGINT instead of an instant reboot), so the test is the set-up. */
bool boot_is_machine(void)
{
    static int known = -1;

    if (known < 0)
        known = reboot(RB_DISABLE_CAD) == 0;
    return known;
}

/* The terminal behind /dev/console: the last of the kernel's active
 * consoles. A command needs the real one as its controlling terminal
 * (the kernel never makes /dev/console one); tty0 is the VT in front. */
static int console_open(void)
{
    char buf[128], path[80];
    char *w;
    int fd = -1;

    if (file_read(AT_FDCWD, "/sys/class/tty/console/active", buf, sizeof(buf)) > 0) {
        buf[strcspn(buf, "\n")] = '\0';
        w = strrchr(buf, ' ');
        w = w ? w + 1 : buf;
        fmt(path, sizeof(path), "/dev/%s", strcmp(w, "tty0") ? w : "tty1");
        fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    return fd >= 0 ? fd : open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
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

/* In the child: a session of its own with the console as its controlling
 * terminal (job control, ^C), the kernel's environment and a PATH. */
static void console_exec(char **argv)
{
    int fd, err;

    sig_reset_in_child();
    setsid();
    if ((fd = console_open()) >= 0) {
        for (int i = 0; i < 3; i++)
            dup2(fd, i);
        if (fd > 2)
            close(fd);
        ioctl(0, TIOCSCTTY, 1);
    }
    if (!getenv("PATH"))
        env_put("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
    execvp(argv[0], argv);
    err = errno;
    log_error("exec %s: %s", argv[0], file_exec_error(argv[0], err));
    _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

/* nsinit.shell on the kernel command line: a shell on the console before
 * the config is read; the boot goes on when it exits. Every signal is
 * blocked meanwhile; what the shell leaves behind is reaped here. */
static void emergency_shell(void)
{
    static char *sh[] = {"/bin/sh", "-i", NULL};
    int wstatus;
    pid_t pid, got;

    log_error("emergency shell (nsinit.shell): exit it to go on with the boot");
    if ((pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        return;
    }
    if (pid == 0)
        console_exec(sh);
    while ((got = waitpid(-1, &wstatus, 0)) != pid && (got > 0 || errno == EINTR))
        ;
}

/* The kernel command line's command, once the services have started; its
 * end powers the machine off (runtime.c: the command's exit). */
static void main_cmd_start(void)
{
    pid_t pid;

    if (!main_cmd || rt.cmd_pid)
        return;
    if ((pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        runtime_shutdown(END_POWEROFF, 1);
        return;
    }
    if (pid == 0)
        console_exec(main_cmd);
    rt.cmd_pid = pid;
    main_cmd = NULL;
}

/* The kernel's rootfs cannot be pivot_root'ed away from: services with
 * `root =` need / to be a mount of its own. Needs /proc, for a moment. */
static void leave_rootfs(void)
{
    bool initramfs;

    mkdir("/proc", 0555);
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return;
    initramfs = rootfs_is_initramfs();
    umount2("/proc", MNT_DETACH);
    if (initramfs && rootfs_rebind() < 0)
        log_error("initramfs: / as a mount of its own: %s (root = will fail)", strerror(errno));
}

/* What the machine itself takes from the config, at boot and at a reload:
 * modules (bridges need theirs before services start) and the watchdog. */
static void machine_config(const struct config *c)
{
    modules_load(&c->modules);
    if (c->watchdog)
        watchdog_start(c->watchdog, c->watchdog_timeout_ms);
}

static void boot_services(void)
{
    struct diag d;
    struct config *c;

    /* A container's init with no config (the pause role) has nothing to
     * say: it only reaps, and ends on SIGTERM or SIGINT. */
    bool pause = !machine && access(BOOT_CONFIG, F_OK) < 0 && errno == ENOENT;

    diag_to_stderr(&d);
    c = pause ? NULL : config_load(BOOT_CONFIG, &d);
    if (!c) {
        /* Still reachable: ctl poweroff must work on a broken image. */
        if (!pause)
            log_error("no services: %s could not be read", BOOT_CONFIG);
        if (control_start(CONTROL_DEFAULT_SOCKET, !pause) < 0 && !pause)
            control_log_failure("", CONTROL_DEFAULT_SOCKET);
        main_cmd_start();
        return;
    }
    rt.sweep_ms = c->shutdown_timeout_ms;
    if (machine) {
        rt.machine_config = machine_config;
        machine_config(c);
    }
    if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
        log_error("sethostname %s: %s", c->hostname, strerror(errno));
    runtime_attach_supervisor();
    rt.services_started = main_cmd_start;
    supervisor_start(c);
}

int boot_main(char **cmd)
{
    fds_sanitize(0);
    if (runtime_init(MODE_BOOT) < 0)
        log_error("signal set-up: %s", strerror(errno));
    if (chdir("/") < 0)
        log_error("chdir /: %s", strerror(errno));
    machine = boot_is_machine();
    if (machine)
        leave_rootfs();
    mount_early();
    /* In a container the runtime's stdout is where output belongs. */
    if (machine)
        console_setup();
    loopback_up();
    spawn_clean_env = true;
    rt.sweep = true;
    rt.sweep_ms = 10000;
    main_cmd = cmd && cmd[0] ? cmd : NULL;
    if (machine && cmdline_has("nsinit.shell"))
        emergency_shell();
    boot_services();
    runtime_run();
}

void boot_end(enum ending how)
{
    static const int cmds[] = {
        [END_EXIT] = RB_POWER_OFF, [END_POWEROFF] = RB_POWER_OFF,
        [END_REBOOT] = RB_AUTOBOOT, [END_HALT] = RB_HALT_SYSTEM,
    };
    pid_t pid;
    int wstatus;

    watchdog_ping(); /* sync and unmount can take a while on a slow disk */
    sync();
    if (machine)
        unmount_all();
    sync();
    watchdog_ping();
    if ((pid = fork()) == 0) {
        reboot(cmds[how]);
        _exit(errno == EPERM ? 1 : 2);
    }
    if (pid > 0)
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
    /* Still here: the kernel said no (a container). Exit with the status. */
}
