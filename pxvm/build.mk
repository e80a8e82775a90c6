# pxvm/ — portable VM, scheduler, syscalls and PixelFS: built twice, into the
# kernel (freestanding) and into host tools and tests. Each list is defined
# here once; the kernel, the host tools, the tests and the fuzz targets use it.
PXVM_ISA_SRC   := pxvm/isa.c pxvm/disasm.c
# The interpreter, with the random streams its imperfect-computing opcodes draw
# from and the watching its instrumented copy records (pxvm/watch.h).
PXVM_CORE_SRC  := $(PXVM_ISA_SRC) pxvm/vm.c pxvm/rng.c pxvm/watch.c
PXVM_CRC_SRC   := pxvm/crc32.c
PXVM_FS_SRC    := $(PXVM_CRC_SRC) pxvm/pixelfs.c
PXVM_OS_SRC    := pxvm/sched.c pxvm/job.c pxvm/syscall.c pxvm/hv.c pxvm/ipc.c pxvm/vfs.c pxvm/tty.c \
	pxvm/debug.c pxvm/proc.c pxvm/proc_pxvm.c pxvm/view.c pxvm/canvas.c pxvm/lineedit.c \
	pxvm/snap.c pxvm/logring.c
# The serial bridge's frame codec (kernel/bridge.c and tools/pxbridge); it uses
# PXVM_CRC_SRC too.
PXVM_FRAME_SRC := pxvm/frame.c
# PNG datastream checks before stb_image (kernel/pngload.c, tools/common/hostio.c,
# tools/pxfs/png_io.c); it uses PXVM_CRC_SRC too.
PXVM_PNG_SRC   := pxvm/pngcheck.c
# The output escaper of the consoles (kernel/klog.c; docs/isolation.md).
PXVM_ESCAPE_SRC := pxvm/escape.c
# The snapshot format without the machine (pxvm/snapfmt.h): pxdis, pxfs and
# pxsim read snapshots with it; it uses PXVM_CRC_SRC too.
PXVM_SNAPFMT_SRC := pxvm/snapfmt.c
PXVM_SRC       := $(PXVM_CORE_SRC) $(PXVM_FS_SRC) $(PXVM_OS_SRC) $(PXVM_FRAME_SRC) $(PXVM_PNG_SRC) \
	$(PXVM_ESCAPE_SRC) $(PXVM_SNAPFMT_SRC)

# A snapshot names the build that took it (pxvm/snapfmt.c, docs/snapshots.md):
# the version, the git revision and '+' for uncommitted changes. The object
# is built again when that changes ($(BUILD)/buildrev is rewritten only then).
PXOS_BUILD_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo nogit)$(shell git diff --quiet HEAD -- 2>/dev/null || echo +)
pxvm/snapfmt.c_REQ := -DPXOS_BUILD_REV='"$(PXOS_BUILD_REV)"'
$(BUILD)/kernel/pxvm/snapfmt.o: KERNEL_LATE_REQ := $(pxvm/snapfmt.c_REQ)
$(BUILD)/kernel/pxvm/snapfmt.o $(BUILD)/host/pxvm/snapfmt.o: $(BUILD)/buildrev
.PHONY: buildrev-check
$(BUILD)/buildrev: buildrev-check
	@mkdir -p $(@D)
	@echo '$(PXOS_BUILD_REV)' | cmp -s - $@ || echo '$(PXOS_BUILD_REV)' > $@

PXVM_ISA_HOST_OBJ  := $(call host_obj,$(PXVM_ISA_SRC))
PXVM_CORE_HOST_OBJ := $(call host_obj,$(PXVM_CORE_SRC))
PXVM_FS_HOST_OBJ   := $(call host_obj,$(PXVM_FS_SRC))
PXVM_OS_HOST_OBJ   := $(call host_obj,$(PXVM_OS_SRC))

