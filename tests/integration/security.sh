# Claims of SECURITY.md that no other file's tests make: what a service
# inherits from nsinit in supervisor mode, and that root of a user
# namespace is not root to the control socket.
. "$TOP/tests/integration/svc_helpers.bash"

# /proc/PID/status field of PID.
status_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

test_service_starts_with_fds_0_to_2_default_signals_and_nsinits_environment() {
    {
        conf_head
        echo "[service plain]"; echo "exec = /bin/sleep 1000"; echo "env = FROM_CONFIG=yes"
    } >conf
    # nsinit itself gets a stray fd, an ignored SIGUSR1 and a variable;
    # only the variable may reach the service.
    (
        trap '' USR1
        exec 9>"$TMP/stray"
        export FROM_PARENT=kept
        exec "$NSINIT" -c conf >"$TMP/out" 2>"$TMP/err"
    ) &
    NS_PID=$!
    wait_for 5 test -S "$SOCK" || die "no control socket: $(cat "$TMP/err")"
    wait_state plain running
    local pid
    pid=$(field_of plain pid)
    assert_eq "0 1 2" "$(echo $(ls "/proc/$pid/fd"))" "the service's fds"
    # nsinit blocks every signal for its signalfd: the service gets none blocked.
    assert_eq 0000000000000000 "$(status_field "$pid" SigBlk)" "SigBlk"
    assert_eq 0000000000000000 "$(status_field "$pid" SigIgn)" "SigIgn (SIGUSR1 was ignored by nsinit's parent)"
    tr '\0' '\n' <"/proc/$pid/environ" >env
    assert_contains env '^FROM_PARENT=kept$'
    assert_contains env '^FROM_CONFIG=yes$'
    assert_not_contains env '^NOTIFY_SOCKET='
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_root_of_a_user_namespace_is_not_root_to_the_control_socket() {
    # The service is uid 0 in its own user namespace, 100000 out here:
    # SO_PEERCRED reports the uid as nsinit's namespace sees it.
    chmod 755 "$TMP"
    cp "$NSINIT" "$TMP/nsinit"
    # What the service runs: each request's status and what ctl said.
    cat >asker <<EOS
#!/bin/sh
echo id=\$(id -u)
for v in "status web" "stop web" log; do
    said=\$($TMP/nsinit ctl -s $SOCK \$v 2>&1 >/dev/null)
    echo "\$v=\$? \$said"
done
exec sleep 1000
EOS
    chmod 755 asker
    {
        conf_head
        echo "[service web]"; echo "exec = /bin/sleep 1000"
        echo "[service jail]"
        echo "exec = $TMP/asker"
        echo "namespaces = user"
        echo "uid_map = 0 100000 65536"; echo "gid_map = 0 100000 65536"
    } >conf
    start_ns conf
    wait_for 10 grep -q '^jail: log=' err || die "the service never asked: $(cat err)"
    assert_contains err '^jail: id=0$'
    assert_contains err '^jail: status web=0 $'
    assert_contains err '^jail: stop web=1 .*permission denied'
    assert_contains err '^jail: log=1 .*permission denied: only root may read the log'
    assert_eq running "$(state_of web)" "web after the namespace's root asked to stop it"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_mounts_without_a_mount_namespace_are_refused() {
    # A mount made without a namespace of its own would land in PID 1's
    # (the host's) mount table: the config is refused before it can.
    printf '[service a]\nexec = /bin/true\nmount = tmpfs %s/x\n' "$TMP" >conf
    local rc=0
    "$NSINIT" check conf >o 2>&1 || rc=$?
    assert_eq 1 "$rc" "check's status"
    assert_contains o "^conf:3: 'mount' needs 'mnt' in namespaces$"
    printf '[service b]\nexec = /bin/true\nroot = %s\n' "$TMP" >conf
    rc=0
    "$NSINIT" check conf >o 2>&1 || rc=$?
    assert_eq 1 "$rc" "check's status for root ="
    assert_contains o "^conf:3: .*mnt"
}

test_fds_sent_to_the_notify_socket_are_never_received() {
    command -v python3 >/dev/null || skip "python3 is needed to send fds"
    echo secret >"$TMP/secret"
    # The service says READY=1 with three fds of a file attached (as
    # FDSTORE=1 would); nsinit must take the word and never the files.
    cat >sender <<EOS
#!/usr/bin/env python3
import os, socket
a = os.environ["NOTIFY_SOCKET"]
a = "\0" + a[1:] if a[0] == "@" else a
f = [os.open("$TMP/secret", os.O_RDONLY) for _ in range(3)]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(a)
socket.send_fds(s, [b"READY=1\nFDSTORE=1\n"], f)
os.execv("/bin/sleep", ["sleep", "1000"])
EOS
    chmod 755 sender
    {
        conf_head
        echo "[service keeper]"; echo "exec = $TMP/sender"; echo "ready = notify"
    } >conf
    start_ns conf
    wait_state keeper running
    local fd
    for fd in /proc/$NS_PID/fd/*; do
        [ "$(readlink "$fd")" != "$TMP/secret" ] || die "nsinit holds the service's file as $fd"
    done
    stop_ns
    assert_eq 0 "$NS_RC"
}
