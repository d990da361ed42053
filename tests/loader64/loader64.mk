# loader64: the minimal Multiboot-started 64-bit loader of tests/boot/entry64.sh.
#
#   build/loader64/loader64.bin   flat, loaded by QEMU -kernel at 1 MiB
#   build/loader64/loader64-la57.bin  the same, entering in 5-level paging
#                                 when the CPU has LA57 (tests/boot/la57.sh)
#
# Built from C at -m64 and linked below 2 GiB (-mcmodel=small, no PIE);
# lib/mem.c (freestanding build) supplies the mem* the compiler may call.

LOADER64_CFLAGS := -std=gnu11 $(WARN) -O2 $(LIB_INC) -ffreestanding -fno-pie -fno-pic -mcmodel=small \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mno-red-zone -fno-stack-protector \
	-fno-asynchronous-unwind-tables

$(B)/loader64/entry.o: tests/loader64/entry.S
	@mkdir -p $(dir $@)
	$(CC) -MMD -MP -c $< -o $@

$(B)/loader64/%.o: tests/loader64/%.c tests/loader64/loader64.h lib/kernel/bootparam.h lib/kd.h
	@mkdir -p $(dir $@)
	$(CC) $(LOADER64_CFLAGS) -MMD -MP -c $< -o $@

$(B)/loader64/entry-la57.o: tests/loader64/entry.S
	@mkdir -p $(dir $@)
	$(CC) -DLOADER_LA57 -MMD -MP -c $< -o $@

# One rule for both: % is "." or "-la57.", which picks the entry object.
$(B)/loader64/loader64%bin: $(B)/loader64/entry%o $(B)/loader64/loader.o $(B)/loader64/hostile.o $(B)/free/lib/mem.o tests/loader64/loader.lds
	ld -static -nostdlib -z noexecstack --no-warn-rwx-segments -T tests/loader64/loader.lds \
		-o $(B)/loader64/loader64$*elf $(filter %.o,$^)
	objcopy -O binary $(B)/loader64/loader64$*elf $@

.PHONY: loader64
loader64: $(B)/loader64/loader64.bin $(B)/loader64/loader64-la57.bin
