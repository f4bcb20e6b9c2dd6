/* Live tests (root) of init/cgroup.c. Never on the host's cgroups as they
 * are: a forked helper makes a private mount namespace, creates one test
 * cgroup (nsinit-test.PID) and a child that moves into it, unshares its
 * cgroup namespace and mounts cgroup2 over /sys/fs/cgroup, so that the
 * code under test sees the test cgroup as the whole hierarchy. The helper
 * kills, reaps and removes everything afterwards. Controllers are tested
 * only when the kernel offers them there (not on a v1/v2 hybrid host). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "testlib.h"

#define SKIP_STATUS 77

/* The v2 line of /proc/PID/cgroup equals want ("0::/web.service\n"). */
static bool in_cgroup(pid_t pid, const char *want)
{
    char path[64], buf[4096];
    char *line;

    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    if (tl_read_file(path, buf, sizeof(buf)) < 0)
        return false;
    line = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
    if (!line)
        return false;
    if (line != buf)
        line++;
    return strncmp(line, want, strlen(want)) == 0;
}

/* Waits until the cgroup at dir has no process left. */
static bool wait_unpopulated(const char *dir)
{
    char path[256], buf[256];

    snprintf(path, sizeof(path), "%s/cgroup.events", dir);
    for (int i = 0; i < 200; i++) {
        if (tl_read_file(path, buf, sizeof(buf)) == 0 && strstr(buf, "populated 0"))
            return true;
        usleep(10000);
    }
    return false;
}

/* Sets up the test cgroup as this process's whole view (see the top). */
static int enter_test_cgroup(const char *test_cg)
{
    char procs[256];

    snprintf(procs, sizeof(procs), "%s/cgroup.procs", test_cg);
    if (tl_write_file(procs, "0") < 0 || unshare(CLONE_NEWCGROUP) < 0 ||
        mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0) {
        perror("enter test cgroup");
        return -1;
    }
    return 0;
}

static void remove_tree(const char *dir)
{
    char path[512];
    const char *subs[] = {"web.service", "other.service", "nsinit"};

    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
        rmdir(path);
    }
    rmdir(dir);
}

/* The helper process: private mounts, the test cgroup, the test body in a
 * child, then cleanup. Its exit status is the body's (77: skipped). */
static int helper(int (*body)(void))
{
    char mnt[] = "/tmp/test_cgroup.XXXXXX", test_cg[128], kill_file[160];
    int status, rc;
    pid_t pid;

    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return 98;
    if (!mkdtemp(mnt))
        return 98;
    if (mount("none", mnt, "cgroup2", 0, NULL) < 0) {
        fprintf(stderr, "SKIP: cannot mount cgroup2: %s\n", strerror(errno));
        rmdir(mnt);
        return SKIP_STATUS;
    }
    snprintf(test_cg, sizeof(test_cg), "%s/nsinit-test.%d", mnt, (int)getpid());
    if (mkdir(test_cg, 0755) < 0) {
        fprintf(stderr, "SKIP: cannot create a test cgroup: %s\n", strerror(errno));
        umount(mnt);
        rmdir(mnt);
        return SKIP_STATUS;
    }
    pid = fork();
    if (pid == 0)
        _exit(enter_test_cgroup(test_cg) < 0 ? 98 : body());
    waitpid(pid, &status, 0);
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 96;
    /* Whatever the body left behind: killed, reaped (we are subreaper). */
    snprintf(kill_file, sizeof(kill_file), "%s/cgroup.kill", test_cg);
    tl_write_file(kill_file, "1");
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    wait_unpopulated(test_cg);
    remove_tree(test_cg);
    if (access(test_cg, F_OK) == 0) {
        fprintf(stderr, "cleanup: %s is left\n", test_cg);
        rc = rc ? rc : 97;
    }
    umount(mnt);
    rmdir(mnt);
    return rc;
}

/* A case: its body runs in the test cgroup, under helper(). */
struct body {
    int (*fn)(void);
};

static void run_helper(void **state)
{
    const struct body *b = *state;
    int status;
    pid_t pid;

    SKIP_UNLESS_ROOT();
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(helper(b->fn));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == SKIP_STATUS)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

// clang-format off
#define IN_TEST_CGROUP(name, fn) {#name, run_helper, NULL, NULL, &(struct body){fn}}
// clang-format on

/* ---- the bodies ------------------------------------------------------ */

