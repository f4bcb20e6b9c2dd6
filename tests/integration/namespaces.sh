# Per-service namespaces end to end: each test re-runs itself inside fresh
# net, mount and pid namespaces (in_lab), starts `nsinit -c` there and checks
# from outside what the kernel shows: /proc/PID/ns/*, /proc/PID/status,
# mountinfo, links. Bridges and veths exist only in the test's own netns,
# and the test's pid namespace takes every process with it when it ends.

NS_FILE=${BASH_SOURCE[0]}
PY=/usr/bin/python3
# A service body that ends at once on SIGTERM: PID 1 of a pid namespace
# gets no signal from outside that it has no handler for.
HOLD="trap 'exit 0' TERM; sleep 1000 & wait"

# Re-runs the calling test as PID 1 of new net, mount and pid namespaces
# (extra unshare options first, e.g. -U -r), with a private /run.
in_lab() {
    if [ -z "${NS_LAB:-}" ]; then
        NS_LAB=1 exec unshare -n -m -p -f --mount-proc --kill-child "$@" \
            bash -c "set -eu; . '$TOP/tests/integration/lib.sh'; . '$NS_FILE'; ${FUNCNAME[1]}"
    fi
    mount -t tmpfs run /run
}

ctl() { "$NSINIT" ctl -s "$TMP/ctl.sock" "$@"; }

# lab_start: runs nsinit on $TMP/n.conf (written by the test, [init] added).
lab_start() {
    { printf '[init]\nsocket = %s\nshutdown_timeout = 1s\n\n' "$TMP/ctl.sock"; cat; } >"$TMP/n.conf"
    "$NSINIT" check "$TMP/n.conf"
    "$NSINIT" -c "$TMP/n.conf" >"$TMP/out" 2>&1 &
    NSINIT_PID=$!
    wait_for 10 test -S "$TMP/ctl.sock" || die "no control socket"
}

svc_field() { ctl status "$1" | head -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
svc_state() { ctl status "$1" | head -1 | awk '{print $2}'; }
svc_pid() { svc_field "$1" pid; }
is_running() { [ "$(svc_state "$1")" = running ]; }
wait_running() { wait_for 10 is_running "$1" || { cat "$TMP/out"; ctl status; die "$1 is not running"; }; }
state_is() { [ "$(svc_state "$1")" = "$2" ]; }
wait_state() { wait_for 10 state_is "$1" "$2" || { cat "$TMP/out"; ctl status; die "$1 is not $2"; }; }
wait_log() { wait_for 10 grep -qE -- "$1" "$TMP/out" || { cat "$TMP/out"; die "'$1' never logged"; }; }
ns_of() { readlink "/proc/$1/ns/$2"; }
exited() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat")" = Z ]; }

test_lab_example_passes_check() {
    "$NSINIT" check "$TOP/config/examples/lab.conf"
}

test_lab_example_runs() {
    in_lab
    "$NSINIT" -c "$TOP/config/examples/lab.conf" >"$TMP/out" 2>&1 &
    NSINIT_PID=$!
    wait_log '^ns1: hello from ns0$'
    wait_log '^sandbox: inner$'
    wait_log '^sidecar: +eth0:'
    assert_contains "$TMP/out" '^sandbox: uid=0\(root\)'
    local st
    st=$("$NSINIT" ctl status)
    for s in ns0 ns1 sandbox sidecar; do
        printf '%s\n' "$st" | grep -q "^$s running " || die "$s not running: $st"
    done
    # ns1 is ready only once it listens: ns0's first attempt gets through.
    printf '%s\n' "$st" | grep -q "^ns0 running pid=[0-9]* restarts=0 " || die "ns0 restarted: $st"
    assert_not_contains "$TMP/out" 'Traceback|refused|exited with status|killed by|not ready'
    assert_eq ns0 "$("$NSINIT" ctl enter ns0 -- hostname)" "ns0's hostname"
    # Every service stops on SIGTERM or its stop_signal, before the
    # 5 s stop_timeout would SIGKILL it.
    kill -TERM $NSINIT_PID
    wait_for 4 exited $NSINIT_PID || die "nsinit still runs: $(cat "$TMP/out")"
    wait $NSINIT_PID || die "nsinit exited with $?"
    assert_not_contains "$TMP/out" 'did not stop'
}

