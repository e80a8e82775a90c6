# iso/ — boot media: the ESP tree, a raw GPT disk image (USB sticks, QEMU) and a
# hybrid ISO (CD/DVD or USB). Built without root and without loop devices; see
# docs/media.md. Inputs come from other fragments: $(LOADER_EFI), $(KERNEL_ELF),
# $(RAMDISK_PNG) and boot/boot.cfg. To put other files on the media, override
# ISO_LOADER, ISO_KERNEL, ISO_RAMDISK or ISO_BOOT_CFG on the command line, e.g.
# `make img ISO_LOADER=/tmp/hello.efi` (overriding LOADER_EFI itself would
# retarget the loader's own build rule at your file).
#
#   make esp          the ESP as a plain directory tree in $(ESP_DIR)
#   make img          $(DISK_IMG): GPT, one 64 MiB FAT32 ESP (EF00) at 1 MiB
#   make iso          $(ISO): El Torito EFI boot image = GPT partition 2 =
#                     a FAT16 copy of the ESP sized to fit (<= 31 MiB)
#   make usb DEV=/dev/sdX [YES=1]
#                     write $(DISK_IMG) to a USB stick, with safety checks
#                     (iso/write-usb.sh: refuses partitions, mounted, system and
#                     fixed disks; shows model and size; asks unless YES=1)
#   make check-media  boot both images in QEMU (disk, USB stick, CD-ROM), and
#                     test `make usb` on a file and its refusals

# The loader/kernel/ramdisk fragments define these; the defaults here only say
# where they will be if this fragment is read first.
ISO_LOADER  = $(or $(LOADER_EFI),$(BUILD)/boot/BOOTX64.EFI)
ISO_KERNEL  = $(or $(KERNEL_ELF),$(BUILD)/kernel.elf)
ISO_RAMDISK = $(or $(RAMDISK_PNG),$(BUILD)/pixelfs.png)
ISO_BOOT_CFG = boot/boot.cfg

ESP_DIR   := $(BUILD)/esp
ESP_FAT   := $(BUILD)/esp-fat.img
ISO_FAT   := $(BUILD)/esp-iso.img
DISK_IMG  := $(BUILD)/pxos.img
ISO       := $(BUILD)/pxos.iso
MKMEDIA   := iso/mkmedia.sh

ESP_FILES := $(ESP_DIR)/EFI/BOOT/BOOTX64.EFI $(ESP_DIR)/pxos/kernel.elf \
             $(ESP_DIR)/pxos/pixelfs.png $(ESP_DIR)/pxos/boot.cfg

ALL_TARGETS += $(DISK_IMG)

.PHONY: esp img iso usb check-media

esp: $(ESP_FILES)
img: $(DISK_IMG)
iso: $(ISO)

# Each ESP file is a copy of exactly one input.
$(ESP_DIR)/EFI/BOOT/BOOTX64.EFI: $(ISO_LOADER)
	@mkdir -p $(@D)
	cp -f $< $@
$(ESP_DIR)/pxos/kernel.elf: $(ISO_KERNEL)
	@mkdir -p $(@D)
	cp -f $< $@
$(ESP_DIR)/pxos/pixelfs.png: $(ISO_RAMDISK)
	@mkdir -p $(@D)
	cp -f $< $@
$(ESP_DIR)/pxos/boot.cfg: $(ISO_BOOT_CFG)
	@mkdir -p $(@D)
	cp -f $< $@

$(ESP_FAT): $(ESP_FILES) $(MKMEDIA)
	bash $(MKMEDIA) fat $@ $(ESP_DIR)

$(DISK_IMG): $(ESP_FAT) $(MKMEDIA)
	bash $(MKMEDIA) disk $@ $(ESP_FAT)

# El Torito sizes its image in 512-byte sectors with 16 bits, so the ISO gets its
# own FAT16 copy of the ESP tree, sized to fit (at most 31 MiB).
$(ISO_FAT): $(ESP_FILES) $(MKMEDIA)
	bash $(MKMEDIA) fat-fit $@ $(ESP_DIR)

$(ISO): $(ISO_FAT) $(MKMEDIA)
	bash $(MKMEDIA) iso $@ $(ISO_FAT)

usb: $(DISK_IMG)
	@bash iso/write-usb.sh $(if $(filter 1,$(YES)),--yes) $(DISK_IMG) "$(DEV)"

# Boots the raw image (as a SATA disk and as a USB stick) and the ISO (as a
# CD-ROM and as a USB stick) in QEMU/OVMF and waits for the loader's first line.
check-media: $(DISK_IMG) $(ISO)
	$(PYTHON) tests/qemu/test_media.py --build $(BUILD) --img $(DISK_IMG) --iso $(ISO)
	$(PYTHON) tests/qemu/test_make_usb.py --build $(BUILD)
