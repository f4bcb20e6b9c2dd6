#!/usr/bin/env bash
# Row 6: BENCH_SPAWNS (50) namespaced spawns one after the other (new pid,
# mnt, uts, ipc and net namespaces, a fresh /proc, exec true). nsinit: a
# chain of oneshot services under `nsinit -c` (the last one main = yes, so
# nsinit exits after it). Reference: nsspawn, a bare clone3 loop in C.
set -eu
. "$(dirname "$0")/lib.sh"
R="6 spawn"
N=${BENCH_SPAWNS:-50}
CONF=$BENCH_DIR/spawn-chain.conf
{
printf '[init]\nsocket = %s/spawn.sock\n\n' "$BENCH_DIR" # never the machine's /run/nsinit.sock
for i in $(seq "$N"); do
    echo "[service s$i]"
    echo "exec = /bin/true"
    echo "namespaces = pid mnt uts ipc net"
    echo "mount = proc /proc"
    if [ "$i" -lt "$N" ]; then echo "oneshot = yes"; else echo "main = yes"; fi
    [ "$i" -gt 1 ] && echo "after = s$((i - 1))"
    echo
done
} >"$CONF"

SUBJECTS="clone3 nsinit unshare bwrap busybox-unshare"
run() {
    case $1 in
    clone3) "$BIN/cmdloop" 1 "$BIN/nsspawn" "$N" /bin/true ;;
    nsinit) "$BIN/cmdloop" 1 "$NSINIT" -c "$CONF" ;;
    unshare) "$BIN/cmdloop" "$N" unshare -fpmuin --mount-proc /bin/true ;;
    bwrap) "$BIN/cmdloop" "$N" bwrap --unshare-all --bind / / --proc /proc /bin/true ;;
    busybox-unshare) "$BIN/cmdloop" "$N" /bin/busybox unshare -fpmuin --mount-proc /bin/true ;;
    esac
}
declare -A wall
for r in $(seq "$ROUNDS"); do
    for s in $SUBJECTS; do
        read -r _ w _ < <(run "$s" | grep '^total')
        wall[$s]="${wall[$s]:+${wall[$s]},}$((w / 1000))"
    done
done
for s in $SUBJECTS; do
    note=""
    case $s in
    clone3) note="floor: clone3 loop in C" ;;
    nsinit) note="goal <= 1.1x" ;;
    bwrap) note="--unshare-all: also user and cgroup" ;;
    esac
    emit "$R" "$s" "wall ($N)" ms clone3 "${wall[$s]}" "$note"
done
