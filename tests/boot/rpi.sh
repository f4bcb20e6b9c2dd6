# The Raspberry Pi card (make sdcard): its layout as the Pi's firmware reads
# it, and a boot of what it holds in QEMU's raspi3b with the card as its SD
# card. The firmware's own boot path cannot be emulated, so the test plays
# its part: MBR -> FAT -> config.txt -> the kernel, initramfs and Pi 3 B
# device tree it names.
. "$TOP/tests/boot/lib.sh"

SDCARD=$TOP/build/rpi/sdcard.img

sdcard_image() {
    [ -f "$SDCARD" ] || skip "no $SDCARD: make sdcard"
    command -v mdir >/dev/null || skip "mtools missing: make sdcard installs it"
}

# part_offset IMG N: byte offset of partition N, from the partition table.
part_offset() {
    sfdisk -J "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']['partitions'][$2-1]; print(p['start']*512)"
}

# config_value KEY: a `key=value` of the card's config.txt; config_initramfs
# the file of its `initramfs FILE followkernel` line.
config_value() { sed -n "s/^$1=//p" "$TMP/config.txt" | tr -d '\r'; }
config_initramfs() { sed -n 's/^initramfs[[:space:]]\+\([^[:space:]]*\).*/\1/p' "$TMP/config.txt"; }

# fat_get IMG FILE DEST: FILE from the card's boot partition.
fat_get() { MTOOLS_SKIP_CHECK=1 mcopy -n -i "$1@@$(part_offset "$1" 1)" "::/$2" "$3"; }

test_sdcard_has_mbr_fat_boot_files_config_targets_dtbs_and_clean_ext4() {
    sdcard_image
    local size=$(stat -c %s "$SDCARD")
    [ $((size & (size - 1))) = 0 ] || die "card image is $size bytes, not a power of two"
    sfdisk -J "$SDCARD" >"$TMP/table"
    python3 - "$TMP/table" <<'EOF' || die "partition table: $(cat "$TMP/table")"
import json, sys
t = json.load(open(sys.argv[1]))["partitiontable"]
p = t["partitions"]
assert t["label"] == "dos", t["label"]
assert len(p) == 2, p
assert p[0]["type"] == "c" and p[0].get("bootable"), p[0]
assert p[1]["type"] == "83", p[1]
EOF
    MTOOLS_SKIP_CHECK=1 mdir -b -i "$SDCARD@@$(part_offset "$SDCARD" 1)" ::/ | sed 's|^::/||' >"$TMP/fat"
    fat_get "$SDCARD" config.txt "$TMP/config.txt"
    fat_get "$SDCARD" cmdline.txt "$TMP/cmdline.txt"
    assert_eq 1 "$(config_value arm_64bit)" "arm_64bit"
    assert_eq 1 "$(config_value enable_uart)" "enable_uart"
    assert_eq 1 "$(config_value upstream_kernel)" "upstream_kernel"
    assert_contains "$TMP/config.txt" '^initramfs [^ ]+ followkernel$'
    assert_contains "$TMP/cmdline.txt" 'console=ttyS1,115200'
    assert_contains "$TMP/cmdline.txt" 'console=tty1'
    local f
    for f in "$(config_value kernel)" "$(config_initramfs)" bootcode.bin start.elf fixup.dat \
        start4.elf fixup4.dat config.txt cmdline.txt bcm2837-rpi-3-b.dtb \
        bcm2837-rpi-3-b-plus.dtb bcm2711-rpi-4-b.dtb bcm2837-rpi-zero-2-w.dtb; do
        [ -n "$f" ] || die "config.txt names no kernel or initramfs"
        grep -qxF "$f" "$TMP/fat" || die "$f not on the boot partition: $(cat "$TMP/fat")"
    done
    # The initramfs it names: the board's config, valid, with its modules.
    fat_get "$SDCARD" "$(config_initramfs)" "$TMP/initramfs"
    mkdir "$TMP/i"
    (cd "$TMP/i" && zcat "$TMP/initramfs" | cpio --quiet -id etc/nsinit.conf sbin/nsinit init)
    assert_eq sbin/nsinit "$(readlink "$TMP/i/init")" "/init"
    "$NSINIT" check "$TMP/i/etc/nsinit.conf" || die "the card's /etc/nsinit.conf is invalid"
    assert_contains "$TMP/i/etc/nsinit.conf" '^include *= */data/nsinit.d$'
    assert_eq "modules = $(sed 's/#.*//' "$TOP/board/rpi/modules" | xargs)" \
        "$(grep '^modules' "$TMP/i/etc/nsinit.conf")" "modules line"
    fat_get "$SDCARD" "$(config_value kernel)" "$TMP/kernel"
    file "$TMP/kernel" | grep -q 'ARM64' || die "the kernel is $(file -b "$TMP/kernel")"
    dd if="$SDCARD" of="$TMP/data.ext4" bs=1M skip=$(($(part_offset "$SDCARD" 2) / 1048576)) status=none
    e2fsck -fn "$TMP/data.ext4" >"$TMP/fsck" 2>&1 || { cat "$TMP/fsck"; die "e2fsck of /data failed"; }
    assert_eq data "$(e2label "$TMP/data.ext4")" "label of partition 2"
    debugfs -R 'ls -l /nsinit.d' "$TMP/data.ext4" 2>/dev/null | grep -q README || die "no /nsinit.d on /data"
    # The block map describes the image: a copy through it is the same bytes.
    [ -f "$SDCARD.bmap" ] || die "no $SDCARD.bmap"
    bmaptool -q copy --bmap "$SDCARD.bmap" "$SDCARD" "$TMP/copy.img"
    cmp "$SDCARD" "$TMP/copy.img" || die "bmaptool copy differs from the image"
}

