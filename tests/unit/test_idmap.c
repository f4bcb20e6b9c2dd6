/* idmap_write from the parent and idmap_enter in a user-namespace child
 * (root needed), together with mounts_setup the way a service launch uses
 * them: a mapped root that pivots into a small root with a fresh /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <sys/statvfs.h>

#include "idmap.h"
#include "mounts.h"
#include "testlib.h"

TL_TMP_GROUP("idmap")

/* A service config "namespaces = user mnt pid, uid_map = gid_map = 0 100000
 * 65536" built by hand. */
struct userns_conf {
    struct svc_conf s;
    struct idmap_item uid, gid;
    struct mount_item m[2];
};

static void userns_conf_init(struct userns_conf *c, int flags)
{
    memset(c, 0, sizeof(*c));
    c->s.ns_flags = CLONE_NEWUSER | flags;
    tl_idmap(&c->s.uid_maps, &c->uid, 0, 100000, 65536);
    tl_idmap(&c->s.gid_maps, &c->gid, 0, 100000, 65536);
}

/* The kernel prints each map line as three right-aligned numbers. */
static int map_is(const char *path, uint32_t in, uint32_t out, uint32_t count)
{
    char buf[256];
    unsigned a, b, n;

    if (tl_read_file(path, buf, sizeof(buf)) < 0)
        return 0;
    return sscanf(buf, "%u %u %u", &a, &b, &n) == 3 && a == in && b == out &&
           n == count && !strchr(strchr(buf, '\n') + 1, '\n');
}

/* Clones a child into new namespaces, lets the parent write its maps while
 * it waits on a pipe, then runs fn in it. Returns the child's status;
 * *write_rc is idmap_write's result. */
struct launch {
    int (*fn)(void *);
    void *arg;
    int write_rc, write_errno;
    char parent_uid_map[64];
    int maps_read_back, setgroups_allowed;
    struct step st;
};

