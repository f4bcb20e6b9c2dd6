# nsinit as the PID 1 of real containers: Debian's Docker engine (a private
# dockerd), Podman with runc, and runc on its own. Every engine runs
# privately: its own sockets, state and storage under the test's directory,
# no network (`--network none`, no bridge, no iptables). An engine that is
# not installed or does not start here is a SKIP, never a FAIL.
# `make deps-engines` installs them (docker.io podman runc busybox-static).
# Figures (docker stop latency) are appended to build/runtimes.txt.

# Debian's client: /usr/local/bin/docker may be another program entirely.
DOCKER=/usr/bin/docker
BUSYBOX=/bin/busybox
PROBE_SRC=$TOP/tests/integration/container_probe.c
STATIC_PROBE=$TOP/build/host/container_probe.static
PTYDRIVE=$TOP/tests/integration/ptydrive.py
FIGURES=$TOP/build/runtimes.txt
IMAGE=nsinit-test

# 200 orphans (double fork), then a marker file, then the command waits.
ORPHANS='i=0; while [ $i -lt 200 ]; do (sleep 0.1 &); i=$((i + 1)); done
    echo done >/out/spawned; exec sleep 100'

figure() { echo "$(date -u +%FT%TZ) $*" >>"$FIGURES"; echo "figure: $*"; }
is_file() { [ -f "$1" ]; }
has_line() { [ -f "$1" ] && grep -qx -- "$2" "$1"; }
count_of() { grep -cx -- "$2" "$1" || true; }
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# ---- the image: busybox-static, nsinit at /sbin/nsinit, a static probe --------

static_probe() {
    command -v gcc >/dev/null || skip "gcc is needed to build the probe"
    if [ ! -x "$STATIC_PROBE" ] || [ "$PROBE_SRC" -nt "$STATIC_PROBE" ]; then
        mkdir -p "$(dirname "$STATIC_PROBE")"
        gcc -O1 -static -o "$STATIC_PROBE.$$" "$PROBE_SRC" && mv "$STATIC_PROBE.$$" "$STATIC_PROBE"
    fi
}

# make_rootfs DIR: the image's files. No RUN step is needed to build it.
make_rootfs() {
    local dir=$1 a
    file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' \
        || skip "busybox-static is not installed (make deps-engines)"
    # (make sanitize's glibc build cannot run in a FROM scratch image.)
    file -L "$NSINIT" | grep -q 'statically linked' \
        || skip "$NSINIT is not statically linked: no image can run it"
    static_probe
    mkdir -p "$dir"/bin "$dir"/sbin "$dir"/etc "$dir"/tmp "$dir"/out "$dir"/proc "$dir"/sys "$dir"/dev
    cp "$BUSYBOX" "$dir/bin/busybox"
    for a in $("$BUSYBOX" --list); do
        [ -e "$dir/bin/$a" ] || ln -s busybox "$dir/bin/$a"
    done
    cp "$NSINIT" "$dir/sbin/nsinit"
    cp "$STATIC_PROBE" "$dir/bin/probe"
    printf 'root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n' >"$dir/etc/passwd"
    chmod 1777 "$dir/tmp"
}

# make_context DIR: a build context for `docker build`/`podman build`.
make_context() {
    make_rootfs "$1/rootfs"
    printf 'FROM scratch\nCOPY rootfs/ /\nENTRYPOINT ["/sbin/nsinit", "--"]\n' >"$1/Containerfile"
}

# Zombies under the host's pid of a container's PID 1 (zombies_under: lib.sh).
no_zombies_under() { [ "$(zombies_under "$1")" = 0 ]; }

