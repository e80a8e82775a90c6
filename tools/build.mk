# tools/ build rules

# File and image input shared by the host tools (tools/common/hostio.h); the
# only place pxasm, pxdis, pxsim and pxbench get stb_image compiled.
HOSTIO_OBJ := $(BUILD)/host/tools/common/hostio.o $(BUILD)/host/pxvm/pngcheck.o $(BUILD)/host/pxvm/crc32.o

# ==== PixelFS: the pxfs tool, its unit tests and fuzz target (begin) =========
# Owned by the PixelFS work; other tools' rules go outside this block.
PXFS          := $(BUILD)/tools/pxfs
PXFS_TOOL_SRC := tools/pxfs/main.c tools/pxfs/png_io.c tools/pxfs/cmd_build.c \
                 tools/pxfs/cmd_read.c tools/pxfs/cmd_corrupt.c
PXFS_TOOL_OBJ := $(PXFS_TOOL_SRC:%.c=$(BUILD)/host/%.o)
ALL_TARGETS   += $(PXFS)

$(PXFS): $(PXFS_TOOL_OBJ) $(PXVM_FS_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lm

# Unit tests (cmocka), run by `make check-unit`. test_crc32 compares against
# zlib's crc32(), loaded with dlopen because pxOS has its own symbol `crc32`.
PXFS_TEST_CRC32   := $(BUILD)/tests/test_crc32
PXFS_TEST_PIXELFS := $(BUILD)/tests/test_pixelfs $(BUILD)/tests/test_pixelfs_files
PXFS_TEST_TOOL    := $(BUILD)/tests/test_pxfs_tool
PXFS_TEST_LIB     := $(BUILD)/host/tests/unit/pixelfs_testlib.o
UNIT_TESTS        += $(PXFS_TEST_CRC32) $(PXFS_TEST_PIXELFS) $(PXFS_TEST_TOOL)

$(PXFS_TEST_CRC32): $(BUILD)/host/tests/unit/test_crc32.o $(BUILD)/host/pxvm/crc32.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka -ldl

$(PXFS_TEST_PIXELFS): $(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $(PXFS_TEST_LIB) \
                      $(PXVM_FS_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# The shell-level test of the tool: a wrapper running the script on $(PXFS).
$(PXFS_TEST_TOOL): tests/unit/test_pxfs_tool.sh $(PXFS)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec /bin/sh %s %s "$$@"\n' \
		'$(abspath tests/unit/test_pxfs_tool.sh)' '$(abspath $(PXFS))' > $@
	chmod +x $@

# libFuzzer target for pxfs_mount and the lookups on arbitrary pixel buffers
# (clang, ASan + UBSan). `make fuzz-pixelfs` runs it for PXFS_FUZZ_TIME seconds
# from seed images made by pxfs_build; crashes land in $(BUILD)/fuzz/.
FUZZ_CC        ?= clang
PXFS_FUZZ_TIME ?= 20
PXFS_FUZZ      := $(BUILD)/fuzz/fuzz_pixelfs
PXFS_FUZZ_SEED := $(BUILD)/fuzz/pixelfs_seeds
PXFS_FUZZ_DIR  := $(BUILD)/fuzz/pixelfs-corpus
PXFS_FUZZ_DEPS := pxvm/pixelfs.c pxvm/crc32.c pxvm/pixelfs.h pxvm/crc32.h pxvm/port.h
.PHONY: fuzz-pixelfs

$(PXFS_FUZZ): tests/fuzz/fuzz_pixelfs.c $(PXFS_FUZZ_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN_REQ) -I. -D_DEFAULT_SOURCE -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		tests/fuzz/fuzz_pixelfs.c pxvm/pixelfs.c pxvm/crc32.c -o $@

$(PXFS_FUZZ_SEED): tests/fuzz/pixelfs_seeds.c $(PXFS_FUZZ_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(WARN_REQ) -I. -D_DEFAULT_SOURCE $(HOST_CFLAGS) \
		tests/fuzz/pixelfs_seeds.c pxvm/pixelfs.c pxvm/crc32.c -o $@

fuzz-pixelfs: $(PXFS_FUZZ) $(PXFS_FUZZ_SEED)
	@mkdir -p $(PXFS_FUZZ_DIR)
	$(PXFS_FUZZ_SEED) $(PXFS_FUZZ_DIR)
	cd $(BUILD)/fuzz && ./fuzz_pixelfs -max_total_time=$(PXFS_FUZZ_TIME) \
		-max_len=65536 -timeout=10 -print_final_stats=1 pixelfs-corpus
# ==== PixelFS (end) ==========================================================

# ---- pxasm: the pxVM assembler (tools/pxasm/, docs/pxasm.md) -------- begin ----
# Library part (also linked into the unit tests) and the command-line front end.
PXASM_LIB_SRC := tools/pxasm/lex.c tools/pxasm/source.c tools/pxasm/expr.c \
                 tools/pxasm/parse.c tools/pxasm/asm.c tools/pxasm/diag.c \
                 tools/pxasm/listing.c
PXASM_LIB_OBJ := $(PXASM_LIB_SRC:%.c=$(BUILD)/host/%.o) \
                 $(BUILD)/host/pxvm/isa.o $(BUILD)/host/pxvm/disasm.o $(HOSTIO_OBJ)
PXASM         := $(BUILD)/tools/pxasm
ALL_TARGETS   += $(PXASM)

$(PXASM): $(BUILD)/host/tools/pxasm/main.o $(PXASM_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

# Unit tests (cmocka): the assembler library, and the disassembler round trip.
# test_pxasm also runs $(PXASM) itself for the command-line checks.
$(BUILD)/tests/test_pxasm: $(BUILD)/host/tests/unit/test_pxasm.o $(PXASM_LIB_OBJ) | $(PXASM)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(filter %.o,$^) -lcmocka

$(BUILD)/tests/test_disasm: $(BUILD)/host/tests/unit/test_disasm.o $(PXASM_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lcmocka

UNIT_TESTS += $(BUILD)/tests/test_pxasm $(BUILD)/tests/test_disasm

# Every message text in tools/pxasm/*.c must have a test in test_pxasm.c.
UNIT_TESTS += $(BUILD)/tests/test_pxasm_messages
$(BUILD)/tests/test_pxasm_messages: tests/unit/test_pxasm_messages.py
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_pxasm_messages.py)' \
		'$(abspath .)' > $@
	chmod +x $@
# ---- pxasm ---------------------------------------------------------- end ------
