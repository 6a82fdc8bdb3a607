/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The display core: surfaces, consoles and the listeners that show them.
 *
 * A display device (VGA) owns a DisplayConsole. It renders the guest's
 * picture into the console's DisplaySurface, a pixman image in
 * x8r8g8b8 (32 bits per pixel, whatever the guest's depth: palettes,
 * 15/16/24 bpp are converted while rendering, see ui/pixel-convert.c),
 * and reports the rectangles it changed with dpy_gfx_update(). When the
 * guest changes mode the device installs a new surface with
 * dpy_gfx_replace_surface().
 *
 * Front ends (SDL, later VNC) register a DisplayChangeListener on a
 * console: they are told about new surfaces and changed rectangles, and
 * they drive the device by calling graphic_hw_update() at their refresh
 * rate. Nothing renders unless someone asks: a machine without a front
 * end spends no time on its display (a screendump asks once).
 *
 * Everything here runs in the main loop thread with the BQL held.
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include "ember/osdep.h"
#include <pixman.h>

typedef struct DeviceState DeviceState;
typedef struct DisplayConsole DisplayConsole;
typedef struct DisplayChangeListener DisplayChangeListener;

/* ---- surfaces ------------------------------------------------------------ */

typedef struct DisplaySurface {
    pixman_image_t *image;          /* PIXMAN_x8r8g8b8 */
} DisplaySurface;

/* A zeroed (black) surface; w and h are clamped to 1..16384. */
DisplaySurface *display_surface_new(int width, int height);
/*
 * A surface over memory the caller owns and keeps alive while the
 * surface exists (a device's 32 bpp framebuffer: nothing to convert).
 * data must be 4-byte aligned, stride a multiple of 4.
 */
DisplaySurface *display_surface_new_from(int width, int height, int stride,
                                         void *data);
void display_surface_free(DisplaySurface *s);

static inline int surface_width(DisplaySurface *s)
{
    return pixman_image_get_width(s->image);
}
static inline int surface_height(DisplaySurface *s)
{
    return pixman_image_get_height(s->image);
}
static inline int surface_stride(DisplaySurface *s)
{
    return pixman_image_get_stride(s->image);
}
static inline uint32_t *surface_row(DisplaySurface *s, int y)
{
    return (uint32_t *)((uint8_t *)pixman_image_get_data(s->image) +
                        (size_t)y * surface_stride(s));
}
static inline uint32_t surface_pixel(DisplaySurface *s, int x, int y)
{
    return surface_row(s, y)[x] & 0xffffff;
}

/* Write the surface as a binary PPM (P6, 8 bits per channel). */
bool display_surface_write_ppm(DisplaySurface *s, const char *path,
                               GError **errp);

/*
 * Scale the whole of src onto dst (any size) with a pixman transform,
 * but compute only the destination rectangle (dx, dy, dw, dh). smooth
 * picks bilinear filtering, else nearest neighbour. Destination pixels
 * outside the rectangle are untouched, so a front end can rescale just
 * what changed (display_scale_rect() says which destination rectangle
 * a source rectangle affects).
 */
void display_surface_scale(DisplaySurface *src, pixman_image_t *dst,
                           int dx, int dy, int dw, int dh, bool smooth);
/* The destination rectangle that source rectangle (x, y, w, h) affects
 * when a sw x sh source is scaled to dw x dh (the filter's reach
 * included), clipped to the destination. */
void display_scale_rect(int sw, int sh, int dw, int dh,
                        int *x, int *y, int *w, int *h);

/* ---- consoles: the device side -------------------------------------------- */

typedef struct GraphicHwOps {
    /* Forget what was shown: the next update redraws everything. */
    void (*invalidate)(void *opaque);
    /* Render what changed since the last update into the console's
     * surface and report it with dpy_gfx_update(). */
    void (*gfx_update)(void *opaque);
} GraphicHwOps;

/* A console for a display device; the first one is the default. */
DisplayConsole *graphic_console_init(DeviceState *dev, const char *name,
                                     const GraphicHwOps *ops, void *opaque);
void graphic_console_close(DisplayConsole *con);

/* The surface the device renders into (never NULL). */
DisplaySurface *console_surface(DisplayConsole *con);
/* Install a new surface (the console frees the old one) and tell the
 * listeners; the device then renders everything into it. */
void dpy_gfx_replace_surface(DisplayConsole *con, DisplaySurface *s);
/* The device changed this rectangle of the surface (clipped here). */
void dpy_gfx_update(DisplayConsole *con, int x, int y, int w, int h);
/* Statistics for tests and benchmarks: the device counts the scan lines
 * (of the surface) it rendered in an update. */
void console_count_rendered_lines(DisplayConsole *con, int lines);

/* ---- consoles: the front-end side ----------------------------------------- */

/* The first display device's console, or NULL if there is none. */
DisplayConsole *console_get_default(void);
DisplayConsole *console_by_index(int index);
const char *console_name(DisplayConsole *con);
/* Ask the device to render what changed (listeners hear of it). */
void graphic_hw_update(DisplayConsole *con);
/* Ask it to redraw everything at the next update. */
void graphic_hw_invalidate(DisplayConsole *con);

typedef struct DisplayChangeListenerOps {
    const char *name;
    /* A rectangle of the current surface changed. */
    void (*gfx_update)(DisplayChangeListener *dcl, int x, int y, int w,
                       int h);
    /* The console has a new surface (mode change). */
    void (*gfx_switch)(DisplayChangeListener *dcl, DisplaySurface *s);
} DisplayChangeListenerOps;

struct DisplayChangeListener {
    const DisplayChangeListenerOps *ops;
    DisplayConsole *con;            /* set before registering */
};

/* Start listening: gfx_switch is called at once with the surface. */
void register_displaychangelistener(DisplayChangeListener *dcl);
void unregister_displaychangelistener(DisplayChangeListener *dcl);

typedef struct DisplayStats {
    uint64_t updates;           /* graphic_hw_update calls */
    uint64_t lines_rendered;    /* scan lines the device rendered */
    uint64_t rects;             /* dpy_gfx_update rectangles */
    uint64_t pixels;            /* their area, summed */
    uint64_t switches;          /* surfaces installed */
    int last_x, last_y, last_w, last_h;   /* bounding box of the last
                                           * update's rectangles */
} DisplayStats;

/* Counters since the console was created or last reset. */
void console_get_stats(DisplayConsole *con, DisplayStats *st);
void console_reset_stats(DisplayConsole *con);

/*
 * Render the whole picture now (invalidate + update) and write it as a
 * PPM: the monitor's and qtest's screendump.
 */
bool console_screendump(DisplayConsole *con, const char *path,
                        GError **errp);

/*
 * UI qtest commands (accel/qtest hands over any command it does not
 * know): "screendump PATH", "display_update" (answers "OK lines=N
 * rects=R pixels=P x=X y=Y w=W h=H width=W height=H switches=S"),
 * "display_invalidate"; host input as a front end sends it:
 * "input_abs X Y W H BUTTONS [DZ]", "input_rel DX DY DZ BUTTONS",
 * "input_key LINUX_CODE DOWN" (they answer "OK 1" when an absolute
 * pointer is active, else "OK 0").
 * Returns false if cmd is not one of them; else the reply is in *reply.
 */
bool console_qtest_command(char **words, int nwords, char **reply);

#endif