test_rpi3b_boots_the_card_nsinit_loads_its_modules_service_in_namespaces_data_survives_poweroff() {
    sdcard_image
    command -v qemu-system-aarch64 >/dev/null || skip "qemu-system-aarch64 missing"
    local card=$TMP/sd.img data_off
    cp --sparse=always "$SDCARD" "$card"
    fat_get "$card" config.txt "$TMP/config.txt"
    fat_get "$card" cmdline.txt "$TMP/cmdline.txt"
    fat_get "$card" "$(config_value kernel)" "$TMP/kernel"
    fat_get "$card" "$(config_initramfs)" "$TMP/initramfs"
    fat_get "$card" bcm2837-rpi-3-b.dtb "$TMP/pi3b.dtb"
    # A service on the card's /data/nsinit.d: read once /data is mounted.
    data_off=$(($(part_offset "$card" 2) / 1048576))
    dd if="$card" of="$TMP/data.ext4" bs=1M skip=$data_off status=none
    printf '%s\n' '[service card]' 'exec = /bin/sh -c "echo CARD-service-from-data"' 'oneshot = yes' \
        '[service card-off]' 'exec = /sbin/nsinit ctl poweroff' 'oneshot = yes' 'after = card writer' >"$TMP/card.conf"
    debugfs -w -R "write $TMP/card.conf /nsinit.d/card.conf" "$TMP/data.ext4" >/dev/null 2>&1
    dd if="$TMP/data.ext4" of="$card" bs=1M seek=$data_off conv=notrunc status=none
    # In the initramfs: a service in its own namespaces, and a writer that
    # leaves a file on /data without syncing it.
    # The image has no modprobe for the kernel to call: a module that is
    # live was loaded by nsinit from [init] modules.
    vm_service probe 'exec = /bin/sh -c "m=$(cat /proc/sys/kernel/modprobe); [ -e $m ] && echo HAS $m; for x in bcm2835 bcm2835_wdt ext4; do echo MOD $x $(cat /sys/module/$x/initstate); done; w=/sys/class/watchdog/watchdog0; echo WD $(cat $w/identity) $(cat $w/state) $(cat $w/timeout)s"' 'oneshot = yes'
    vm_service isolated 'exec = /bin/sh -c "set -- /proc/[0-9]*; echo NS pid=$$ host=$(hostname) procs=$#"' \
        'namespaces = pid mnt uts ipc' 'hostname = isolated' 'mount = proc /proc' 'oneshot = yes'
    vm_service writer 'exec = /bin/sh -c "echo survived-the-poweroff > /data/survivor && echo WROTE"' \
        'oneshot = yes' 'after = data'
    "$TOP/qemu/overlay" "$TMP/overlay" "$TMP/overlay.cpio.gz"
    cat "$TMP/initramfs" "$TMP/overlay.cpio.gz" >"$TMP/initrd"
    # cmdline.txt's consoles are the Pi's mini UART and HDMI; raspi3b's
    # serial is the PL011 (ttyAMA0).
    local append
    append="$(sed 's/console=[^ ]*//g' "$TMP/cmdline.txt") console=ttyAMA0 panic=-1"
    mkdir -p "$BOOT_LOGS"
    VM_LOG=$BOOT_LOGS/${FUNCNAME[0]}.log VM_RC=0
    timeout -k 5 "$BOOT_TIMEOUT" qemu-system-aarch64 -M raspi3b -m 1G -accel tcg,thread=single \
        -nographic -no-reboot -monitor none -serial stdio -display none \
        -kernel "$TMP/kernel" -initrd "$TMP/initrd" -dtb "$TMP/pi3b.dtb" \
        -drive "file=$card,if=sd,format=raw" -append "$append" \
        </dev/null >"$VM_LOG" 2>&1 || VM_RC=$?
    tr -d '\000\r' <"$VM_LOG" >"$VM_LOG.tmp" && mv "$VM_LOG.tmp" "$VM_LOG"
    [ "$VM_RC" != 124 ] && [ "$VM_RC" != 137 ] || { vm_show_log; die "raspi3b still running after ${BOOT_TIMEOUT}s"; }
    vm_expect_not 'probe: HAS'
    vm_expect 'probe: MOD bcm2835 live'
    vm_expect 'probe: MOD bcm2835_wdt live'
    vm_expect 'probe: MOD ext4 live'
    # The driver is there for a config that turns the watchdog on; the
    # card's own leaves it off (raspi3b resets when it starts: board/README.md).
    vm_expect 'probe: WD Broadcom BCM2835 Watchdog timer inactive 15s'
    vm_expect 'isolated: NS pid=1 host=isolated procs=1'
    vm_expect 'writer: WROTE'
    vm_expect 'card: CARD-service-from-data'
    vm_expect_poweroff
    # What was written before the poweroff is on the card, and ext4 is clean.
    dd if="$card" of="$TMP/after.ext4" bs=1M skip=$data_off status=none
    e2fsck -fn "$TMP/after.ext4" >"$TMP/fsck" 2>&1 || { cat "$TMP/fsck"; die "e2fsck of /data after poweroff"; }
    assert_eq survived-the-poweroff "$(debugfs -R 'cat /survivor' "$TMP/after.ext4" 2>/dev/null)" "/data/survivor"
}
