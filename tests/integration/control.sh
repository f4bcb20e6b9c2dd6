# The control socket and `nsinit ctl`: every verb, reload as a difference,
# who may change state, and a server that survives hostile clients.
. "$TOP/tests/integration/svc_helpers.bash"

sleeper() { echo "[service $1]"; echo "exec = /bin/sh -c \"exec sleep ${2:-1000}\""; }

# pid_of NAME: the pid= of a service, "0" when it runs no process.
pid_of() { field_of "$1" pid; }

test_status_lists_every_service_with_its_namespaces() {
    {
        conf_head
        sleeper plain
        sleeper boxed; echo "namespaces = pid uts ipc"; echo "hostname = boxed"
        echo "[service once]"; echo "exec = /bin/true"; echo "oneshot = yes"
    } >conf
    start_ns conf
    wait_state plain running
    wait_state boxed running
    wait_state once done
    ctl status >all || die "ctl status failed"
    assert_eq 3 "$(wc -l <all)" "one line per service"
    local n
    for n in plain boxed once; do
        grep -qE "^$n (running|done) pid=[0-9]+ restarts=[0-9]+ uptime=[0-9-]+s? " all || die "line for $n: $(cat all)"
    done
    # Every namespace shown is the kernel's name for the service's own.
    local pid kind id
    for n in plain boxed; do
        pid=$(pid_of $n)
        [ "$pid" -gt 0 ] || die "$n has no pid"
        grep -q '^pid:\[4026' <(status_line $n | tr ' ' '\n') || die "no pid namespace for $n: $(status_line $n)"
        for kind in pid uts ipc mnt net user cgroup; do
            id=$(status_line $n | tr ' ' '\n' | grep "^$kind:\[")
            assert_eq "$(readlink /proc/$pid/ns/$kind)" "$id" "$n's $kind namespace"
        done
    done
    [ "$(field_of boxed pid)" != "$(field_of plain pid)" ]
    [ "$(status_line boxed | tr ' ' '\n' | grep '^pid:')" != "$(status_line plain | tr ' ' '\n' | grep '^pid:')" ] ||
        die "boxed shares plain's pid namespace"
    # status NAME: that service alone.
    ctl status boxed >one
    assert_eq 1 "$(wc -l <one)" "status NAME lines"
    assert_eq boxed "$(awk '{print $1}' one)"
    stop_ns
}

