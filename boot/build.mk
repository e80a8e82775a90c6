# boot/ — BOOTX64.EFI, the GNU-EFI loader (Debian gnu-efi 3.0.15), and its host
# unit tests. The loader is a PE32+ EFI application built the GNU-EFI way:
# compile -fpic, link as a shared ELF with GNU-EFI's crt0 and linker script,
# then objcopy to efi-app-x86_64 (see /work/shared/PLATFORM-NOTES.md).
LOADER_EFI := $(BUILD)/boot/BOOTX64.EFI
ALL_TARGETS += $(LOADER_EFI)

EFI_INC ?= /usr/include/efi
EFI_LIB ?= /usr/lib
# GNU_EFI_USE_MS_ABI: firmware calls go straight through ms_abi function
# pointers (type-checked) instead of GNU-EFI's efi_callN thunks.
LOADER_REQ := $(WARN_REQ) -I. -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_INC)/protocol \
	-DGNU_EFI_USE_MS_ABI -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
	-fshort-wchar -mno-red-zone -maccumulate-outgoing-args -MMD -MP

# Pure modules: no EFI calls, also compiled for the host unit tests.
BOOT_PURE_SRC := boot/fmt.c boot/config.c boot/elf.c boot/pixfmt.c boot/rsdp.c boot/paging.c boot/sha256.c
BOOT_EFI_SRC  := boot/loader.c boot/log.c boot/fileio.c boot/gop.c boot/handoff.c boot/verify.c
# The drivers the loader shares with the kernel (drivers/build.mk) build
# into $(BUILD)/boot/ too.
LOADER_OBJ := $(patsubst boot/%.c,$(BUILD)/boot/%.o,$(BOOT_EFI_SRC) $(BOOT_PURE_SRC)) \
	$(patsubst drivers/%.c,$(BUILD)/boot/%.o,$(DRIVERS_LOADER_SRC))

$(BUILD)/boot/%.o: boot/%.c
	@mkdir -p $(@D)
	$(CC) $(LOADER_REQ) $(LOADER_CFLAGS) -c $< -o $@

$(BUILD)/boot/%.o: drivers/%.c
	@mkdir -p $(@D)
	$(CC) $(LOADER_REQ) $(LOADER_CFLAGS) -c $< -o $@

$(BUILD)/boot/loader.so: $(LOADER_OBJ)
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $(LOADER_OBJ) -L$(EFI_LIB) -lgnuefi -lefi -o $@

$(LOADER_EFI): $(BUILD)/boot/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
		-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# Host unit tests (cmocka), run by `make check-unit`.
BOOT_TESTS := elf config fmt pixfmt rsdp paging sha256
BOOT_TEST_BIN := $(BOOT_TESTS:%=$(BUILD)/tests/test_boot_%)
UNIT_TESTS += $(BOOT_TEST_BIN)

BOOT_PURE_HOST_OBJ := $(call host_obj,$(BOOT_PURE_SRC))
BOOT_HOST_OBJ := $(BOOT_PURE_HOST_OBJ) $(BOOT_TESTS:%=$(BUILD)/host/tests/unit/test_boot_%.o)
.SECONDARY: $(BOOT_HOST_OBJ)

$(BUILD)/tests/test_boot_%: $(BUILD)/host/tests/unit/test_boot_%.o $(BOOT_PURE_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -lcmocka -o $@

.PHONY: boot-check
boot-check: $(BOOT_TEST_BIN)
	@set -e; for t in $(BOOT_TEST_BIN); do $$t; done
