/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PC keyboard controller ("i8042", ports 0x60 and 0x64) with a PS/2
 * keyboard on ISA IRQ 1 and a PS/2 mouse on IRQ 12. Its output port
 * drives the A20 line (include/hw/misc/port92.h) and the reset line.
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "hw/isa/isa.h"
#include "hw/input/ps2.h"

#define TYPE_I8042 "i8042"

DeviceState *i8042_create(ISABus *bus);
/* The controller's keyboard and mouse (for the UI's input). */
PS2KbdState *i8042_get_keyboard(DeviceState *dev);
PS2MouseState *i8042_get_mouse(DeviceState *dev);

#endif
