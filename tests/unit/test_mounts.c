/* mounts_setup in real mount namespaces (root needed): tmpfs, bind, dev,
 * pivot_root into a small root, and the failures that must name their step.
 * Every mount happens in a forked child's private mount namespace; the
 * parent checks afterwards that its own mount table never saw it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/magic.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>

#include "mounts.h"
#include "testlib.h"

TL_TMP_GROUP("mounts")

static void path_in(char *buf, const char *rel)
{
    snprintf(buf, PATH_MAX, "%s%s", tmp, rel);
}

/* ---- tmpfs -------------------------------------------------------------- */

struct tmpfs_case {
    char dir[PATH_MAX];
};

static int child_tmpfs_size_and_mode(void *arg)
{
    struct tmpfs_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS};
    struct mount_item m;
    struct step st = {{0}};
    struct statfs sf;
    struct stat sb;

    tl_mount(&s, &m, MOUNT_TMPFS, NULL, c->dir, "size=1m,mode=700", false);
    CHECK(mounts_setup(&s, &st) == 0);
    CHECK(statfs(c->dir, &sf) == 0);
    CHECK(sf.f_type == TMPFS_MAGIC);
    CHECK((uint64_t)sf.f_blocks * sf.f_bsize == 1024 * 1024);
    CHECK(stat(c->dir, &sb) == 0);
    CHECK((sb.st_mode & 07777) == 0700);
    CHECK(tl_has_mount("/proc/self/mountinfo", c->dir) == 1);
    return 0;
}

static void test_tmpfs_is_mounted_inside_and_never_on_the_host(void **state)
{
    struct tmpfs_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.dir, "/a/b/tmp"); /* missing parents: created */
    assert_int_equal(tl_run_child(0, child_tmpfs_size_and_mode, &c), 0);
    assert_int_equal(tl_has_mount("/proc/self/mountinfo", c.dir), 0);
}

static int child_tmpfs_flag_words(void *arg)
{
    struct tmpfs_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS};
    struct mount_item m;
    struct step st = {{0}};
    struct statvfs sv;
    char file[PATH_MAX + 8];

    tl_mount(&s, &m, MOUNT_TMPFS, NULL, c->dir, "nosuid,size=64k,ro,nodev", false);
    CHECK(mounts_setup(&s, &st) == 0);
    CHECK(statvfs(c->dir, &sv) == 0);
    CHECK((sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV)) ==
          (ST_RDONLY | ST_NOSUID | ST_NODEV));
    CHECK(!(sv.f_flag & ST_NOEXEC));
    CHECK((uint64_t)sv.f_blocks * sv.f_frsize == 64 * 1024);
    snprintf(file, sizeof(file), "%s/x", c->dir);
    CHECK(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) < 0 && errno == EROFS);
    return 0;
}

static void test_tmpfs_flag_words_become_mount_flags(void **state)
{
    struct tmpfs_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.dir, "/ro");
    assert_int_equal(tl_run_child(0, child_tmpfs_flag_words, &c), 0);
    assert_int_equal(tl_has_mount("/proc/self/mountinfo", c.dir), 0);
}

/* ---- bind --------------------------------------------------------------- */

struct bind_case {
    char src[PATH_MAX], dst[PATH_MAX], src_file[PATH_MAX], dst_file[PATH_MAX];
    char ro_dst[PATH_MAX];
};

static int child_bind(void *arg)
{
    struct bind_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS};
    struct mount_item m[3];
    struct step st = {{0}};
    char path[PATH_MAX + 16], buf[64];

    tl_mount(&s, &m[0], MOUNT_BIND, c->src, c->dst, NULL, false);
    tl_mount(&s, &m[1], MOUNT_BIND, c->src_file, c->dst_file, NULL, false);
    tl_mount(&s, &m[2], MOUNT_BIND, c->src, c->ro_dst, NULL, true);
    CHECK(mounts_setup(&s, &st) == 0);
    /* rw bind: a write through it lands in the source */
    snprintf(path, sizeof(path), "%s/new", c->dst);
    CHECK(tl_write_file(path, "through") == 0);
    snprintf(path, sizeof(path), "%s/new", c->src);
    CHECK(tl_read_file(path, buf, sizeof(buf)) == 0 && strcmp(buf, "through") == 0);
    /* a file bound onto a created empty file */
    CHECK(tl_read_file(c->dst_file, buf, sizeof(buf)) == 0 && strcmp(buf, "file") == 0);
    /* ro bind: reads work, writes are refused, the source stays writable */
    snprintf(path, sizeof(path), "%s/new", c->ro_dst);
    CHECK(tl_read_file(path, buf, sizeof(buf)) == 0 && strcmp(buf, "through") == 0);
    snprintf(path, sizeof(path), "%s/other", c->ro_dst);
    CHECK(tl_write_file(path, "x") < 0 && errno == EROFS);
    snprintf(path, sizeof(path), "%s/other", c->src);
    CHECK(tl_write_file(path, "x") == 0);
    return 0;
}

