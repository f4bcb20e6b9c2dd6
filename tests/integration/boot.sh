# Boot mode (nsinit as PID 1 with no arguments) as far as it runs without a
# VM: PID 1 of a fresh pid namespace, /etc/nsinit.conf from a private /etc.
# The full machine boot (modules, console, unmount, reboot) is tested in
# QEMU by the images' tests.

# boot_in_namespace CONF_TEXT: starts it; sets BOOT_PID (host pid of PID 1).
boot_in_namespace() {
    printf '%s\n' "$1" >"$TMP/nsinit.conf"
    unshare -fpmu --mount-proc --kill-child sh -c "
        mount -t tmpfs tmpfs /etc && cp '$TMP/nsinit.conf' /etc/nsinit.conf &&
        mount -t tmpfs tmpfs /run && exec '$NSINIT'" >"$TMP/out" 2>&1 &
    BOOT_UNSHARE=$!
    end_boot_on_exit
    wait_for 5 boot_pid_found || die "boot-mode nsinit did not start"
}

# A failed assertion must not leave the namespace running: unshare
# --kill-child takes its PID 1 (and so the whole namespace) with it.
end_boot_on_exit() {
    trap 'rc=$?; kill -KILL $BOOT_UNSHARE 2>/dev/null || true; exit $rc' EXIT
}

boot_pid_found() {
    local c
    for c in $(cat /proc/$BOOT_UNSHARE/task/*/children 2>/dev/null); do
        if [ "$(readlink /proc/$c/exe)" = "$NSINIT" ]; then
            BOOT_PID=$c
            return 0
        fi
    done
    return 1
}

# The control socket is in the boot namespace's own /run; reach it through
# /proc/PID/root, so the binary is run from here (its path may be hidden
# in there).
boot_ctl() { "$NSINIT" ctl -s "/proc/$BOOT_PID/root/run/nsinit.sock" "$@"; }

test_boot_mode_starts_services_with_hostname_and_clean_env() {
    boot_in_namespace '[init]
hostname = bootbox
[service hello]
exec = /bin/sh -c "echo hello $(hostname) PATH=$PATH X=${X:-unset}; exec sleep 60"'
    wait_for 5 grep -q "hello: hello bootbox" "$TMP/out" || { cat "$TMP/out"; die "no service output"; }
    # A container's /tmp is the image's: boot mode mounts nothing over it.
    [ "$(stat -c %d "/proc/$BOOT_PID/root/tmp")" = "$(stat -c %d /tmp)" ] ||
        die "boot mode mounted over /tmp in a container"
    # Boot mode starts services from PATH alone, not nsinit's environment.
    assert_contains "$TMP/out" "PATH=/usr/sbin:/usr/bin:/sbin:/bin X=unset"
    boot_ctl status hello >"$TMP/status"
    assert_contains "$TMP/status" "^hello running pid="
    boot_ctl poweroff
    wait_for 10 sh -c "! kill -0 $BOOT_UNSHARE 2>/dev/null" || die "poweroff did not end PID 1"
}

# The pause role (a container's init with no config) says nothing at all.
test_boot_mode_without_config_still_answers_ctl() {
    printf '' >"$TMP/nsinit.conf"
    unshare -fpmu --mount-proc --kill-child sh -c "
        mount -t tmpfs tmpfs /etc && mount -t tmpfs tmpfs /run && exec '$NSINIT'" \
        >"$TMP/out" 2>&1 &
    BOOT_UNSHARE=$!
    end_boot_on_exit
    wait_for 5 boot_pid_found || die "boot-mode nsinit did not start"
    wait_for 5 test -S "/proc/$BOOT_PID/root/run/nsinit.sock" || { cat "$TMP/out"; die "no control socket"; }
    [ ! -s "$TMP/out" ] || { cat "$TMP/out"; die "the pause role printed something"; }
    boot_ctl halt
    wait_for 10 sh -c "! kill -0 $BOOT_UNSHARE 2>/dev/null" || die "halt did not end PID 1"
}

test_boot_mode_broken_config_starts_the_valid_services() {
    boot_in_namespace '[service good]
exec = /bin/sh -c "echo good up; exec sleep 60"
[service bad]
exec = /bin/true
colour = blue'
    wait_for 5 grep -q "good: good up" "$TMP/out" || { cat "$TMP/out"; die "valid service did not start"; }
    assert_contains "$TMP/out" "/etc/nsinit.conf:5: unknown key 'colour'"
    boot_ctl status >"$TMP/status"
    assert_contains "$TMP/status" "^bad failed .*reason=\"invalid config: /etc/nsinit.conf:5: unknown key 'colour'\"$"
    assert_contains "$TMP/status" "^good running"
    kill -TERM "$BOOT_PID" # the kernel's reboot signal: an orderly shutdown
    wait_for 15 sh -c "! kill -0 $BOOT_UNSHARE 2>/dev/null" || die "SIGTERM did not end PID 1"
    assert_not_contains "$TMP/out" "did not stop"
}
