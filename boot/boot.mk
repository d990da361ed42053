# The boot stub: one image per format, each linking only its own decoder.
#
#   build/boot/setup.bin        the real-mode sectors (boot/setup.S)
#   build/boot/head.bin         startup_32, startup_64, self-relocation (boot/head_64.S)
#   build/boot/main-FMT.bin     main: the relocated code, extract_kernel, the FMT decoder
#   build/boot/blobs.o          all of them, linked into kdecomp for `pack`
#
# Main is linked as a PIE and must come out with no run-time relocations
# (boot/main.lds.S asserts it): the stub applies none to itself.

BOOT_FORMATS := gzip bzip2 lzma xz lzo lz4 zstd
# Each stub's heap (its .bss): kd_FMT_heap_size(), the decoder's worst case,
# rounded up; lzma's worst case (lc=8, lp=4: 6 MiB) is far beyond what
# Linux's lc=3 needs (16 KiB), so its stub takes 64 KiB, which covers every
# lc + lp <= 4 (the .lzma files xz and Linux write).  pack decodes each
# payload with exactly the stub's heap and refuses one that needs more.
HEAP_gzip  := 0x4000
HEAP_bzip2 := 0x378000
HEAP_lzma  := 0x10000
HEAP_xz    := 0x8000
HEAP_lzo   := 0x40
HEAP_lz4   := 0x40
HEAP_zstd  := 0x25000

# -MMD -MP: every object depends on the headers it includes (lib/'s too: a
# struct that grows in lib/kd.h must rebuild the stub's callers of it).
BOOT_CFLAGS := $(FREE_CFLAGS) -Iboot -DBOOT_STACK_SIZE=0x10000 -MMD -MP
BOOT_C_COMMON := cmdline.c uart.c report.c idt.c ident_map.c kaslr.c efi.c efi_initrd.c efi_video.c
BOOT_ASFLAGS := -Iboot $(LIB_INC) -DBOOT_STACK_SIZE=0x10000 -MMD -MP

$(B)/boot/%.o: boot/%.S boot/layout.h boot/head_plan.h
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_ASFLAGS) -c $< -o $@

$(B)/boot/%.o: boot/%.c boot/boot.h boot/layout.h boot/efi.h
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_CFLAGS) -c $< -o $@

$(B)/boot/extract-%.o: boot/extract.c boot/boot.h boot/layout.h
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_CFLAGS) -DHEAP_SIZE=$(HEAP_$*) -DSTUB_DECODE=kd_$*_decode -c $< -o $@

$(B)/boot/main-%.lds: boot/main.lds.S boot/layout.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLER__ -DLINKER_SCRIPT -DHEAP_SIZE=$(HEAP_$*) -Iboot $(LIB_INC) -MMD -MP -MT $@ -MF $@.d $< -o $@

$(B)/boot/setup.bin: $(B)/boot/setup.o boot/setup.lds
	ld -T boot/setup.lds -o $(B)/boot/setup.elf $<
	objcopy -O binary $(B)/boot/setup.elf $@

$(B)/boot/head.bin: $(B)/boot/head_64.o boot/head.lds
	ld -T boot/head.lds -o $(B)/boot/head.elf $<
	objcopy -O binary $(B)/boot/head.elf $@

BOOT_MAIN_OBJ := $(B)/boot/main_64.o $(B)/boot/idt_handlers_64.o $(B)/boot/paging_64.o $(BOOT_C_COMMON:%.c=$(B)/boot/%.o)
$(B)/boot/main-%.bin: $(BOOT_MAIN_OBJ) $(B)/boot/extract-%.o $(B)/libkdecomp-free.a $(B)/boot/main-%.lds
	ld -pie --no-dynamic-linker -z noexecstack -z norelro --no-warn-rwx-segments --no-undefined -T $(B)/boot/main-$*.lds \
		-o $(B)/boot/main-$*.elf $(BOOT_MAIN_OBJ) $(B)/boot/extract-$*.o $(B)/libkdecomp-free.a
	objcopy -O binary -j .head -j .text -j .rodata -j .data $(B)/boot/main-$*.elf $@
	@printf '  stub %-6s %7d bytes of code and data, %8d bytes in memory\n' $* \
		$$(stat -c %s $@) $$(printf '%d' 0x$$(nm $(B)/boot/main-$*.elf | awk '$$3 == "_end" { print $$1 }'))

STUB_BINS := $(B)/boot/setup.bin $(B)/boot/head.bin $(BOOT_FORMATS:%=$(B)/boot/main-%.bin)
STUB_BLOBS_OBJ := $(B)/boot/blobs.o
$(STUB_BLOBS_OBJ): $(STUB_BINS)
	cd $(B)/boot && ld -r -b binary -z noexecstack -o blobs.o $(notdir $(STUB_BINS))

.PHONY: stubs
stubs: $(STUB_BINS)
