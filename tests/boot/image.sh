# The initramfs as built (no boot): what CONTRACT.md's "Build" promises is
# in it, and two builds give the same bytes.
. "$TOP/tests/boot/lib.sh"

# newc_headers <ARCHIVE: "UID GID MTIME NAME" for each member, read from the
# newc headers themselves (an unpacked tree loses symlink and dir mtimes).
newc_headers() {
    python3 -c '
import sys
d = sys.stdin.buffer.read(); o = 0
while o < len(d):
    h = d[o:o + 110]; assert h[:6] == b"070701", "not newc at %d" % o
    f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    name = d[o + 110:o + 110 + f[11] - 1].decode()
    if name == "TRAILER!!!": break
    o = (o + 110 + f[11] + 3) & ~3; o = (o + f[6] + 3) & ~3
    print(f[2], f[3], f[5], name)'
}

# unpack_image ARCH: the image's tree in $TMP/tree, its listing in $TMP/list.
unpack_image() {
    vm_image "$1"
    mkdir -p "$TMP/tree"
    (cd "$TMP/tree" && zcat "$VM_INITRD" | cpio --quiet -idm --no-absolute-filenames)
    zcat "$VM_INITRD" | newc_headers >"$TMP/list"
    KVER=$(cat "$TOP/build/$1/kernel-version")
}

image_holds_what_the_contract_names() {
    local arch=$1 machine=$2 nsinit=$3 t=$TMP/tree m dep
    unpack_image "$arch"
    assert_eq sbin/nsinit "$(readlink "$t/init")" "/init"
    cmp "$t/sbin/nsinit" "$nsinit" || die "/sbin/nsinit is not $nsinit"
    file "$t/bin/sh" | grep -q "$machine.*statically linked" || die "/bin/sh: $(file -b "$t/bin/sh")"
    file "$t/bin/toybox" | grep -q "$machine.*statically linked" || die "/bin/toybox: $(file -b "$t/bin/toybox")"
    assert_eq ../bin/toybox "$(readlink "$t/sbin/ifconfig")" "toybox's sbin layout"
    assert_eq ../../bin/toybox "$(readlink "$t/usr/bin/env")" "toybox's usr/bin layout"
    for d in proc sys dev run tmp mnt data etc/nsinit.d; do [ -d "$t/$d" ] || die "no /$d"; done
    grep -q '^root:x:0:0:' "$t/etc/passwd" || die "no root in /etc/passwd"
    grep -q '^nobody:' "$t/etc/passwd" || die "no nobody in /etc/passwd"
    # The config: valid, includes /etc/nsinit.d, loads the board's modules.
    "$NSINIT" check "$t/etc/nsinit.conf" || die "/etc/nsinit.conf is invalid"
    assert_contains "$t/etc/nsinit.conf" '^include *= */etc/nsinit.d$'
    local want
    want=$(sed 's/#.*//' "$TOP/qemu/virt/modules" | xargs)
    assert_eq "modules = $want" "$(grep '^modules' "$t/etc/nsinit.conf")" "modules line"
    # Every module named, or built in; every dependency shipped beside it.
    local mdir=$t/lib/modules/$KVER
    for f in modules.dep modules.alias modules.softdep modules.builtin; do
        [ -s "$mdir/$f" ] || die "no $f in /lib/modules/$KVER"
    done
    for m in $want $4; do
        grep -qE "(^|/)$(echo "$m" | sed 's/[-_]/[-_]/g')\.ko:" "$mdir/modules.dep" ||
            grep -qE "/$(echo "$m" | sed 's/[-_]/[-_]/g')\.ko$" "$mdir/modules.builtin" ||
            die "module $m neither shipped nor built in"
    done
    for dep in $(cut -d: -f2 "$mdir/modules.dep"); do
        [ -f "$mdir/$dep" ] || die "dependency $dep not shipped"
    done
    assert_contains "$mdir/modules.softdep" '^softdep ext4 pre: crypto-crc32c'
    assert_contains "$mdir/modules.alias" '^alias crypto-crc32c crc32c_generic$'
    # Nothing of the build host inside: owner root, one fixed mtime.
    [ -s "$TMP/list" ] || die "no members read from the archive"
    [ -z "$(awk '$1 != 0 || $2 != 0' "$TMP/list")" ] || die "a member not owned by 0:0"
    assert_eq 1 "$(awk '{print $3}' "$TMP/list" | sort -u | wc -l)" "distinct mtimes in the archive"
}

test_x86_64_initramfs_holds_init_toybox_mksh_modules_and_config() {
    # virtio and virtio_ring are modules on amd64; crc32c-intel is ext4's crc32c.
    image_holds_what_the_contract_names x86_64 x86-64 "$TOP/build/nsinit" \
        "virtio virtio_ring jbd2 mbcache crc16 crc32c_generic crc32c-intel stp llc"
}

