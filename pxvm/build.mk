# pxvm/ — portable VM, scheduler, syscalls and PixelFS: built twice, into the
# kernel (freestanding) and into host tools and tests. Each list is defined
# here once; the kernel, the host tools, the tests and the fuzz targets use it.
PXVM_ISA_SRC   := pxvm/isa.c pxvm/disasm.c
PXVM_CORE_SRC  := $(PXVM_ISA_SRC) pxvm/vm.c
PXVM_CRC_SRC   := pxvm/crc32.c
PXVM_FS_SRC    := $(PXVM_CRC_SRC) pxvm/pixelfs.c
PXVM_OS_SRC    := pxvm/sched.c pxvm/syscall.c pxvm/hv.c pxvm/ipc.c pxvm/vfs.c pxvm/tty.c \
	pxvm/debug.c pxvm/rng.c
# The serial bridge's frame codec (kernel/bridge.c and tools/pxbridge); it uses
# PXVM_CRC_SRC too.
PXVM_FRAME_SRC := pxvm/frame.c
PXVM_SRC       := $(PXVM_CORE_SRC) $(PXVM_FS_SRC) $(PXVM_OS_SRC) $(PXVM_FRAME_SRC)

PXVM_ISA_HOST_OBJ  := $(call host_obj,$(PXVM_ISA_SRC))
PXVM_CORE_HOST_OBJ := $(call host_obj,$(PXVM_CORE_SRC))
PXVM_FS_HOST_OBJ   := $(call host_obj,$(PXVM_FS_SRC))
PXVM_OS_HOST_OBJ   := $(call host_obj,$(PXVM_OS_SRC))

# Interpreter unit tests.
UNIT_TESTS += $(BUILD)/tests/test_vm
$(BUILD)/tests/test_vm: $(BUILD)/host/tests/unit/test_vm.o $(PXVM_CORE_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Trap hypervisor and random generator tests, with a test platform and fake LLM.
# It also runs ask, oracle and organism (built from userland/apps) against the fake LLM.
UNIT_TESTS += $(BUILD)/tests/test_hv
HV_TEST_APPS := $(BUILD)/userland/apps/ask.pxe $(BUILD)/userland/apps/oracle.pxe $(BUILD)/userland/apps/organism.pxe
tests/unit/test_hv.c_REQ := -DHV_TEST_APPS='"$(abspath $(BUILD))/userland/apps"'
# PORTABLE_HOST_OBJ: kernel/build.mk (the portable code: pxvm, VRAM, fb, font).
$(BUILD)/tests/test_hv: $(BUILD)/host/tests/unit/test_hv.o $$(PORTABLE_HOST_OBJ) | $(HV_TEST_APPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka

# Scheduler and system-call tests (cmocka) on the test platform
# tests/unit/sched_testhost.c: programs are assembled at run time with the
# pxasm library (tools/pxasm/build.mk), including pxos.inc from the build.
SCHED_TEST_HOST_SRC = tests/unit/sched_testhost.c $(PXASM_LIB_SRC) $(HOSTIO_SRC) $(PORTABLE_SRC)
SCHED_TEST_HOST_OBJ = $(call host_obj,$(SCHED_TEST_HOST_SRC))
tests/unit/sched_testhost.c_REQ = \
	-DTH_INC_DIR='"$(abspath $(BUILD)/userland/include)"' -DTH_LIB_DIR='"$(abspath userland/lib)"'

SCHED_TESTS := $(BUILD)/tests/test_sched $(BUILD)/tests/test_sched_fs
SCHED_TESTS += $(BUILD)/tests/test_debug
UNIT_TESTS  += $(SCHED_TESTS)
$(SCHED_TESTS): $(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $$(SCHED_TEST_HOST_OBJ) | $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka -lm
