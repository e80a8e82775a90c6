# tools/pxfs — the PixelFS image tool (docs/pixelfs.md) and its unit tests; its
# fuzz target is in tests/fuzz/build.mk.
PXFS          := $(BUILD)/tools/pxfs
PXFS_TOOL_SRC := tools/pxfs/main.c tools/pxfs/png_io.c tools/pxfs/cmd_build.c \
                 tools/pxfs/cmd_read.c tools/pxfs/cmd_corrupt.c tools/pxfs/cmd_snapshot.c
PXFS_TOOL_OBJ := $(call host_obj,$(PXFS_TOOL_SRC))
ALL_TARGETS   += $(PXFS)

# Snapshots: the format and snapfile.c, with this tool's own stb (png_io.c).
$(PXFS): $(PXFS_TOOL_OBJ) $(call host_obj,$(call uniq,$(PXVM_FS_SRC) $(PXVM_PNG_SRC) $(SNAPFILE_SRC)))
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lm

# Unit tests (cmocka), run by `make check-unit`. test_crc32 compares against
# zlib's crc32(), loaded with dlopen because pxOS has its own symbol `crc32`.
PXFS_TEST_CRC32   := $(BUILD)/tests/test_crc32
PXFS_TEST_PIXELFS := $(BUILD)/tests/test_pixelfs $(BUILD)/tests/test_pixelfs_files
PXFS_TEST_TOOL    := $(BUILD)/tests/test_pxfs_tool
PXFS_TEST_LIB     := $(BUILD)/host/tests/unit/pixelfs_testlib.o
UNIT_TESTS        += $(PXFS_TEST_CRC32) $(PXFS_TEST_PIXELFS) $(PXFS_TEST_TOOL)

$(PXFS_TEST_CRC32): $(BUILD)/host/tests/unit/test_crc32.o $(call host_obj,$(PXVM_CRC_SRC))
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