test_aarch64_initramfs_holds_init_toybox_mksh_modules_and_config() {
    image_holds_what_the_contract_names aarch64 aarch64 "$TOP/build/aarch64/nsinit" \
        "virtio virtio_ring jbd2 mbcache crc16 crc32c_generic stp llc"
}

# Two builds of the same inputs, seconds apart, into fresh dirs: the same
# sha256 (compared here), so the cpio carries no build time or inode.
test_initramfs_build_is_reproducible_byte_for_byte() {
    vm_image x86_64
    "$TOP/qemu/mkinitramfs" x86_64 "$TOP/qemu/virt" "$TMP/a" >/dev/null
    sleep 1
    "$TOP/qemu/mkinitramfs" x86_64 "$TOP/qemu/virt" "$TMP/b" >/dev/null
    local a b
    a=$(sha256sum <"$TMP/a/initramfs.cpio.gz")
    b=$(sha256sum <"$TMP/b/initramfs.cpio.gz")
    assert_eq "$a" "$b" "sha256 of two builds"
    assert_eq "$a" "$(sha256sum <"$VM_INITRD")" "sha256 against build/x86_64's"
}

# image_cmd NAME ARG...: the image's NAME, by its link in the unpacked tree,
# run on this machine (under $IMAGE_EMU, qemu-user, for a foreign image).
image_cmd() {
    local name=$1 d
    shift
    for d in bin sbin usr/bin usr/sbin; do
        [ -L "$TMP/tree/$d/$name" ] && break
    done
    [ -L "$TMP/tree/$d/$name" ] || die "no $name in the image"
    ${IMAGE_EMU:-} "$TMP/tree/$d/$name" "$@"
}

# The commands of toybox's pending/ that qemu/toybox turns on, as service
# scripts use them.
image_commands_work() {
    unpack_image "$1"
    IMAGE_EMU=${2:-}
    assert_eq "HELLO, WORLD" "$(echo hello, world | image_cmd tr a-z A-Z)" "tr a-z A-Z"
    assert_eq ABC "$(echo abc | image_cmd tr '[:lower:]' '[:upper:]')" "tr with classes"
    assert_eq "a b" "$(echo 'a   b' | image_cmd tr -s ' ')" "tr -s"
    assert_eq abc "$(echo a1b2c3 | image_cmd tr -d 0-9)" "tr -d"
    assert_eq 7 "$(image_cmd expr 3 + 4)" "expr 3 + 4"
    assert_eq bc "$(image_cmd expr abc : 'a\(.*\)')" "expr with a match"
    local rc=0
    image_cmd expr 2 \> 3 >"$TMP/out" || rc=$?
    assert_eq "0 1" "$(cat "$TMP/out") $rc" "expr 2 > 3: output and status"
    assert_eq 345 "$(echo 12345678 | image_cmd dd bs=1 skip=2 count=3 2>/dev/null)" "dd skip count"
    eval set -- "$(image_cmd getopt -o ab: -- -a -b 'x y' z)"
    assert_eq "-a|-b|x y|--|z" "$1|$2|$3|$4|$5" "getopt -o, its output through eval set --"
    assert_eq "abc def gh" "$(echo abcdefgh | image_cmd fold -w 3 | xargs)" "fold -w 3"
    printf 'a\nb\n' >"$TMP/d1"
    printf 'a\nc\n' >"$TMP/d2"
    rc=0
    image_cmd diff -u "$TMP/d1" "$TMP/d2" >"$TMP/out" || rc=$?
    assert_eq 1 "$rc" "diff status of files that differ"
    assert_contains "$TMP/out" '^\+c$'
    image_cmd diff "$TMP/d1" "$TMP/d1" || die "diff of a file with itself"
    command -v script >/dev/null || skip "script (util-linux) missing for stty's terminal"
    script -qec "stty cols 77 rows 22; $IMAGE_EMU $TMP/tree/bin/stty size" /dev/null \
        </dev/null >"$TMP/out"
    assert_eq "22 77" "$(tr -d '\r' <"$TMP/out")" "stty size on a terminal"
}

test_x86_64_toybox_has_tr_expr_dd_getopt_fold_diff_stty() {
    image_commands_work x86_64
}

test_aarch64_toybox_has_tr_expr_dd_getopt_fold_diff_stty() {
    command -v qemu-aarch64-static >/dev/null || skip "qemu-aarch64-static missing: make deps-image"
    image_commands_work aarch64 qemu-aarch64-static
}
