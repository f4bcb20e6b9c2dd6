/* Live tests (root) of creds_apply, caps_*, rlimits_apply: every case runs
 * in a forked child with its own mount namespace, where test files are
 * bind-mounted over /etc/passwd and /etc/group (the host's stay as they
 * are). Capability cases check what an execve'd program really has. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "creds.h"
#include "rlimits.h"

static char tmpdir[64];
static char passwd_path[128], group_path[128];

static const char test_passwd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "svc:x:4242:4343:service:/home/svc:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char test_group[] = "root:x:0:\n"
                                 "svc:x:4343:\n"
                                 "extra:x:5000:svc,other\n"
                                 "more:x:5001:other,svc\n"
                                 "unrelated:x:5002:other\n"
                                 "nogroup:x:65534:\n";

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

static void write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
    close(fd);
}

static int group_setup(void **state)
{
    if (geteuid() != 0)
        return 0;
    strcpy(tmpdir, "/tmp/test_creds.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    chmod(tmpdir, 0755);
    snprintf(passwd_path, sizeof(passwd_path), "%s/passwd", tmpdir);
    snprintf(group_path, sizeof(group_path), "%s/group", tmpdir);
    write_file(passwd_path, test_passwd);
    write_file(group_path, test_group);
    return 0;
}

static int group_teardown(void **state)
{
    if (tmpdir[0]) {
        unlink(passwd_path);
        unlink(group_path);
        rmdir(tmpdir);
    }
    return 0;
}

static void need_root(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: needs root\n");
        skip();
    }
}

/* In the child: a private mount namespace with the test /etc files. */
static int child_setup(bool new_net)
{
    if (unshare(CLONE_NEWNS | (new_net ? CLONE_NEWNET : 0)) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount(passwd_path, "/etc/passwd", NULL, MS_BIND, NULL) < 0 ||
        mount(group_path, "/etc/group", NULL, MS_BIND, NULL) < 0) {
        perror("child setup");
        return -1;
    }
    return 0;
}

/* Runs fn in a forked child set up as above; the child's exit status is
 * fn's result (0 = every check passed). */
static void run_child(int (*fn)(void))
{
    int status;
    pid_t pid;

    need_root();
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_setup(false) < 0 ? 99 : fn());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int check_ids(uid_t uid, gid_t gid)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;

    CHECK(getresuid(&r, &e, &s) == 0);
    CHECK(r == uid && e == uid && s == uid);
    CHECK(getresgid(&rg, &eg, &sg) == 0);
    CHECK(rg == gid && eg == gid && sg == gid);
    return 0;
}

/* The supplementary groups, as a set. */
static int check_groups(const gid_t *want, int n)
{
    gid_t got[64];
    int ng = getgroups(64, got);

    CHECK(ng == n);
    for (int i = 0; i < n; i++) {
        bool found = false;

        for (int j = 0; j < ng; j++)
            found = found || got[j] == want[i];
        CHECK(found);
    }
    return 0;
}

static int check_env(const char *name, const char *want)
{
    const char *v = getenv(name);

    if (!v || strcmp(v, want) != 0) {
        fprintf(stderr, "%s: want '%s', got '%s'\n", name, want, v ? v : "(unset)");
        return 1;
    }
    return 0;
}

static int apply(struct svc_conf *s)
{
    struct step st = {{0}};

    if (creds_apply(s, &st) < 0) {
        fprintf(stderr, "creds_apply: %s: %s\n", st.what, strerror(errno));
        return 1;
    }
    return 0;
}

static int child_user_by_name(void)
{
    struct svc_conf s = {.user = "svc"};
    const gid_t groups[] = {4343, 5000, 5001};

    setenv("HOME", "/root", 1);
    CHECK(apply(&s) == 0);
    return check_ids(4242, 4343) || check_groups(groups, 3) ||
           check_env("HOME", "/home/svc") || check_env("USER", "svc");
}

static void test_user_by_name_sets_ids_groups_and_env(void **state)
{
    run_child(child_user_by_name);
}

