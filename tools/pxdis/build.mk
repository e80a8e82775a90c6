# tools/pxdis — the pxVM disassembler (docs/pxdis.md), and its tests.
PXDIS_LIB_SRC := tools/pxdis/dis.c tools/pxdis/load.c tools/pxdis/fromsnap.c
PXDIS_LIB_OBJ := $(call host_obj,$(call uniq,$(PXDIS_LIB_SRC) $(PXVM_ISA_SRC) $(PXVM_FS_SRC) $(SNAPFILE_SRC) $(HOSTIO_SRC) $(VRECORD_SRC)))
PXDIS         := $(BUILD)/tools/pxdis
ALL_TARGETS   += $(PXDIS)

$(PXDIS): $(BUILD)/host/tools/pxdis/main.o $(PXDIS_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lm

# The host simulator that writes screendumps (--png) for the tile test.
PXDIS_RUNNER ?= $(PXSIM)

PXDIS_TESTS := $(BUILD)/tests/test_pxdis $(BUILD)/tests/test_pxdis_roundtrip
UNIT_TESTS  += $(PXDIS_TESTS)

# cmocka: the library (layout, labels, strings, ambiguity, loaders) and a tile
# from a screendump that the runner drew; test_pxdis runs $(PXDIS_RUNNER) and
# $(PXASM) itself, given through the environment by this wrapper.
$(BUILD)/tests/test_pxdis.bin: $(BUILD)/host/tests/unit/test_pxdis.o $(TOOLTEST_OBJ) $(PXDIS_LIB_OBJ) $(PXASM_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lcmocka -lm

$(BUILD)/tests/test_pxdis: $(BUILD)/tests/test_pxdis.bin $(PXDIS_RUNNER) $(PXASM) $(PXDIS) $(PXOS_INC)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nPXDIS_RUNNER=%s PXASM=%s PXDIS=%s PXDIS_INC=%s PXDIS_SRC=%s exec %s "$$@"\n' \
		'$(abspath $(PXDIS_RUNNER))' '$(abspath $(PXASM))' '$(abspath $(PXDIS))' \
		'$(abspath $(dir $(PXOS_INC)))' '$(abspath .)' '$(abspath $(BUILD)/tests/test_pxdis.bin)' > $@
	chmod +x $@

# The round trip over every program: the script finds the .pxe files by glob
# in $(BUILD)/userland and $(BUILD)/tests/programs when it runs, so programs
# added by any rule are covered (`make test` builds everything first; here the
# ones the userland and test-program variables name are prerequisites;
# TEST_PROGRAMS: tests/build.mk).
$(BUILD)/tests/test_pxdis_roundtrip: tests/unit/test_pxdis_roundtrip.sh $(PXDIS) $(PXASM) $(PXFS) \
                                     $(USER_PXE) $$(TEST_PROGRAMS)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec /bin/sh %s %s %s %s %s "$$@"\n' '$(abspath tests/unit/test_pxdis_roundtrip.sh)' \
		'$(abspath $(PXDIS))' '$(abspath $(PXASM))' '$(abspath $(PXFS))' '$(abspath $(BUILD))' > $@
	chmod +x $@
