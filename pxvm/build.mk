# pxvm/ — portable VM, scheduler, syscalls and PixelFS: built twice, into the
# kernel (freestanding) and into host tools and tests.
PXVM_CORE_SRC := pxvm/isa.c pxvm/vm.c pxvm/disasm.c
PXVM_FS_SRC   := pxvm/crc32.c pxvm/pixelfs.c
PXVM_OS_SRC   := pxvm/sched.c pxvm/syscall.c pxvm/hv.c
PXVM_SRC      := $(PXVM_CORE_SRC) $(PXVM_FS_SRC) $(PXVM_OS_SRC)

PXVM_CORE_HOST_OBJ := $(PXVM_CORE_SRC:%.c=$(BUILD)/host/%.o)
PXVM_FS_HOST_OBJ   := $(PXVM_FS_SRC:%.c=$(BUILD)/host/%.o)
PXVM_OS_HOST_OBJ   := $(PXVM_OS_SRC:%.c=$(BUILD)/host/%.o)

# Interpreter unit tests.
UNIT_TESTS += $(BUILD)/tests/test_vm
$(BUILD)/tests/test_vm: $(BUILD)/host/tests/unit/test_vm.o $(BUILD)/host/pxvm/vm.o $(BUILD)/host/pxvm/isa.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# The serial bridge's frame codec (kernel/bridge.c and tools/pxbridge).
PXVM_SRC += pxvm/frame.c
