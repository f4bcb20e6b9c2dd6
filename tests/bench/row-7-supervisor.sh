#!/usr/bin/env bash
# Row 7: the supervisor. (a) 200 services started and stopped: `nsinit -c`
# with 200 services (sleep) and a main = yes service after all of them, so
# nsinit starts 200, then stops 200 and exits; against startstop, the same
# fork/exec/SIGTERM/wait in C. (b) `nsinit ctl status` round trip with 200
# services running, BENCH_CTL (50) requests, against 1 service.
set -eu
. "$(dirname "$0")/lib.sh"
R="7 supervisor"
N=200
C1=$BENCH_DIR/startstop.conf
{
    printf '[init]\nsocket = %s/startstop.sock\n\n' "$BENCH_DIR" # not the machine's
    for i in $(seq $N); do printf '[service s%d]\nexec = /bin/sleep 100000\n\n' "$i"; done
    echo "[service end]"
    echo "exec = /bin/true"
    echo "main = yes"
    for i in $(seq $N); do echo "after = s$i"; done
} >"$C1"

declare -A wall
for r in $(seq "$ROUNDS"); do
    read -r _ w _ < <("$BIN/cmdloop" 1 "$BIN/startstop" $N /bin/sleep 100000 | grep '^total')
    wall[floor]="${wall[floor]:+${wall[floor]},}$((w / 1000))"
    read -r _ w _ < <("$BIN/cmdloop" 1 "$NSINIT" -c "$C1" | grep '^total')
    wall[nsinit]="${wall[nsinit]:+${wall[nsinit]},}$((w / 1000))"
done
emit "$R" startstop "start+stop $N" ms startstop "${wall[floor]}" "floor: fork/exec/kill/wait in C"
emit "$R" nsinit "start+stop $N" ms startstop "${wall[nsinit]}" \
    "services/s: $(python3 -c "import statistics as s; print(round(2 * $N * 1000 / s.median([${wall[nsinit]}])))")"

# (b) status round trips
trap 'rc=$?; ns_stop U1; ns_stop U200; exit $rc' EXIT
K=${BENCH_CTL:-50}
for n in 1 200; do
    c=$BENCH_DIR/status-$n.conf
    {
        printf '[init]\nsocket = %s/status-%d.sock\n\n' "$BENCH_DIR" "$n"
        for i in $(seq $n); do printf '[service s%d]\nexec = /bin/sleep 100000\n\n' "$i"; done
    } >"$c"
    rm -f "$BENCH_DIR/status-$n.sock"
    ns_start U$n "$NSINIT" -c "$c"
done
for n in 1 200; do
    for i in $(seq 100); do
        [ "$("$NSINIT" ctl -s "$BENCH_DIR/status-$n.sock" status 2>/dev/null | grep -c ' running ')" = $n ] && break
        sleep 0.1
    done
done
# Pairs: one request to each, in turn.
s1=() s200=()
for k in $(seq "$K"); do
    for n in 1 200; do
        read -r _ w < <("$BIN/cmdloop" -q 1 "$NSINIT" ctl -s "$BENCH_DIR/status-$n.sock" status | grep '^run')
        eval "s$n+=($w)"
    done
done
emit "$R" "ctl status (1)" "round trip" us "ctl status (1)" "$(join "${s1[@]}")" "1 service"
emit "$R" "ctl status (200)" "round trip" us "ctl status (1)" "$(join "${s200[@]}")" "200 services"
