# pxvm/ — portable VM, scheduler, syscalls and PixelFS: built twice, into the
# kernel (freestanding) and into host tools and tests.
PXVM_CORE_SRC := pxvm/isa.c pxvm/vm.c pxvm/disasm.c
PXVM_FS_SRC   := pxvm/crc32.c pxvm/pixelfs.c
PXVM_OS_SRC   := pxvm/sched.c pxvm/syscall.c pxvm/hv.c pxvm/ipc.c pxvm/vfs.c pxvm/tty.c
PXVM_SRC      := $(PXVM_CORE_SRC) $(PXVM_FS_SRC) $(PXVM_OS_SRC)

PXVM_CORE_HOST_OBJ := $(PXVM_CORE_SRC:%.c=$(BUILD)/host/%.o)
PXVM_FS_HOST_OBJ   := $(PXVM_FS_SRC:%.c=$(BUILD)/host/%.o)
PXVM_OS_HOST_OBJ   := $(PXVM_OS_SRC:%.c=$(BUILD)/host/%.o)

# Interpreter unit tests.
UNIT_TESTS += $(BUILD)/tests/test_vm
$(BUILD)/tests/test_vm: $(BUILD)/host/tests/unit/test_vm.o $(BUILD)/host/pxvm/vm.o $(BUILD)/host/pxvm/isa.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Scheduler and system-call tests (cmocka) on the test platform
# tests/unit/sched_testhost.c: programs are assembled at run time with the
# pxasm library, including pxos.inc from the build.
SCHED_TEST_PXASM_OBJ := $(patsubst %.c,$(BUILD)/host/%.o,$(filter-out tools/pxasm/main.c,$(wildcard tools/pxasm/*.c)))
SCHED_TEST_HOST_OBJ  := $(BUILD)/host/tests/unit/sched_testhost.o $(SCHED_TEST_PXASM_OBJ) \
	$(BUILD)/host/kernel/vram.o $(DRIVERS_HOST_OBJ) \
	$(PXVM_CORE_HOST_OBJ) $(PXVM_FS_HOST_OBJ) $(PXVM_OS_HOST_OBJ)
$(BUILD)/host/tests/unit/sched_testhost.o: HOST_CFLAGS += \
	-DTH_INC_DIR='"$(abspath $(BUILD)/userland/include)"' -DTH_LIB_DIR='"$(abspath userland/lib)"'

SCHED_TESTS := $(BUILD)/tests/test_sched $(BUILD)/tests/test_sched_fs
UNIT_TESTS  += $(SCHED_TESTS)
$(SCHED_TESTS): $(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $(SCHED_TEST_HOST_OBJ) | $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka -lm
