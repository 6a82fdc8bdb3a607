/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The display core: surfaces over pixman images, a console per display
 * device, listeners (front ends), dirty rectangles, scaling and the
 * screendump. See include/ui/console.h.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ui/console.h"
#include "ui/input.h"

#define SURFACE_MAX_DIM 16384

struct DisplayConsole {
    int index;
    char *name;
    DeviceState *dev;
    const GraphicHwOps *ops;
    void *opaque;
    DisplaySurface *surface;
    GPtrArray *listeners;           /* DisplayChangeListener * */
    DisplayStats stats;
    /* Bounding box of the rectangles of the update in progress. */
    int bx0, by0, bx1, by1;
};

static GPtrArray *consoles;

/* ---- surfaces ------------------------------------------------------------ */

DisplaySurface *display_surface_new(int width, int height)
{
    DisplaySurface *s = g_new0(DisplaySurface, 1);

    width = CLAMP(width, 1, SURFACE_MAX_DIM);
    height = CLAMP(height, 1, SURFACE_MAX_DIM);
    /* pixman allocates zeroed bits when given no buffer. */
    s->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height,
                                        NULL, width * 4);
    if (!s->image) {
        g_error("display: cannot allocate a %dx%d surface", width, height);
    }
    return s;
}

DisplaySurface *display_surface_new_from(int width, int height, int stride,
                                         void *data)
{
    DisplaySurface *s = g_new0(DisplaySurface, 1);

    s->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height,
                                        data, stride);
    if (!s->image) {
        g_error("display: cannot wrap a %dx%d surface", width, height);
    }
    return s;
}

void display_surface_free(DisplaySurface *s)
{
    if (s) {
        pixman_image_unref(s->image);
        g_free(s);
    }
}

bool display_surface_write_ppm(DisplaySurface *s, const char *path,
                               GError **errp)
{
    int w = surface_width(s), h = surface_height(s);
    g_autofree uint8_t *row = g_malloc(w * 3);
    FILE *f = fopen(path, "wb");
    bool ok;

    if (!f) {
        error_setg_errno(errp, errno, "cannot open '%s'", path);
        return false;
    }
    ok = fprintf(f, "P6\n%d %d\n255\n", w, h) > 0;
    for (int y = 0; ok && y < h; y++) {
        const uint32_t *p = surface_row(s, y);
        for (int x = 0; x < w; x++) {
            row[3 * x + 0] = p[x] >> 16;
            row[3 * x + 1] = p[x] >> 8;
            row[3 * x + 2] = p[x];
        }
        ok = fwrite(row, 3, w, f) == (size_t)w;
    }
    if (fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        error_setg_errno(errp, errno, "cannot write '%s'", path);
    }
    return ok;
}

void display_surface_scale(DisplaySurface *src, pixman_image_t *dst,
                           int dx, int dy, int dw, int dh, bool smooth)
{
    int sw = surface_width(src), sh = surface_height(src);
    int tw = pixman_image_get_width(dst), th = pixman_image_get_height(dst);
    pixman_transform_t t;

    if (dw <= 0 || dh <= 0) {
        return;
    }
    /*
     * The transform maps destination coordinates to source ones: a
     * destination pixel centre (i + 0.5) samples the source at
     * (i + 0.5) * sw / tw.
     */
    pixman_transform_init_scale(&t,
                                pixman_double_to_fixed((double)sw / tw),
                                pixman_double_to_fixed((double)sh / th));
    pixman_image_set_transform(src->image, &t);
    pixman_image_set_filter(src->image,
                            smooth ? PIXMAN_FILTER_BILINEAR
                                   : PIXMAN_FILTER_NEAREST, NULL, 0);
    /* Edge pixels extend outwards instead of fading to transparent. */
    pixman_image_set_repeat(src->image, PIXMAN_REPEAT_PAD);
    pixman_image_composite32(PIXMAN_OP_SRC, src->image, NULL, dst,
                             dx, dy, 0, 0, dx, dy, dw, dh);
    pixman_image_set_transform(src->image, NULL);
    pixman_image_set_repeat(src->image, PIXMAN_REPEAT_NONE);
    pixman_image_set_filter(src->image, PIXMAN_FILTER_NEAREST, NULL, 0);
}