static void test_bind_creates_targets_and_ro_refuses_writes(void **state)
{
    struct bind_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.src, "/src");
    path_in(c.dst, "/deep/dst");
    path_in(c.src_file, "/file");
    path_in(c.dst_file, "/files/bound");
    path_in(c.ro_dst, "/ro");
    assert_int_equal(mkdir(c.src, 0755), 0);
    assert_int_equal(tl_write_file(c.src_file, "file"), 0);
    assert_int_equal(tl_run_child(0, child_bind, &c), 0);
    assert_int_equal(tl_has_mount("/proc/self/mountinfo", c.dst), 0);
    assert_int_equal(tl_has_mount("/proc/self/mountinfo", c.ro_dst), 0);
    /* the targets stay behind on the host as plain directory and file */
    struct stat sb;
    assert_int_equal(stat(c.dst_file, &sb), 0);
    assert_true(S_ISREG(sb.st_mode) && sb.st_size == 0);
}

static int child_bind_ro_recursive(void *arg)
{
    struct bind_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS};
    struct mount_item m;
    struct step st = {{0}};
    char sub[PATH_MAX + 16], path[PATH_MAX + 16];

    /* a mount below the source: a bind ro must cover it too */
    snprintf(sub, sizeof(sub), "%s/sub", c->src);
    CHECK(mount("tmpfs", sub, "tmpfs", 0, "size=64k") == 0);
    tl_mount(&s, &m, MOUNT_BIND, c->src, c->ro_dst, NULL, true);
    CHECK(mounts_setup(&s, &st) == 0);
    snprintf(path, sizeof(path), "%s/sub/x", c->ro_dst);
    CHECK(tl_write_file(path, "x") < 0 && errno == EROFS);
    snprintf(path, sizeof(path), "%s/sub/x", c->src);
    CHECK(tl_write_file(path, "x") == 0);
    return 0;
}

static void test_bind_ro_covers_mounts_below_the_source(void **state)
{
    struct bind_case c;
    char sub[PATH_MAX + 8];

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.src, "/rsrc");
    path_in(c.ro_dst, "/rdst");
    snprintf(sub, sizeof(sub), "%s/sub", c.src);
    assert_int_equal(mkdir(c.src, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(tl_run_child(0, child_bind_ro_recursive, &c), 0);
}

static int child_remount_ro(void *arg)
{
    struct bind_case *c = arg;
    struct statvfs sv;
    char path[PATH_MAX + 16];

    CHECK(mount("tmpfs", c->src, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0);
    CHECK(mount(c->src, c->ro_dst, NULL, MS_BIND, NULL) == 0);
    CHECK(mounts_remount_ro(c->ro_dst) == 0);
    CHECK(statvfs(c->ro_dst, &sv) == 0);
    CHECK((sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)) ==
          (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC));
    snprintf(path, sizeof(path), "%s/x", c->ro_dst);
    CHECK(tl_write_file(path, "x") < 0 && errno == EROFS);
    return 0;
}

/* The pre-5.12 fallback; its user-namespace case is in test_idmap. */
static void test_remount_ro_keeps_the_other_flags(void **state)
{
    struct bind_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.src, "/msrc");
    path_in(c.ro_dst, "/mdst");
    assert_int_equal(mkdir(c.src, 0755), 0);
    assert_int_equal(mkdir(c.ro_dst, 0755), 0);
    assert_int_equal(tl_run_child(0, child_remount_ro, &c), 0);
}

/* ---- root = ------------------------------------------------------------- */

struct root_case {
    char root[PATH_MAX], host_file[PATH_MAX];
};

