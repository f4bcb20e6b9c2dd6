/* `nsinit ctl [-s SOCKET] VERB [NAME] [-- CMD...]`: sends one request line,
 * prints the answer, exits 0 on "OK" and 1 on "ERR reason". `enter` asks
 * for the service's pid and then joins its namespaces itself, as
 * `nsenter -t PID -a` does: CMD runs as the client's child, on the
 * client's terminal, and its status is the client's. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "fmt.h"
#include "idmap.h"
#include "log.h"
#include "options.h"


static int ctl_connect(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return errno = ENAMETOOLONG, -1;
    memcpy(addr.sun_path, path, strlen(path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;
        close(fd);
        return errno = err, -1;
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* Sends "VERB NAME\n"; passes every answer line but the last to out (if
 * not NULL, else stdout, or stderr for reload); returns 0 for OK, 1 for
 * ERR (reason printed). */
static int ctl_request(const char *sock, const char *verb, const char *name, char *out,
                       size_t outsize)
{
    char req[CONTROL_REQUEST_MAX], buf[8192], line[1100];
    size_t n = fmt(req, sizeof(req), "%s%s%s\n", verb, name ? " " : "", name ? name : "");
    size_t line_len = 0, out_len = 0;
    int fd = ctl_connect(sock), result = -1;
    /* A reload's answer lines are the config's problems: stderr, as check. */
    int print_fd = strcmp(verb, "reload") ? 1 : 2;
    ssize_t r;

    if (fd < 0) {
        log_error("ctl: %s: %s", sock, strerror(errno));
        return 1;
    }
    /* A server that turned us away (busy) may have closed before reading
     * the request: its one line is still there to read. */
    while ((r = send(fd, req, n, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (r < 0 && errno != EPIPE) {
        log_error("ctl: %s: %s", sock, strerror(errno));
        close(fd);
        return 1;
    }
    while ((r = read(fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] != '\n') {
                if (line_len < sizeof(line) - 1)
                    line[line_len++] = buf[i];
                continue;
            }
            line[line_len] = '\0';
            if (!strcmp(line, "OK"))
                result = 0;
            else if (!strncmp(line, "ERR ", 4)) {
                log_error("%s", line + 4);
                result = 1;
            } else if (out) {
                out_len += fmt(out + out_len, outsize - out_len, "%s\n", line);
            } else {
                line[line_len] = '\n';
                write_all(print_fd, line, line_len + 1);
            }
            line_len = 0;
        }
    }
    close(fd);
    if (result < 0) {
        log_error("ctl: no answer from %s", sock);
        return 1;
    }
    return result;
}

/* Enters each namespace of pid that differs from ours: user first (it
 * grants the rights for the others), mnt last but one, then root and cwd. */
static int enter_namespaces(pid_t pid)
{
    static const struct {
        const char *name;
        int flag;
    } kinds[] = {
        {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
        {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
        {"time", 0x80},          {"mnt", CLONE_NEWNS},
    };
    struct step st;
    char path[64];
    int fds[8], rootfd, cwdfd;

    for (int i = 0; i < 8; i++) {
        struct stat theirs, ours;
        fds[i] = -1;
        fmt(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
        if (stat(path, &theirs) < 0)
            continue; /* a kind this kernel lacks */
        fmt(path, sizeof(path), "/proc/self/ns/%s", kinds[i].name);
        if (stat(path, &ours) == 0 && ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
            continue;
        fmt(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return log_error("enter: %s: %s", path, strerror(errno)), -1;
    }
    fmt(path, sizeof(path), "/proc/%d/root", (int)pid);
    rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fmt(path, sizeof(path), "/proc/%d/cwd", (int)pid);
    cwdfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0 || cwdfd < 0)
        return log_error("enter: %s: %s", path, strerror(errno)), -1;
    for (int i = 0; i < 8; i++) {
        if (fds[i] >= 0 && setns(fds[i], kinds[i].flag) < 0)
            return log_error("enter: setns %s: %s", kinds[i].name, strerror(errno)), -1;
        if (fds[i] >= 0)
            close(fds[i]);
    }
    /* In a user namespace we entered our host ids are unmapped (nobody):
     * be its root, as nsenter does. */
    if (fds[0] >= 0 && idmap_become_root(&st) < 0)
        return log_error("enter: %s: %s", st.what, strerror(errno)), -1;
    if (fchdir(rootfd) < 0 || chroot(".") < 0 || fchdir(cwdfd) < 0)
        return log_error("enter: root/cwd: %s", strerror(errno)), -1;
    close(rootfd);
    close(cwdfd);
    return 0;
}

static int ctl_enter(const char *sock, const char *name, char **cmd)
{
    static char *default_cmd[] = {"/bin/sh", NULL};
    char answer[64];
    pid_t pid, child;
    int wstatus;

    if (ctl_request(sock, "pid", name, answer, sizeof(answer)))
        return 1;
    pid = 0;
    for (const char *p = answer; *p >= '0' && *p <= '9'; p++)
        pid = pid * 10 + (*p - '0');
    if (pid <= 0 || enter_namespaces(pid) < 0)
        return 1;
    if (!cmd || !cmd[0])
        cmd = default_cmd;
    /* A new pid namespace applies to children only: CMD runs in a child. */
    if ((child = fork()) < 0)
        return log_error("enter: fork: %s", strerror(errno)), 1;
    if (child == 0) {
        execvp(cmd[0], cmd);
        log_error("enter: exec %s: %s", cmd[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    while (waitpid(child, &wstatus, 0) < 0)
        if (errno != EINTR)
            return 1;
    return status_from_wait(wstatus);
}

/* log [NAME] [-n LINES] [-f]: the words go to the server as they are
 * (it checks them); with -f the answer never ends, the client does. */
static int ctl_log(const char *sock, char **argv)
{
    char req[CONTROL_REQUEST_MAX - 8];
    size_t n = 0;

    for (; *argv; argv++)
        n += fmt(req + n, sizeof(req) - n, " %s", *argv);
    return ctl_request(sock, "log", n ? req + 1 : NULL, NULL, 0);
}

int ctl_main(int argc, char **argv)
{
    const char *sock = getenv("NSINIT_SOCKET");
    int i = 1;

    if (!sock || !*sock)
        sock = CONTROL_DEFAULT_SOCKET;
    if (i < argc && !strncmp(argv[i], "-s", 2)) {
        sock = argv[i][2] ? argv[i] + 2 : i + 1 < argc ? argv[++i] : "";
        i++;
        if (!*sock) {
            log_error("ctl: -s needs a socket path");
            return 2;
        }
    }
    if (i >= argc) {
        log_error("ctl: usage: nsinit ctl [-s SOCKET] VERB [NAME] [-- CMD...]");
        return 2;
    }
    if (!strcmp(argv[i], "enter")) {
        char **cmd = NULL;
        if (i + 1 >= argc) {
            log_error("ctl: enter needs a service name");
            return 2;
        }
        if (i + 2 < argc && !strcmp(argv[i + 2], "--"))
            cmd = &argv[i + 3];
        else if (i + 2 < argc)
            cmd = &argv[i + 2];
        return ctl_enter(sock, argv[i + 1], cmd);
    }
    if (!strcmp(argv[i], "log"))
        return ctl_log(sock, argv + i + 1);
    if (i + 2 < argc) {
        log_error("ctl: too many arguments");
        return 2;
    }
    return ctl_request(sock, argv[i], i + 1 < argc ? argv[i + 1] : NULL, NULL, 0);
}
