/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PS/2 keyboard and mouse models (hw/input/ps2.c): scan codes in
 * sets 1 and 2, the 8042 translation of set 2 into set 1 for every key,
 * the input API the UI calls, and mouse packets.
 */
#include "ember/osdep.h"
#include "hw/input/ps2.h"

static int updates;

static void on_update(void *opaque)
{
    updates++;
}

/* Everything the device has queued. */
static GByteArray *drain_kbd(PS2KbdState *k)
{
    GByteArray *a = g_byte_array_new();
    int b;

    while ((b = ps2_kbd_read(k)) >= 0) {
        uint8_t v = b;
        g_byte_array_append(a, &v, 1);
    }
    return a;
}

static GByteArray *drain_mouse(PS2MouseState *m)
{
    GByteArray *a = g_byte_array_new();
    int b;

    while ((b = ps2_mouse_read(m)) >= 0) {
        uint8_t v = b;
        g_byte_array_append(a, &v, 1);
    }
    return a;
}

static void kbd_command(PS2KbdState *k, uint8_t cmd, int arg)
{
    ps2_write_keyboard(k, cmd);
    if (arg >= 0) {
        ps2_write_keyboard(k, arg);
    }
    g_byte_array_unref(drain_kbd(k));
}

static void assert_bytes(GByteArray *a, const uint8_t *want, size_t n)
{
    g_assert_cmpmem(a->data, a->len, want, n);
    g_byte_array_unref(a);
}

/* What the 8042 makes of a set-2 byte stream (translation on). */
static GByteArray *translate(GByteArray *in)
{
    GByteArray *out = g_byte_array_new();
    bool brk = false;

    for (unsigned i = 0; i < in->len; i++) {
        uint8_t b = in->data[i];
        if (b == 0xf0) {
            brk = true;
            continue;
        }
        b = ps2_translate_set2_byte(b) | (brk ? 0x80 : 0);
        brk = false;
        g_byte_array_append(out, &b, 1);
    }
    return out;
}

static void test_known_codes(void)
{
    PS2KbdState *k = ps2_kbd_new(on_update, NULL);

    /* Linux KEY_A (30): set 2 make 0x1C, break F0 1C. */
    ps2_keyboard_put_keycode(k, 30, true);
    ps2_keyboard_put_keycode(k, 30, false);
    assert_bytes(drain_kbd(k), (const uint8_t[]){ 0x1c, 0xf0, 0x1c }, 3);
    /* KEY_UP (103): E0 75 / E0 F0 75. */
    ps2_keyboard_put_keycode(k, 103, true);
    ps2_keyboard_put_keycode(k, 103, false);
    assert_bytes(drain_kbd(k),
                 (const uint8_t[]){ 0xe0, 0x75, 0xe0, 0xf0, 0x75 }, 5);
    /* Set 1: KEY_A is 1E / 9E, KEY_UP E0 48 / E0 C8. */
    kbd_command(k, 0xf0, 1);
    ps2_keyboard_put_keycode(k, 30, true);
    ps2_keyboard_put_keycode(k, 30, false);
    ps2_keyboard_put_keycode(k, 103, true);
    ps2_keyboard_put_keycode(k, 103, false);
    assert_bytes(drain_kbd(k),
                 (const uint8_t[]){ 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8 }, 6);
    /* Pause sends make and break at once, nothing on release. */
    ps2_keyboard_put_keycode(k, 119, true);
    ps2_keyboard_put_keycode(k, 119, false);
    assert_bytes(drain_kbd(k),
                 (const uint8_t[]){ 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 }, 6);
    /* A key the PC keyboard lacks is ignored. */
    ps2_keyboard_put_keycode(k, 240, true);
    g_assert_false(ps2_kbd_has_data(k));
    ps2_kbd_free(k);
}

/*
 * For every key: translating its set-2 bytes gives exactly its set-1
 * bytes, for press and release. This is what the 8042 guarantees to
 * a guest that runs the keyboard in set 2 with translation on.
 */
