# pxvm/py/ — Python guests: MicroPython (fetched, never kept in the
# repository), the Python process kind and the pxos module (docs/python.md).
#
# 1. tools/micropython.sh fetches Debian's source package micropython
#    1.25.0+ds-1 with apt-get, checks its SHA-256 and unpacks it into
#    $(MPY_SRC) (build/micropython/src), once.
# 2. MicroPython's own scripts make the generated headers (qstrs, module
#    table, root pointers) for our configuration (pxvm/py/mpconfigport.h)
#    and our modules: pxvm/py/genhdr.mk, in $(MPY_GEN).
# 3. Its core (py/), its GC register scan (shared/runtime/gchelper_generic.c)
#    and, in the kernel, its maths library (lib/libm_dbl) are compiled twice,
#    hosted and freestanding, and each set is linked into one relocatable
#    object (tests/layers.txt places the kernel's as pxvm/py/micropython).
#    Objects go to build/host/micropython/ and build/kernel/micropython/.
#
# Flags: MicroPython's sources and the parts of ours that run on a Python
# process's stack (PY_STACK_SRC) are built with SSE in the kernel (MPY_KREQ:
# the kernel's required flags without -mgeneral-regs-only; still no red zone,
# interrupts use the same stack); the kind itself (pyproc.c) and everything
# else stays -mgeneral-regs-only. MicroPython's own code gets its warnings
# without -Wunused-parameter and -Wmissing-field-initializers (it is written
# for -Wall -Werror); ours gets WARN_REQ like every file we own.
MPY_DIR     := $(BUILD)/micropython
MPY_SRC     := $(MPY_DIR)/src
MPY_STAMP   := $(MPY_SRC)/.pxos-ok
MPY_GEN     := $(MPY_DIR)/gen
MPY_GENHDR  := $(MPY_GEN)/genhdr.stamp
MPY_INC     := -I$(MPY_SRC) -I$(MPY_GEN) -Ipxvm/py -I.
# Ours include MicroPython's headers as system headers: WARN_REQ applies to
# our code, not to warnings MicroPython's inline functions raise.
PY_INC      := -isystem $(MPY_SRC) -isystem $(MPY_GEN) -Ipxvm/py -I.
MPY_WARN    := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# musl's maths (lib/libm_dbl) is written for -Wall alone.
$(BUILD)/kernel/micropython/lib/libm_dbl/%.o: MPY_WARN += -Wno-sign-compare -Wno-maybe-uninitialized -Wno-parentheses \
	-Wno-unused-but-set-variable -Wno-float-conversion
MPY_DEFS    := -DNDEBUG

# MicroPython 1.25.0's core: every file of py/ (those for other targets
# compile to nothing), as its embed port builds it.
MPY_PY := argcheck asmarm asmbase asmrv32 asmthumb asmx64 asmx86 asmxtensa bc binary builtinevex \
	builtinhelp builtinimport compile cstack emitbc emitcommon emitglue emitinlinerv32 emitinlinethumb \
	emitinlinextensa emitnarm emitnative emitndebug emitnrv32 emitnthumb emitnx64 emitnx86 emitnxtensa \
	emitnxtensawin formatfloat frozenmod gc lexer malloc map modarray modbuiltins modcmath \
	modcollections moderrno modgc modio modmath modmicropython modstruct modsys modthread mpprint \
	mpstate mpz nativeglue nlr nlraarch64 nlrmips nlrpowerpc nlrrv32 nlrrv64 nlrsetjmp nlrthumb nlrx64 \
	nlrx86 nlrxtensa obj objarray objattrtuple objbool objboundmeth objcell objclosure objcode \
	objcomplex objdeque objdict objenumerate objexcept objfilter objfloat objfun objgenerator \
	objgetitemiter objint objint_longlong objint_mpz objlist objmap objmodule objnamedtuple objnone \
	objobject objpolyiter objproperty objrange objreversed objringio objset objsingleton objslice \
	objstr objstringio objstrunicode objtuple objtype objzip opmethods pairheap parse parsenum \
	parsenumbase persistentcode profile pystack qstr reader repl ringbuf runtime runtime_utils \
	scheduler scope sequence showbc smallint stackctrl stream unicode vm vstr warning
