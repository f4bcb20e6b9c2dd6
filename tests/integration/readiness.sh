# Readiness (`ready = fd:N | notify`, `ready_timeout`): a service stays
# starting until it says it is ready, and those after it wait; notify works
# from the service's own mount, net, pid and user namespaces and under
# root =; not ready in time is a failed run. nsinit runs as `nsinit -c`
# (not PID 1); the services' network namespaces are new and empty.
. "$TOP/tests/integration/svc_helpers.bash"

PY=/usr/bin/python3
# Sends the datagram $1 to $NOTIFY_SOCKET, as sd_notify does (a tiny
# sender of our own beside systemd-notify).
send_notify() {
    echo "$PY -c 'import os,socket; a=os.environ[\\\"NOTIFY_SOCKET\\\"]; a=chr(0)+a[1:] if a[0]==\\\"@\\\" else a; socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM).sendto(b\\\"$1\\\",a)'"
}

# A tiny root: the host's /usr bound read-only, the usual merged-/usr links.
make_root() {
    mkdir -p "$1/usr" "$1/proc" "$1/dev" "$1/tmp"
    ln -s usr/bin "$1/bin"
    ln -s usr/lib "$1/lib"
    ln -s usr/lib64 "$1/lib64"
    ln -s usr/sbin "$1/sbin"
}

