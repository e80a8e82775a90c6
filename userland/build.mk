# userland/ — pxVM programs in pxasm assembly, assembled into the PixelFS
# ramdisk: userland/boot/*.pxs -> /boot/*, userland/apps/*.pxs -> /apps/*, and
# the other files of userland/boot (initrc, motd) -> /boot/ as they are.
GEN_PXOS_INC := $(BUILD)/tools/gen-pxos-inc
PXOS_INC     := $(BUILD)/userland/include/pxos.inc
USER_LIB     := $(wildcard userland/lib/*.pxs userland/lib/*.inc)
USER_SRC     := $(wildcard userland/boot/*.pxs userland/apps/*.pxs)
USER_PXE     := $(USER_SRC:userland/%.pxs=$(BUILD)/userland/%.pxe)
RAMDISK_PNG  := $(BUILD)/pixelfs.png
PXASM_FLAGS  := -I $(BUILD)/userland/include -I userland/lib

$(GEN_PXOS_INC): $(BUILD)/host/tools/gen-pxos-inc.o $(PXVM_ISA_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@

$(PXOS_INC): $(GEN_PXOS_INC)
	@mkdir -p $(@D)
	$(GEN_PXOS_INC) > $@

# asm, the assembler inside pxOS: userland/apps/asm.pxs includes its parts from
# userland/asm/ and its opcode table, pxops.inc, generated from PXVM_OPCODES.
PXOPS_INC    := $(BUILD)/userland/include/pxops.inc
ASM_PARTS    := $(wildcard userland/asm/*.pxs)
$(PXOPS_INC): $(GEN_PXOS_INC)
	@mkdir -p $(@D)
	$(GEN_PXOS_INC) --asm > $@.tmp && mv $@.tmp $@
$(BUILD)/userland/apps/asm.pxe: $(ASM_PARTS) $(PXOPS_INC)

# asm against pxasm (tests/unit/test_asm.py), run in pxsim by the test driver
# tests/selfhost/asmrun.pxs.
ASMRUN := $(BUILD)/tests/selfhost/asmrun.pxe
$(ASMRUN): tests/selfhost/asmrun.pxs $$(PXASM) $(PXOS_INC) $(USER_LIB)
	@mkdir -p $(@D)
	$(PXASM) $(PXASM_FLAGS) -o $@ $<
bench: $(ASMRUN)
UNIT_TESTS += $(BUILD)/tests/test_asm
$(BUILD)/tests/test_asm: tests/unit/test_asm.py $$(PXSIM) $$(PXASM) $$(PXFS) $(ASMRUN) $(BUILD)/userland/apps/asm.pxe $(PXOPS_INC)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s --build %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_asm.py)' '$(abspath $(BUILD))' > $@
	chmod +x $@

$(BUILD)/userland/%.pxe: userland/%.pxs $(PXASM) $(PXOS_INC) $(USER_LIB)
	@mkdir -p $(@D)
	$(PXASM) $(PXASM_FLAGS) -o $@ -l $(@:.pxe=.lst) $<

# The ramdisk is built from a fresh staging tree so that removed programs do
# not linger in it.
# Files in userland/boot that are not sources (initrc, motd) go in as they are,
# and so do the Python programs of userland/apps (docs/python.md).
# /lib holds the include files of pxOS programs (pxos.inc and userland/lib),
# where asm looks for them (docs/pxasm.md, "asm inside pxOS").
USER_BOOT_FILES := $(filter-out %.pxs,$(wildcard userland/boot/*))
USER_APPS_PY    := $(wildcard userland/apps/*.py) userland/apps/python userland/apps/mkapp

$(RAMDISK_PNG): $(USER_PXE) $(USER_BOOT_FILES) $(USER_APPS_PY) $(PXFS) $(PXOS_INC) $(USER_LIB) $(SYSPROMPT_TXT)
	rm -rf $(BUILD)/rootfs && mkdir -p $(BUILD)/rootfs/boot $(BUILD)/rootfs/apps $(BUILD)/rootfs/lib/llm
	cp $(filter $(BUILD)/userland/boot/%,$(USER_PXE)) $(BUILD)/rootfs/boot/
	cp $(filter $(BUILD)/userland/apps/%,$(USER_PXE)) $(BUILD)/rootfs/apps/
	$(if $(USER_BOOT_FILES),cp $(USER_BOOT_FILES) $(BUILD)/rootfs/boot/)
	$(if $(USER_APPS_PY),cp $(USER_APPS_PY) $(BUILD)/rootfs/apps/)
	cp $(PXOS_INC) $(USER_LIB) $(BUILD)/rootfs/lib/
	cp $(SYSPROMPT_TXT) $(BUILD)/rootfs/lib/llm/
	$(PXFS) build $@ $(BUILD)/rootfs

ALL_TARGETS += $(RAMDISK_PNG)

# The docs' ISA/ABI tables must match the generator's output.
UNIT_TESTS += $(BUILD)/tests/test_docs
$(BUILD)/tests/test_docs: tests/unit/test_docs.sh $(GEN_PXOS_INC)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec /bin/sh %s %s "$$@"\n' '$(abspath tests/unit/test_docs.sh)' '$(abspath $(GEN_PXOS_INC))' > $@
	chmod +x $@
# edit driven by scripted raw keys in pxsim (tests/unit/test_edit.py), through
# the test driver tests/programs/editrun.pxs.
UNIT_TESTS += $(BUILD)/tests/test_edit
$(BUILD)/tests/test_edit: tests/unit/test_edit.py $$(PXSIM) $(RAMDISK_PNG) $(BUILD)/tests/programs/editrun.pxe
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s --build %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_edit.py)' '$(abspath $(BUILD))' > $@
	chmod +x $@
# mkapp (userland/apps/mkapp, Python) in pxsim: taking the code out of LLM
# answers, its command line (tests/unit/test_mkapp.py).
UNIT_TESTS += $(BUILD)/tests/test_mkapp
$(BUILD)/tests/test_mkapp: tests/unit/test_mkapp.py $$(PXSIM) $(RAMDISK_PNG)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s --build %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_mkapp.py)' '$(abspath $(BUILD))' > $@
	chmod +x $@
