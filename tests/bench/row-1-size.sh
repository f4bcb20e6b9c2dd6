#!/usr/bin/env bash
# Row 1: size of the stripped binary, nsinit against Debian's builds of the
# peers and against the peers rebuilt from Debian's sources with nsinit's
# own musl-gcc -static -Os and strip (build-peers.sh). Where nsinit's bytes
# go: build/bench/size-nsinit.txt (size and the largest symbols of an
# unstripped build with the same flags).
set -eu
. "$(dirname "$0")/lib.sh"
R="1 size"

bytes() { stat -L -c %s "$1"; }
emit "$R" nsinit stripped bytes nsinit "$(bytes "$NSINIT")" "goal <= 98,304"
for p in /usr/bin/tini-static /usr/bin/tini /usr/bin/dumb-init /usr/bin/catatonit /bin/busybox; do
    name=${p##*/}
    [ "$name" = busybox ] && name=busybox-static
    how="Debian's build, static"
    file -L "$p" | grep -q 'dynamically linked' && how="Debian's build, dynamic: libc not counted"
    emit "$R" "$name (deb)" stripped bytes nsinit "$(bytes "$p")" "$how"
done
for name in tini dumb-init catatonit; do
    f=$BENCH_DIR/peers/$name
    if [ -x "$f" ]; then
        emit "$R" "$name (musl)" stripped bytes nsinit "$(bytes "$f")" "Debian's source, musl-gcc -static -Os, stripped"
    else
        emit "$R" "$name (musl)" stripped bytes nsinit n/a "not built: see log/row-1-size.log"
    fi
done

U=$BENCH_DIR/nsinit.unstripped
if [ -e "$U" ]; then
    read -r text data bss _ < <(size "$U" | awk 'NR == 2')
    emit "$R" nsinit text bytes - "$text" "unstripped build: size(1)"
    emit "$R" nsinit data bytes - "$data"
    emit "$R" nsinit bss bytes - "$bss" "not in the file"
    {
        echo "# size $U"
        size -A "$U" | awk '$2 > 0'
        echo "# largest symbols (nm --size-sort, decimal bytes)"
        nm --size-sort -S -t d "$U" | sort -k2,2nr | head -40 | awk '{printf "%8d %s %s\n", $2, $3, $4}'
    } >"$BENCH_DIR/size-nsinit.txt"
fi
