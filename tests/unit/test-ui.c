/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The display core and input tables: guest pixel formats, surfaces and
 * the PPM writer, scaling (and that rescaling only a changed rectangle
 * gives exactly what rescaling everything gives), consoles with their
 * listeners and statistics, key names and the HID table, and the
 * absolute pointer's routing and scaling.
 */
#include "ember/osdep.h"
#include "ui/console.h"
#include "ui/input.h"
#include "ui/pixel.h"
#include <linux/input-event-codes.h>

static void test_pixel_convert(void)
{
    uint32_t pal[256], out[4];
    const uint8_t p8[] = { 0, 1, 255, 7 };
    const uint8_t p15[] = { 0xff, 0x7f, 0x00, 0x7c, 0xe0, 0x03, 0x1f, 0x00 };
    const uint8_t p16[] = { 0xff, 0xff, 0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00 };
    const uint8_t p24[] = { 1, 2, 3, 0xff, 0x80, 0x00 };
    const uint8_t p32[] = { 1, 2, 3, 0xee, 0x10, 0x20, 0x30, 0xff };

    for (int i = 0; i < 256; i++) {
        pal[i] = i * 0x010101;
    }
    pixel_convert_line(out, p8, 4, 8, pal);
    g_assert_cmphex(out[0], ==, 0);
    g_assert_cmphex(out[1], ==, 0x010101);
    g_assert_cmphex(out[2], ==, 0xffffff);
    g_assert_cmphex(out[3], ==, 0x070707);
    /* 15 bpp: white, full red, full green, full blue. */
    pixel_convert_line(out, p15, 4, 15, NULL);
    g_assert_cmphex(out[0], ==, 0xffffff);
    g_assert_cmphex(out[1], ==, 0xff0000);
    g_assert_cmphex(out[2], ==, 0x00ff00);
    g_assert_cmphex(out[3], ==, 0x0000ff);
    pixel_convert_line(out, p16, 4, 16, NULL);
    g_assert_cmphex(out[0], ==, 0xffffff);
    g_assert_cmphex(out[1], ==, 0xff0000);
    g_assert_cmphex(out[2], ==, 0x00ff00);
    g_assert_cmphex(out[3], ==, 0x0000ff);
    pixel_convert_line(out, p24, 2, 24, NULL);
    g_assert_cmphex(out[0], ==, 0x030201);
    g_assert_cmphex(out[1], ==, 0x0080ff);
    /* 32 bpp: the top byte is not colour (padding, left as it was). */
    pixel_convert_line(out, p32, 2, 32, NULL);
    g_assert_cmphex(out[0] & 0xffffff, ==, 0x030201);
    g_assert_cmphex(out[1] & 0xffffff, ==, 0x302010);
    /* Widening keeps the ends: 6-bit 0x3f and 5-bit 0x1f are 0xff. */
    g_assert_cmpuint(pixel_c6_to_c8(0x3f), ==, 0xff);
    g_assert_cmpuint(pixel_c6_to_c8(0x20), ==, 0x82);
    g_assert_cmpuint(pixel_c5_to_c8(0x10), ==, 0x84);
}

