#!/usr/bin/env bash
# Builds tini, dumb-init and catatonit from Debian's source packages with
# nsinit's own flags (musl-gcc -static -Os, section GC, stripped) for a fair
# size row: build/bench/peers/NAME. Sources come through qemu/apt (a
# private deb-src config under build/apt) and are kept in build/bench/src.
# The upstream tarball is built as it is (Debian's patches are packaging);
# each program is one C file, so no build system is needed: the config
# headers their build systems would write are made from their .in files.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/build/bench/src
OUT=$TOP/build/bench/peers
CC="musl-gcc -Os -static -fno-asynchronous-unwind-tables -fno-unwind-tables \
 -ffunction-sections -fdata-sections -fno-stack-protector -isystem $TOP/build/kinc"
LD="-Wl,--gc-sections -Wl,-z,max-page-size=4096 -Wl,-z,noseparate-code -s"
mkdir -p "$SRC" "$OUT"

fetch() {
    ls "$SRC"/"$1"_*.orig.tar.* >/dev/null 2>&1 && return 0
    "$TOP/qemu/apt" update >&2
    # --download-only: the .orig tarball is all that is used (a missing
    # Debian tarball must not stop it).
    (cd "$SRC" && "$TOP/qemu/apt" get source -q --download-only "$1" >&2) || true
    ls "$SRC"/"$1"_*.orig.tar.* >/dev/null 2>&1
}
unpack() { (cd "$SRC" && tar xf "$(ls "$SRC"/"$1"_*.orig.tar.* | head -1)"); }

build_tini() {
    local d=$SRC/tini-0.19.0/src
    sed 's/@tini_VERSION_MAJOR@/0/; s/@tini_VERSION_MINOR@/19/; s/@tini_VERSION_PATCH@/0/; s/@tini_VERSION_GIT@//' \
        "$d/tiniConfig.h.in" >"$d/tiniConfig.h"
    $CC -std=gnu99 -DTINI_MINIMAL=0 -o "$OUT/tini" "$d/tini.c" $LD
}
build_dumb_init() {
    local d=$SRC/dumb-init-1.2.5
    $CC -std=gnu99 -o "$OUT/dumb-init" "$d/dumb-init.c" $LD
}
build_catatonit() {
    local d=$SRC/catatonit-0.1.7
    sed 's/@PACKAGE_NAME@/catatonit/; s/@PACKAGE_VERSION@/0.1.7/; s|@PACKAGE_BUGREPORT@|https://github.com/openSUSE/catatonit/issues|; s|@PACKAGE_URL@|https://github.com/openSUSE/catatonit|' \
        "$d/config.h.in" >"$d/config.h"
    $CC -std=gnu99 -I"$d" -o "$OUT/catatonit" "$d/catatonit.c" $LD
}

for p in tini dumb-init catatonit; do
    [ -x "$OUT/$p" ] && continue
    if ! fetch "$p"; then
        echo "build-peers: $p: no source (qemu/apt get source failed)" >&2
        continue
    fi
    unpack "$p"
    "build_${p//-/_}" || echo "build-peers: $p: build failed" >&2
done
ls -l "$OUT" >&2
