# Fault injection (make fault; not part of check): the glibc build of nsinit
# with tests/fault/shim.so preloaded, one system call failing on purpose in
# PID 1 while $TMP/fault exists. For each: nsinit logs the failure, does
# not spin (CPU over the fault window < 10%), keeps the other service
# running with the same pid, and recovers once the fault is gone. Run by
# tests/integration/lib.sh; README.md beside it has the table.
. "$TOP/tests/integration/svc_helpers.bash"

FAULT_NSINIT=${FAULT_NSINIT:-$TOP/build/valgrind/nsinit.bin}
SHIM=${SHIM:-$TOP/build/fault/shim.so}
FAULT_SECONDS=5

# start_faulty SPEC [children]: with "children" the call fails in the
# services' children before they exec (their set-up), not in PID 1.
# ctl and status go through the musl build: the shim is for PID 1 alone.
start_faulty() {
    local spec=$1
    [ -x "$FAULT_NSINIT" ] && [ -f "$SHIM" ] || skip "build with make fault"
    FAULT_SPEC=$spec${2:+ in ${2}}
    LD_PRELOAD=$SHIM NSINIT_FAULT=$spec NSINIT_FAULT_FILE=$TMP/fault NSINIT_FAULT_IN=${2:-self} \
        "$FAULT_NSINIT" -c conf >"$TMP/out" 2>"$TMP/err" &
    NS_PID=$!
    wait_for 10 test -S "$SOCK" || { cat "$TMP/err" >&2; die "no control socket"; }
}

faulty_conf() {
    {
        conf_head "$@"
        echo "[service steady]"; echo "exec = /bin/sleep 1000"
        echo "[service crash]"; echo "exec = /bin/sh -c \"echo crash-run; sleep 0.2; exit 1\""
        echo "restart_delay = 100ms"; echo "restart_limit = 0"
    } >conf
}

injected() { cat "$TMP/fault.count" 2>/dev/null | wc -l; }

# fault_window: turns the fault on for FAULT_SECONDS; asserts nsinit stays
# cheap and steady stays up. STEADY_PID, LINES_BEFORE are set for after.
fault_window() {
    wait_state steady running
    STEADY_PID=$(field_of steady pid)
    LINES_BEFORE=$(wc -l <"$TMP/err")
    local before after
    touch "$TMP/fault"
    before=$(cpu_ticks "$NS_PID")
    sleep "$FAULT_SECONDS"
    after=$(cpu_ticks "$NS_PID")
    [ "$(injected)" -gt 0 ] || die "the fault was never hit"
    alive "$NS_PID" || die "nsinit died under the fault"
    [ $((after - before)) -lt $((FAULT_SECONDS * 10)) ] ||
        die "nsinit used $((after - before)) ticks in $FAULT_SECONDS s under the fault ($(injected) failures)"
    # No spin in the log either: each retry waits its restart delay.
    local lines=$(( $(wc -l <"$TMP/err") - LINES_BEFORE ))
    [ "$lines" -le $((FAULT_SECONDS * 20)) ] || die "$lines log lines in $FAULT_SECONDS s"
    rm -f "$TMP/fault"
    # The figures for README.md's table.
    echo "$FAULT_SPEC: $(injected) failures in ${FAULT_SECONDS} s, $((after - before)) ticks of CPU, $lines log lines" \
        >>"$TOP/build/fault/figures"
}

# recovered: crash restarts again and steady is the same process.
recovered() {
    local r
    r=$(field_of crash restarts)
    wait_for 20 eval '[ "$(field_of crash restarts)" -ge $((r + 2)) ]' ||
        die "crash never restarted after the fault (restarts $(field_of crash restarts))"
    assert_eq "$STEADY_PID" "$(field_of steady pid)" "steady's pid"
    stop_ns
    assert_eq 0 "$NS_RC" "nsinit's status"
}

# launch_fault SPEC MESSAGE [children [CRASH'S EXTRA LINES...]]
launch_fault() {
    faulty_conf
    local l
    for l in "${@:4}"; do echo "$l" >>conf; done
    start_faulty "$1" "${3:-}"
    fault_window
    sed -n "$((LINES_BEFORE + 1)),\$p" "$TMP/err" >during
    assert_contains during "crash: .*$2"
    echo "  said: $(grep -m1 "crash: .*$2" during)" >>"$TOP/build/fault/figures"
    recovered
}

test_clone_eagain_fails_the_launch_and_recovers() { launch_fault clone:EAGAIN "Resource temporarily unavailable"; }
test_clone_enomem_fails_the_launch_and_recovers() { launch_fault clone:ENOMEM "Cannot allocate memory"; }
test_pipe2_emfile_fails_the_launch_and_recovers() { launch_fault pipe2:EMFILE "Too many open files"; }

# A service's own set-up fails in its child (the launch report carries the
# reason to PID 1): the mounts of its mount namespace, the /dev/null of
# its stdin. PID 1 itself meets no fault at all.
test_mount_failing_in_a_service_child_fails_that_launch_and_recovers() {
    launch_fault mount:EPERM "Operation not permitted" children "namespaces = mnt" "mount = tmpfs /mnt"
}
test_open_failing_in_a_service_child_fails_that_launch_and_recovers() {
    launch_fault open:EMFILE "Too many open files" children
}

test_console_eio_loses_no_line_from_the_ring_and_recovers() {
    faulty_conf
    start_faulty console:EIO
    fault_window
    # The console said nothing meanwhile, the ring kept every line.
    assert_eq 0 "$(( $(wc -l <"$TMP/err") - LINES_BEFORE ))" "console lines during EIO"
    ctl log crash >log
    [ "$(grep -c 'crash: crash-run' log)" -ge 3 ] || die "the ring lost the lines: $(cat log)"
    recovered
    [ "$(wc -l <"$TMP/err")" -gt "$LINES_BEFORE" ] || die "the console never came back"
}