void display_scale_rect(int sw, int sh, int dw, int dh,
                        int *x, int *y, int *w, int *h)
{
    int64_t x0, y0, x1, y1;

    if (sw <= 0 || sh <= 0) {
        *x = *y = *w = *h = 0;
        return;
    }
    /* A bilinear filter reads one source pixel either side: grow the
     * rectangle by that before mapping, and by a destination pixel for
     * rounding after. */
    x0 = (int64_t)(*x - 1) * dw / sw - 1;
    y0 = (int64_t)(*y - 1) * dh / sh - 1;
    x1 = DIV_ROUND_UP((int64_t)(*x + *w + 1) * dw, sw) + 1;
    y1 = DIV_ROUND_UP((int64_t)(*y + *h + 1) * dh, sh) + 1;
    x0 = MAX(x0, 0);
    y0 = MAX(y0, 0);
    x1 = MIN(x1, dw);
    y1 = MIN(y1, dh);
    *x = x0;
    *y = y0;
    *w = MAX(x1 - x0, 0);
    *h = MAX(y1 - y0, 0);
}

/* ---- consoles ------------------------------------------------------------ */

DisplayConsole *graphic_console_init(DeviceState *dev, const char *name,
                                     const GraphicHwOps *ops, void *opaque)
{
    DisplayConsole *con = g_new0(DisplayConsole, 1);

    if (!consoles) {
        consoles = g_ptr_array_new();
    }
    con->index = consoles->len;
    con->name = g_strdup(name);
    con->dev = dev;
    con->ops = ops;
    con->opaque = opaque;
    /* What a monitor shows before the device sets a mode. */
    con->surface = display_surface_new(640, 480);
    con->listeners = g_ptr_array_new();
    g_ptr_array_add(consoles, con);
    return con;
}

void graphic_console_close(DisplayConsole *con)
{
    if (!con) {
        return;
    }
    while (con->listeners->len) {
        DisplayChangeListener *dcl = g_ptr_array_index(con->listeners, 0);
        unregister_displaychangelistener(dcl);
    }
    g_ptr_array_remove(consoles, con);
    for (unsigned i = 0; i < consoles->len; i++) {
        ((DisplayConsole *)g_ptr_array_index(consoles, i))->index = i;
    }
    g_ptr_array_free(con->listeners, TRUE);
    display_surface_free(con->surface);
    g_free(con->name);
    g_free(con);
}

DisplaySurface *console_surface(DisplayConsole *con)
{
    return con->surface;
}

void dpy_gfx_replace_surface(DisplayConsole *con, DisplaySurface *s)
{
    DisplaySurface *old = con->surface;

    con->surface = s;
    con->stats.switches++;
    for (unsigned i = 0; i < con->listeners->len; i++) {
        DisplayChangeListener *dcl = g_ptr_array_index(con->listeners, i);
        if (dcl->ops->gfx_switch) {
            dcl->ops->gfx_switch(dcl, s);
        }
    }
    display_surface_free(old);
}

void dpy_gfx_update(DisplayConsole *con, int x, int y, int w, int h)
{
    int sw = surface_width(con->surface), sh = surface_height(con->surface);
    int x1 = MIN(x + w, sw), y1 = MIN(y + h, sh);

    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x1 <= x || y1 <= y) {
        return;
    }
    w = x1 - x;
    h = y1 - y;
    con->stats.rects++;
    con->stats.pixels += (uint64_t)w * h;
    if (con->bx1 <= con->bx0) {
        con->bx0 = x;
        con->by0 = y;
        con->bx1 = x1;
        con->by1 = y1;
    } else {
        con->bx0 = MIN(con->bx0, x);
        con->by0 = MIN(con->by0, y);
        con->bx1 = MAX(con->bx1, x1);
        con->by1 = MAX(con->by1, y1);
    }
    for (unsigned i = 0; i < con->listeners->len; i++) {
        DisplayChangeListener *dcl = g_ptr_array_index(con->listeners, i);
        if (dcl->ops->gfx_update) {
            dcl->ops->gfx_update(dcl, x, y, w, h);
        }
    }
}

void console_count_rendered_lines(DisplayConsole *con, int lines)
{
    con->stats.lines_rendered += lines;
}

DisplayConsole *console_by_index(int index)
{
    if (!consoles || index < 0 || index >= (int)consoles->len) {
        return NULL;
    }
    return g_ptr_array_index(consoles, index);
}

DisplayConsole *console_get_default(void)
{
    return console_by_index(0);
}

const char *console_name(DisplayConsole *con)
{
    return con->name;
}

void graphic_hw_update(DisplayConsole *con)
{
    if (!con) {
        return;
    }
    con->stats.updates++;
    con->bx0 = con->by0 = con->bx1 = con->by1 = 0;
    if (con->ops && con->ops->gfx_update) {
        con->ops->gfx_update(con->opaque);
    }
    con->stats.last_x = con->bx0;
    con->stats.last_y = con->by0;
    con->stats.last_w = con->bx1 - con->bx0;
    con->stats.last_h = con->by1 - con->by0;
}