test_service_has_own_namespaces_hostname_and_is_pid1() {
    in_lab
    lab_start <<EOF
[service box]
exec = /bin/sh -c "cd /proc; echo pids: [0-9]*; echo host: \$(hostname); $HOLD"
namespaces = pid mnt uts ipc net
hostname = box1
mount = proc /proc
EOF
    wait_running box
    local pid k
    pid=$(svc_pid box)
    for k in pid mnt uts ipc net; do
        [ "$(ns_of "$pid" $k)" != "$(ns_of $NSINIT_PID $k)" ] || die "$k namespace is nsinit's"
    done
    for k in user cgroup time; do
        assert_eq "$(ns_of $NSINIT_PID $k)" "$(ns_of "$pid" $k)" "$k namespace (not asked for)"
    done
    assert_eq 1 "$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")" "pid inside its namespace"
    wait_log 'box: pids: 1$'
    wait_log 'box: host: box1$'
    assert_eq box1 "$(nsenter -t "$pid" -u hostname)" "hostname seen through nsenter"
    [ "$(hostname)" != box1 ] || die "hostname leaked out"
}

test_tmpfs_is_private_to_the_service() {
    in_lab
    # A shared mount: without nsinit's private propagation, mounts made by
    # the service would show up here.
    mkdir -p "$TMP/shared"
    mount --bind "$TMP/shared" "$TMP/shared"
    mount --make-shared "$TMP/shared"
    lab_start <<EOF
[service box]
exec = /bin/sh -c "mkdir -p $TMP/shared/inner && mount -t tmpfs later $TMP/shared/inner && echo mounted; $HOLD"
namespaces = mnt
mount = tmpfs $TMP/shared/scratch size=1m
EOF
    wait_running box
    wait_log 'box: mounted'
    local pid
    pid=$(svc_pid box)
    assert_contains "/proc/$pid/mountinfo" " $TMP/shared/scratch .* - tmpfs "
    assert_contains "/proc/$pid/mountinfo" " $TMP/shared/inner .* - tmpfs later"
    assert_not_contains /proc/self/mountinfo "$TMP/shared/scratch"
    assert_not_contains /proc/self/mountinfo "$TMP/shared/inner"
    assert_not_contains "/proc/$pid/mountinfo" "shared:"
}

test_bytes_cross_br0_between_services_and_veth_goes_with_service() {
    in_lab
    lab_start <<EOF
[bridge br0]
address = 192.168.2.1/24

[service ns1]
exec = $PY -c "import socket; s = socket.create_server(('', 7000)); [print('got:', c.makefile().read(), flush=True) for c in iter(lambda: s.accept()[0], None)]"
namespaces = pid mnt uts ipc net
hostname = ns1
mount = proc /proc
net = veth br0 192.168.2.3/24 gw 192.168.2.1
stop_signal = KILL

[service ns0]
exec = /bin/sh -c "until $PY -c \"import socket; socket.create_connection(('192.168.2.3', 7000), 1).sendall(b'hello from ' + socket.gethostname().encode())\" 2>/dev/null; do sleep 0.1; done; echo sent; $HOLD"
after = ns1
namespaces = pid mnt uts ipc net
hostname = ns0
mount = proc /proc
net = veth br0 192.168.2.2/24 gw 192.168.2.1
EOF
    wait_running ns0
    wait_log 'ns1: got: hello from ns0'
    wait_log 'ns0: sent'
    ip -o link >"$TMP/links"
    assert_contains "$TMP/links" '^[0-9]+: vns0@.* master br0 '
    assert_contains "$TMP/links" '^[0-9]+: vns1@.* master br0 '
    assert_contains "$TMP/links" '^[0-9]+: br0: .*UP'
    nsenter -t "$(svc_pid ns0)" -n ip -o -4 addr show eth0 >"$TMP/addr"
    assert_contains "$TMP/addr" 'inet 192.168.2.2/24'
    nsenter -t "$(svc_pid ns0)" -n ip route >"$TMP/route"
    assert_contains "$TMP/route" 'default via 192.168.2.1 dev eth0'
    ctl stop ns0
    wait_state ns0 stopped
    wait_for 10 eval '! ip link show vns0 >/dev/null 2>&1' || die "vns0 is still there"
    ip link show vns1 >/dev/null || die "vns1 went with ns0"
    # Started again: a new pair, on the bridge again, and bytes cross again.
    ctl start ns0
    wait_running ns0
    wait_for 10 eval '[ "$(grep -c "^ns1: got: hello from ns0" "$TMP/out")" = 2 ]' || die "no second hello"
    ip -o link show vns0 >"$TMP/links"
    assert_contains "$TMP/links" 'master br0 '
    # nsinit made br0, so it removes it when it ends.
    kill -TERM $NSINIT_PID
    wait $NSINIT_PID || die "nsinit exited with $?"
    ! ip link show br0 >/dev/null 2>&1 || die "br0 outlived nsinit"
}

