/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Port 0x92 ("port92", PS/2 system control port A): bit 0 fast reset,
 * bit 1 fast A20 gate.
 *
 * Also the machine-wide A20 line. On the PC the CPU's A20M# input is
 * driven by the OR of port 0x92 bit 1 and the keyboard controller's
 * output port bit 1; each source sets its level here. TCG masks address
 * bit 20 while A20 is off (x86_a20_enabled() and a notifier on change);
 * under KVM the line stays enabled (KVM has no A20 mask), and a guest
 * trying to turn it off is logged with -d unimp.
 */
#ifndef HW_MISC_PORT92_H
#define HW_MISC_PORT92_H

#include "hw/isa/isa.h"

#define TYPE_PORT92 "port92"

typedef enum X86A20Source {
    A20_SOURCE_PORT92,
    A20_SOURCE_KBC,             /* i8042 output port */
    A20_SOURCE_COUNT,
} X86A20Source;

/* One source's level; the line is their OR. */
void x86_a20_set(X86A20Source source, bool level);
/* The A20 line now (always true under KVM). */
bool x86_a20_enabled(void);
/*
 * Called (with the BQL held) whenever the line changes; TCG uses it to
 * update CPUX86State.a20_mask and flush its TLBs.
 */
void x86_a20_add_notifier(void (*fn)(void *opaque, bool enabled),
                          void *opaque);

DeviceState *port92_create(ISABus *bus);

#endif
