# tools/sbenroll/ — SBENROLL.EFI, a GNU-EFI app that enrolls Secure Boot keys
# (db, KEK, PK .auth files) from its own volume; used by `make signed-img`'s test
# (tests/qemu/test_secureboot.py). Built like the loader (boot/build.mk).
SBENROLL_EFI := $(BUILD)/tools/sbenroll/SBENROLL.EFI

$(BUILD)/tools/sbenroll/sbenroll.o: tools/sbenroll/sbenroll.c
	@mkdir -p $(@D)
	$(CC) $(LOADER_REQ) $(LOADER_CFLAGS) -c $< -o $@

$(BUILD)/tools/sbenroll/sbenroll.so: $(BUILD)/tools/sbenroll/sbenroll.o
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $< -L$(EFI_LIB) -lgnuefi -lefi -o $@

$(SBENROLL_EFI): $(BUILD)/tools/sbenroll/sbenroll.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
		-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@