static void test_surface_ppm(void)
{
    DisplaySurface *s = display_surface_new(3, 2);
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;
    gsize len;
    int fd = g_file_open_tmp("test-ui-XXXXXX.ppm", &path, NULL);
    GError *err = NULL;

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_cmpint(surface_width(s), ==, 3);
    g_assert_cmpint(surface_height(s), ==, 2);
    g_assert_cmphex(surface_pixel(s, 2, 1), ==, 0);     /* starts black */
    surface_row(s, 0)[0] = 0x112233;
    surface_row(s, 1)[2] = 0xffa0b0c0;                  /* top byte: x */
    g_assert_true(display_surface_write_ppm(s, path, &err));
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpuint(len, ==, 11 + 18);
    g_assert_cmpmem(data, 11, "P6\n3 2\n255\n", 11);
    g_assert_cmpmem(data + 11, 3, "\x11\x22\x33", 3);
    g_assert_cmpmem(data + 11 + 15, 3, "\xa0\xb0\xc0", 3);
    unlink(path);
    g_assert_false(display_surface_write_ppm(s, "/nonexistent/x.ppm",
                                             &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent/x.ppm"));
    g_error_free(err);
    display_surface_free(s);

    /* Absurd sizes are clamped, not trusted. */
    s = display_surface_new(0, 100000);
    g_assert_cmpint(surface_width(s), ==, 1);
    g_assert_cmpint(surface_height(s), ==, 16384);
    display_surface_free(s);
}

static void fill_pattern(DisplaySurface *s, unsigned seed)
{
    for (int y = 0; y < surface_height(s); y++) {
        for (int x = 0; x < surface_width(s); x++) {
            surface_row(s, y)[x] = ((x * 37 + y * 11 + seed) * 0x9e3779b1u)
                                   & 0xffffff;
        }
    }
}

static void test_scale_nearest(void)
{
    DisplaySurface *src = display_surface_new(40, 30);
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, 80, 60,
                                                   NULL, 80 * 4);
    uint32_t *d = pixman_image_get_data(dst);

    fill_pattern(src, 1);
    display_surface_scale(src, dst, 0, 0, 80, 60, false);
    for (int y = 0; y < 60; y++) {
        for (int x = 0; x < 80; x++) {
            g_assert_cmphex(d[y * 80 + x] & 0xffffff, ==,
                            surface_pixel(src, x / 2, y / 2));
        }
    }
    pixman_image_unref(dst);
    display_surface_free(src);
}

/* Blocks of one colour stay that colour in their middle, however they
 * are filtered. */
static void test_scale_bilinear_flat(void)
{
    DisplaySurface *src = display_surface_new(64, 48);
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, 160, 90,
                                                   NULL, 160 * 4);
    uint32_t *d = pixman_image_get_data(dst);

    for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 64; x++) {
            surface_row(src, y)[x] = ((x / 16) * 0x405060 + (y / 16) *
                                      0x102030) & 0xffffff;
        }
    }
    display_surface_scale(src, dst, 0, 0, 160, 90, true);
    for (int by = 0; by < 3; by++) {
        for (int bx = 0; bx < 4; bx++) {
            int cx = (bx * 16 + 8) * 160 / 64, cy = (by * 16 + 8) * 90 / 48;
            g_assert_cmphex(d[cy * 160 + cx] & 0xffffff, ==,
                            surface_pixel(src, bx * 16 + 8, by * 16 + 8));
        }
    }
    pixman_image_unref(dst);
    display_surface_free(src);
}

/*
 * What a front end does: after a change in a source rectangle, rescale
 * only the destination rectangle display_scale_rect() names. The result
 * must equal a full rescale, for odd ratios, both filters, and rects at
 * the edges.
 */
static void test_scale_partial_equals_full(void)
{
    static const int sizes[][4] = {
        { 720, 400, 1024, 768 }, { 640, 480, 333, 211 }, { 320, 200, 1280, 800 },
    };
    static const int rects[][4] = {
        { 0, 0, 9, 16 }, { 311, 7, 1, 1 }, { 100, 50, 37, 90 },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(sizes); i++) {
        int sw = sizes[i][0], sh = sizes[i][1];
        int dw = sizes[i][2], dh = sizes[i][3];

        for (int smooth = 0; smooth < 2; smooth++) {
            for (unsigned r = 0; r < G_N_ELEMENTS(rects); r++) {
                DisplaySurface *src = display_surface_new(sw, sh);
                pixman_image_t *part = pixman_image_create_bits(
                    PIXMAN_x8r8g8b8, dw, dh, NULL, dw * 4);
                pixman_image_t *full = pixman_image_create_bits(
                    PIXMAN_x8r8g8b8, dw, dh, NULL, dw * 4);
                int x = rects[r][0] % sw, y = rects[r][1] % sh;
                int w = MIN(rects[r][2], sw - x), h = MIN(rects[r][3], sh - y);

                fill_pattern(src, 3);
                display_surface_scale(src, part, 0, 0, dw, dh, smooth);
                /* Change the rectangle, rescale only what it reaches. */
                for (int yy = y; yy < y + h; yy++) {
                    for (int xx = x; xx < x + w; xx++) {
                        surface_row(src, yy)[xx] ^= 0x5a5a5a;
                    }
                }
                display_scale_rect(sw, sh, dw, dh, &x, &y, &w, &h);
                g_assert_cmpint(x, >=, 0);
                g_assert_cmpint(x + w, <=, dw);
                display_surface_scale(src, part, x, y, w, h, smooth);
                display_surface_scale(src, full, 0, 0, dw, dh, smooth);
                g_assert_cmpmem(pixman_image_get_data(part), dw * dh * 4,
                                pixman_image_get_data(full), dw * dh * 4);
                pixman_image_unref(part);
                pixman_image_unref(full);
                display_surface_free(src);
            }
        }
    }
}

/* A fake display device and a listener. */
typedef struct Fake {
    DisplayConsole *con;
    int updates, invalidated;
    int listener_rects, listener_switches;
    int lx, ly, lw, lh;
    DisplayChangeListener dcl;
} Fake;

