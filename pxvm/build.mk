# pxvm/ — portable VM, scheduler, syscalls and PixelFS: built twice, into the
# kernel (freestanding) and into host tools and tests.
PXVM_CORE_SRC := pxvm/isa.c pxvm/vm.c pxvm/disasm.c
PXVM_FS_SRC   := pxvm/crc32.c pxvm/pixelfs.c
PXVM_OS_SRC   := pxvm/sched.c pxvm/syscall.c pxvm/hv.c pxvm/ipc.c pxvm/vfs.c pxvm/tty.c
PXVM_SRC      := $(PXVM_CORE_SRC) $(PXVM_FS_SRC) $(PXVM_OS_SRC)

PXVM_CORE_HOST_OBJ := $(PXVM_CORE_SRC:%.c=$(BUILD)/host/%.o)
PXVM_FS_HOST_OBJ   := $(PXVM_FS_SRC:%.c=$(BUILD)/host/%.o)
PXVM_OS_HOST_OBJ   := $(PXVM_OS_SRC:%.c=$(BUILD)/host/%.o)
# The random generator (pxvm/rng.c), used by the hypervisor.
PXVM_SRC           += pxvm/rng.c
PXVM_OS_HOST_OBJ   += $(BUILD)/host/pxvm/rng.o

# Interpreter unit tests.
UNIT_TESTS += $(BUILD)/tests/test_vm
$(BUILD)/tests/test_vm: $(BUILD)/host/tests/unit/test_vm.o $(BUILD)/host/pxvm/vm.o $(BUILD)/host/pxvm/isa.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Trap hypervisor and random generator tests, with a test platform and fake LLM.
UNIT_TESTS += $(BUILD)/tests/test_hv
$(BUILD)/tests/test_hv: $(BUILD)/host/tests/unit/test_hv.o $(PXVM_CORE_HOST_OBJ) $(PXVM_FS_HOST_OBJ) \
		$(PXVM_OS_HOST_OBJ) $(BUILD)/host/kernel/vram.o $(DRIVERS_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
