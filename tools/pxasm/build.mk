# tools/pxasm — the pxVM assembler (docs/pxasm.md).
# Library part (also linked into the unit tests and the scheduler's test
# platform) and the command-line front end.
PXASM_LIB_SRC := tools/pxasm/lex.c tools/pxasm/source.c tools/pxasm/expr.c \
                 tools/pxasm/parse.c tools/pxasm/asm.c tools/pxasm/diag.c \
                 tools/pxasm/listing.c
PXASM_LIB_OBJ := $(call host_obj,$(PXASM_LIB_SRC) $(PXVM_ISA_SRC) $(HOSTIO_SRC))
PXASM         := $(BUILD)/tools/pxasm
ALL_TARGETS   += $(PXASM)

$(PXASM): $(BUILD)/host/tools/pxasm/main.o $(PXASM_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

# The command-line tools' tests share tests/unit/tooltest.c (environment,
# running the tool, reading its files, a scratch directory).
TOOLTEST_OBJ := $(BUILD)/host/tests/unit/tooltest.o

# Unit tests (cmocka): the assembler library, and the disassembler round trip.
# test_pxasm also runs $(PXASM) itself for the command-line checks.
$(BUILD)/tests/test_pxasm: $(BUILD)/host/tests/unit/test_pxasm.o $(TOOLTEST_OBJ) $(PXASM_LIB_OBJ) | $(PXASM)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(filter %.o,$^) -lcmocka

$(BUILD)/tests/test_disasm: $(BUILD)/host/tests/unit/test_disasm.o $(PXASM_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lcmocka

UNIT_TESTS += $(BUILD)/tests/test_pxasm $(BUILD)/tests/test_disasm

# Every message text in tools/pxasm/*.c must have a test in test_pxasm.c.
UNIT_TESTS += $(BUILD)/tests/test_pxasm_messages
$(BUILD)/tests/test_pxasm_messages: tests/unit/test_pxasm_messages.py
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s "$$@"\n' '$(PYTHON)' '$(abspath tests/unit/test_pxasm_messages.py)' \
		'$(abspath .)' > $@
	chmod +x $@
