# pxOS — the one entry point: build, run, test, images, deps.
#
#   make            build everything into build/ (loader, kernel, tools, userland,
#                   PixelFS ramdisk, ESP tree, raw USB disk image)
#   make run        boot pxOS in QEMU (window + serial console on this terminal)
#   make test       every test: host unit tests, then QEMU boot tests
#   make deps       install the Debian packages pxOS needs (idempotent)
#   make iso        hybrid ISO (CD or USB) in build/pxos.iso
#   make debug      QEMU paused with a gdb stub, and gdb attached to the kernel
#   make clean      remove build/
#   make bench      pxVM against Lua, throughput, in-QEMU speed (docs/performance.md)
#   make fuzz-NAME  run one fuzz target for FUZZ_TIME seconds (tests/fuzz/build.mk)
#
# Flags (docs/build.md): variables ending in _REQ are required and always applied;
# the flag variables without it (HOST_CFLAGS, KERNEL_CFLAGS, LOADER_CFLAGS,
# FUZZ_CFLAGS) hold only optimisation and debug flags and are yours to override,
# e.g. `make HOST_CFLAGS='-O0 -g'`: nothing a build needs is lost. CFLAGS is not
# used (three kinds of code, three variables). tests/unit/test_build_flags.py
# (in check-unit) checks that overriding them keeps every required flag.

BUILD       ?= build
# One spelling of the build directory: a path inside the tree given absolute
# (the QEMU tests pass BUILD=/abs/build) is made relative, so the dependency
# files (-MMD) always name the targets the way the next build looks them up.
override BUILD := $(patsubst $(CURDIR)/%,%,$(abspath $(BUILD)))
HOSTCC      ?= cc
CC          ?= cc
LD          ?= ld
OBJCOPY     ?= objcopy
NASM        ?= nasm
PYTHON      ?= /usr/bin/python3
QEMU        ?= qemu-system-x86_64

# User-overridable optimisation/debug flags (listed in USER_FLAGS).
HOST_CFLAGS   ?= -O2 -g
KERNEL_CFLAGS ?= -O2 -g
LOADER_CFLAGS ?= -O2
USER_FLAGS    := CFLAGS HOST_CFLAGS KERNEL_CFLAGS LOADER_CFLAGS FUZZ_CFLAGS

# Required flags for every C file we own.
WARN_REQ      := -std=c11 -Wall -Wextra -Werror
HOST_REQ      := $(WARN_REQ) -I. -D_DEFAULT_SOURCE -MMD -MP
# A source that needs defines of its own wherever it is compiled (host and fuzz
# builds) gets them in the variable named after it: `path/file.c_REQ := -D...`.

.DEFAULT_GOAL := all
.PHONY: all run test deps iso img debug clean check-unit check-qemu tools print-user-flags
# Prerequisites written $$(VAR) are expanded after every fragment is read, so a
# fragment may name a list that a later one defines (check-unit: UNIT_TESTS).
.SECONDEXPANSION:

# Every fragment appends to these.
ALL_TARGETS :=
UNIT_TESTS  :=

# $(call host_obj,SOURCES): the host objects of .c/.asm sources (build/host/...).
host_obj = $(patsubst %,$(BUILD)/host/%.o,$(basename $1))
# $(call uniq,LIST): LIST without repeats, in first-seen order.
uniq = $(if $1,$(firstword $1) $(call uniq,$(filter-out $(firstword $1),$1)))

# Host objects: build/host/<path>.o from <path>.c (tools, tests, host runner).
$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_REQ) $($<_REQ) $(HOST_CFLAGS) -c $< -o $@

# Missing packages: say `make deps` before any compiler error (tools/deps.sh
# --check looks for the key commands and headers, a few milliseconds). Goals
# that run deps.sh first (deps, run, debug, test) and clean skip the check.
ifeq ($(filter deps clean run debug test,$(MAKECMDGOALS)),)
DEPS_GROUPS  := build $(if $(filter check-% bench fuzz-% iso boot-check,$(MAKECMDGOALS)),test)
DEPS_MISSING := $(shell bash tools/deps.sh --check $(DEPS_GROUPS))
ifneq ($(DEPS_MISSING),)
$(error $(DEPS_MISSING))
endif
endif

# Libraries before the programs that use them.
include drivers/build.mk
include pxvm/build.mk
include pxvm/py/build.mk
include kernel/build.mk
include boot/build.mk
include tools/sbenroll/build.mk
include tools/common/build.mk
include tools/sysprompt/build.mk
include tools/pxasm/build.mk
include tools/pxfs/build.mk
include tools/pxsim/build.mk
include tools/pxbridge/build.mk
include userland/build.mk
include iso/build.mk
include tools/pxdis/build.mk
include tools/pxdiff/build.mk
include tests/bench/build.mk
include tests/fuzz/build.mk
include tests/build.mk

all: $(ALL_TARGETS)

deps:
	@bash tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@bash tools/run-qemu.sh $(BUILD)/pxos.img

debug: deps
	@$(MAKE) --no-print-directory all
	@bash tools/run-qemu.sh --debug $(BUILD)/pxos.img

test: deps
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory all && \
	$(MAKE) --no-print-directory check-unit && \
	$(MAKE) --no-print-directory check-qemu; rc=$$?; \
	echo "make test: wall $$(( $$(date +%s) - t0 )) s, $$([ $$rc = 0 ] && echo passed || echo FAILED)"; \
	exit $$rc

clean:
	rm -rf $(BUILD)

# NAME=value for each user flag variable (tests/unit/test_build_flags.py).
print-user-flags:
	@$(foreach v,$(USER_FLAGS),echo '$v=$($v)';)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
