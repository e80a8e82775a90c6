# The LLM's system prompts (docs/bridge-protocol.md, "System prompts"):
# tools/gen-sysprompt fills the hand-written templates of tools/sysprompt/
# with the ISA and ABI tables (pxvm/isa.h, pxvm/abi.h). The texts go into the
# ramdisk as /lib/llm/NAME.txt (pxOS sends their CRC-32 with the id) and,
# as a generated header, into pxbridge and pxsim (tools/common/sysprompt.c).
GEN_SYSPROMPT  := $(BUILD)/tools/gen-sysprompt
SYSPROMPT_DIR  := $(BUILD)/sysprompt
SYSPROMPT_TXT  := $(SYSPROMPT_DIR)/pxasm.txt $(SYSPROMPT_DIR)/python.txt
SYSPROMPT_DEFS := $(BUILD)/gen/sysprompt_defs.h
SYSPROMPT_SRC  := tools/common/sysprompt.c
SYSPROMPT_OBJ  := $(call host_obj,$(SYSPROMPT_SRC))
# tools/common/llmscript.c: the scripted LLM backend of pxbridge and pxsim.
LLMSCRIPT_SRC  := tools/common/llmscript.c
LLMSCRIPT_OBJ  := $(call host_obj,$(LLMSCRIPT_SRC))

$(GEN_SYSPROMPT): $(BUILD)/host/tools/gen-sysprompt.o $(PXVM_ISA_HOST_OBJ) $(call host_obj,$(PXVM_CRC_SRC))
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(sort $^) -o $@

$(SYSPROMPT_DIR)/pxasm.txt: tools/sysprompt/pxasm.txt tools/sysprompt/example.pxs $(GEN_SYSPROMPT)
	@mkdir -p $(@D)
	$(GEN_SYSPROMPT) tools/sysprompt/pxasm.txt tools/sysprompt/example.pxs > $@.tmp && mv $@.tmp $@

$(SYSPROMPT_DIR)/python.txt: tools/sysprompt/python.txt docs/python.md $(GEN_SYSPROMPT)
	@mkdir -p $(@D)
	$(GEN_SYSPROMPT) tools/sysprompt/python.txt docs/python.md > $@.tmp && mv $@.tmp $@

$(SYSPROMPT_DEFS): $(SYSPROMPT_TXT) $(GEN_SYSPROMPT)
	@mkdir -p $(@D)
	$(GEN_SYSPROMPT) --header $(foreach f,$(SYSPROMPT_TXT),$(basename $(notdir $f))=$f) > $@.tmp && mv $@.tmp $@

tools/common/sysprompt.c_REQ := -I$(BUILD)/gen
$(BUILD)/host/tools/common/sysprompt.o: $(SYSPROMPT_DEFS)

ALL_TARGETS += $(SYSPROMPT_TXT)

# LLM conversations on the host (tests/unit/test_llmchat.py): pxos.chat and
# LLM_CHAT through pxsim --llm-script, the prompts' contents, their example.
UNIT_TESTS += $(BUILD)/tests/test_llmchat
$(BUILD)/tests/test_llmchat: tests/unit/test_llmchat.py $$(PXSIM) $$(RAMDISK_PNG) $(BUILD)/tests/programs/llmchat.pxe \
		$(GEN_SYSPROMPT) $(SYSPROMPT_TXT) $$(PXASM) $$(PXOS_INC) tools/sysprompt/example.pxs
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s %s %s %s %s %s %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_llmchat.py)' \
		'$(abspath $(PXSIM))' '$(abspath $(RAMDISK_PNG))' '$(abspath $(BUILD)/tests/programs/llmchat.pxe)' \
		'$(abspath $(GEN_SYSPROMPT))' '$(abspath $(SYSPROMPT_DIR))' '$(abspath $(PXASM))' \
		'$(abspath $(dir $(PXOS_INC)))' '$(abspath userland/lib)' '$(abspath tools/sysprompt/example.pxs)' > $@
	chmod +x $@

# The scripted backend's rules (tools/common/llmscript.c): parsing, matching
# a conversation's last user turn, sequences, cut-short replies.
UNIT_TESTS += $(BUILD)/tests/test_llmscript
$(BUILD)/tests/test_llmscript: $(BUILD)/host/tests/unit/test_llmscript.o $(LLMSCRIPT_OBJ) $$(FRAME_HOST_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
