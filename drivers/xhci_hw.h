/*
 * xhci_hw.h — xHCI register, context and TRB layouts (eXtensible Host
 * Controller Interface for USB, revision 1.2, Intel 2019). Section numbers
 * below are that spec's. Definitions only; portable.
 */
#ifndef PXOS_XHCI_HW_H
#define PXOS_XHCI_HW_H

#include <stdint.h>

/* Capability registers (§5.3), offsets from BAR 0. */
#define XHCI_CAPLENGTH   0x00   /* 8 bits; HCIVERSION in bits 31:16 of the dword */
#define XHCI_HCSPARAMS1  0x04   /* MaxSlots 7:0, MaxIntrs 18:8, MaxPorts 31:24 */
#define XHCI_HCSPARAMS2  0x08   /* scratchpad count: hi 25:21, lo 31:27 */
#define XHCI_HCCPARAMS1  0x10   /* AC64 bit 0, CSZ bit 2, PPC bit 3, xECP 31:16 */
#define XHCI_DBOFF       0x14
#define XHCI_RTSOFF      0x18

#define XHCI_HCC_AC64    (1u << 0)
#define XHCI_HCC_CSZ     (1u << 2)
#define XHCI_HCC_PPC     (1u << 3)

/* Operational registers (§5.4), offsets from BAR 0 + CAPLENGTH. */
#define XHCI_USBCMD      0x00
#define XHCI_USBSTS      0x04
#define XHCI_PAGESIZE    0x08
#define XHCI_DNCTRL      0x14
#define XHCI_CRCR        0x18   /* 64 bits */
#define XHCI_DCBAAP      0x30   /* 64 bits */
#define XHCI_CONFIG      0x38
#define XHCI_PORTSC(n)   (0x400 + 0x10 * ((n) - 1))   /* port n = 1..MaxPorts */

#define XHCI_CMD_RUN     (1u << 0)
#define XHCI_CMD_HCRST   (1u << 1)
#define XHCI_CMD_INTE    (1u << 2)
#define XHCI_STS_HCH     (1u << 0)   /* halted */
#define XHCI_STS_HSE     (1u << 2)   /* host system error */
#define XHCI_STS_EINT    (1u << 3)
#define XHCI_STS_PCD     (1u << 4)
#define XHCI_STS_CNR     (1u << 11)  /* controller not ready */
#define XHCI_STS_HCE     (1u << 12)  /* host controller error */
#define XHCI_CRCR_RCS    (1u << 0)
#define XHCI_CRCR_CA     (1u << 2)   /* command abort */
#define XHCI_CRCR_CRR    (1u << 3)   /* command ring running */

/* PORTSC (§5.4.8). */
#define XHCI_PORT_CCS    (1u << 0)   /* device connected */
#define XHCI_PORT_PED    (1u << 1)   /* enabled; writing 1 disables the port */
#define XHCI_PORT_OCA    (1u << 3)
#define XHCI_PORT_PR     (1u << 4)   /* reset */
#define XHCI_PORT_PLS(v) (((v) >> 5) & 0xF)
#define XHCI_PORT_PP     (1u << 9)   /* power */
#define XHCI_PORT_SPEED(v) (((v) >> 10) & 0xF)
#define XHCI_PORT_CSC    (1u << 17)  /* change bits 17..23 are write-1-to-clear */
#define XHCI_PORT_PEC    (1u << 18)
#define XHCI_PORT_WRC    (1u << 19)
#define XHCI_PORT_OCC    (1u << 20)
#define XHCI_PORT_PRC    (1u << 21)
#define XHCI_PORT_PLC    (1u << 22)
#define XHCI_PORT_CEC    (1u << 23)
#define XHCI_PORT_CHANGES (0x7Fu << 17)
#define XHCI_PORT_WPR    (1u << 31)  /* warm reset (USB3 ports) */
/* The bits a write must carry over unchanged (power, indicator, wake
 * enables); everything else written as 0 is harmless (RW1C, RO, or PED). */
#define XHCI_PORT_KEEP   ((1u << 9) | (3u << 14) | (7u << 25))

/* Port speed IDs (default Protocol Speed IDs, §7.2.2.1.1). */
#define XHCI_SPEED_FULL  1
#define XHCI_SPEED_LOW   2
#define XHCI_SPEED_HIGH  3
#define XHCI_SPEED_SUPER 4
#define XHCI_SPEED_SUPER_PLUS 5

/* Runtime registers (§5.5): interrupter 0 at +0x20. */
#define XHCI_IMAN        0x20
#define XHCI_IMOD        0x24
#define XHCI_ERSTSZ      0x28
#define XHCI_ERSTBA      0x30   /* 64 bits */
#define XHCI_ERDP        0x38   /* 64 bits */
#define XHCI_ERDP_EHB    (1u << 3)
#define XHCI_IMAN_IP     (1u << 0)

/* Extended capabilities (§7). */
#define XHCI_XCAP_LEGACY   1
#define XHCI_XCAP_PROTOCOL 2
#define XHCI_LEGACY_BIOS_OWNED (1u << 16)
#define XHCI_LEGACY_OS_OWNED   (1u << 24)
/* USBLEGCTLSTS (§7.1.2): SMI enables in bits 0, 4, 13..15; RW1C status 29..31. */
#define XHCI_LEGCTL_SMI_ENABLES ((1u << 0) | (1u << 4) | (7u << 13))
#define XHCI_LEGCTL_SMI_STATUS  (7u << 29)

