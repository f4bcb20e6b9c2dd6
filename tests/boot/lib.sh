# Boot-test helpers (sourced by tests/boot/*.sh, which tests/run runs through
# tests/integration/lib.sh like the integration tests). A test layers its
# own files over the image with vm_file/vm_service, boots it with vm_boot
# under QEMU (TCG, a hard timeout) and judges the serial console:
#
#   test_x86_64_service_prints_marker() {
#       vm_service hello 'exec = /bin/sh -c "echo MARK"' 'oneshot = yes'
#       vm_poweroff_after hello
#       vm_boot x86_64
#       vm_expect 'hello: MARK'
#       vm_expect_poweroff
#   }
#
# Console logs: build/boot-logs/TESTNAME.log (ARCH added when the name has
# none; VM_NAME=NAME for a second boot in one test), kept after the run.

BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
BOOT_LOGS=$TOP/build/boot-logs

# vm_file PATH CONTENT: PATH (absolute, in the guest) with CONTENT, in the
# overlay archive appended to the image.
vm_file() {
    mkdir -p "$(dirname "$TMP/overlay$1")"
    printf '%s\n' "$2" >"$TMP/overlay$1"
}

# vm_service NAME KEY-LINE...: /etc/nsinit.d/NAME.conf with [service NAME].
vm_service() {
    local name=$1
    shift
    vm_file "/etc/nsinit.d/$name.conf" "$(printf '[service %s]\n' "$name"; printf '%s\n' "$@")"
}

# vm_poweroff_after NAME...: a oneshot that powers off once NAME... are done.
vm_poweroff_after() {
    vm_service zz-poweroff 'exec = /sbin/nsinit ctl poweroff' 'oneshot = yes' "after = $*"
}

# The image of ARCH, or the test is skipped (make initramfs builds it).
vm_image() {
    VM_KERNEL=$TOP/build/$1/vmlinuz
    VM_INITRD=$TOP/build/$1/initramfs.cpio.gz
    [ -f "$VM_KERNEL" ] && [ -f "$VM_INITRD" ] ||
        skip "no $1 image: make initramfs ARCH=$1"
    command -v "qemu-system-$1" >/dev/null || skip "qemu-system-$1 missing: make deps-image"
}

# vm_boot ARCH [QEMU-ARG...]: boots ARCH's kernel and initramfs with the
# overlay appended, until QEMU exits (BOOT_TIMEOUT seconds at most: a hang
# fails the test). VM_APPEND adds kernel arguments. Sets VM_LOG and VM_RC
# (QEMU's status); returns 0 whenever QEMU ended by itself. VM_STDIN is
# what the serial console reads (default /dev/null).
vm_boot() {
    local arch=$1 name=boot initrd=$TMP/initrd f
    shift
    for f in "${FUNCNAME[@]}"; do
        case "$f" in test_*) name=$f; break ;; esac
    done
    vm_image "$arch"
    mkdir -p "$BOOT_LOGS" "$TMP/overlay"
    case "$name" in *"$arch"*) ;; *) name=$arch-$name ;; esac
    VM_LOG=$BOOT_LOGS/${VM_NAME:-$name}.log
    "$TOP/qemu/overlay" "$TMP/overlay" "$TMP/overlay.cpio.gz"
    cat "$VM_INITRD" "$TMP/overlay.cpio.gz" >"$initrd"
    local -a machine
    local console
    case "$arch" in
    x86_64) machine=(-M pc -accel tcg) console=ttyS0 ;;
    aarch64) machine=(-M virt -cpu cortex-a53 -accel tcg) console=ttyAMA0 ;;
    *) die "vm_boot: unknown arch $arch" ;;
    esac
    VM_RC=0
    timeout -k 5 "$BOOT_TIMEOUT" "qemu-system-$arch" "${machine[@]}" -nographic \
        -no-reboot -m 256 -nic none -monitor none -serial stdio -display none \
        -kernel "$VM_KERNEL" -initrd "$initrd" \
        -append "console=$console panic=-1 quiet ${VM_APPEND:-}" "$@" \
        <"${VM_STDIN:-/dev/null}" >"$VM_LOG" 2>&1 || VM_RC=$?
    # A NUL or a CR from the serial line must not hide a marker from grep.
    tr -d '\000\r' <"$VM_LOG" >"$VM_LOG.tmp" && mv "$VM_LOG.tmp" "$VM_LOG"
    if [ "$VM_RC" = 124 ] || [ "$VM_RC" = 137 ]; then
        vm_show_log
        die "$arch VM still running after ${BOOT_TIMEOUT}s (console: $VM_LOG)"
    fi
}

vm_show_log() { echo "--- console ($VM_LOG), last lines:"; tail -40 "$VM_LOG"; } >&2

# vm_expect PATTERN (grep -E) on the console, or the test fails.
vm_expect() {
    grep -aqE -- "$1" "$VM_LOG" || { vm_show_log; die "'$1' not on the console"; }
}
vm_expect_not() {
    ! grep -aqE -- "$1" "$VM_LOG" || { vm_show_log; die "'$1' unexpectedly on the console"; }
}

# vm_line PATTERN: the console's first line number matching PATTERN.
vm_line() { grep -anE -- "$1" "$VM_LOG" | head -1 | cut -d: -f1; }

# vm_expect_order PATTERN...: each appears, after the one before.
vm_expect_order() {
    local prev=0 n p
    for p in "$@"; do
        vm_expect "$p"
        n=$(vm_line "$p")
        [ "$n" -gt "$prev" ] || { vm_show_log; die "'$p' (line $n) came before the line $prev"; }
        prev=$n
    done
}

# A clean poweroff: the kernel's last words, and QEMU ended with status 0.
vm_expect_poweroff() {
    vm_expect 'reboot: Power down'
    vm_expect_not 'Kernel panic'
    [ "$VM_RC" = 0 ] || { vm_show_log; die "QEMU exited with $VM_RC"; }
}

# vm_ext4 FILE SIZE_MIB: an empty ext4 file system in FILE, for a test's
# `-drive file=FILE,if=virtio,format=raw`; vm_ext4_cat FILE PATH prints a
# file from it after the boot, vm_ext4_clean FILE fails the test unless
# `e2fsck -fn` finds it clean.
vm_ext4() { truncate -s "${2}M" "$1" && mke2fs -q -t ext4 -F "$1"; }
vm_ext4_cat() { debugfs -R "cat $2" "$1" 2>/dev/null; }
vm_ext4_clean() {
    e2fsck -fn "$1" >"$1.fsck" 2>&1 || { cat "$1.fsck" >&2; die "e2fsck -fn $1: not clean"; }
}
