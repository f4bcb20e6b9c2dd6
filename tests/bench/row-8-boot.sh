#!/usr/bin/env bash
# Row 8: boot time, nsinit against BusyBox init on the same kernel and
# image, x86_64 and aarch64 under QEMU (TCG): tests/bench/boot_time.sh,
# BENCH_ROUNDS pairs per architecture.
set -eu
RUNS=${BENCH_ROUNDS:-5} BENCH_EMIT=1 exec "$(dirname "$0")/boot_time.sh"