test_join_net_of_service_and_of_named_path() {
    in_lab
    ip netns add x
    lab_start <<EOF
[service ns0]
exec = /bin/sh -c "$HOLD"
namespaces = net

# ns0 has no user namespace of its own: joining it is joining ours.
[service side]
exec = /bin/sh -c "$HOLD"
join = net:ns0 user:ns0

[service named]
exec = /bin/sh -c "$HOLD"
join = net:/run/netns/x
EOF
    wait_running side
    wait_running named
    local ns0 side named
    ns0=$(ns_of "$(svc_pid ns0)" net)
    side=$(ns_of "$(svc_pid side)" net)
    named=$(ns_of "$(svc_pid named)" net)
    [ "$ns0" != "$(ns_of $NSINIT_PID net)" ] || die "ns0 has nsinit's net namespace"
    assert_eq "$ns0" "$side" "side's net namespace"
    assert_eq "net:[$(stat -L -c %i /run/netns/x)]" "$named" "named's net namespace"
}

test_join_every_kind_of_a_rootless_pod() {
    in_lab
    lab_start <<EOF
[service pod]
exec = /bin/sh -c "$HOLD"
namespaces = user pid mnt uts ipc net
uid_map = 0 100000 65536
gid_map = 0 100000 65536
hostname = pod
mount = proc /proc

[service member]
exec = /bin/sh -c "echo member: \$(id -u) \$(hostname) \$(cat /proc/1/cmdline | tr '\\0' ' '); unshare -u true && echo nested-ok; $HOLD"
join = user:pod pid:pod mnt:pod uts:pod ipc:pod net:pod
EOF
    wait_running member
    wait_log '^member: nested-ok'
    assert_contains "$TMP/out" "^member: member: 0 pod /bin/sh -c trap"
    local pod member k
    pod=$(svc_pid pod)
    member=$(svc_pid member)
    for k in user pid mnt uts ipc net; do
        assert_eq "$(ns_of "$pod" $k)" "$(ns_of "$member" $k)" "member's $k namespace"
    done
    assert_eq "$(printf 'Uid:\t100000\t100000\t100000\t100000')" "$(grep '^Uid:' "/proc/$member/status")"
}

test_rootless_root_is_uid_100000_and_may_nest_namespaces() {
    in_lab
    lab_start <<EOF
[service sandbox]
exec = /bin/sh -c "unshare -u true && echo nested-ok; echo uid=\$(id -u) gid=\$(id -g); touch /tmp/made-inside; $HOLD"
namespaces = user pid mnt
uid_map = 0 100000 65536
gid_map = 0 100000 65536
mount = proc /proc
mount = tmpfs /tmp
EOF
    wait_running sandbox
    wait_log 'sandbox: uid=0 gid=0'
    wait_log 'sandbox: nested-ok'
    local pid
    pid=$(svc_pid sandbox)
    assert_eq "$(printf 'Uid:\t100000\t100000\t100000\t100000')" "$(grep '^Uid:' "/proc/$pid/status")"
    assert_eq "$(printf 'Gid:\t100000\t100000\t100000\t100000')" "$(grep '^Gid:' "/proc/$pid/status")"
    assert_eq "0 100000 65536" "$(tr -s ' ' <"/proc/$pid/uid_map" | sed 's/^ //')" uid_map
    assert_eq "0 100000 65536" "$(tr -s ' ' <"/proc/$pid/gid_map" | sed 's/^ //')" gid_map
    [ "$(ns_of "$pid" user)" != "$(ns_of $NSINIT_PID user)" ] || die "no user namespace"
    assert_eq 100000 "$(stat -c %u "/proc/$pid/root/tmp/made-inside")" "owner outside"
    # enter acts as nsenter -a: root of the service's user namespace.
    assert_eq "0 0" "$(ctl enter sandbox -- sh -c 'echo $(id -u) $(id -g)')" "ids after enter"
    ctl enter sandbox -- touch /tmp/made-by-enter
    assert_eq 100000 "$(stat -c %u "/proc/$pid/root/tmp/made-by-enter")" "enter's file owner"
}

# A tiny root: the host's /usr bound read-only, the usual merged-/usr links.
make_root() {
    mkdir -p "$1/usr" "$1/proc" "$1/dev"
    ln -s usr/bin "$1/bin"
    ln -s usr/lib "$1/lib"
    ln -s usr/lib64 "$1/lib64"
    ln -s usr/sbin "$1/sbin"
    echo here >"$1/marker"
}