MPY_LIBM := __cos __expo2 __fpclassify __rem_pio2 __rem_pio2_large __signbit __sin __tan acos acosh \
	asin asinh atan atan2 atanh ceil copysign cos cosh erf exp expm1 floor fmod frexp ldexp lgamma \
	log log10 log1p modf nearbyint pow rint round scalbn sin sinh sqrt tan tanh tgamma trunc
MPY_C_HOST   := $(addprefix py/,$(MPY_PY)) shared/runtime/gchelper_generic shared/readline/readline
MPY_C_KERNEL := $(MPY_C_HOST) $(addprefix lib/libm_dbl/,$(MPY_LIBM))

# Ours: what runs on a Python process's stack, and the kind.
PY_STACK_SRC := pxvm/py/pymain.c pxvm/py/modpxos.c pxvm/py/pyfile.c pxvm/py/pylibc.c
PY_KIND_SRC  := pxvm/py/pyproc.c
PY_ASM_SRC   := kernel/pyswitch.asm

# The source tree: fetched once (tools/micropython.sh checks the pin).
$(MPY_STAMP): tools/micropython.sh
	bash tools/micropython.sh $(MPY_DIR)
$(addprefix $(MPY_SRC)/,$(addsuffix .c,$(MPY_C_KERNEL))): $(MPY_STAMP) ;

# The generated headers. The sub-make runs MicroPython's makefiles: none of
# our command-line variables (BUILD, CFLAGS, ...) may reach it. It rewrites a
# header only when its content changes, so objects are rebuilt only then (the
# stamp records the run). pxvm/abi.h names the error codes the pxos module
# exports (pxos.E*: qstrs).
$(MPY_GENHDR): $(MPY_STAMP) pxvm/py/genhdr.mk pxvm/py/mpconfigport.h pxvm/py/mpconfigcore.h $(PY_STACK_SRC) pxvm/abi.h
	@mkdir -p $(MPY_GEN)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C $(MPY_GEN) \
		-f $(abspath pxvm/py/genhdr.mk) MICROPYTHON_TOP=$(abspath $(MPY_SRC)) PXOS_TOP=$(abspath .) \
		PY_QSTR_SRC="$(abspath $(PY_STACK_SRC) $(MPY_SRC)/shared/readline/readline.c)" \
		PY_QSTR_CFLAGS="-I$(abspath $(MPY_SRC)) -I. -I$(abspath pxvm/py) -I$(abspath .) $(MPY_DEFS)"
	@touch $@

# The generated headers come from that run. Our objects name them (and
# MicroPython's headers, which -isystem keeps out of -MMD's lists) here.
MPY_GEN_H := $(addprefix $(MPY_GEN)/genhdr/,qstrdefs.generated.h moduledefs.h root_pointers.h mpversion.h)
$(MPY_GEN_H): $(MPY_GENHDR) ;
$(call host_obj,$(PY_STACK_SRC)) $(PY_STACK_SRC:%.c=$(BUILD)/kernel/%.o): $(MPY_GEN_H) pxvm/py/mpconfigport.h pxvm/py/mpconfigcore.h

# Hosted objects (pxsim, the tests, the bench).
MPY_HOST_OBJ := $(patsubst %,$(BUILD)/host/micropython/%.o,$(MPY_C_HOST))
$(BUILD)/host/micropython/%.o: $(MPY_SRC)/%.c | $(MPY_GENHDR)
	@mkdir -p $(@D)
	$(HOSTCC) $(MPY_WARN) $(MPY_INC) $(MPY_DEFS) -MMD -MP $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/host/pxvm/py/micropython.o: $(MPY_HOST_OBJ)
	@mkdir -p $(@D)
	$(LD) -r $(PY_LDFLAGS) -o $@ $^

