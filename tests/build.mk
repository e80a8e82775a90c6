# tests/ — host unit tests (cmocka) are registered by each area's build.mk in
# UNIT_TESTS; QEMU tests boot the built media through OVMF (tests/qemu/).
# Test programs (pxasm sources in tests/programs/) used by the QEMU tests.
TEST_PROGRAMS := $(patsubst tests/programs/%.pxs,$(BUILD)/tests/programs/%.pxe,$(wildcard tests/programs/*.pxs))
$(BUILD)/tests/programs/%.pxe: tests/programs/%.pxs $(PXASM) $(PXOS_INC) $(USER_LIB)
	@mkdir -p $(@D)
	$(PXASM) $(PXASM_FLAGS) -o $@ -l $(@:.pxe=.lst) $<

# Overriding the user flag variables keeps every required flag (Makefile).
UNIT_TESTS += $(BUILD)/tests/test_build_flags
$(BUILD)/tests/test_build_flags: tests/unit/test_build_flags.py
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_build_flags.py)' \
		'$(abspath .)' > $@
	chmod +x $@

# Every unit test, each with its wall time (tests/unit/run.sh).
check-unit: $$(UNIT_TESTS)
	@bash tests/unit/run.sh $(UNIT_TESTS)

# Boot tests, console input, the shell, the hostile programs (files and no
# silent ends among them), the hardware matrix, then the media tests (disk
# image and ISO, as disk, USB stick, CD). Each file prints its wall time
# (pxqemu.run_suite).
check-qemu: all $(TEST_PROGRAMS) $(ISO)
	$(PYTHON) tests/qemu/test_boot.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_hv.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_input.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_shell.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_hostile.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_persist.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_mkapp.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_hw.py --build $(BUILD)
	$(PYTHON) tests/qemu/test_snapshot.py --build $(BUILD)
	$(MAKE) --no-print-directory check-media

# The kernel's layers (tests/layers.txt) checked on the objects it links,
# pxvm/'s include rule, and the checker's self-test (tests/layers.py).
UNIT_TESTS += $(BUILD)/tests/test_layers
$(BUILD)/tests/test_layers: tests/layers.py tests/layers.txt $(KERNEL_OBJ)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nset -e\ncd %s\n%s tests/layers.py self-test\n%s tests/layers.py includes .\n%s tests/layers.py layers tests/layers.txt %s %s\n' \
		'$(abspath .)' '$(PYTHON)' '$(PYTHON)' '$(PYTHON)' '$(abspath $(BUILD)/kernel)' '$(abspath $(KERNEL_OBJ))' > $@
	chmod +x $@