static int child_root(void *arg)
{
    struct root_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS | CLONE_NEWPID, .root = c->root};
    struct mount_item m[3];
    struct step st = {{0}};
    static const char *const allowed[] = {"/", "/proc", "/tmp", "/data/file", NULL};
    struct statfs sf;
    struct stat a, b;
    char buf[PATH_MAX];

    tl_mount(&s, &m[0], MOUNT_PROC, NULL, "/proc", NULL, false);
    tl_mount(&s, &m[1], MOUNT_TMPFS, NULL, "/tmp", "size=64k", false);
    tl_mount(&s, &m[2], MOUNT_BIND, c->host_file, "/data/file", NULL, true);
    CHECK(mounts_setup(&s, &st) == 0);
    CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
    /* the host's files are gone; / and /.. are the new root */
    CHECK(access("/etc/hostname", F_OK) < 0 && errno == ENOENT);
    CHECK(stat("/", &a) == 0 && stat("/..", &b) == 0);
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    CHECK(stat("/marker", &a) == 0);
    /* proc is a fresh one, of this pid namespace */
    CHECK(statfs("/proc", &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC);
    CHECK(readlink("/proc/self", buf, sizeof(buf)) == 1 && buf[0] == '1');
    CHECK(statfs("/tmp", &sf) == 0 && sf.f_type == TMPFS_MAGIC);
    CHECK(tl_read_file("/data/file", buf, sizeof(buf)) == 0 && strcmp(buf, "hi") == 0);
    CHECK(tl_only_these_mounts(allowed));
    return 0;
}

/* A pid namespace needs a fork after unshare: the grandchild is its PID 1. */
static int child_forks_into_pidns(void *arg)
{
    pid_t pid = fork();

    CHECK(pid >= 0);
    if (pid == 0)
        _exit(child_root(arg));
    return tl_wait(pid);
}

static void make_small_root(char *root, const char *name)
{
    char path[PATH_MAX + 16];

    path_in(root, name);
    assert_int_equal(mkdir(root, 0755), 0);
    snprintf(path, sizeof(path), "%s/proc", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/marker", root);
    assert_int_equal(tl_write_file(path, ""), 0);
}

static void test_root_pivots_and_the_old_root_is_gone(void **state)
{
    struct root_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    assert_int_equal(access("/etc/hostname", F_OK), 0); /* else the test proves nothing */
    make_small_root(c.root, "/root");
    path_in(c.host_file, "/hostfile");
    assert_int_equal(tl_write_file(c.host_file, "hi"), 0);
    assert_int_equal(tl_run_child(CLONE_NEWPID, child_forks_into_pidns, &c), 0);
    assert_int_equal(tl_has_mount("/proc/self/mountinfo", c.root), 0);
}

/* ---- dev DIR ------------------------------------------------------------ */

static int ioctl_tiocgptn(int fd, int *n)
{
    return ioctl(fd, TIOCGPTN, n);
}

static int check_dev(const char *dev)
{
    char path[PATH_MAX], buf[16] = "xxxxxxxxxxxxxxx";
    struct statfs sf;
    int fd, pty;

    snprintf(path, sizeof(path), "%s/null", dev);
    fd = open(path, O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/zero", dev);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/ptmx", dev);
    pty = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(pty >= 0);
    CHECK(grantpt(pty) == 0 && unlockpt(pty) == 0);
    /* the pty lives in the new devpts instance, where it is number 0 */
    int n = -1;
    CHECK(ioctl_tiocgptn(pty, &n) == 0 && n == 0);
    snprintf(path, sizeof(path), "%s/pts/0", dev);
    fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(fd >= 0);
    close(fd);
    close(pty);
    snprintf(path, sizeof(path), "%s/fd", dev);
    CHECK(readlink(path, buf, sizeof(buf)) == 13 &&
          memcmp(buf, "/proc/self/fd", 13) == 0);
    snprintf(path, sizeof(path), "%s/shm", dev);
    CHECK(statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC);
    snprintf(path, sizeof(path), "%s/shm/seg", dev);
    CHECK(tl_write_file(path, "x") == 0);
    return 0;
}

static int child_dev_in_root(void *arg)
{
    struct root_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS, .root = c->root};
    struct mount_item m[2];
    struct step st = {{0}};

    tl_mount(&s, &m[0], MOUNT_DEV, NULL, "/dev", NULL, false);
    tl_mount(&s, &m[1], MOUNT_PROC, NULL, "/proc", NULL, false);
    CHECK(mounts_setup(&s, &st) == 0);
    CHECK(access("/dev/kmsg", F_OK) < 0); /* only the minimal set */
    return check_dev("/dev");
}

