# tests/ — host unit tests (cmocka) are registered by each area's build.mk in
# UNIT_TESTS; QEMU boot tests drive the built disk image through OVMF.
TEST_BIN := $(BUILD)/tests

check-unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done
	@echo "unit tests: all passed"

check-qemu: all
	@echo "qemu tests: none yet"
