# tools/common — file and image input shared by the host tools
# (tools/common/hostio.h); the only place pxasm, pxdis, pxsim and pxbench get
# stb_image compiled.
HOSTIO_SRC := tools/common/hostio.c
HOSTIO_OBJ := $(call host_obj,$(HOSTIO_SRC))