/* TRBs (§6.4): 16 bytes, little-endian. */
struct xhci_trb {
	uint64_t param;
	uint32_t status;
	uint32_t control;
};
_Static_assert(sizeof(struct xhci_trb) == 16, "a TRB is 16 bytes");

#define XHCI_TRB_CYCLE   (1u << 0)
#define XHCI_TRB_TC      (1u << 1)   /* Link TRB: toggle cycle */
#define XHCI_TRB_ISP     (1u << 2)   /* interrupt on short packet */
#define XHCI_TRB_CH      (1u << 4)   /* chain */
#define XHCI_TRB_IOC     (1u << 5)
#define XHCI_TRB_IDT     (1u << 6)   /* immediate data */
#define XHCI_TRB_BSR     (1u << 9)   /* Address Device: block SET_ADDRESS */
#define XHCI_TRB_DIR_IN  (1u << 16)  /* Data/Status stage direction */
#define XHCI_TRB_TYPE(t) ((uint32_t)(t) << 10)
#define XHCI_TRB_TYPE_OF(c) (((c) >> 10) & 0x3F)
#define XHCI_TRB_SLOT(s) ((uint32_t)(s) << 24)
#define XHCI_TRB_SLOT_OF(c) (((c) >> 24) & 0xFF)
#define XHCI_TRB_EP_OF(c) (((c) >> 16) & 0x1F)
#define XHCI_TRB_CODE_OF(s) (((s) >> 24) & 0xFF)
#define XHCI_TRB_LEN_OF(s) ((s) & 0xFFFFFF)
#define XHCI_TRT_NONE    (0u << 16)  /* Setup stage transfer type */
#define XHCI_TRT_OUT     (2u << 16)
#define XHCI_TRT_IN      (3u << 16)

enum xhci_trb_type {
	TRB_NORMAL = 1, TRB_SETUP = 2, TRB_DATA = 3, TRB_STATUS = 4, TRB_LINK = 6,
	TRB_ENABLE_SLOT = 9, TRB_DISABLE_SLOT = 10, TRB_ADDRESS_DEVICE = 11,
	TRB_CONFIGURE_EP = 12, TRB_EVALUATE_CONTEXT = 13, TRB_RESET_EP = 14,
	TRB_STOP_EP = 15, TRB_SET_TR_DEQUEUE = 16, TRB_NOOP_CMD = 23,
	TRB_TRANSFER_EVENT = 32, TRB_COMMAND_COMPLETION = 33, TRB_PORT_STATUS_CHANGE = 34,
	TRB_HOST_CONTROLLER_EVENT = 37,
};

/* Completion codes (§6.4.5). */
enum xhci_cc {
	CC_SUCCESS = 1, CC_DATA_BUFFER = 2, CC_BABBLE = 3, CC_TRANSACTION = 4, CC_TRB = 5,
	CC_STALL = 6, CC_NO_SLOTS = 9, CC_SHORT_PACKET = 13, CC_EVENT_RING_FULL = 21,
	CC_CONTEXT_STATE = 19, CC_PARAMETER = 17, CC_COMMAND_RING_STOPPED = 24,
	CC_COMMAND_ABORTED = 25, CC_STOPPED = 26,
};

/* Contexts (§6.2): 32 bytes each, or 64 with HCCPARAMS1.CSZ; dword offsets. */
#define XHCI_CTX_ENTRIES 32                     /* slot + 31 endpoints */
#define XHCI_SLOT_ROUTE(r)    ((uint32_t)(r) & 0xFFFFF)          /* dword 0 */
#define XHCI_SLOT_SPEED(s)    ((uint32_t)(s) << 20)
#define XHCI_SLOT_MTT         (1u << 25)
#define XHCI_SLOT_HUB         (1u << 26)
#define XHCI_SLOT_ENTRIES(n)  ((uint32_t)(n) << 27)
#define XHCI_SLOT_ENTRIES_MASK (0x1Fu << 27)
#define XHCI_SLOT_ROOT_PORT(p) ((uint32_t)(p) << 16)             /* dword 1 */
#define XHCI_SLOT_NPORTS(n)   ((uint32_t)(n) << 24)
#define XHCI_SLOT_TT_SLOT(s)  ((uint32_t)(s))                    /* dword 2 */
#define XHCI_SLOT_TT_PORT(p)  ((uint32_t)(p) << 8)
#define XHCI_SLOT_TTT(t)      ((uint32_t)(t) << 16)
#define XHCI_SLOT_STATE_OF(d3) (((d3) >> 27) & 0x1F)             /* dword 3 */

#define XHCI_EP_INTERVAL(i)   ((uint32_t)(i) << 16)              /* dword 0 */
#define XHCI_EP_STATE_OF(d0)  ((d0) & 7)
#define XHCI_EP_CERR(c)       ((uint32_t)(c) << 1)               /* dword 1 */
#define XHCI_EP_TYPE(t)       ((uint32_t)(t) << 3)
#define XHCI_EP_MAX_BURST(b)  ((uint32_t)(b) << 8)
#define XHCI_EP_MPS(m)        ((uint32_t)(m) << 16)
#define XHCI_EP_AVG_TRB(a)    ((uint32_t)(a))                    /* dword 4 */
#define XHCI_EP_MAX_ESIT(m)   ((uint32_t)(m) << 16)
enum xhci_ep_type { XHCI_EP_CONTROL = 4, XHCI_EP_INTR_IN = 7 };
#define XHCI_EP_STATE_HALTED 2

#endif /* PXOS_XHCI_HW_H */
