#!/usr/bin/env bash
# Row 4: reaping BENCH_ORPHANS (20,000) orphans as PID 1 of a fresh pid
# namespace. The reference is reaper, the project's minimal PID 1 (fork,
# wait, nothing else): the kernel's own cost. Each round runs every subject
# once, the reference first; ratios are taken within a round.
set -eu
. "$(dirname "$0")/lib.sh"
R="4 reaping"
N=${BENCH_ORPHANS:-20000}
SUBJECTS="reaper nsinit $PEERS"

declare -A wall cpu
for r in $(seq "$ROUNDS"); do
    for s in $SUBJECTS; do
        read -r _ w c < <("$BIN/cmdloop" 1 unshare -fp --mount-proc $(peer_argv "$s") "$BIN/orphans" "$N" | grep '^total')
        wall[$s]="${wall[$s]:+${wall[$s]},}$((w / 1000))"
        cpu[$s]="${cpu[$s]:+${cpu[$s]},}$((c / 1000))"
    done
done
for s in $SUBJECTS; do
    note=""
    [ "$s" = nsinit ] && note="goal <= 1.05x CPU"
    [ "$s" = reaper ] && note="floor: fork + wait only"
    emit "$R" "$s" "wall ($N)" ms reaper "${wall[$s]}" "$note"
done
for s in $SUBJECTS; do
    emit "$R" "$s" "cpu ($N)" ms reaper "${cpu[$s]}"
done
