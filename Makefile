# nsinit: one static musl binary, its tests and (later) its images.
# `make` builds build/nsinit; `make check` runs every test; `make deps`
# installs what the project needs from Debian's archive (idempotent).

HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)

ifeq ($(ARCH),$(HOST_ARCH))
OUT := build
else
OUT := build/$(ARCH)
endif

ifeq ($(ARCH),x86_64)
MUSL_CC := $(if $(filter $(HOST_ARCH),x86_64),musl-gcc,x86_64-linux-gnu-gcc -specs /usr/lib/x86_64-linux-musl/musl-gcc.specs)
ASM_DIR := /usr/include/x86_64-linux-gnu/asm
else ifeq ($(ARCH),aarch64)
MUSL_CC := $(if $(filter $(HOST_ARCH),aarch64),musl-gcc,aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs)
ASM_DIR := $(if $(filter $(HOST_ARCH),aarch64),/usr/include/aarch64-linux-gnu/asm,/usr/aarch64-linux-gnu/include/asm)
else ifeq ($(ARCH),armhf)
MUSL_CC := arm-linux-gnueabihf-gcc -specs /usr/lib/arm-linux-musleabihf/musl-gcc.specs
ASM_DIR := /usr/arm-linux-gnueabihf/include/asm
else
$(error unknown ARCH '$(ARCH)': x86_64, aarch64 or armhf)
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE $(WARN) -Iinit -Iconfig
# -Os, LTO and section GC: every byte of the binary is counted (goal: 96 KiB).
# No RELRO: a static binary without a dynamic linker has next to nothing
# for it to protect (no PLT, a GOT of a few entries), and aligning its end
# to a page pads the file by up to 4 KiB. A small common page size keeps
# ld from starting the data on a page of its own (another 4 KiB of padding)
# whenever that would save a page of bss: the data shares the text's last
# file page instead, whatever the sizes.
MUSL_CFLAGS := $(CFLAGS_COMMON) -Os -flto=auto -static -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -ffunction-sections -fdata-sections -fno-stack-protector \
	-isystem $(OUT)/kinc
MUSL_LDFLAGS := -static -Wl,--gc-sections -Wl,-z,max-page-size=4096 \
	-Wl,-z,common-page-size=64 -Wl,-z,noseparate-code -Wl,-z,norelro -s

