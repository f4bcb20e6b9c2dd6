# Boot mode as the PID 1 of a real machine, one boot per architecture with
# everything a service may ask for: its own namespaces, the lab's bridge and
# veths with traffic between two services, cgroup v2 limits enforced, a
# `root =` on the initramfs, modules loaded by nsinit, the watchdog kept fed
# (x86_64), an ext4 disk written without sync and clean after poweroff.
. "$TOP/tests/boot/lib.sh"

# layer_forkbomb ARCH: /usr/bin/forkbomb in the overlay, static (musl).
layer_forkbomb() {
    local cc
    case "$1" in
    x86_64) cc=(musl-gcc) ;;
    aarch64) cc=(aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs) ;;
    esac
    mkdir -p "$TMP/overlay/usr/bin"
    "${cc[@]}" -static -Os -s -o "$TMP/overlay/usr/bin/forkbomb" "$TOP/tests/boot/forkbomb.c" ||
        die "cannot build the fork bomb for $1"
}

# layer_machine_services ARCH: the services of the boot; every marker line
# is checked below.
layer_machine_services() {
    vm_file /etc/nsinit.d/00-lab.conf '[bridge br0]
address = 192.168.2.1/24'
    # What PID 1 sees, to compare with the namespaced service.
    vm_service host 'exec = /bin/sh -c "echo HOST-NS $(readlink /proc/self/ns/net) $(readlink /proc/self/ns/pid) $(readlink /proc/self/ns/mnt)"' \
        'oneshot = yes'
    vm_service boxed 'exec = /bin/sh -c "echo BOXED pid=$$ host=$(hostname) $(readlink /proc/self/ns/net) $(readlink /proc/self/ns/pid) $(readlink /proc/self/ns/mnt) ipc=$(readlink /proc/self/ns/ipc) links=$(echo $(ls /sys/class/net))."' \
        'oneshot = yes' 'namespaces = pid mnt uts ipc net' 'hostname = boxed' \
        'mount = proc /proc' 'mount = sysfs /sys'
    # The lab: ns1 waits on br0, ns0 pings it across the bridge.
    vm_service ns1 'exec = /bin/sh -c "echo NS1-UP; exec sleep 1000"' \
        'namespaces = pid mnt uts ipc net' 'hostname = ns1' 'stop_signal = KILL' \
        'net = veth br0 192.168.2.3/24 gw 192.168.2.1'
    vm_service ns0 'exec = /bin/sh -c "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range && ping -c 1 -W 5 192.168.2.3 >/dev/null && echo LAB-PING-OK || echo LAB-PING-FAILED"' \
        'oneshot = yes' 'after = ns1' 'namespaces = pid mnt uts ipc net' 'hostname = ns0' \
        'net = veth br0 192.168.2.2/24 gw 192.168.2.1'
    # A real fork bomb (tests/boot/forkbomb.c) stops at pids_max, memory_max
    # in place too; meanwhile PID 1 answers, and `ctl stop` empties the
    # cgroup of a bomb that never stops forking. The watcher forks only
    # in its own cgroup.
    layer_forkbomb "$1"
    vm_service bomb 'exec = /usr/bin/forkbomb' 'pids_max = 16' 'memory_max = 32M' 'restart = never'
    vm_file /etc/bombwatch.sh 'pid=$(nsinit ctl status bomb | sed -n "s/.* pid=\([0-9]*\) .*/\1/p")
cg=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/$pid/cgroup)
echo "LIMITS pids.max=$(cat $cg/pids.max) memory.max=$(cat $cg/memory.max)"
i=0
while [ $i -lt 100 ] && [ "$(cat $cg/pids.current)" -lt 16 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
read cur <$cg/pids.current
while read k v; do [ "$k" = max ] && ev=$v; done <$cg/pids.events
nsinit ctl status bomb | grep -q "^bomb running " && echo BOMB-PID1-ANSWERS
nsinit ctl stop bomb >/dev/null && echo BOMB-STOP-OK
i=0
while [ $i -lt 100 ] && [ -e $cg/pids.current ] && [ "$(cat $cg/pids.current)" != 0 ]; do sleep 0.1; i=$((i + 1)); done
echo "BOMB pids.current=$cur max-events=$ev left=$(cat $cg/pids.current 2>/dev/null || echo 0) $(nsinit ctl status bomb | cut -d" " -f2)"'
    vm_service bombwatch 'exec = /bin/sh /etc/bombwatch.sh' 'oneshot = yes' 'after = bomb'
    # root = on the initramfs: pivot_root needs / to be a mount with a parent.
    vm_file /srv/root/bin/.keep ''
    vm_file /srv/root/proc/.keep ''
    vm_service rooted 'exec = /bin/sh -c "echo ROOTED $(ls /) $(cat /proc/1/comm)"' \
        'oneshot = yes' 'namespaces = mnt pid' 'root = /srv/root' 'mount = bind /bin /bin ro' \
        'mount = proc /proc'
    # ext4 on the virtio disk, written and never synced.
    # The mount stays in PID 1's namespace after the oneshot: the shutdown
    # must unmount it.
    vm_service disk 'exec = /bin/sh -c "mkdir -p /mnt/disk && mount -t ext4 /dev/vda /mnt/disk && i=0; while [ $i -lt 1000 ]; do echo line $i >> /mnt/disk/data.txt; i=$((i+1)); done; echo DISK-WROTE $i"' \
        'oneshot = yes'
    vm_service modules 'exec = /bin/sh -c "echo MODULES $(cut -d\" \" -f1 /proc/modules | sort)"' \
        'oneshot = yes'
}

