/* Unit tests of the config parser as a whole: config_load() on temp files,
 * every diagnostic as the exact line it prints, defaults, includes, cycles,
 * prerequisites, invalid marking, `nsinit check`, and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "testlib.h"

/* ---- helpers ------------------------------------------------------------ */

static char tmpdir[64];
static char path_main[128]; /* the file load_text() writes */

static struct {
    char buf[1 << 16];
    size_t len;
    int lines;
} col;

static void collect_emit(struct diag *d, const char *line, size_t len)
{
    if (col.len + len < sizeof(col.buf)) {
        memcpy(col.buf + col.len, line, len);
        col.len += len;
        col.buf[col.len] = '\0';
    }
    col.lines++;
}

static struct diag diag_new(void)
{
    struct diag d = {collect_emit, NULL, 0};

    col.len = 0;
    col.buf[0] = '\0';
    col.lines = 0;
    return d;
}

/* Writes len bytes of text to tmpdir/name; returns the path (static). */
static const char *write_file_n(const char *name, const char *text, size_t len)
{
    static char path[8][256];
    static int next;
    char *p = path[next++ % 8];
    int fd;

    snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return p;
}

static const char *write_file(const char *name, const char *text)
{
    return write_file_n(name, text, strlen(text));
}

static struct config *load_path(const char *path)
{
    struct diag d = diag_new();
    struct config *c = config_load(path, &d);

    /* Whatever happens, the two counts agree with what was printed. */
    assert_int_equal(d.count, col.lines);
    if (c)
        assert_int_equal(c->n_errors, col.lines);
    return c;
}

static struct config *load_text(const char *text)
{
    snprintf(path_main, sizeof(path_main), "%s", write_file("t.conf", text));
    return load_path(path_main);
}

/* want with every '@' standing for path_main. */
static void assert_diag(const char *want)
{
    char exp[8192];
    size_t n = 0;

    for (; *want && n < sizeof(exp) - 200; want++)
        if (*want == '@')
            n += (size_t)snprintf(exp + n, sizeof(exp) - n, "%s", path_main);
        else
            exp[n++] = *want;
    exp[n] = '\0';
    assert_string_equal(col.buf, exp);
}

