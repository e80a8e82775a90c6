# tools/pxrun — the host runner: the kernel's VM, scheduler, syscalls, PixelFS
# and VRAM substrate on the host, VRAM in memory.
PXRUN := $(BUILD)/tools/pxrun
PXRUN_OBJ := $(BUILD)/host/tools/pxrun/main.o $(BUILD)/host/tools/pxrun/host.o \
	$(BUILD)/host/kernel/vram.o $(DRIVERS_HOST_OBJ) \
	$(PXVM_CORE_HOST_OBJ) $(PXVM_FS_HOST_OBJ) $(PXVM_OS_HOST_OBJ)
ALL_TARGETS += $(PXRUN)

$(PXRUN): $(PXRUN_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lm

# Shell-level test of the runner (tests/unit/test_pxrun.sh).
UNIT_TESTS += $(BUILD)/tests/test_pxrun
$(BUILD)/tests/test_pxrun: tests/unit/test_pxrun.sh $(PXRUN) $(PXASM) $(PXOS_INC)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec /bin/sh %s %s %s %s "$$@"\n' '$(abspath tests/unit/test_pxrun.sh)' \
		'$(abspath $(PXRUN))' '$(abspath $(PXASM))' '$(abspath $(dir $(PXOS_INC)))' > $@
	chmod +x $@
