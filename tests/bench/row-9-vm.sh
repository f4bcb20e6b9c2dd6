#!/usr/bin/env bash
# Row 9: the test-VM round trip, `qemu/nsinit-vm -- true` against a
# three-line busybox-static /init on the same kernel and QEMU devices,
# x86_64 and aarch64: tests/bench/vm_roundtrip.sh, BENCH_ROUNDS pairs.
set -eu
RUNS=${BENCH_ROUNDS:-5} BENCH_EMIT=1 exec "$(dirname "$0")/vm_roundtrip.sh"
