#!/usr/bin/env bash
# tests/bench/vm_roundtrip.sh [ARCH...]: the wall time of
# `qemu/nsinit-vm -- true` (boot, run, status back, power off, QEMU gone)
# against its floor: the same kernel and QEMU machine (the same devices:
# virtio-serial with three ports to files, the 9p share of the current
# directory, no NIC) booting a plain initramfs whose /init is a three-line
# busybox-static script (mount /proc, run true, poweroff -f). Runs the two
# in pairs, one after the other, RUNS times (default 5) per ARCH (default:
# x86_64 aarch64), and prints each one's median, the median of the pairs'
# ratios and every pair. Times are host wall clock around the whole
# command (bash's EPOCHREALTIME). Exits 0 whenever it could measure.
# BENCH_EMIT=1 (row-9-vm.sh, for make bench) adds the raw samples as
# BENCH lines (tests/bench/README.md).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-5}
ARCHS=("$@")
[ ${#ARCHS[@]} -gt 0 ] || ARCHS=(x86_64 aarch64)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vm-roundtrip.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "vm_roundtrip: $*" >&2; exit 1; }

# The floor's initramfs: BusyBox and a three-line /init, nothing else.
floor_initrd() {
    local arch=$1 bb dir=$WORK/floor-$1
    bb=$("$TOP/tests/bench/busybox" "$arch") || fail "no busybox-static for $arch"
    mkdir -p "$dir/bin" "$dir/proc"
    install -m 755 "$bb" "$dir/bin/busybox"
    printf '%s\n' '#!/bin/busybox sh' \
        '/bin/busybox mount -t proc proc /proc' \
        '/bin/busybox true' \
        '/bin/busybox poweroff -f' >"$dir/init"
    chmod 755 "$dir/init"
    SOURCE_DATE_EPOCH=0 "$TOP/qemu/overlay" "$dir" "$WORK/floor-$arch.cpio.gz"
}

# The floor booted as qemu/nsinit-vm boots its guest (see run_cmd there).
floor_run() {
    local arch=$1 tty p n=1
    local -a machine ports=(-device virtio-serial-pci,id=vser)
    case "$arch" in
    x86_64) machine=(-M pc -accel tcg) tty=ttyS0 ;;
    aarch64) machine=(-M virt -cpu cortex-a53 -accel tcg) tty=ttyAMA0 ;;
    esac
    for p in stdout stderr status; do
        ports+=(-chardev "file,id=$p,path=$WORK/$p"
            -device "virtserialport,bus=vser.0,nr=$n,chardev=$p,name=nsinit.$p")
        n=$((n + 1))
    done
    "qemu-system-$arch" "${machine[@]}" -m 256M -smp 1 -no-reboot -nodefaults \
        -display none -monitor none -serial "file:$WORK/floor-console.log" \
        -kernel "$TOP/build/$arch/vmlinuz" -initrd "$WORK/floor-$arch.cpio.gz" \
        -append "console=$tty panic=-1 quiet" \
        -fsdev "local,id=share,path=$PWD,security_model=none,readonly=on" \
        -device virtio-9p-pci,fsdev=share,mount_tag=nsinit.share \
        -nic none "${ports[@]}" </dev/null >"$WORK/floor-qemu.log" 2>&1
    grep -aq 'reboot: Power down' "$WORK/floor-console.log" || fail "the $arch floor did not power off"
}

nsinit_run() {
    "$TOP/qemu/nsinit-vm" --arch "$1" --console "$WORK/nsinit-console.log" -- true ||
        fail "qemu/nsinit-vm --arch $1 -- true failed ($?), console: $WORK/nsinit-console.log"
}

# timed VAR COMMAND...: VAR = COMMAND's wall time in seconds.
timed() {
    local var=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    "$@"
    t1=$EPOCHREALTIME
    printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
}

# ms s...: the samples in whole milliseconds, comma-separated.
ms() { printf '%s\n' "$@" | awk '{ printf "%s%d", (NR > 1 ? "," : ""), $1 * 1000 + 0.5 }'; }
emit() { printf 'BENCH\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-8s %-12s %-12s %-7s %s\n' arch nsinit-vm floor ratio 'pairs (nsinit-vm/floor, s)'
for arch in "${ARCHS[@]}"; do
    [ -f "$TOP/build/$arch/initramfs.cpio.gz" ] || fail "no $arch image: make initramfs ARCH=$arch"
    floor_initrd "$arch"
    ours=() floors=() ratios=() pairs=
    for _ in $(seq "$RUNS"); do
        timed f floor_run "$arch"
        timed o nsinit_run "$arch"
        floors+=("$f") ours+=("$o") ratios+=("$(awk -v a="$o" -v b="$f" 'BEGIN { printf "%.4f", a / b }')")
        pairs+=$(printf ' %.2f/%.2f' "$o" "$f")
    done
    printf '%-8s %-12s %-12s %-7s%s\n' "$arch" "$(printf '%.2fs' "$(median "${ours[@]}")")" \
        "$(printf '%.2fs' "$(median "${floors[@]}")")" \
        "$(printf '%.3f' "$(median "${ratios[@]}")")" "$pairs"
    if [ -n "${BENCH_EMIT:-}" ]; then
        emit "9 vm round trip" "busybox /init ($arch)" "nsinit-vm -- true" ms - "$(ms "${floors[@]}")" \
            "floor: a 3-line busybox-static /init, same kernel and devices"
        emit "9 vm round trip" "nsinit-vm ($arch)" "nsinit-vm -- true" ms "busybox /init ($arch)" \
            "$(ms "${ours[@]}")" "goal <= 1.1x; host wall clock, boot to QEMU gone"
    fi
done