# Unmounts whatever an engine left mounted under $1 (innermost first).
umount_under() {
    awk -v d="$1" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# ---- the cases every engine shares: E is the engine's command ----------------
# (dk or pm below); RUN_OPTS what its `run` needs besides.

e_run() { "$E" run --network none $RUN_OPTS -v "$TMP/out:/out" "$@"; }
e_state() { "$E" inspect -f "{{.State.$2}}" "$1"; }

case_exit_status() {
    local rc
    rc=0; e_run --rm "$IMAGE" sh -c 'exit 3' || rc=$?
    assert_eq 3 "$rc" "$ENGINE: exit 3"
    rc=0; e_run --rm "$IMAGE" sh -c 'kill -USR1 $$' || rc=$?
    assert_eq 138 "$rc" "$ENGINE: killed by SIGUSR1"
    rc=0; e_run --rm "$IMAGE" no-such-command 2>err || rc=$?
    assert_eq 127 "$rc" "$ENGINE: not found"
}

case_stop_is_143() {
    local t0 t1
    e_run -d --name stopme "$IMAGE" sleep 100 >/dev/null
    wait_for 10 eval '[ "$(e_state stopme Running)" = true ]' || die "$ENGINE: not running"
    t0=$(ms_now)
    "$E" stop -t 10 stopme >/dev/null
    t1=$(ms_now)
    assert_eq 143 "$(e_state stopme ExitCode)" "$ENGINE: exit code after stop"
    figure "$ENGINE stop of nsinit -- sleep 100: $((t1 - t0)) ms (a PID 1 without a TERM handler: 10 s)"
    "$E" rm -f stopme >/dev/null
}

case_kill_hup_reaches_command() {
    rm -f "$TMP/out/m" "$TMP/out/m.ready"
    e_run -d --name hup "$IMAGE" probe catch /out/m >/dev/null
    wait_for 10 is_file "$TMP/out/m.ready" || die "$ENGINE: probe did not start"
    "$E" kill -s HUP hup >/dev/null
    wait_for 5 has_line "$TMP/out/m" 1 || die "$ENGINE: kill -s HUP did not reach the command"
    "$E" kill -s USR2 hup >/dev/null
    wait_for 5 has_line "$TMP/out/m" 12 || die "$ENGINE: kill -s USR2 did not reach the command"
    assert_eq 1 "$(count_of "$TMP/out/m" 1)" "$ENGINE: SIGHUPs"
    assert_eq true "$(e_state hup Running)" "$ENGINE: still running"
    "$E" rm -f hup >/dev/null
}

case_orphans_reaped() {
    local pid
    rm -f "$TMP/out/spawned"
    e_run -d --name orph --entrypoint /sbin/nsinit "$IMAGE" -v -- sh -c "$ORPHANS" >/dev/null
    wait_for 30 is_file "$TMP/out/spawned" || die "$ENGINE: orphans not spawned"
    pid=$(e_state orph Pid)
    wait_for 10 no_zombies_under "$pid" || die "$ENGINE: $(zombies_under "$pid") zombies left"
    wait_for 10 eval '[ "$("$E" logs orph 2>&1 | grep -c reaped)" -ge 200 ]' \
        || die "$ENGINE: nsinit reaped $("$E" logs orph 2>&1 | grep -c reaped) orphans, not 200"
    "$E" stop -t 10 orph >/dev/null
    assert_eq 143 "$(e_state orph ExitCode)" "$ENGINE: exit code after the orphans"
    "$E" rm -f orph >/dev/null
}

case_readonly_root_as_nobody_without_capabilities() {
    local rc
    chmod 777 "$TMP/out"
    rc=0
    e_run --rm --read-only --user 65534:65534 --cap-drop ALL "$IMAGE" \
        sh -c 'id -u >/out/id; grep ^CapEff /proc/self/status >/out/caps; grep ^CapEff /proc/1/status >>/out/caps; exit 5' \
        || rc=$?
    assert_eq 5 "$rc" "$ENGINE: exit status as nobody"
    assert_eq 65534 "$(cat "$TMP/out/id")" "$ENGINE: uid"
    assert_eq "CapEff:	0000000000000000
CapEff:	0000000000000000" "$(cat "$TMP/out/caps")" "$ENGINE: capabilities of the command and of nsinit"
    e_run -d --name ro --read-only --user 65534:65534 --cap-drop ALL "$IMAGE" sleep 100 >/dev/null
    wait_for 10 eval '[ "$(e_state ro Running)" = true ]' || die "$ENGINE: not running"
    "$E" stop -t 10 ro >/dev/null
    assert_eq 143 "$(e_state ro ExitCode)" "$ENGINE: stop as nobody"
    "$E" rm -f ro >/dev/null
}

# `run --init` with nsinit as the engine's init: PID 1 is nsinit (the same
# file), the command is its child, the status is the command's.
case_init_is_nsinit() {
    local rc
    rc=0
    e_run --rm --init "$@" --entrypoint "" "$IMAGE" \
        sh -c 'sha256sum /proc/1/exe | cut -d" " -f1 >/out/exe; echo $PPID >/out/ppid; exit 6' || rc=$?
    assert_eq 6 "$rc" "$ENGINE: status under --init"
    assert_eq "$(sha256sum "$NSINIT" | cut -d' ' -f1)" "$(cat "$TMP/out/exe")" "$ENGINE: PID 1's binary"
    assert_eq 1 "$(cat "$TMP/out/ppid")" "$ENGINE: the command's parent"
    e_run -d --name withinit --init "$@" --entrypoint "" "$IMAGE" sleep 100 >/dev/null
    wait_for 10 eval '[ "$(e_state withinit Running)" = true ]' || die "$ENGINE: not running"
    "$E" stop -t 10 withinit >/dev/null
    assert_eq 143 "$(e_state withinit ExitCode)" "$ENGINE: stop under --init"
    "$E" rm -f withinit >/dev/null
}

# ---- Docker ------------------------------------------------------------------

dk() { "${DK_CMD[@]}" "$@"; }

docker_down() {
    local rc=$? i
    set +e
    kill_probe_leftovers
    if [ -n "${DOCKERD:-}" ]; then
        dk ps -aq 2>/dev/null | xargs -r "$DOCKER" -H "unix://$DD/d.sock" rm -f >/dev/null 2>&1
        kill -TERM "$DOCKERD" 2>/dev/null
        for i in $(seq 100); do kill -0 "$DOCKERD" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DOCKERD" 2>/dev/null
        wait "$DOCKERD" 2>/dev/null
    fi
    umount_under "$DD"
    return $rc
}

# A private dockerd with nsinit as its --init-path, and the image built.
docker_up() {
    [ -x "$DOCKER" ] && command -v dockerd >/dev/null \
        || skip "docker.io is not installed (make deps-engines)"
    DD=$TMP/docker E=dk ENGINE=docker RUN_OPTS=
    DK_CMD=("$DOCKER" -H "unix://$DD/d.sock")
    ENGINE_CMD=("${DK_CMD[@]}")
    mkdir -p "$DD" "$TMP/out"
    trap docker_down EXIT
    dockerd -H "unix://$DD/d.sock" --data-root "$DD/data" --exec-root "$DD/x" \
        --pidfile "$DD/d.pid" --bridge=none --iptables=false --ip6tables=false \
        --init-path "$NSINIT" >"$DD/log" 2>&1 &
    DOCKERD=$!
    wait_for 30 eval 'dk info >/dev/null 2>&1' || skip "dockerd did not start: $(tail -1 "$DD/log")"
    make_context "$TMP/ctx"
    DOCKER_BUILDKIT=0 dk build -q -f "$TMP/ctx/Containerfile" -t "$IMAGE" "$TMP/ctx" >/dev/null \
        || die "docker build failed"
}

test_docker_exit_status_stop_kill_and_orphans() {
    docker_up
    case_exit_status
    case_stop_is_143
    case_kill_hup_reaches_command
    case_orphans_reaped
}

test_docker_readonly_root_as_nobody_without_capabilities() {
    docker_up
    case_readonly_root_as_nobody_without_capabilities
}

test_docker_init_path_is_nsinit() {
    docker_up
    # dockerd runs `nsinit --version` for this and parses tini's form.
    dk info 2>/dev/null | grep 'init version' >info
    assert_eq " init version: nsinit" "$(cat info)" "docker info"
    case_init_is_nsinit
}

# Kubernetes' pause role: nsinit with no arguments at all as the entry
# point. It mounts nothing, reaps, and SIGTERM or SIGINT end it with 0.
test_docker_pause_role_reaps_and_exits_0_on_term_and_int() {
    local pid t0 t1 sig
    docker_up
    dk run -d --network none --name ref --entrypoint /bin/sleep "$IMAGE" 100 >/dev/null
    for sig in TERM INT; do
        dk run -d --network none --name pause --entrypoint /sbin/nsinit "$IMAGE" >/dev/null
        wait_for 10 eval '[ "$(dk inspect -f {{.State.Running}} pause)" = true ]' || die "pause not running"
        pid=$(dk inspect -f '{{.State.Pid}}' pause)
        assert_eq "/sbin/nsinit" "$(tr '\0' ' ' </proc/$pid/cmdline | sed 's/ $//')" "PID 1's argv"
        # The same mounts as a container whose PID 1 is sleep.
        dk exec ref cat /proc/1/mountinfo | awk '{print $5}' | sort >want
        wait_for 5 eval 'dk exec pause cat /proc/1/mountinfo | awk "{print \$5}" | sort >got; cmp -s want got' \
            || { diff want got; die "the pause role mounted something"; }
        # An orphan from `docker exec` is reparented to nsinit and reaped.
        dk exec pause sh -c '(sleep 3 &); (sleep 3 &); true'
        wait_for 5 eval '[ -n "$(cat /proc/'$pid'/task/*/children)" ]' || die "no orphan reached nsinit"
        wait_for 10 eval '[ -z "$(cat /proc/'$pid'/task/*/children)" ]' || die "orphans not reaped"
        t0=$(ms_now)
        dk kill -s $sig pause >/dev/null
        wait_for 15 eval '[ "$(dk inspect -f {{.State.Running}} pause)" = false ]' || die "SIG$sig did not end it"
        t1=$(ms_now)
        assert_eq 0 "$(dk inspect -f '{{.State.ExitCode}}' pause)" "exit code after SIG$sig"
        figure "docker pause role (nsinit, no arguments): SIG$sig to exit $((t1 - t0)) ms"
        dk rm -f pause >/dev/null
    done
}

# ---- Podman (with runc) ----------------------------------------------------------

pm() { "${PM_CMD[@]}" "$@"; }

podman_down() {
    local rc=$?
    set +e
    if [ -n "${PD:-}" ] && [ -d "$PD" ]; then
        pm rm -af -t 0 >/dev/null 2>&1
        pm image rm -af >/dev/null 2>&1
    fi
    kill_probe_leftovers
    umount_under "$PD"
    return $rc
}

# Processes started here that are still there (a pty's podman client).
kill_probe_leftovers() {
    local p
    for p in ${CLEAN_PIDS:-}; do kill -KILL "$p" 2>/dev/null; done
}

podman_up() {
    command -v podman >/dev/null && command -v runc >/dev/null \
        || skip "podman or runc is not installed (make deps-engines)"
    PD=$TMP/podman E=pm ENGINE=podman
    PM_CMD=(podman --root "$PD/root" --runroot "$PD/run" --tmpdir "$PD/tmp"
        --network-config-dir "$PD/net" --storage-driver vfs --cgroup-manager cgroupfs
        --runtime runc --events-backend none)
    ENGINE_CMD=("${PM_CMD[@]}")
    # Podman raises RLIMIT_NOFILE and RLIMIT_NPROC to its own defaults,
    # which runc cannot set where the hard limits are lower (here: 20000
    # files; even nproc at the hard limit itself was refused): ask for less.
    RUN_OPTS="--ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
    mkdir -p "$PD/tmp" "$PD/net" "$TMP/out"
    trap podman_down EXIT
    pm info >"$PD/info" 2>&1 || skip "podman does not work here: $(tail -1 "$PD/info")"
    make_context "$TMP/ctx"
    pm build -q --network none -f "$TMP/ctx/Containerfile" -t "$IMAGE" "$TMP/ctx" >/dev/null 2>"$PD/build.err" \
        || { cat "$PD/build.err"; die "podman build failed"; }
}

test_podman_exit_status_stop_kill_and_orphans() {
    podman_up
    case_exit_status
    case_stop_is_143
    case_kill_hup_reaches_command
    case_orphans_reaped
}

test_podman_readonly_root_as_nobody_without_capabilities() {
    podman_up
    case_readonly_root_as_nobody_without_capabilities
}

test_podman_init_path_is_nsinit() {
    podman_up
    case_init_is_nsinit --init-path "$NSINIT"
}

# ^C typed on `ENGINE run -it`'s terminal reaches the command once (the
# container's terminal signals its foreground group, nsinit included).
check_ctrl_c_once() {
    local what=$1 pid drv
    shift
    rm -f "$TMP/out/m" "$TMP/out/m.ready" ctl
    mkfifo ctl
    python3 "$PTYDRIVE" leader ctl -- "${ENGINE_CMD[@]}" run -it --rm --name tty --network none \
        $RUN_OPTS -v "$TMP/out:/out" --entrypoint /sbin/nsinit "$IMAGE" "$@" -- probe catch /out/m \
        </dev/null >/dev/null 2>drv.err &
    drv=$!
    CLEAN_PIDS="${CLEAN_PIDS:-} $drv"
    exec 9>ctl
    wait_for 30 is_file "$TMP/out/m.ready" || { cat drv.err; die "$what: probe did not start"; }
    pid=$("$E" inspect -f '{{.State.Pid}}' tty)
    echo "key 03" >&9
    wait_for 10 has_line "$TMP/out/m" 2 || die "$what: ^C did not reach the command"
    # A marker through nsinit: the probe records pending signals lowest
    # first, so a second SIGINT from nsinit would be in m before it.
    kill -64 "$pid"
    wait_for 5 has_line "$TMP/out/m" 64 || die "$what: marker not forwarded"
    assert_eq 1 "$(count_of "$TMP/out/m" 2)" "$what: SIGINTs from one ^C"
    "$E" rm -f tty >/dev/null 2>&1 || true
    exec 9>&-
    wait "$drv" 2>/dev/null || true
}

test_podman_run_it_ctrl_c_reaches_the_command_once() {
    command -v python3 >/dev/null || skip "python3 is needed for the pty driver"
    podman_up
    check_ctrl_c_once "podman run -it"
    check_ctrl_c_once "podman run -it, -g" -g
}

test_docker_run_it_ctrl_c_reaches_the_command_once() {
    command -v python3 >/dev/null || skip "python3 is needed for the pty driver"
    docker_up
    check_ctrl_c_once "docker run -it"
    check_ctrl_c_once "docker run -it, -g" -g
}

# ---- runc on its own ---------------------------------------------------------------

runc_down() {
    local rc=$?
    set +e
    runc --root "$RS" kill rt KILL >/dev/null 2>&1
    sleep 0.2
    runc --root "$RS" delete -f rt >/dev/null 2>&1
    [ -n "${RUNC:-}" ] && kill -KILL "$RUNC" 2>/dev/null
    umount_under "$TMP/bundle"
    return $rc
}

# runc_bundle ARG...: a bundle whose process is ARG..., read-only root.
runc_bundle() {
    command -v runc >/dev/null || skip "runc is not installed (make deps-engines)"
    command -v python3 >/dev/null || skip "python3 is needed to edit config.json"
    RS=$TMP/runc-state
    mkdir -p "$TMP/bundle" "$RS" "$TMP/out"
    make_rootfs "$TMP/bundle/rootfs"
    trap runc_down EXIT
    (cd "$TMP/bundle" && rm -f config.json && runc spec)
    python3 - "$TMP/bundle/config.json" "$TMP/out" "$@" <<'EOF'
import json, sys
path, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
c["mounts"].append({"destination": "/out", "type": "bind", "source": out,
                    "options": ["rbind", "rw"]})
# No network namespace set-up is needed: a new one with only lo.
json.dump(c, open(path, "w"))
EOF
}

# runc_start ARG...: the container runs in the background (runc run in
# the foreground of a background job: its status is the container's).
runc_start() {
    runc_bundle "$@"
    runc --root "$RS" run --bundle "$TMP/bundle" rt </dev/null >"$TMP/out/stdout" 2>"$TMP/out/stderr" &
    RUNC=$!
}

runc_status() {
    RC=0
    wait "$RUNC" || RC=$?
    RUNC=
}

test_runc_exit_status_and_kill() {
    runc_start /sbin/nsinit -- sh -c 'exit 9'
    runc_status
    assert_eq 9 "$RC" "runc: exit 9"
    runc --root "$RS" delete -f rt >/dev/null 2>&1 || true
    rm -f "$TMP/out/m" "$TMP/out/m.ready"
    runc_start /sbin/nsinit -- probe dieterm /out/m
    wait_for 10 is_file "$TMP/out/m.ready" || { cat "$TMP/out/stderr"; die "runc: probe did not start"; }
    runc --root "$RS" kill rt USR1
    wait_for 5 has_line "$TMP/out/m" 10 || die "runc kill USR1 did not reach the command"
    runc --root "$RS" kill rt TERM
    runc_status
    assert_eq 0 "$RC" "runc: the probe's exit on SIGTERM"
    has_line "$TMP/out/m" 15 || die "runc kill TERM did not reach the command"
    runc --root "$RS" delete -f rt >/dev/null 2>&1 || true
    runc_start /sbin/nsinit -- sleep 100
    wait_for 10 eval '[ "$(runc --root "$RS" state rt 2>/dev/null | grep -c running)" -ge 1 ]' \
        || die "runc: not running"
    runc --root "$RS" kill rt TERM
    runc_status
    assert_eq 143 "$RC" "runc kill TERM of sleep"
}

test_runc_orphans_reaped() {
    local pid
    runc_start /sbin/nsinit -v -- sh -c "$ORPHANS"
    wait_for 30 is_file "$TMP/out/spawned" || { cat "$TMP/out/stderr"; die "runc: orphans not spawned"; }
    pid=$(runc --root "$RS" state rt | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    wait_for 10 no_zombies_under "$pid" || die "runc: $(zombies_under "$pid") zombies left"
    wait_for 10 eval '[ "$(grep -c reaped "$TMP/out/stderr")" -ge 200 ]' \
        || die "runc: nsinit reaped $(grep -c reaped "$TMP/out/stderr") orphans, not 200"
    runc --root "$RS" kill rt TERM
    runc_status
    assert_eq 143 "$RC" "runc: status"
}

# runc passes fds 3 and 4 on (--preserve-fds 2), as a runtime leaking a
# descriptor would: nsinit gets them, the command does not.
test_runc_command_gets_fds_0_to_2_only() {
    runc_bundle /sbin/nsinit -- probe fds
    exec 3>"$TMP/f3" 4>"$TMP/f4"
    runc --root "$RS" run --preserve-fds 2 --bundle "$TMP/bundle" rt </dev/null >"$TMP/out/fds" 2>"$TMP/out/stderr" \
        || { cat "$TMP/out/stderr"; die "runc run failed"; }
    exec 3>&- 4>&-
    assert_eq "0 1 2 " "$(awk '/^[0-9]+ / {print $1}' "$TMP/out/fds" | sort -n | tr '\n' ' ')" "the command's fds"
    # And nsinit did get them (the test would prove nothing otherwise).
    runc --root "$RS" delete -f rt >/dev/null 2>&1 || true
    runc_bundle /bin/probe fds
    exec 3>"$TMP/f3" 4>"$TMP/f4"
    runc --root "$RS" run --preserve-fds 2 --bundle "$TMP/bundle" rt </dev/null >"$TMP/out/fds" 2>/dev/null
    exec 3>&- 4>&-
    assert_eq "0 1 2 3 4 " "$(awk '/^[0-9]+ / {print $1}' "$TMP/out/fds" | sort -n | tr '\n' ' ')" \
        "what runc passes to the container's PID 1"
}
