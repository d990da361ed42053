# The test kernel: a small relocatable x86-64 ELF laid out like Linux's
# vmlinux, booted by tests/boot/testkernel.sh and `make demo`.
#
#   build/tests/kernel.elf   linked at 0xffffffff81000000 (physical 16 MiB)
#                            with --emit-relocs, so `kdecomp pack` can
#                            generate its relocation table
#
# The C is position-independent (-fPIE, hidden symbols: every reference is
# %rip-relative, no GOT) because it starts identity-mapped wherever the
# stub put it; the only absolute references are the probes in probes.S.

TESTKERNEL_CFLAGS := -include lib/hidden.h -std=gnu11 $(WARN) -O2 -g $(LIB_INC) -Itests/kernel -ffreestanding -fPIE \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mno-red-zone -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-jump-tables -fno-common
TESTKERNEL_OBJ := $(addprefix $(B)/tests/kernel/,head.o probes.o main.o relocs.o paging.o serial.o) \
	$(B)/free/lib/mem.o

$(B)/tests/kernel/%.o: tests/kernel/%.S tests/kernel/kernel.h
	@mkdir -p $(dir $@)
	$(CC) -Itests/kernel -MMD -MP -c $< -o $@

$(B)/tests/kernel/%.o: tests/kernel/%.c tests/kernel/kernel.h lib/kernel/bootparam.h lib/kd.h
	@mkdir -p $(dir $@)
	$(CC) $(TESTKERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/tests/kernel/kernel.lds: tests/kernel/kernel.lds.S tests/kernel/kernel.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLER__ -Itests/kernel $< -o $@

$(B)/tests/kernel.elf: $(TESTKERNEL_OBJ) $(B)/tests/kernel/kernel.lds
	ld -static -nostdlib --emit-relocs -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
		-T $(B)/tests/kernel/kernel.lds -o $@ $(TESTKERNEL_OBJ)

.PHONY: testkernel
testkernel: $(B)/tests/kernel.elf
