/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host input to the guest's keyboard, mouse and tablet (ui/input.h). */
#include "ember/osdep.h"
#include "hw/input/ps2.h"
#include "ui/input.h"

static GPtrArray *handlers;
static uint64_t keys_delivered;

void input_handler_register(InputHandler *h)
{
    if (!handlers) {
        handlers = g_ptr_array_new();
    }
    g_ptr_array_add(handlers, h);
}

void input_handler_unregister(InputHandler *h)
{
    if (handlers) {
        g_ptr_array_remove(handlers, h);
    }
}

static bool dispatch(const InputEvent *ev)
{
    bool taken = false;

    for (unsigned i = 0; handlers && i < handlers->len; i++) {
        InputHandler *h = g_ptr_array_index(handlers, i);
        if (h->mask & ev->type) {
            h->event(h->opaque, ev);
            taken = true;
        }
    }
    return taken;
}

bool input_has_absolute(void)
{
    for (unsigned i = 0; handlers && i < handlers->len; i++) {
        InputHandler *h = g_ptr_array_index(handlers, i);
        if (h->mask & INPUT_EVENT_ABS) {
            return true;
        }
    }
    return false;
}

void input_key_event(unsigned key, bool down)
{
    InputEvent ev = { .type = INPUT_EVENT_KEY, .key = key, .down = down };
    PS2KbdState *kbd = ps2_keyboard_default();

    keys_delivered++;
    /* The PC always has its PS/2 keyboard; a virtio keyboard gets the
     * keys too (the guest reads whichever it drives). */
    if (kbd) {
        ps2_keyboard_put_keycode(kbd, key, down);
    }
    dispatch(&ev);
}

void input_rel_event(int dx, int dy, int dz, unsigned buttons)
{
    InputEvent ev = {
        .type = INPUT_EVENT_REL, .x = dx, .y = dy, .dz = dz,
        .buttons = buttons,
    };
    PS2MouseState *mouse = ps2_mouse_default();

    if (!dispatch(&ev) && mouse) {
        ps2_mouse_event(mouse, dx, dy, dz, buttons);
    }
}

void input_abs_event(int x, int y, int w, int h, int dz, unsigned buttons)
{
    InputEvent ev = { .type = INPUT_EVENT_ABS, .dz = dz,
                      .buttons = buttons };

    /* Scale the window position onto 0..INPUT_ABS_MAX, both edges
     * included, so that the guest can reach its last pixel. */
    x = CLAMP(x, 0, MAX(w - 1, 0));
    y = CLAMP(y, 0, MAX(h - 1, 0));
    ev.x = w > 1 ? (int)((int64_t)x * INPUT_ABS_MAX / (w - 1)) : 0;
    ev.y = h > 1 ? (int)((int64_t)y * INPUT_ABS_MAX / (h - 1)) : 0;
    dispatch(&ev);
}

uint64_t input_key_count(void)
{
    return keys_delivered;
}