/* Loads text, expects exactly the diagnostics want ('@' = the file). */
static void expect(const char *text, const char *want)
{
    struct config *c = load_text(text);

    assert_non_null(c);
    assert_diag(want);
    config_free(c);
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/nsinit-cfgtest-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* ---- the contract's example and defaults ---------------------------------- */

static void test_contract_example_is_valid(void **state)
{
    struct config *c = load_path("config/examples/contract.conf");
    struct svc_conf *web, *sb, *mig, *met;

    assert_non_null(c);
    assert_string_equal(col.buf, "");
    assert_int_equal(c->n_errors, 0);
    assert_string_equal(c->hostname, "appliance");
    assert_int_equal(c->modules.count, 3);
    assert_string_equal(((struct str_item *)c->modules.tail)->s, "ext4");
    assert_int_equal(c->shutdown_timeout_ms, 10000);
    assert_string_equal(c->socket, "/run/nsinit.sock");
    assert_int_equal(c->n_bridges, 1);
    assert_string_equal(c->bridges[0].name, "br0");
    assert_true(c->bridges[0].has_addr);
    assert_int_equal(c->bridges[0].addr, tl_ipv4(192, 168, 2, 1));
    assert_int_equal(c->bridges[0].prefix, 24);
    assert_int_equal(c->n_services, 5);
    assert_string_equal(c->services[0]->name, "db");
    assert_int_equal(c->services[0]->restart_delay_ms, 500);

    mig = config_find(c, "migrate");
    assert_non_null(mig);
    assert_true(mig->oneshot);
    assert_int_equal(mig->restart, RESTART_NEVER);

    web = config_find(c, "web");
    assert_non_null(web);
    assert_false(web->invalid);
    assert_string_equal(web->argv[0], "/usr/bin/httpd");
    assert_string_equal(web->argv[3], "80");
    assert_null(web->argv[4]);
    assert_string_equal(((struct str_item *)web->after.head)->s, "migrate");
    assert_string_equal(web->user, "www");
    assert_string_equal(web->group, "www");
    assert_string_equal(((struct str_item *)web->env.head)->s, "PORT=80");
    assert_string_equal(web->workdir, "/srv");
    assert_int_equal(web->ns_flags, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
                                        CLONE_NEWIPC | CLONE_NEWNET);
    assert_string_equal(web->hostname, "web");
    assert_int_equal(web->mounts.count, 2);
    {
        struct mount_item *m = (struct mount_item *)web->mounts.tail;

        assert_int_equal(m->kind, MOUNT_TMPFS);
        assert_string_equal(m->dst, "/tmp");
        assert_string_equal(m->opts, "size=16m");
    }
    assert_string_equal(web->root, "/srv/web-root");
    assert_true(web->has_net);
    assert_string_equal(web->net_bridge, "br0");
    assert_int_equal(web->net_addr, tl_ipv4(192, 168, 2, 2));
    assert_int_equal(web->net_prefix, 24);
    assert_true(web->net_has_gw);
    assert_int_equal(web->net_gw, tl_ipv4(192, 168, 2, 1));
    assert_int_equal(web->stop_signal, SIGTERM);
    assert_int_equal(web->stop_timeout_ms, 5000);
    assert_true(web->is_main);

    met = config_find(c, "metrics");
    assert_int_equal(met->joins.count, 1);
    assert_int_equal(((struct join_item *)met->joins.head)->ns_flag, CLONE_NEWNET);
    assert_string_equal(((struct join_item *)met->joins.head)->service, "web");
    assert_null(((struct join_item *)met->joins.head)->path);

    sb = config_find(c, "sandbox");
    assert_string_equal(sb->argv[2], "exec /usr/bin/worker --jobs 2");
    assert_int_equal(((struct idmap_item *)sb->uid_maps.head)->outside, 100000);
    assert_int_equal(((struct idmap_item *)sb->gid_maps.head)->count, 65536);
    assert_true(sb->has_caps);
    assert_true(sb->caps == 1ULL << 10);
    assert_true(sb->no_new_privs);
    assert_int_equal(((struct rlimit_item *)sb->rlimits.head)->resource, RLIMIT_NOFILE);
    assert_true(((struct rlimit_item *)sb->rlimits.head)->hard == 1024);
    assert_true(sb->memory_max == 64ull << 20);
    assert_null(config_find(c, "nope"));
    config_free(c);
}

static void test_defaults(void **state)
{
    struct config *c = load_text("[service a]\nexec = /bin/a\n");
    struct svc_conf *a = c->services[0];

    assert_int_equal(c->n_errors, 0);
    assert_null(c->hostname);
    assert_int_equal(c->shutdown_timeout_ms, 10000);
    assert_string_equal(c->socket, "/run/nsinit.sock");
    assert_int_equal(a->restart, RESTART_ALWAYS);
    assert_int_equal(a->restart_delay_ms, 1000);
    assert_int_equal(a->restart_limit, 5);
    assert_int_equal(a->stop_signal, SIGTERM);
    assert_int_equal(a->stop_timeout_ms, 5000);
    assert_null(a->workdir);
    assert_int_equal(a->ns_flags, 0);
    assert_false(a->has_caps || a->has_net || a->oneshot || a->is_main || a->invalid);
    assert_true(a->memory_max == 0 && a->pids_max == 0 && a->cpu_weight == 0);
    config_free(c);
}

static void test_oneshot_defaults_to_never_unless_restart_given(void **state)
{
    struct config *c =
        load_text("[service a]\nexec = /a\noneshot = yes\n"
                  "[service b]\nrestart = always\nexec = /b\noneshot = yes\n"
                  "[service c]\nexec = /c\nrestart = on-failure\n");

    assert_int_equal(c->n_errors, 0);
    assert_int_equal(config_find(c, "a")->restart, RESTART_NEVER);
    assert_int_equal(config_find(c, "b")->restart, RESTART_ALWAYS);
    assert_int_equal(config_find(c, "c")->restart, RESTART_ON_FAILURE);
    config_free(c);
}

static void test_values_reach_the_struct(void **state)
{
    struct config *c = load_text(
        "[init]\nshutdown_timeout = 2m\nsocket = /tmp/x.sock\nmodules = a b\nmodules = "
        "c\n"
        "[service s]\nexec = /s\nstop_signal = SIGKILL\nrestart_limit = 0\n"
        "namespaces = user time cgroup mnt\ntime_offsets = monotonic -10s\n"
        "time_offsets = boottime 1h\nrlimit = core infinity\nrlimit = NOFILE 10 20\n"
        "capabilities = CAP_SYS_ADMIN chown\npids_max = 64\ncpu_weight = 10000\n"
        "mount = bind /a /b ro\nmount = bind /c /d\nmount = dev /dev\n"
        "join = net:/proc/1/ns/net ipc:x\n"
        "[service x]\nexec = /x\nstop_signal = 10\n");
    struct svc_conf *s = config_find(c, "s");
    struct rlimit_item *r = (struct rlimit_item *)s->rlimits.head;
    struct mount_item *m = (struct mount_item *)s->mounts.head;
    struct join_item *j = (struct join_item *)s->joins.head;

    assert_string_equal(col.buf, "");
    assert_int_equal(c->shutdown_timeout_ms, 120000);
    assert_string_equal(c->socket, "/tmp/x.sock");
    assert_int_equal(c->modules.count, 3);
    assert_int_equal(s->stop_signal, SIGKILL);
    assert_int_equal(s->restart_limit, 0);
    assert_int_equal(s->ns_flags, CLONE_NEWUSER | 0x80 | CLONE_NEWCGROUP | CLONE_NEWNS);
    assert_true(s->has_time_offsets);
    assert_true(s->time_monotonic_ms == -10000);
    assert_true(s->time_boottime_ms == 3600000);
    assert_int_equal(r->resource, RLIMIT_CORE);
    assert_true(r->soft == UINT64_MAX && r->hard == UINT64_MAX);
    r = (struct rlimit_item *)r->it.next;
    assert_true(r->soft == 10 && r->hard == 20);
    assert_true(s->caps == ((1ULL << 21) | 1ULL));
    assert_int_equal(s->pids_max, 64);
    assert_int_equal(s->cpu_weight, 10000);
    assert_int_equal(m->kind, MOUNT_BIND);
    assert_string_equal(m->src, "/a");
    assert_string_equal(m->dst, "/b");
    assert_true(m->ro);
    m = (struct mount_item *)m->it.next;
    assert_false(m->ro);
    m = (struct mount_item *)m->it.next;
    assert_int_equal(m->kind, MOUNT_DEV);
    assert_int_equal(m->it.line, 20);
    assert_string_equal(j->path, "/proc/1/ns/net");
    assert_string_equal(((struct join_item *)j->it.next)->service, "x");
    assert_string_equal(((struct join_item *)j->it.next)->kind, "ipc");
    assert_int_equal(config_find(c, "x")->stop_signal, 10);
    config_free(c);
}

/* ---- syntax ------------------------------------------------------------------- */

static void test_comments_blanks_and_quotes(void **state)
{
    struct config *c = load_text(
        "# a comment\n\n   \t\n[init]   # trailing\n  hostname   =   box  # boot\r\n"
        "[ service  web ]\nexec = /bin/echo a#b \"c # d\" \"q \\\" # r\" # gone\n"
        "env = X=1#2\n");
    struct svc_conf *w = config_find(c, "web");

    assert_string_equal(col.buf, "");
    assert_string_equal(c->hostname, "box");
    assert_non_null(w);
    assert_string_equal(w->argv[1], "a#b");
    assert_string_equal(w->argv[2], "c # d");
    assert_string_equal(w->argv[3], "q \" # r");
    assert_null(w->argv[4]);
    assert_string_equal(((struct str_item *)w->env.head)->s, "X=1#2");
    config_free(c);
}

static void test_each_message(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"[init]\nhostname = x\ncolour = blue\n", "@:3: unknown key 'colour'\n"},
        {"[foo]\n", "@:1: unknown section 'foo'\n"},
        {"[service]\n", "@:1: section [service] needs a name\n"},
        {"[bridge]\n", "@:1: section [bridge] needs a name\n"},
        {"[service x y]\n", "@:1: bad service name 'x y'\n"},
        {"[service -x]\n", "@:1: bad service name '-x'\n"},
        {"[service nsinit]\nexec = /a\n",
         "@:1: service name 'nsinit' is reserved (nsinit's own log lines)\n"},
        {"[service abcdefghijabcdefghijabcdefghij12]\n",
         "@:1: bad service name 'abcdefghijabcdefghijabcdefghij12'\n"},
        {"[bridge abcdefghijklmnop]\n", "@:1: bad bridge name 'abcdefghijklmnop'\n"},
        {"[init x]\n", "@:1: section [init] takes no name, not 'x'\n"},
        {"[init\n", "@:1: unterminated section header\n"},
        {"[init] x\n", "@:1: junk after section header 'x'\n"},
        {"hostname = x\n", "@:1: key 'hostname' outside any section\n"},
        {"[init]\nhostname\n", "@:2: expected 'key = value'\n"},
        {"[init]\n= x\n", "@:2: expected 'key = value'\n"},
        {"[init]\nhostname =\n", "@:2: missing value for 'hostname'\n"},
        {"[init]\nhostname = a\nhostname = b\n",
         "@:3: duplicate key 'hostname' (first at line 2)\n"},
        {"[service w]\nexec = /a\nexec = /b\n",
         "@:3: duplicate key 'exec' (first at line 2)\n"},
        {"[service web]\nexec=/a\n[service web]\nexec=/b\n",
         "@:3: duplicate service 'web' (first at @:1)\n"},
        {"[bridge b]\n[bridge b]\n", "@:2: duplicate bridge 'b' (first at @:1)\n"},
        {"[bridge b]\nexec = /x\n", "@:2: key 'exec' is not allowed in [bridge]\n"},
        {"[service s]\nexec=/x\ninclude = /x\n",
         "@:3: key 'include' is not allowed in [service]\n"},
        {"[init]\naddress = 1.2.3.4/8\n",
         "@:2: key 'address' is not allowed in [init]\n"},
        {"[bridge b]\naddress = 1.2.3.4\n",
         "@:2: bad address '1.2.3.4' (expected ADDR/PREFIX)\n"},
        {"[init]\nshutdown_timeout = abc\n", "@:2: bad duration 'abc'\n"},
        {"[init]\nshutdown_timeout = 5000000h\n",
         "@:2: duration out of range '5000000h'\n"},
        {"[init]\nsocket = run/x\n",
         "@:2: bad socket path 'run/x' (absolute, at most 107 bytes)\n"},
        {"[init]\nhostname = a b\n", "@:2: bad hostname 'a b'\n"},
        {"[init]\nmodules = ok b/ad\n", "@:2: bad module name 'b/ad'\n"},
        {"[service s]\nexec = /x\nrestart_limit = 99999999999\n",
         "@:3: number out of range '99999999999'\n"},
        {"[service s]\nexec = /x\nrestart_limit = -1\n", "@:3: bad number '-1'\n"},
        {"[service s]\nexec = /x\nrestart = sometimes\n",
         "@:3: bad restart 'sometimes' (always, on-failure or never)\n"},
        {"[service s]\nexec = /x\noneshot = maybe\n",
         "@:3: bad boolean 'maybe' (yes or no)\n"},
        {"[service s]\nexec = /bin/sh -c \"oops\n", "@:2: unterminated quote\n"},
        {"[service s]\nexec = \"\"\n", "@:2: exec: empty command\n"},
        {"[service s]\nexec = /x\nstop_signal = NOPE\n", "@:3: bad signal 'NOPE'\n"},
        {"[service s]\nexec = /x\nenv = 1X=2\n",
         "@:3: bad env '1X=2' (expected NAME=VALUE)\n"},
        {"[service s]\nexec = /x\nenv = NOEQ\n",
         "@:3: bad env 'NOEQ' (expected NAME=VALUE)\n"},
        {"[service s]\nexec = /x\nenv = A=1\nenv = A=2\n",
         "@:4: duplicate env 'A' (first at line 3)\n"},
        {"[service s]\nexec = /x\nworkdir = srv\n",
         "@:3: workdir: not an absolute path 'srv'\n"},
        {"[service s]\nexec = /x\nuser = a:b\n", "@:3: bad user 'a:b'\n"},
        {"[service s]\nexec = /x\nafter = -bad\n",
         "@:3: after: bad service name '-bad'\n"},
        {"[service s]\nexec = /x\nnamespaces = pid foo\n",
         "@:3: unknown namespace 'foo'\n"},
        {"[service s]\nexec = /x\nnamespaces = mnt\nmount = nfs /x\n",
         "@:4: mount: unknown type 'nfs'\n"},
        {"[service s]\nexec = /x\nnamespaces = mnt\nmount = proc\n",
         "@:4: mount: expected 'proc DIR', 'sysfs DIR', 'tmpfs DIR [OPTS]', "
         "'bind SRC DST [ro]' or 'dev DIR'\n"},
        {"[service s]\nexec = /x\nnamespaces = mnt\nmount = proc proc\n",
         "@:4: mount: not an absolute path 'proc'\n"},
        {"[service s]\nexec = /x\nnamespaces = mnt\nmount = bind /a /b rx\n",
         "@:4: mount: bad bind option 'rx' (ro or rw)\n"},
        {"[service s]\nexec = /x\nnamespaces = mnt\nroot = r\n",
         "@:4: root: not an absolute path 'r'\n"},
        {"[service s]\nexec = /x\nnamespaces = net\nnet = tap b 1.2.3.4/8\n",
         "@:4: net: expected 'veth BRIDGE ADDR/PREFIX [gw ADDR]'\n"},
        {"[service s]\nexec = /x\nnamespaces = net\nnet = veth b 1.2.3.4\n",
         "@:4: net: bad address '1.2.3.4' (expected ADDR/PREFIX)\n"},
        {"[service s]\nexec = /x\nnamespaces = net\nnet = veth b 1.2.3.4/8 gw 1.2.3\n",
         "@:4: net: bad gateway '1.2.3'\n"},
        {"[service s]\nexec = /x\njoin = net\n",
         "@:3: join: expected 'KIND:SERVICE' or 'KIND:/path', not 'net'\n"},
        {"[service s]\nexec = /x\njoin = foo:bar\n",
         "@:3: join: unknown namespace 'foo'\n"},
        {"[service s]\nexec = /x\njoin = net:/a net:/b\n",
         "@:3: join: 'net' given twice (first at line 3)\n"},
        {"[service s]\nexec = /x\nnamespaces = user\nuid_map = 0 1\n",
         "@:4: bad uid_map '0 1' (expected INSIDE OUTSIDE COUNT, COUNT >= 1)\n"},
        {"[service s]\nexec = /x\nnamespaces = user\ngid_map = 1 0 4294967295\n",
         "@:4: gid_map out of range '1 0 4294967295'\n"},
        {"[service s]\nexec = /x\nnamespaces = time\ntime_offsets = realtime 5s\n",
         "@:4: time_offsets: unknown clock 'realtime'\n"},
        {"[service s]\nexec = /x\nnamespaces = time\ntime_offsets = monotonic 1s\n"
         "time_offsets = monotonic 2s\n",
         "@:5: time_offsets: 'monotonic' given twice\n"},
        {"[service s]\nexec = /x\nnamespaces = time\ntime_offsets = boottime x\n",
         "@:4: bad duration 'x'\n"},
        {"[service s]\nexec = /x\nrlimit = files 1\n",
         "@:3: rlimit: unknown limit 'files'\n"},
        {"[service s]\nexec = /x\nrlimit = nofile 10 5\n",
         "@:3: rlimit: soft limit above hard limit\n"},
        {"[service s]\nexec = /x\nrlimit = nofile lots\n",
         "@:3: rlimit: bad value 'lots' (a number, infinity or unlimited)\n"},
        {"[service s]\nexec = /x\nrlimit = nofile 1\nrlimit = NOFILE 2\n",
         "@:4: rlimit: 'NOFILE' given twice (first at line 3)\n"},
        {"[service s]\nexec = /x\ncapabilities = net_admin cap_flying\n",
         "@:3: unknown capability 'cap_flying'\n"},
        {"[service s]\nexec = /x\nmemory_max = 64Q\n", "@:3: bad size '64Q'\n"},
        {"[service s]\nexec = /x\nmemory_max = 0\n",
         "@:3: memory_max out of range '0' (at least 1)\n"},
        {"[service s]\nexec = /x\npids_max = 0\n",
         "@:3: pids_max out of range '0' (at least 1)\n"},
        {"[service s]\nexec = /x\ncpu_weight = 10001\n",
         "@:3: cpu_weight out of range '10001' (1-10000)\n"},
        {"[service web]\nuser = x\n", "@:1: service 'web' has no exec\n"},
        {"[service a]\nexec = /a\nmain = yes\n[service b]\nexec = /b\nmain = yes\n",
         "@:4: more than one main service ('a' at @:1)\n"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case %zu: %s", i, cases[i].want);
        expect(cases[i].text, cases[i].want);
    }
}

