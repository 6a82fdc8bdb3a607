/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Port 0x61 ("isa-pcspk"): PIT counter 2's gate and output, the speaker
 * data bit, and the DRAM refresh toggle. There is no sound output; the
 * bits behave as on the PC so that delay loops and TSC calibration work.
 * The "pit" pointer property names the PIT device (user-space isa-pit or
 * any type whose class_data is a PITInterface); without one, the gate bit
 * is stored and the output reads as 0.
 */
#ifndef HW_AUDIO_PCSPK_H
#define HW_AUDIO_PCSPK_H

#include "hw/isa/isa.h"

#define TYPE_PC_SPEAKER "isa-pcspk"

DeviceState *pcspk_create(ISABus *bus, DeviceState *pit);

#endif
