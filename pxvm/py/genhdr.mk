# genhdr.mk — MicroPython's generated headers (qstrs, module table, root
# pointers, version) for pxOS's configuration, made by MicroPython's own
# scripts from the fetched source. Run by pxvm/py/build.mk as
#   make -C GENDIR -f pxvm/py/genhdr.mk MICROPYTHON_TOP=SRC PXOS_TOP=REPO \
#        PY_QSTR_SRC="our sources that use MP_QSTR_*" PY_QSTR_CFLAGS=...
# Output: GENDIR/genhdr/{qstrdefs.generated.h,moduledefs.h,root_pointers.h,mpversion.h}.
BUILD := .
include $(MICROPYTHON_TOP)/py/mkenv.mk
include $(TOP)/py/py.mk
# Our configuration and pxvm/abi.h (pxos.E*) by their full paths (a change
# of them redoes every qstr),
# and by vpath where MicroPython names it bare.
QSTR_GLOBAL_DEPENDENCIES := $(filter-out mpconfigport.h,$(QSTR_GLOBAL_DEPENDENCIES)) $(PXOS_TOP)/pxvm/py/mpconfigport.h $(PXOS_TOP)/pxvm/py/mpconfigcore.h $(PXOS_TOP)/pxvm/abi.h
vpath mpconfigport.h $(PXOS_TOP)/pxvm/py
CFLAGS += $(PY_QSTR_CFLAGS)
SRC_QSTR += $(PY_QSTR_SRC)
MICROPY_ROM_TEXT_COMPRESSION := 0
GENHDR_OUTPUT := $(addprefix $(HEADER_BUILD)/,moduledefs.h mpversion.h qstrdefs.generated.h root_pointers.h)
all: $(GENHDR_OUTPUT)
include $(TOP)/py/mkrules.mk