static void test_prerequisites_name_the_missing_namespace(void **state)
{
    expect("[service s]\nexec = /x\nhostname = web\n",
           "@:3: 'hostname' needs 'uts' in namespaces\n");
    expect("[service s]\nexec = /x\nmount = proc /proc\nmount = tmpfs /tmp\nroot = /r\n",
           "@:3: 'mount' needs 'mnt' in namespaces\n"
           "@:5: 'root' needs 'mnt' in namespaces\n");
    expect("[service s]\nexec = /x\nnet = veth b 10.0.0.2/24\n[bridge b]\n",
           "@:3: 'net' needs 'net' in namespaces\n");
    expect("[service s]\nexec = /x\nuid_map = 0 1 1\ngid_map = 0 1 1\n",
           "@:3: 'uid_map' needs 'user' in namespaces\n"
           "@:4: 'gid_map' needs 'user' in namespaces\n");
    expect("[service s]\nexec = /x\ntime_offsets = monotonic 1s\n",
           "@:3: 'time_offsets' needs 'time' in namespaces\n");
    /* namespaces may come after the key that needs it. */
    expect("[service s]\nhostname = web\nexec = /x\nnamespaces = uts\n", "");
}

static void test_every_problem_is_reported_and_counted(void **state)
{
    struct diag d = diag_new();
    struct config *c;

    write_file("t.conf", "[init]\ncolour = 1\nsize = 2\n[service a]\nexec = /a\n"
                         "restart_delay = x\n[what]\n");
    c = config_load(path_main, &d);
    assert_non_null(c);
    assert_int_equal(d.count, 4);
    assert_int_equal(c->n_errors, 4);
    assert_int_equal(col.lines, 4);
    config_free(c);
}

