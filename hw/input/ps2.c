/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PS/2 keyboard and mouse: command sets and the bytes they send.
 *
 * Keyboard commands (IBM PS/2 keyboard reference): 0xED LEDs, 0xEE echo,
 * 0xF0 get/set scan code set, 0xF2 identify (0xAB 0x83), 0xF3 typematic,
 * 0xF4 enable, 0xF5 disable + defaults, 0xF6 defaults, 0xF7-0xFD set-3
 * key attributes (acknowledged), 0xFE resend, 0xFF reset (0xFA 0xAA).
 * The keyboard sends scan code set 2 (or 1 if selected); the i8042 turns
 * set 2 into set 1 when its command byte asks for translation. Set 3 may
 * be selected but the keyboard stays in set 2 and reports so, which is
 * what many real keyboards do (Linux then falls back to set 2).
 *
 * Mouse commands (IBM PS/2 mouse reference): 0xE6/0xE7 scaling, 0xE8
 * resolution, 0xE9 status, 0xEA stream mode, 0xEB read data, 0xEC/0xEE
 * wrap mode, 0xF0 remote mode, 0xF2 identify, 0xF3 sample rate, 0xF4/0xF5
 * reporting on/off, 0xF6 defaults, 0xFE resend, 0xFF reset (0xFA 0xAA
 * 0x00). The sample-rate knocks 200,100,80 and 200,200,80 switch on the
 * IntelliMouse (ID 3, wheel) and IntelliMouse Explorer (ID 4, wheel and
 * buttons 4/5) packet formats.
 *
 * Replies to commands go ahead of queued input, as the devices stop
 * sending input while they answer a command.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "hw/input/ps2.h"

#define PS2_QUEUE_SIZE 256
#define PS2_RSP_SIZE 8

#define PS2_ACK     0xfa
#define PS2_RESEND  0xfe
#define PS2_BAT_OK  0xaa
#define PS2_ECHO    0xee

typedef struct PS2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    unsigned rptr, count;
} PS2Queue;

typedef struct PS2State {
    PS2Queue q;                 /* input (scan codes, packets) */
    uint8_t rsp[PS2_RSP_SIZE];  /* replies to the last command */
    unsigned rsp_rptr, rsp_count;
    uint8_t last_sent;          /* for 0xFE resend */
    int pending;                /* command waiting for its argument */
    void (*update)(void *opaque);
    void *opaque;
} PS2State;

struct PS2KbdState {
    PS2State common;
    bool scan_enabled;
    int scancode_set;           /* 1 or 2 */
    uint8_t leds;
    uint8_t typematic;          /* rate/delay byte of 0xF3 */
};

struct PS2MouseState {
    PS2State common;
    bool reporting;
    bool remote;
    bool wrap;
    bool scaling21;
    uint8_t resolution;
    uint8_t sample_rate;
    uint8_t type;               /* device ID: 0, 3 or 4 */
    uint8_t rates[3];           /* the last three sample rates set */
    int dx, dy, dz;             /* motion not yet reported */
    unsigned buttons;
    unsigned reported_buttons;
};

static PS2KbdState *default_kbd;
static PS2MouseState *default_mouse;

/* ---- queues -------------------------------------------------------------- */

static unsigned ps2_room(PS2State *s)
{
    return PS2_QUEUE_SIZE - s->q.count;
}

static void ps2_queue(PS2State *s, uint8_t b)
{
    if (s->q.count < PS2_QUEUE_SIZE) {
        s->q.data[(s->q.rptr + s->q.count) % PS2_QUEUE_SIZE] = b;
        s->q.count++;
    }
}

static void ps2_reply(PS2State *s, uint8_t b)
{
    if (s->rsp_count < PS2_RSP_SIZE) {
        s->rsp[(s->rsp_rptr + s->rsp_count) % PS2_RSP_SIZE] = b;
        s->rsp_count++;
    }
}

static void ps2_notify(PS2State *s)
{
    if (s->update) {
        s->update(s->opaque);
    }
}