static void test_translation_matches_set1(void)
{
    PS2KbdState *k = ps2_kbd_new(on_update, NULL);
    int keys = 0;

    for (unsigned code = 1; code < 256; code++) {
        for (int down = 1; down >= 0; down--) {
            g_autoptr(GByteArray) s1 = NULL;
            g_autoptr(GByteArray) s2 = NULL;
            g_autoptr(GByteArray) x = NULL;

            kbd_command(k, 0xf0, 2);
            ps2_keyboard_put_keycode(k, code, down);
            s2 = drain_kbd(k);
            kbd_command(k, 0xf0, 1);
            ps2_keyboard_put_keycode(k, code, down);
            s1 = drain_kbd(k);
            if (!s2->len) {
                g_assert_cmpuint(s1->len, ==, 0);
                continue;
            }
            x = translate(s2);
            g_assert_cmpmem(x->data, x->len, s1->data, s1->len);
            keys += down;
        }
    }
    /* The full 101/102-key layout plus the extra keys. */
    g_assert_cmpint(keys, >=, 104);
    /* Keyboard replies pass unchanged, except the ID byte 0x83. */
    g_assert_cmphex(ps2_translate_set2_byte(0xfa), ==, 0xfa);
    g_assert_cmphex(ps2_translate_set2_byte(0xaa), ==, 0xaa);
    g_assert_cmphex(ps2_translate_set2_byte(0xab), ==, 0xab);
    g_assert_cmphex(ps2_translate_set2_byte(0x83), ==, 0x41);
    ps2_kbd_free(k);
}

static void test_keyboard_commands(void)
{
    PS2KbdState *k = ps2_kbd_new(on_update, NULL);
    int before = updates;

    /* Replies to commands come before queued keys. */
    ps2_keyboard_put_keycode(k, 30, true);
    ps2_write_keyboard(k, 0xf2);
    g_assert_cmpint(updates, >, before);
    assert_bytes(drain_kbd(k), (const uint8_t[]){ 0xfa, 0xab, 0x83, 0x1c },
                 4);
    /* LEDs. */
    ps2_write_keyboard(k, 0xed);
    ps2_write_keyboard(k, PS2_LED_CAPS | PS2_LED_NUM);
    assert_bytes(drain_kbd(k), (const uint8_t[]){ 0xfa, 0xfa }, 2);
    g_assert_cmpuint(ps2_keyboard_get_leds(k), ==,
                     PS2_LED_CAPS | PS2_LED_NUM);
    /* A command byte while an argument is expected starts over. */
    ps2_write_keyboard(k, 0xed);
    assert_bytes(drain_kbd(k), (const uint8_t[]){ 0xfa }, 1);
    ps2_write_keyboard(k, 0xf2);
    assert_bytes(drain_kbd(k), (const uint8_t[]){ 0xfa, 0xab, 0x83 }, 3);
    /* Disabled: keys are not queued; F5 also restores defaults. */
    ps2_write_keyboard(k, 0xf5);
    g_byte_array_unref(drain_kbd(k));
    g_assert_cmpuint(ps2_keyboard_get_leds(k), ==, 0);
    ps2_keyboard_put_keycode(k, 30, true);
    g_assert_false(ps2_kbd_has_data(k));
    /* Reset re-enables: ACK then BAT. */
    ps2_write_keyboard(k, 0xff);
    assert_bytes(drain_kbd(k), (const uint8_t[]){ 0xfa, 0xaa }, 2);
    ps2_keyboard_put_keycode(k, 30, true);
    g_assert_true(ps2_kbd_has_data(k));
    g_byte_array_unref(drain_kbd(k));
    /* A full buffer never holds half a sequence. */
    for (int i = 0; i < 200; i++) {
        ps2_keyboard_put_keycode(k, 103, true);   /* 2 bytes */
    }
    g_autoptr(GByteArray) all = drain_kbd(k);
    g_assert_cmpuint(all->len % 2, ==, 0);
    g_assert_cmpuint(all->len, ==, 256);
    ps2_kbd_free(k);
}

static void test_default_devices(void)
{
    PS2KbdState *k = ps2_kbd_new(on_update, NULL);
    PS2MouseState *m = ps2_mouse_new(on_update, NULL);

    g_assert_true(ps2_keyboard_default() == k);
    g_assert_true(ps2_mouse_default() == m);
    ps2_kbd_free(k);
    ps2_mouse_free(m);
    g_assert_null(ps2_keyboard_default());
    g_assert_null(ps2_mouse_default());
}

static void mouse_command(PS2MouseState *m, uint8_t cmd, int arg)
{
    ps2_write_mouse(m, cmd);
    if (arg >= 0) {
        ps2_write_mouse(m, arg);
    }
    g_byte_array_unref(drain_mouse(m));
}

