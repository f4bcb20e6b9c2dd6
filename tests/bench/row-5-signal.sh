#!/usr/bin/env bash
# Row 5: signal forwarding latency: SIGUSR1 to PID 1 until the command has
# written a byte back on a pipe (siglat), BENCH_SIGNALS (1,000) samples per
# subject, the subjects taking turns sample by sample. The reference:
# the command as PID 1 itself (no init in between).
set -eu
. "$(dirname "$0")/lib.sh"
R="5 signal"
N=${BENCH_SIGNALS:-1000}
C="$BIN/siglat --child"
args=(direct $C)
for s in nsinit $PEERS; do
    args+=(:: "$s" $(peer_argv "$s") $C)
done
"$BIN/siglat" "$N" "${args[@]}" | while read -r label values; do
    note=""
    [ "$label" = direct ] && note="floor: no init"
    emit "$R" "$label" "kill->pipe ($N)" us direct "$values" "$note"
done
