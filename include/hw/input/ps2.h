/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PS/2 keyboard and mouse (IBM PS/2 Hardware Interface Technical
 * Reference, "Keyboard and Auxiliary Device Controller" and the
 * keyboard/mouse command sets).
 *
 * They are not devices of their own: the i8042 (hw/input/i8042.c) owns
 * one of each and moves their bytes. Input from the host side (the SDL
 * window, later VNC) goes in through the functions below; key codes are
 * Linux input event codes (KEY_A = 30, ... as in linux/input-event-codes.h)
 * so that front ends need only one table.
 */
#ifndef HW_INPUT_PS2_H
#define HW_INPUT_PS2_H

#include "ember/osdep.h"

typedef struct PS2KbdState PS2KbdState;
typedef struct PS2MouseState PS2MouseState;

/* Mouse buttons for ps2_mouse_event(). */
#define PS2_BUTTON_LEFT     0x01
#define PS2_BUTTON_RIGHT    0x02
#define PS2_BUTTON_MIDDLE   0x04
#define PS2_BUTTON_SIDE     0x08    /* button 4 (IntelliMouse Explorer) */
#define PS2_BUTTON_EXTRA    0x10    /* button 5 */

/* Keyboard LEDs (command 0xED). */
#define PS2_LED_SCROLL      0x01
#define PS2_LED_NUM         0x02
#define PS2_LED_CAPS        0x04

/* ---- host input (UI side) ------------------------------------------------ */

/*
 * A key went down or up; code is a Linux input event code. Keys the
 * PC keyboard does not have are ignored. Nothing is queued while the
 * keyboard is disabled or its buffer is full.
 */
void ps2_keyboard_put_keycode(PS2KbdState *kbd, unsigned code, bool down);
/*
 * Relative motion: dx to the right, dy downwards (screen coordinates),
 * dz wheel clicks towards the user (scrolling down); buttons is the set of
 * PS2_BUTTON_* held now. Motion accumulates until the guest's mouse
 * reports it (stream mode, enabled) and the buffer has room.
 */
void ps2_mouse_event(PS2MouseState *mouse, int dx, int dy, int dz,
                     unsigned buttons);
/* The keyboard's LED state as last set by the guest. */
unsigned ps2_keyboard_get_leds(PS2KbdState *kbd);
/* The most recently created keyboard / mouse, or NULL (for the UI). */
PS2KbdState *ps2_keyboard_default(void);
PS2MouseState *ps2_mouse_default(void);

/* ---- controller side ----------------------------------------------------- */

/* update(opaque) is called whenever the device has new bytes to send. */
PS2KbdState *ps2_kbd_new(void (*update)(void *opaque), void *opaque);
PS2MouseState *ps2_mouse_new(void (*update)(void *opaque), void *opaque);
void ps2_kbd_free(PS2KbdState *kbd);
void ps2_mouse_free(PS2MouseState *mouse);
/* Power-on state (the machine's reset), buffers emptied. */
void ps2_kbd_reset(PS2KbdState *kbd);
void ps2_mouse_reset(PS2MouseState *mouse);

/* A byte from the controller to the device (a command or argument). */
void ps2_write_keyboard(PS2KbdState *kbd, uint8_t val);
void ps2_write_mouse(PS2MouseState *mouse, uint8_t val);
/* The device's next byte to the controller, or -1 if it has none. */
int ps2_kbd_read(PS2KbdState *kbd);
int ps2_mouse_read(PS2MouseState *mouse);
bool ps2_kbd_has_data(PS2KbdState *kbd);
bool ps2_mouse_has_data(PS2MouseState *mouse);
/* The keyboard's current scan code set (1, 2 or 3). */
int ps2_kbd_scancode_set(PS2KbdState *kbd);

/* The i8042's set 2 -> set 1 translation of one byte (see i8042.c). */
uint8_t ps2_translate_set2_byte(uint8_t b);

#endif