static void test_mouse_packets(void)
{
    PS2MouseState *m = ps2_mouse_new(on_update, NULL);

    /* Reporting is off after reset: motion is dropped. */
    ps2_mouse_event(m, 5, 5, 0, 0);
    g_assert_false(ps2_mouse_has_data(m));
    mouse_command(m, 0xf4, -1);
    /* Right and down: +x, and -y on the wire (PS/2 y points up). */
    ps2_mouse_event(m, 10, 3, 0, PS2_BUTTON_LEFT);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0x29, 10, 0xfd }, 3);
    /* Left: negative x with the sign bit. */
    ps2_mouse_event(m, -1, 0, 0, 0);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0x18, 0xff, 0x00 }, 3);
    /* Large motion is split into packets of at most 255. */
    ps2_mouse_event(m, 600, 0, 0, 0);
    assert_bytes(drain_mouse(m), (const uint8_t[]){
        0x08, 255, 0, 0x08, 255, 0, 0x08, 90, 0 }, 9);
    /* A button change alone makes a packet. */
    ps2_mouse_event(m, 0, 0, 0, PS2_BUTTON_MIDDLE | PS2_BUTTON_RIGHT);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0x0e, 0, 0 }, 3);
    /* 2:1 scaling: 3 -> 3, 5 -> 9, 10 -> 20. */
    mouse_command(m, 0xe7, -1);
    ps2_mouse_event(m, 5, -10, 0, 0);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0x08, 9, 20 }, 3);
    ps2_mouse_free(m);
}

static void test_mouse_wheel_formats(void)
{
    PS2MouseState *m = ps2_mouse_new(on_update, NULL);

    /* IntelliMouse: 4-byte packets with the wheel. */
    mouse_command(m, 0xf3, 200);
    mouse_command(m, 0xf3, 100);
    mouse_command(m, 0xf3, 80);
    ps2_write_mouse(m, 0xf2);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0xfa, 0x03 }, 2);
    mouse_command(m, 0xf4, -1);
    ps2_mouse_event(m, 0, 0, -2, 0);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0x08, 0, 0, 0xfe }, 4);
    /* Explorer (after the IntelliMouse knock): buttons 4 and 5. */
    mouse_command(m, 0xf3, 200);
    mouse_command(m, 0xf3, 200);
    mouse_command(m, 0xf3, 80);
    ps2_write_mouse(m, 0xf2);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0xfa, 0x04 }, 2);
    ps2_mouse_event(m, 0, 0, 1, PS2_BUTTON_SIDE);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0x08, 0, 0, 0x11 }, 4);
    /* Reset goes back to the plain 3-byte mouse. */
    ps2_write_mouse(m, 0xff);
    assert_bytes(drain_mouse(m), (const uint8_t[]){ 0xfa, 0xaa, 0x00 }, 3);
    ps2_mouse_free(m);
}

static void test_mouse_backlog(void)
{
    PS2MouseState *m = ps2_mouse_new(on_update, NULL);
    int total = 0, b;

    mouse_command(m, 0xf4, -1);
    /* 100 events of 200 each fill the buffer; the rest waits. */
    for (int i = 0; i < 100; i++) {
        ps2_mouse_event(m, 200, 0, 0, 0);
    }
    /* Read it all out: every count arrives, none is invented. */
    for (int n = 0; (b = ps2_mouse_read(m)) >= 0; n++) {
        uint8_t x;
        g_assert_cmphex(b & 0x08, ==, 0x08);
        x = ps2_mouse_read(m);
        g_assert_cmpint(ps2_mouse_read(m), ==, 0);
        total += x;
    }
    g_assert_cmpint(total, ==, 100 * 200);
    ps2_mouse_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ps2/known-codes", test_known_codes);
    g_test_add_func("/ps2/translation-matches-set1",
                    test_translation_matches_set1);
    g_test_add_func("/ps2/keyboard-commands", test_keyboard_commands);
    g_test_add_func("/ps2/default-devices", test_default_devices);
    g_test_add_func("/ps2/mouse-packets", test_mouse_packets);
    g_test_add_func("/ps2/mouse-wheel-formats", test_mouse_wheel_formats);
    g_test_add_func("/ps2/mouse-backlog", test_mouse_backlog);
    return g_test_run();
}
