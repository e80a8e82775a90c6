# tests/fuzz — every fuzz target, built and run one way (docs/build.md).
#
# Engine: libFuzzer when $(FUZZ_CC) has it (the target and the code under test
# get coverage instrumentation, helpers only the sanitizers), else the
# standalone driver tests/fuzz/standalone.c (same command line, seeded
# mutations, no coverage) built with $(HOSTCC). Both with ASan and UBSan.
# `make FUZZ_ENGINE=standalone ...` uses the driver even where libFuzzer is.
#
#   make fuzz-NAME   fuzz_NAME for FUZZ_TIME seconds from its seeds and
#                    $(BUILD)/fuzz/NAME-corpus (kept); crashes land in $(BUILD)/fuzz/;
#                    generator seed random, or FUZZ_SEED when given on the
#                    command line; printed first either way
#   check-unit       test_fuzz_NAME: FUZZ_RUNS_NAME inputs, generator seed
#                    FUZZ_SEED, from the seeds alone, so a failure repeats
#
# NAME: vm (the interpreter, scheduler and every system call: fuzz_vm.c),
# pixelfs (mount and lookups), frame (the bridge's frame codec), sse
# (pxbridge's SSE/JSON reader).
FUZZ_CC     ?= clang
FUZZ_CFLAGS ?= -g -O1
FUZZ_TIME   ?= 60
FUZZ_SEED   ?= 1
# make fuzz-NAME: FUZZ_SEED if the command line sets it, else run.sh draws one.
FUZZ_LONG_SEED = $(if $(filter command line,$(origin FUZZ_SEED)),$(FUZZ_SEED))
FUZZ_REQ    := $(WARN_REQ) -I. -D_DEFAULT_SOURCE -MMD -MP \
	-fsanitize=address,undefined -fno-sanitize-recover=all
# Inputs per target in check-unit: a few seconds each on this machine
# (docs/build.md); the VM target is the slow one (a whole scheduler per input).
FUZZ_RUNS_vm      ?= 3500
FUZZ_RUNS_pixelfs ?= 50000
FUZZ_RUNS_frame   ?= 100000
FUZZ_RUNS_sse     ?= 8000

# Decided once (sub-makes inherit it): does $(FUZZ_CC) have libFuzzer's runtime?
ifndef FUZZ_ENGINE
FUZZ_ENGINE := $(if $(filter /%,$(shell $(FUZZ_CC) -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)),libfuzzer,standalone)
endif
export FUZZ_ENGINE
FUZZ_DIR := $(BUILD)/fuzz/$(FUZZ_ENGINE)
ifeq ($(FUZZ_ENGINE),libfuzzer)
FUZZ_ENGINE_CC := $(FUZZ_CC)
FUZZ_COV_REQ   := -fsanitize=fuzzer-no-link
FUZZ_LINK_REQ  := -fsanitize=fuzzer
FUZZ_MAIN_OBJ  :=
else ifeq ($(FUZZ_ENGINE),standalone)
FUZZ_ENGINE_CC := $(HOSTCC)
FUZZ_COV_REQ   :=
FUZZ_LINK_REQ  :=
FUZZ_MAIN_OBJ  := $(FUZZ_DIR)/plain/tests/fuzz/standalone.o
else
$(error FUZZ_ENGINE=$(FUZZ_ENGINE): use libfuzzer or standalone)
endif

# $(FUZZ_ENGINE_FILE) holds the engine's name and changes only when it does, so
# what names an engine's files (the test wrappers) is remade after a switch.
FUZZ_ENGINE_FILE := $(BUILD)/fuzz/engine
$(FUZZ_ENGINE_FILE): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = $(FUZZ_ENGINE) ] || echo $(FUZZ_ENGINE) > $@
.PHONY: FORCE
FORCE:

# Objects: cov/ with coverage (a target and the code it tests), plain/ without.
$(FUZZ_DIR)/cov/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_ENGINE_CC) $(FUZZ_REQ) $(FUZZ_COV_REQ) $($<_REQ) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/plain/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_ENGINE_CC) $(FUZZ_REQ) $($<_REQ) $(FUZZ_CFLAGS) -c $< -o $@

# $(call fuzz_obj,COVERED,OTHERS): the objects of a fuzz target made of the
# sources COVERED (instrumented) and OTHERS (.c plain, .asm data as on the host).
fuzz_obj = $(patsubst %.c,$(FUZZ_DIR)/cov/%.o,$1) \
	$(patsubst %.c,$(FUZZ_DIR)/plain/%.o,$(filter %.c,$(filter-out $1,$2))) \
	$(call host_obj,$(filter %.asm,$2))
FUZZ_LINK = $(FUZZ_ENGINE_CC) $(FUZZ_REQ) $(FUZZ_LINK_REQ) $(FUZZ_CFLAGS) $(filter %.o,$^) -o $@