/* The cgroup of service web, for s: 0 when created (its fd is closed). */
static int create_web(const struct svc_conf *s)
{
    struct step st = {{0}};
    int fd = cgroup_service_create("web", s, &st);

    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();

    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static int body_init(void)
{
    char buf[512];

    CHECK(cgroup_init() == 0);
    CHECK(cgroup_usable());
    CHECK(in_cgroup(getpid(), "0::/nsinit\n"));
    /* Nothing but the leaf, and the test cgroup itself holds no process. */
    CHECK(tl_read_file("/sys/fs/cgroup/cgroup.procs", buf, sizeof(buf)) == 0);
    CHECK(buf[0] == '\0');
    return 0;
}

static int body_lifecycle(void)
{
    struct svc_conf s = {0};
    struct step st = {{0}};
    int fd, status;
    pid_t pid;
    struct stat sb;

    CHECK(cgroup_init() == 0);
    fd = cgroup_service_create("web", &s, &st);
    CHECK(fd >= 0);
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
    CHECK(stat("/sys/fs/cgroup/web.service", &sb) == 0 && S_ISDIR(sb.st_mode));
    close(fd);
    /* A second create reuses the directory. */
    CHECK(create_web(&s) == 0);

    pid = spawn_sleeper();
    CHECK(pid > 0);
    CHECK(cgroup_service_attach("web", pid) == 0);
    CHECK(in_cgroup(pid, "0::/web.service\n"));
    CHECK(cgroup_service_kill("web") == 0);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK(wait_unpopulated("/sys/fs/cgroup/web.service"));
    CHECK(cgroup_service_remove("web") == 0);
    CHECK(stat("/sys/fs/cgroup/web.service", &sb) == -1 && errno == ENOENT);
    /* Gone already: still fine, for kill and remove. */
    CHECK(cgroup_service_remove("web") == 0);
    CHECK(cgroup_service_kill("web") == 0);
    return 0;
}

static int body_clone_into_cgroup(void)
{
    struct svc_conf s = {0};
    struct step st = {{0}};
    struct clone_args args;
    int fd, status;
    long pid;

    CHECK(cgroup_init() == 0);
    fd = cgroup_service_create("web", &s, &st);
    CHECK(fd >= 0);
    memset(&args, 0, sizeof(args));
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)fd;
    pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid == 0)
        _exit(in_cgroup(getpid(), "0::/web.service\n") ? 0 : 1);
    CHECK(pid > 0);
    CHECK(waitpid((pid_t)pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
    return 0;
}

/* A service with descendants: the per-pid fallback reaches them all. */
static int body_kill_each(void)
{
    struct svc_conf s = {0};
    int status;
    pid_t pid;
    char buf[256];

    CHECK(cgroup_init() == 0);
    CHECK(create_web(&s) == 0);
    pid = fork();
    if (pid == 0) {
        if (cgroup_service_attach("web", getpid()) < 0)
            _exit(1);
        for (int i = 0; i < 3; i++)
            if (fork() == 0)
                break; /* a chain: child, grandchild, ... */
        for (;;)
            pause();
    }
    CHECK(pid > 0);
    for (int i = 0; i < 100; i++) { /* until the chain of 4 is in place */
        CHECK(tl_read_file("/sys/fs/cgroup/web.service/cgroup.procs", buf, sizeof(buf)) ==
              0);
        int lines = 0;
        for (char *p = buf; *p; p++)
            lines += *p == '\n';
        if (lines == 4)
            break;
        usleep(10000);
    }
    CHECK(cgroup_service_kill_each("web") == 0);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK(wait_unpopulated("/sys/fs/cgroup/web.service"));
    /* The freezer was thawed again. */
    CHECK(tl_read_file("/sys/fs/cgroup/web.service/cgroup.freeze", buf, sizeof(buf)) ==
          0);
    CHECK(buf[0] == '0');
    return 0;
}

static int body_remove_busy(void)
{
    struct svc_conf s = {0};
    struct stat sb;
    pid_t pid;

    CHECK(cgroup_init() == 0);
    CHECK(create_web(&s) == 0);
    pid = spawn_sleeper();
    CHECK(pid > 0 && cgroup_service_attach("web", pid) == 0);
    CHECK(cgroup_service_remove("web") == 0); /* EBUSY: tolerated */
    CHECK(stat("/sys/fs/cgroup/web.service", &sb) == 0);
    CHECK(cgroup_service_kill("web") == 0);
    CHECK(waitpid(pid, NULL, 0) == pid);
    CHECK(wait_unpopulated("/sys/fs/cgroup/web.service"));
    CHECK(cgroup_service_remove("web") == 0);
    CHECK(stat("/sys/fs/cgroup/web.service", &sb) == -1);
    return 0;
}

static bool controllers_enabled(void)
{
    char buf[256];

    return tl_read_file("/sys/fs/cgroup/cgroup.subtree_control", buf, sizeof(buf)) == 0 &&
           strstr(buf, "memory") && strstr(buf, "pids") && strstr(buf, "cpu");
}

static int body_warnings_without_controllers(void)
{
    struct svc_conf s = {.memory_max = 64 << 20, .pids_max = 10};
    struct svc_conf c = {.cpu_weight = 50};
    struct svc_conf none = {0};
    char msg[200];

    CHECK(cgroup_init() == 0);
    if (controllers_enabled()) {
        fprintf(stderr, "SKIP: this kernel has every controller here\n");
        return SKIP_STATUS;
    }
    /* The service still gets its cgroup; its limits are skipped. */
    CHECK(create_web(&s) == 0);
    CHECK(access("/sys/fs/cgroup/web.service/memory.max", F_OK) == -1);
    CHECK(!cgroup_limits_warning(&none, msg, sizeof(msg)));
    CHECK(cgroup_limits_warning(&s, msg, sizeof(msg)));
    CHECK(strcmp(msg, "cgroup v2 controller memory, pids not available: "
                      "memory_max, pids_max ignored") == 0);
    CHECK(!cgroup_limits_warning(&s, msg, sizeof(msg)));
    CHECK(cgroup_limits_warning(&c, msg, sizeof(msg)));
    CHECK(strcmp(msg, "cgroup v2 controller cpu not available: cpu_weight ignored") == 0);
    CHECK(!cgroup_limits_warning(&c, msg, sizeof(msg)));
    return 0;
}

static int body_limits_written(void)
{
    struct svc_conf s = {.memory_max = 64 << 20, .pids_max = 10, .cpu_weight = 50};
    struct svc_conf none = {0};
    char buf[64];

    CHECK(cgroup_init() == 0);
    if (!controllers_enabled()) {
        fprintf(stderr,
                "SKIP: memory, pids and cpu controllers are not available in "
                "cgroup v2 here (v1/v2 hybrid host): limits are tested in the VM\n");
        return SKIP_STATUS;
    }
    CHECK(create_web(&s) == 0);
    CHECK(tl_read_file("/sys/fs/cgroup/web.service/memory.max", buf, sizeof(buf)) == 0);
    CHECK(strcmp(buf, "67108864\n") == 0);
    CHECK(tl_read_file("/sys/fs/cgroup/web.service/pids.max", buf, sizeof(buf)) == 0);
    CHECK(strcmp(buf, "10\n") == 0);
    CHECK(tl_read_file("/sys/fs/cgroup/web.service/cpu.weight", buf, sizeof(buf)) == 0);
    CHECK(strcmp(buf, "50\n") == 0);
    CHECK(!cgroup_limits_warning(&s, buf, sizeof(buf)));
    /* Reused with a config without limits: back to the defaults. */
    CHECK(create_web(&none) == 0);
    CHECK(tl_read_file("/sys/fs/cgroup/web.service/memory.max", buf, sizeof(buf)) == 0);
    CHECK(strcmp(buf, "max\n") == 0);
    CHECK(tl_read_file("/sys/fs/cgroup/web.service/cpu.weight", buf, sizeof(buf)) == 0);
    CHECK(strcmp(buf, "100\n") == 0);
    return 0;
}

/* Not cgroup2 at /sys/fs/cgroup (a tmpfs, as on v1 hosts): not usable, and
 * the one warning of the brief, once. */
static void test_init_refuses_non_cgroup2(void **state)
{
    int status;
    pid_t pid;

    SKIP_UNLESS_ROOT();
    pid = fork();
    if (pid == 0) {
        struct svc_conf s = {.memory_max = 1 << 20};
        struct step st = {{0}};
        char msg[200];

        if (unshare(CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("none", "/sys/fs/cgroup", "tmpfs", 0, NULL) < 0)
            _exit(98);
        if (cgroup_init() != -1 || errno != ENOTSUP || cgroup_usable())
            _exit(1);
        if (cgroup_service_create("web", &s, &st) != -1 || errno != ENOTSUP)
            _exit(2);
        if (!cgroup_limits_warning(&s, msg, sizeof(msg)) ||
            strcmp(msg, "cgroup v2 is not mounted: memory_max, pids_max, cpu_weight "
                        "ignored") != 0)
            _exit(3);
        if (cgroup_limits_warning(&s, msg, sizeof(msg)))
            _exit(4);
        _exit(0);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_refuses_non_cgroup2),
        IN_TEST_CGROUP(test_init_moves_nsinit_into_a_leaf, body_init),
        IN_TEST_CGROUP(test_service_create_attach_kill_remove, body_lifecycle),
        IN_TEST_CGROUP(test_create_fd_works_with_clone_into_cgroup,
                       body_clone_into_cgroup),
        IN_TEST_CGROUP(test_kill_fallback_kills_every_process, body_kill_each),
        IN_TEST_CGROUP(test_remove_of_busy_cgroup_is_tolerated, body_remove_busy),
        IN_TEST_CGROUP(test_missing_controllers_warned_once_each,
                       body_warnings_without_controllers),
        IN_TEST_CGROUP(test_limits_written_and_reset_on_reuse, body_limits_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