test_root_dir_is_all_the_service_sees() {
    in_lab
    make_root "$TMP/root"
    lab_start <<EOF
[service jail]
exec = /bin/sh -c "echo root: \$(ls /); [ -e $TMP ] && echo old-root-reachable || echo old-root-gone; echo cwd: \$(pwd); $HOLD"
namespaces = pid mnt
root = $TMP/root
mount = bind /usr /usr ro
mount = proc /proc
mount = dev /dev
workdir = /usr
EOF
    wait_running jail
    wait_log 'jail: cwd: /usr$'
    assert_contains "$TMP/out" '^jail: root: bin dev lib lib64 marker proc sbin usr$'
    assert_contains "$TMP/out" '^jail: old-root-gone$'
    local pid
    pid=$(svc_pid jail)
    assert_eq here "$(cat "/proc/$pid/root/marker")" "marker through /proc/PID/root"
    # Only the new root, /usr (and what is below it), /proc and /dev are mounted.
    assert_eq "" "$(awk '$5 != "/" && $5 !~ "^/usr" && $5 != "/proc" && $5 !~ "^/dev" {print $5}' "/proc/$pid/mountinfo")" \
        "mounts besides the new root"
    assert_contains "/proc/$pid/mountinfo" ' /usr ro,'
    nsenter -t "$pid" -m -r sh -c 'touch /usr/x' 2>/dev/null && die "/usr is writable"
    return 0
}

test_time_namespace_offsets_clocks() {
    in_lab
    lab_start <<EOF
[service clock]
exec = /bin/sh -c "$PY -c 'import time; print(\"mono\", time.monotonic(), flush=True)'; echo uptime \$(cat /proc/uptime); $HOLD"
namespaces = time
time_offsets = monotonic 3600s boottime 2h

[service plain]
exec = /bin/sh -c "$HOLD"
namespaces = time
EOF
    wait_running clock
    wait_log '^clock: uptime '
    local mono up pid
    mono=$(sed -n 's/^clock: mono //p' "$TMP/out")
    up=$(sed -n 's/^clock: uptime \([0-9.]*\) .*/\1/p' "$TMP/out")
    $PY -c "import time,sys; d = float(sys.argv[1]) - time.monotonic(); sys.exit(not 3590 < d < 3601)" "$mono" ||
        die "monotonic inside is $mono, outside $($PY -c 'import time; print(time.monotonic())')"
    $PY -c "import sys; d = float(sys.argv[1]) - float(open('/proc/uptime').read().split()[0]); sys.exit(not 7190 < d < 7201)" "$up" ||
        die "uptime inside is $up, outside $(cat /proc/uptime)"
    pid=$(svc_pid clock)
    [ "$(ns_of "$pid" time)" != "$(ns_of $NSINIT_PID time)" ] || die "clock has nsinit's time namespace"
    mono=$(ctl enter clock -- $PY -c 'import time; print(time.monotonic())')
    $PY -c "import time,sys; d = float(sys.argv[1]) - time.monotonic(); sys.exit(not 3599 < d < 3601)" "$mono" ||
        die "monotonic after enter is $mono"
    # `namespaces = time` alone: a time namespace with zero offsets.
    wait_running plain
    [ "$(ns_of "$(svc_pid plain)" time)" != "$(ns_of $NSINIT_PID time)" ] ||
        die "plain has nsinit's time namespace"
}

test_rlimit_capabilities_and_no_new_privs_reach_the_process() {
    in_lab
    lab_start <<EOF
[service lim]
exec = /bin/sh -c "$HOLD"
rlimit = nofile 1024
capabilities = net_bind_service
no_new_privs = yes
EOF
    wait_running lim
    local pid
    pid=$(svc_pid lim)
    assert_contains "/proc/$pid/limits" '^Max open files +1024 +1024 +files'
    assert_contains "/proc/$pid/status" $'^CapBnd:\t0000000000000400$'
    assert_contains "/proc/$pid/status" $'^CapEff:\t0000000000000400$'
    assert_contains "/proc/$pid/status" $'^CapPrm:\t0000000000000400$'
    assert_contains "/proc/$pid/status" $'^NoNewPrivs:\t1$'
}