static int child_user_and_group(void)
{
    struct svc_conf s = {.user = "svc", .group = "extra"};
    const gid_t groups[] = {5000, 5001};

    CHECK(apply(&s) == 0);
    return check_ids(4242, 5000) || check_groups(groups, 2) || check_env("USER", "svc");
}

static void test_group_key_replaces_primary_group(void **state)
{
    run_child(child_user_and_group);
}

static int child_group_alone(void)
{
    struct svc_conf s = {.group = "nogroup"};
    const gid_t groups[] = {65534};

    setenv("HOME", "/keep", 1);
    unsetenv("USER");
    CHECK(apply(&s) == 0);
    CHECK(getenv("USER") == NULL);
    return check_ids(0, 65534) || check_groups(groups, 1) || check_env("HOME", "/keep");
}

static void test_group_alone_changes_only_the_group(void **state)
{
    run_child(child_group_alone);
}

static int child_numeric_without_entry(void)
{
    struct svc_conf s = {.user = "12345"};
    const gid_t groups[] = {12345};

    CHECK(apply(&s) == 0);
    return check_ids(12345, 12345) || check_groups(groups, 1) || check_env("HOME", "/") ||
           check_env("USER", "12345");
}

static void test_numeric_user_without_entry(void **state)
{
    run_child(child_numeric_without_entry);
}

static int child_numeric_with_entry(void)
{
    struct svc_conf s = {.user = "4242", .group = "5002"};
    const gid_t groups[] = {5002, 5000, 5001};

    CHECK(apply(&s) == 0);
    return check_ids(4242, 5002) || check_groups(groups, 3) ||
           check_env("HOME", "/home/svc") || check_env("USER", "svc");
}

static void test_numeric_user_with_entry_uses_it(void **state)
{
    run_child(child_numeric_with_entry);
}

static int child_unknown_names(void)
{
    struct svc_conf s = {.user = "www"};
    struct step st = {{0}};

    errno = 0;
    CHECK(creds_apply(&s, &st) == -1);
    CHECK(errno == ENOENT);
    CHECK(strcmp(st.what, "user www: no such user") == 0);
    CHECK(check_ids(0, 0) == 0);

    s = (struct svc_conf){.user = "svc", .group = "nope"};
    CHECK(creds_apply(&s, &st) == -1);
    CHECK(strcmp(st.what, "group nope: no such group") == 0);
    return check_ids(0, 0);
}

static void test_unknown_user_or_group_fails_and_changes_nothing(void **state)
{
    run_child(child_unknown_names);
}

/* ---- capabilities, no_new_privs, rlimits: seen after execve ---------- */

/* The launch sequence in the order caps.h prescribes. */
static int launch_steps(struct svc_conf *s)
{
    struct step st = {{0}};

    if (rlimits_apply(s, &st) < 0 || caps_prepare(s, &st) < 0 ||
        caps_no_new_privs(s, &st) < 0 || creds_apply(s, &st) < 0 ||
        caps_finish(s, &st) < 0) {
        fprintf(stderr, "launch: %s: %s\n", st.what, strerror(errno));
        return -1;
    }
    return 0;
}

/* Forks a child that runs the launch steps and execs argv with stdout to
 * out. Returns the exit status (or 128+signal). */
