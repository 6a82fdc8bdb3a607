/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key tables: QEMU-style key names (the monitor's sendkey) and USB HID
 * keyboard usages (SDL scancodes are these usages) to Linux input codes.
 *
 * The HID table follows "HID Usage Tables 1.12", section 10 (Keyboard/
 * Keypad page 0x07); the Linux codes are linux/input-event-codes.h.
 */
#include "ember/osdep.h"
#include "ui/input.h"
#include <linux/input-event-codes.h>

typedef struct KeyName {
    const char *name;
    unsigned key;
} KeyName;

/* QEMU's "qcode" names, so that sendkey scripts carry over. */
static const KeyName key_names[] = {
    { "esc", KEY_ESC },
    { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 }, { "4", KEY_4 },
    { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 },
    { "9", KEY_9 }, { "0", KEY_0 },
    { "minus", KEY_MINUS }, { "equal", KEY_EQUAL },
    { "backspace", KEY_BACKSPACE }, { "tab", KEY_TAB },
    { "q", KEY_Q }, { "w", KEY_W }, { "e", KEY_E }, { "r", KEY_R },
    { "t", KEY_T }, { "y", KEY_Y }, { "u", KEY_U }, { "i", KEY_I },
    { "o", KEY_O }, { "p", KEY_P },
    { "bracket_left", KEY_LEFTBRACE }, { "bracket_right", KEY_RIGHTBRACE },
    { "ret", KEY_ENTER }, { "ctrl", KEY_LEFTCTRL },
    { "a", KEY_A }, { "s", KEY_S }, { "d", KEY_D }, { "f", KEY_F },
    { "g", KEY_G }, { "h", KEY_H }, { "j", KEY_J }, { "k", KEY_K },
    { "l", KEY_L },
    { "semicolon", KEY_SEMICOLON }, { "apostrophe", KEY_APOSTROPHE },
    { "grave_accent", KEY_GRAVE }, { "shift", KEY_LEFTSHIFT },
    { "backslash", KEY_BACKSLASH },
    { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C }, { "v", KEY_V },
    { "b", KEY_B }, { "n", KEY_N }, { "m", KEY_M },
    { "comma", KEY_COMMA }, { "dot", KEY_DOT }, { "slash", KEY_SLASH },
    { "shift_r", KEY_RIGHTSHIFT }, { "kp_multiply", KEY_KPASTERISK },
    { "asterisk", KEY_KPASTERISK },
    { "alt", KEY_LEFTALT }, { "spc", KEY_SPACE },
    { "caps_lock", KEY_CAPSLOCK },
    { "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 },
    { "f5", KEY_F5 }, { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 },
    { "f9", KEY_F9 }, { "f10", KEY_F10 }, { "f11", KEY_F11 },
    { "f12", KEY_F12 },
    { "num_lock", KEY_NUMLOCK }, { "scroll_lock", KEY_SCROLLLOCK },
    { "kp_7", KEY_KP7 }, { "kp_8", KEY_KP8 }, { "kp_9", KEY_KP9 },
    { "kp_subtract", KEY_KPMINUS },
    { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 }, { "kp_6", KEY_KP6 },
    { "kp_add", KEY_KPPLUS },
    { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 }, { "kp_3", KEY_KP3 },
    { "kp_0", KEY_KP0 }, { "kp_decimal", KEY_KPDOT },
    { "less", KEY_102ND },
    { "kp_enter", KEY_KPENTER }, { "ctrl_r", KEY_RIGHTCTRL },
    { "kp_divide", KEY_KPSLASH }, { "print", KEY_SYSRQ },
    { "sysrq", KEY_SYSRQ }, { "alt_r", KEY_RIGHTALT },
    { "home", KEY_HOME }, { "up", KEY_UP }, { "pgup", KEY_PAGEUP },
    { "left", KEY_LEFT }, { "right", KEY_RIGHT }, { "end", KEY_END },
    { "down", KEY_DOWN }, { "pgdn", KEY_PAGEDOWN },
    { "insert", KEY_INSERT }, { "delete", KEY_DELETE },
    { "pause", KEY_PAUSE },
    { "meta_l", KEY_LEFTMETA }, { "meta_r", KEY_RIGHTMETA },
    { "menu", KEY_COMPOSE }, { "compose", KEY_COMPOSE },
    { "power", KEY_POWER }, { "kp_equals", KEY_KPEQUAL },
    { "kp_comma", KEY_KPCOMMA },
    { "audiomute", KEY_MUTE }, { "volumeup", KEY_VOLUMEUP },
    { "volumedown", KEY_VOLUMEDOWN },
};

int input_key_from_name(const char *name)
{
    uint64_t v;

    for (unsigned i = 0; i < ARRAY_SIZE(key_names); i++) {
        if (!g_ascii_strcasecmp(key_names[i].name, name)) {
            return key_names[i].key;
        }
    }
    if (g_str_has_prefix(name, "0x") && name[2] &&
        g_ascii_string_to_unsigned(name + 2, 16, 1, KEY_MAX, &v, NULL)) {
        return (int)v;
    }
    return -1;
}

const char *input_key_name(unsigned key)
{
    for (unsigned i = 0; i < ARRAY_SIZE(key_names); i++) {
        if (key_names[i].key == key) {
            return key_names[i].name;
        }
    }
    return NULL;
}

/* Keyboard/Keypad page usages 0x00-0xe7. */
static const uint16_t hid_keys[0xe8] = {
    [0x04] = KEY_A, [0x05] = KEY_B, [0x06] = KEY_C, [0x07] = KEY_D,
    [0x08] = KEY_E, [0x09] = KEY_F, [0x0a] = KEY_G, [0x0b] = KEY_H,
    [0x0c] = KEY_I, [0x0d] = KEY_J, [0x0e] = KEY_K, [0x0f] = KEY_L,
    [0x10] = KEY_M, [0x11] = KEY_N, [0x12] = KEY_O, [0x13] = KEY_P,
    [0x14] = KEY_Q, [0x15] = KEY_R, [0x16] = KEY_S, [0x17] = KEY_T,
    [0x18] = KEY_U, [0x19] = KEY_V, [0x1a] = KEY_W, [0x1b] = KEY_X,
    [0x1c] = KEY_Y, [0x1d] = KEY_Z,
    [0x1e] = KEY_1, [0x1f] = KEY_2, [0x20] = KEY_3, [0x21] = KEY_4,
    [0x22] = KEY_5, [0x23] = KEY_6, [0x24] = KEY_7, [0x25] = KEY_8,
    [0x26] = KEY_9, [0x27] = KEY_0,
    [0x28] = KEY_ENTER, [0x29] = KEY_ESC, [0x2a] = KEY_BACKSPACE,
    [0x2b] = KEY_TAB, [0x2c] = KEY_SPACE, [0x2d] = KEY_MINUS,
    [0x2e] = KEY_EQUAL, [0x2f] = KEY_LEFTBRACE, [0x30] = KEY_RIGHTBRACE,
    [0x31] = KEY_BACKSLASH,
    /* Non-US # and ~: the key left of Enter on ISO boards, which the PC
     * keyboard reports with the same code as backslash. */
    [0x32] = KEY_BACKSLASH,
    [0x33] = KEY_SEMICOLON, [0x34] = KEY_APOSTROPHE, [0x35] = KEY_GRAVE,
    [0x36] = KEY_COMMA, [0x37] = KEY_DOT, [0x38] = KEY_SLASH,
    [0x39] = KEY_CAPSLOCK,
    [0x3a] = KEY_F1, [0x3b] = KEY_F2, [0x3c] = KEY_F3, [0x3d] = KEY_F4,
    [0x3e] = KEY_F5, [0x3f] = KEY_F6, [0x40] = KEY_F7, [0x41] = KEY_F8,
    [0x42] = KEY_F9, [0x43] = KEY_F10, [0x44] = KEY_F11, [0x45] = KEY_F12,
    [0x46] = KEY_SYSRQ, [0x47] = KEY_SCROLLLOCK, [0x48] = KEY_PAUSE,
    [0x49] = KEY_INSERT, [0x4a] = KEY_HOME, [0x4b] = KEY_PAGEUP,
    [0x4c] = KEY_DELETE, [0x4d] = KEY_END, [0x4e] = KEY_PAGEDOWN,
    [0x4f] = KEY_RIGHT, [0x50] = KEY_LEFT, [0x51] = KEY_DOWN,
    [0x52] = KEY_UP,
    [0x53] = KEY_NUMLOCK, [0x54] = KEY_KPSLASH, [0x55] = KEY_KPASTERISK,
    [0x56] = KEY_KPMINUS, [0x57] = KEY_KPPLUS, [0x58] = KEY_KPENTER,
    [0x59] = KEY_KP1, [0x5a] = KEY_KP2, [0x5b] = KEY_KP3, [0x5c] = KEY_KP4,
    [0x5d] = KEY_KP5, [0x5e] = KEY_KP6, [0x5f] = KEY_KP7, [0x60] = KEY_KP8,
    [0x61] = KEY_KP9, [0x62] = KEY_KP0, [0x63] = KEY_KPDOT,
    [0x64] = KEY_102ND, [0x65] = KEY_COMPOSE, [0x66] = KEY_POWER,
    [0x67] = KEY_KPEQUAL,
    [0x68] = KEY_F13, [0x69] = KEY_F14, [0x6a] = KEY_F15, [0x6b] = KEY_F16,
    [0x6c] = KEY_F17, [0x6d] = KEY_F18, [0x6e] = KEY_F19, [0x6f] = KEY_F20,
    [0x70] = KEY_F21, [0x71] = KEY_F22, [0x72] = KEY_F23, [0x73] = KEY_F24,
    [0x75] = KEY_HELP, [0x76] = KEY_MENU, [0x78] = KEY_STOP,
    [0x79] = KEY_AGAIN, [0x7a] = KEY_UNDO, [0x7b] = KEY_CUT,
    [0x7c] = KEY_COPY, [0x7d] = KEY_PASTE, [0x7e] = KEY_FIND,
    [0x7f] = KEY_MUTE, [0x80] = KEY_VOLUMEUP, [0x81] = KEY_VOLUMEDOWN,
    [0x85] = KEY_KPCOMMA,
    [0x87] = KEY_RO, [0x88] = KEY_KATAKANAHIRAGANA, [0x89] = KEY_YEN,
    [0x8a] = KEY_HENKAN, [0x8b] = KEY_MUHENKAN,
    [0x90] = KEY_HANGEUL, [0x91] = KEY_HANJA,
    [0xe0] = KEY_LEFTCTRL, [0xe1] = KEY_LEFTSHIFT, [0xe2] = KEY_LEFTALT,
    [0xe3] = KEY_LEFTMETA, [0xe4] = KEY_RIGHTCTRL, [0xe5] = KEY_RIGHTSHIFT,
    [0xe6] = KEY_RIGHTALT, [0xe7] = KEY_RIGHTMETA,
};

unsigned input_hid_to_key(unsigned usage)
{
    return usage < ARRAY_SIZE(hid_keys) ? hid_keys[usage] : 0;
}
