#!/usr/bin/env bash
# Runner and helpers for integration tests. `bash lib.sh FILE.sh` runs every
# function named test_* in FILE, each in its own temp dir and under a
# timeout, and prints "PASS name", "FAIL name" (with the test's log) or
# "SKIP name: reason" (a test exits 77 to skip, printing the reason).
# Tests run the real binary: $NSINIT (build/nsinit).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSINIT=${NSINIT:-$TOP/build/nsinit}
TEST_TIMEOUT=${TEST_TIMEOUT:-90}

die() { echo "assertion failed: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }

# Cross runs (tests/run): NSINIT execs the foreign binary under qemu-user,
# named in NSINIT_QEMU. A test (or a part of one) that cannot work there
# says why with qemu_user_skip; qemu_user is true in such a run.
qemu_user() { [ -n "${NSINIT_QEMU:-}" ]; }
qemu_user_skip() { ! qemu_user || skip "under $NSINIT_QEMU: $*"; }

# assert_eq WANT GOT [what]
assert_eq() { [ "$1" = "$2" ] || die "${3:-value}: want '$1', got '$2'"; }
# assert_contains FILE PATTERN (grep -E) / assert_not_contains
assert_contains() { grep -qE -- "$2" "$1" || { echo "--- $1:"; cat "$1"; die "'$2' not in $1"; } >&2; }
assert_not_contains() { ! grep -qE -- "$2" "$1" || { echo "--- $1:"; cat "$1"; die "'$2' unexpectedly in $1"; } >&2; }

# wait_for SECONDS COMMAND...: polls every 50 ms until COMMAND succeeds.
wait_for() {
    local limit=$(( $1 * 20 )) i=0
    shift
    until "$@"; do
        i=$((i + 1))
        [ $i -ge $limit ] && return 1
        sleep 0.05
    done
}

# Zombies (state Z) among the descendants of PID.
zombies_under() {
    local pid=$1 n=0 c
    for c in $(cat /proc/$pid/task/*/children 2>/dev/null); do
        [ "$(awk '{print $3}' /proc/$c/stat 2>/dev/null)" = Z ] && n=$((n + 1))
        n=$((n + $(zombies_under $c)))
    done
    echo $n
}

run_file() {
    local file=$1 t rc log
    for t in $(bash -c ". '$TOP/tests/integration/lib.sh'; . '$file'; declare -F" | awk '$3 ~ /^test_/ {print $3}'); do
        [ -n "${TEST:-}" ] && case "$t" in *"$TEST"*) ;; *) continue ;; esac
        local skip_it= p
        for p in ${TEST_SKIP:-}; do case "$t" in *"$p"*) skip_it=1 ;; esac; done
        [ -n "$skip_it" ] && continue
        local dir
        dir=$(mktemp -d /tmp/nsinit-test.XXXXXX)
        log=$dir/.log
        (cd "$dir" && TMP=$dir timeout -k 5 "$TEST_TIMEOUT" bash -c \
            "set -eu; . '$TOP/tests/integration/lib.sh'; . '$file'; $t" >"$log" 2>&1)
        rc=$?
        case $rc in
        0) echo "PASS $t" ;;
        77) echo "SKIP $t: $(tail -1 "$log")" ;;
        124|137) echo "FAIL $t (timed out after ${TEST_TIMEOUT}s)"; tail -30 "$log" | sed 's/^/    /' ;;
        *) echo "FAIL $t (exit $rc)"; tail -30 "$log" | sed 's/^/    /' ;;
        esac
        # Tests stop what they started (EXIT traps); the dir goes here.
        rm -rf "$dir" 2>/dev/null || { umount -R "$dir"/* 2>/dev/null; rm -rf "$dir"; }
    done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    run_file "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fi
