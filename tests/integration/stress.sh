# Stress, bounded in count and time: nsinit as PID 1 of a PID namespace the
# test makes (unshare -fp), under orphans, services, clients, signals, an
# output flood and a crash loop. The counts are fixed; what is asserted is
# the outcome (nothing left over, nothing grown), never a speed.
. "$TOP/tests/integration/svc_helpers.bash"

HELPER_SRC=$TOP/tests/integration/stress_helper.c
HELPER=$TOP/build/host/stress_helper

helper_build() {
    command -v gcc >/dev/null || skip "gcc is needed to build the stress helper"
    if [ ! -x "$HELPER" ] || [ "$HELPER_SRC" -nt "$HELPER" ]; then
        mkdir -p "$(dirname "$HELPER")"
        gcc -O1 -Wall -Wextra -o "$HELPER.$$" "$HELPER_SRC" && mv "$HELPER.$$" "$HELPER"
    fi
}

child_of() { [ -n "$(cat /proc/$1/task/*/children 2>/dev/null)" ]; }

# pid1 ARGS...: nsinit ARGS as PID 1 of a new PID (and mount, for /proc)
# namespace, in the background; NS_PID is its pid out here, BG unshare's.
# Its stderr goes to $NS_ERR ($TMP/err unless set).
pid1() {
    unshare -fp --mount-proc "$NSINIT" "$@" >"$TMP/out" 2>"${NS_ERR:-$TMP/err}" &
    BG=$!
    wait_for 5 child_of $BG || die "no nsinit under unshare $BG"
    NS_PID=$(cat /proc/$BG/task/*/children | awk '{print $1}')
}

# pid1_conf CONF: supervisor mode as PID 1, once its socket answers.
pid1_conf() {
    pid1 -c "$1"
    wait_for 5 test -S "$SOCK" || { cat "$TMP/err" >&2; die "no control socket $SOCK"; }
}

# end_pid1: TERM to nsinit; NS_RC is the status unshare passes on.
end_pid1() {
    kill -TERM "$NS_PID"
    NS_RC=0
    wait "$BG" || NS_RC=$?
}

fd_count() { ls /proc/$NS_PID/fd | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/$NS_PID/status; }
count_in() { grep -c -- "$2" "$1" || true; }

test_20000_orphans_are_reaped_as_pid1_and_no_zombie_is_left() {
    helper_build
    pid1 -v -- "$HELPER" orphans 20000 "$TMP/spawned"
    wait_for 80 test -e "$TMP/spawned" || die "the orphans were not all made"
    # Every orphan's exit is PID 1's to collect: each is a "reaped" line.
    wait_for 10 eval '[ "$(count_in "$TMP/err" "reaped ")" -ge 20000 ]' ||
        die "nsinit reaped $(count_in "$TMP/err" "reaped ") of 20000 orphans"
    assert_eq 0 "$(zombies_under "$NS_PID")" "zombies under nsinit"
    alive "$NS_PID" || die "nsinit is gone"
    end_pid1
    assert_eq 143 "$NS_RC" "the command's status (TERM)"
}

test_200_services_start_stop_and_start_again_and_all_end_with_pid1() {
    local i
    {
        conf_head
        for i in $(seq 1 200); do
            echo "[service s$i]"; echo "exec = /bin/sleep 1000"; echo "stop_timeout = 2s"
        done
    } >conf
    pid1_conf conf
    local fds
    wait_for 60 eval '[ "$(ctl status | grep -c " running ")" = 200 ]' ||
        die "$(ctl status | grep -c ' running ') of 200 running"
    fds=$(fd_count)
    for i in $(seq 1 200); do ctl stop "s$i" >/dev/null; done
    wait_for 60 eval '[ "$(ctl status | grep -c " stopped ")" = 200 ]' ||
        die "$(ctl status | grep -c ' stopped ') of 200 stopped"
    assert_eq 0 "$(cat /proc/$NS_PID/task/*/children | wc -w)" "PID 1's children once all are stopped"
    for i in $(seq 1 200); do ctl start "s$i" >/dev/null; done
    wait_for 60 eval '[ "$(ctl status | grep -c " running ")" = 200 ]' ||
        die "$(ctl status | grep -c ' running ') of 200 running again"
    # Each service keeps its output pipe across restarts: no fd more or less.
    assert_eq "$fds" "$(fd_count)" "PID 1's fds after 200 stops and starts"
    end_pid1
    assert_eq 0 "$NS_RC" "nsinit's status"
}

test_2000_control_clients_leave_pid1_fd_count_unchanged() {
    helper_build
    { conf_head; echo "[service web]"; echo "exec = /bin/sleep 1000"; } >conf
    pid1_conf conf
    wait_state web running
    local before
    before=$(fd_count)
    # Whole requests, requests cut short, connections dropped at once.
    "$HELPER" clients "$SOCK" 2000 || die "the clients failed"
    # A dropped client is closed once PID 1 reads its end: ask once more.
    ctl status >/dev/null
    assert_eq "$before" "$(fd_count)" "PID 1's fds after 2000 clients"
    assert_eq running "$(state_of web)"
    end_pid1
    assert_eq 0 "$NS_RC"
}

test_50000_signal_storm_keeps_the_commands_exit_status() {
    helper_build
    pid1 -- "$HELPER" catch "$TMP/enough" 7
    "$HELPER" signals "$NS_PID" 50000 || die "the storm could not be sent"
    alive "$NS_PID" || die "nsinit died in the storm"
    touch "$TMP/enough"
    NS_RC=0
    wait "$BG" || NS_RC=$?
    # The command's own status, not one a signal made up.
    assert_eq 7 "$NS_RC" "status after the storm"
}

test_output_flood_leaves_pid1_rss_flat() {
    {
        conf_head "log_buffer = 256K"
        echo "[service flood]"; echo "exec = /usr/bin/yes a line of output flooding nsinit"
        echo "[service quiet]"; echo "exec = /bin/sleep 1000"
    } >conf
    NS_ERR=/dev/null pid1_conf conf
    wait_state flood running
    # The ring and every buffer are full after a second or two of this.
    sleep 3
    local before after
    before=$(rss_kb)
    sleep 12
    after=$(rss_kb)
    alive "$NS_PID" || die "nsinit is gone"
    # Generous: a leak of a few bytes per line would be hundreds of MB.
    [ "$after" -le $((before + 1024)) ] || die "VmRSS grew from $before kB to $after kB"
    assert_eq running "$(state_of quiet)"
    assert_eq running "$(state_of flood)"
    end_pid1
    assert_eq 0 "$NS_RC"
}

test_crash_loop_for_20s_costs_pid1_under_10_percent_cpu() {
    {
        conf_head
        # The worst case: no delay, never give up.
        echo "[service crash]"; echo "exec = /bin/false"
        echo "restart_delay = 0"; echo "restart_limit = 0"
        echo "[service quiet]"; echo "exec = /bin/sleep 1000"
    } >conf
    pid1_conf conf
    wait_state quiet running
    local before after
    before=$(cpu_ticks $NS_PID)
    sleep 20
    after=$(cpu_ticks $NS_PID)
    # 10% of 20 s is 200 ticks of 10 ms.
    [ $((after - before)) -lt 200 ] ||
        die "nsinit used $((after - before)) ticks in 20 s (restarts=$(field_of crash restarts))"
    [ "$(field_of crash restarts)" -gt 0 ] || die "it never restarted"
    assert_eq running "$(state_of quiet)"
    assert_eq 0 "$(zombies_under "$NS_PID")" "zombies of the crash loop"
    end_pid1
    assert_eq 0 "$NS_RC"
}
