# tools/pxdiff — what changed between two pictures of a pxOS machine
# (docs/pxdiff.md), and its tests.
PXDIFF_LIB_SRC := tools/pxdiff/input.c tools/pxdiff/diff.c
PXDIFF_LIB_OBJ := $(sort $(call host_obj,$(PXDIFF_LIB_SRC)) $(PXDIS_LIB_OBJ))
PXDIFF         := $(BUILD)/tools/pxdiff
ALL_TARGETS    += $(PXDIFF)

$(PXDIFF): $(BUILD)/host/tools/pxdiff/main.o $(PXDIFF_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lm

# cmocka: the library on synthetic screens (every change kind, unknown bytes,
# code or data, the marked image, refused inputs); then pairs of screens
# pxsim draws of one program at two moments, through the command line.
UNIT_TESTS += $(BUILD)/tests/test_pxdiff
$(BUILD)/tests/test_pxdiff.bin: $(BUILD)/host/tests/unit/test_pxdiff.o $(TOOLTEST_OBJ) $(PXDIFF_LIB_OBJ) $(PXASM_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lcmocka -lm

$(BUILD)/tests/test_pxdiff: $(BUILD)/tests/test_pxdiff.bin $(PXDIFF) $(PXSIM) $(PXOS_INC)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nPXDIFF=%s PXSIM=%s PXDIFF_INC=%s exec %s "$$@"\n' \
		'$(abspath $(PXDIFF))' '$(abspath $(PXSIM))' '$(abspath $(dir $(PXOS_INC)))' \
		'$(abspath $(BUILD)/tests/test_pxdiff.bin)' > $@
	chmod +x $@
