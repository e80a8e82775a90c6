# tests/bench — `make bench`: pxVM against Lua 5.4, LuaJIT's interpreter
# (-joff) and LuaJIT with its JIT on the same four algorithms, throughput under
# the scheduler with 1, 8 and 32 processes, the interpreter with watching off
# against one built without watching (and watching on), and the instructions
# per second inside QEMU.
# docs/performance.md has the figures and how to read them. `make test` runs
# every benchmark once at a small size and checks its result (test_bench).
BENCH_NAMES := loop fib sieve copy
BENCH_PXE   := $(patsubst %,$(BUILD)/tests/bench/%.pxe,$(BENCH_NAMES) qbench)
PXBENCH     := $(BUILD)/tests/bench/pxbench
PXBENCH_OBJ := $(BUILD)/host/tests/bench/pxbench.o $(PORTABLE_HOST_OBJ) $(HOSTIO_OBJ) $(PY_HOST_OBJ)
# The same with pxvm/vm.c built without watching (tests/bench/vm_nowatch.c):
# the baseline of the "watching off" table, which shows that the off path costs
# the interpreter nothing.
PXBENCH_NOWATCH     := $(BUILD)/tests/bench/pxbench-nowatch
PXBENCH_NOWATCH_OBJ := $(BUILD)/host/tests/bench/vm_nowatch.o \
	$(filter-out $(BUILD)/host/pxvm/vm.o,$(PXBENCH_OBJ))
.PHONY: bench

$(PXBENCH): $(PXBENCH_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ $(PY_HOST_LDFLAGS) -lm

$(PXBENCH_NOWATCH): $(PXBENCH_NOWATCH_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ $(PY_HOST_LDFLAGS) -lm

$(BUILD)/tests/bench/%.pxe: tests/bench/%.pxs tests/bench/benchlib.pxs $(PXASM) $(PXOS_INC) $(USER_LIB)
	@mkdir -p $(@D)
	$(PXASM) $(PXASM_FLAGS) -I tests/bench -o $@ -l $(@:.pxe=.lst) $<

UNIT_TESTS += $(BUILD)/tests/test_bench
$(BUILD)/tests/test_bench: tests/bench/test_bench.sh tests/bench/bench.py $(PXBENCH) $(PXBENCH_NOWATCH) $(BENCH_PXE)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec /bin/sh %s %s %s %s "$$@"\n' '$(abspath tests/bench/test_bench.sh)' \
		'$(abspath $(PXBENCH))' '$(abspath $(BUILD)/tests/bench)' '$(PYTHON)' > $@
	chmod +x $@

# MicroPython's unix port from the same fetched source with the same language
# and speed choices (tests/bench/mpy-unix, pxvm/py/mpconfigcore.h), built by
# its own makefile into build/micropython/unix: what pxOS's Python guests are
# compared with. None of our command-line variables may reach that make.
MPY_UNIX := $(MPY_DIR)/unix/micropython
$(MPY_UNIX): $(MPY_STAMP) tests/bench/mpy-unix/mpconfigvariant.h tests/bench/mpy-unix/mpconfigvariant.mk \
		pxvm/py/mpconfigcore.h
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C $(MPY_SRC)/ports/unix \
		VARIANT_DIR=$(abspath tests/bench/mpy-unix) BUILD=$(abspath $(MPY_DIR)/unix) \
		COPT="$(HOST_CFLAGS) -DNDEBUG" CFLAGS_EXTRA="-I$(abspath .)" >$(MPY_DIR)/unix.log 2>&1 \
		|| { tail -20 $(MPY_DIR)/unix.log; exit 1; }

bench: all $(PXBENCH) $(PXBENCH_NOWATCH) $(BENCH_PXE) $(MPY_UNIX)
	$(PYTHON) tests/bench/bench.py --build $(BUILD)
