# The images boot under QEMU: services layered in by a second cpio archive
# start in order, /bin/sh is a real POSIX shell, `nsinit ctl poweroff` from
# inside ends the VM cleanly. One boot per architecture checks all of it.
. "$TOP/tests/boot/lib.sh"

# The constructs users' service scripts rely on (toybox 0.8.9's sh fails
# the loop, trap, set -- and globs); each prints what it computed.
SHELL_SCRIPT='i=0; while [ $i -lt 3 ]; do i=$((i+1)); done
trap "echo trap=ran" EXIT
set -- a "b c"; args="$#:$1,$2"
glob=$(echo /e?c); glob2=$(echo /sbin/nsini*)
twice() { echo "$1$1"; }
case "$(uname -s)" in Linux) kind=linux ;; *) kind=other ;; esac
x=$(twice ab)
echo "sh: loop=$i args=$args glob=$glob,$glob2 func=$x case=$kind"'

layer_services_and_boot() {
    vm_file /etc/test.sh "$SHELL_SCRIPT"
    vm_service first 'exec = /bin/sh -c "echo ORDER-first on $(hostname)"' 'oneshot = yes'
    vm_service second 'exec = /bin/sh -c "echo ORDER-second"' 'oneshot = yes' 'after = first'
    vm_service shell 'exec = /bin/sh /etc/test.sh' 'oneshot = yes' 'after = second'
    vm_poweroff_after shell
    vm_boot "$1"
    vm_expect_order 'first: ORDER-first on nsinit-vm' 'second: ORDER-second' \
        'shell: sh: loop=3 args=2:a,b c glob=/etc,/sbin/nsinit func=abab case=linux' \
        'shell: trap=ran' 'reboot: Power down'
    vm_expect_poweroff
}

test_x86_64_boots_layered_services_in_order_with_a_posix_sh_and_powers_off() {
    layer_services_and_boot x86_64
}

test_aarch64_boots_layered_services_in_order_with_a_posix_sh_and_powers_off() {
    layer_services_and_boot aarch64
}