/* ---- invalid marking ---------------------------------------------------------- */

static void test_only_the_broken_service_is_invalid(void **state)
{
    struct config *c = load_text("[init]\ncolour = x\n[service a]\nexec = /a\n"
                                 "[service b]\nexec = /b\nbogus = 1\n"
                                 "[service c]\nexec = /c\nafter = nothere\n"
                                 "[bridge br]\naddress = x\n[service d]\nexec = /d\n");

    assert_int_equal(c->n_errors, 4);
    assert_false(config_find(c, "a")->invalid);
    assert_true(config_find(c, "b")->invalid);
    assert_true(config_find(c, "c")->invalid);
    assert_false(config_find(c, "d")->invalid);
    /* The first problem of each is kept for status, as check printed it. */
    char want[300];
    snprintf(want, sizeof(want), "%s:7: unknown key 'bogus'", path_main);
    assert_string_equal(config_find(c, "b")->problem, want);
    snprintf(want, sizeof(want), "%s:10: after: unknown service 'nothere'", path_main);
    assert_string_equal(config_find(c, "c")->problem, want);
    assert_null(config_find(c, "a")->problem);
    config_free(c);
}

static void test_duplicate_service_keeps_first_but_marks_it(void **state)
{
    struct config *c = load_text("[service a]\nexec = /a\n[service a]\nexec = /b\n");

    assert_int_equal(c->n_services, 1);
    assert_string_equal(c->services[0]->argv[0], "/a");
    assert_true(c->services[0]->invalid);
    config_free(c);
}

