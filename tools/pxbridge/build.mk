# tools/pxbridge — the host serial terminal and LLM relay (docs/bridge-protocol.md),
# the frame codec's unit tests and the bridge's fuzz targets.

FRAME_HOST_OBJ := $(BUILD)/host/pxvm/frame.o $(BUILD)/host/pxvm/crc32.o

# Unit tests of the frame codec and demultiplexer (pxvm/frame.c, both sides).
UNIT_TESTS += $(BUILD)/tests/test_frame
$(BUILD)/tests/test_frame: $(BUILD)/host/tests/unit/test_frame.o $(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

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