test_accept4_emfile_is_logged_once_per_retry_and_recovers() {
    faulty_conf
    start_faulty accept4:EMFILE
    wait_state steady running
    STEADY_PID=$(field_of steady pid)
    touch "$TMP/fault"
    # A client now waits in the backlog; PID 1 polls again every 500 ms.
    timeout 3 "$NSINIT" ctl -s "$SOCK" status >/dev/null 2>&1 && die "answered under EMFILE"
    assert_contains err "control socket: accept: Too many open files"
    local n
    n=$(grep -c "accept: Too many open files" err)
    [ "$n" -le 10 ] || die "$n accept errors in 3 s: a spin"
    echo "accept4:EMFILE: $(injected) failures in 3 s, $n log lines" >>"$TOP/build/fault/figures"
    rm -f "$TMP/fault"
    wait_for 5 eval 'timeout 3 "$NSINIT" ctl -s "$SOCK" status >/dev/null 2>&1' || die "no answer after the fault"
    recovered
}

test_open_emfile_refuses_a_reload_and_recovers() {
    faulty_conf
    start_faulty open:EMFILE
    wait_state steady running
    STEADY_PID=$(field_of steady pid)
    touch "$TMP/fault"
    ctl reload >o 2>&1 && die "reload succeeded without its file: $(cat o)"
    assert_contains o "Too many open files|reload refused"
    echo "open:EMFILE: $(injected) failures, reload answered: $(head -1 o)" >>"$TOP/build/fault/figures"
    rm -f "$TMP/fault"
    echo "[service late]" >>conf; echo "exec = /bin/sleep 1000" >>conf
    ctl reload >o 2>&1 || die "reload after the fault: $(cat o)"
    wait_state late running
    recovered
}

test_notify_socket_emfile_fails_that_launch_and_recovers() {
    {
        conf_head
        echo "[service steady]"; echo "exec = /bin/sleep 1000"
        echo "[service crash]"
        echo "exec = /bin/sh -c \"echo crash-run; sleep 0.2; exit 1\""
        echo "ready = notify"; echo "restart_delay = 100ms"; echo "restart_limit = 0"
    } >conf
    start_faulty socket:EMFILE
    fault_window
    sed -n "$((LINES_BEFORE + 1)),\$p" "$TMP/err" >during
    assert_contains during "crash: .*Too many open files"
    recovered
}

test_signalfd_failing_at_start_is_one_clear_line_and_an_exit() {
    faulty_conf
    touch "$TMP/fault"
    [ -x "$FAULT_NSINIT" ] && [ -f "$SHIM" ] || skip "build with make fault"
    local rc=0
    # (No timeout(1) in front: the shim would take it for PID 1.)
    LD_PRELOAD=$SHIM NSINIT_FAULT=signalfd:EMFILE NSINIT_FAULT_FILE=$TMP/fault \
        "$FAULT_NSINIT" -c conf >out 2>err || rc=$?
    # Setting up is the one time nsinit may give up: it says why, once.
    [ "$rc" != 0 ] || die "status $rc"
    assert_eq 1 "$(grep -c 'Too many open files' err)" "lines naming the error"
    echo "signalfd:EMFILE at start: status $rc, said: $(cat err)" >>"$TOP/build/fault/figures"
}

# Boot mode (a container's PID 1 with /etc/nsinit.conf): an early mount
# that fails is one line and the boot goes on. /sys is unmounted in the
# namespace so that nsinit mounts it; the shim refuses.
test_early_mount_failing_in_boot_mode_is_one_line_and_the_boot_goes_on() {
    [ -x "$FAULT_NSINIT" ] && [ -f "$SHIM" ] || skip "build with make fault"
    printf '[service steady]\nexec = /bin/sleep 1000\n' >nsinit.conf
    touch "$TMP/fault"
    unshare -fpmu --mount-proc --kill-child sh -c "
        mount -t tmpfs tmpfs /etc && cp '$TMP/nsinit.conf' /etc/nsinit.conf &&
        mount -t tmpfs tmpfs /run && umount -l /sys &&
        LD_PRELOAD='$SHIM' NSINIT_FAULT=mount:EPERM NSINIT_FAULT_FILE='$TMP/fault' \
            exec '$FAULT_NSINIT'" >out 2>&1 &
    local unshare=$! pid=
    trap "kill -KILL $unshare 2>/dev/null || true; cleanup_tagged" EXIT
    wait_for 10 eval 'pid=$(awk "{print \$1}" /proc/$unshare/task/*/children 2>/dev/null); [ -n "$pid" ] && test -S /proc/$pid/root/run/nsinit.sock' ||
        die "boot mode did not come up: $(cat out)"
    pid=$(awk "{print \$1}" /proc/$unshare/task/*/children)
    wait_for 5 eval '"$NSINIT" ctl -s /proc/$pid/root/run/nsinit.sock status steady | grep -q " running "' ||
        die "steady is not running: $(cat out)"
    assert_eq 1 "$(grep -c 'mount /sys: Operation not permitted' out)" "lines for the failed mount"
    [ "$(injected)" -ge 1 ] || die "the fault was never hit"
    echo "mount:EPERM at boot: $(injected) failure(s), said: $(grep 'mount /sys' out)" >>"$TOP/build/fault/figures"
    rm -f "$TMP/fault"
    "$NSINIT" ctl -s "/proc/$pid/root/run/nsinit.sock" poweroff >/dev/null
    wait_for 10 eval '! kill -0 $unshare 2>/dev/null' || die "poweroff did not end PID 1"
}