test_dependent_starts_only_once_the_slow_service_is_ready_on_its_fd() {
    {
        conf_head
        echo "[service web]"
        echo "exec = /bin/sh -c \"echo web >>$TMP/order; exec sleep 1000\""
        echo "after = db"
        echo "[service db]"
        # Ready only once the test lets it: a partial line first, which
        # is not yet a line.
        echo "exec = /bin/sh -c \"echo db-up >>$TMP/order; printf half >&3; while [ ! -e $TMP/go ]; do sleep 0.05; done; echo db-ready >>$TMP/order; echo >&3; exec sleep 1000\""
        echo "ready = fd:3"
    } >conf
    start_ns conf
    wait_for 5 grep -q db-up order || die "db never started"
    sleep 0.5
    assert_eq starting "$(state_of db)" "db before it is ready"
    assert_eq waiting "$(state_of web)" "web while db is not ready"
    touch go
    wait_state web running
    assert_eq running "$(state_of db)"
    assert_eq "db-up db-ready web" "$(echo $(cat order))" "start order"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_ready_fd_is_the_only_descriptor_beyond_stdio() {
    {
        conf_head
        echo "[service fds]"
        echo "exec = /bin/sh -c \"echo ready >&7; exec sleep 1000\""
        echo "ready = fd:7"
    } >conf
    start_ns conf
    wait_state fds running
    # What the exec'd sleep holds, seen from outside: fd 7 a pipe, in
    # blocking mode (flags 01: O_WRONLY only).
    local pid
    pid=$(field_of fds pid)
    assert_eq "0 1 2 7" "$(echo $(ls "/proc/$pid/fd"))" "the service's fds"
    readlink "/proc/$pid/fd/7" | grep -q '^pipe:' || die "fd 7 is $(readlink "/proc/$pid/fd/7")"
    assert_eq 01 "$(awk '/^flags:/ {print $2}' "/proc/$pid/fdinfo/7")" "fd 7's flags"
    stop_ns
}

test_notify_from_own_mount_net_pid_user_namespaces_with_systemd_notify() {
    command -v systemd-notify >/dev/null || die "systemd-notify missing (make deps installs systemd)"
    chmod 755 "$TMP" # root inside is uid 100000 outside: it must see $TMP/go
    {
        conf_head
        echo "[service db]"
        echo "exec = /bin/sh -c \"echo sock=\$NOTIFY_SOCKET; while [ ! -e $TMP/go ]; do sleep 0.05; done; systemd-notify --ready --status='serving 3 clients'; exec sleep 1000\""
        echo "ready = notify"
        echo "namespaces = user mnt net pid uts ipc"
        echo "uid_map = 0 100000 65536"
        echo "gid_map = 0 100000 65536"
        echo "[service web]"
        echo "exec = /bin/sh -c \"echo web >>$TMP/order; exec sleep 1000\""
        echo "after = db"
    } >conf
    start_ns conf
    wait_for 5 grep -q '^db: sock=@' err || die "no NOTIFY_SOCKET: $(cat err)"
    assert_eq starting "$(state_of db)"
    assert_eq waiting "$(state_of web)"
    touch go
    wait_state db running
    wait_state web running
    # Its namespaces are its own, and STATUS= shows in status.
    local pid
    pid=$(field_of db pid)
    for k in mnt net user pid; do
        [ "$(readlink /proc/$pid/ns/$k)" != "$(readlink /proc/self/ns/$k)" ] || die "db shares our $k namespace"
    done
    status_line db | grep -qF 'status="serving 3 clients"' || die "no STATUS in: $(status_line db)"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_notify_works_under_root_with_a_private_network() {
    make_root "$TMP/root"
    {
        conf_head
        echo "[service jail]"
        echo "exec = /bin/sh -c \"[ -e $TMP ] && echo host-visible || echo host-gone; $(send_notify 'READY=1'); exec sleep 1000\""
        echo "ready = notify"
        echo "namespaces = mnt net pid"
        echo "root = $TMP/root"
        echo "mount = bind /usr /usr ro"
        echo "mount = proc /proc"
    } >conf
    start_ns conf
    wait_state jail running
    assert_contains err '^jail: host-gone$'
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_notify_from_a_process_outside_the_service_is_ignored() {
    {
        conf_head
        echo "[service db]"
        echo "exec = /bin/sh -c \"echo sock=\$NOTIFY_SOCKET; while [ ! -e $TMP/go ]; do sleep 0.05; done; $(send_notify 'READY=1'); exec sleep 1000\""
        echo "ready = notify"
    } >conf
    start_ns conf
    wait_for 5 grep -q '^db: sock=@' err || die "no NOTIFY_SOCKET: $(cat err)"
    local sock
    sock=$(sed -n 's/^db: sock=//p' err)
    # The same socket (the service shares our network namespace), but
    # the test's python is no process of db.
    NOTIFY_SOCKET=$sock $PY -c "import os,socket; a=os.environ['NOTIFY_SOCKET']; socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM).sendto(b'READY=1', chr(0)+a[1:])"
    wait_for 5 eval 'ctl log nsinit | grep -qE "nsinit: db: notify from pid [0-9]+, not one of its processes: ignored$"' ||
        die "the outsider was not refused: $(ctl log)"
    assert_eq starting "$(state_of db)" "after an outsider's READY=1"
    touch go
    wait_state db running
    stop_ns
}

test_not_ready_within_ready_timeout_is_stopped_as_a_failed_run() {
    {
        conf_head
        echo "[service slow]"
        # It even exits 0 on the stop signal: the run still failed.
        echo "exec = /bin/sh -c \"trap 'exit 0' TERM; sleep 1000 & wait\""
        echo "ready = notify"
        echo "ready_timeout = 1s"
        echo "restart = on-failure"
        echo "restart_delay = 200ms"
        echo "[service after_slow]"
        echo "exec = sleep 1000"
        echo "after = slow"
    } >conf
    start_ns conf
    # Restarted by on-failure: a failed run, though it exited 0.
    wait_for 15 eval '[ "$(field_of slow restarts)" -ge 1 ]' || die "slow never restarted: $(status_line slow)"
    assert_contains err '^nsinit: slow: not ready after 1s$'
    ctl status slow | grep -q 'reason="not ready after 1s"' || wait_for 5 eval 'ctl status slow | grep -q "reason=\"not ready after 1s\""' ||
        die "no reason in: $(status_line slow)"
    assert_eq waiting "$(state_of after_slow)" "a service after one that is never ready"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_not_ready_with_restart_never_is_failed_with_its_reason() {
    {
        conf_head
        echo "[service slow]"
        echo "exec = /bin/sh -c \"trap 'exit 0' TERM; sleep 1000 & wait\""
        echo "ready = fd:3"
        echo "ready_timeout = 500ms"
        echo "restart = never"
    } >conf
    start_ns conf
    wait_state slow failed 10
    assert_eq 0 "$(field_of slow exit)" "its own exit status"
    ctl status slow | grep -qF 'reason="not ready after 500ms"' || die "reason: $(status_line slow)"
    stop_ns
}

test_check_rejects_ready_fd_2_init_without_pid_and_a_lone_ready_timeout() {
    cat >bad.conf <<EOF
[service a]
exec = /bin/true
ready = fd:2

[service b]
exec = /bin/true
init = yes
namespaces = mnt

[service c]
exec = /bin/true
ready_timeout = 5s

[service d]
exec = /bin/true
ready = sometimes
EOF
    local rc=0
    "$NSINIT" check bad.conf 2>e || rc=$?
    assert_eq 1 "$rc" "check's status"
    assert_contains e "^bad.conf:3: bad ready 'fd:2'"
    assert_contains e "^bad.conf:7: 'init' needs 'pid' in namespaces$"
    assert_contains e "^bad.conf:12: 'ready_timeout' needs 'ready'$"
    assert_contains e "^bad.conf:16: bad ready 'sometimes'"
    cat >good.conf <<EOF
[init]
log_buffer = 1M
[service a]
exec = /bin/true
ready = fd:3
ready_timeout = 2m
[service b]
exec = /bin/true
namespaces = pid
init = yes
ready = notify
EOF
    "$NSINIT" check good.conf
}
