/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host input to the guest's input devices.
 *
 * Front ends (the SDL window, the monitor's sendkey) speak Linux input
 * event codes (KEY_A = 30, BTN_LEFT...: linux/input-event-codes.h) and
 * call the functions below; this layer hands the events to the guest's
 * devices:
 *   keys            the PS/2 keyboard (i8042), and every registered
 *                   handler that takes keys
 *   relative motion the PS/2 mouse, or a registered handler that takes it
 *   absolute motion a registered absolute pointer (virtio-tablet); with
 *                   none, front ends must grab and send relative motion
 *
 * Runs in the main loop thread with the BQL held.
 */
#ifndef UI_INPUT_H
#define UI_INPUT_H

#include "ember/osdep.h"

/* Buttons (a set of these is "held now"); same bits as PS2_BUTTON_*. */
#define INPUT_BUTTON_LEFT       0x01
#define INPUT_BUTTON_RIGHT      0x02
#define INPUT_BUTTON_MIDDLE     0x04
#define INPUT_BUTTON_SIDE       0x08
#define INPUT_BUTTON_EXTRA      0x10

/* The absolute coordinate range handed to handlers: 0..INPUT_ABS_MAX. */
#define INPUT_ABS_MAX           0x7fff

enum {
    INPUT_EVENT_KEY = 1 << 0,
    INPUT_EVENT_REL = 1 << 1,
    INPUT_EVENT_ABS = 1 << 2,
};

typedef struct InputEvent {
    int type;                       /* one INPUT_EVENT_* */
    unsigned key;                   /* KEY: Linux code */
    bool down;                      /* KEY */
    int x, y;                       /* REL: dx, dy; ABS: 0..INPUT_ABS_MAX */
    int dz;                         /* wheel clicks towards the user */
    unsigned buttons;               /* REL/ABS: buttons held */
} InputEvent;

typedef struct InputHandler {
    const char *name;
    int mask;                       /* the INPUT_EVENT_* it takes */
    void (*event)(void *opaque, const InputEvent *ev);
    void *opaque;
} InputHandler;

/* A guest device that takes input (virtio-tablet). */
void input_handler_register(InputHandler *h);
void input_handler_unregister(InputHandler *h);
/* Is there an absolute pointer? (Then no grab is needed.) */
bool input_has_absolute(void);

void input_key_event(unsigned key, bool down);
void input_rel_event(int dx, int dy, int dz, unsigned buttons);
/* Absolute position (x, y) within a w x h area (the window). */
void input_abs_event(int x, int y, int w, int h, int dz, unsigned buttons);

/* Counters of keys delivered (tests). */
uint64_t input_key_count(void);

/* ---- key names (monitor sendkey, QEMU's "qcode" spelling) -------------- */

/* "a", "ctrl", "alt_r", "f1", "kp_add", "ret", "spc" or a Linux code in
 * hex ("0x1e"); -1 if unknown. */
int input_key_from_name(const char *name);
/* The name of a Linux code, or NULL. */
const char *input_key_name(unsigned key);

/* ---- USB HID usages (keyboard page) = SDL scancodes ----------------------- */

/* Linux code for a HID keyboard usage (SDL_Scancode), 0 if none. */
unsigned input_hid_to_key(unsigned usage);

#endif