/* ---- cross-section checks ---------------------------------------------------- */

static void test_cycle_is_one_error_and_marks_every_member(void **state)
{
    struct config *c = load_text("[service a]\nexec = /a\nafter = b\n"
                                 "[service b]\nexec = /b\nafter = c\n"
                                 "[service c]\nexec = /c\nafter = a\n"
                                 "[service d]\nexec = /d\nafter = a\n");

    assert_diag("@:1: dependency cycle: a -> b -> c -> a\n");
    assert_true(config_find(c, "a")->invalid);
    assert_true(config_find(c, "b")->invalid);
    assert_true(config_find(c, "c")->invalid);
    assert_false(config_find(c, "d")->invalid);
    /* Each member's reason in status is the cycle. */
    char want[300];
    snprintf(want, sizeof(want), "%s:1: dependency cycle: a -> b -> c -> a", path_main);
    assert_string_equal(config_find(c, "a")->problem, want);
    assert_string_equal(config_find(c, "b")->problem, want);
    assert_string_equal(config_find(c, "c")->problem, want);
    assert_null(config_find(c, "d")->problem);
    config_free(c);
}

static void test_cycles_through_join_and_self(void **state)
{
    expect("[service a]\nexec = /a\nafter = a\n", "@:1: dependency cycle: a -> a\n");
    expect("[service web]\nexec = /a\nafter = metrics\n"
           "[service metrics]\nexec = /m\njoin = net:web\n",
           "@:1: dependency cycle: web -> metrics -> web\n");
    /* Two separate cycles: two errors. */
    expect("[service a]\nexec = /a\nafter = b\n[service b]\nexec = /b\nafter = a\n"
           "[service c]\nexec = /c\nafter = d\n[service d]\nexec = /d\nafter = c\n",
           "@:1: dependency cycle: a -> b -> a\n@:7: dependency cycle: c -> d -> c\n");
    /* A diamond is no cycle. */
    expect("[service a]\nexec = /a\nafter = b c\n[service b]\nexec = /b\nafter = d\n"
           "[service c]\nexec = /c\nafter = d\n[service d]\nexec = /d\n",
           "");
}

static void test_references_must_exist(void **state)
{
    expect("[service a]\nexec = /a\nafter = x y\n",
           "@:3: after: unknown service 'x'\n@:3: after: unknown service 'y'\n");
    expect("[service a]\nexec = /a\njoin = pid:ghost\n",
           "@:3: join: unknown service 'ghost'\n");
    expect("[service a]\nexec = /a\nnamespaces = net\njoin = net:/proc/1/ns/net\n",
           "@:4: join: 'net' is also in namespaces\n");
    expect("[service a]\nexec = /a\nnamespaces = net\nnet = veth br1 10.0.0.2/24\n",
           "@:4: net: unknown bridge 'br1'\n");
    /* A bridge defined later (or in an include) is fine. */
    expect("[service a]\nexec = /a\nnamespaces = net\nnet = veth br1 10.0.0.2/24\n"
           "[bridge br1]\n",
           "");
}

/* ---- digest --------------------------------------------------------------------- */

static uint64_t digest_of(const char *text, const char *name)
{
    struct config *c = load_text(text);
    uint64_t d = config_find(c, name)->digest;

    config_free(c);
    return d;
}

