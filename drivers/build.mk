# drivers/ — hardware drivers (kernel only; the UART also in the loader) and
# portable drawing code (fb, font: also built for the host runner and tests).
DRIVERS_LOADER_SRC   := drivers/uart16550.c
DRIVERS_PORTABLE_SRC := drivers/fb.c drivers/font.c
DRIVERS_PORTABLE_ASM := drivers/font_data.asm
# USB (xHCI, devices, hubs, HID boot keyboards); the descriptor parser, TRB
# rings, capability walk and report decoder are portable (unit-tested on the host).
DRIVERS_USB_PURE_SRC := drivers/usb_desc.c drivers/xhci_ring.c drivers/xhci_caps.c drivers/hid_boot.c
DRIVERS_USB_SRC      := $(DRIVERS_USB_PURE_SRC) drivers/xhci.c drivers/xhci_xfer.c drivers/usb.c \
	drivers/usb_hub.c drivers/usb_kbd.c drivers/usb_info.c
DRIVERS_KERNEL_SRC   := $(DRIVERS_LOADER_SRC) drivers/acpi.c drivers/timer.c drivers/pic8259.c \
	drivers/pit.c drivers/ps2kbd.c drivers/kbdmap.c drivers/hwrng.c drivers/pci.c drivers/pci_host.c \
	drivers/spcr.c drivers/debugcon.c \
	drivers/timer_pick.c drivers/rtc.c drivers/hpet.c drivers/lapic.c drivers/madt.c drivers/ioapic.c drivers/mmio.c \
	$(DRIVERS_USB_SRC) $(DRIVERS_PORTABLE_SRC)
DRIVERS_KERNEL_ASM   := $(DRIVERS_PORTABLE_ASM)
DRIVERS_HOST_SRC     := $(DRIVERS_PORTABLE_SRC) $(DRIVERS_PORTABLE_ASM)
DRIVERS_HOST_OBJ     := $(call host_obj,$(DRIVERS_HOST_SRC))

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

# Serial ports: the 16550 driver on a register model, SPCR/DBG2 parsing with
# hostile tables, the serial= option and the memory-map check.
UNIT_TESTS += $(BUILD)/tests/test_uart $(BUILD)/tests/test_spcr $(BUILD)/tests/test_uartsel
$(BUILD)/tests/test_uart: $(call host_obj,tests/unit/test_uart.c drivers/uart16550.c)
$(BUILD)/tests/test_spcr: $(call host_obj,tests/unit/test_spcr.c drivers/spcr.c)
$(BUILD)/tests/test_uartsel: $(call host_obj,tests/unit/test_uartsel.c kernel/uartsel_opt.c kernel/numparse.c)
$(BUILD)/tests/test_uart $(BUILD)/tests/test_spcr $(BUILD)/tests/test_uartsel:
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Timekeeping and interrupt-controller table parsing unit tests.
UNIT_TESTS += $(BUILD)/tests/test_timer_pick $(BUILD)/tests/test_madt
$(BUILD)/tests/test_timer_pick: $(BUILD)/host/tests/unit/test_timer_pick.o $(BUILD)/host/drivers/timer_pick.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
$(BUILD)/tests/test_madt: $(BUILD)/host/tests/unit/test_madt.o $(BUILD)/host/drivers/madt.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# USB: keyboard reports to bytes, descriptors with hostile lengths, TRB rings
# and capabilities against a model controller.
UNIT_TESTS += $(BUILD)/tests/test_hid_boot $(BUILD)/tests/test_usb_desc $(BUILD)/tests/test_xhci_ring
$(BUILD)/tests/test_hid_boot: $(BUILD)/host/tests/unit/test_hid_boot.o $(call host_obj,drivers/hid_boot.c drivers/kbdmap.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
$(BUILD)/tests/test_usb_desc: $(BUILD)/host/tests/unit/test_usb_desc.o $(call host_obj,drivers/usb_desc.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
$(BUILD)/tests/test_xhci_ring: $(BUILD)/host/tests/unit/test_xhci_ring.o $(call host_obj,drivers/xhci_ring.c drivers/xhci_caps.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# The PS/2 driver against a model i8042: its host object (used by this test
# only) takes its port I/O from the test (drivers/portio.h); its ring stamps
# arrival times (kernel/ring.c).
drivers/ps2kbd.c_REQ := -DPXOS_PORTIO_FAKE
UNIT_TESTS += $(BUILD)/tests/test_ps2kbd
$(BUILD)/tests/test_ps2kbd: $(BUILD)/host/tests/unit/test_ps2kbd.o $(call host_obj,drivers/ps2kbd.c drivers/kbdmap.c kernel/ring.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