/* A new command: the device drops what it was answering before. */
static void ps2_begin_command(PS2State *s)
{
    s->rsp_count = 0;
    s->rsp_rptr = 0;
}

static void ps2_clear(PS2State *s)
{
    s->q.rptr = s->q.count = 0;
    s->rsp_rptr = s->rsp_count = 0;
    s->pending = -1;
}

static bool ps2_has_data(PS2State *s)
{
    return s->rsp_count || s->q.count;
}

static int ps2_read(PS2State *s)
{
    uint8_t b;

    if (s->rsp_count) {
        b = s->rsp[s->rsp_rptr];
        s->rsp_rptr = (s->rsp_rptr + 1) % PS2_RSP_SIZE;
        s->rsp_count--;
    } else if (s->q.count) {
        b = s->q.data[s->q.rptr];
        s->q.rptr = (s->q.rptr + 1) % PS2_QUEUE_SIZE;
        s->q.count--;
    } else {
        return -1;
    }
    s->last_sent = b;
    return b;
}

/* ---- scan codes ---------------------------------------------------------- */

/*
 * Linux input code -> make code in set 1 and set 2 (0xe0xx: with the
 * E0 prefix). Break codes: set 1 sets bit 7 of the last byte, set 2
 * puts 0xF0 before it. From the IBM PS/2 keyboard reference's key
 * number tables, by key position.
 */
typedef struct KeyCodes {
    uint16_t code, set1, set2;
} KeyCodes;

