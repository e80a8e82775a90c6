# drivers/ — hardware drivers (kernel only) and portable drawing code (fb, font:
# also built for the host runner and tests).
DRIVERS_KERNEL_SRC := drivers/uart16550.c drivers/acpi.c drivers/timer.c drivers/pic8259.c \
	drivers/pit.c drivers/ps2kbd.c drivers/kbdmap.c drivers/fb.c drivers/font.c
DRIVERS_KERNEL_ASM := drivers/font_data.asm
DRIVERS_KERNEL_SRC += drivers/hwrng.c drivers/spcr.c drivers/debugcon.c
DRIVERS_KERNEL_SRC += drivers/pci.c drivers/pci_host.c
DRIVERS_HOST_SRC   := drivers/fb.c drivers/font.c
DRIVERS_HOST_OBJ   := $(DRIVERS_HOST_SRC:%.c=$(BUILD)/host/%.o) $(BUILD)/host/drivers/font_data.o

FONT_DIR := /usr/share/consolefonts
FONT_PSF := $(BUILD)/fonts/terminus16.psf $(BUILD)/fonts/terminus32.psf

$(BUILD)/fonts/terminus16.psf: $(FONT_DIR)/Lat15-Terminus16.psf.gz
	@mkdir -p $(@D)
	gzip -dc $< > $@
$(BUILD)/fonts/terminus32.psf: $(FONT_DIR)/Lat15-Terminus32x16.psf.gz
	@mkdir -p $(@D)
	gzip -dc $< > $@

$(BUILD)/kernel/drivers/font_data.o $(BUILD)/host/drivers/font_data.o: $(FONT_PSF)
$(BUILD)/host/drivers/font_data.o: drivers/font_data.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -I$(BUILD)/fonts/ $< -o $@

# Framebuffer and font unit tests.
UNIT_TESTS += $(BUILD)/tests/test_fb
$(BUILD)/tests/test_fb: $(BUILD)/host/tests/unit/test_fb.o $(DRIVERS_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Keyboard scancode decoder unit tests.
UNIT_TESTS += $(BUILD)/tests/test_kbdmap
$(BUILD)/tests/test_kbdmap: $(BUILD)/host/tests/unit/test_kbdmap.o $(BUILD)/host/drivers/kbdmap.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# PCI enumeration, BARs, capabilities and MCFG on a fake configuration space.
UNIT_TESTS += $(BUILD)/tests/test_pci
$(BUILD)/tests/test_pci: $(BUILD)/host/tests/unit/test_pci.o $(BUILD)/host/drivers/pci.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Serial ports (ASan and UBSan on: these parse firmware tables and options):
# the 16550 driver on a register model, SPCR/DBG2 parsing, the serial= option.
SERIAL_TEST_REQ := $(WARN_REQ) -I. -D_DEFAULT_SOURCE -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_TESTS += $(BUILD)/tests/test_uart $(BUILD)/tests/test_spcr $(BUILD)/tests/test_uartsel
$(BUILD)/tests/test_uart: tests/unit/test_uart.c drivers/uart16550.c drivers/uart16550.h drivers/portio.h
$(BUILD)/tests/test_spcr: tests/unit/test_spcr.c drivers/spcr.c drivers/spcr.h pxvm/port.h
$(BUILD)/tests/test_uartsel: tests/unit/test_uartsel.c kernel/uartsel_opt.c kernel/uartsel.h boot/bootinfo.h
$(BUILD)/tests/test_uart $(BUILD)/tests/test_spcr $(BUILD)/tests/test_uartsel:
	@mkdir -p $(@D)
	$(HOSTCC) $(SERIAL_TEST_REQ) $(HOST_CFLAGS) $(filter %.c,$^) -o $@ -lcmocka
