; font_data.asm — the embedded console fonts, copied at build time from Debian's
; console-setup-linux package (Terminus, SIL Open Font License 1.1):
;   terminus16.psf = /usr/share/consolefonts/Lat15-Terminus16.psf.gz, gunzipped (8x16)
;   terminus32.psf = /usr/share/consolefonts/Lat15-Terminus32x16.psf.gz, gunzipped (16x32)
bits 64
section .rodata
global font_terminus16, font_terminus16_end, font_terminus32, font_terminus32_end
font_terminus16:
	incbin "terminus16.psf"
font_terminus16_end:
font_terminus32:
	incbin "terminus32.psf"
font_terminus32_end:

section .note.GNU-stack noalloc noexec nowrite progbits
