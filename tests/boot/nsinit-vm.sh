# qemu/nsinit-vm: CMD's status, stdout and stderr come back from the VM
# exactly, shares are read-only unless --rw, a hung or panicked guest ends
# with a reason. Each test is one boot; aarch64 boots faster under TCG, so
# most tests use it, and the statuses are spread over both architectures.
. "$TOP/tests/boot/lib.sh"

VM=$TOP/qemu/nsinit-vm

# vm_run ARCH NSINIT-VM-ARG...: runs qemu/nsinit-vm with the console in
# build/boot-logs; stdout in $TMP/out, stderr in $TMP/err, status in RC.
vm_run() {
    local arch=$1 name=vm f
    shift
    vm_image "$arch"
    for f in "${FUNCNAME[@]}"; do
        case "$f" in test_*) name=$f; break ;; esac
    done
    mkdir -p "$BOOT_LOGS"
    VM_LOG=$BOOT_LOGS/$name.log
    RC=0
    "$VM" --arch "$arch" --console "$VM_LOG" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null || RC=$?
    no_qemu_left
}

show() { echo "--- stdout:"; head -c 2000 "$TMP/out"; echo "--- stderr:"; cat "$TMP/err"; vm_show_log; } >&2
expect_rc() { [ "$RC" = "$1" ] || { show; die "status: want $1, got $RC"; }; }

# No QEMU of this test is left: its -serial file: is the test's console.
no_qemu_left() {
    local left
    left=$(pgrep -f -- "file:$VM_LOG" || true)
    [ -z "$left" ] || die "processes left behind: $(ps -o pid=,args= -p $left)"
}

test_x86_64_status_3_comes_back_and_stdout_has_the_guest_arch_alone() {
    vm_run x86_64 -- sh -c 'uname -m; exit 3'
    expect_rc 3
    printf 'x86_64\n' | cmp - "$TMP/out" || { show; die "stdout is not exactly 'x86_64'"; }
    [ ! -s "$TMP/err" ] || { show; die "stderr not empty"; }
}

# CMD's words reach the guest as they were: quotes, blanks, $, newlines.
test_aarch64_death_by_sigkill_comes_back_as_137_after_the_arch_and_exact_args() {
    vm_run aarch64 -- sh -c 'uname -m; printf "%s|" "$@"; kill -9 $$' sh \
        "it's" 'a  b' '$HOME' '' $'tab\there' $'new\nline' '*'
    expect_rc 137
    { echo aarch64; printf '%s|' "it's" 'a  b' '$HOME' '' $'tab\there' $'new\nline' '*'; } |
        cmp - "$TMP/out" || { show; die "stdout is not the arch and the words"; }
    [ ! -s "$TMP/err" ] || { show; die "stderr not empty"; }
}

# 1 MiB of random bytes (every byte value: NUL, CR, LF, ^C...) from the
# share to stdout, a line to stderr between two halves of it: both arrive
# whole, apart, and the status is 0.
test_x86_64_one_mib_of_stdout_arrives_byte_exact_apart_from_stderr() {
    mkdir share
    head -c 1048576 /dev/urandom >share/blob
    vm_run x86_64 --share "$TMP/share:/srv/in" -- sh -c \
        'pwd; head -c 524288 blob; echo "on stderr" >&2; tail -c 524288 blob; echo "more on stderr" >&2'
    expect_rc 0
    { echo /srv/in; cat share/blob; } | cmp - "$TMP/out" || { show; die "stdout differs from pwd + the blob"; }
    printf 'on stderr\nmore on stderr\n' | cmp - "$TMP/err" || { show; die "stderr is not the two lines"; }
    echo "sha256 $(sha256sum <"$TMP/out" | cut -c1-16)... of $(stat -c %s "$TMP/out") bytes"
}

test_aarch64_rw_share_carries_files_both_ways_and_status_0_comes_back() {
    mkdir share
    echo "from the host" >share/in
    cd share
    vm_run aarch64 --rw -- sh -c 'cat in >copy && echo "from the guest" >new && mkdir d && echo x >d/f && ls /sys/class/net >nics'
    cd "$TMP"
    expect_rc 0
    assert_eq lo "$(cat share/nics)" "network interfaces without --net"
    assert_eq "from the host" "$(cat share/copy)" "file copied in the guest"
    assert_eq "from the guest" "$(cat share/new)" "file made in the guest"
    assert_eq x "$(cat share/d/f)" "file in a directory made in the guest"
}

# Only the interface and its address: no traffic leaves the guest.
test_aarch64_net_gives_eth0_the_user_mode_address() {
    vm_run aarch64 --net -- sh -c 'ifconfig eth0; cat /etc/resolv.conf'
    expect_rc 0
    assert_contains "$TMP/out" 'inet addr:10\.0\.2\.15 .*Mask:255\.255\.255\.0'
    assert_contains "$TMP/out" '^nameserver 10\.0\.2\.3$'
}

test_aarch64_read_only_share_refuses_writes() {
    mkdir share
    echo keep >share/old
    cd share
    vm_run aarch64 -- sh -c 'cat old; echo x >new; echo y >old'
    cd "$TMP"
    expect_rc 1
    assert_eq keep "$(cat "$TMP/out")" "the share is readable"
    assert_contains "$TMP/err" 'Read-only file system'
    [ ! -e share/new ] || die "a file was made on a read-only share"
    assert_eq keep "$(cat share/old)" "file on a read-only share"
}

test_aarch64_hung_guest_is_ended_by_timeout_with_a_reason_and_no_qemu_left() {
    vm_run aarch64 --timeout 5 -- sh -c 'echo started; while :; do :; done'
    expect_rc 124
    assert_eq started "$(cat "$TMP/out")" "output before the hang"
    assert_contains "$TMP/err" '^qemu/nsinit-vm: guest still running after --timeout 5s, ended'
    assert_eq 1 "$(wc -l <"$TMP/err")" "lines on stderr"
}

test_aarch64_kernel_panic_ends_the_run_with_the_panic_line() {
    vm_run aarch64 -- sh -c 'echo c >/proc/sysrq-trigger; sleep 1000'
    expect_rc 125
    assert_contains "$TMP/err" '^qemu/nsinit-vm: guest: Kernel panic - not syncing: sysrq triggered crash'
    assert_eq 1 "$(wc -l <"$TMP/err")" "lines on stderr"
}

test_missing_image_or_kernel_is_a_one_line_error_without_a_boot() {
    RC=0
    "$VM" --kernel "$TMP/no-such-kernel" -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
    expect_rc 125
    assert_contains "$TMP/err" "^qemu/nsinit-vm: --kernel $TMP/no-such-kernel: no such file$"
    RC=0
    NSINIT_VM_IMAGES=$TMP/none "$VM" -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
    expect_rc 125
    assert_contains "$TMP/err" "^qemu/nsinit-vm: no image $TMP/none/$(uname -m)/initramfs.cpio.gz"
}
