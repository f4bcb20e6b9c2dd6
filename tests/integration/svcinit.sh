# init = yes: nsinit itself is PID 1 of a service's pid namespace, the
# command its child (PID 2): signals forwarded, orphans reaped, the
# command's status the service's. Run as `nsinit -c` (not PID 1).
. "$TOP/tests/integration/svc_helpers.bash"

# init_conf NAME EXEC [EXTRA KEY LINES...]
init_conf() {
    local name=$1 exec=$2 l
    shift 2
    echo "[service $name]"
    echo "exec = $exec"
    echo "namespaces = pid mnt"
    echo "mount = proc /proc"
    echo "init = yes"
    for l in "$@"; do echo "$l"; done
}

# The pids of the children of PID.
children_of() { cat /proc/$1/task/*/children 2>/dev/null | tr -s " " "\n" | grep .; }

test_init_yes_runs_nsinit_as_pid_1_and_the_command_as_pid_2() {
    { conf_head; init_conf web "/bin/sh -c \"echo pid=\$\$ ppid=\$PPID comm1=\$(cat /proc/1/comm); exec sleep 1000\""; } >conf
    start_ns conf
    wait_state web running
    wait_line err "web: pid=2 ppid=1 comm1=nsinit"
    local pid
    pid=$(field_of web pid)
    # The service's pid is that init: the same binary as ours, no file in
    # the service's root asked for.
    [ "$(stat -L -c %d:%i /proc/$pid/exe)" = "$(stat -L -c %d:%i "$NSINIT")" ] || die "its init is not nsinit"
    [ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] || die "no pid namespace of its own"
    assert_eq sleep "$(cat /proc/$(children_of $pid)/comm)" "its one child"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_init_yes_reaps_the_orphans_of_its_namespace() {
    # Orphans of the command land on PID 1 of the namespace: without an
    # init there (the command, a plain sleep after exec) they stay zombies.
    { conf_head; init_conf web "/bin/sh -c \"(sleep 0.2 &); (sleep 0.3 &); (sleep 0.4 &); touch $TMP/spawned; exec sleep 1000\""; } >conf
    start_ns conf
    wait_state web running
    wait_for 5 test -e spawned || die "no orphans made"
    local pid
    pid=$(field_of web pid)
    # Every orphan is gone, reaped: the init's only child is the command.
    wait_for 10 eval '[ "$(children_of $pid | wc -l)" = 1 ]' || die "children of its init: $(children_of $pid)"
    assert_eq 0 "$(zombies_under $pid)" "zombies in the service"
    stop_ns
}

test_init_yes_stops_a_plain_sleep_on_sigterm_without_waiting_for_stop_timeout() {
    { conf_head; init_conf nap "sleep 1000" "stop_timeout = 60s"; } >conf
    start_ns conf
    wait_state nap running
    ctl stop nap
    # Had it waited for stop_timeout (60 s), this wait would fail first.
    wait_state nap stopped 20
    assert_eq 143 "$(field_of nap exit)" "killed by the forwarded SIGTERM"
    assert_not_contains err "did not stop within"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_init_yes_forwards_other_signals_to_the_command() {
    { conf_head; init_conf sig "/bin/sh -c \"trap 'echo got USR1' USR1; trap 'echo got HUP' HUP; touch $TMP/trapped; while :; do sleep 0.05; done\"" "restart = never"; } >conf
    start_ns conf
    wait_state sig running
    wait_for 5 test -e trapped || die "traps not set"
    local pid
    pid=$(field_of sig pid)
    kill -USR1 $pid
    wait_line err "sig: got USR1"
    kill -HUP $pid
    wait_line err "sig: got HUP"
    assert_eq running "$(state_of sig)" "after two signals its init forwarded"
    stop_ns
}

test_init_yes_exits_with_the_commands_status() {
    {
        conf_head
        init_conf seven "/bin/sh -c \"exit 7\"" "restart = never"
        init_conf killed "/bin/sh -c \"kill -USR2 \$\$\"" "restart = never"
        init_conf missing "/no/such/command" "restart = never"
    } >conf
    start_ns conf
    wait_state seven failed
    wait_state killed failed
    wait_state missing failed
    assert_eq 7 "$(field_of seven exit)" "exit 7"
    assert_eq 140 "$(field_of killed exit)" "killed by SIGUSR2 (128+12)"
    assert_eq 127 "$(field_of missing exit)" "a command not found"
    ctl status missing | grep -qF 'reason="exec /no/such/command: No such file or directory"' || die "reason: $(status_line missing)"
    stop_ns
}

test_init_yes_under_root_needs_no_file_inside_and_enter_works() {
    mkdir -p root/usr root/proc
    for l in bin lib lib64 sbin; do ln -s usr/$l root/$l; done
    {
        conf_head
        echo "[service jail]"
        echo "exec = /bin/sh -c \"echo pid=\$\$; exec sleep 1000\""
        echo "namespaces = pid mnt uts"
        echo "hostname = jail"
        echo "root = $TMP/root"
        echo "mount = bind /usr /usr ro"
        echo "mount = proc /proc"
        echo "init = yes"
    } >conf
    # Nothing of nsinit in that root.
    [ -z "$(find root -name 'nsinit*')" ] || die "nsinit inside the root"
    start_ns conf
    wait_state jail running
    wait_line err "jail: pid=2"
    assert_eq jail "$(ctl enter jail -- hostname)" "enter's host name"
    assert_eq nsinit "$(ctl enter jail -- cat /proc/1/comm)" "PID 1 seen by enter"
    ctl enter jail -- sh -c 'test -e /usr && ! test -e '"$TMP" || die "enter is not in the service's root"
    status_line jail | grep -q " pid:\[" || die "status shows no namespaces"
    stop_ns
    assert_eq 0 "$NS_RC"
}