void graphic_hw_invalidate(DisplayConsole *con)
{
    if (con && con->ops && con->ops->invalidate) {
        con->ops->invalidate(con->opaque);
    }
}

void register_displaychangelistener(DisplayChangeListener *dcl)
{
    DisplayConsole *con = dcl->con ? dcl->con : console_get_default();

    g_assert(con);
    dcl->con = con;
    g_ptr_array_add(con->listeners, dcl);
    if (dcl->ops->gfx_switch) {
        dcl->ops->gfx_switch(dcl, con->surface);
    }
    /* A new viewer needs the whole picture. */
    graphic_hw_invalidate(con);
}

void unregister_displaychangelistener(DisplayChangeListener *dcl)
{
    if (dcl->con) {
        g_ptr_array_remove(dcl->con->listeners, dcl);
    }
}

void console_get_stats(DisplayConsole *con, DisplayStats *st)
{
    *st = con->stats;
}

void console_reset_stats(DisplayConsole *con)
{
    memset(&con->stats, 0, sizeof(con->stats));
}

bool console_screendump(DisplayConsole *con, const char *path,
                        GError **errp)
{
    if (!con) {
        error_setg(errp, "no display device");
        return false;
    }
    /*
     * A full redraw: whatever the dirty tracking missed (an accelerator
     * that cannot report CPU writes yet), the dump shows guest memory
     * as it is now.
     */
    graphic_hw_invalidate(con);
    graphic_hw_update(con);
    return display_surface_write_ppm(con->surface, path, errp);
}

/* ---- qtest hooks ----------------------------------------------------------- */

/* "input_abs X Y W H BUTTONS [DZ]", "input_rel DX DY DZ BUTTONS",
 * "input_key CODE DOWN": host input as a front end would send it. */
static bool input_qtest_command(char **words, int nwords, char **reply)
{
    const char *cmd = words[0];
    int64_t v[6] = { 0 };
    int need = !strcmp(cmd, "input_abs") ? 5 :
               !strcmp(cmd, "input_rel") ? 4 :
               !strcmp(cmd, "input_key") ? 2 : -1;

    if (need < 0) {
        return false;
    }
    for (int i = 0; i < nwords - 1 && i < 6; i++) {
        if (!g_ascii_string_to_signed(words[i + 1], 10, INT32_MIN, INT32_MAX,
                                      &v[i], NULL)) {
            need = 99;
        }
    }
    if (nwords - 1 < need || need == 99) {
        *reply = g_strdup_printf("FAIL bad arguments to %s\n", cmd);
        return true;
    }
    if (!strcmp(cmd, "input_abs")) {
        input_abs_event(v[0], v[1], v[2], v[3], v[5], v[4]);
    } else if (!strcmp(cmd, "input_rel")) {
        input_rel_event(v[0], v[1], v[2], v[3]);
    } else {
        input_key_event(v[0], v[1] != 0);
    }
    *reply = g_strdup_printf("OK %d\n", input_has_absolute());
    return true;
}

bool console_qtest_command(char **words, int nwords, char **reply)
{
    DisplayConsole *con = console_get_default();
    const char *cmd = words[0];

    if (input_qtest_command(words, nwords, reply)) {
        return true;
    }
    if (strcmp(cmd, "screendump") && strcmp(cmd, "display_update") &&
        strcmp(cmd, "display_invalidate")) {
        return false;
    }
    if (!con) {
        *reply = g_strdup("FAIL no display device\n");
        return true;
    }
    if (!strcmp(cmd, "screendump")) {
        GError *err = NULL;

        if (nwords < 2) {
            *reply = g_strdup("FAIL screendump needs a file name\n");
        } else if (!console_screendump(con, words[1], &err)) {
            *reply = g_strdup_printf("FAIL %s\n", err->message);
            g_error_free(err);
        } else {
            *reply = g_strdup_printf("OK %dx%d\n",
                                     surface_width(con->surface),
                                     surface_height(con->surface));
        }
    } else if (!strcmp(cmd, "display_update")) {
        DisplayStats st;

        console_reset_stats(con);
        graphic_hw_update(con);
        console_get_stats(con, &st);
        *reply = g_strdup_printf("OK lines=%" PRIu64 " rects=%" PRIu64
                                 " pixels=%" PRIu64 " x=%d y=%d w=%d h=%d"
                                 " width=%d height=%d switches=%" PRIu64
                                 "\n", st.lines_rendered, st.rects,
                                 st.pixels, st.last_x, st.last_y, st.last_w,
                                 st.last_h, surface_width(con->surface),
                                 surface_height(con->surface), st.switches);
    } else {
        graphic_hw_invalidate(con);
        *reply = g_strdup("OK\n");
    }
    return true;
}