static void test_digest_follows_keys_and_values_only(void **state)
{
    uint64_t a =
        digest_of("[service s]\nexec = /bin/a x\nafter = t\n[service t]\nexec=/t\n", "s");

    assert_true(a == digest_of("# c\n[service s]\n  exec=/bin/a x   # hi\n\nafter=t\n"
                               "[service t]\nexec=/other\n",
                               "s"));
    assert_true(
        a != digest_of("[service s]\nexec = /bin/a y\nafter = t\n[service t]\nexec=/t\n",
                       "s"));
    assert_true(
        a != digest_of("[service s]\nafter = t\nexec = /bin/a x\n[service t]\nexec=/t\n",
                       "s"));
    assert_true(a !=
                digest_of("[service s]\nexec = /bin/a x\n[service t]\nexec=/t\n", "s"));
}

/* ---- includes ------------------------------------------------------------------- */

static void make_dir(const char *name)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void test_include_reads_conf_files_in_name_order(void **state)
{
    struct config *c;
    char text[512];

    make_dir("d1");
    write_file("d1/20-b.conf", "[service b]\nexec = /b\n");
    write_file("d1/10-a.conf", "[service a]\nexec = /a\ncolour = red\n");
    write_file("d1/notes.txt", "garbage\n");
    write_file("d1/.hidden.conf", "garbage\n");
    write_file("single.cfg", "[service s]\nexec = /s\n");
    snprintf(text, sizeof(text),
             "[init]\ninclude = %s/d1/\ninclude = %s/missing.d\ninclude = single.cfg\n"
             "[service main]\nexec = /m\n",
             tmpdir, tmpdir);
    c = load_text(text);
    assert_int_equal(c->n_services, 4);
    assert_string_equal(c->services[0]->name, "main");
    assert_string_equal(c->services[1]->name, "a");
    assert_string_equal(c->services[2]->name, "b");
    assert_string_equal(c->services[3]->name, "s");
    /* The message names the included file, with a single slash. */
    snprintf(text, sizeof(text), "%s/d1/10-a.conf:3: unknown key 'colour'\n", tmpdir);
    assert_string_equal(col.buf, text);
    assert_true(c->services[1]->invalid);
    assert_false(c->services[2]->invalid);
    snprintf(text, sizeof(text), "%s/d1/10-a.conf", tmpdir);
    assert_string_equal(c->services[1]->file, text);
    assert_int_equal(c->services[1]->line, 1);
    config_free(c);
}

/* An [init] key of a later file overrides (a drop-in); a service defined
 * twice is still an error that names both places. */
static void test_include_init_key_overrides_and_duplicate_service_names_both(void **state)
{
    struct config *c;
    char text[512], want[512];
    const char *inc =
        write_file("inc2.conf", "[init]\nhostname = b\n[service x]\nexec=/x\n");

    snprintf(text, sizeof(text),
             "[init]\nhostname = a\ninclude = %s\n[service x]\nexec=/y\n", inc);
    c = load_text(text);
    snprintf(want, sizeof(want),
             "%s:3: duplicate service 'x' (first at %s:4)\n", inc, path_main);
    assert_string_equal(col.buf, want);
    assert_string_equal(c->hostname, "b");
    config_free(c);
}

static void test_include_nesting_is_limited(void **state)
{
    char name[32], text[256];
    struct config *c;

    /* chain0 includes chain1 ... chain5: the fifth level is refused. */
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "chain%d.conf", i);
        snprintf(text, sizeof(text),
                 "[init]\ninclude = chain%d.conf\n[service s%d]\nexec=/x\n", i + 1, i);
        write_file(name, text);
    }
    snprintf(path_main, sizeof(path_main), "%s/chain0.conf", tmpdir);
    c = load_path(path_main);
    snprintf(text, sizeof(text), "%s/chain4.conf:2: include nested too deep (limit 4)\n",
             tmpdir);
    assert_string_equal(col.buf, text);
    assert_int_equal(c->n_services, 5);
    config_free(c);
}

static void test_include_of_itself_terminates(void **state)
{
    char text[256];
    struct config *c;

    make_dir("loop");
    write_file("loop/a.conf", "[init]\ninclude = .\n");
    snprintf(text, sizeof(text), "[init]\ninclude = %s/loop\n", tmpdir);
    c = load_text(text);
    assert_non_null(c);
    /* t.conf -> loop/a.conf -> loop/./a.conf ... the fourth level stops. */
    snprintf(text, sizeof(text),
             "%s/loop/./././a.conf:2: include nested too deep (limit 4)\n", tmpdir);
    assert_string_equal(col.buf, text);
    config_free(c);
}

static void test_too_many_included_files(void **state)
{
    char name[64], text[256];
    struct config *c;

    make_dir("many");
    for (int i = 0; i < MAX_INCLUDE_FILES + 5; i++) {
        snprintf(name, sizeof(name), "many/%03d.conf", i);
        write_file(name, "# nothing\n");
    }
    snprintf(text, sizeof(text), "[init]\ninclude = %s/many\n", tmpdir);
    c = load_text(text);
    assert_diag("@:2: too many included files (limit 256)\n");
    config_free(c);
}

