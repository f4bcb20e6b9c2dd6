#!/usr/bin/env bash
# Row 3: memory of PID 1 (VmRSS, VmHWM) with one idle child, each init in
# a fresh pid namespace, BENCH_ROUNDS fresh starts; nsinit also as the
# supervisor of two services. What nsinit's resident pages are:
# build/bench/smaps-nsinit*.txt (each mapping's Rss from /proc/PID/smaps).
set -eu
. "$(dirname "$0")/lib.sh"
R="3 memory"
SUBJECTS="nsinit nsinit-2svc $PEERS busybox-init"
CONF=$BENCH_DIR/two-services.conf
printf '[init]\nsocket = %s/memory.sock\n\n' "$BENCH_DIR" >"$CONF"
printf '[service a]\nexec = /bin/sleep 100000\n\n[service b]\nexec = /bin/sleep 100000\n' >>"$CONF"
trap 'rc=$?; for s in $SUBJECTS; do ns_stop U_${s//-/_} 2>/dev/null; done; exit $rc' EXIT

declare -A rss hwm
for r in $(seq "$ROUNDS"); do
    for s in $SUBJECTS; do
        v=U_${s//-/_}
        case $s in
        busybox-init) ns_start "$v" "$TOP/tests/bench/busybox-init.sh" ;;
        nsinit-2svc) ns_start "$v" "$NSINIT" -c "$CONF" ;;
        *) ns_start "$v" $(peer_argv "$s") /bin/sleep 100000 ;;
        esac
    done
    sleep 1
    for s in $SUBJECTS; do
        p=PID1_U_${s//-/_}
        rss[$s]="${rss[$s]:+${rss[$s]},}$(status_field "${!p}" VmRSS)"
        hwm[$s]="${hwm[$s]:+${hwm[$s]},}$(status_field "${!p}" VmHWM)"
        if [ "$r" = 1 ] && [ "${s%%-*}" = nsinit ]; then
            awk '/^[0-9a-f]+-/ {m = $0} /^Rss:/ {r = $2} /^Private_Dirty:/ && r > 0 {printf "%6d kB rss %6d kB private dirty  %s\n", r, $2, m}' \
                /proc/"${!p}"/smaps >"$BENCH_DIR/smaps-$s.txt"
        fi
    done
    for s in $SUBJECTS; do ns_stop U_${s//-/_}; done
done
for s in $SUBJECTS; do
    goal=""
    [ "$s" = nsinit ] && goal="goal <= 96 kB"
    [ "$s" = nsinit-2svc ] && goal="supervisor of 2 services; goal <= 160 kB"
    emit "$R" "$s" VmRSS kB nsinit "${rss[$s]}" "$goal"
done
for s in $SUBJECTS; do
    emit "$R" "$s" VmHWM kB nsinit "${hwm[$s]}"
done