SRCS := $(sort $(wildcard init/*.c config/*.c))
HDRS := $(wildcard init/*.h config/*.h)

all: $(OUT)/nsinit

# musl-gcc has no kernel headers: point it at the system's, by symlink.
$(OUT)/kinc/.done: | deps-cross
	@mkdir -p $(OUT)/kinc
	@ln -sfn /usr/include/linux $(OUT)/kinc/linux
	@ln -sfn /usr/include/asm-generic $(OUT)/kinc/asm-generic
	@ln -sfn $(ASM_DIR) $(OUT)/kinc/asm
	@touch $@

$(OUT)/nsinit: $(SRCS) $(HDRS) $(OUT)/kinc/.done Makefile
	@echo "  CC (musl, static) $@"
	@$(MUSL_CC) $(MUSL_CFLAGS) -o $@ $(SRCS) $(MUSL_LDFLAGS)
	@echo "$@: $$(stat -c %s $@) bytes, stripped, $$(file -b $@ | grep -o 'statically linked')"

# ---- tests ---------------------------------------------------------------
# Unit tests are glibc + cmocka (no musl build of cmocka exists); they link
# the same sources, minus main.c, compiled with gcc.
HOST_OBJDIR := build/host
HOST_CFLAGS := $(CFLAGS_COMMON) -g -O1
LIB_SRCS := $(filter-out init/main.c,$(SRCS))
LIB_OBJS := $(patsubst %.c,$(HOST_OBJDIR)/%.o,$(LIB_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(HOST_OBJDIR)/%,$(UNIT_SRCS))

$(HOST_OBJDIR)/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC (host) $<"
	@gcc $(HOST_CFLAGS) -c -o $@ $<

$(HOST_OBJDIR)/libnsinit.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(HOST_OBJDIR)/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(HOST_OBJDIR)/libnsinit.a
	@echo "  CC (test) $<"
	@gcc $(HOST_CFLAGS) -Itests/unit -o $@ $< $(HOST_OBJDIR)/libnsinit.a -lcmocka

unit-bins: $(UNIT_BINS)

DEB_PACKAGES := make gcc musl-tools libcmocka-dev strace python3 iproute2 \
	util-linux procps file man-db systemd
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Cross builds: the cross gcc, musl for that architecture, and qemu-user to
# run the result (make ARCH=aarch64 / ARCH=armhf installs them on demand).
CROSS_PACKAGES_aarch64 := gcc-aarch64-linux-gnu musl-dev:arm64 qemu-user-static
CROSS_PACKAGES_armhf := gcc-arm-linux-gnueabihf musl-dev:armhf qemu-user-static
DEB_ARCH_aarch64 := arm64
DEB_ARCH_armhf := armhf
deps-cross:
ifneq ($(ARCH),$(HOST_ARCH))
	@dpkg --print-foreign-architectures | grep -qx $(DEB_ARCH_$(ARCH)) || \
		{ dpkg --add-architecture $(DEB_ARCH_$(ARCH)) && apt-get update -qq; }
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(CROSS_PACKAGES_$(ARCH))"
endif

# ---- images: qemu/mkinitramfs is the one pipeline (ARCH and a board dir);
# the kernel, toybox and mksh come from Debian through qemu/apt (a private
# apt config under build/apt) and are cached under build/.
IMAGE_PACKAGES := cpio kmod gzip xz-utils file dpkg-dev debian-archive-keyring \
	qemu-system-x86 qemu-system-arm e2fsprogs gcc musl-tools
deps-image:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(IMAGE_PACKAGES)"
	@$(MAKE) --no-print-directory deps-cross ARCH=aarch64

# make initramfs ARCH=x86_64|aarch64 -> build/ARCH/initramfs.cpio.gz, vmlinuz
initramfs: deps-image
	@$(MAKE) --no-print-directory all ARCH=$(ARCH)
	qemu/mkinitramfs $(ARCH) qemu/virt build/$(ARCH)

images:
	@$(MAKE) --no-print-directory initramfs ARCH=x86_64
	@$(MAKE) --no-print-directory initramfs ARCH=aarch64

# make sdcard -> build/rpi/sdcard.img (+ .bmap): the same pipeline with
# board/rpi and ARCH=aarch64, then board/rpi/mksdcard lays out the card.
SDCARD_PACKAGES := mtools dosfstools fdisk e2fsprogs bmap-tools
sdcard: deps-image
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(SDCARD_PACKAGES)"
	@$(MAKE) --no-print-directory all ARCH=aarch64
	qemu/mkinitramfs aarch64 board/rpi build/rpi
	board/rpi/mksdcard build/rpi

# make vm CMD='...' [ARCH=aarch64] [VM_OPTS='--rw --net ...']: CMD in a
# fresh VM of the image (built if missing) through qemu/nsinit-vm, the
# current directory shared; no CMD: a shell. make's own status is 2 when
# CMD fails: qemu/nsinit-vm itself exits with CMD's status.
vm: deps-image
	@test -f build/$(ARCH)/initramfs.cpio.gz || $(MAKE) --no-print-directory initramfs ARCH=$(ARCH)
	@qemu/nsinit-vm --arch $(ARCH) $(VM_OPTS) -- $(CMD)

# The VM benchmarks alone (tests/bench/vm_roundtrip.sh, boot_time.sh):
# BusyBox is Debian's busybox-static, fetched by tests/bench/busybox.
bench-vm: images
	tests/bench/vm_roundtrip.sh
	tests/bench/boot_time.sh

# The boot tests (tests/boot/*.sh) alone: both images under QEMU (TCG).
qemu-test: images
	UNIT_DIR=build/no-unit-tests TESTS=tests/boot/ tests/run

# The card's layout, and its kernel, initramfs and DTB booted in raspi3b.
rpi-test: sdcard
	UNIT_DIR=build/no-unit-tests TESTS=tests/boot/rpi tests/run

# The container engines tests/integration/runtimes.sh runs nsinit under
# (Debian's Docker engine, Podman, runc) and the image's userland. Where
# they cannot be installed, check still runs: those tests skip.
ENGINE_PACKAGES := docker.io podman runc busybox-static libc6-dev
deps-engines:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(ENGINE_PACKAGES)" || \
		echo "deps-engines: not installed; the container-runtime tests will skip"

# tests/run also runs the container-mode tests on build/aarch64/nsinit and
# build/armhf/nsinit under qemu-user (deps-cross installs it).
check: deps deps-engines deps-fuzz
	$(MAKE) all unit-bins fuzz-bins
	$(MAKE) all ARCH=armhf
	$(MAKE) images sdcard
	tests/run

# ---- sanitizers: every unit and integration test once more, against a
# glibc build of nsinit and the unit tests with ASan and UBSan; a report
# from either fails the run (tests/sanitize). Not part of check: it doubles
# the time.
SAN_DIR := build/asan
# UBSan recovers and goes on: its reports only reach log_path that way.
SAN_FLAGS := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer

$(SAN_DIR)/nsinit: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC (glibc, ASan+UBSan) $@"
	@gcc $(CFLAGS_COMMON) $(SAN_FLAGS) -o $@ $(SRCS)

sanitize: deps all $(SAN_DIR)/nsinit
	@$(MAKE) --no-print-directory unit-bins HOST_OBJDIR=$(SAN_DIR) \
		HOST_CFLAGS="$(CFLAGS_COMMON) $(SAN_FLAGS)"
	tests/sanitize $(SAN_DIR)

# ---- valgrind: the supervisor's integration tests with PID 1 and ctl under
# memcheck (--leak-check=full --track-fds=yes), on a glibc build without
# sanitizers (tests/valgrind). Not part of check: it is slow.
VG_DIR := build/valgrind

$(VG_DIR)/nsinit.bin: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC (glibc, for valgrind) $@"
	@gcc $(CFLAGS_COMMON) -g -O1 -o $@ $(SRCS)

valgrind: deps all $(VG_DIR)/nsinit.bin
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="valgrind"
	tests/valgrind $(VG_DIR)

# ---- soak: a supervisor under crash loops, restarts, stops and control
# traffic for SOAK_MINUTES (10); RSS, fds and CPU each minute must not grow.
soak: deps all
	SOAK_MINUTES=$(or $(SOAK_MINUTES),10) tests/soak

# ---- fault injection: the same glibc build with tests/fault/shim.so
# preloaded, one system call failing on purpose in PID 1 at a time
# (tests/fault/faults.sh; the table is tests/fault/README.md). Not in check.
FAULT_SHIM := build/fault/shim.so

$(FAULT_SHIM): tests/fault/shim.c
	@mkdir -p $(dir $@)
	@echo "  CC (shim) $@"
	@gcc -shared -fPIC -O1 -Wall -Wextra -Werror -o $@ $< -ldl

fault: deps all $(VG_DIR)/nsinit.bin $(FAULT_SHIM)
	@bash tests/integration/lib.sh tests/fault/faults.sh | tee build/fault/results; \
		! grep -q '^FAIL' build/fault/results

# ---- fuzzing: every parser of outside input under libFuzzer with ASan and
# UBSan, one target per tests/fuzz/*_fuzz.c. The sources are built once
# more with clang into an archive the targets link; a target that needs a
# module's static functions includes its .c and renames what it calls.
# `make fuzz` runs each for FUZZ_SECONDS; `make check` runs a short pass and
# replays tests/fuzz/crashes/ (tests/integration/fuzz.sh). Findings land in
# build/fuzz/NAME/ as crash-*, leak-* or timeout-* files to replay.
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/*_fuzz.c)))
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/bin/,$(FUZZ_TARGETS))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinit -Iconfig -g -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRCS))

deps-fuzz:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="clang libclang-rt-14-dev"

$(FUZZ_DIR)/obj/%.o: %.c $(HDRS) Makefile | deps-fuzz
	@mkdir -p $(dir $@)
	@echo "  CC (clang, fuzz) $<"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libnsinit.a: $(FUZZ_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(FUZZ_DIR)/bin/%_fuzz: tests/fuzz/%_fuzz.c $(FUZZ_DIR)/libnsinit.a $(SRCS)
	@mkdir -p $(dir $@)
	@echo "  CC (clang, libFuzzer) $@"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libnsinit.a

fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-bins
	@rc=0; for t in $(FUZZ_TARGETS); do \
		tests/fuzz/run $(FUZZ_DIR)/bin/$$t $(FUZZ_SECONDS) || rc=1; \
	done; exit $$rc

demo: deps
	@$(MAKE) --no-print-directory initramfs ARCH=x86_64
	qemu/demo

# ---- benchmarks: not part of check (several minutes; figures, not tests).
# tests/bench/run runs every tests/bench/row-*.sh and prints the table,
# build/bench/results.json and build/bench/ratios.svg (tests/bench/README.md).
BENCH_PACKAGES := tini dumb-init catatonit busybox-static bubblewrap gnuplot-nox \
	strace python3 util-linux dpkg-dev
BENCH_TOOLS := $(patsubst tests/bench/%.c,build/bench/bin/%,$(wildcard tests/bench/*.c))

build/bench/bin/%: tests/bench/%.c build/kinc/.done
	@mkdir -p $(dir $@)
	@echo "  CC (musl, static) $@"
	@musl-gcc -std=c11 -D_GNU_SOURCE $(WARN) -Os -static -isystem build/kinc -o $@ $<

# The same build as build/nsinit, unstripped: where the bytes go.
build/bench/nsinit.unstripped: $(SRCS) $(HDRS) build/kinc/.done Makefile
	@mkdir -p $(dir $@)
	@$(MUSL_CC) $(MUSL_CFLAGS) -o $@ $(SRCS) $(filter-out -s,$(MUSL_LDFLAGS))

bench: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BENCH_PACKAGES)"
	@$(MAKE) --no-print-directory all $(BENCH_TOOLS) build/bench/nsinit.unstripped
	tests/bench/build-peers.sh
	@$(MAKE) --no-print-directory images # rows 8 and 9 boot them
	tests/bench/run

clean:
	rm -rf build

.PHONY: all deps deps-cross deps-engines check demo clean unit-bins fuzz sanitize \
	deps-fuzz fuzz-bins valgrind fault soak \
	deps-image initramfs images qemu-test sdcard rpi-test bench vm bench-vm