static int launch(const struct svc_conf *s, struct launch *l)
{
    char path[64], buf[16];
    int go[2];
    pid_t pid;

    if (pipe2(go, O_CLOEXEC) < 0)
        return -1;
    pid = tl_clone3((uint64_t)s->ns_flags);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char c;
        close(go[1]);
        while (read(go[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(l->fn(l->arg));
    }
    close(go[0]);
    l->write_rc = idmap_write(pid, s, &l->st);
    l->write_errno = errno;
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    l->maps_read_back = map_is(path, 0, 100000, 65536);
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
    l->maps_read_back &= map_is(path, 0, 100000, 65536);
    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
    l->setgroups_allowed =
        tl_read_file(path, buf, sizeof(buf)) == 0 && strcmp(buf, "allow\n") == 0;
    close(go[1]); /* go */
    return tl_wait(pid);
}

/* ---- mapped root, pivot_root, fresh proc -------------------------------- */

struct root_case {
    struct userns_conf c;
    char root[PATH_MAX];
};

static int child_userns_root(void *arg)
{
    static const char *const allowed[] = {"/", "/proc", "/dev*", NULL};
    struct root_case *r = arg;
    struct step st = {{0}};
    char buf[64];
    struct stat sb;
    int fd;

    CHECK(idmap_enter(&r->c.s, &st) == 0);
    CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
    CHECK(getpid() == 1);
    CHECK(mounts_setup(&r->c.s, &st) == 0);
    /* a fresh proc of the new pid namespace, after pivot_root */
    CHECK(readlink("/proc/self", buf, sizeof(buf)) == 1 && buf[0] == '1');
    CHECK(map_is("/proc/self/uid_map", 0, 100000, 65536));
    CHECK(map_is("/proc/self/gid_map", 0, 100000, 65536));
    /* the root dir belongs to host root, which is unmapped here */
    CHECK(stat("/", &sb) == 0 && sb.st_uid == 65534);
    CHECK(access("/etc/hostname", F_OK) < 0 && errno == ENOENT);
    CHECK(tl_only_these_mounts(allowed));
    fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1);
    close(fd);
    fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(fd >= 0);
    close(fd);
    return 0;
}

static void test_mapped_userns_child_is_root_and_pivots_with_a_fresh_proc(void **state)
{
    static struct root_case r;
    struct launch l = {.fn = child_userns_root, .arg = &r};
    char path[PATH_MAX + 8];

    (void)state;
    SKIP_UNLESS_ROOT();
    userns_conf_init(&r.c, CLONE_NEWNS | CLONE_NEWPID);
    snprintf(r.root, sizeof(r.root), "%s/root", tmp);
    r.c.s.root = r.root;
    tl_mount(&r.c.s, &r.c.m[0], MOUNT_PROC, NULL, "/proc", NULL, false);
    tl_mount(&r.c.s, &r.c.m[1], MOUNT_DEV, NULL, "/dev", NULL, false);
    /* host root owns the root: the mapped root may not create in it */
    assert_int_equal(mkdir(r.root, 0755), 0);
    snprintf(path, sizeof(path), "%s/proc", r.root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/dev", r.root);
    assert_int_equal(mkdir(path, 0755), 0);

    assert_int_equal(launch(&r.c.s, &l), 0);
    assert_int_equal(l.write_rc, 0);
    assert_true(l.maps_read_back);
    assert_true(l.setgroups_allowed); /* root writer: no "deny" needed */
}

/* ---- the remount fallback under locked flags ----------------------------- */

struct locked_case {
    char src[PATH_MAX], dst[PATH_MAX];
    struct userns_conf c;
};

static int grandchild_remount(void *arg)
{
    struct locked_case *k = arg;
    struct step st = {{0}};
    struct statvfs sv;
    char path[PATH_MAX + 8];

    CHECK(idmap_enter(&k->c.s, &st) == 0);
    CHECK(mount(k->src, k->dst, NULL, MS_BIND, NULL) == 0);
    /* the naive remount would clear nosuid/nodev/noexec: refused */
    CHECK(mount(NULL, k->dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0 &&
          errno == EPERM);
    CHECK(mounts_remount_ro(k->dst) == 0);
    CHECK(statvfs(k->dst, &sv) == 0 && (sv.f_flag & ST_RDONLY));
    snprintf(path, sizeof(path), "%s/x", k->dst);
    CHECK(tl_write_file(path, "x") < 0 && errno == EROFS);
    return 0;
}

static int child_locked_flags(void *arg)
{
    struct locked_case *k = arg;
    struct launch l = {.fn = grandchild_remount, .arg = k};

    CHECK(mount("tmpfs", k->src, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0);
    CHECK(launch(&k->c.s, &l) == 0);
    return l.write_rc == 0 ? 0 : 1;
}

static void test_remount_ro_in_a_userns_keeps_the_locked_flags(void **state)
{
    static struct locked_case k;

    (void)state;
    SKIP_UNLESS_ROOT();
    userns_conf_init(&k.c, CLONE_NEWNS);
    snprintf(k.src, sizeof(k.src), "%s/lsrc", tmp);
    snprintf(k.dst, sizeof(k.dst), "%s/ldst", tmp);
    assert_int_equal(mkdir(k.src, 0755), 0);
    assert_int_equal(mkdir(k.dst, 0755), 0);
    assert_int_equal(tl_run_child(0, child_locked_flags, &k), 0);
}

/* ---- a writer without CAP_SETGID ---------------------------------------- */

static struct userns_conf self_map;

static int grandchild_self_mapped(void *arg)
{
    struct step st = {{0}};
    char buf[16];

    (void)arg;
    CHECK(idmap_enter(&self_map.s, &st) == 0); /* setgroups EPERM is tolerated */
    CHECK(getuid() == 0 && getgid() == 0);
    CHECK(tl_read_file("/proc/self/setgroups", buf, sizeof(buf)) == 0);
    CHECK(strcmp(buf, "deny\n") == 0);
    return 0;
}

static int drop_effective_cap(int cap)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d) < 0)
        return -1;
    d[cap / 32].effective &= ~(1u << (cap % 32));
    return (int)syscall(SYS_capset, &h, d);
}

static int child_without_setgid(void *arg)
{
    struct launch l = {.fn = grandchild_self_mapped};

    (void)arg;
    CHECK(drop_effective_cap(CAP_SETGID) == 0);
    CHECK(launch(&self_map.s, &l) == 0);
    CHECK(l.write_rc == 0);
    return 0;
}

static void test_writer_without_cap_setgid_denies_setgroups_first(void **state)
{
    (void)state;
    SKIP_UNLESS_ROOT();
    /* one line naming the writer's own ids: what an unprivileged writer
     * may map, the gid one only once setgroups is denied */
    memset(&self_map, 0, sizeof(self_map));
    self_map.s.ns_flags = CLONE_NEWUSER;
    tl_idmap(&self_map.s.uid_maps, &self_map.uid, 0, 0, 1);
    tl_idmap(&self_map.s.gid_maps, &self_map.gid, 0, 0, 1);
    assert_int_equal(tl_run_child(0, child_without_setgid, NULL), 0);
}

/* ---- no map ------------------------------------------------------------- */

struct unmapped_case {
    struct svc_conf s;
    char file[PATH_MAX];
};

static int child_unmapped(void *arg)
{
    struct unmapped_case *u = arg;
    struct step st = {{0}};

    CHECK(idmap_enter(&u->s, &st) == 0);
    CHECK(getuid() == 0 && getgid() == 0); /* root inside... */
    /* ...but nobody outside: host root's private directory is closed. */
    CHECK(tl_write_file(u->file, "x") == -1 && errno == EACCES);
    return 0;
}

/* A `user` service without maps gets root inside mapped to nobody (65534)
 * outside, never the host's kuid 0 for file access. */
static void test_userns_without_maps_is_root_inside_and_nobody_outside(void **state)
{
    static struct unmapped_case u;
    struct launch l = {.fn = child_unmapped, .arg = &u};
    struct stat sb;

    (void)state;
    SKIP_UNLESS_ROOT();
    memset(&u, 0, sizeof(u));
    u.s.ns_flags = CLONE_NEWUSER;
    snprintf(u.file, sizeof(u.file), "%s/unmapped", tmp);
    assert_int_equal(chmod(tmp, 0700), 0);
    assert_int_equal(launch(&u.s, &l), 0);
    assert_int_equal(l.write_rc, 0);
    assert_int_equal(stat(u.file, &sb), -1);
}

/* ---- limits ------------------------------------------------------------- */

static void test_map_longer_than_a_page_is_refused_before_writing(void **state)
{
    static struct idmap_item items[200];
    struct svc_conf s = {.ns_flags = CLONE_NEWUSER};
    struct step st = {{0}};
    char want[64];

    (void)state;
    for (int i = 0; i < 200; i++)
        tl_idmap(&s.uid_maps, &items[i], 4000000000u, 4000000000u, 100000000u);
    errno = 0;
    assert_int_equal(idmap_write(getpid(), &s, &st), -1);
    assert_int_equal(errno, E2BIG);
    snprintf(want, sizeof(want), "write /proc/%d/uid_map", (int)getpid());
    assert_string_equal(st.what, want);
}

static void test_no_user_namespace_writes_nothing(void **state)
{
    struct userns_conf c;
    struct step st = {{0}};

    (void)state;
    userns_conf_init(&c, 0);
    c.s.ns_flags = CLONE_NEWNS; /* maps without `user`: ignored */
    assert_int_equal(idmap_write(getpid(), &c.s, &st), 0);
    assert_int_equal(idmap_enter(&c.s, &st), 0);
    assert_int_equal(st.what[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapped_userns_child_is_root_and_pivots_with_a_fresh_proc),
        cmocka_unit_test(test_remount_ro_in_a_userns_keeps_the_locked_flags),
        cmocka_unit_test(test_writer_without_cap_setgid_denies_setgroups_first),
        cmocka_unit_test(test_userns_without_maps_is_root_inside_and_nobody_outside),
        cmocka_unit_test(test_map_longer_than_a_page_is_refused_before_writing),
        cmocka_unit_test(test_no_user_namespace_writes_nothing),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
