# tools/pxbridge — the host serial terminal and LLM relay (docs/bridge-protocol.md),
# the frame codec's unit tests and the bridge's fuzz targets.

FRAME_HOST_OBJ := $(BUILD)/host/pxvm/frame.o $(BUILD)/host/pxvm/crc32.o

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
$(BUILD)/tests/test_pxbridge_link: tests/unit/test_pxbridge_link.py tests/unit/pxframe.py | $(PXBRIDGE)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_pxbridge_link.py)' \
		'$(abspath $(PXBRIDGE))' > $@
	chmod +x $@

# libFuzzer targets (clang, ASan + UBSan) for every parser on the bridge's path:
# the frame demultiplexer/decoder (both sides) and pxbridge's SSE/JSON reader.
# `make fuzz-frame` / `make fuzz-sse` run one for BRIDGE_FUZZ_TIME seconds;
# `make check-unit` runs each for BRIDGE_FUZZ_SMOKE seconds (test_fuzz_bridge).
BRIDGE_FUZZ_TIME  ?= 60
BRIDGE_FUZZ_SMOKE ?= 5
FUZZ_CC           ?= clang
FUZZ_FLAGS        := $(WARN_REQ) -I. -D_DEFAULT_SOURCE -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FRAME_FUZZ      := $(BUILD)/fuzz/fuzz_frame
FRAME_FUZZ_SEED := $(BUILD)/fuzz/frame_seeds
.PHONY: fuzz-frame fuzz-sse

$(FRAME_FUZZ): tests/fuzz/fuzz_frame.c pxvm/frame.c pxvm/crc32.c pxvm/frame.h kernel/param.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) tests/fuzz/fuzz_frame.c pxvm/frame.c pxvm/crc32.c -o $@

$(FRAME_FUZZ_SEED): tests/fuzz/frame_seeds.c $(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_REQ) $(HOST_CFLAGS) tests/fuzz/frame_seeds.c $(FRAME_HOST_OBJ) -o $@

fuzz-frame: $(FRAME_FUZZ) $(FRAME_FUZZ_SEED)
	@mkdir -p $(BUILD)/fuzz/frame-corpus
	$(FRAME_FUZZ_SEED) $(BUILD)/fuzz/frame-corpus
	cd $(BUILD)/fuzz && ./fuzz_frame -max_total_time=$(BRIDGE_FUZZ_TIME) -max_len=16384 \
		-timeout=10 -print_final_stats=1 frame-corpus

# The bridge itself (libcurl + cJSON from Debian: tools/deps.sh).
PXBRIDGE     := $(BUILD)/tools/pxbridge
PXBRIDGE_SRC := tools/pxbridge/main.c tools/pxbridge/backend.c tools/pxbridge/sse.c
PXBRIDGE_OBJ := $(PXBRIDGE_SRC:%.c=$(BUILD)/host/%.o) $(FRAME_HOST_OBJ)
ALL_TARGETS  += $(PXBRIDGE)

$(PXBRIDGE): $(PXBRIDGE_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcurl -lcjson

SSE_FUZZ := $(BUILD)/fuzz/fuzz_sse
$(SSE_FUZZ): tests/fuzz/fuzz_sse.c tools/pxbridge/sse.c tools/pxbridge/sse.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) tests/fuzz/fuzz_sse.c tools/pxbridge/sse.c -lcjson -o $@

# Seeds: a streamed answer, a whole answer, an error and a model list.
SSE_SEEDS := $(BUILD)/fuzz/sse-corpus/.seeded
$(SSE_SEEDS):
	@mkdir -p $(@D)
	printf '\x20data: {"choices":[{"delta":{"content":"Hel"}}]}\r\n\r\ndata: {"choices":[{"delta":{"content":"lo \\u00e9"},"finish_reason":null}]}\n\ndata: [DONE]\n\n' > $(@D)/stream
	printf '\x00{"choices":[{"message":{"role":"assistant","content":"yes"}}]}' > $(@D)/whole
	printf '\x05data: {"error":{"message":"model not loaded"}}\n\n' > $(@D)/error
	printf '\x00{"data":[{"id":"qwen2.5-7b","object":"model"}],"models":[{"name":"llama3"}]}' > $(@D)/models
	touch $@

fuzz-sse: $(SSE_FUZZ) $(SSE_SEEDS)
	cd $(BUILD)/fuzz && ./fuzz_sse -max_total_time=$(BRIDGE_FUZZ_TIME) -max_len=8192 \
		-timeout=10 -print_final_stats=1 sse-corpus

# Bounded runs of both fuzzers in `make check-unit` (a shell wrapper, as the
# other script tests); a crash fails the unit tests and leaves its input in
# $(BUILD)/fuzz/.
UNIT_TESTS += $(BUILD)/tests/test_fuzz_bridge
$(BUILD)/tests/test_fuzz_bridge: $(FRAME_FUZZ) $(FRAME_FUZZ_SEED) $(SSE_FUZZ) $(SSE_SEEDS)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nset -e\ncd %s\nmkdir -p frame-corpus\n./frame_seeds frame-corpus\n./fuzz_frame -max_total_time=%s -max_len=16384 -timeout=10 frame-corpus 2>fuzz_frame.log || { tail -40 fuzz_frame.log; exit 1; }\n./fuzz_sse -max_total_time=%s -max_len=8192 -timeout=10 sse-corpus 2>fuzz_sse.log || { tail -40 fuzz_sse.log; exit 1; }\necho "bridge fuzzers (frame, sse): no crash"\n' \
		'$(abspath $(BUILD)/fuzz)' '$(BRIDGE_FUZZ_SMOKE)' '$(BRIDGE_FUZZ_SMOKE)' > $@
	chmod +x $@

# Unit tests of pxbridge's SSE/JSON reader.
UNIT_TESTS += $(BUILD)/tests/test_pxbridge_sse
$(BUILD)/tests/test_pxbridge_sse: $(BUILD)/host/tests/unit/test_pxbridge_sse.o $(BUILD)/host/tools/pxbridge/sse.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka -lcjson

# QEMU end-to-end tests of the bridge (tests/qemu/test_bridge.py), part of check-qemu.
.PHONY: check-bridge
check-bridge: all $(BUILD)/tests/programs/llmtrap.pxe $(BUILD)/tests/programs/flood.pxe
	$(PYTHON) tests/qemu/test_bridge.py --build $(BUILD)
check-qemu: check-bridge
