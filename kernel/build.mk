# kernel/ — the freestanding x86-64 kernel, linked at PXOS_KERNEL_VBASE.
KERNEL_ELF := $(BUILD)/kernel.elf

# Required: freestanding, no SSE/x87 (no FPU state to save), no red zone
# (interrupts), kernel code model (top 2 GiB), frame pointers (backtraces).
KERNEL_REQ := $(WARN_REQ) -ffreestanding -fno-stack-protector -fno-stack-check \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-I. -MMD -MP -DPXOS_KERNEL=1

# The portable code: compiled freestanding into the kernel and hosted into the
# tools (pxsim, pxbench), the tests and the VM fuzz target.
KERNEL_PORTABLE_SRC := kernel/vram.c kernel/vram_watch.c
PORTABLE_SRC        := $(PXVM_SRC) $(KERNEL_PORTABLE_SRC) $(DRIVERS_HOST_SRC)
PORTABLE_HOST_OBJ   := $(call host_obj,$(PORTABLE_SRC))

KERNEL_C_SRC := kernel/main.c kernel/lib.c boot/fmt.c kernel/klog.c \
	kernel/console.c kernel/gdt.c kernel/idt.c kernel/trap.c kernel/pmm.c \
	kernel/heap.c kernel/panic.c kernel/power.c kernel/ramdisk.c \
	kernel/pngload.c kernel/pngsave.c kernel/snapshot.c kernel/monitor.c kernel/bootcheck.c kernel/cmdline.c \
	kernel/pxhost.c kernel/pymem.c kernel/irq.c kernel/input.c kernel/bridge.c kernel/persist.c kernel/serial.c kernel/clock.c kernel/hwinfo.c \
	kernel/vmm.c kernel/pagemap.c kernel/mtrr.c kernel/fbbench.c kernel/watchmon.c kernel/fpu.c \
	kernel/uartsel.c kernel/uartsel_opt.c kernel/numparse.c \
	$(KERNEL_PORTABLE_SRC) $(DRIVERS_KERNEL_SRC) $(PXVM_SRC)
# The input rings' shared arrival stamp (kernel/ring.h).
KERNEL_C_SRC += kernel/ring.c
KERNEL_ASM_SRC := kernel/entry.asm kernel/isr.asm $(DRIVERS_KERNEL_ASM)

KERNEL_OBJ := $(KERNEL_C_SRC:%.c=$(BUILD)/kernel/%.o) $(KERNEL_ASM_SRC:%.asm=$(BUILD)/kernel/%.o) \
	$(PY_KERNEL_OBJ)

# stb_sprintf's and stb_image's float paths are dead in the kernel, but gcc
# rejects them under -mgeneral-regs-only ("SSE register argument with SSE
# disabled") unless the optimiser has dropped them first: the two files that
# wrap those libraries are always optimised, after the user's KERNEL_CFLAGS,
# so `make KERNEL_CFLAGS=-O0` builds a kernel.
KERNEL_STB_WRAPPERS := boot/fmt.c kernel/pngload.c kernel/pngsave.c
$(KERNEL_STB_WRAPPERS:%.c=$(BUILD)/kernel/%.o): KERNEL_LATE_REQ := -O2

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KERNEL_REQ) $(KERNEL_CFLAGS) $(KERNEL_LATE_REQ) -c $< -o $@

$(BUILD)/kernel/%.o: %.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -g -F dwarf -I$(BUILD)/fonts/ -MD $(@:.o=.d) -MP $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJ) kernel/kernel.ld
	$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T kernel/kernel.ld \
		-o $@ $(KERNEL_OBJ)

ALL_TARGETS += $(KERNEL_ELF)

# The serial transmit ring (kernel/txring.h, portable) on the host.
UNIT_TESTS += $(BUILD)/tests/test_txring
$(BUILD)/tests/test_txring: $(BUILD)/host/tests/unit/test_txring.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Numbers in text (kernel/numparse.c, portable: the kernel's and test_uartsel's).
UNIT_TESTS += $(BUILD)/tests/test_numparse
$(BUILD)/tests/test_numparse: $(call host_obj,tests/unit/test_numparse.c kernel/numparse.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Page-table edits (kernel/pagemap.c, on tables built by the loader's
# boot/paging.c) and MTRR memory types (kernel/mtrr.c): host unit tests.
UNIT_TESTS += $(BUILD)/tests/test_pagemap $(BUILD)/tests/test_mtrr
$(BUILD)/tests/test_pagemap: $(BUILD)/host/tests/unit/test_pagemap.o $(BUILD)/host/kernel/pagemap.o \
		$(BUILD)/host/boot/paging.o $(BUILD)/host/boot/fmt.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
$(BUILD)/tests/test_mtrr: $(BUILD)/host/tests/unit/test_mtrr.o $(BUILD)/host/kernel/mtrr.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