static void test_dev_in_a_root_has_working_nodes_and_ptys(void **state)
{
    struct root_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    make_small_root(c.root, "/devroot");
    assert_int_equal(tl_run_child(0, child_dev_in_root, &c), 0);
}

static int child_dev_over_host_dev(void *arg)
{
    struct svc_conf s = {.ns_flags = CLONE_NEWNS};
    struct mount_item m;
    struct step st = {{0}};

    (void)arg;
    /* without a root the host's /dev itself is covered: the nodes must
     * have been taken before the tmpfs hid them */
    tl_mount(&s, &m, MOUNT_DEV, NULL, "/dev", NULL, false);
    CHECK(mounts_setup(&s, &st) == 0);
    CHECK(access("/dev/kmsg", F_OK) < 0 && errno == ENOENT);
    return check_dev("/dev");
}

static void test_dev_without_root_covers_the_hosts_dev(void **state)
{
    (void)state;
    SKIP_UNLESS_ROOT();
    assert_int_equal(access("/dev/kmsg", F_OK), 0);
    assert_int_equal(tl_run_child(0, child_dev_over_host_dev, NULL), 0);
    assert_int_equal(access("/dev/kmsg", F_OK), 0);
}

/* ---- failures ----------------------------------------------------------- */

static int child_missing_root(void *arg)
{
    struct root_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS, .root = c->root};
    struct step st = {{0}};

    errno = 0;
    CHECK(mounts_setup(&s, &st) == -1);
    CHECK(errno == ENOENT);
    CHECK(strstr(st.what, c->root) != NULL);
    fprintf(stderr, "step: %s\n", st.what);
    return 0;
}

static void test_missing_root_fails_with_enoent_and_names_the_step(void **state)
{
    struct root_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.root, "/no/such/root");
    assert_int_equal(tl_run_child(0, child_missing_root, &c), 0);
}

static int child_missing_bind_source(void *arg)
{
    struct bind_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWNS};
    struct mount_item m;
    struct step st = {{0}};
    char want[2 * PATH_MAX + 8];

    tl_mount(&s, &m, MOUNT_BIND, c->src, c->dst, NULL, false);
    CHECK(mounts_setup(&s, &st) == -1 && errno == ENOENT);
    snprintf(want, sizeof(want), "bind %s %s", c->src, c->dst);
    CHECK(strcmp(st.what, want) == 0);
    CHECK(access(c->dst, F_OK) < 0); /* nothing created for a failed bind */
    return 0;
}

static void test_missing_bind_source_names_the_bind(void **state)
{
    struct bind_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.src, "/nothing");
    path_in(c.dst, "/target");
    assert_int_equal(tl_run_child(0, child_missing_bind_source, &c), 0);
}

static int child_no_mount_namespace(void *arg)
{
    struct tmpfs_case *c = arg;
    struct svc_conf s = {.ns_flags = CLONE_NEWPID}; /* no CLONE_NEWNS */
    struct mount_item m;
    struct step st = {{0}};

    tl_mount(&s, &m, MOUNT_TMPFS, NULL, c->dir, NULL, false);
    CHECK(mounts_setup(&s, &st) == -1 && errno == EINVAL);
    CHECK(access(c->dir, F_OK) < 0);
    CHECK(tl_has_mount("/proc/self/mountinfo", c->dir) == 0);
    return 0;
}

static void test_mounts_without_a_mount_namespace_are_refused(void **state)
{
    struct tmpfs_case c;

    (void)state;
    SKIP_UNLESS_ROOT();
    path_in(c.dir, "/never");
    assert_int_equal(tl_run_child(0, child_no_mount_namespace, &c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tmpfs_is_mounted_inside_and_never_on_the_host),
        cmocka_unit_test(test_tmpfs_flag_words_become_mount_flags),
        cmocka_unit_test(test_bind_creates_targets_and_ro_refuses_writes),
        cmocka_unit_test(test_bind_ro_covers_mounts_below_the_source),
        cmocka_unit_test(test_remount_ro_keeps_the_other_flags),
        cmocka_unit_test(test_root_pivots_and_the_old_root_is_gone),
        cmocka_unit_test(test_dev_in_a_root_has_working_nodes_and_ptys),
        cmocka_unit_test(test_dev_without_root_covers_the_hosts_dev),
        cmocka_unit_test(test_missing_root_fails_with_enoent_and_names_the_step),
        cmocka_unit_test(test_missing_bind_source_names_the_bind),
        cmocka_unit_test(test_mounts_without_a_mount_namespace_are_refused),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