static const KeyCodes keymap[] = {
    { 1, 0x01, 0x76 },      /* Esc */
    { 2, 0x02, 0x16 }, { 3, 0x03, 0x1e }, { 4, 0x04, 0x26 },
    { 5, 0x05, 0x25 }, { 6, 0x06, 0x2e }, { 7, 0x07, 0x36 },
    { 8, 0x08, 0x3d }, { 9, 0x09, 0x3e }, { 10, 0x0a, 0x46 },
    { 11, 0x0b, 0x45 },     /* 1 .. 0 */
    { 12, 0x0c, 0x4e },     /* - */
    { 13, 0x0d, 0x55 },     /* = */
    { 14, 0x0e, 0x66 },     /* Backspace */
    { 15, 0x0f, 0x0d },     /* Tab */
    { 16, 0x10, 0x15 }, { 17, 0x11, 0x1d }, { 18, 0x12, 0x24 },
    { 19, 0x13, 0x2d }, { 20, 0x14, 0x2c }, { 21, 0x15, 0x35 },
    { 22, 0x16, 0x3c }, { 23, 0x17, 0x43 }, { 24, 0x18, 0x44 },
    { 25, 0x19, 0x4d },     /* Q .. P */
    { 26, 0x1a, 0x54 },     /* [ */
    { 27, 0x1b, 0x5b },     /* ] */
    { 28, 0x1c, 0x5a },     /* Enter */
    { 29, 0x1d, 0x14 },     /* Left Ctrl */
    { 30, 0x1e, 0x1c }, { 31, 0x1f, 0x1b }, { 32, 0x20, 0x23 },
    { 33, 0x21, 0x2b }, { 34, 0x22, 0x34 }, { 35, 0x23, 0x33 },
    { 36, 0x24, 0x3b }, { 37, 0x25, 0x42 }, { 38, 0x26, 0x4b },
    { 39, 0x27, 0x4c },     /* A .. L ; */
    { 40, 0x28, 0x52 },     /* ' */
    { 41, 0x29, 0x0e },     /* ` */
    { 42, 0x2a, 0x12 },     /* Left Shift */
    { 43, 0x2b, 0x5d },     /* \ */
    { 44, 0x2c, 0x1a }, { 45, 0x2d, 0x22 }, { 46, 0x2e, 0x21 },
    { 47, 0x2f, 0x2a }, { 48, 0x30, 0x32 }, { 49, 0x31, 0x31 },
    { 50, 0x32, 0x3a },     /* Z .. M */
    { 51, 0x33, 0x41 },     /* , */
    { 52, 0x34, 0x49 },     /* . */
    { 53, 0x35, 0x4a },     /* / */
    { 54, 0x36, 0x59 },     /* Right Shift */
    { 55, 0x37, 0x7c },     /* Keypad * */
    { 56, 0x38, 0x11 },     /* Left Alt */
    { 57, 0x39, 0x29 },     /* Space */
    { 58, 0x3a, 0x58 },     /* Caps Lock */
    { 59, 0x3b, 0x05 }, { 60, 0x3c, 0x06 }, { 61, 0x3d, 0x04 },
    { 62, 0x3e, 0x0c }, { 63, 0x3f, 0x03 }, { 64, 0x40, 0x0b },
    { 65, 0x41, 0x83 }, { 66, 0x42, 0x0a }, { 67, 0x43, 0x01 },
    { 68, 0x44, 0x09 },     /* F1 .. F10 */
    { 69, 0x45, 0x77 },     /* Num Lock */
    { 70, 0x46, 0x7e },     /* Scroll Lock */
    { 71, 0x47, 0x6c }, { 72, 0x48, 0x75 }, { 73, 0x49, 0x7d },
    { 74, 0x4a, 0x7b },     /* Keypad 7 8 9 - */
    { 75, 0x4b, 0x6b }, { 76, 0x4c, 0x73 }, { 77, 0x4d, 0x74 },
    { 78, 0x4e, 0x79 },     /* Keypad 4 5 6 + */
    { 79, 0x4f, 0x69 }, { 80, 0x50, 0x72 }, { 81, 0x51, 0x7a },
    { 82, 0x52, 0x70 }, { 83, 0x53, 0x71 },     /* Keypad 1 2 3 0 . */
    { 86, 0x56, 0x61 },     /* the 102nd key (< >) */
    { 87, 0x57, 0x78 }, { 88, 0x58, 0x07 },     /* F11 F12 */
    { 89, 0x73, 0x51 },     /* Ro */
    { 92, 0x79, 0x64 },     /* Henkan */
    { 93, 0x70, 0x13 },     /* Katakana/Hiragana */
    { 94, 0x7b, 0x67 },     /* Muhenkan */
    { 96, 0xe01c, 0xe05a }, /* Keypad Enter */
    { 97, 0xe01d, 0xe014 }, /* Right Ctrl */
    { 98, 0xe035, 0xe04a }, /* Keypad / */
    { 99, 0xe037, 0xe07c }, /* Print Screen / SysRq */
    { 100, 0xe038, 0xe011 },    /* Right Alt */
    { 102, 0xe047, 0xe06c },    /* Home */
    { 103, 0xe048, 0xe075 },    /* Up */
    { 104, 0xe049, 0xe07d },    /* Page Up */
    { 105, 0xe04b, 0xe06b },    /* Left */
    { 106, 0xe04d, 0xe074 },    /* Right */
    { 107, 0xe04f, 0xe069 },    /* End */
    { 108, 0xe050, 0xe072 },    /* Down */
    { 109, 0xe051, 0xe07a },    /* Page Down */
    { 110, 0xe052, 0xe070 },    /* Insert */
    { 111, 0xe053, 0xe071 },    /* Delete */
    { 113, 0xe020, 0xe023 },    /* Mute */
    { 114, 0xe02e, 0xe021 },    /* Volume Down */
    { 115, 0xe030, 0xe032 },    /* Volume Up */
    { 116, 0xe05e, 0xe037 },    /* Power */
    { 121, 0x7e, 0x6d },        /* Keypad , (Brazil) */
    { 124, 0x7d, 0x6a },        /* Yen */
    { 125, 0xe05b, 0xe01f },    /* Left Windows */
    { 126, 0xe05c, 0xe027 },    /* Right Windows */
    { 127, 0xe05d, 0xe02f },    /* Menu */
    { 142, 0xe05f, 0xe03f },    /* Sleep */
    { 143, 0xe063, 0xe05e },    /* Wake */
};

#define KEY_PAUSE_CODE 119

static const KeyCodes *ps2_find_key(unsigned code)
{
    for (size_t i = 0; i < ARRAY_SIZE(keymap); i++) {
        if (keymap[i].code == code) {
            return &keymap[i];
        }
    }
    return NULL;
}