static void test_include_reads_only_regular_files(void **state)
{
    char text[512], want[512], fifo[300];
    struct config *c;
    int wfd;

    /* A FIFO someone holds open, or a device: read() would never end. */
    make_dir("odd");
    snprintf(fifo, sizeof(fifo), "%s/odd/a.conf", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_true((wfd = open(fifo, O_RDWR | O_CLOEXEC)) >= 0);
    snprintf(text, sizeof(text), "%s/odd/b.conf", tmpdir);
    assert_int_equal(symlink("/dev/zero", text), 0);
    write_file("odd/c.conf", "[service c]\nexec = /c\n");
    snprintf(text, sizeof(text), "[init]\ninclude = %s/odd\ninclude = %s\n", tmpdir, fifo);
    c = load_text(text);
    close(wfd);
    snprintf(want, sizeof(want),
             "%s/odd/a.conf: not a regular file\n%s/odd/b.conf: not a regular file\n"
             "%s: not a regular file\n",
             tmpdir, tmpdir, fifo);
    assert_string_equal(col.buf, want);
    assert_int_equal(c->n_services, 1);
    config_free(c);
}

static void test_unreadable_include_is_reported(void **state)
{
    struct config *c;
    char text[512];

    make_dir("dird");
    make_dir("dird/x.conf");
    snprintf(text, sizeof(text), "[init]\ninclude = %s/dird\n", tmpdir);
    c = load_text(text);
    snprintf(text, sizeof(text), "%s/dird/x.conf: Is a directory\n", tmpdir);
    assert_string_equal(col.buf, text);
    config_free(c);
}

/* ---- nsinit check ----------------------------------------------------------------- */

/* Runs config_check_main with stderr captured into out. */
static int run_check(int argc, char **argv, char *out, size_t size)
{
    char cap[128];
    int fd, saved, rc;
    ssize_t n;

    snprintf(cap, sizeof(cap), "%s/stderr", tmpdir);
    fd = open(cap, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    saved = dup(2);
    dup2(fd, 2);
    rc = config_check_main(argc, argv);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, out, size - 1);
    out[n < 0 ? 0 : n] = '\0';
    close(fd);
    return rc;
}

static void test_check_prints_exact_lines_and_exit_codes(void **state)
{
    char out[4096], want[512];
    char *bad = strdup(write_file("bad.conf", "[init]\nhostname = x\ncolour = blue\n"));
    char *good = strdup(write_file("good.conf", "[service a]\nexec = /a\n"));
    char *missing = "/nonexistent/nsinit.conf";

    assert_int_equal(run_check(2, (char *[]){"check", bad, NULL}, out, sizeof(out)), 1);
    snprintf(want, sizeof(want), "%s:3: unknown key 'colour'\n", bad);
    assert_string_equal(out, want);

    assert_int_equal(run_check(2, (char *[]){"check", good, NULL}, out, sizeof(out)), 0);
    assert_string_equal(out, "");

    assert_int_equal(run_check(3, (char *[]){"check", good, bad, NULL}, out, sizeof(out)),
                     1);
    assert_string_equal(out, want);

    assert_int_equal(run_check(2, (char *[]){"check", missing, NULL}, out, sizeof(out)),
                     1);
    assert_string_equal(out, "/nonexistent/nsinit.conf: No such file or directory\n");

    assert_int_equal(run_check(1, (char *[]){"check", NULL}, out, sizeof(out)), 2);
    assert_non_null(strstr(out, "usage"));
    assert_int_equal(run_check(2, (char *[]){"check", "-x", NULL}, out, sizeof(out)), 2);
    assert_int_equal(
        run_check(3, (char *[]){"check", "--", good, NULL}, out, sizeof(out)), 0);
    free(bad);
    free(good);
}

/* ---- hostile input ----------------------------------------------------------------- */

static void test_line_length_limit(void **state)
{
    static char text[2 * 1024 * 1024 + 100];
    struct config *c;
    size_t n;

    /* Exactly 4096 bytes is fine; 4097 is not. */
    n = (size_t)sprintf(text, "[service a]\nexec = /");
    memset(text + n, 'x', 4096 - 8);
    n += 4096 - 8;
    n += (size_t)sprintf(text + n, "\nexec = /");
    memset(text + n, 'y', 4096 - 7);
    n += 4096 - 7;
    n += (size_t)sprintf(text + n, "\n");
    snprintf(path_main, sizeof(path_main), "%s", write_file_n("t.conf", text, n));
    c = load_path(path_main);
    assert_diag("@:3: line too long (limit 4096 bytes)\n");
    assert_int_equal(strlen(c->services[0]->argv[0]), 4096 - 7);
    config_free(c);

    /* A 2 MB line: one message, and the next line still counts. */
    n = (size_t)sprintf(text, "[service a]\nexec = /a\nenv = X=");
    memset(text + n, 'z', 2 * 1024 * 1024);
    n += 2 * 1024 * 1024;
    n += (size_t)sprintf(text + n, "\n[service b]\nexec = /b\n");
    snprintf(path_main, sizeof(path_main), "%s", write_file_n("t.conf", text, n));
    c = load_path(path_main);
    assert_diag("@:3: line too long (limit 4096 bytes)\n");
    assert_int_equal(c->n_services, 2);
    assert_true(c->services[0]->invalid);
    assert_false(c->services[1]->invalid);
    config_free(c);
}

static void test_nul_bytes(void **state)
{
    static const char text[] = "[service a]\nexec = /a\0b\nuser = x\n\0\n";
    struct config *c;

    snprintf(path_main, sizeof(path_main), "%s",
             write_file_n("t.conf", text, sizeof(text) - 1));
    c = load_path(path_main);
    assert_diag("@:2: NUL byte\n@:4: NUL byte\n@:1: service 'a' has no exec\n");
    config_free(c);
}

static void test_five_thousand_services(void **state)
{
    size_t size = 5000 * 40, n = 0;
    char *text = malloc(size);
    struct config *c;

    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(text + n, size - n, "[service s%d]\nexec = /x\n", i);
    snprintf(path_main, sizeof(path_main), "%s", write_file_n("t.conf", text, n));
    c = load_path(path_main);
    assert_diag("@:513: too many services (limit 256)\n");
    assert_int_equal(c->n_services, MAX_SERVICES);
    config_free(c);
    free(text);
}

static void test_list_entries_are_capped(void **state)
{
    size_t size = 400 * 32, n = 0;
    char *text = malloc(size);
    struct config *c;

    n += (size_t)snprintf(text + n, size - n, "[service a]\nexec = /a\n");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(text + n, size - n, "env = V%d=1\n", i);
    snprintf(path_main, sizeof(path_main), "%s", write_file_n("t.conf", text, n));
    c = load_path(path_main);
    assert_diag("@:259: too many 'env' entries (limit 256)\n");
    assert_int_equal(c->services[0]->env.count, 256);
    config_free(c);
    free(text);
}

static void test_files_that_are_not_config_files(void **state)
{
    struct config *c;
    char want[256], fifo[128];
    int fd;

    /* A directory given as the file. */
    c = load_path(tmpdir);
    assert_null(c);
    snprintf(want, sizeof(want), "%s: Is a directory\n", tmpdir);
    assert_string_equal(col.buf, want);

    /* An endless device: cut at 4 MiB. */
    c = load_path("/dev/zero");
    assert_non_null(c);
    assert_string_equal(col.buf, "/dev/zero: file too large (limit 4 MiB)\n");
    config_free(c);

    /* A regular file over the limit is refused before reading. */
    snprintf(path_main, sizeof(path_main), "%s/big.conf", tmpdir);
    fd = open(path_main, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_int_equal(ftruncate(fd, 5 * 1024 * 1024), 0);
    close(fd);
    assert_null(load_path(path_main));
    assert_diag("@: file too large (limit 4 MiB)\n");

    /* A FIFO is read once a writer comes, as cat reads it (PID 1 refuses
     * one: supervisor.sh). */
    snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t writer = fork();
    assert_true(writer >= 0);
    if (writer == 0) {
        usleep(200 * 1000);
        int w = open(fifo, O_WRONLY | O_CLOEXEC);
        _exit(w >= 0 && write(w, "garbage\n", 8) == 8 ? 0 : 1);
    }
    alarm(10);
    c = load_path(fifo);
    alarm(0);
    assert_non_null(c);
    assert_int_equal(c->n_errors, 1);
    config_free(c);
    assert_int_equal(waitpid(writer, NULL, 0), writer);

    /* Nothing there. */
    assert_null(load_path("/nonexistent/x.conf"));
    assert_string_equal(col.buf, "/nonexistent/x.conf: No such file or directory\n");
}

static void test_random_bytes_never_crash(void **state)
{
    static const char alphabet[] = "[]=#\" \t\n\\abcdeimnorstvx0123456789/:.-_\r";
    static char text[8192];
    unsigned seed = 12345;

    for (int iter = 0; iter < 400; iter++) {
        size_t len = (size_t)(rand_r(&seed) % (int)sizeof(text));
        struct config *c;

        for (size_t i = 0; i < len; i++) {
            int r = rand_r(&seed);

            text[i] =
                (r & 1) ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof(alphabet) - 1)];
        }
        snprintf(path_main, sizeof(path_main), "%s", write_file_n("t.conf", text, len));
        c = load_path(path_main);
        assert_non_null(c);
        config_free(c);
    }
}

