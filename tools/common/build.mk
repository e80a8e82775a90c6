# tools/common — file and image input shared by the host tools
# (tools/common/hostio.h); the only place pxasm, pxdis, pxsim and pxbench get
# stb_image compiled.
# PNG input is checked (pxvm/pngcheck.c) before stb_image sees it.
HOSTIO_SRC := tools/common/hostio.c $(PXVM_PNG_SRC) $(PXVM_CRC_SRC)
HOSTIO_OBJ := $(call host_obj,$(HOSTIO_SRC))

# The row-0 layout record of a pxOS screendump (kernel/vram.h), for pxdis and pxdiff.
VRECORD_SRC := tools/common/vrecord.c
