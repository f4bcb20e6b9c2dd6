# Supervisor mode (`nsinit -c FILE`, not PID 1, and once as PID 1 of a pid
# namespace): start order, output, restarts, failures, shutdown, main
# services, container mode with services, bad configs.
. "$TOP/tests/integration/svc_helpers.bash"

# A service that notes its name in $TMP/order when it starts, then runs.
runner() { echo "exec = /bin/sh -c \"echo $1 >>$TMP/order; exec sleep 1000\""; }

test_after_chain_and_oneshot_start_in_order() {
    {
        conf_head
        echo "[service web]"; runner web; echo "after = migrate"
        echo "[service migrate]"
        # "started" means exec'd: give db's shell time to write its name.
        echo "exec = /bin/sh -c \"sleep 0.3; echo migrate >>$TMP/order; sleep 0.5; echo migrate-end >>$TMP/order\""
        echo "oneshot = yes"; echo "after = db"
        echo "[service db]"; runner db
    } >conf
    start_ns conf
    wait_state web running
    assert_eq "db migrate migrate-end web" "$(echo $(cat order))" "start order"
    assert_eq done "$(state_of migrate)"
    assert_eq 0 "$(field_of migrate exit)" "oneshot exit"
    stop_ns
    assert_eq 0 "$NS_RC" "exit status"
}