# Freestanding objects (the kernel), SSE on.
MPY_KREQ = $(filter-out -mgeneral-regs-only $(WARN_REQ),$(KERNEL_REQ)) -msse2 -mfpmath=sse
MPY_KERNEL_OBJ := $(patsubst %,$(BUILD)/kernel/micropython/%.o,$(MPY_C_KERNEL))
$(BUILD)/kernel/micropython/%.o: $(MPY_SRC)/%.c | $(MPY_GENHDR)
	@mkdir -p $(@D)
	$(CC) $(MPY_WARN) $(MPY_KREQ) -Ipxvm/py/kinc $(MPY_INC) $(MPY_DEFS) $(KERNEL_CFLAGS) -c $< -o $@
$(BUILD)/kernel/pxvm/py/micropython.o: $(MPY_KERNEL_OBJ)
	@mkdir -p $(@D)
	$(LD) -r $(PY_LDFLAGS) -o $@ $^

# Our code on a Python stack: MicroPython's headers, SSE in the kernel.
PY_HOST_OBJ := $(call host_obj,$(PY_STACK_SRC) $(PY_KIND_SRC) $(PY_ASM_SRC)) $(BUILD)/host/pxvm/py/micropython.o
$(call host_obj,$(PY_STACK_SRC)): $(BUILD)/host/%.o: %.c | $(MPY_GENHDR)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_REQ) $(PY_INC) $(MPY_DEFS) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/host/kernel/pyswitch.o: kernel/pyswitch.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 $< -o $@
$(PY_STACK_SRC:%.c=$(BUILD)/kernel/%.o): $(BUILD)/kernel/%.o: %.c | $(MPY_GENHDR)
	@mkdir -p $(@D)
	$(CC) $(WARN_REQ) $(MPY_KREQ) -Ipxvm/py/kinc $(PY_INC) $(MPY_DEFS) $(KERNEL_CFLAGS) -c $< -o $@

PY_LDFLAGS := --wrap=mp_iternext

# What the kernel links (kernel/build.mk adds it to KERNEL_OBJ) and what a
# host program links to run Python (-lm too).
PY_KERNEL_OBJ := $(PY_STACK_SRC:%.c=$(BUILD)/kernel/%.o) $(PY_KIND_SRC:%.c=$(BUILD)/kernel/%.o) \
	$(BUILD)/kernel/kernel/pyswitch.o $(BUILD)/kernel/pxvm/py/micropython.o
# mp_iternext is wrapped when MicroPython's objects are joined (ld -r: the
# calls between them are still undefined references there): every step of
# an iteration in C takes one unit of the budget (pxvm/py/pylibc.c), so
# sum(range(10**15)) is preempted too. The final links need nothing more.
PY_HOST_LDFLAGS :=

# Python guests on the shared test platform (tests/unit/test_python.c), with
# the Python programs of userland/apps as shipped.
UNIT_TESTS += $(BUILD)/tests/test_python
tests/unit/test_python.c_REQ := -DPY_TEST_APPS='"$(abspath userland/apps)"'
$(BUILD)/tests/test_python: $(BUILD)/host/tests/unit/test_python.o $$(SCHED_TEST_HOST_OBJ) $(PY_HOST_OBJ) \
		| $(BUILD)/userland/include/pxos.inc
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@ $(PY_HOST_LDFLAGS) -lcmocka -lm

# Python guests in QEMU (tests/qemu/test_python.py): the REPL over serial,
# RUN_PYTHON from a pxVM program, call_llm through pxbridge's scripted
# backend, a pixel in a screendump; part of check-qemu.
.PHONY: check-python
check-python: all $(BUILD)/tests/programs/runpy.pxe
	$(PYTHON) tests/qemu/test_python.py --build $(BUILD)
check-qemu: check-python
