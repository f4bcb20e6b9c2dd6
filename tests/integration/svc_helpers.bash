# Helpers shared by supervisor.sh and control.sh (sourced, not a test file):
# run `$NSINIT -c FILE` in the background, talk to its socket, read status,
# and make sure nothing it started outlives the test.

SOCK=$TMP/sock
# Every process a test starts carries this in its environment, so the
# cleanup finds them all even after they were reparented.
export NSINIT_TEST_TAG="$TMP"

# tagged_pids: every live process whose environment carries our tag (ours
# excluded). Zombies have no environ and are not counted.
tagged_pids() {
    local p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] && continue
        [ "$p" = "$BASHPID" ] && continue
        grep -qzxF "NSINIT_TEST_TAG=$TMP" "/proc/$p/environ" 2>/dev/null && echo "$p"
    done
    return 0
}

cleanup_tagged() {
    local pids
    pids=$(tagged_pids)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    return 0
}
trap cleanup_tagged EXIT

# conf_head [EXTRA INIT LINES...]: the [init] section every test config starts with.
conf_head() {
    echo "[init]"
    echo "socket = $SOCK"
    echo "shutdown_timeout = 2s"
    local l
    for l in "$@"; do echo "$l"; done
}

# start_ns CONF [ARGS...]: nsinit -c CONF in the background (NS_PID), its
# stdout in $TMP/out and stderr (service output, log) in $TMP/err; waits
# for the control socket.
start_ns() {
    local conf=$1
    shift
    "$NSINIT" -c "$conf" "$@" >"$TMP/out" 2>"$TMP/err" &
    NS_PID=$!
    wait_for 5 test -S "$SOCK" || { cat "$TMP/err" >&2; die "no control socket $SOCK"; }
}

# stop_ns [SIGNAL]: signals nsinit and waits; NS_RC is its exit status.
stop_ns() {
    kill -"${1:-TERM}" "$NS_PID"
    NS_RC=0
    wait "$NS_PID" || NS_RC=$?
}

# wait_exit SECONDS: waits for NS_PID to end on its own; NS_RC as above.
wait_exit() {
    wait_for "$1" eval '! kill -0 $NS_PID 2>/dev/null || [ "$(awk "{print \$3}" /proc/$NS_PID/stat 2>/dev/null)" = Z ]' ||
        die "nsinit ($NS_PID) still running after $1 s"
    NS_RC=0
    wait "$NS_PID" || NS_RC=$?
}

ctl() { "$NSINIT" ctl -s "$SOCK" "$@"; }

# status_line NAME: the status line of one service.
status_line() { ctl status "$1" 2>/dev/null | awk -v n="$1" '$1 == n'; }
state_of() { status_line "$1" | awk '{print $2}'; }
# field_of NAME KEY: the value of KEY=... in NAME's status line.
field_of() { status_line "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

is_state() { [ "$(state_of "$1")" = "$2" ]; }
# wait_state NAME STATE [SECONDS]
wait_state() {
    wait_for "${3:-5}" is_state "$1" "$2" || {
        echo "--- status:"; ctl status; echo "--- err:"; tail -20 "$TMP/err"
        die "$1 never reached state $2"
    } >&2
}

# has_line FILE LINE: FILE holds exactly LINE as one of its lines.
has_line() { grep -qxF -- "$2" "$1"; }
wait_line() {
    wait_for "${3:-5}" has_line "$1" "$2" || { echo "--- $1:"; cat "$1"; die "line '$2' never appeared in $1"; } >&2
}

# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }

# alive PID: running (a zombie does not count).
alive() { [ -e "/proc/$1" ] && [ "$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