# finit_module failing for real (x86_64): a reload asks for dummy, whose
# .ko is not a module (the kernel: ENOEXEC); then the real one, from the
# kernel package, and a second reload loads it.
layer_module_fault() {
    local kver dir
    kver=$(cat "$TOP/build/x86_64/kernel-version")
    dir=/lib/modules/$kver
    mkdir -p "$TMP/overlay$dir/extra"
    cp "$TOP/build/x86_64/kernel/root$dir/kernel/drivers/net/dummy.ko" \
        "$TMP/overlay$dir/extra/dummy.ko.good" || die "no dummy.ko in the kernel package"
    vm_file /etc/modfault.sh 'd=/lib/modules/$(uname -r)
echo not a module >$d/extra/dummy.ko
echo extra/dummy.ko: >>$d/modules.dep
printf "[init]\nmodules = dummy\n" >/etc/nsinit.d/zz-modfault.conf
nsinit ctl reload >/dev/null || echo MODFAULT-RELOAD-FAILED
grep -q "^dummy " /proc/modules && echo MODFAULT-LOADED || echo MODFAULT-REFUSED
cat $d/extra/dummy.ko.good >$d/extra/dummy.ko
nsinit ctl reload >/dev/null || echo MODFAULT-RELOAD-FAILED
grep -q "^dummy " /proc/modules && echo MODFAULT-RECOVERED || echo MODFAULT-MISSING'
    # After the watchdog's reload: each reload tries the modules again.
    vm_service modfault 'exec = /bin/sh /etc/modfault.sh' 'oneshot = yes' 'after = modules watchdog'
}

# The ext4 disk for the boot, empty.
make_disk() {
    DISK=$TMP/disk.img
    truncate -s 32M "$DISK"
    mkfs.ext4 -q -F "$DISK" || die "mkfs.ext4 failed"
}

check_machine_console() {
    local host boxed
    vm_expect 'BOXED pid=1 host=boxed'
    # Not anchored: the console's first line follows SeaBIOS's "Booting
    # from ROM.." and its escapes, without a newline between them.
    host=$(grep -ao 'host: HOST-NS.*' "$VM_LOG" | head -1 | cut -d' ' -f3-5)
    boxed=$(grep -ao 'boxed: BOXED.*' "$VM_LOG" | head -1 | cut -d' ' -f5-7)
    [ -n "$host" ] && [ -n "$boxed" ] || die "no namespace lines"
    for i in 1 2 3; do
        [ "$(echo "$host" | cut -d' ' -f$i)" != "$(echo "$boxed" | cut -d' ' -f$i)" ] ||
            die "boxed shares a namespace with PID 1: $host / $boxed"
    done
    vm_expect 'boxed: BOXED .* links=lo\.$'
    vm_expect_order 'ns1: NS1-UP' 'ns0: LAB-PING-OK'
    vm_expect 'bombwatch: LIMITS pids.max=16 memory.max=33554432'
    vm_expect_order 'bombwatch: BOMB-PID1-ANSWERS' 'bombwatch: BOMB-STOP-OK' \
        'bombwatch: BOMB pids.current=16 max-events=[1-9][0-9]* left=0 stopped$'
    vm_expect 'rooted: ROOTED bin proc sh'
    vm_expect 'disk: DISK-WROTE 1000'
    vm_expect 'modules: MODULES .*bridge .*ext4 .*veth .*virtio_blk'
    # No error from nsinit but the one a test asked for (VM_EXPECTED_ERROR).
    ! grep -aE 'nsinit: .*(rror|fail|cannot)' "$VM_LOG" | grep -avE "${VM_EXPECTED_ERROR:-^$}" ||
        { vm_show_log; die "nsinit logged an error"; }
    vm_expect_poweroff
    e2fsck -fn "$DISK" >"$TMP/fsck" 2>&1 || { cat "$TMP/fsck"; die "e2fsck: the disk is not clean"; }
    assert_eq 1000 "$(debugfs -R 'cat /data.txt' "$DISK" 2>/dev/null | grep -c '^line ')" \
        "lines on the disk after poweroff"
}