# The targets: what each one is made of (lists from the other fragments).
VM_FUZZ      := $(FUZZ_DIR)/fuzz_vm
PXFS_FUZZ    := $(FUZZ_DIR)/fuzz_pixelfs
FRAME_FUZZ   := $(FUZZ_DIR)/fuzz_frame
SSE_FUZZ     := $(FUZZ_DIR)/fuzz_sse
FUZZ_TARGETS := $(VM_FUZZ) $(PXFS_FUZZ) $(FRAME_FUZZ) $(SSE_FUZZ)

# fuzz_vm runs programs on the scheduler's test platform (pxvm/build.mk).
$(VM_FUZZ): $(call fuzz_obj,tests/fuzz/fuzz_vm.c $(PXVM_SRC),$(SCHED_TEST_HOST_SRC)) \
		$(FUZZ_MAIN_OBJ) | $(PXOS_INC)
	$(FUZZ_LINK) -lm
$(PXFS_FUZZ): $(call fuzz_obj,tests/fuzz/fuzz_pixelfs.c $(PXVM_FS_SRC)) $(FUZZ_MAIN_OBJ)
	$(FUZZ_LINK)
$(FRAME_FUZZ): $(call fuzz_obj,tests/fuzz/fuzz_frame.c $(FRAME_SRC)) $(FUZZ_MAIN_OBJ)
	$(FUZZ_LINK)
$(SSE_FUZZ): $(call fuzz_obj,tests/fuzz/fuzz_sse.c $(PXBRIDGE_SSE_SRC)) $(FUZZ_MAIN_OBJ)
	$(FUZZ_LINK) -lcjson

# Seed inputs, one directory per target ($(BUILD)/fuzz/NAME-seeds, made once).
FUZZ_SEED_DIR = $(BUILD)/fuzz/$1-seeds
$(BUILD)/fuzz/vm-seeds.done $(BUILD)/fuzz/sse-seeds.done: $(BUILD)/fuzz/%-seeds.done: tests/fuzz/seeds.py
	rm -rf $(BUILD)/fuzz/$*-seeds
	$(PYTHON) tests/fuzz/seeds.py $* $(BUILD)/fuzz/$*-seeds
	touch $@
# pixelfs: valid images from pxfs_build; frame: console text and frames of every type.
$(BUILD)/fuzz/pixelfs_seeds: $(BUILD)/host/tests/fuzz/pixelfs_seeds.o $(PXVM_FS_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@
$(BUILD)/fuzz/frame_seeds: $(BUILD)/host/tests/fuzz/frame_seeds.o $(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(filter %.o,$^) -o $@
$(BUILD)/fuzz/pixelfs-seeds.done $(BUILD)/fuzz/frame-seeds.done: $(BUILD)/fuzz/%-seeds.done: $(BUILD)/fuzz/%_seeds
	rm -rf $(BUILD)/fuzz/$*-seeds && mkdir -p $(BUILD)/fuzz/$*-seeds
	$< $(BUILD)/fuzz/$*-seeds
	touch $@

# $(call FUZZ_RUN_RULES,NAME,MAX_LEN): `make fuzz-NAME` and check-unit's
# test_fuzz_NAME (a wrapper running tests/fuzz/run.sh).
define FUZZ_RUN_RULES
.PHONY: fuzz-$1
fuzz-$1: $(FUZZ_DIR)/fuzz_$1 $(BUILD)/fuzz/$1-seeds.done
	bash tests/fuzz/run.sh long $(abspath $(FUZZ_DIR)/fuzz_$1) $(abspath $(BUILD)/fuzz/$1-seeds) \
		$(abspath $(BUILD)/fuzz) $2 $$(FUZZ_TIME) $$(FUZZ_LONG_SEED)

UNIT_TESTS += $(BUILD)/tests/test_fuzz_$1
$(BUILD)/tests/test_fuzz_$1: tests/fuzz/run.sh tests/fuzz/build.mk $(FUZZ_DIR)/fuzz_$1 $(BUILD)/fuzz/$1-seeds.done \
		$(FUZZ_ENGINE_FILE)
	@mkdir -p $$(@D)
	printf '#!/bin/sh\nexec /bin/bash %s check %s %s %s %s %s %s\n' '$(abspath tests/fuzz/run.sh)' \
		'$(abspath $(FUZZ_DIR)/fuzz_$1)' '$(abspath $(BUILD)/fuzz/$1-seeds)' '$(abspath $(BUILD)/fuzz)' \
		'$2' '$$(FUZZ_SEED)' '$$(FUZZ_RUNS_$1)' > $$@
	chmod +x $$@
endef
$(eval $(call FUZZ_RUN_RULES,vm,2400))
$(eval $(call FUZZ_RUN_RULES,pixelfs,65536))
$(eval $(call FUZZ_RUN_RULES,frame,16384))
$(eval $(call FUZZ_RUN_RULES,sse,8192))