static void fake_update(void *opaque)
{
    Fake *f = opaque;
    DisplaySurface *s = console_surface(f->con);

    f->updates++;
    if (surface_width(s) != 100) {
        dpy_gfx_replace_surface(f->con, display_surface_new(100, 50));
        s = console_surface(f->con);
    }
    surface_row(s, 10)[20] = 0xabcdef;
    console_count_rendered_lines(f->con, 1);
    dpy_gfx_update(f->con, 20, 10, 1, 1);
    dpy_gfx_update(f->con, 90, 45, 50, 50);     /* clipped to 10x5 */
    dpy_gfx_update(f->con, 200, 200, 5, 5);     /* outside: dropped */
}

static void fake_invalidate(void *opaque)
{
    ((Fake *)opaque)->invalidated++;
}

static const GraphicHwOps fake_ops = {
    .invalidate = fake_invalidate,
    .gfx_update = fake_update,
};

static void dcl_update(DisplayChangeListener *dcl, int x, int y, int w,
                       int h)
{
    Fake *f = container_of(dcl, Fake, dcl);

    f->listener_rects++;
    f->lx = x;
    f->ly = y;
    f->lw = w;
    f->lh = h;
}

static void dcl_switch(DisplayChangeListener *dcl, DisplaySurface *s)
{
    container_of(dcl, Fake, dcl)->listener_switches++;
}

static const DisplayChangeListenerOps dcl_ops = {
    .name = "test",
    .gfx_update = dcl_update,
    .gfx_switch = dcl_switch,
};

static void test_console(void)
{
    Fake f = { 0 };
    DisplayStats st;
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("test-ui-XXXXXX.ppm", &path, NULL);
    GError *err = NULL;

    close(fd);
    f.con = graphic_console_init(NULL, "fake", &fake_ops, &f);
    g_assert_true(console_get_default() == f.con);
    g_assert_cmpstr(console_name(f.con), ==, "fake");
    g_assert_cmpint(surface_width(console_surface(f.con)), ==, 640);
    f.dcl.ops = &dcl_ops;
    f.dcl.con = f.con;
    register_displaychangelistener(&f.dcl);
    g_assert_cmpint(f.listener_switches, ==, 1);   /* told at once */
    g_assert_cmpint(f.invalidated, ==, 1);          /* and redrawn */

    console_reset_stats(f.con);
    graphic_hw_update(f.con);
    console_get_stats(f.con, &st);
    g_assert_cmpint(f.listener_switches, ==, 2);
    g_assert_cmpuint(st.switches, ==, 1);
    g_assert_cmpuint(st.updates, ==, 1);
    g_assert_cmpuint(st.rects, ==, 2);
    g_assert_cmpuint(st.pixels, ==, 1 + 10 * 5);
    g_assert_cmpuint(st.lines_rendered, ==, 1);
    g_assert_cmpint(st.last_x, ==, 20);
    g_assert_cmpint(st.last_y, ==, 10);
    g_assert_cmpint(st.last_w, ==, 80);
    g_assert_cmpint(st.last_h, ==, 40);
    g_assert_cmpint(f.listener_rects, ==, 2);
    g_assert_cmpint(f.lx, ==, 90);
    g_assert_cmpint(f.lw, ==, 10);
    g_assert_cmpint(f.lh, ==, 5);

    /* A screendump renders everything first. */
    g_assert_true(console_screendump(f.con, path, &err));
    g_assert_cmpint(f.invalidated, ==, 2);
    g_assert_cmpint(f.updates, ==, 2);
    unlink(path);

    unregister_displaychangelistener(&f.dcl);
    graphic_hw_update(f.con);
    g_assert_cmpint(f.listener_rects, ==, 4);      /* no longer told */
    graphic_console_close(f.con);
    g_assert_null(console_get_default());
    g_assert_false(console_screendump(NULL, path, &err));
    g_error_free(err);
}

static void test_key_names(void)
{
    g_assert_cmpint(input_key_from_name("a"), ==, KEY_A);
    g_assert_cmpint(input_key_from_name("ctrl"), ==, KEY_LEFTCTRL);
    g_assert_cmpint(input_key_from_name("alt_r"), ==, KEY_RIGHTALT);
    g_assert_cmpint(input_key_from_name("delete"), ==, KEY_DELETE);
    g_assert_cmpint(input_key_from_name("ret"), ==, KEY_ENTER);
    g_assert_cmpint(input_key_from_name("spc"), ==, KEY_SPACE);
    g_assert_cmpint(input_key_from_name("F12"), ==, KEY_F12);
    g_assert_cmpint(input_key_from_name("0x1e"), ==, KEY_A);
    g_assert_cmpint(input_key_from_name("0x"), ==, -1);
    g_assert_cmpint(input_key_from_name("0xfffff"), ==, -1);
    g_assert_cmpint(input_key_from_name("nosuch"), ==, -1);
    g_assert_cmpint(input_key_from_name(""), ==, -1);
    g_assert_cmpstr(input_key_name(KEY_ENTER), ==, "ret");
    g_assert_null(input_key_name(KEY_MAX));
}

