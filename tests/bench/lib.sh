# Helpers for the rows of `make bench` (sourced by tests/bench/row-*.sh).
# A row prints its results on stdout as BENCH lines (see README.md); all
# else it says goes to stderr, which the harness keeps in build/bench/log/.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSINIT=${NSINIT:-$TOP/build/nsinit}
BENCH_DIR=${BENCH_DIR:-$TOP/build/bench}
BIN=${BENCH_BIN:-$BENCH_DIR/bin}
ROUNDS=${BENCH_ROUNDS:-5}

# The peers, as Debian installs them: label and the words that run a
# command under it (the command follows).
PEERS="tini tini-static dumb-init catatonit"
peer_argv() {
    case $1 in
    nsinit) echo "$NSINIT --" ;;
    tini) echo "/usr/bin/tini --" ;;
    tini-static) echo "/usr/bin/tini-static --" ;;
    dumb-init) echo "/usr/bin/dumb-init" ;;
    catatonit) echo "/usr/bin/catatonit --" ;;
    reaper) echo "$BIN/reaper" ;;
    *) echo "lib.sh: unknown peer $1" >&2; return 1 ;;
    esac
}

# emit ROW SUBJECT METRIC UNIT REF VALUES [NOTE]
emit() {
    printf 'BENCH\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}"
}

# join a b c -> a,b,c
join() { local IFS=,; echo "$*"; }

# The first child of PID, waited for (up to 5 s).
child_of() {
    local i c
    for i in $(seq 100); do
        c=$(cat /proc/$1/task/$1/children 2>/dev/null | awk '{print $1}')
        [ -n "$c" ] && { echo "$c"; return 0; }
        sleep 0.05
    done
    echo "lib.sh: $1 has no child" >&2
    return 1
}

# ns_start VAR CMD...: CMD as PID 1 of new pid and mount namespaces (with
# its own /proc), in the background; VAR gets unshare's pid, and PID1_<VAR>
# the pid of CMD as this namespace sees it. ns_stop VAR ends it all:
# --kill-child sends SIGKILL to PID 1 when unshare goes.
ns_start() {
    local var=$1 u p
    shift
    unshare -fp --mount-proc --kill-child -- "$@" </dev/null >/dev/null 2>>"${BENCH_LOG:-/dev/null}" &
    u=$!
    p=$(child_of $u) || return 1
    eval "$var=$u PID1_$var=$p"
}
ns_stop() {
    local u=${!1}
    kill -KILL "$u" 2>/dev/null || true # unshare -f ignores SIGTERM
    wait "$u" 2>/dev/null || true
    return 0
}

# status_field PID FIELD: a /proc/PID/status value (first word)
status_field() { awk -v f="$2:" '$1 == f {print $2}' /proc/$1/status; }
