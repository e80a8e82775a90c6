# pxvm/ — portable VM, scheduler, syscalls and PixelFS: built twice, into the
# kernel (freestanding) and into host tools and tests.
PXVM_CORE_SRC := pxvm/isa.c pxvm/vm.c pxvm/disasm.c
PXVM_FS_SRC   := pxvm/crc32.c pxvm/pixelfs.c pxvm/pngcheck.c
PXVM_OS_SRC   := pxvm/sched.c pxvm/syscall.c pxvm/hv.c pxvm/ipc.c pxvm/vfs.c pxvm/tty.c
PXVM_OS_SRC   += pxvm/debug.c
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
# It also runs ask, oracle and organism (built from userland/apps) against the fake LLM.
HV_TEST_APPS := $(BUILD)/userland/apps/ask.pxe $(BUILD)/userland/apps/oracle.pxe $(BUILD)/userland/apps/organism.pxe
$(BUILD)/host/tests/unit/test_hv.o: HOST_REQ += -DHV_TEST_APPS='"$(abspath $(BUILD))/userland/apps"'
$(BUILD)/tests/test_hv: $(BUILD)/host/tests/unit/test_hv.o $(PXVM_CORE_HOST_OBJ) $(PXVM_FS_HOST_OBJ) \
		$(PXVM_OS_HOST_OBJ) $(BUILD)/host/kernel/vram.o $(DRIVERS_HOST_OBJ) | $(HV_TEST_APPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka

# The serial bridge's frame codec (kernel/bridge.c and tools/pxbridge).
PXVM_SRC += pxvm/frame.c

# The output escaper (docs/isolation.md) and its property test, which runs its
# output through the frame demultiplexer and a terminal parser.
PXVM_SRC += pxvm/escape.c
UNIT_TESTS += $(BUILD)/tests/test_escape
$(BUILD)/tests/test_escape: $(BUILD)/host/tests/unit/test_escape.o $(BUILD)/host/pxvm/escape.o \
		$(BUILD)/host/pxvm/frame.o $(BUILD)/host/pxvm/crc32.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# Scheduler and system-call tests (cmocka) on the test platform
# tests/unit/sched_testhost.c: programs are assembled at run time with the
# pxasm library, including pxos.inc from the build.
# (tools/build.mk, which names the pxasm library, is read after this file.)
SCHED_TEST_PXASM_SRC := $(filter-out tools/pxasm/main.c,$(wildcard tools/pxasm/*.c)) tools/common/hostio.c
SCHED_TEST_PXASM_OBJ := $(SCHED_TEST_PXASM_SRC:%.c=$(BUILD)/host/%.o)
SCHED_TEST_HOST_OBJ  := $(BUILD)/host/tests/unit/sched_testhost.o $(SCHED_TEST_PXASM_OBJ) \
	$(BUILD)/host/kernel/vram.o $(DRIVERS_HOST_OBJ) \
	$(PXVM_CORE_HOST_OBJ) $(PXVM_FS_HOST_OBJ) $(PXVM_OS_HOST_OBJ)
$(BUILD)/host/tests/unit/sched_testhost.o: HOST_CFLAGS += \
	-DTH_INC_DIR='"$(abspath $(BUILD)/userland/include)"' -DTH_LIB_DIR='"$(abspath userland/lib)"'

SCHED_TESTS := $(BUILD)/tests/test_sched $(BUILD)/tests/test_sched_fs
SCHED_TESTS += $(BUILD)/tests/test_debug
UNIT_TESTS  += $(SCHED_TESTS)
$(SCHED_TESTS): $(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $(SCHED_TEST_HOST_OBJ) | $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka -lm

# The VM fuzz target (tests/fuzz/fuzz_vm.c): libFuzzer with ASan and UBSan
# when $(FUZZ_CC) has it, else a standalone random driver built with the same
# sanitizers. `make fuzz-vm` runs it for VM_FUZZ_TIME seconds (crashes land in
# $(BUILD)/fuzz/); check-unit runs it for VM_FUZZ_CHECK_TIME seconds.
VM_FUZZ            := $(BUILD)/fuzz/fuzz_vm
VM_FUZZ_TIME       ?= 300
VM_FUZZ_CHECK_TIME ?= 20
# Only the target and pxvm/ get libFuzzer's coverage; the screen, the test
# platform and the assembler are built with the sanitizers alone (faster).
VM_FUZZ_SRC   := tests/fuzz/fuzz_vm.c $(PXVM_SRC)
VM_FUZZ_PLAIN := tests/unit/sched_testhost.c kernel/vram.c drivers/fb.c drivers/font.c \
	$(SCHED_TEST_PXASM_SRC)
VM_FUZZ_FLAGS = $(WARN_REQ) -I. -D_DEFAULT_SOURCE -g -O1 -fno-sanitize-recover=all \
	-DTH_INC_DIR='"$(abspath $(BUILD)/userland/include)"' -DTH_LIB_DIR='"$(abspath userland/lib)"'
.PHONY: fuzz-vm
# Seeds for libFuzzer: random records, half of the inputs all system calls
# (the shape that reaches the kernel's argument checks soonest).
define VM_FUZZ_SEEDS_PY
import random, sys
r = random.Random(7)
for i in range(16):
    n = 6 * r.randrange(10, 200)
    b = bytes((r.randrange(0xA0, 0x100) if j % 6 == 0 and i % 2 else r.randrange(256)) for j in range(n))
    open('%s/seed%02d' % (sys.argv[1], i), 'wb').write(b)
endef
export VM_FUZZ_SEEDS := $(VM_FUZZ_SEEDS_PY)

# Builds $(VM_FUZZ) and $(VM_FUZZ).run, a script that runs it for $$1 seconds
# whichever kind it is.
$(VM_FUZZ): $(VM_FUZZ_SRC) $(VM_FUZZ_PLAIN) $(BUILD)/host/drivers/font_data.o | $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)/vm-corpus $(@D)/vm-obj
	@if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' | \
	    $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(@D)/.probe 2>/dev/null; then \
		echo "$(FUZZ_CC) libFuzzer $@"; \
		for f in $(VM_FUZZ_PLAIN); do \
			$(FUZZ_CC) $(VM_FUZZ_FLAGS) -fsanitize=address,undefined -c $$f \
				-o $(@D)/vm-obj/$$(echo $$f | tr / _).o || exit 1; \
		done; \
		$(FUZZ_CC) $(VM_FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined $(VM_FUZZ_SRC) $(@D)/vm-obj/*.o \
			$(BUILD)/host/drivers/font_data.o -o $@ -lm && \
		printf '#!/bin/sh\ncd %s && exec ./fuzz_vm -max_total_time=$${1:-20} -max_len=2400 -timeout=20 -print_final_stats=1 vm-corpus\n' '$(abspath $(@D))' > $@.run && \
		$(PYTHON) -c "$$VM_FUZZ_SEEDS" $(@D)/vm-corpus; \
	else \
		echo "$(HOSTCC) standalone $@ (no libFuzzer)"; \
		$(HOSTCC) $(VM_FUZZ_FLAGS) -DFUZZ_STANDALONE -fsanitize=address,undefined $(filter %.c %.o,$^) -o $@ -lm && \
		printf '#!/bin/sh\nexec %s $${1:-20}\n' '$(abspath $@)' > $@.run; \
	fi
	@rm -f $(@D)/.probe
	@chmod +x $@.run

fuzz-vm: $(VM_FUZZ)
	$(VM_FUZZ).run $(VM_FUZZ_TIME)

UNIT_TESTS += $(BUILD)/tests/test_fuzz_vm
$(BUILD)/tests/test_fuzz_vm: $(VM_FUZZ)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(abspath $(VM_FUZZ)).run' '$(VM_FUZZ_CHECK_TIME)' > $@
	chmod +x $@

# PNG datastream checks (pxvm/pngcheck.c), against stb_image's encoder and decoder.
UNIT_TESTS += $(BUILD)/tests/test_pngcheck
$(BUILD)/tests/test_pngcheck: $(BUILD)/host/tests/unit/test_pngcheck.o $(BUILD)/host/pxvm/pngcheck.o \
		$(BUILD)/host/pxvm/crc32.o
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka -lm