test_failing_namespace_steps_fail_that_service_alone() {
    in_lab
    lab_start <<EOF
[service ok]
exec = /bin/sh -c "$HOLD"
namespaces = pid

[service badjoin]
exec = /bin/true
join = net:/nonexistent
restart = never

[service badpid]
exec = /bin/true
join = pid:/nonexistent
restart = never

[service badroot]
exec = /bin/true
namespaces = mnt
root = $TMP/missing
restart = never
EOF
    wait_running ok
    wait_state badjoin failed
    wait_state badroot failed
    wait_state badpid failed
    ctl status >"$TMP/status"
    assert_contains "$TMP/status" '^badjoin failed .*reason="join net:/nonexistent: No such file or directory"'
    assert_contains "$TMP/status" "^badroot failed .*reason=\"[a-z_ ]*$TMP/missing[^\"]*: No such file or directory\""
    assert_contains "$TMP/status" '^badpid failed .*reason="join pid:/nonexistent: No such file or directory"'
    assert_contains "$TMP/out" 'badjoin: join net:/nonexistent: No such file or directory'
    kill -0 $NSINIT_PID || die "nsinit died"
    assert_eq 0 "$(zombies_under $NSINIT_PID)" zombies
    is_running ok || die "ok stopped"
}

test_refused_user_namespace_fails_that_service_alone() {
    in_lab -U -r
    # Our own user namespace: its limit is ours to set.
    echo 0 >/proc/sys/user/max_user_namespaces
    lab_start <<EOF
[service ok]
exec = /bin/sh -c "$HOLD"
namespaces = pid mnt

[service sandbox]
exec = /bin/true
namespaces = user pid mnt
uid_map = 0 0 1
gid_map = 0 0 1
restart = never
EOF
    wait_running ok
    wait_state sandbox failed
    ctl status sandbox >"$TMP/status"
    assert_contains "$TMP/status" 'reason="clone: No space left on device"'
    assert_contains "$TMP/out" 'sandbox: clone: No space left on device'
    kill -0 $NSINIT_PID || die "nsinit died"
}

test_ctl_enter_runs_in_every_namespace_with_root_and_cwd() {
    in_lab
    make_root "$TMP/root"
    lab_start <<EOF
[bridge br0]
address = 192.168.2.1/24

[service web]
exec = /bin/sh -c "echo started; $HOLD"
namespaces = pid mnt uts ipc net
hostname = web
root = $TMP/root
mount = bind /usr /usr ro
mount = proc /proc
mount = dev /dev
workdir = /usr/bin
net = veth br0 192.168.2.2/24
EOF
    wait_running web
    wait_log 'web: started'
    local pid out
    pid=$(svc_pid web)
    out=$(ctl enter web -- sh -c 'echo $(hostname) $(pwd) $(ls / | tr "\n" " ") $$; cat /proc/1/cmdline | tr "\0" " "; echo; ip -o -4 addr show eth0')
    printf '%s\n' "$out" >"$TMP/enter"
    assert_contains "$TMP/enter" '^web /usr/bin bin dev lib lib64 marker proc sbin usr [0-9]+$'
    [ "$(sed -n '1s/.* //p' "$TMP/enter")" -lt 10 ] || die "enter's pid is not from the service's pid namespace"
    assert_contains "$TMP/enter" '^/bin/sh -c echo started'
    assert_contains "$TMP/enter" 'inet 192.168.2.2/24'
    set +e
    ctl enter web -- sh -c 'exit 7'
    assert_eq 7 $? "enter's exit status"
    ctl enter web -- /no/such/cmd 2>"$TMP/err"
    assert_eq 127 $? "enter of a missing command"
    set -e
    # status names the same namespaces as /proc/PID/ns.
    local k want
    ctl status web >"$TMP/status"
    for k in cgroup ipc mnt net pid time user uts; do
        want=$(ns_of "$pid" $k)
        grep -qF " $want" "$TMP/status" || die "status lacks $want: $(cat "$TMP/status")"
    done
}

test_cgroup_limits_or_one_warning() {
    in_lab
    lab_start <<EOF
[service a]
exec = /bin/sh -c "$HOLD"
memory_max = 64M
pids_max = 50

[service b]
exec = /bin/sh -c "$HOLD"
memory_max = 32M
cpu_weight = 50
EOF
    wait_running a
    wait_running b
    if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
        assert_eq 1 "$(grep -c 'cgroup v2 is not mounted' "$TMP/out")" "warnings"
        skip "/sys/fs/cgroup is not cgroup2 here (hybrid host): limits not checked, one warning seen"
    fi
    local cg
    cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$(svc_pid a)/cgroup")
    assert_eq "$(basename "$cg")" a.service "a's cgroup"
    assert_eq 67108864 "$(cat "$cg/memory.max")" "a memory.max"
    assert_eq 50 "$(cat "$cg/pids.max")" "a pids.max"
    cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$(svc_pid b)/cgroup")
    assert_eq 33554432 "$(cat "$cg/memory.max")" "b memory.max"
    assert_eq 50 "$(cat "$cg/cpu.weight")" "b cpu.weight"
}
