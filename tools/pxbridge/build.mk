# tools/pxbridge — the host serial terminal and LLM relay (docs/bridge-protocol.md)
# and the frame codec's unit tests; the fuzz targets of both parsers on the
# bridge's path (fuzz_frame, fuzz_sse) are in tests/fuzz/build.mk.

FRAME_SRC      := $(PXVM_FRAME_SRC) $(PXVM_CRC_SRC)
FRAME_HOST_OBJ := $(call host_obj,$(FRAME_SRC))

# Unit tests of the frame codec and demultiplexer (pxvm/frame.c, both sides).
UNIT_TESTS += $(BUILD)/tests/test_frame
$(BUILD)/tests/test_frame: $(BUILD)/host/tests/unit/test_frame.o $(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# The kernel's link layer (kernel/bridge.c, built hosted) against a scripted
# host: NAK, bad-frame and HELLO storms, link keys, a full transmit ring.
UNIT_TESTS += $(BUILD)/tests/test_bridge_link
$(BUILD)/tests/test_bridge_link: $(BUILD)/host/tests/unit/test_bridge_link.o $(BUILD)/host/kernel/bridge.o \
		$(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# pxbridge's link rules (sessions proven by key, sequence window, in-flight
# limit, NAK storms) with the test as pxOS on a Unix socket.
UNIT_TESTS += $(BUILD)/tests/test_pxbridge_link
$(BUILD)/tests/test_pxbridge_link: tests/unit/test_pxbridge_link.py tests/unit/pxframe.py | $(BUILD)/tools/pxbridge
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_pxbridge_link.py)' \
		'$(abspath $(BUILD)/tools/pxbridge)' > $@
	chmod +x $@

# The bridge itself (libcurl + cJSON from Debian: tools/deps.sh).
PXBRIDGE     := $(BUILD)/tools/pxbridge
PXBRIDGE_SSE_SRC := tools/pxbridge/sse.c
PXBRIDGE_SRC := tools/pxbridge/main.c tools/pxbridge/backend.c tools/pxbridge/snapshot.c tools/pxbridge/home.c $(PXBRIDGE_SSE_SRC)
PXBRIDGE_OBJ := $(call host_obj,$(PXBRIDGE_SRC)) $(FRAME_HOST_OBJ) $(LLMSCRIPT_OBJ) $(SYSPROMPT_OBJ)
ALL_TARGETS  += $(PXBRIDGE)

$(PXBRIDGE): $(PXBRIDGE_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcurl -lcjson

# Unit tests of pxbridge's SSE/JSON reader.
UNIT_TESTS += $(BUILD)/tests/test_pxbridge_sse
$(BUILD)/tests/test_pxbridge_sse: $(BUILD)/host/tests/unit/test_pxbridge_sse.o $(call host_obj,$(PXBRIDGE_SSE_SRC))
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka -lcjson

# pxbridge's copy of /home (home.c) in a temporary directory: files kept
# whole, cut transfers, nothing written outside it, the restore.
UNIT_TESTS += $(BUILD)/tests/test_pxbridge_home
$(BUILD)/tests/test_pxbridge_home: $(BUILD)/host/tests/unit/test_pxbridge_home.o \
		$(call host_obj,tools/pxbridge/home.c) $(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# QEMU end-to-end tests of the bridge (tests/qemu/test_bridge.py), part of check-qemu.
.PHONY: check-bridge
check-bridge: all $(BUILD)/tests/programs/llmtrap.pxe $(BUILD)/tests/programs/flood.pxe \
		$(BUILD)/tests/programs/llmchat.pxe
	$(PYTHON) tests/qemu/test_bridge.py --build $(BUILD)
check-qemu: check-bridge

# The kernel's persistence of /home (kernel/persist.c, built hosted) over the
# real vfs on the scheduler's test platform, with a fake bridge.
UNIT_TESTS += $(BUILD)/tests/test_persist
$(BUILD)/tests/test_persist: $(BUILD)/host/tests/unit/test_persist.o $(BUILD)/host/kernel/persist.o \
		$$(SCHED_TEST_HOST_OBJ) | $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka -lm