# x86_64 also loads a module that fails, then works (layer_module_fault),
# and keeps an i6300esb fed (armed by a reload): QEMU powers the VM off (no
# kernel "Power down") on a missed ping, and the boot lasts three timeouts
# (4 s: a host under load slows the guest, not the device's clock).
test_x86_64_machine_namespaces_lab_cgroups_root_watchdog_and_disk() {
    layer_machine_services x86_64
    # Armed by a reload, as a drop-in written after boot (the Pi's /data).
    vm_file /etc/wd.conf '[init]
watchdog = /dev/watchdog
watchdog_timeout = 4s'
    vm_service watchdog 'exec = /bin/sh -c "echo WATCHDOG-BEFORE $(cat /sys/class/watchdog/watchdog0/state); cp /etc/wd.conf /etc/nsinit.d/01-watchdog.conf && nsinit ctl reload && sleep 13; echo WATCHDOG $(cat /sys/class/watchdog/watchdog0/timeout)s $(cat /sys/class/watchdog/watchdog0/state)"' \
        'oneshot = yes'
    layer_module_fault
    vm_poweroff_after host boxed ns0 bombwatch rooted modules disk watchdog modfault
    make_disk
    vm_boot x86_64 -drive "file=$DISK,if=virtio,format=raw" -device i6300esb \
        -action watchdog=poweroff
    vm_expect_order 'watchdog: WATCHDOG-BEFORE inactive' 'watchdog: WATCHDOG 4s active'
    # One line for the bad module, the boot unharmed, the good one loaded.
    vm_expect_order 'nsinit: module dummy: Exec format error' 'modfault: MODFAULT-REFUSED' \
        'modfault: MODFAULT-RECOVERED'
    assert_eq 1 "$(grep -ac 'nsinit: module dummy' "$VM_LOG")" "lines for the bad module"
    vm_expect_not 'MODFAULT-(RELOAD-FAILED|LOADED|MISSING)'
    VM_EXPECTED_ERROR='nsinit: module dummy: Exec format error$'
    check_machine_console
}

test_aarch64_machine_namespaces_lab_cgroups_root_and_disk() {
    layer_machine_services aarch64
    vm_poweroff_after host boxed ns0 bombwatch rooted modules disk
    make_disk
    vm_boot aarch64 -drive "file=$DISK,if=virtio,format=raw"
    check_machine_console
}

# nsinit.shell: a shell on the console before the config is read, typed at
# once it says so; exiting it goes on with the boot.
test_aarch64_emergency_shell_then_the_boot_goes_on() {
    local log=$BOOT_LOGS/${FUNCNAME[0]}.log
    vm_service after 'exec = /bin/sh -c "echo BOOT-WENT-ON"' 'oneshot = yes'
    vm_poweroff_after after
    mkfifo "$TMP/console-in"
    rm -f "$log"
    (
        until grep -aq 'emergency shell' "$log" 2>/dev/null; do sleep 0.1; done
        printf 'echo SHELL-$((6 * 7)) $$\nexit\n'
    ) >"$TMP/console-in" &
    local typist=$!
    VM_STDIN=$TMP/console-in VM_APPEND=nsinit.shell vm_boot aarch64
    kill $typist 2>/dev/null || true
    vm_expect_order 'nsinit: emergency shell \(nsinit.shell\)' '^SHELL-42 [0-9]+$' \
        'after: BOOT-WENT-ON' 'reboot: Power down'
    vm_expect_poweroff
}
