#!/usr/bin/env bash
# tests/bench/boot_time.sh [ARCH...]: boot time of nsinit against BusyBox
# init (busybox-static's `init` with an /etc/inittab), on the same kernel
# and the same initramfs (the project's image; each init's files come in a
# second archive), doing the same: the early mounts, one service printing
# a line, then power off. Two figures per boot:
#   service   kernel start -> the service's line on the console
#   poweroff  kernel start -> "reboot: Power down"
# Where the times come from: the kernel's own clock (printk.time=1) for
# the power-off line, whose "[   2.107288]" stamp counts from the kernel's
# start; the service's line has no stamp, so it is placed on the same
# clock by the host's arrival times of the two console lines (bash's
# EPOCHREALTIME as each line comes off QEMU's serial pipe):
#   service = T(power down) - (arrival(power down) - arrival(service line))
# Runs both in pairs RUNS times (default 5) per ARCH (default: x86_64
# aarch64); prints medians, the median of the pairs' ratios (nsinit /
# BusyBox) and every pair. Exits 0 whenever it could measure.
# BENCH_EMIT=1 (row-8-boot.sh, for make bench) adds the raw samples as
# BENCH lines (tests/bench/README.md).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-5}
ARCHS=("$@")
[ ${#ARCHS[@]} -gt 0 ] || ARCHS=(x86_64 aarch64)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/boot-time.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LINE='BOOTBENCH first line'

fail() { echo "boot_time: $*" >&2; exit 1; }

# nsinit: the image's /etc/nsinit.conf replaced by one without modules
# (BusyBox loads none either), a service and a poweroff after it.
nsinit_overlay() {
    local d=$WORK/nsinit
    mkdir -p "$d/etc/nsinit.d"
    printf '%s\n' '[init]' 'hostname = bench' 'include = /etc/nsinit.d' >"$d/etc/nsinit.conf"
    printf '%s\n' '[service first]' "exec = /bin/sh -c \"echo $LINE\"" 'oneshot = yes' \
        '[service off]' 'exec = /sbin/nsinit ctl poweroff' 'oneshot = yes' 'after = first' \
        >"$d/etc/nsinit.d/bench.conf"
    SOURCE_DATE_EPOCH=0 "$TOP/qemu/overlay" "$d" "$WORK/nsinit.cpio.gz"
}

# BusyBox init: its binary as /bbin/init (rdinit=), the mounts nsinit
# makes, the service (::wait, so it is done before the next line) and
# BusyBox's poweroff, which asks init for its shutdown.
busybox_overlay() {
    local d=$WORK/busybox-$1 bb
    bb=$("$TOP/tests/bench/busybox" "$1") || fail "no busybox-static for $1"
    mkdir -p "$d/bbin" "$d/etc"
    install -m 755 "$bb" "$d/bbin/busybox"
    ln -s busybox "$d/bbin/init"
    cat >"$d/etc/inittab" <<EOF
::sysinit:/bbin/busybox sh -c 'b=/bbin/busybox; \$b mount -t proc proc /proc; \$b mount -t sysfs sys /sys; \$b mount -t devtmpfs dev /dev; \$b mkdir -p /dev/pts /dev/shm; \$b mount -t devpts pts /dev/pts; \$b mount -t tmpfs shm /dev/shm; \$b mount -t tmpfs run /run; \$b mount -t tmpfs tmp /tmp; \$b mount -t cgroup2 cgroup /sys/fs/cgroup; \$b hostname bench'
::wait:/bin/sh -c "echo $LINE"
::once:/bbin/busybox poweroff
EOF
    SOURCE_DATE_EPOCH=0 "$TOP/qemu/overlay" "$d" "$WORK/busybox-$1.cpio.gz"
}

# boot ARCH INIT: one boot; sets SVC and OFF (seconds since kernel start).
boot() {
    local arch=$1 init=$2 tty extra= log=$WORK/console.log
    local -a machine
    case "$arch" in
    x86_64) machine=(-M pc -accel tcg) tty=ttyS0 ;;
    aarch64) machine=(-M virt -cpu cortex-a53 -accel tcg) tty=ttyAMA0 ;;
    esac
    [ "$init" = busybox ] && extra=rdinit=/bbin/init
    local ov=$WORK/nsinit.cpio.gz
    [ "$init" = busybox ] && ov=$WORK/busybox-$arch.cpio.gz
    cat "$TOP/build/$arch/initramfs.cpio.gz" "$ov" >"$WORK/initrd"
    timeout 120 "qemu-system-$arch" "${machine[@]}" -m 256M -smp 1 -no-reboot -nodefaults \
        -display none -monitor none -serial stdio -nic none \
        -kernel "$TOP/build/$arch/vmlinuz" -initrd "$WORK/initrd" \
        -append "console=$tty panic=-1 quiet printk.time=1 $extra" </dev/null 2>&1 |
        while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "${l//$'\r'/}"; done >"$log" ||
        fail "$arch $init: QEMU failed or timed out (console: $log)"
    local times
    cp "$log" "$TOP/build/boot_time-$arch-$init.log" # the last boot's, to look at
    times=$(awk -v line="$LINE" '
        index($0, line) && !svc { svc = $1 }
        /reboot: Power down/ { off = $1; s = $0; sub(/^[^[]*\[ */, "", s); sub(/\].*/, "", s); t = s }
        END { if (!svc || !off) exit 1; printf "%.4f %.4f", t - (off - svc), t }' "$log") ||
        { fail "$arch $init: no '$LINE' or no power-off on the console (build/boot_time-$arch-$init.log)"; }
    read -r SVC OFF <<<"$times"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { printf '%s\n' "$@" | awk '{ printf "%s%d", (NR > 1 ? "," : ""), $1 * 1000 + 0.5 }'; }
emit() { printf 'BENCH\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }

printf '%-8s %-9s %-9s %-9s %-7s %s\n' arch figure nsinit busybox ratio 'pairs (nsinit/busybox, s since kernel start)'
nsinit_overlay
for arch in "${ARCHS[@]}"; do
    [ -f "$TOP/build/$arch/initramfs.cpio.gz" ] || fail "no $arch image: make initramfs ARCH=$arch"
    busybox_overlay "$arch"
    ns=() nf=() bs=() bf=() rs=() rf=() ps= pf=
    for _ in $(seq "$RUNS"); do
        boot "$arch" busybox; bs+=("$SVC") bf+=("$OFF"); b_svc=$SVC b_off=$OFF
        boot "$arch" nsinit; ns+=("$SVC") nf+=("$OFF")
        rs+=("$(ratio "$SVC" "$b_svc")") rf+=("$(ratio "$OFF" "$b_off")")
        ps+=$(printf ' %.2f/%.2f' "$SVC" "$b_svc") pf+=$(printf ' %.2f/%.2f' "$OFF" "$b_off")
    done
    printf '%-8s %-9s %-9s %-9s %-7s%s\n' "$arch" service "$(printf '%.3fs' "$(median "${ns[@]}")")" \
        "$(printf '%.3fs' "$(median "${bs[@]}")")" "$(printf '%.3f' "$(median "${rs[@]}")")" "$ps"
    printf '%-8s %-9s %-9s %-9s %-7s%s\n' "$arch" poweroff "$(printf '%.3fs' "$(median "${nf[@]}")")" \
        "$(printf '%.3fs' "$(median "${bf[@]}")")" "$(printf '%.3f' "$(median "${rf[@]}")")" "$pf"
    if [ -n "${BENCH_EMIT:-}" ]; then
        emit "8 boot" "busybox-init ($arch)" "kernel->first service" ms - "$(ms "${bs[@]}")" \
            "busybox-static init, an inittab doing the same; same kernel and image"
        emit "8 boot" "nsinit ($arch)" "kernel->first service" ms "busybox-init ($arch)" "$(ms "${ns[@]}")" \
            "printk clock of the power-off line, host arrival times between"
        emit "8 boot" "busybox-init ($arch)" "kernel->power off" ms - "$(ms "${bf[@]}")" \
            "BusyBox sleeps 2 s in its shutdown"
        emit "8 boot" "nsinit ($arch)" "kernel->power off" ms "busybox-init ($arch)" "$(ms "${nf[@]}")"
    fi
done
