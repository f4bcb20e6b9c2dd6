#!/usr/bin/env bash
# Row 2: idle cost. Each init as PID 1 of its own pid namespace with one
# idle child (sleep), all side by side; then, over windows of
# BENCH_IDLE_SECONDS (10): wake-ups (voluntary + involuntary context
# switches of PID 1, from /proc/PID/status: no tracing) and system calls
# (strace -c -p; attaching interrupts the call PID 1 sleeps in, which the
# kernel restarts: that one call is strace's, counted in every figure).
set -eu
. "$(dirname "$0")/lib.sh"
R="2 idle"
SECS=${BENCH_IDLE_SECONDS:-10}
WINDOWS=${BENCH_IDLE_WINDOWS:-3}
SUBJECTS="nsinit $PEERS busybox-init"
trap 'rc=$?; for s in $SUBJECTS; do ns_stop U_${s//-/_}; done; exit $rc' EXIT

ctxt() { awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n}' /proc/$1/status; }

for s in $SUBJECTS; do
    v=U_${s//-/_}
    if [ "$s" = busybox-init ]; then
        ns_start "$v" "$TOP/tests/bench/busybox-init.sh"
    else
        # shellcheck disable=SC2046
        ns_start "$v" $(peer_argv "$s") /bin/sleep 100000
    fi
done
sleep 1 # let every one reach its idle state

declare -A wake calls
for w in $(seq "$WINDOWS"); do
    declare -A before
    for s in $SUBJECTS; do p=PID1_U_${s//-/_}; before[$s]=$(ctxt "${!p}"); done
    sleep "$SECS"
    for s in $SUBJECTS; do
        p=PID1_U_${s//-/_}
        wake[$s]="${wake[$s]:+${wake[$s]},}$(( $(ctxt "${!p}") - ${before[$s]} ))"
    done
done
spids=()
for s in $SUBJECTS; do
    p=PID1_U_${s//-/_}
    timeout -s INT "$SECS" strace -c -o "$BENCH_DIR/strace-idle-$s.txt" -p "${!p}" 2>/dev/null &
    spids+=($!)
done
for j in "${spids[@]}"; do wait "$j" 2>/dev/null || true; done
for s in $SUBJECTS; do
    calls[$s]=$(awk '$NF == "total" {print $(NF-2) + 0; f = 1} END {if (!f) print 0}' "$BENCH_DIR/strace-idle-$s.txt")
done

for s in $SUBJECTS; do
    emit "$R" "$s" "wake-ups/${SECS}s" count - "${wake[$s]}" "goal 0"
done
for s in $SUBJECTS; do
    emit "$R" "$s" "syscalls/${SECS}s" count - "${calls[$s]}" "strace -c -p"
done
# TODO(watchdog): boot mode's watchdog (one wake-up per half timeout) is
# not there yet; when it is, run nsinit as PID 1 with watchdog = a softdog
# or a fake device and count as above.
emit "$R" "nsinit+watchdog" "wake-ups/${SECS}s" count - n/a "n/a (needs watchdog)"
