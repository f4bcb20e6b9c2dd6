#!/bin/sh
# BusyBox init as a container's PID 1 for the idle and memory rows: a
# private /etc holding an inittab with one idle child, and /dev/console
# pointed at /dev/null so nothing reaches the machine's console. Runs in
# the mount namespace that ns_start made.
set -e
mount -t tmpfs -o size=64k bench-etc /etc
echo '::respawn:/bin/busybox sleep 100000' >/etc/inittab
mount --bind /dev/null /dev/console
exec /bin/busybox init
