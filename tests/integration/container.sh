# Container mode (`nsinit [OPTIONS] -- CMD`, a drop-in for `tini --`): the
# real binary, as PID 1 of a fresh PID namespace and as a plain subreaper,
# checked against what the kernel shows (/proc, signals, ttys, fds).
# Run with: bash tests/integration/lib.sh tests/integration/container.sh

PROBE_SRC=$TOP/tests/integration/container_probe.c
PROBE=$TOP/build/host/container_probe

# ---- helpers -------------------------------------------------------------

# The modes of run/start. Under qemu-user (7.2) nsinit runs as PID 1 only:
# qemu-user refuses prctl(PR_SET_CHILD_SUBREAPER) (EINVAL), so there it
# cannot be a subreaper and orphans go past it.
MODES="sub pid1"
qemu_user && MODES=pid1
# The command's pid as nsinit's first child in a new pid namespace:
# qemu-user's own thread (its RCU thread) takes pid 2 there.
FIRST_CHILD=2
qemu_user && FIRST_CHILD=3
# nsinit asks the terminal for its session (TIOCGSID) to know whose it is.
QEMU_NO_TIOCGSID="its TIOCGSID returns 0 without the session id, so nsinit cannot tell whose session the terminal is"

# The probe command (see container_probe.c), built once and kept in build/.
probe_build() {
    command -v gcc >/dev/null || skip "gcc is needed to build the probe"
    if [ ! -x "$PROBE" ] || [ "$PROBE_SRC" -nt "$PROBE" ]; then
        mkdir -p "$(dirname "$PROBE")"
        gcc -O1 -o "$PROBE.$$" "$PROBE_SRC" && mv "$PROBE.$$" "$PROBE"
    fi
}

# run MODE ARGS...: nsinit with ARGS in the foreground, as PID 1 of a new
# PID namespace (pid1) or as a subreaper (sub).
run() {
    local mode=$1
    shift
    if [ "$mode" = pid1 ]; then
        unshare -fp --mount-proc "$NSINIT" "$@"
    else
        "$NSINIT" "$@"
    fi
}

