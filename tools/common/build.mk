# tools/common — file and image input shared by the host tools
# (tools/common/hostio.h); the only place pxasm, pxdis, pxsim and pxbench get
# stb_image compiled.
# PNG input is checked (pxvm/pngcheck.c) before stb_image sees it.
HOSTIO_SRC := tools/common/hostio.c $(PXVM_PNG_SRC) $(PXVM_CRC_SRC)
HOSTIO_OBJ := $(call host_obj,$(HOSTIO_SRC))

# The row-0 layout record of a pxOS screendump (kernel/vram.h), for pxdis and
# pxdiff; its errors go through hostio_fail, so a user links HOSTIO_SRC too.
VRECORD_SRC := tools/common/vrecord.c

# Snapshot files (tools/common/snapfile.h): the format (pxvm/snapfmt.c); stb's
# PNG encoder and zlib come from the program's one stb build (hostio.c, or
# pxfs's png_io.c), so a user links HOSTIO_SRC too unless it has its own.
SNAPFILE_SRC := tools/common/snapfile.c $(PXVM_SNAPFMT_SRC) $(PXVM_CRC_SRC)
SNAPFILE_OBJ := $(call host_obj,$(SNAPFILE_SRC))