static int spawn(struct svc_conf *s, char *const argv[], bool new_net, char *out,
                 size_t size)
{
    int p[2], status;
    size_t have = 0;
    ssize_t n;
    pid_t pid;

    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (child_setup(new_net) < 0 || launch_steps(s) < 0 || chdir("/") < 0)
            _exit(99);
        dup2(p[1], 1);
        execv(argv[0], argv);
        perror(argv[0]);
        _exit(98);
    }
    close(p[1]);
    while (have < size - 1 && (n = read(p[0], out + have, size - 1 - have)) > 0)
        have += (size_t)n;
    out[have] = '\0';
    close(p[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "CapEff:\t0000000000000400" -> the value after the tab. */
static const char *status_field(const char *status, const char *key, char *buf,
                                size_t size)
{
    const char *p = strstr(status, key);
    size_t n;

    if (!p)
        return "(missing)";
    p += strlen(key);
    p += strspn(p, " \t");
    n = strcspn(p, "\n");
    snprintf(buf, size, "%.*s", (int)n, p);
    return buf;
}

static void assert_field(const char *status, const char *key, const char *want)
{
    char buf[128];

    if (strcmp(status_field(status, key, buf, sizeof(buf)), want) != 0)
        fail_msg("%s want '%s', got '%s'", key, want, buf);
}

static void test_caps_survive_user_switch_and_execve(void **state)
{
    struct svc_conf s = {.user = "svc",
                         .has_caps = true,
                         .caps = 1ull << CAP_NET_BIND_SERVICE,
                         .no_new_privs = true};
    char *const argv[] = {"/bin/cat", "/proc/self/status", NULL};
    char out[8192];

    need_root();
    assert_int_equal(spawn(&s, argv, false, out, sizeof(out)), 0);
    assert_field(out, "Uid:", "4242\t4242\t4242\t4242");
    assert_field(out, "Gid:", "4343\t4343\t4343\t4343");
    assert_field(out, "CapInh:", "0000000000000400");
    assert_field(out, "CapPrm:", "0000000000000400");
    assert_field(out, "CapEff:", "0000000000000400");
    assert_field(out, "CapBnd:", "0000000000000400");
    assert_field(out, "CapAmb:", "0000000000000400");
    assert_field(out, "NoNewPrivs:", "1");
}

static void test_caps_for_root_limit_bounding_set(void **state)
{
    struct svc_conf s = {.has_caps = true, .caps = 1ull << CAP_NET_BIND_SERVICE};
    char *const argv[] = {"/bin/cat", "/proc/self/status", NULL};
    char out[8192];

    need_root();
    assert_int_equal(spawn(&s, argv, false, out, sizeof(out)), 0);
    assert_field(out, "Uid:", "0\t0\t0\t0");
    assert_field(out, "CapEff:", "0000000000000400");
    assert_field(out, "CapPrm:", "0000000000000400");
    assert_field(out, "CapBnd:", "0000000000000400");
    assert_field(out, "NoNewPrivs:", "0");
}

static void test_without_caps_key_non_root_has_none(void **state)
{
    struct svc_conf s = {.user = "svc"};
    char *const argv[] = {"/bin/cat", "/proc/self/status", NULL};
    char out[8192], mine[8192], bnd[64];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n;

    need_root();
    assert_true(fd >= 0);
    n = read(fd, mine, sizeof(mine) - 1);
    close(fd);
    assert_true(n > 0);
    mine[n] = '\0';
    assert_int_equal(spawn(&s, argv, false, out, sizeof(out)), 0);
    assert_field(out, "CapEff:", "0000000000000000");
    assert_field(out, "CapPrm:", "0000000000000000");
    assert_field(out, "CapAmb:", "0000000000000000");
    /* The bounding set is left alone. */
    assert_field(out, "CapBnd:", status_field(mine, "CapBnd:", bnd, sizeof(bnd)));
}

/* The real use: a non-root program binding port 80 (in a network
 * namespace of its own), with and without the capability. */
static void test_net_bind_service_lets_non_root_bind_port_80(void **state)
{
    const char *py = "/usr/bin/python3";
    char *const argv[] = {"/usr/bin/python3", "-I", "-c",
                          "import socket,os\n"
                          "s=socket.socket()\n"
                          "s.bind(('0.0.0.0',80))\n"
                          "print('bound', os.getuid())\n",
                          NULL};
    struct svc_conf with = {
        .user = "svc", .has_caps = true, .caps = 1ull << CAP_NET_BIND_SERVICE};
    struct svc_conf without = {.user = "svc"};
    char out[512];

    need_root();
    if (access(py, X_OK) < 0) {
        fprintf(stderr, "SKIP: %s not installed\n", py);
        skip();
    }
    assert_int_equal(spawn(&with, argv, true, out, sizeof(out)), 0);
    assert_string_equal(out, "bound 4242\n");
    assert_int_not_equal(spawn(&without, argv, true, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

static int child_caps_unknown(void)
{
    struct svc_conf s = {.has_caps = true, .caps = 1ull << 63};
    struct step st = {{0}};

    CHECK(caps_prepare(&s, &st) == -1);
    CHECK(errno == EINVAL);
    CHECK(strstr(st.what, "capability 63: unknown to this kernel") == st.what);
    /* Nothing was dropped before the check failed. */
    CHECK(prctl(PR_CAPBSET_READ, CAP_NET_RAW, 0, 0, 0) == 1);
    return 0;
}

static void test_capability_unknown_to_kernel_is_refused(void **state)
{
    run_child(child_caps_unknown);
}

static void test_cap_last_cap_matches_proc(void **state)
{
    char buf[16] = "";
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    close(fd);
    assert_int_equal(caps_last_cap(), atoi(buf));
    assert_true(caps_last_cap() >= CAP_AUDIT_READ);
}

static void add_rlimit(struct svc_conf *s, struct rlimit_item *r)
{
    r->it.next = NULL;
    if (s->rlimits.tail)
        s->rlimits.tail->next = &r->it;
    else
        s->rlimits.head = &r->it;
    s->rlimits.tail = &r->it;
    s->rlimits.count++;
}

static int child_rlimits(void)
{
    struct svc_conf s = {0};
    struct rlimit_item nofile = {.resource = RLIMIT_NOFILE, .soft = 1024, .hard = 2048};
    struct rlimit_item core = {.resource = RLIMIT_CORE, .soft = 0, .hard = UINT64_MAX};
    struct rlimit_item bad = {.resource = RLIMIT_NPROC, .soft = 10, .hard = 5};
    struct rlimit rl;
    struct step st = {{0}};

    add_rlimit(&s, &nofile);
    CHECK(getrlimit(RLIMIT_CORE, &rl) == 0);
    bool core_unlimited = rl.rlim_max == RLIM_INFINITY;
    if (core_unlimited) /* raising a hard limit would need CAP_SYS_RESOURCE */
        add_rlimit(&s, &core);
    CHECK(rlimits_apply(&s, &st) == 0);
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    CHECK(rl.rlim_cur == 1024 && rl.rlim_max == 2048);
    if (core_unlimited) {
        CHECK(getrlimit(RLIMIT_CORE, &rl) == 0);
        CHECK(rl.rlim_cur == 0 && rl.rlim_max == RLIM_INFINITY);
    }

    add_rlimit(&s, &bad);
    errno = 0;
    CHECK(rlimits_apply(&s, &st) == -1);
    CHECK(errno == EINVAL);
    CHECK(strcmp(st.what, "rlimit nproc") == 0);
    return 0;
}

static void test_rlimits_applied_and_failure_named(void **state)
{
    run_child(child_rlimits);
}

static void test_rlimits_after_execve(void **state)
{
    struct svc_conf s = {.user = "svc"};
    struct rlimit_item nofile = {.resource = RLIMIT_NOFILE, .soft = 1024, .hard = 2048};
    char *const argv[] = {"/bin/cat", "/proc/self/limits", NULL};
    char out[8192];

    need_root();
    add_rlimit(&s, &nofile);
    assert_int_equal(spawn(&s, argv, false, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "Max open files            1024                 2048"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_by_name_sets_ids_groups_and_env),
        cmocka_unit_test(test_group_key_replaces_primary_group),
        cmocka_unit_test(test_group_alone_changes_only_the_group),
        cmocka_unit_test(test_numeric_user_without_entry),
        cmocka_unit_test(test_numeric_user_with_entry_uses_it),
        cmocka_unit_test(test_unknown_user_or_group_fails_and_changes_nothing),
        cmocka_unit_test(test_caps_survive_user_switch_and_execve),
        cmocka_unit_test(test_caps_for_root_limit_bounding_set),
        cmocka_unit_test(test_without_caps_key_non_root_has_none),
        cmocka_unit_test(test_net_bind_service_lets_non_root_bind_port_80),
        cmocka_unit_test(test_capability_unknown_to_kernel_is_refused),
        cmocka_unit_test(test_cap_last_cap_matches_proc),
        cmocka_unit_test(test_rlimits_applied_and_failure_named),
        cmocka_unit_test(test_rlimits_after_execve),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