static void test_hid_table(void)
{
    bool seen[KEY_MAX + 1] = { false };
    int mapped = 0;

    g_assert_cmpuint(input_hid_to_key(0x04), ==, KEY_A);
    g_assert_cmpuint(input_hid_to_key(0x1d), ==, KEY_Z);
    g_assert_cmpuint(input_hid_to_key(0x27), ==, KEY_0);
    g_assert_cmpuint(input_hid_to_key(0x28), ==, KEY_ENTER);
    g_assert_cmpuint(input_hid_to_key(0x4c), ==, KEY_DELETE);
    g_assert_cmpuint(input_hid_to_key(0x58), ==, KEY_KPENTER);
    g_assert_cmpuint(input_hid_to_key(0x64), ==, KEY_102ND);
    g_assert_cmpuint(input_hid_to_key(0xe0), ==, KEY_LEFTCTRL);
    g_assert_cmpuint(input_hid_to_key(0xe7), ==, KEY_RIGHTMETA);
    g_assert_cmpuint(input_hid_to_key(0xe8), ==, 0);
    g_assert_cmpuint(input_hid_to_key(100000), ==, 0);
    /* One usage per key, except the ISO key that shares backslash's. */
    for (unsigned u = 0; u < 0x100; u++) {
        unsigned k = input_hid_to_key(u);
        if (!k) {
            continue;
        }
        g_assert_cmpuint(k, <=, KEY_MAX);
        if (u != 0x32) {
            g_assert_false(seen[k]);
        }
        seen[k] = true;
        mapped++;
    }
    g_assert_cmpint(mapped, >, 120);
    /* Every key a PC keyboard has is reachable. */
    for (unsigned k = KEY_ESC; k <= KEY_F12; k++) {
        if (k != 84 && k != 85) {           /* no such PC keys */
            g_assert_true(seen[k]);
        }
    }
}

typedef struct AbsSeen {
    int n, x, y, dz;
    unsigned buttons;
} AbsSeen;

static void abs_event(void *opaque, const InputEvent *ev)
{
    AbsSeen *a = opaque;

    g_assert_cmpint(ev->type, ==, INPUT_EVENT_ABS);
    a->n++;
    a->x = ev->x;
    a->y = ev->y;
    a->dz = ev->dz;
    a->buttons = ev->buttons;
}

static void test_absolute_routing(void)
{
    AbsSeen a = { 0 };
    InputHandler h = {
        .name = "test", .mask = INPUT_EVENT_ABS, .event = abs_event,
        .opaque = &a,
    };

    g_assert_false(input_has_absolute());
    input_abs_event(5, 5, 10, 10, 0, 0);            /* nobody listens */
    input_handler_register(&h);
    g_assert_true(input_has_absolute());
    input_abs_event(0, 0, 640, 480, 0, INPUT_BUTTON_RIGHT);
    g_assert_cmpint(a.x, ==, 0);
    g_assert_cmpint(a.y, ==, 0);
    g_assert_cmpuint(a.buttons, ==, INPUT_BUTTON_RIGHT);
    input_abs_event(639, 479, 640, 480, 3, 0);
    g_assert_cmpint(a.x, ==, INPUT_ABS_MAX);
    g_assert_cmpint(a.y, ==, INPUT_ABS_MAX);
    g_assert_cmpint(a.dz, ==, 3);
    input_abs_event(320, -7, 641, 480, 0, 0);
    g_assert_cmpint(a.x, ==, INPUT_ABS_MAX / 2);
    g_assert_cmpint(a.y, ==, 0);
    input_abs_event(9, 9, 1, 0, 0, 0);              /* degenerate window */
    g_assert_cmpint(a.x, ==, 0);
    g_assert_cmpint(a.n, ==, 4);
    /* Relative motion does not reach an absolute-only handler. */
    input_rel_event(1, 1, 0, 0);
    g_assert_cmpint(a.n, ==, 4);
    input_handler_unregister(&h);
    g_assert_false(input_has_absolute());
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ui/pixel-convert", test_pixel_convert);
    g_test_add_func("/ui/surface-ppm", test_surface_ppm);
    g_test_add_func("/ui/scale/nearest", test_scale_nearest);
    g_test_add_func("/ui/scale/bilinear-flat", test_scale_bilinear_flat);
    g_test_add_func("/ui/scale/partial-equals-full",
                    test_scale_partial_equals_full);
    g_test_add_func("/ui/console", test_console);
    g_test_add_func("/ui/key-names", test_key_names);
    g_test_add_func("/ui/hid-table", test_hid_table);
    g_test_add_func("/ui/absolute-routing", test_absolute_routing);
    return g_test_run();
}
