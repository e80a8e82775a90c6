/*
 * ramdisk.h — mounting the PixelFS ramdisk the loader brought (the PNG at
 * bootinfo.ramdisk): decode, check, mount. A corrupt image is reported and
 * the kernel goes on without files; a corrupt file is reported by name and
 * left out while the others mount.
 */
#ifndef PXOS_RAMDISK_H
#define PXOS_RAMDISK_H

#include "boot/bootinfo.h"
#include "pxvm/pixelfs.h"

/* ramdisk_mount: mount the ramdisk into `fs`. Returns 0 when an image was
 * mounted (possibly with rejected files), -1 when there is none or it is
 * unusable (fs then holds no files). Logs "pixelfs: mounted N files ..." on
 * success and one error line per problem. */
int ramdisk_mount(const struct pxos_bootinfo *bi, struct pxfs *fs);

#endif /* PXOS_RAMDISK_H */
