# kdecomp: the x86-64 Linux decompression stage, its seven decoders and the CLI.
#
#   make            host library, the kdecomp CLI and the boot stubs
#   make check      every test (unit, differential, real kernels, QEMU boots)
#   make check-kernels  every Debian release's kernels in every format, booted
#   make bench      decoders against the reference libraries, in one run
#   make bench-cli  `kdecomp decompress` and extract against the reference tools, whole processes
#   make bench-preboot  the stub's decoders against Linux's own preboot decoders
#   make fuzz       each fuzz target for a short while (clang, ASan+UBSan)
#   make fuzz-long FUZZ_TIME=3600   each fuzz target for an hour (fuzz/README.md)
#   make demo       pack the test kernel in every format and boot it in QEMU
#   make deps       install the Debian packages all of the above need
#   make install PREFIX=/usr/local   the CLI, man page, bash completion, kernel hook
#   make deb        the Debian package, build/deb/kdecomp_<version>_amd64.deb
#
# lib/ is compiled twice: build/host/ (for the CLI, tests, benchmarks) and
# build/free/ (freestanding, for the stub).  `make` proves the freestanding
# objects need nothing outside lib/ by linking them with no libc at all.

CC       ?= cc
PREFIX   ?= /usr/local
B        := build
SAN      ?=
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
# lib/ by concern: decode/ (a folder per format family with layers), check/
# (CRCs and hashes), kernel/ (boot protocol, bzImage, ELF, relocations,
# kallsyms, KASLR, page tables); kd.h, the heap and mem* at its root.
LIB_DIRS := lib lib/check lib/kernel lib/decode $(patsubst %/,%,$(wildcard lib/decode/*/))
LIB_INC  := $(LIB_DIRS:%=-I%)
HOST_CFLAGS := -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) $(SAN) $(LIB_INC)
HOST_LDFLAGS := $(SAN) $(LDFLAGS)
REF_LIBS := -llz4 -lz -ldeflate -llzma -lbz2 -llzo2 -lzstd

# The freestanding flags, each for a reason:
#   -ffreestanding: no libc; lib/mem.c supplies mem*, and
#     -fno-tree-loop-distribute-patterns keeps GCC from turning its loops
#     back into calls to them.
#   -fPIE, -include lib/hidden.h: the stub runs wherever it was loaded and
#     copied; with every symbol hidden, references are RIP-relative and the
#     link has no run-time relocations or GOT (boot/main.lds.S checks).
#   -fno-jump-tables: a switch's table would hold absolute addresses.
#   -mno-sse -mno-mmx -mno-80387: no FPU state is set up before the kernel.
#   -mno-red-zone: exception handlers run on the interrupted stack.
#   -fno-stack-protector, no sanitizers: there is no runtime to back them.
FREE_CFLAGS := -include lib/hidden.h -std=gnu11 $(WARN) -O2 -g $(LIB_INC) -ffreestanding \
	-fPIE -mno-sse -mno-sse2 -mno-mmx -mno-80387 -mno-red-zone \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fno-jump-tables -fno-tree-loop-distribute-patterns

LIB_SRC   := $(wildcard $(LIB_DIRS:%=%/*.c))
HOST_LIB_SRC := $(filter-out lib/mem.c,$(LIB_SRC))
HOST_LIB_OBJ := $(HOST_LIB_SRC:%.c=$(B)/host/%.o)
FREE_LIB_OBJ := $(LIB_SRC:%.c=$(B)/free/%.o)
TOOL_SRC  := $(wildcard tools/*.c)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(B)/host/%.o)
TEST_SRC  := $(wildcard tests/*.c)
# tests/*.S: the stub's assembly macros wrapped as host functions, to test them against the plan
TEST_ASM  := $(wildcard tests/*.S)
TEST_OBJ  := $(TEST_SRC:%.c=$(B)/host/%.o) $(TEST_ASM:%.S=$(B)/host/%.o)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/host/%.o)
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)

# The version has one source, debian/changelog's first line; the commit is
# git's (with -dirty for uncommitted changes), or empty outside a checkout.
# `make deb` builds from a copy of the tree and passes the commit in.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
KDECOMP_COMMIT ?= $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && \
	{ git diff --quiet HEAD 2>/dev/null || c=$$c-dirty; echo $$c; })

.PHONY: all check check-unit check-boot check-pkg check-kernels check-configs check-efi-full kernels \
	kernels-all configs bench bench-boot bench-cli bench-preboot fuzz fuzz-long demo deps install deb clean \
	freestanding-check FORCE
all: $(B)/kdecomp freestanding-check stubs

-include boot/boot.mk

# Keep the objects of pattern chains (boot/*.o): rebuilding them every time is waste.
.SECONDARY:
-include tests/loader64/loader64.mk
-include tests/kernel/kernel.mk

$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/host/tests/%.o: tests/%.S
	@mkdir -p $(dir $@)
	$(CC) -Iboot $(LIB_INC) -MMD -MP -c $< -o $@

$(B)/free/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(FREE_CFLAGS) -MMD -MP -c $< -o $@

# Rewritten only when the version or commit changed, so main.o rebuilds only then.
$(B)/version.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define KDECOMP_VERSION "%s"\n#define KDECOMP_COMMIT "%s"\n' '$(VERSION)' '$(KDECOMP_COMMIT)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(B)/host/tools/main.o: $(B)/version.h
$(B)/host/tools/main.o: HOST_CFLAGS += -I$(B)

$(B)/libkdecomp.a: $(HOST_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libkdecomp-free.a: $(FREE_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# Link every freestanding object into one image with no libc: any symbol
# lib/ takes from outside itself is an undefined-symbol error here.
freestanding-check: $(B)/free/linkcheck
$(B)/free/linkcheck: $(FREE_LIB_OBJ)
	ld -pie --no-dynamic-linker -e 0 -z noexecstack --no-undefined -o $@ $^

$(B)/kdecomp: $(TOOL_OBJ) $(B)/libkdecomp.a $(STUB_BLOBS_OBJ)
	$(CC) $(HOST_LDFLAGS) -o $@ $(TOOL_OBJ) $(STUB_BLOBS_OBJ) $(B)/libkdecomp.a $(REF_LIBS)

$(B)/tests/run: $(TEST_OBJ) $(B)/libkdecomp.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $(TEST_OBJ) $(B)/libkdecomp.a $(REF_LIBS)

BENCH_SHARED_OBJ := $(B)/host/tests/util.o $(B)/host/tests/corpus.o
$(B)/bench/run: $(BENCH_OBJ) $(BENCH_SHARED_OBJ) $(B)/libkdecomp.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $(BENCH_OBJ) $(BENCH_SHARED_OBJ) $(B)/libkdecomp.a $(REF_LIBS)

# The unit and differential tests; real kernels come from the cache that
# scripts/fetch-kernels.sh fills (tests that need one fail if it is missing
# and KDECOMP_REQUIRE_KERNELS=1, as in CI).
check-unit: $(B)/tests/run $(B)/kdecomp $(B)/tests/kernel.elf kernels
	$(B)/tests/run

# Real kernels through our stub under QEMU: every format, the loaders (BIOS and
# UEFI), KASLR.
check-boot: all $(B)/loader64/loader64.bin $(B)/loader64/loader64-la57.bin $(B)/tests/kernel.elf
	tests/boot/formats.sh
	tests/boot/releases.sh
	tests/boot/testkernel.sh
	tests/boot/kaslr.sh
	tests/boot/predict.sh
	tests/boot/la57.sh
	tests/boot/entry64.sh
	tests/boot/hostile.sh
	tests/boot/grub.sh
	tests/boot/errors.sh
	tests/boot/vga.sh
	tests/boot/efi-stub.sh
	tests/boot/efi.sh

# Every UEFI loader with Debian's cloud kernel and ours in lz4, zstd and xz,
# at 1G and 8G (make check runs a chosen part of it): about 40 boots.
check-efi-full: all
	EFI_FULL=1 tests/boot/efi.sh

# Kernels built from linux-source-6.1 in tests/configs/ (not relocatable,
# linked at 2 or 64 MiB, 16 MiB alignment, no 5-level, no KASLR), each packed
# in every format and booted: the builds take most of an hour the first time.
check-configs: all $(B)/loader64/loader64.bin $(B)/loader64/loader64-la57.bin
	tests/boot/configs.sh

# One after the other: the QEMU boots want the cores to themselves.
check: all kernels
	$(MAKE) check-unit
	$(MAKE) check-pkg
	$(MAKE) check-boot

# Small kernels built from linux-source-6.1 in the configurations of
# tests/configs/ (relocatable or not, linked at 2, 16 or 64 MiB, with and
# without 5-level paging or KASLR), into ~/.cache/kdecomp/configs once;
# tests/boot/configs.sh runs this itself.
configs:
	scripts/build-kernels.sh

# Debian's current generic (xz), cloud (lz4) and rt kernels, and the cloud
# kernel's unstripped vmlinux (the -dbg package) and its signed image
# package (for the kernel hook test), into ~/.cache/kdecomp once;
# the cloud kernels of bullseye (5.10), trixie (6.12) and unstable (7.x),
# with bullseye's and unstable's -dbg vmlinux; their generic kernels for
# check-kernels.
kernels:
	scripts/fetch-kernels.sh generic cloud rt dbg-cloud deb-cloud bullseye:cloud trixie:cloud unstable:cloud \
		bullseye:dbg-cloud unstable:dbg-cloud
kernels-all: kernels
	scripts/fetch-kernels.sh bullseye:generic trixie:generic unstable:generic

# Every Debian release's generic and cloud kernel, repacked in all seven formats, booted.
check-kernels: all kernels-all
	RELEASES=all tests/boot/releases.sh

demo: all $(B)/tests/kernel.elf
	scripts/demo.sh

bench: $(B)/bench/run kernels
	$(B)/bench/run $(BENCH)

bench-boot: all
	bench/boot-time.sh

# Whole commands as users run them (RUNS alternating rounds, medians).
RUNS ?= 5
$(B)/bench/measure: bench/cli/measure.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -o $@ $<
bench-cli: $(B)/kdecomp $(B)/bench/measure
	bench/cli/cli.sh $(RUNS)

# Linux's own preboot decoders, built from Debian's linux-source-6.1 at bench time, against the stub's.
bench-preboot: $(B)/kdecomp $(B)/libkdecomp-free.a
	bench/preboot/preboot.sh $(RUNS)

# Fuzzing (fuzz/README.md): libFuzzer with ASan+UBSan, every buffer between
# guard pages.  lib/ is compiled once for all targets; fuzz_diff also links
# pack's compressors and the reference libraries it compares against.
#   make fuzz                      each target for FUZZ_TIME seconds (20)
#   make fuzz-long FUZZ_TIME=3600  each target for an hour; logs in build/fuzz/log-*
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS := -std=gnu11 -g -O1 $(LIB_INC) -Ifuzz -Itools $(FUZZ_SAN)
FUZZ_TIME ?= 20
FUZZ_TARGETS := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%)
FUZZ_LIB_OBJ := $(HOST_LIB_SRC:%.c=$(B)/fuzz/obj/%.o) $(B)/fuzz/obj/fuzz/guard.o $(B)/fuzz/obj/fuzz/harness.o
FUZZ_EXTRA_fuzz_diff := $(B)/fuzz/obj/tools/compress.o $(B)/fuzz/obj/tools/util.o
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(B)/fuzz/%: $(B)/fuzz/obj/fuzz/%.o $(FUZZ_LIB_OBJ) $(B)/fuzz/obj/tools/compress.o $(B)/fuzz/obj/tools/util.o
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_EXTRA_$*) $(FUZZ_LIB_OBJ) $(REF_LIBS)
fuzz: $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do fuzz/run.sh $$(basename $$f) $(FUZZ_TIME) || exit 1; done
fuzz-long: fuzz

deps:
	scripts/deps.sh

SYSCONFDIR ?= /etc
install: all
	install -D -m 755 $(B)/kdecomp $(DESTDIR)$(PREFIX)/bin/kdecomp
	install -D -m 644 docs/kdecomp.1 $(DESTDIR)$(PREFIX)/share/man/man1/kdecomp.1
	install -D -m 644 docs/kdecomp-kernel-hook.8 $(DESTDIR)$(PREFIX)/share/man/man8/kdecomp-kernel-hook.8
	install -D -m 644 scripts/completion/kdecomp $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kdecomp
	install -D -m 755 scripts/kernel-hook/kdecomp-kernel-hook $(DESTDIR)$(PREFIX)/sbin/kdecomp-kernel-hook
	install -D -m 755 scripts/kernel-hook/postinst $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/kdecomp
	install -D -m 755 scripts/kernel-hook/postrm $(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d/kdecomp
	install -D -m 644 scripts/kernel-hook/default $(DESTDIR)$(SYSCONFDIR)/default/kdecomp

# The package, built by dpkg-buildpackage from a copy of the tree (its
# clean step would otherwise empty this build directory).
DEB := $(B)/deb/kdecomp_$(VERSION)_amd64.deb
deb: $(DEB)
$(DEB): FORCE
	rm -rf $(B)/deb && mkdir -p $(B)/deb/src
	{ git ls-files --cached --others --exclude-standard 2>/dev/null || \
	  find . -path ./$(B) -prune -o -path ./.git -prune -o -type f -print; } | \
	  while read -r f; do [ -e "$$f" ] && printf '%s\n' "$$f"; done | \
	  tar -cf - -T - | tar -xf - -C $(B)/deb/src
	cd $(B)/deb/src && KDECOMP_COMMIT='$(KDECOMP_COMMIT)' dpkg-buildpackage -us -uc -b
	lintian --fail-on error $@

# The package installed into scratch roots: the CLI from it, and the kernel hook.
check-pkg: $(DEB)
	tests/pkg/install.sh $(DEB)
	tests/pkg/completion.sh
	tests/pkg/kernel-hook.sh $(DEB)

clean:
	rm -rf $(B)

# (not $(B)/deb: the package's own build tree, whose /etc/kernel/*.d are directories)
# The compiler writes the .d files (-MMD); no rule makes them.  Without this empty
# rule make tries to remake each from a .d.o by its built-in link rule, which
# boot/boot.mk's extract-%.o pattern then "builds" (extract-lz4.d.d.o, ...).
%.d: ;
-include $(shell find $(B) -path $(B)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
