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
#
# Flags: variables ending in _REQ are required and always applied; CFLAGS-style
# variables without it (HOST_CFLAGS, KERNEL_CFLAGS, LOADER_CFLAGS) are yours to
# override, e.g. `make KERNEL_CFLAGS=-O0`.

BUILD       ?= build
HOSTCC      ?= cc
CC          ?= cc
LD          ?= ld
OBJCOPY     ?= objcopy
NASM        ?= nasm
PYTHON      ?= /usr/bin/python3
QEMU        ?= qemu-system-x86_64

# User-overridable optimisation/debug flags.
HOST_CFLAGS   ?= -O2 -g
KERNEL_CFLAGS ?= -O2 -g
LOADER_CFLAGS ?= -O2

# Required flags for every C file we own.
WARN_REQ      := -std=c11 -Wall -Wextra -Werror
HOST_REQ      := $(WARN_REQ) -I. -D_DEFAULT_SOURCE -MMD -MP

.DEFAULT_GOAL := all
.PHONY: all run test deps iso img debug clean check-unit check-qemu tools

# Every fragment appends to these.
ALL_TARGETS :=
UNIT_TESTS  :=

# Host objects: build/host/<path>.o from <path>.c (tools, tests, host runner).
$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_REQ) $(HOST_CFLAGS) -c $< -o $@

include drivers/build.mk
include pxvm/build.mk
include kernel/build.mk
include boot/build.mk
include tools/build.mk
include tools/pxsim/build.mk
include tools/pxbridge/build.mk
include userland/build.mk
include iso/build.mk
include tools/pxdis/build.mk
include tests/bench/build.mk
# Last: check-unit depends on every UNIT_TESTS entry registered above.
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
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-unit
	@$(MAKE) --no-print-directory check-qemu

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