# start MODE ARGS...: nsinit in the background; sets BG (the job to wait
# for) and NS_PID (nsinit itself, as the host sees it).
start() {
    local mode=$1
    shift
    if [ "$mode" = pid1 ]; then
        unshare -fp --mount-proc "$NSINIT" "$@" &
        BG=$!
        wait_for 5 child_of $BG || die "no nsinit under unshare $BG"
        NS_PID=$(cat /proc/$BG/task/*/children | awk '{print $1}')
    else
        "$NSINIT" "$@" &
        BG=$!
        NS_PID=$BG
    fi
    CLEAN_PIDS="${CLEAN_PIDS:-} $BG $NS_PID"
}

child_of() { [ -n "$(cat /proc/$1/task/*/children 2>/dev/null)" ]; }

# Waits for the background job started by start(); RC is its status.
finish() {
    RC=0
    wait "$BG" || RC=$?
}

# The host's pid for a pid inside nsinit's namespace (probes write the pid
# they see; as PID 1 that is not the host's).
host_pid() {
    local ns f p
    if [ "$NS_PID" = "$BG" ]; then
        echo "$1"
        return
    fi
    ns=$(readlink /proc/$NS_PID/ns/pid)
    for f in $(grep -lE "^NSpid:[[:space:]]+[0-9]+[[:space:]]+$1\$" /proc/[0-9]*/status 2>/dev/null); do
        p=${f#/proc/}
        p=${p%/status}
        [ "$(readlink /proc/$p/ns/pid)" = "$ns" ] && echo "$p" && return
    done
    die "no host pid for $1 in nsinit's namespace"
}

alive() { kill -0 "$1" 2>/dev/null && [ "$(state_of "$1")" != Z ]; }
gone() { ! alive "$1"; }
state_of() { awk '{ sub(/.*\) /, ""); print $1 }' /proc/$1/stat 2>/dev/null; }
is_file() { [ -f "$1" ]; }
has_line() { [ -f "$1" ] && grep -qx -- "$2" "$1"; }
ready_pid() { host_pid "$(head -1 "$1.ready")"; }
no_zombies_under() { [ "$(zombies_under "$1")" = 0 ]; }

# Hex mask of the signals given (as /proc/PID/status prints SigBlk, SigIgn).
sigmask() {
    local m=0 s
    for s in "$@"; do m=$((m | (1 << (s - 1)))); done
    printf '%016x' $m
}

# The same for SigIgn, plus what this shell's children inherit ignored
# already (GNU make, for one, hands signals 32 and 33 on ignored): nsinit
# must pass those on unchanged too.
igmask() {
    local inherited
    inherited=$(awk '/^SigIgn:/ {print $2}' /proc/self/status)
    # qemu-user maps its guest's low real-time signals onto other host
    # ones: an ignored 33 (make's) never reaches the guest to pass on.
    qemu_user && inherited=$(printf '%x' $((0x$inherited & ~(1 << 32))))
    printf '%016x' $((0x$inherited | 0x$(sigmask "$@")))
}

# Every process this test left behind: those whose cwd is in the test's
# directory (every command started here), and nsinit itself (its cwd is /).
kill_leftovers() {
    local rc=$? p c anc=" " q=$BASHPID
    set +e
    case "${TMP:-}" in /tmp/nsinit-test.*) ;; *) return $rc ;; esac
    while [ "${q:-0}" -gt 1 ]; do
        anc="$anc$q "
        q=$(awk '/^PPid:/ {print $2}' /proc/$q/status 2>/dev/null)
    done
    for p in ${CLEAN_PIDS:-}; do kill -9 "$p" 2>/dev/null; done
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        case "$anc" in *" $p "*) continue ;; esac
        c=$(readlink "/proc/$p/cwd" 2>/dev/null) || continue
        case "$c" in "$TMP" | "$TMP"/*) kill -9 "$p" 2>/dev/null ;; esac
    done
    return $rc
}
CLEAN_PIDS= NS_PID= BG=
if [ -n "${TMP:-}" ]; then trap kill_leftovers EXIT; fi

# ---- exit status -----------------------------------------------------------

test_exit_codes_pass_through() {
    local mode code rc
    for mode in $MODES; do
        for code in 0 3 255; do
            rc=0
            run $mode -- sh -c "exit $code" || rc=$?
            assert_eq "$code" "$rc" "$mode: exit $code"
        done
    done
}

test_killed_by_signal_is_128_plus_n() {
    local mode sig rc
    ulimit -c 0
    for mode in $MODES; do
        for sig in 9 15 11 6; do
            rc=0
            run $mode -- sh -c "kill -$sig \$\$" || rc=$?
            assert_eq $((128 + sig)) "$rc" "$mode: killed by $sig"
        done
    done
}

test_command_not_found_is_127_with_reason() {
    local mode rc
    for mode in $MODES; do
        rc=0
        run $mode -- no-such-command-here arg >out 2>err || rc=$?
        assert_eq 127 "$rc" "$mode: exit status"
        assert_eq 1 "$(wc -l <err)" "$mode: stderr lines"
        assert_contains err 'no-such-command-here.*No such file'
        assert_eq 0 "$(wc -c <out)" "$mode: stdout bytes"
        rc=0
        run $mode -- ./missing/path >out 2>err || rc=$?
        assert_eq 127 "$rc" "$mode: path not found"
        assert_eq 1 "$(wc -l <err)" "$mode: stderr lines"
        # There, but its #! names what is not (a script saved with CRLF).
        printf '#!/bin/sh\r\necho ran\r\n' >crlf.sh
        chmod 755 crlf.sh
        rc=0
        run $mode -- ./crlf.sh >out 2>err || rc=$?
        assert_eq 127 "$rc" "$mode: interpreter missing"
        assert_contains err 'exec ./crlf.sh: its #! interpreter or ELF loader is missing$'
    done
}

test_command_not_executable_is_126_with_reason() {
    local mode rc
    printf '#!/bin/sh\necho ran\n' >plain
    chmod 644 plain
    mkdir adir
    for mode in $MODES; do
        rc=0
        run $mode -- ./plain >out 2>err || rc=$?
        assert_eq 126 "$rc" "$mode: not executable"
        assert_eq 1 "$(wc -l <err)" "$mode: stderr lines"
        assert_contains err 'plain.*Permission denied'
        assert_not_contains out ran
        rc=0
        run $mode -- ./adir 2>err || rc=$?
        assert_eq 126 "$rc" "$mode: a directory"
        assert_eq 1 "$(wc -l <err)" "$mode: stderr lines"
    done
}

test_usage_errors_exit_2_and_never_run_the_command() {
    local rc args
    for args in "-e 256" "-e abc" "-e -1" "-p NOPE" "-t soon" "-x" "--bogus" \
        "--preserve-fds=x" "-gq" "-r 15" "-r 15:99" "--rewrite=x:1" "-r 0:1"; do
        rc=0
        # shellcheck disable=SC2086 # the words are the options
        "$NSINIT" $args -- touch ran >out 2>err || rc=$?
        assert_eq 2 "$rc" "nsinit $args"
        [ ! -e ran ] || die "nsinit $args ran the command"
        assert_eq 1 "$(wc -l <err)" "nsinit $args: stderr lines"
        assert_contains err '^nsinit: '
        assert_eq 0 "$(wc -c <out)" "nsinit $args: stdout bytes"
    done
    for args in "--" "" "-g -w"; do
        rc=0
        # shellcheck disable=SC2086
        "$NSINIT" $args >out 2>err || rc=$?
        assert_eq 2 "$rc" "nsinit $args (no command)"
        assert_eq 1 "$(wc -l <err)" "nsinit $args: stderr lines"
        assert_contains err 'no command'
    done
    # As PID 1 too: still no command run, still 2.
    rc=0
    unshare -fp --mount-proc "$NSINIT" -e 256 -- touch ran 2>err || rc=$?
    assert_eq 2 "$rc" "pid1: -e 256"
    [ ! -e ran ] || die "pid1: -e 256 ran the command"
}

test_version_and_help_on_stdout() {
    local opt
    for opt in --version --help -V -h; do
        "$NSINIT" $opt >out 2>err || die "nsinit $opt failed"
        [ -s out ] || die "nsinit $opt printed nothing on stdout"
        assert_eq 0 "$(wc -c <err)" "nsinit $opt: stderr bytes"
    done
    # tini's form, which dockerd parses (`docker info`: "init version"),
    # with nsinit's name where the commit goes.
    "$NSINIT" --version >out
    assert_eq 1 "$(wc -l <out)" "--version lines"
    assert_contains out '^tini version [0-9][^ ]* - git\.nsinit$'
    "$NSINIT" --help >out
    assert_contains out 'usage: nsinit'
}

test_verbose_only_on_stderr() {
    local mode
    for mode in $MODES; do
        run $mode -v -v -- sh -c 'echo hello; exit 0' >out 2>err \
            || die "$mode: nsinit -v failed"
        assert_eq hello "$(cat out)" "$mode: stdout"
        assert_contains err '^nsinit: .*started'
    done
}

# ---- -r SRC:DST, tini's environment -----------------------------------------

test_rewrite_forwards_src_as_dst_and_drops_dst_0() {
    local mode rt=40
    # qemu-user keeps real-time signals of its own: a plain one there.
    qemu_user && rt=28
    probe_build
    for mode in $MODES; do
        rm -f m m.ready
        start $mode -r 15:3 -r SIGUSR1:0 --rewrite USR2:$rt --rewrite=HUP:HUP -- "$PROBE" catch m
        wait_for 5 is_file m.ready || die "probe did not start"
        kill -TERM "$NS_PID"
        wait_for 5 has_line m 3 || die "$mode: SIGTERM not forwarded as SIGQUIT"
        kill -USR1 "$NS_PID"
        kill -USR2 "$NS_PID"
        wait_for 5 has_line m $rt || die "$mode: SIGUSR2 not forwarded as signal $rt"
        kill -HUP "$NS_PID"
        wait_for 5 has_line m 1 || die "$mode: SIGHUP not forwarded"
        # What was rewritten never arrives as itself; SIGUSR1 not at all
        # (nsinit forwards in order: it would be in m before SIGHUP).
        ! has_line m 15 || die "$mode: SIGTERM arrived as itself"
        ! has_line m 10 || die "$mode: SIGUSR1 was not dropped"
        ! has_line m 12 || die "$mode: SIGUSR2 arrived as itself"
        alive "$NS_PID" || die "$mode: nsinit died"
        kill -KILL "$(ready_pid m)"
        finish
        assert_eq 137 "$RC" "$mode: status"
    done
}

test_rewrite_changes_forwarding_not_nsinit_own_handling() {
    local mode rc
    for mode in $MODES; do
        # SIGCHLD stays nsinit's: reaping, never forwarded, rewritten or not.
        rc=0
        run $mode -r CHLD:TERM -v -- sh -c '(true &); (true &); sleep 0.3; exit 3' 2>log || rc=$?
        assert_eq 3 "$rc" "$mode: status with -r CHLD:TERM"
        assert_not_contains log 'forwarded SIGTERM'
    done
}

test_tini_environment_spellings() {
    local mode pid pgid sid tpgid
    probe_build
    for mode in $MODES; do
        TINI_KILL_PROCESS_GROUP=1 run $mode -- "$PROBE" ids </dev/null >ids
        read -r pid pgid sid tpgid <ids
        assert_eq "$pid" "$pgid" "$mode: TINI_KILL_PROCESS_GROUP=1 gives the command its group"
        TINI_KILL_PROCESS_GROUP= run $mode -- "$PROBE" ids </dev/null >ids
        read -r pid pgid sid tpgid <ids
        [ "$pid" != "$pgid" ] || die "$mode: an empty TINI_KILL_PROCESS_GROUP acted as -g"
        TINI_VERBOSITY=2 run $mode -- true 2>err >out
        assert_contains err '^nsinit: .*started'
        assert_eq 0 "$(wc -c <out)" "$mode: stdout with TINI_VERBOSITY=2"
        TINI_VERBOSITY=1 run $mode -- true 2>err
        assert_eq 0 "$(wc -c <err)" "$mode: stderr with TINI_VERBOSITY=1"
        # Accepted, and every one reaches the command unchanged.
        TINI_SUBREAPER=1 TINI_VERBOSITY=3 TINI_KILL_PROCESS_GROUP=yes \
            run $mode -- env 2>/dev/null | grep '^TINI_' | sort >got
        printf '%s\n' TINI_KILL_PROCESS_GROUP=yes TINI_SUBREAPER=1 TINI_VERBOSITY=3 >want
        cmp want got || { diff want got; die "$mode: TINI_* changed on the way"; }
    done
}

# ---- exit mapping, parent death ---------------------------------------------

test_exit_code_mapping() {
    local mode rc
    for mode in $MODES; do
        rc=0
        run $mode -e 143 -- sh -c 'kill -TERM $$' || rc=$?
        assert_eq 0 "$rc" "$mode: -e 143, killed by TERM"
        rc=0
        run $mode -e 143 -- sh -c 'kill -KILL $$' || rc=$?
        assert_eq 137 "$rc" "$mode: -e 143, killed by KILL"
        rc=0
        run $mode -e 3 -e143 -e 7 -- sh -c 'exit 7' || rc=$?
        assert_eq 0 "$rc" "$mode: -e repeated, exit 7"
        rc=0
        run $mode -e 3 -e 143 -- sh -c 'exit 4' || rc=$?
        assert_eq 4 "$rc" "$mode: exit 4 not mapped"
        # The usual case: the runtime stops the container with SIGTERM.
        start $mode -e 143 -- sleep 100
        wait_for 5 child_of "$NS_PID"
        kill -TERM "$NS_PID"
        finish
        assert_eq 0 "$RC" "$mode: SIGTERM forwarded, 143 mapped"
    done
}

test_pdeathsig_forwards_signal_when_parent_dies() {
    local opt
    probe_build
    for opt in "-p SIGUSR1" "-p 10" "-pUSR1" ""; do
        rm -f m m.ready npid
        # nsinit's parent is this sh; kill it and nsinit must get (and
        # forward) SIGUSR1 when -p asks for it, nothing otherwise.
        sh -c "\"$NSINIT\" $opt -- \"$PROBE\" catch m & echo \$! >npid; wait" &
        local parent=$!
        wait_for 5 is_file m.ready || die "probe did not start"
        CLEAN_PIDS="$CLEAN_PIDS $(cat npid)"
        kill -KILL $parent
        wait $parent 2>/dev/null || true
        if [ -n "$opt" ]; then
            wait_for 5 has_line m 10 || die "nsinit $opt: no SIGUSR1 after its parent died"
        else
            sleep 0.5
            ! has_line m 10 || die "SIGUSR1 without -p"
        fi
        alive "$(cat npid)" || die "nsinit $opt died with its parent"
        kill -KILL "$(ready_pid m)"
        wait_for 5 gone "$(cat npid)" || die "nsinit did not end with its command"
    done
}

# ---- signals ---------------------------------------------------------------

# send_all NS_PID MARKS SIG...: sends each signal to nsinit and waits until
# the command records it; nsinit must stay alive and running throughout.
send_and_check() {
    local pid=$1 marks=$2 sig
    shift 2
    for sig in "$@"; do
        kill -"$sig" "$pid" || die "kill -$sig $pid"
        wait_for 5 has_line "$marks" "$sig" || die "signal $sig not forwarded"
        alive "$pid" || die "nsinit died of signal $sig"
        case "$(state_of "$pid")" in T | t) die "nsinit stopped by signal $sig" ;; esac
    done
}

# Every catchable signal but SIGCHLD; the fault signals sent with kill(2);
# stop signals; real-time ones at both ends.
FORWARDED="15 2 1 3 10 12 28 18 34 40 64 11 6 7 8 4 5 31 13 14 23 24 25 26 27 29 30 16 20 21 22"
# qemu-user takes SIGSEGV, SIGBUS, SIGFPE and SIGILL for faults of its own,
# even sent with kill(2): it dies of them (or drops them) before the guest
# sees them. Under it, the others.
qemu_user && FORWARDED="15 2 1 3 10 12 28 18 34 40 64 6 5 31 13 14 23 24 25 26 27 29 30 16 20 21 22"

# Started as $1 (sub or pid1): each of FORWARDED reaches the command, SIGCHLD
# does not, and the command's death by SIGKILL is the exit status.
check_signals_forwarded() {
    probe_build
    start "$1" -- "$PROBE" catch m
    wait_for 5 is_file m.ready || die "probe did not start"
    kill -CHLD "$NS_PID"
    # shellcheck disable=SC2086
    send_and_check "$NS_PID" m $FORWARDED
    ! has_line m 17 || die "SIGCHLD was forwarded"
    kill -KILL "$(ready_pid m)"
    finish
    assert_eq 137 "$RC" "status after the command was killed"
}

test_signals_forwarded_not_pid1() {
    check_signals_forwarded sub
}

test_signals_forwarded_as_pid1() {
    check_signals_forwarded pid1
}

test_signal_from_inside_namespace_forwarded() {
    local sig
    probe_build
    start pid1 -- "$PROBE" catch m
    wait_for 5 is_file m.ready || die "probe did not start"
    # Never let a `kill 1` reach the host's init.
    [ "$(readlink /proc/$NS_PID/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] \
        || die "nsinit $NS_PID is not in a namespace of its own"
    for sig in 10 15 2 1 20 40; do
        nsenter -t "$NS_PID" -p -m kill -$sig 1 || die "kill -$sig 1 inside"
        wait_for 5 has_line m $sig || die "kill -$sig 1 from inside not forwarded"
        alive "$NS_PID" || die "nsinit died of kill -$sig 1 from inside"
    done
    # The command can signal its init too (the usual `kill 1` in a container).
    nsenter -t "$NS_PID" -p -m kill -USR2 1
    wait_for 5 has_line m 12 || die "SIGUSR2 from inside not forwarded"
    kill -KILL "$(ready_pid m)"
    finish
    assert_eq 137 "$RC" "status"
}

test_stopped_command_does_not_end_nsinit() {
    local mode cmd
    probe_build
    for mode in $MODES; do
        rm -f m m.ready
        start $mode -- "$PROBE" catch m
        wait_for 5 is_file m.ready || die "probe did not start"
        cmd=$(ready_pid m)
        kill -STOP "$cmd"
        wait_for 5 eval '[ "$(state_of $cmd)" = T ]' || die "command not stopped"
        sleep 0.3
        alive "$NS_PID" || die "$mode: nsinit ended when its command stopped"
        kill -CONT "$NS_PID"
        wait_for 5 has_line m 18 || die "$mode: SIGCONT not forwarded"
        wait_for 5 eval '[ "$(state_of $cmd)" = S ]' || die "command not resumed"
        kill -KILL "$cmd"
        finish
        assert_eq 137 "$RC" "$mode: status"
    done
}

# ---- -g: the command's own group and session ---------------------------------

test_group_own_session_without_tty() {
    local pid pgid sid tpgid
    probe_build
    setsid -w "$NSINIT" -g -- "$PROBE" ids </dev/null >ids
    read -r pid pgid sid tpgid <ids
    assert_eq "$pid" "$pgid" "pgid"
    assert_eq "$pid" "$sid" "sid"
    assert_eq -1 "$tpgid" "tpgid without a tty"
    # Run from a process group leader (as a shell's job is), too.
    setsid sh -c "\"$NSINIT\" -g -- \"$PROBE\" ids </dev/null >ids2"
    read -r pid pgid sid tpgid <ids2
    assert_eq "$pid" "$pgid" "pgid under a group leader"
    assert_eq "$pid" "$sid" "sid under a group leader"
    unshare -fp --mount-proc "$NSINIT" -g -- "$PROBE" ids </dev/null >ids3
    assert_eq "$FIRST_CHILD $FIRST_CHILD $FIRST_CHILD -1" "$(cat ids3)" "as PID 1"
    # Without -g the command stays in nsinit's group.
    setsid -w "$NSINIT" -- "$PROBE" ids </dev/null >ids4
    read -r pid pgid sid tpgid <ids4
    [ "$pid" != "$pgid" ] || die "without -g the command leads its own group"
}

test_group_signals_reach_grandchild() {
    local mode
    probe_build
    for mode in $MODES; do
        rm -f top gc top.ready gc.ready
        start $mode -g -- sh -c "\"$PROBE\" catch gc & exec \"$PROBE\" catch top"
        wait_for 5 is_file top.ready && wait_for 5 is_file gc.ready || die "probes did not start"
        kill -USR1 "$NS_PID"
        wait_for 5 has_line top 10 || die "$mode: command did not get SIGUSR1"
        wait_for 5 has_line gc 10 || die "$mode: grandchild did not get SIGUSR1 with -g"
        kill -TERM "$NS_PID"
        wait_for 5 has_line gc 15 || die "$mode: grandchild did not get SIGTERM with -g"
        kill -KILL "$(ready_pid top)" "$(ready_pid gc)"
        finish
    done
    # Without -g only the command gets it.
    rm -f top gc top.ready gc.ready
    start sub -- sh -c "\"$PROBE\" catch gc & exec \"$PROBE\" catch top"
    wait_for 5 is_file top.ready && wait_for 5 is_file gc.ready || die "probes did not start"
    kill -USR1 "$NS_PID"
    wait_for 5 has_line top 10 || die "command did not get SIGUSR1"
    sleep 0.2
    ! has_line gc 10 || die "grandchild got SIGUSR1 without -g"
    kill -KILL "$(ready_pid top)" "$(ready_pid gc)"
    finish
}

test_group_signal_right_after_start_not_lost() {
    probe_build
    # Until the command has made its group, the group cannot be signalled:
    # the command itself must get the signal then.
    "$PROBE" startkill 40 "$NSINIT" -g -- sleep 10 </dev/null || die "-g lost a signal"
    "$PROBE" startkill 40 "$NSINIT" -- sleep 10 </dev/null || die "a signal was lost"
}

need_script() {
    command -v script >/dev/null || skip "script (util-linux) not installed"
}

# ids from a pty session, without the CR the terminal adds. The command
# replaces the shell script starts: dash (SHELL=/bin/sh) would fork it.
pty_ids() { script -qfec "exec $1" /dev/null </dev/null | tr -d '\r' | tail -1; }

test_group_command_gets_terminal_foreground() {
    local pid pgid sid tpgid
    need_script
    qemu_user_skip "$QEMU_NO_TIOCGSID"
    probe_build
    # nsinit leads the terminal's session (PID 1 of a container with a tty).
    read -r pid pgid sid tpgid <<<"$(pty_ids "$NSINIT -g -- $PROBE ids")"
    assert_eq "$pid" "$pgid" "session leader case: pgid"
    assert_eq "$pid" "$sid" "session leader case: sid"
    assert_eq "$pid" "$tpgid" "session leader case: foreground group"
    # nsinit is a shell's job: the command becomes the foreground job.
    read -r pid pgid sid tpgid <<<"$(pty_ids "sh -c '$NSINIT -g -- $PROBE ids; true'")"
    assert_eq "$pid" "$pgid" "shell job case: pgid"
    assert_eq "$pid" "$tpgid" "shell job case: foreground group"
    # As PID 1 of a namespace whose session lies outside (sid 0 inside).
    read -r pid pgid sid tpgid <<<"$(pty_ids "unshare -fp --mount-proc $NSINIT -g -- $PROBE ids")"
    assert_eq "2 2 2" "$pid $pgid $tpgid" "as PID 1 under a foreign session"
    # As PID 1 leading the terminal's session, as a runtime's `run -t`
    # starts it: the command takes the session's terminal with it.
    read -r pid pgid sid tpgid <<<"$(pty_ids "unshare -fp --mount-proc setsid -c $NSINIT -g -- $PROBE ids")"
    assert_eq "2 2 2 2" "$pid $pgid $sid $tpgid" "as PID 1 leading the session"
    # The same without CAP_SYS_ADMIN, as Docker runs a container: nsinit
    # lets go of the terminal for the command's session to take (taking
    # it from nsinit's session would need that capability).
    read -r pid pgid sid tpgid <<<"$(pty_ids "unshare -fp --mount-proc setsid -c setpriv --bounding-set -sys_admin $NSINIT -g -- $PROBE ids")"
    assert_eq "2 2 2 2" "$pid $pgid $sid $tpgid" "leading the session without CAP_SYS_ADMIN"
    # Letting go sends nsinit SIGHUP: it must not reach the command.
    assert_eq alive "$(pty_ids "unshare -fp --mount-proc setsid -c $NSINIT -g -- sh -c 'sleep 0.3; echo alive'")" \
        "the command after nsinit let go of the terminal"
}

test_group_gives_the_terminal_back_when_done() {
    local pgid tpgid
    need_script
    probe_build
    # The shell that ran `nsinit -g` is in the foreground again afterwards,
    # as it would be after running the command itself.
    read -r pgid tpgid <<<"$(pty_ids "sh -c '$NSINIT -g -- $PROBE ids >/dev/null; ps -o pgid=,tpgid= -p \$\$'")"
    [ -n "$pgid" ] || die "no answer from the shell"
    assert_eq "$pgid" "$tpgid" "the shell's group has the terminal back"
}

test_group_in_background_does_not_take_the_terminal() {
    local pid pgid sid tpgid shell
    need_script
    qemu_user_skip "$QEMU_NO_TIOCGSID"
    probe_build
    # nsinit in a group of its own that is not the foreground one (a
    # background job), then the shell's view of its terminal.
    script -qfec "python3 -c 'import os; os.setpgid(0, 0); os.execv(\"$NSINIT\", [\"nsinit\", \"-g\", \"--\", \"$PROBE\", \"ids\"])'; echo shell \$\$" \
        /dev/null </dev/null | tr -d '\r' >out
    read -r pid pgid sid tpgid <out
    shell=$(awk '/^shell / {print $2}' out)
    [ -n "$shell" ] || die "no answer from the shell"
    assert_eq "$pid" "$pgid" "the command's own group"
    assert_eq "$shell" "$tpgid" "the foreground group while the background command ran"
}

test_terminal_output_does_not_stop_nsinit() {
    need_script
    # TOSTOP, the command in the foreground, nsinit writing (-v) while in
    # the background: nsinit must neither stop nor lose its messages.
    timeout 20 script -qfec "sh -c 'stty tostop; $NSINIT -g -v -- sh -c \"sleep 0.3; exit 5\" 2>&1; echo rc=\$? >rc'" \
        /dev/null </dev/null >out || die "script failed or timed out (nsinit stopped?)"
    assert_contains out 'nsinit: command exited, status 5'
    assert_eq rc=5 "$(cat rc)" "nsinit's status"
    # Without -g, writes from the shared foreground group.
    timeout 20 script -qfec "sh -c 'stty tostop; $NSINIT -v -- true 2>&1; echo rc=\$? >rc'" \
        /dev/null </dev/null >out || die "script failed or timed out"
    assert_eq rc=0 "$(cat rc)" "nsinit's status without -g"
}

# ---- -w: the sweep after the command -----------------------------------------

test_wait_terms_leftovers_and_exits_when_none_left() {
    local mode t0 t1 rc
    probe_build
    for mode in $MODES; do
        rm -f a b c a.ready b.ready c.ready
        t0=$(date +%s%N)
        rc=0
        # Grace 10 s: nsinit must end as soon as all died of SIGTERM; c is
        # stopped, and must be continued to see it.
        run $mode -w -t 10 -- sh -c "\"$PROBE\" dieterm a & \"$PROBE\" dieterm b &
            \"$PROBE\" dieterm c & c=\$!
            until [ -f a.ready ] && [ -f b.ready ] && [ -f c.ready ]; do sleep 0.05; done
            kill -STOP \$c; exit 4" || rc=$?
        t1=$(date +%s%N)
        assert_eq 4 "$rc" "$mode: the command's status"
        has_line a 15 || die "$mode: leftover a got no SIGTERM"
        has_line b 15 || die "$mode: leftover b got no SIGTERM"
        has_line c 15 || die "$mode: stopped leftover c got no SIGTERM (or no SIGCONT)"
        [ $(((t1 - t0) / 1000000)) -lt 3000 ] \
            || die "$mode: nsinit took $(((t1 - t0) / 1000000)) ms, waited for the grace period"
    done
}

test_wait_kills_term_ignorer_after_grace() {
    local mode rc pid t0 t1
    probe_build
    for mode in $MODES; do
        rm -f a a.ready
        t0=$(date +%s%N)
        rc=0
        run $mode -w -t 1 -- sh -c "\"$PROBE\" catch a &
            until [ -f a.ready ]; do sleep 0.05; done; exit 0" || rc=$?
        t1=$(date +%s%N)
        assert_eq 0 "$rc" "$mode: status"
        has_line a 15 || die "$mode: the leftover got no SIGTERM first"
        # (As PID 1 the kernel ends the namespace anyway: the time tells.)
        if [ $mode = sub ]; then
            pid=$(head -1 a.ready)
            wait_for 2 gone "$pid" || die "$mode: the leftover survived the sweep"
        fi
        [ $(((t1 - t0) / 1000000)) -ge 900 ] || die "$mode: SIGKILL before the grace period"
    done
}

test_without_wait_exits_at_once_leaving_orphan() {
    local rc pid
    probe_build
    rc=0
    "$NSINIT" -- sh -c "\"$PROBE\" catch a &
        until [ -f a.ready ]; do sleep 0.05; done; exit 6" || rc=$?
    assert_eq 6 "$rc" "status"
    pid=$(ready_pid a)
    alive "$pid" || die "the orphan did not outlive nsinit"
    ! has_line a 15 || die "the orphan got SIGTERM without -w"
    kill -KILL "$pid"
}

# ---- reaping -----------------------------------------------------------------

# The command makes 300 orphans (double fork: half exit at once, half a
# moment later), then waits.
ORPHANS='i=0; while [ $i -lt 300 ]; do
        if [ $((i % 2)) = 0 ]; then (true &); else (sleep 0.2 &); fi; i=$((i + 1)); done
    echo done >spawned; exec sleep 100'

test_orphans_are_reaped_as_subreaper() {
    qemu_user_skip "qemu-user refuses prctl(PR_SET_CHILD_SUBREAPER): nsinit cannot be a subreaper there"
    probe_build
    start sub -v -- sh -c "$ORPHANS" 2>log
    wait_for 20 is_file spawned || die "orphans not spawned"
    wait_for 10 no_zombies_under "$NS_PID" || die "$(zombies_under "$NS_PID") zombies left"
    wait_for 10 eval '[ "$(grep -c "reaped" log)" -ge 300 ]' \
        || die "nsinit reaped $(grep -c reaped log) orphans, not 300"
    alive "$NS_PID" || die "nsinit died"
    kill -TERM "$NS_PID"
    finish
    assert_eq 143 "$RC" "status"
}

test_orphans_are_reaped_as_pid1() {
    start pid1 -v -- sh -c "$ORPHANS" 2>log
    wait_for 20 is_file spawned || die "orphans not spawned"
    wait_for 10 no_zombies_under "$NS_PID" || die "$(zombies_under "$NS_PID") zombies left"
    wait_for 10 eval '[ "$(grep -c "reaped" log)" -ge 300 ]' \
        || die "nsinit reaped $(grep -c reaped log) orphans, not 300"
    kill -TERM "$NS_PID"
    finish
    assert_eq 143 "$RC" "status"
}

test_orphan_parent_is_nsinit_as_subreaper() {
    qemu_user_skip "qemu-user refuses prctl(PR_SET_CHILD_SUBREAPER): nsinit cannot be a subreaper there"
    start sub -- sh -c '(sleep 100 & echo $! >opid); exec sleep 100'
    wait_for 5 is_file opid || die "no orphan"
    wait_for 5 eval '[ -s opid ]'
    assert_eq "$NS_PID" "$(awk '/^PPid:/ {print $2}' /proc/$(cat opid)/status)" "orphan's parent"
    kill -TERM "$NS_PID"
    finish
    wait_for 5 gone "$(cat opid)" || true
}

test_sigchld_ignored_by_parent_still_reaped() {
    local mode rc
    probe_build
    for mode in $MODES; do
        # A parent that ignores SIGCHLD: nsinit must still see its command
        # end and reap orphans itself; the command gets the SIG_IGN back.
        rc=0
        if [ $mode = pid1 ]; then
            # (unshare -f itself resets SIGCHLD: ignore it inside instead.)
            unshare -fp --mount-proc "$PROBE" exec - 17 "$NSINIT" -v -- \
                sh -c '(true &); (true &); (true &); sleep 0.2; exit 3' 2>log || rc=$?
        else
            "$PROBE" exec - 17 "$NSINIT" -v -- \
                sh -c '(true &); (true &); (true &); sleep 0.2; exit 3' 2>log || rc=$?
        fi
        assert_eq 3 "$rc" "$mode: status with SIGCHLD ignored"
        [ "$(grep -c reaped log)" -ge 3 ] || { cat log; die "$mode: orphans not reaped by nsinit"; }
        run_probe_exec "- 17" $mode grep '^SigIgn' /proc/self/status >out
        assert_eq "SigIgn:	$(igmask 17)" "$(cat out)" "$mode: command's SigIgn"
    done
}

# run_probe_exec "BLK IGN" MODE CMD...: nsinit started by a parent with
# that mask and those ignored signals.
run_probe_exec() {
    local sets=$1 mode=$2
    shift 2
    # shellcheck disable=SC2086
    if [ "$mode" = pid1 ]; then
        unshare -fp --mount-proc "$PROBE" exec $sets "$NSINIT" -- "$@"
    else
        "$PROBE" exec $sets "$NSINIT" -- "$@"
    fi
}

# ---- idle ------------------------------------------------------------------

test_no_system_calls_while_idle() {
    local mode
    command -v strace >/dev/null || skip "strace not installed"
    probe_build
    for mode in $MODES; do
        rm -f m m.ready trace
        start $mode -- "$PROBE" catch m
        wait_for 5 is_file m.ready || die "probe did not start"
        wait_for 5 eval '[ "$(state_of $NS_PID)" = S ]'
        sleep 0.2
        # nsinit only, not its children: -p without -f.
        timeout -s INT 4 strace -p "$NS_PID" -o trace 2>/dev/null || true
        [ -s trace ] || die "$mode: strace recorded nothing (did it attach?)"
        # Attaching restarts the call nsinit sleeps in; anything else is work.
        # qemu-user restarts it itself: the same wait, again with no timeout.
        qemu_user && sed -i -E '1{/^ppoll\(\[[^]]*\], [0-9]+, NULL, NULL, [0-9]+ <detached \.\.\.>$/d}' trace
        if grep -v '^restart_syscall(<\.\.\. resuming interrupted [a-z0-9_]* \.\.\.>' trace \
            | grep -v '^ *<detached \.\.\.>$' | grep -q .; then
            cat trace
            die "$mode: nsinit made system calls while idle"
        fi
        kill -KILL "$(ready_pid m)"
        finish
    done
}

# ---- the command starts as if nsinit were not there --------------------------------

test_argv_passed_exactly() {
    local mode
    for mode in $MODES; do
        printf '[%s]\n' 'a b' '' '  two  spaces ' '-e' '--' '*' 'line
break' >want
        run $mode -- printf '[%s]\n' 'a b' '' '  two  spaces ' '-e' '--' '*' 'line
break' >got
        cmp want got || die "$mode: argv changed"
        # Without --, the command's own options stay its own.
        run $mode printf '%s|' -g -w -- x >got
        assert_eq '-g|-w|--|x|' "$(cat got)" "$mode: argv without --"
    done
}

test_cwd_environment_and_path_search() {
    local mode
    mkdir -p sub/bin sub/bin2
    printf '#!/bin/sh\necho first\n' >sub/bin/tool  # not executable: skipped
    printf '#!/bin/sh\necho second\n' >sub/bin2/tool
    chmod 644 sub/bin/tool
    chmod 755 sub/bin2/tool
    cd sub
    for mode in $MODES; do
        assert_eq "$PWD" "$(run $mode -- readlink /proc/self/cwd)" "$mode: cwd"
        env -i A=1 'B=x y' 'C=' "PATH=/usr/bin:/bin:/usr/sbin:/sbin" env >want
        if [ $mode = pid1 ]; then
            env -i A=1 'B=x y' 'C=' "PATH=/usr/bin:/bin:/usr/sbin:/sbin" \
                unshare -fp --mount-proc "$NSINIT" -- env >got
        else
            env -i A=1 'B=x y' 'C=' "PATH=/usr/bin:/bin:/usr/sbin:/sbin" "$NSINIT" -- env >got
        fi
        # qemu-user hands its guest the environment in reverse order.
        qemu_user && sort -o want want && sort -o got got
        cmp want got || { diff want got; die "$mode: environment changed"; }
        assert_eq second "$(PATH="$PWD/bin:$PWD/bin2:/usr/bin:/bin" run $mode -- tool)" \
            "$mode: PATH search as execvp"
    done
}

test_signal_mask_and_ignored_signals_restored() {
    local mode
    probe_build
    # qemu-user puts a handler of its own on every signal whose default is
    # to end the process, ignored ones too, and the exec resets it: there,
    # ignored signals reach a command only if their default is harmless.
    local ign="1 12"
    qemu_user && ign="23 28"
    for mode in $MODES; do
        run_probe_exec "10,15,40 ${ign// /,}" $mode grep '^Sig\(Blk\|Ign\)' /proc/self/status >got
        printf 'SigBlk:\t%s\nSigIgn:\t%s\n' "$(sigmask 10 15 40)" "$(igmask $ign)" >want
        cmp want got || { diff want got; die "$mode: mask or ignored set not restored"; }
        # nsinit's own blocking of everything never leaks.
        run_probe_exec "- -" $mode grep '^Sig\(Blk\|Ign\)' /proc/self/status >got
        printf 'SigBlk:\t%s\nSigIgn:\t%s\n' "$(sigmask)" "$(igmask)" >want
        cmp want got || { diff want got; die "$mode: nsinit's mask leaked"; }
        # Real-time signals at the C library's reserved numbers too.
        run_probe_exec "34,64 -" $mode grep '^SigBlk' /proc/self/status >got
        assert_eq "SigBlk:	$(sigmask 34 64)" "$(cat got)" "$mode: real-time mask"
    done
}

# ---- fds -------------------------------------------------------------------------

fd_list() { awk '/^[0-9]+ / {print $1}' "$1" | sort -n | tr '\n' ' '; }

test_inherited_fds_are_closed() {
    local mode
    probe_build
    exec 5>f5 7>f7
    for mode in $MODES; do
        run $mode -- "$PROBE" fds >out
        assert_eq "0 1 2 " "$(fd_list out)" "$mode: the command's fds"
    done
    exec 5>&- 7>&-
}

test_preserve_fds_passes_the_same_open_files() {
    local mode opt
    probe_build
    for mode in $MODES; do
        for opt in "--preserve-fds 3" "--preserve-fds=3"; do
            exec 3>f3 4>f4 5>f5 6>f6
            # shellcheck disable=SC2086
            run $mode $opt -- "$PROBE" fds >out
            assert_eq "0 1 2 3 4 5 " "$(fd_list out)" "$mode $opt: fds"
            assert_contains out "^5 $TMP/f5\$"
            assert_contains out "^3 $TMP/f3\$"
            # The same open file (shared offset), not a reopened one.
            # shellcheck disable=SC2086
            run $mode $opt -- sh -c 'echo command >&5'
            echo test >&5
            assert_eq "command
test" "$(cat f5)" "$mode: shared file offset"
            exec 3>&- 4>&- 5>&- 6>&-
        done
    done
}

test_socket_activation_keeps_listen_fds() {
    probe_build
    # LISTEN_PID names nsinit (the sh execs it, so $$ is nsinit's pid).
    sh -c "LISTEN_PID=\$\$ LISTEN_FDS=2 LISTEN_FDNAMES=a:b exec \"$NSINIT\" -- \"$PROBE\" fds" \
        3>f3 4>f4 5>f5 >out
    assert_eq "0 1 2 3 4 " "$(fd_list out)" "fds with LISTEN_FDS=2"
    assert_contains out "^4 $TMP/f4\$"
    assert_eq "LISTEN_PID=$(awk -F= '/^pid=/ {print $2}' out)" "$(grep ^LISTEN_PID= out)" \
        "LISTEN_PID is the command's pid"
    sh -c "LISTEN_PID=\$\$ LISTEN_FDS=2 LISTEN_FDNAMES=a:b exec \"$NSINIT\" -- env" \
        3>f3 4>f4 >env
    assert_contains env '^LISTEN_FDS=2$'
    assert_contains env '^LISTEN_FDNAMES=a:b$'
    # As PID 1, LISTEN_PID=1 names nsinit; the command is pid 2.
    LISTEN_PID=1 LISTEN_FDS=2 unshare -fp --mount-proc "$NSINIT" -- "$PROBE" fds \
        3>f3 4>f4 5>f5 >out
    assert_eq "0 1 2 3 4 " "$(fd_list out)" "as PID 1: fds"
    assert_contains out "^LISTEN_PID=$FIRST_CHILD\$"
    assert_contains out "^pid=$FIRST_CHILD\$"
    # With --preserve-fds as well, the larger range is kept.
    sh -c "LISTEN_PID=\$\$ LISTEN_FDS=1 exec \"$NSINIT\" --preserve-fds 3 -- \"$PROBE\" fds" \
        3>f3 4>f4 5>f5 6>f6 >out
    assert_eq "0 1 2 3 4 5 " "$(fd_list out)" "LISTEN_FDS=1 with --preserve-fds 3"
    assert_eq "LISTEN_PID=$(awk -F= '/^pid=/ {print $2}' out)" "$(grep ^LISTEN_PID= out)" \
        "LISTEN_PID with both"
}

test_socket_activation_for_another_process_keeps_nothing() {
    probe_build
    LISTEN_PID=$$ LISTEN_FDS=2 "$NSINIT" -- "$PROBE" fds 3>f3 4>f4 >out
    assert_eq "0 1 2 " "$(fd_list out)" "LISTEN_PID of the test's shell"
    assert_contains out "^LISTEN_PID=$$\$"
    LISTEN_PID=2 LISTEN_FDS=2 unshare -fp --mount-proc "$NSINIT" -- "$PROBE" fds 3>f3 4>f4 >out
    assert_eq "0 1 2 " "$(fd_list out)" "as PID 1, LISTEN_PID=2"
    assert_contains out '^LISTEN_PID=2$'
}

# ---- what the terminal sends reaches the command once --------------------------
# A real pty (ptydrive.py) types ^C, ^\ and ^Z and resizes the terminal;
# the command is the probe. The terminal signals its foreground group
# itself: nsinit must not add a copy of its own, and a signal sent to
# nsinit with kill(2) must still be forwarded once.

PTYDRIVE=$TOP/tests/integration/ptydrive.py

# pty_start MODE CMD...: CMD on a fresh terminal, MODE leader (CMD leads
# the session, as a runtime's PID 1) or job (a shell's foreground job).
pty_start() {
    local mode=$1
    shift
    command -v python3 >/dev/null || skip "python3 is needed for the pty driver"
    rm -f ctl m m.ready
    mkfifo ctl
    python3 "$PTYDRIVE" "$mode" ctl -- "$@" </dev/null >/dev/null 2>drv.err &
    DRV=$!
    CLEAN_PIDS="$CLEAN_PIDS $DRV"
    exec 9>ctl
}
pty_do() { echo "$*" >&9; }

# The probe recording into m (its host pid) and nsinit, its parent.
find_probe() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/cwd" 2>/dev/null)" = "$TMP" ] || continue
        [ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "$PROBE catch m " ] || continue
        CMD_PID=${p#/proc/}
        NSI=$(awk '/^PPid:/ {print $2}' "$p/status")
        NSI_PARENT=$(awk '/^PPid:/ {print $2}' "/proc/$NSI/status")
        CLEAN_PIDS="$CLEAN_PIDS $CMD_PID $NSI"
        return 0
    done
    return 1
}

count_of() { grep -cx -- "$1" m || true; }

# SIGRTMAX through nsinit, then waits until the command has it: the
# probe records pending signals lowest first, one at a time, so every
# copy nsinit forwarded before it is in m by then.
marker() {
    local n=$(($(count_of 64) + 1))
    kill -64 "$NSI"
    wait_for 5 eval '[ "$(count_of 64)" -ge '$n' ]' || die "marker not forwarded"
}

# The command killed, nsinit ends; unshare, stopped by ^Z with the
# foreground group, is continued so that it can end too.
pty_end() {
    kill -KILL "$CMD_PID" 2>/dev/null || true
    kill -CONT "$NSI_PARENT" 2>/dev/null || true
    exec 9>&-
    wait "$DRV" 2>/dev/null || true
}

# check_keys_once WHAT MODE CMD...: each of ^C, ^\, ^Z and a resize once.
check_keys_once() {
    local what=$1 key sig
    shift
    pty_start "$@"
    wait_for 10 is_file m.ready || { cat drv.err; die "$what: probe did not start"; }
    wait_for 5 find_probe || die "$what: no probe"
    for key in 03:2 1c:3 1a:20 winch:28; do
        sig=${key#*:}
        if [ "${key%:*}" = winch ]; then pty_do winch; else pty_do key "${key%:*}"; fi
        wait_for 5 eval '[ "$(count_of '$sig')" -ge 1 ]' || die "$what: signal $sig never arrived"
        marker
        assert_eq 1 "$(count_of "$sig")" "$what: copies of signal $sig from the terminal"
    done
    # kill(2) to nsinit: forwarded, once.
    kill -INT "$NSI"
    marker
    assert_eq 2 "$(count_of 2)" "$what: SIGINTs after one more sent with kill(2)"
    alive "$NSI" || die "$what: nsinit died"
    pty_end
}

test_terminal_keys_reach_the_command_once_as_a_shell_job() {
    probe_build
    check_keys_once "shell job" job "$NSINIT" -- "$PROBE" catch m
    check_keys_once "shell job, -g" job "$NSINIT" -g -- "$PROBE" catch m
}

test_terminal_keys_reach_the_command_once_leading_the_session() {
    probe_build
    check_keys_once "session leader" leader "$NSINIT" -- "$PROBE" catch m
    check_keys_once "session leader, -g" leader "$NSINIT" -g -- "$PROBE" catch m
}

test_terminal_keys_reach_the_command_once_as_pid1() {
    probe_build
    check_keys_once "pid1 job" job unshare -fp --mount-proc "$NSINIT" -- "$PROBE" catch m
    check_keys_once "pid1 job, -g" job unshare -fp --mount-proc "$NSINIT" -g -- "$PROBE" catch m
    check_keys_once "pid1 leader" leader unshare -fp --mount-proc setsid -c "$NSINIT" -- "$PROBE" catch m
    check_keys_once "pid1 leader, -g" leader unshare -fp --mount-proc setsid -c "$NSINIT" -g -- "$PROBE" catch m
}

# check_hangup_once WHAT HOW MODE CMD...: the terminal's hangup (HOW
# hangup: its master closed) or the end of its session's leader (HOW
# killleader) gives the command one SIGHUP.
check_hangup_once() {
    local what=$1 how=$2
    shift 2
    pty_start "$@"
    wait_for 10 is_file m.ready || { cat drv.err; die "$what: probe did not start"; }
    wait_for 5 find_probe || die "$what: no probe"
    pty_do "$how"
    wait_for 5 eval '[ "$(count_of 1)" -ge 1 ]' || die "$what: no SIGHUP"
    marker
    assert_eq 1 "$(count_of 1)" "$what: SIGHUPs"
    pty_end
}

test_terminal_hangup_reaches_the_command_once() {
    local g
    probe_build
    for g in "" -g; do
        check_hangup_once "leader $g" hangup leader "$NSINIT" $g -- "$PROBE" catch m
        check_hangup_once "pid1 leader $g" hangup leader unshare -fp --mount-proc setsid -c \
            "$NSINIT" $g -- "$PROBE" catch m
        check_hangup_once "job $g, the shell killed" killleader job "$NSINIT" $g -- "$PROBE" catch m
    done
}
