# tools/pxsim — the host simulator: the kernel's VM, scheduler, syscalls, tty,
# PixelFS and VRAM substrate on the host, VRAM in memory (docs/pxsim.md).
PXSIM := $(BUILD)/tools/pxsim
PXSIM_SRC := tools/pxsim/main.c tools/pxsim/host.c tools/pxsim/snapshot.c
PXSIM_OBJ := $(call uniq,$(call host_obj,$(PXSIM_SRC)) $(PORTABLE_HOST_OBJ) $(SNAPFILE_OBJ) $(HOSTIO_OBJ) $(PY_HOST_OBJ))
ALL_TARGETS += $(PXSIM)

# Linked without PIE: a Python process's heap and C stack point into pxsim's
# code and data, which then stay at the same addresses in every run (ASLR
# moves only a PIE), so a snapshot's Python process can go on in another
# pxsim run of the same binary (docs/snapshots.md).
$(PXSIM): $(PXSIM_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -no-pie $^ -o $@ $(PY_HOST_LDFLAGS) -lm

# Shell-level test of the simulator, the shell and the tools on the built
# ramdisk (tests/unit/test_pxsim.sh).
UNIT_TESTS += $(BUILD)/tests/test_pxsim
$(BUILD)/tests/test_pxsim: tests/unit/test_pxsim.sh $(PXSIM) $(PXASM) $(PXOS_INC) $(BUILD)/pixelfs.png
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec /bin/sh %s %s %s %s %s "$$@"\n' '$(abspath tests/unit/test_pxsim.sh)' \
		'$(abspath $(PXSIM))' '$(abspath $(PXASM))' '$(abspath $(dir $(PXOS_INC)))' \
		'$(abspath $(BUILD)/pixelfs.png)' > $@
	chmod +x $@

# Snapshots through pxsim: the determinism property for the shipped programs
# and a boot, the picture, other screens, refused files (tests/unit/test_snapshot.py).
UNIT_TESTS += $(BUILD)/tests/test_snapshot
$(BUILD)/tests/test_snapshot: tests/unit/test_snapshot.py $(PXSIM) $(BUILD)/pixelfs.png $(PXDIS) $(PXFS) \
		$(PXASM) $(PXOS_INC)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s %s %s %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_snapshot.py)' \
		'$(abspath $(PXSIM))' '$(abspath $(BUILD)/pixelfs.png)' '$(abspath $(PXDIS))' '$(abspath $(PXFS))' \
		'$(abspath $(PXASM))' '$(abspath $(dir $(PXOS_INC)))' > $@
	chmod +x $@