static void test_mutated_contract_example_never_crashes(void **state)
{
    static char orig[8192], text[8192];
    int fd = open("config/examples/contract.conf", O_RDONLY | O_CLOEXEC);
    ssize_t len = read(fd, orig, sizeof(orig));
    unsigned seed = 777;

    close(fd);
    assert_true(len > 100);
    for (int iter = 0; iter < 600; iter++) {
        struct config *c;
        int flips = 1 + rand_r(&seed) % 8;

        memcpy(text, orig, (size_t)len);
        for (int i = 0; i < flips; i++)
            text[rand_r(&seed) % len] = "\"#=[] \n\0x9/:-"[rand_r(&seed) % 14];
        snprintf(path_main, sizeof(path_main), "%s",
                 write_file_n("t.conf", text, (size_t)len));
        c = load_path(path_main);
        assert_non_null(c);
        config_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract_example_is_valid),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_oneshot_defaults_to_never_unless_restart_given),
        cmocka_unit_test(test_values_reach_the_struct),
        cmocka_unit_test(test_comments_blanks_and_quotes),
        cmocka_unit_test(test_each_message),
        cmocka_unit_test(test_prerequisites_name_the_missing_namespace),
        cmocka_unit_test(test_every_problem_is_reported_and_counted),
        cmocka_unit_test(test_only_the_broken_service_is_invalid),
        cmocka_unit_test(test_duplicate_service_keeps_first_but_marks_it),
        cmocka_unit_test(test_cycle_is_one_error_and_marks_every_member),
        cmocka_unit_test(test_cycles_through_join_and_self),
        cmocka_unit_test(test_references_must_exist),
        cmocka_unit_test(test_digest_follows_keys_and_values_only),
        cmocka_unit_test(test_include_reads_conf_files_in_name_order),
        cmocka_unit_test(test_include_init_key_overrides_and_duplicate_service_names_both),
        cmocka_unit_test(test_include_nesting_is_limited),
        cmocka_unit_test(test_include_of_itself_terminates),
        cmocka_unit_test(test_too_many_included_files),
        cmocka_unit_test(test_include_reads_only_regular_files),
        cmocka_unit_test(test_unreadable_include_is_reported),
        cmocka_unit_test(test_check_prints_exact_lines_and_exit_codes),
        cmocka_unit_test(test_line_length_limit),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_five_thousand_services),
        cmocka_unit_test(test_list_entries_are_capped),
        cmocka_unit_test(test_files_that_are_not_config_files),
        cmocka_unit_test(test_random_bytes_never_crash),
        cmocka_unit_test(test_mutated_contract_example_never_crashes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