test_failing_oneshot_keeps_dependents_waiting() {
    {
        conf_head
        echo "[service migrate]"; echo "exec = /bin/sh -c \"exit 3\""
        echo "oneshot = yes"; echo "restart = never"
        echo "[service web]"; runner web; echo "after = migrate"
        echo "[service other]"; runner other
    } >conf
    start_ns conf
    wait_state migrate failed
    wait_state other running
    sleep 1
    assert_eq waiting "$(state_of web)" "web behind a failed oneshot"
    assert_eq other "$(cat order)" "only the unrelated service started"
    assert_contains err "migrate: exited with status 3"
    # status says what it waits for, and in what state that one is.
    status_line web | grep -q ' reason="waiting for migrate (failed)"$' ||
        die "no reason for waiting: $(status_line web)"
    # Behind an invalid service the same.
    { echo "[service late]"; runner late; echo "after = broken"
      echo "[service broken]"; echo "exec = /bin/true"; echo "colour = blue"; } >>conf
    ctl reload >/dev/null 2>&1 && die "a reload of a file with a problem was applied"
    stop_ns
    assert_eq 0 "$NS_RC"
    start_ns conf
    wait_state broken failed
    status_line late | grep -q ' reason="waiting for broken (failed)"$' ||
        die "no reason behind an invalid service: $(status_line late)"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_output_is_prefixed_and_partial_last_line_flushed() {
    {
        conf_head
        echo "[service talk]"
        echo "exec = /bin/sh -c \"echo one; echo two >&2; printf 'no newline at end'\""
        echo "oneshot = yes"
    } >conf
    start_ns conf
    wait_state talk done
    wait_line err "talk: no newline at end"
    assert_contains err '^talk: one$'
    assert_contains err '^talk: two$'
    [ "$(grep -c '^talk: ' err)" = 3 ] || die "want 3 talk lines: $(cat err)"
    stop_ns
}

test_output_flood_arrives_complete_and_in_order() {
    {
        conf_head
        echo "[service flood]"; echo "exec = /usr/bin/seq 1 600000"; echo "oneshot = yes"
        echo "[service quiet]"; runner quiet
    } >conf
    start_ns conf
    wait_state flood done 30
    wait_line err "flood: 600000" 10
    # 600000 lines, about 4.5 MB: every one, in order, nothing else mixed in.
    sed -n 's/^flood: //p' err >got
    seq 1 600000 | cmp -s - got || die "flood output differs: $(wc -l <got) lines, $(wc -c <got) bytes"
    assert_eq running "$(state_of quiet)" "the other service"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_output_without_newline_is_split_never_lost() {
    {
        conf_head
        echo "[service long]"
        echo "exec = /bin/sh -c \"printf %3000s '' | tr ' ' x; sleep 0.3; printf yz\""
        echo "oneshot = yes"
    } >conf
    start_ns conf
    wait_state long done
    wait_for 5 grep -q 'yz$' err || die "last piece missing: $(cat err)"
    # 3000 x's in pieces of at most 1024 bytes, each a prefixed line; then yz.
    local pieces
    pieces=$(grep '^long: ' err | sed 's/^long: //')
    [ "$(printf '%s' "$pieces" | tr -d '\n')" = "$(printf %3000s '' | tr ' ' x)yz" ] ||
        die "bytes lost or changed: $(cat err)"
    printf '%s\n' "$pieces" | awk 'length($0) > 1024 { exit 1 }' || die "a piece is longer than 1024"
    [ "$(printf '%s\n' "$pieces" | grep -c .)" -ge 3 ] || die "3000 bytes not split: $(cat err)"
    stop_ns
}

test_restart_always_on_failure_and_never() {
    {
        conf_head
        for p in always on-failure never; do
            for code in 0 1; do
                echo "[service $p-$code]"
                echo "exec = /bin/sh -c \"echo $p-$code >>$TMP/runs; sleep 0.1; exit $code\""
                echo "restart = $p"; echo "restart_delay = 100ms"; echo "restart_limit = 0"
            done
        done
    } >conf
    start_ns conf
    wait_for 10 eval '[ "$(grep -cx always-0 runs)" -ge 3 ] && [ "$(grep -cx always-1 runs)" -ge 3 ] && [ "$(grep -cx on-failure-1 runs)" -ge 3 ]' ||
        die "restarts missing: $(sort runs | uniq -c)"
    assert_eq 1 "$(grep -cx on-failure-0 runs)" "on-failure, exit 0: runs"
    assert_eq 1 "$(grep -cx never-0 runs)" "never, exit 0: runs"
    assert_eq 1 "$(grep -cx never-1 runs)" "never, exit 1: runs"
    assert_eq stopped "$(state_of on-failure-0)"
    assert_eq stopped "$(state_of never-0)"
    assert_eq failed "$(state_of never-1)"
    assert_eq 1 "$(field_of never-1 exit)" "never-1 exit"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_leftovers_are_killed_when_the_service_ends() {
    # Each run leaves a background child in its process group; a restart
    # must not find the last run's child still there. A oneshot that
    # succeeds keeps what it started (a daemon it launched).
    {
        conf_head
        echo "[service leaky]"
        echo "exec = /bin/sh -c \"sleep 1000 & echo \$! >>$TMP/kids; sleep 0.2; exit 1\""
        echo "restart_delay = 100ms"; echo "restart_limit = 0"
        echo "[service launcher]"
        echo "exec = /bin/sh -c \"sleep 1000 & echo \$! >$TMP/daemon\""
        echo "oneshot = yes"
    } >conf
    start_ns conf
    wait_for 10 eval '[ "$(wc -l <kids)" -ge 3 ]' || die "leaky did not restart: $(cat err)"
    wait_state launcher done
    local kid last alive_kids=0
    last=$(tail -1 kids)
    for kid in $(cat kids); do
        [ "$kid" = "$last" ] && continue
        wait_for 2 eval '! alive $kid' || alive_kids=$((alive_kids + 1))
    done
    assert_eq 0 "$alive_kids" "children of ended runs still alive"
    alive "$(cat daemon)" || die "the oneshot's daemon was killed"
    stop_ns
    assert_eq 0 "$NS_RC"
    alive "$(cat daemon)" && die "the oneshot's daemon outlived nsinit"
    return 0
}

test_restart_delay_is_waited() {
    {
        conf_head
        echo "[service slow]"
        echo "exec = /bin/sh -c \"date +%s.%N >>$TMP/starts; exit 1\""
        echo "restart_delay = 1500ms"
    } >conf
    start_ns conf
    wait_for 10 eval '[ "$(wc -l <starts)" -ge 2 ]' || die "no restart: $(cat starts)"
    local gap
    gap=$(awk 'NR == 1 {a = $1} NR == 2 {print $1 - a}' starts)
    awk -v g="$gap" 'BEGIN { exit !(g >= 1.4 && g < 4) }' || die "restart gap $gap s, want about 1.5 s"
    stop_ns
}

test_backoff_doubles_after_rapid_failures() {
    {
        conf_head
        echo "[service crash]"; echo "exec = /bin/false"
        echo "restart_delay = 100ms"; echo "restart_limit = 0"
    } >conf
    start_ns conf
    sleep 3.2
    # Doubling: 0.1+0.2+0.4+0.8+1.6 s: about 5 restarts in 3.2 s; without
    # doubling there would be about 30.
    local n
    n=$(field_of crash restarts)
    [ "$n" -ge 3 ] && [ "$n" -le 9 ] || die "restarts in 3.2 s: $n, want 3..9"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_restart_limit_fails_and_ctl_start_resets() {
    {
        conf_head
        echo "[service crash]"; echo "exec = /bin/sh -c \"echo run >>$TMP/runs; exit 1\""
        echo "restart_delay = 50ms"; echo "restart_limit = 3"
    } >conf
    start_ns conf
    wait_state crash failed 5
    assert_eq 3 "$(wc -l <runs)" "runs before giving up"
    assert_contains err "crash: 3 rapid failures in a row"
    sleep 1
    assert_eq failed "$(state_of crash)" "left alone"
    assert_eq 3 "$(wc -l <runs)" "runs while failed"
    ctl start crash >/dev/null || die "ctl start failed"
    wait_for 5 eval '[ "$(wc -l <runs)" -ge 4 ]' || die "ctl start did not start it"
    wait_state crash failed 5
    # The count started again: another restart_limit runs, not one.
    assert_eq 6 "$(wc -l <runs)" "runs after ctl start"
    stop_ns
}

test_crash_loop_costs_pid1_little_cpu() {
    {
        conf_head
        # The worst case: no delay, never give up.
        echo "[service crash]"; echo "exec = /bin/false"
        echo "restart_delay = 0"; echo "restart_limit = 0"
    } >conf
    start_ns conf
    local before after
    before=$(cpu_ticks $NS_PID)
    sleep 5
    after=$(cpu_ticks $NS_PID)
    # Ticks are 10 ms: 0.5 s of CPU in 5 s would already be a spin.
    [ $((after - before)) -le 50 ] || die "nsinit used $((after - before)) ticks in 5 s (restarts=$(field_of crash restarts))"
    [ "$(field_of crash restarts)" -le 100 ] || die "restarts in 5 s: $(field_of crash restarts)"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_service_that_cannot_start_fails_alone() {
    {
        conf_head
        echo "[service nobin]"; echo "exec = /nope"; echo "restart = never"
        echo "[service nouser]"; echo "exec = /bin/true"; echo "user = no-such-user-x"; echo "restart = never"
        echo "[service nowd]"; echo "exec = /bin/true"; echo "workdir = /no/such/dir"; echo "restart = never"
        echo "[service retried]"; echo "exec = /nope"; echo "restart_delay = 100ms"; echo "restart_limit = 2"
        echo "[service good]"; runner good
    } >conf
    start_ns conf
    wait_state nobin failed
    wait_state nouser failed
    wait_state nowd failed
    wait_state retried failed
    assert_eq running "$(state_of good)"
    status_line nobin | grep -qF 'reason="exec /nope: No such file or directory"' || die "nobin: $(status_line nobin)"
    status_line nouser | grep -qF 'reason="user no-such-user-x' || die "nouser: $(status_line nouser)"
    status_line nowd | grep -qF 'reason="workdir /no/such/dir: No such file or directory"' || die "nowd: $(status_line nowd)"
    assert_contains err '^nsinit: nobin: exec /nope: No such file or directory$'
    assert_contains err '^nsinit: nouser: user no-such-user-x'
    assert_contains err '^nsinit: nowd: workdir /no/such/dir: No such file or directory$'
    stop_ns
    assert_eq 0 "$NS_RC"
}

# Three in a chain (c after b after a) and one aside; each notes its stop
# signal, then takes 0.2 s to go, so a dependency stopped too early would
# show in the order.
check_reverse_stop() {
    local sig=$1
    {
        conf_head
        local n
        for n in a b c d; do
            echo "[service $n]"
            echo "exec = /bin/sh -c \"trap 'echo $n >>$TMP/stops; sleep 0.2; exit 0' TERM; echo $n >>$TMP/order; while :; do sleep 0.05; done\""
            case $n in b) echo "after = a" ;; c) echo "after = b" ;; esac
        done
    } >conf
    rm -f stops order
    start_ns conf
    wait_for 5 eval '[ "$(wc -l <order 2>/dev/null)" = 4 ]' || die "not all started: $(ctl status)"
    wait_state c running
    stop_ns "$sig"
    assert_eq 0 "$NS_RC" "exit status after SIG$sig"
    # c before b before a; d anywhere.
    assert_eq "c b a" "$(echo $(grep -v d stops))" "stop order after SIG$sig"
    grep -qx d stops || die "d never got its stop signal"
    [ -z "$(tagged_pids)" ] || die "left behind after SIG$sig: $(tagged_pids)"
}

test_sigterm_and_sigint_stop_in_reverse_dependency_order() {
    check_reverse_stop TERM
    check_reverse_stop INT
}

test_stop_timeout_sigkills_and_nothing_outlives_nsinit() {
    {
        conf_head
        echo "[service stubborn]"
        echo "exec = /bin/sh -c \"trap '' TERM; echo up >>$TMP/order; while :; do sleep 0.05; done\""
        echo "stop_timeout = 1s"
        echo "[service parent]"
        # Leaves a child behind in a session of its own, then runs on.
        echo "exec = /bin/sh -c \"setsid sleep 1000 & echo \$! >$TMP/orphan; exec sleep 1000\""
        echo "stop_timeout = 1s"
    } >conf
    start_ns conf
    wait_state stubborn running
    wait_state parent running
    wait_for 5 test -s orphan
    local orphan t0 t1
    orphan=$(cat orphan)
    alive "$orphan" || die "the left-behind child is not running"
    t0=$(date +%s%N)
    stop_ns TERM
    t1=$(date +%s%N)
    assert_eq 0 "$NS_RC" "exit status"
    assert_contains err "stubborn: did not stop within 1000ms: SIGKILL"
    # Timeouts: 1 s stop + 2 s shutdown_timeout, plus 1 s; 2 s more for a busy machine.
    [ $(((t1 - t0) / 1000000)) -lt 6000 ] || die "shutdown took $(((t1 - t0) / 1000000)) ms"
    [ $(((t1 - t0) / 1000000)) -ge 900 ] || die "stubborn was killed before its stop_timeout"
    ! alive "$orphan" || die "the child a service left behind outlived nsinit"
    [ -z "$(tagged_pids)" ] || die "left behind: $(tagged_pids)"
}

# A cgroup v1 freezer holds a frozen process in the kernel: SIGKILL stays
# pending until it is thawed, as for a process stuck on a hung disk.
FREEZER=/sys/fs/cgroup/freezer
thaw_frozen() {
    [ -n "${FROZEN:-}" ] && [ -d "$FROZEN" ] || return 0
    echo THAWED >"$FROZEN/freezer.state"
    wait_for 5 eval '[ ! -s "$FROZEN/cgroup.procs" ]'
    rmdir "$FROZEN"
}

test_process_stuck_after_sigkill_does_not_hold_up_shutdown() {
    grep -q " $FREEZER cgroup .*freezer" /proc/mounts || skip "no cgroup v1 freezer at $FREEZER"
    FROZEN=$FREEZER/nsinit-test-$$
    mkdir "$FROZEN" 2>/dev/null || skip "cannot make a freezer cgroup in $FREEZER"
    trap 'thaw_frozen; cleanup_tagged' EXIT
    {
        conf_head
        echo "[service stuck]"
        echo "exec = sleep 1000"
        echo "stop_timeout = 1s"
    } >conf
    start_ns conf
    wait_state stuck running
    local pid
    pid=$(field_of stuck pid)
    { echo "$pid" >"$FROZEN/cgroup.procs" && echo FROZEN >"$FROZEN/freezer.state"; } 2>/dev/null ||
        skip "the freezer refuses to freeze here"
    # ctl stop: SIGTERM, SIGKILL after 1 s, given up 5 s later.
    ctl stop stuck
    wait_state stuck failed 10
    assert_contains err "stuck: did not stop within 1000ms: SIGKILL"
    assert_contains err "stuck: pid $pid still there 5000ms after SIGKILL: left behind"
    status_line stuck | grep -q "after SIGKILL: left behind" || die "no reason in status: $(status_line stuck)"
    alive "$pid" || die "the frozen process went: the test proves nothing"
    # The shutdown still ends: the sweep gives up on it too.
    stop_ns TERM
    assert_eq 0 "$NS_RC" "exit status"
    assert_contains err "processes left after SIGKILL; ending anyway"
    thaw_frozen
    wait_for 5 eval '! alive $pid' || die "the thawed process did not die of its SIGKILL"
}

test_main_service_exit_ends_supervisor_with_its_status() {
    {
        conf_head
        echo "[service main]"; echo "exec = /bin/sh -c \"sleep 0.5; exit 7\""; echo "main = yes"
        echo "[service side]"; runner side
    } >conf
    start_ns conf
    wait_state side running
    wait_exit 10
    assert_eq 7 "$NS_RC" "nsinit's exit status"
    [ -z "$(tagged_pids)" ] || die "left behind: $(tagged_pids)"
}

test_container_mode_runs_services_beside_the_command() {
    {
        conf_head
        echo "[service side]"; runner side
    } >conf
    "$NSINIT" -c conf -- /bin/sh -c "for i in \$(seq 50); do [ -s $TMP/order ] && break; sleep 0.1; done; cat $TMP/order; exit 5" >out 2>err &
    NS_PID=$!
    wait_exit 15
    assert_eq 5 "$NS_RC" "nsinit's exit status is CMD's"
    assert_eq side "$(cat out)" "the service ran beside CMD"
    [ -z "$(tagged_pids)" ] || die "left behind: $(tagged_pids)"
}

test_config_errors_valid_services_still_start() {
    {
        conf_head
        echo "[service good]"; runner good
        echo "[service bad]"; echo "exec = /bin/true"; echo "foo = bar"
        echo "[service late]"; runner late; echo "restart_delay = soon"
        echo "[service quoted]"; runner quoted; echo 'hostname = "x"'
    } >conf
    start_ns conf
    wait_state good running
    assert_contains err "^conf:8: unknown key 'foo'$"
    assert_contains err "^conf:11: bad duration 'soon'$"
    assert_eq failed "$(state_of bad)"
    assert_eq failed "$(state_of late)"
    # The first problem is the reason; a '"' in it cannot end the field.
    assert_eq "reason=\"invalid config: conf:8: unknown key 'foo'\"" \
        "$(status_line bad | grep -o 'reason=.*')" "bad's reason"
    assert_eq "reason=\"invalid config: conf:14: bad hostname ''x''\"" \
        "$(status_line quoted | grep -o 'reason=.*')" "quoted's reason"
    assert_eq good "$(cat order)" "only the valid service ran"
    stop_ns
    assert_eq 0 "$NS_RC"
}

test_as_pid1_of_a_pid_namespace() {
    command -v unshare >/dev/null || skip "no unshare"
    {
        conf_head
        echo "[service db]"; echo "exec = /bin/sh -c \"echo db is \$\$; exec sleep 1000\""
        echo "[service web]"; runner web; echo "after = db"
        # An orphan for PID 1 to reap: the shell exits, its child lives on.
        echo "[service fork]"; echo "exec = /bin/sh -c \"sleep 0.2 & exit 0\""; echo "restart = never"
    } >conf
    unshare -fp --mount-proc "$NSINIT" -c conf >out 2>err &
    NS_PID=$!
    wait_for 5 test -S "$SOCK" || die "no socket: $(cat err)"
    wait_state web running
    local inner
    inner=$(echo $(cat /proc/$NS_PID/task/$NS_PID/children))
    assert_eq 1 "$(awk '/^NSpid:/ {print $3}' /proc/$inner/status)" "nsinit's pid in its namespace"
    assert_contains err '^db: db is [0-9]+$'
    sleep 0.5
    assert_eq 0 "$(zombies_under $inner)" "zombies under PID 1"
    kill -TERM "$inner"
    NS_RC=0
    wait "$NS_PID" || NS_RC=$?
    assert_eq 0 "$NS_RC" "exit status as PID 1"
    [ -z "$(tagged_pids)" ] || die "left behind: $(tagged_pids)"
}

test_as_many_services_as_the_config_allows_all_run() {
    # MAX_SERVICES (256): every one with its output pipe, all launched at once.
    {
        conf_head
        local i
        for i in $(seq 1 256); do echo "[service s$i]"; echo "exec = /bin/sh -c \"echo hi; exec sleep 1000\""; done
    } >conf
    start_ns conf
    wait_for 20 eval '[ "$(ctl status | grep -c " running ")" = 256 ]' ||
        die "not all running: $(ctl status | awk '{print $2}' | sort | uniq -c) $(head -5 err)"
    wait_for 5 eval '[ "$(grep -c "^s[0-9]*: hi$" err)" = 256 ]' || die "output missing: $(grep -c hi err)"
    assert_not_contains err '^nsinit: '
    stop_ns
    assert_eq 0 "$NS_RC"
    [ -z "$(tagged_pids)" ] || die "left behind: $(tagged_pids | wc -w)"
}

# A FIFO named on the command line is read as cat reads it: once a writer
# comes. PID 1 never waits on one: there it is no config.
test_check_reads_a_fifo_once_written_and_pid1_refuses_one() {
    mkfifo fifo
    ( sleep 0.5; printf 'garbage\n' >fifo ) &
    local rc=0
    timeout 5 "$NSINIT" check fifo 2>e || rc=$?
    assert_eq 1 "$rc" "check of a FIFO written to later"
    assert_contains e "^fifo:1: expected 'key = value'"
    printf '[service a]\nexec = /bin/true\n' | "$NSINIT" check /dev/stdin || die "check /dev/stdin"
    rc=0
    timeout 5 unshare -fp --kill-child "$NSINIT" -c fifo >o 2>e || rc=$?
    [ "$rc" != 124 ] || die "PID 1 waited on a FIFO"
    assert_contains e "fifo: not a regular file"
}

# A script saved with CRLF line ends: its #! names "/bin/sh\r".
test_service_whose_interpreter_is_missing_says_so() {
    printf '#!/bin/sh\r\necho ran\r\n' >"$TMP/crlf.sh"
    chmod 755 "$TMP/crlf.sh"
    { conf_head; echo "[service crlf]"; echo "exec = $TMP/crlf.sh"; echo "restart = never"; } >conf
    start_ns conf
    wait_state crlf failed
    status_line crlf | grep -qF "reason=\"exec $TMP/crlf.sh: its #! interpreter or ELF loader is missing\"" ||
        die "crlf: $(status_line crlf)"
    assert_eq 127 "$(field_of crlf exit)" "crlf's exit status"
    stop_ns
}