test_start_stop_restart_and_their_no_ops() {
    { conf_head; sleeper web; sleeper db; } >conf
    start_ns conf
    wait_state web running
    local p1 p2 p3
    p1=$(pid_of web)
    ctl start web || die "start of a running service failed"
    assert_eq "$p1" "$(pid_of web)" "start of a running service changed it"
    ctl restart web || die "restart failed"
    wait_state web running
    p2=$(pid_of web)
    [ "$p2" != "$p1" ] && [ "$p2" -gt 0 ] || die "restart kept pid $p1"
    ! alive "$p1" || die "old process $p1 still alive after restart"
    ctl stop web || die "stop failed"
    wait_state web stopped
    ! alive "$p2" || die "process $p2 alive after stop"
    ctl stop web || die "stop of a stopped service failed"
    sleep 0.3
    assert_eq stopped "$(state_of web)" "stop of a stopped service changed it"
    ctl start web || die "start failed"
    wait_state web running
    p3=$(pid_of web)
    [ "$p3" != "$p2" ] || die "start reused a pid?"
    assert_eq running "$(state_of db)" "the other service"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_unknown_service_and_unknown_verb_are_errors() {
    { conf_head; sleeper web; } >conf
    start_ns conf
    local rc verb
    for verb in start stop restart status; do
        rc=0
        ctl $verb nosuch >o 2>e || rc=$?
        assert_eq 1 "$rc" "ctl $verb nosuch: exit status"
        assert_eq 1 "$(wc -l <e)" "ctl $verb nosuch: one line of reason"
        assert_contains e "nosuch"
        [ ! -s o ] || die "ctl $verb nosuch printed: $(cat o)"
    done
    rc=0
    ctl frobnicate >o 2>e || rc=$?
    [ "$rc" != 0 ] || die "unknown verb succeeded"
    assert_contains e "frobnicate"
    rc=0
    ctl start >o 2>e || rc=$?
    [ "$rc" != 0 ] || die "start without a name succeeded"
    assert_eq running "$(state_of web)"
    # -s without its path is a usage error, never the default socket.
    for a in "-s" "-s ''"; do
        rc=0
        eval "NSINIT_SOCKET=$SOCK \"\$NSINIT\" ctl $a" >o 2>e || rc=$?
        assert_eq 2 "$rc" "ctl $a: exit status"
        assert_contains e "ctl: -s needs a socket path"
    done
    stop_ns
}

test_poweroff_reboot_halt_stop_everything_and_exit_0() {
    local verb
    for verb in poweroff reboot halt; do
        { conf_head; sleeper web; sleeper db; echo "after = web"; } >conf
        start_ns conf
        wait_state db running
        ctl $verb || die "ctl $verb failed"
        wait_exit 10
        assert_eq 0 "$NS_RC" "exit status after ctl $verb"
        [ -z "$(tagged_pids)" ] || die "left behind after $verb: $(tagged_pids)"
        [ ! -e "$SOCK" ] || die "socket left behind after $verb"
    done
}

test_reload_applies_the_difference() {
    {
        conf_head
        sleeper keep; sleeper change; sleeper gone
    } >conf
    start_ns conf
    wait_state keep running
    wait_state change running
    wait_state gone running
    local keep change gone
    keep=$(pid_of keep) change=$(pid_of change) gone=$(pid_of gone)
    {
        conf_head
        sleeper keep; sleeper change 999; sleeper new
    } >conf
    ctl reload || die "reload failed: $(tail err)"
    wait_state new running
    wait_state change running
    wait_for 5 eval '! status_line gone | grep -q .' || die "gone still listed: $(ctl status)"
    assert_eq "$keep" "$(pid_of keep)" "unchanged service's pid"
    [ "$(pid_of change)" != "$change" ] || die "changed service kept its pid"
    ! alive "$change" || die "changed service's old process lives"
    ! alive "$gone" || die "removed service's process lives"
    assert_eq 3 "$(ctl status | wc -l)" "services after reload"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_reload_moves_the_control_socket() {
    { conf_head; sleeper keep; } >conf
    start_ns conf
    wait_state keep running
    # The new path answers, the old one is gone.
    sed "s|^socket = .*|socket = $TMP/sock2|" conf >conf.new && mv conf.new conf
    ctl reload || die "reload failed: $(tail err)"
    wait_for 5 test -S "$TMP/sock2" || die "no socket at the new path: $(tail err)"
    [ ! -e "$SOCK" ] || die "the old socket is still there"
    "$NSINIT" ctl -s "$TMP/sock2" status keep | grep -q "^keep running " || die "no answer on the new socket"
    # A path it cannot bind keeps the socket where it was.
    sed "s|^socket = .*|socket = $TMP/no/such/dir/sock|" conf >conf.new && mv conf.new conf
    "$NSINIT" ctl -s "$TMP/sock2" reload || true
    wait_line err "nsinit: reload: control socket $TMP/no/such/dir/sock: No such file or directory; still on $TMP/sock2"
    "$NSINIT" ctl -s "$TMP/sock2" status keep | grep -q "^keep running " || die "the socket was lost"
    stop_ns
    assert_eq 0 "$NS_RC"
    [ ! -e "$TMP/sock2" ] || die "socket left behind at exit"
}

test_reload_with_errors_is_rejected_whole() {
    { conf_head; sleeper keep; sleeper change; } >conf
    start_ns conf
    wait_state keep running
    wait_state change running
    ctl status | sed 's/ uptime=[^ ]*//' >before
    {
        conf_head
        sleeper keep; sleeper change 999; sleeper new
        echo "bogus = 1"
    } >conf
    local rc=0
    ctl reload >o 2>e || rc=$?
    [ "$rc" != 0 ] || die "reload of a bad config succeeded"
    # The problems, as FILE:LINE: message, on the client's stderr.
    assert_contains e "^$TMP/conf:10: unknown key 'bogus'$"
    [ ! -s o ] || die "stdout: $(cat o)"
    sleep 0.5
    ctl status | sed 's/ uptime=[^ ]*//' >after
    diff before after >&2 || die "a rejected reload changed something"
    stop_ns
}

test_sighup_reloads() {
    { conf_head; sleeper keep; } >conf
    start_ns conf
    wait_state keep running
    { conf_head; sleeper keep; sleeper new; } >conf
    kill -HUP $NS_PID
    wait_state new running
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_reload_brings_back_a_service_still_stopping() {
    # Removed, but slow to stop (ignores SIGTERM for its 3 s stop_timeout);
    # a second reload adds it back while it is still going.
    {
        conf_head
        echo "[service slow]"; echo "exec = /bin/sh -c \"trap '' TERM; while :; do sleep 0.05; done\""
        echo "stop_timeout = 3s"
        sleeper other
    } >conf
    cp conf full
    start_ns conf
    wait_state slow running
    { conf_head; sleeper other; } >conf
    ctl reload || die "first reload failed"
    wait_state slow stopping
    cp full conf
    ctl reload || die "second reload failed"
    kill -0 $NS_PID || die "nsinit died on the second reload: $(tail err)"
    wait_state slow running 10
    assert_eq running "$(state_of other)"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_non_root_may_read_status_but_not_change_state() {
    { conf_head; sleeper web; } >conf
    chmod 755 "$TMP"
    start_ns conf
    wait_state web running
    local pid verb rc
    pid=$(pid_of web)
    as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$NSINIT" ctl -s "$SOCK" "$@"; }
    as_nobody status >o 2>e || die "nobody cannot read status: $(cat e)"
    grep -q "^web running pid=$pid " o || die "nobody's status: $(cat o)"
    cp conf conf.orig
    sleeper new >>conf
    for verb in "stop web" "start web" "restart web" reload poweroff reboot halt; do
        rc=0
        as_nobody $verb >o 2>e || rc=$?
        [ "$rc" != 0 ] || die "nobody may '$verb'"
        assert_contains e "permission denied"
    done
    sleep 0.3
    kill -0 $NS_PID || die "nsinit ended"
    assert_eq "$pid" "$(pid_of web)" "web's pid"
    ! status_line new | grep -q . || die "nobody's reload took effect"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_socket_is_0666_and_owned_by_root() {
    { conf_head; sleeper web; } >conf
    start_ns conf
    assert_eq "666 0 0" "$(stat -c '%a %u %g' "$SOCK")" "socket mode and owner"
    [ -S "$SOCK" ] || die "not a socket"
    stop_ns
    [ ! -e "$SOCK" ] || die "socket left behind"
}

# pyclient: hostile clients, in python (its sockets give full control).
pyclient() { python3 - "$SOCK" "$@"; }

fd_count() { ls /proc/$NS_PID/fd | wc -l; }

test_hostile_clients_leave_pid1_answering_and_no_fds_behind() {
    {
        conf_head
        local i
        for i in $(seq 1 60); do sleeper "svc$i-with-a-long-enough-name"; done
    } >conf
    start_ns conf
    wait_for 10 eval '[ "$(ctl status | grep -c " running ")" = 60 ]' || die "not all running"
    local fds
    fds=$(fd_count)
    pyclient <<'EOF' || die "hostile clients: python failed"
import os, socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
def answer(s, timeout=10):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return data
def status_ok():
    s = conn()
    s.sendall(b"status\n")
    a = answer(s)
    assert a.endswith(b"OK\n") and a.count(b" running ") == 60, a[-200:]
# Garbage, with NULs and no sense: an ERR, never a crash.
s = conn(); s.sendall(os.urandom(200).replace(b"\n", b"x") + b"\n")
a = answer(s); assert a.startswith(b"ERR"), a
s = conn(); s.sendall(b"\x00\x01\xff status\n"); a = answer(s); assert a.startswith(b"ERR"), a
# 1 MiB without a newline, sent while the server may already have answered.
s = conn()
try:
    s.settimeout(10); s.sendall(b"A" * (1 << 20))
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass
a = answer(s); assert a == b"" or a.startswith(b"ERR"), a[:100]
# A request without a newline, then the write side closed.
s = conn(); s.sendall(b"status"); s.shutdown(socket.SHUT_WR)
a = answer(s); assert a.endswith(b"OK\n"), a[-100:]
status_ok()
# 100 connections at once, every one asking for status.
many = []
for i in range(100):
    try:
        c = conn(); c.sendall(b"status\n"); many.append(c)
    except (ConnectionRefusedError, BlockingIOError, BrokenPipeError, ConnectionResetError, FileNotFoundError):
        pass
good = sum(1 for c in many if answer(c).endswith(b"OK\n"))
assert good >= 16, "only %d of 100 answered" % good
status_ok()
# A client that never speaks, and one that asks for status and never reads.
mute = conn()
deaf = conn(); deaf.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
deaf.sendall(b"status\n")
t0 = time.time()
for i in range(5):
    status_ok()           # others are served meanwhile
    time.sleep(0.5)
mute.settimeout(15)
got = mute.recv(100)      # the server hangs up on the mute one
dt = time.time() - t0
assert got == b"" and 3 <= dt <= 12, (got, dt)
time.sleep(1)
status_ok()
EOF
    kill -0 $NS_PID || die "nsinit died: $(tail err)"
    ctl status >all || die "status failed afterwards"
    assert_eq 60 "$(grep -c ' running pid=[1-9]' all)" "running services afterwards"
    wait_for 10 eval '[ "$(fd_count)" -le "$fds" ]' || die "fds before $fds, after $(fd_count): $(ls -l /proc/$NS_PID/fd)"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_socket_from_option_env_and_config() {
    local other=$TMP/other.sock
    { conf_head | sed "s|^socket = .*|socket = $other|"; sleeper web; } >conf
    "$NSINIT" -c conf >out 2>err &
    NS_PID=$!
    wait_for 5 test -S "$other" || die "socket = in [init] not used: $(cat err)"
    [ ! -e "$SOCK" ] || die "default test socket made"
    wait_for 5 eval '"$NSINIT" ctl -s "$other" status web | grep -q " running "' || die "-s PATH"
    "$NSINIT" ctl -s"$other" status web | grep -q '^web ' || die "-sPATH"
    NSINIT_SOCKET=$other "$NSINIT" ctl status web | grep -q '^web ' || die "NSINIT_SOCKET"
    # -s wins over the environment.
    NSINIT_SOCKET=/nonexistent "$NSINIT" ctl -s "$other" status web | grep -q '^web ' || die "-s over NSINIT_SOCKET"
    local rc=0
    NSINIT_SOCKET=$TMP/nothing "$NSINIT" ctl status >o 2>e || rc=$?
    assert_eq 1 "$rc" "no server: exit status"
    assert_contains e "nothing"
    stop_ns
    [ ! -e "$other" ] || die "socket left behind"
}

test_many_reloads_keep_stop_timeouts_working() {
    # Each reload below stops one service and adds another in its place:
    # the table of timers must not fill up with the slots' old entries.
    local stub="[service stubborn]
exec = /bin/sh -c \"trap '' TERM; while :; do sleep 0.05; done\"
stop_timeout = 1s"
    { conf_head; echo "$stub"; sleeper x; } >a.conf
    { conf_head; echo "$stub"; sleeper y; } >b.conf
    cp a.conf conf
    start_ns conf
    wait_state stubborn running
    pyclient "$TMP" <<'EOF2' || die "reload loop failed"
import shutil, socket, sys
path, tmp = sys.argv[1], sys.argv[2]
def ask(req):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(req)
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return data
for i in range(700):
    shutil.copy(tmp + ("/b.conf" if i % 2 == 0 else "/a.conf"), tmp + "/conf")
    a = ask(b"reload\n")
    assert a.endswith(b"OK\n"), (i, a)
EOF2
    kill -0 $NS_PID || die "nsinit died: $(tail err)"
    local pid
    pid=$(pid_of stubborn)
    ctl stop stubborn || die "stop failed"
    wait_state stubborn stopped 5
    ! alive "$pid" || die "stubborn still alive"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_socket_path_is_never_taken_from_a_file_or_a_live_server() {
    { conf_head; sleeper web; } >conf
    # A regular file where the socket should go: left alone.
    echo precious >"$SOCK"
    "$NSINIT" -c conf >out 2>err &
    NS_PID=$!
    wait_for 5 grep -q "control socket $SOCK: File exists" err || die "no error: $(cat err)"
    assert_eq precious "$(cat "$SOCK")" "the file at the socket path"
    stop_ns
    rm -f "$SOCK"
    # A second nsinit on the same socket does not steal it from the first.
    start_ns conf
    wait_state web running
    local first=$NS_PID
    "$NSINIT" -c conf >out2 2>err2 &
    NS_PID=$!
    wait_for 5 grep -qE "control socket $SOCK: Address (already )?in use" err2 || die "no error: $(cat err2)"
    stop_ns
    NS_PID=$first
    status_line web | grep -q ' running ' || die "the first nsinit lost its socket"
    # A stale socket (its server killed) is replaced.
    kill -9 $NS_PID
    wait $NS_PID || true
    cleanup_tagged
    [ -S "$SOCK" ] || die "no stale socket to test with"
    start_ns conf
    wait_state web running
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_out_of_fds_on_accept_does_not_spin() {
    command -v prlimit >/dev/null || skip "no prlimit"
    { conf_head; sleeper web; } >conf
    # 14 fds: a few clients are enough to make accept fail with EMFILE.
    prlimit --nofile=14 "$NSINIT" -c conf >out 2>err &
    NS_PID=$!
    wait_for 5 test -S "$SOCK" || die "no socket: $(cat err)"
    wait_state web running
    pyclient <<'EOF2' &
import socket, sys, time
held = []
for i in range(12):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(3)
EOF2
    local py=$! before after
    sleep 0.5
    before=$(cpu_ticks $NS_PID)
    sleep 2
    after=$(cpu_ticks $NS_PID)
    [ $((after - before)) -le 20 ] || die "nsinit used $((after - before)) ticks in 2 s"
    wait $py
    # Once the idle clients are dropped, it answers again.
    wait_for 10 eval 'status_line web | grep -q " running "' || die "no answer afterwards"
    stop_ns
    assert_eq 0 "$NS_RC"
}

# /run full (a real tmpfs out of inodes): the socket cannot be made. PID 1
# says so once, runs its services, tries again after 1 s, 2 s, 4 s... with
# nothing in between, and answers once there is room; a reload is a try too.
test_a_full_run_dir_delays_the_control_socket_until_there_is_room() {
    local run=$TMP/run i=0 before after
    mkdir -p "$run"
    mount -t tmpfs -o size=64k,nr_inodes=4 tmpfs "$run" || skip "cannot mount a tmpfs"
    trap "umount -l '$run' || true; cleanup_tagged" EXIT
    while : >"$run/f$i" 2>/dev/null; do i=$((i + 1)); done
    SOCK=$run/ctl.sock
    { conf_head; sleeper web; } >conf
    "$NSINIT" -c conf >out 2>err &
    NS_PID=$!
    wait_for 5 grep -q "control socket $SOCK: No space left on device; trying again" err ||
        die "no line for ENOSPC: $(cat err)"
    wait_for 5 pgrep -P $NS_PID -x sleep >/dev/null || die "web did not start"
    before=$(cpu_ticks $NS_PID)
    sleep 3.5
    after=$(cpu_ticks $NS_PID)
    [ $((after - before)) -le 10 ] || die "nsinit used $((after - before)) ticks in 3.5 s"
    assert_eq 1 "$(grep -c 'control socket' err)" "lines about the socket"
    [ ! -e "$SOCK" ] || die "a socket appeared on a full tmpfs"
    rm "$run/f0"
    wait_for 15 test -S "$SOCK" || die "no socket once there was room: $(cat err)"
    assert_contains err "control socket $SOCK: listening"
    wait_state web running
    stop_ns
    assert_eq 0 "$NS_RC"
    # Full again from the start; this time a reload (SIGHUP) naming a path
    # with room is the next try, at once.
    : >"$run/f0"
    "$NSINIT" -c conf >out 2>err &
    NS_PID=$!
    wait_for 5 grep -q "No space left on device; trying again" err || die "no ENOSPC: $(cat err)"
    SOCK=$TMP/sock2
    { conf_head; sleeper web; } >conf
    kill -HUP $NS_PID
    wait_for 3 test -S "$SOCK" || die "the reload did not make the socket: $(cat err)"
    assert_contains err "control socket $SOCK: listening"
    wait_state web running
    stop_ns
    assert_eq 0 "$NS_RC"
}

# Four of the 16 slots are root's alone: 64 idle connections from nobody
# (each kept up to 5 s) never queue root's stop behind them; a 13th
# client of nobody's is told so at once instead of waiting.
test_idle_non_root_clients_never_keep_root_waiting() {
    command -v setpriv >/dev/null || skip "no setpriv"
    chmod 755 "$TMP"
    { conf_head; sleeper web; } >conf
    start_ns conf
    wait_state web running
    setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 - "$SOCK" >held <<'EOF2' &
import socket, sys, time
held, busy = [], 0
for i in range(64):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(0.5)
for s in held:
    s.setblocking(False)
    try:
        busy += s.recv(100).startswith(b"ERR busy")
    except BlockingIOError:
        pass
print(busy, flush=True)
time.sleep(20)
EOF2
    local holder=$!
    wait_for 5 test -s held || die "the idle clients did not connect"
    # 12 slots held by nobody, the other 52 told busy.
    assert_eq 52 "$(cat held)" "nobody's clients told busy"
    timeout 3 "$NSINIT" ctl -s "$SOCK" stop web || die "root's stop waited behind nobody's idle clients"
    timeout 3 "$NSINIT" ctl -s "$SOCK" status web | grep -q "^web stopped " || die "web not stopped"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$NSINIT" ctl -s "$SOCK" status >o 2>&1 &&
        die "nobody's 13th client was served: $(cat o)"
    assert_contains o "busy: too many clients"
    kill $holder
    wait $holder 2>/dev/null || true
    wait_for 5 eval 'setpriv --reuid=65534 --regid=65534 --clear-groups "$NSINIT" ctl -s "$SOCK" status >/dev/null' ||
        die "nobody is not served once the slots are free"
    stop_ns
    assert_eq 0 "$NS_RC"
}