# Interpreter unit tests.
UNIT_TESTS += $(BUILD)/tests/test_vm
$(BUILD)/tests/test_vm: $(BUILD)/host/tests/unit/test_vm.o $(PXVM_CORE_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# The line editor the console and the monitor share.
UNIT_TESTS += $(BUILD)/tests/test_lineedit
$(BUILD)/tests/test_lineedit: $(BUILD)/host/tests/unit/test_lineedit.o $(BUILD)/host/pxvm/lineedit.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Trap hypervisor and random generator tests (on the shared test platform,
# with a fake LLM; linked with the scheduler tests below). It also runs ask,
# oracle and organism (built from userland/apps) against the fake LLM.
HV_TEST_APPS := $(BUILD)/userland/apps/ask.pxe $(BUILD)/userland/apps/oracle.pxe $(BUILD)/userland/apps/organism.pxe
tests/unit/test_hv.c_REQ := -DHV_TEST_APPS='"$(abspath $(BUILD))/userland/apps"'
$(BUILD)/tests/test_hv: | $(HV_TEST_APPS)

# Scheduler and system-call tests (cmocka) on the test platform
# tests/unit/sched_testhost.c: programs are assembled at run time with the
# pxasm library (tools/pxasm/build.mk), including pxos.inc from the build.
SCHED_TEST_HOST_SRC = tests/unit/sched_testhost.c $(PXASM_LIB_SRC) $(HOSTIO_SRC) $(PORTABLE_SRC)
SCHED_TEST_HOST_OBJ = $(call host_obj,$(SCHED_TEST_HOST_SRC))
tests/unit/sched_testhost.c_REQ = \
	-DTH_INC_DIR='"$(abspath $(BUILD)/userland/include)"' -DTH_LIB_DIR='"$(abspath userland/lib)"'

SCHED_TESTS := $(BUILD)/tests/test_sched $(BUILD)/tests/test_sched_fs $(BUILD)/tests/test_vfs
SCHED_TESTS += $(BUILD)/tests/test_debug $(BUILD)/tests/test_hv $(BUILD)/tests/test_view
# Snapshots: the determinism property, resume rules, every damaged input (test_snap.c).
SCHED_TESTS += $(BUILD)/tests/test_snap
# Sessions, jobs, the console contract (issue 9).
SCHED_TESTS += $(BUILD)/tests/test_jobs
# Watching execution, imperfect mode, the random streams (tests/unit/test_watch.c);
# it assembles /apps/mutants from its source.
SCHED_TESTS += $(BUILD)/tests/test_watch
tests/unit/test_watch.c_REQ := -DWATCH_APPS_SRC='"$(abspath userland/apps)"'
UNIT_TESTS  += $(SCHED_TESTS)
$(SCHED_TESTS): $(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $$(SCHED_TEST_HOST_OBJ) | $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka -lm

# The output escaper's property test: its output goes through the frame
# demultiplexer and a terminal parser (docs/isolation.md).
UNIT_TESTS += $(BUILD)/tests/test_escape
$(BUILD)/tests/test_escape: $(BUILD)/host/tests/unit/test_escape.o \
		$(call host_obj,$(PXVM_ESCAPE_SRC) $(PXVM_FRAME_SRC) $(PXVM_CRC_SRC))
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# PNG datastream checks, against stb_image's encoder and decoder.
UNIT_TESTS += $(BUILD)/tests/test_pngcheck
$(BUILD)/tests/test_pngcheck: $(BUILD)/host/tests/unit/test_pngcheck.o $(call host_obj,$(PXVM_PNG_SRC) $(PXVM_CRC_SRC))
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka -lm

# The kernel log's kept lines (KLOG_READ, pxos.klog, dmesg).
UNIT_TESTS += $(BUILD)/tests/test_logring
$(BUILD)/tests/test_logring: $(BUILD)/host/tests/unit/test_logring.o $(BUILD)/host/pxvm/logring.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