/*
 * The 8042's translation (IBM PS/2 technical reference, "Scan Code
 * Translation"): each set-2 code becomes the set-1 code of the same key.
 * Built from the key table (prefixed keys reuse the unprefixed codes
 * consistently); 0x00 (set-2 overrun) becomes 0xFF (set-1 overrun), and
 * the codes no key sends pass unchanged.
 */
static uint8_t xlate_table[256];
static bool xlate_ready;

static void ps2_build_xlate(void)
{
    for (int i = 0; i < 256; i++) {
        xlate_table[i] = i;
    }
    xlate_table[0x00] = 0xff;
    for (size_t i = 0; i < ARRAY_SIZE(keymap); i++) {
        xlate_table[keymap[i].set2 & 0xff] = keymap[i].set1 & 0xff;
    }
    xlate_table[0x84] = 0x54;   /* Alt+SysRq */
    xlate_ready = true;
}

uint8_t ps2_translate_set2_byte(uint8_t b)
{
    if (!xlate_ready) {
        ps2_build_xlate();
    }
    return xlate_table[b];
}

void ps2_keyboard_put_keycode(PS2KbdState *kbd, unsigned code, bool down)
{
    PS2State *s = &kbd->common;
    const KeyCodes *k;
    uint8_t seq[8];
    unsigned n = 0;

    if (!kbd->scan_enabled) {
        return;
    }
    if (code == KEY_PAUSE_CODE) {
        /* Pause sends its whole make-and-break sequence on press. */
        static const uint8_t p1[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
        static const uint8_t p2[] = {
            0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77
        };
        const uint8_t *p = kbd->scancode_set == 1 ? p1 : p2;
        n = kbd->scancode_set == 1 ? sizeof(p1) : sizeof(p2);
        if (!down) {
            return;
        }
        memcpy(seq, p, n);
    } else {
        uint16_t c;
        k = ps2_find_key(code);
        if (!k) {
            ember_log_mask(LOG_UNIMP, "ps2: no scan code for key %u\n",
                           code);
            return;
        }
        c = kbd->scancode_set == 1 ? k->set1 : k->set2;
        if (c >> 8) {
            seq[n++] = c >> 8;
        }
        if (kbd->scancode_set == 1) {
            seq[n++] = (c & 0xff) | (down ? 0 : 0x80);
        } else {
            if (!down) {
                seq[n++] = 0xf0;
            }
            seq[n++] = c & 0xff;
        }
    }
    /* Never a partial sequence: drop the key if it does not fit. */
    if (ps2_room(s) < n) {
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        ps2_queue(s, seq[i]);
    }
    ps2_notify(s);
}

/* ---- keyboard commands --------------------------------------------------- */

static void ps2_kbd_defaults(PS2KbdState *kbd)
{
    kbd->scancode_set = 2;
    kbd->typematic = 0x2b;      /* 10.9 characters/s, 500 ms delay */
    kbd->leds = 0;
}

static void ps2_kbd_argument(PS2KbdState *kbd, int cmd, uint8_t val)
{
    PS2State *s = &kbd->common;

    switch (cmd) {
    case 0xed:
        kbd->leds = val & 7;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf0:
        if (val == 0) {
            ps2_reply(s, PS2_ACK);
            ps2_reply(s, kbd->scancode_set);
        } else if (val == 1 || val == 2) {
            kbd->scancode_set = val;
            ps2_reply(s, PS2_ACK);
        } else if (val == 3) {
            ember_log_mask(LOG_UNIMP, "ps2: scan code set 3 not "
                           "supported, staying in set %d\n",
                           kbd->scancode_set);
            ps2_reply(s, PS2_ACK);
        } else {
            ps2_reply(s, PS2_RESEND);
        }
        break;
    case 0xf3:
        kbd->typematic = val & 0x7f;
        ps2_reply(s, PS2_ACK);
        break;
    default:
        /* 0xFB-0xFD: a set-3 key number. */
        ps2_reply(s, PS2_ACK);
        break;
    }
}

void ps2_write_keyboard(PS2KbdState *kbd, uint8_t val)
{
    PS2State *s = &kbd->common;
    int pending = s->pending;

    /* Arguments have bit 7 clear; a command byte cancels the wait. */
    if (pending >= 0 && (!(val & 0x80) || pending >= 0xfb)) {
        s->pending = -1;
        ps2_kbd_argument(kbd, pending, val);
        ps2_notify(s);
        return;
    }
    s->pending = -1;
    if (val == 0xfe) {
        ps2_begin_command(s);
        ps2_reply(s, s->last_sent);
        ps2_notify(s);
        return;
    }
    ps2_begin_command(s);
    switch (val) {
    case 0xed:      /* set LEDs */
    case 0xf0:      /* get/set scan code set */
    case 0xf3:      /* typematic rate and delay */
    case 0xfb:      /* set-3 key: typematic */
    case 0xfc:      /* set-3 key: make/break */
    case 0xfd:      /* set-3 key: make only */
        s->pending = val;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xee:
        ps2_reply(s, PS2_ECHO);
        break;
    case 0xf2:
        /* MF2 keyboard; the i8042 translates 0x83 to 0x41. */
        ps2_reply(s, PS2_ACK);
        ps2_reply(s, 0xab);
        ps2_reply(s, 0x83);
        break;
    case 0xf4:
        kbd->scan_enabled = true;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf5:
        ps2_kbd_defaults(kbd);
        kbd->scan_enabled = false;
        s->q.count = 0;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf6:
        ps2_kbd_defaults(kbd);
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa:
        /* Set-3 "all keys" attributes: accepted, nothing changes. */
        ps2_reply(s, PS2_ACK);
        break;
    case 0xff:
        /* Reset: the basic assurance test passes at once. */
        ps2_kbd_defaults(kbd);
        kbd->scan_enabled = true;
        s->q.count = 0;
        ps2_reply(s, PS2_ACK);
        ps2_reply(s, PS2_BAT_OK);
        break;
    default:
        ember_log_mask(LOG_GUEST_ERROR, "ps2: unknown keyboard command "
                       "0x%02x\n", val);
        ps2_reply(s, PS2_RESEND);
        break;
    }
    ps2_notify(s);
}

/* ---- mouse --------------------------------------------------------------- */

static unsigned ps2_mouse_packet_size(PS2MouseState *m)
{
    return m->type ? 4 : 3;
}

static int ps2_clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 2:1 scaling (IBM mouse reference, "Scaling"). */
static int ps2_scale21(int v)
{
    static const int8_t small[6] = { 0, 1, 1, 3, 6, 9 };
    int a = abs(v);
    int r = a < 6 ? small[a] : 2 * a;

    return v < 0 ? -r : r;
}

/* Queue one movement packet, taking what fits from the accumulators. */
static void ps2_mouse_send_packet(PS2MouseState *m, bool scaled)
{
    PS2State *s = &m->common;
    int dx = ps2_clamp(m->dx, -256, 255);
    int dy = ps2_clamp(m->dy, -256, 255);
    int dz = ps2_clamp(m->dz, -8, 7);
    int px = dx, py = -dy;      /* PS/2 counts y upwards */
    unsigned b = m->buttons;
    uint8_t b0;

    m->dx -= dx;
    m->dy -= dy;
    m->dz -= dz;
    if (scaled && m->scaling21) {
        px = ps2_clamp(ps2_scale21(px), -256, 255);
        py = ps2_clamp(ps2_scale21(py), -256, 255);
    }
    b0 = 0x08 | (b & PS2_BUTTON_LEFT ? 0x01 : 0) |
         (b & PS2_BUTTON_RIGHT ? 0x02 : 0) |
         (b & PS2_BUTTON_MIDDLE ? 0x04 : 0) |
         (px < 0 ? 0x10 : 0) | (py < 0 ? 0x20 : 0);
    ps2_queue(s, b0);
    ps2_queue(s, px & 0xff);
    ps2_queue(s, py & 0xff);
    if (m->type == 3) {
        ps2_queue(s, dz & 0xff);
    } else if (m->type == 4) {
        ps2_queue(s, (dz & 0x0f) | (b & PS2_BUTTON_SIDE ? 0x10 : 0) |
                  (b & PS2_BUTTON_EXTRA ? 0x20 : 0));
    }
    m->reported_buttons = b;
}

/*
 * Stream mode: report while there is news and room. The controller is
 * told unless it is the one reading right now (it looks again itself).
 */
static void ps2_mouse_flush(PS2MouseState *m, bool notify)
{
    bool sent = false;

    if (!m->reporting || m->remote || m->wrap) {
        return;
    }
    while ((m->dx || m->dy || m->dz || m->buttons != m->reported_buttons) &&
           ps2_room(&m->common) >= ps2_mouse_packet_size(m)) {
        ps2_mouse_send_packet(m, true);
        sent = true;
    }
    if (sent && notify) {
        ps2_notify(&m->common);
    }
}

void ps2_mouse_event(PS2MouseState *m, int dx, int dy, int dz,
                     unsigned buttons)
{
    /* Accumulate in a range that cannot overflow. */
    m->dx = ps2_clamp(m->dx + ps2_clamp(dx, -65536, 65536), -65536, 65536);
    m->dy = ps2_clamp(m->dy + ps2_clamp(dy, -65536, 65536), -65536, 65536);
    m->dz = ps2_clamp(m->dz + ps2_clamp(dz, -256, 256), -256, 256);
    m->buttons = buttons & 0x1f;
    if (!m->reporting || m->remote) {
        /* Not asked for: nothing piles up for later. */
        if (!m->remote) {
            m->dx = m->dy = m->dz = 0;
        }
    }
    ps2_mouse_flush(m, true);
}

static void ps2_mouse_defaults(PS2MouseState *m)
{
    m->sample_rate = 100;
    m->resolution = 2;
    m->scaling21 = false;
    m->remote = false;
    m->reporting = false;
    m->dx = m->dy = m->dz = 0;
}

static void ps2_mouse_argument(PS2MouseState *m, int cmd, uint8_t val)
{
    PS2State *s = &m->common;

    if (cmd == 0xe8) {
        if (val > 3) {
            ps2_reply(s, PS2_RESEND);
            return;
        }
        m->resolution = val;
        ps2_reply(s, PS2_ACK);
        return;
    }
    /* 0xF3: sample rate; the knock sequences select wheel formats. */
    m->sample_rate = val;
    m->rates[0] = m->rates[1];
    m->rates[1] = m->rates[2];
    m->rates[2] = val;
    if (m->rates[0] == 200 && m->rates[1] == 100 && m->rates[2] == 80) {
        m->type = 3;
    } else if (m->rates[0] == 200 && m->rates[1] == 200 &&
               m->rates[2] == 80 && m->type == 3) {
        m->type = 4;
    }
    ps2_reply(s, PS2_ACK);
}

void ps2_write_mouse(PS2MouseState *m, uint8_t val)
{
    PS2State *s = &m->common;
    int pending = s->pending;

    if (pending >= 0) {
        s->pending = -1;
        ps2_mouse_argument(m, pending, val);
        ps2_notify(s);
        return;
    }
    if (m->wrap && val != 0xec && val != 0xff) {
        /* Wrap (echo) mode returns every byte. */
        ps2_reply(s, val);
        ps2_notify(s);
        return;
    }
    ps2_begin_command(s);
    switch (val) {
    case 0xe6:
        m->scaling21 = false;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xe7:
        m->scaling21 = true;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xe8:      /* resolution */
    case 0xf3:      /* sample rate */
        s->pending = val;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xe9: {
        unsigned b = m->buttons;
        ps2_reply(s, PS2_ACK);
        ps2_reply(s, (m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
                  (m->scaling21 ? 0x10 : 0) |
                  (b & PS2_BUTTON_LEFT ? 0x04 : 0) |
                  (b & PS2_BUTTON_MIDDLE ? 0x02 : 0) |
                  (b & PS2_BUTTON_RIGHT ? 0x01 : 0));
        ps2_reply(s, m->resolution);
        ps2_reply(s, m->sample_rate);
        break;
    }
    case 0xea:
        m->remote = false;
        m->dx = m->dy = m->dz = 0;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xeb:
        /* Read data: one packet now, motion or not. */
        ps2_reply(s, PS2_ACK);
        if (ps2_room(s) >= ps2_mouse_packet_size(m)) {
            ps2_mouse_send_packet(m, false);
        }
        break;
    case 0xec:
        m->wrap = false;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xee:
        m->wrap = true;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf0:
        m->remote = true;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf2:
        ps2_reply(s, PS2_ACK);
        ps2_reply(s, m->type);
        break;
    case 0xf4:
        m->reporting = true;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf5:
        m->reporting = false;
        s->q.count = 0;
        ps2_reply(s, PS2_ACK);
        break;
    case 0xf6:
        ps2_mouse_defaults(m);
        ps2_reply(s, PS2_ACK);
        break;
    case 0xfe:
        ps2_reply(s, s->last_sent);
        break;
    case 0xff:
        ps2_mouse_defaults(m);
        m->wrap = false;
        m->type = 0;
        s->q.count = 0;
        ps2_reply(s, PS2_ACK);
        ps2_reply(s, PS2_BAT_OK);
        ps2_reply(s, 0x00);
        break;
    default:
        ember_log_mask(LOG_GUEST_ERROR, "ps2: unknown mouse command "
                       "0x%02x\n", val);
        ps2_reply(s, PS2_RESEND);
        break;
    }
    ps2_notify(s);
}

/* ---- life cycle and controller access ------------------------------------ */

PS2KbdState *ps2_kbd_new(void (*update)(void *opaque), void *opaque)
{
    PS2KbdState *kbd = g_new0(PS2KbdState, 1);

    kbd->common.update = update;
    kbd->common.opaque = opaque;
    ps2_kbd_reset(kbd);
    default_kbd = kbd;
    return kbd;
}

PS2MouseState *ps2_mouse_new(void (*update)(void *opaque), void *opaque)
{
    PS2MouseState *m = g_new0(PS2MouseState, 1);

    m->common.update = update;
    m->common.opaque = opaque;
    ps2_mouse_reset(m);
    default_mouse = m;
    return m;
}

void ps2_kbd_free(PS2KbdState *kbd)
{
    if (default_kbd == kbd) {
        default_kbd = NULL;
    }
    g_free(kbd);
}

void ps2_mouse_free(PS2MouseState *m)
{
    if (default_mouse == m) {
        default_mouse = NULL;
    }
    g_free(m);
}

void ps2_kbd_reset(PS2KbdState *kbd)
{
    ps2_clear(&kbd->common);
    ps2_kbd_defaults(kbd);
    kbd->scan_enabled = true;
}

void ps2_mouse_reset(PS2MouseState *m)
{
    ps2_clear(&m->common);
    ps2_mouse_defaults(m);
    m->wrap = false;
    m->type = 0;
    memset(m->rates, 0, sizeof(m->rates));
    m->buttons = m->reported_buttons = 0;
}

int ps2_kbd_read(PS2KbdState *kbd)
{
    return ps2_read(&kbd->common);
}

int ps2_mouse_read(PS2MouseState *m)
{
    int b = ps2_read(&m->common);

    /* Room again: report motion that waited for it. */
    if (b >= 0 && !m->common.q.count) {
        ps2_mouse_flush(m, false);
    }
    return b;
}

bool ps2_kbd_has_data(PS2KbdState *kbd)
{
    return ps2_has_data(&kbd->common);
}

bool ps2_mouse_has_data(PS2MouseState *m)
{
    return ps2_has_data(&m->common);
}

int ps2_kbd_scancode_set(PS2KbdState *kbd)
{
    return kbd->scancode_set;
}

unsigned ps2_keyboard_get_leds(PS2KbdState *kbd)
{
    return kbd->leds;
}

PS2KbdState *ps2_keyboard_default(void)
{
    return default_kbd;
}

PS2MouseState *ps2_mouse_default(void)
{
    return default_mouse;
}
