/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SDL2 front end: a window showing the default console.
 *
 * Everything runs in the main loop thread: a GLib timeout polls SDL's
 * events and asks the display device for an update at the refresh rate;
 * the rectangles the device reports are copied (or scaled with pixman,
 * when the window's size differs from the guest's) straight into SDL's
 * window surface, and only those rectangles are pushed to the window
 * system (SDL_UpdateWindowSurfaceRects).
 *
 * Keys: SDL scancodes are USB HID usages, mapped to Linux codes by
 * input_hid_to_key() and sent to the guest's keyboard. Hot keys (left
 * Ctrl + left Alt + key, as QEMU): G grab/release the mouse and
 * keyboard, F full screen, U back to the guest's size. The pointer:
 * with an absolute device (virtio-tablet) the position is sent as it
 * is and nothing needs grabbing; otherwise relative motion goes to the
 * PS/2 mouse while the window holds the grab (a click grabs).
 *
 * Closing the window presses the ACPI power button; closing it again
 * quits (-display sdl,window-close=off: closing does nothing).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "system/runstate.h"
#include "ui/console.h"
#include "ui/display.h"
#include "ui/input.h"
#include <SDL.h>
#include <linux/input-event-codes.h>

#ifdef EMBER_SANITIZERS
#include <sanitizer/lsan_interface.h>
/*
 * What SDL's video start-up allocates (D-Bus connections, X11 and driver
 * state in libraries it loads and unloads) is never given back by SDL;
 * it is not ours to free, so LeakSanitizer does not count it.
 */
#define LSAN_DISABLE() __lsan_disable()
#define LSAN_ENABLE() __lsan_enable()
#else
#define LSAN_DISABLE() do { } while (0)
#define LSAN_ENABLE() do { } while (0)
#endif

#define SDL_REFRESH_MS 30
#define SDL_MAX_RECTS 32

typedef struct SDLDisplay {
    DisplayChangeListener dcl;
    DisplayOptions opts;
    SDL_Window *win;
    DisplaySurface *surface;        /* the console's (not ours) */
    SDL_Rect rects[SDL_MAX_RECTS];  /* window rectangles to push */
    int nrects;
    bool full_redraw;
    bool user_sized;                /* the user resized: keep the size */
    bool grabbed;
    bool full_screen;
    unsigned buttons;
    int closes;
    char *name;
    char *title;
    RunState last_state;
    bool keys_down[KEY_MAX + 1];
    guint source;
    pixman_image_t *scaled;         /* scratch for odd window formats */
    uint64_t frames;                /* window updates pushed */
} SDLDisplay;

static SDLDisplay *sdl;

/* ---- drawing --------------------------------------------------------------- */

static void sdl_add_rect(SDLDisplay *d, int x, int y, int w, int h)
{
    if (w <= 0 || h <= 0) {
        return;
    }
    if (d->nrects == SDL_MAX_RECTS) {
        /* Too many: merge everything into one box. */
        SDL_Rect u = d->rects[0];
        for (int i = 1; i < d->nrects; i++) {
            SDL_UnionRect(&u, &d->rects[i], &u);
        }
        d->rects[0] = u;
        d->nrects = 1;
    }
    d->rects[d->nrects++] = (SDL_Rect){ x, y, w, h };
}

/* Copy (or scale) the guest rectangle into the window surface. */
static void sdl_draw(SDLDisplay *d, int x, int y, int w, int h)
{
    SDL_Surface *ws = SDL_GetWindowSurface(d->win);
    DisplaySurface *s = d->surface;
    int sw = surface_width(s), sh = surface_height(s);
    bool direct;

    if (!ws) {
        return;
    }
    direct = ws->format->format == SDL_PIXELFORMAT_RGB888 ||
             ws->format->format == SDL_PIXELFORMAT_ARGB8888;
    if (SDL_MUSTLOCK(ws)) {
        SDL_LockSurface(ws);
    }
    if (ws->w == sw && ws->h == sh) {
        if (direct) {
            for (int r = y; r < y + h; r++) {
                uint32_t *dst = (uint32_t *)((uint8_t *)ws->pixels +
                                             (size_t)r * ws->pitch);
                memcpy(dst + x, surface_row(s, r) + x, w * 4);
            }
        } else {
            SDL_Surface *src = SDL_CreateRGBSurfaceWithFormatFrom(
                surface_row(s, 0), sw, sh, 32, surface_stride(s),
                SDL_PIXELFORMAT_RGB888);
            SDL_Rect r = { x, y, w, h };
            if (src) {
                SDL_BlitSurface(src, &r, ws, &r);
                SDL_FreeSurface(src);
            }
        }
    } else {
        display_scale_rect(sw, sh, ws->w, ws->h, &x, &y, &w, &h);
        if (direct) {
            pixman_image_t *dst = pixman_image_create_bits(
                PIXMAN_x8r8g8b8, ws->w, ws->h, ws->pixels, ws->pitch);
            display_surface_scale(s, dst, x, y, w, h, true);
            pixman_image_unref(dst);
        } else {
            SDL_Surface *src;
            SDL_Rect r = { x, y, w, h };

            if (!d->scaled ||
                pixman_image_get_width(d->scaled) != ws->w ||
                pixman_image_get_height(d->scaled) != ws->h) {
                if (d->scaled) {
                    pixman_image_unref(d->scaled);
                }
                d->scaled = pixman_image_create_bits(PIXMAN_x8r8g8b8, ws->w,
                                                     ws->h, NULL, ws->w * 4);
            }
            display_surface_scale(s, d->scaled, x, y, w, h, true);
            src = SDL_CreateRGBSurfaceWithFormatFrom(
                pixman_image_get_data(d->scaled), ws->w, ws->h, 32,
                pixman_image_get_stride(d->scaled), SDL_PIXELFORMAT_RGB888);
            if (src) {
                SDL_BlitSurface(src, &r, ws, &r);
                SDL_FreeSurface(src);
            }
        }
    }
    if (SDL_MUSTLOCK(ws)) {
        SDL_UnlockSurface(ws);
    }
    sdl_add_rect(d, x, y, w, h);
}

static void sdl_push(SDLDisplay *d)
{
    if (d->full_redraw && d->surface) {
        d->nrects = 0;
        sdl_draw(d, 0, 0, surface_width(d->surface),
                 surface_height(d->surface));
        d->full_redraw = false;
    }
    if (d->nrects) {
        SDL_UpdateWindowSurfaceRects(d->win, d->rects, d->nrects);
        d->nrects = 0;
        d->frames++;
    }
}

static void sdl_gfx_update(DisplayChangeListener *dcl, int x, int y, int w,
                           int h)
{
    SDLDisplay *d = container_of(dcl, SDLDisplay, dcl);

    if (!d->full_redraw) {
        sdl_draw(d, x, y, w, h);
    }
}

static void sdl_gfx_switch(DisplayChangeListener *dcl, DisplaySurface *s)
{
    SDLDisplay *d = container_of(dcl, SDLDisplay, dcl);
    int w = surface_width(s), h = surface_height(s);
    bool resize = !d->surface || surface_width(d->surface) != w ||
                  surface_height(d->surface) != h;

    d->surface = s;
    d->full_redraw = true;
    /* Follow the guest's mode unless the user chose a size. */
    if (d->win && resize && !d->full_screen && !d->user_sized) {
        SDL_SetWindowSize(d->win, w, h);
    }
}

static const DisplayChangeListenerOps sdl_dcl_ops = {
    .name = "sdl2",
    .gfx_update = sdl_gfx_update,
    .gfx_switch = sdl_gfx_switch,
};

/* ---- title, grab, full screen ---------------------------------------------- */

static void sdl_update_title(SDLDisplay *d)
{
    g_autofree char *t = NULL;
    const char *status = "";

    if (d->grabbed) {
        status = " - Press Ctrl-Alt-G to exit grab";
    } else if (!runstate_is_running()) {
        status = " [Stopped]";
    }
    t = d->name ? g_strdup_printf("Ember (%s)%s", d->name, status)
                : g_strdup_printf("Ember%s", status);
    if (!d->title || strcmp(t, d->title)) {
        g_free(d->title);
        d->title = g_steal_pointer(&t);
        SDL_SetWindowTitle(d->win, d->title);
    }
}

static void sdl_set_grab(SDLDisplay *d, bool grab)
{
    d->grabbed = grab;
    SDL_SetWindowGrab(d->win, grab ? SDL_TRUE : SDL_FALSE);
    /* Relative motion only when the guest has no absolute pointer. */
    SDL_SetRelativeMouseMode(grab && !input_has_absolute() ? SDL_TRUE
                                                           : SDL_FALSE);
    sdl_update_title(d);
}

static void sdl_toggle_full_screen(SDLDisplay *d)
{
    d->full_screen = !d->full_screen;
    SDL_SetWindowFullscreen(d->win, d->full_screen
                            ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    if (!d->full_screen && d->surface && !d->user_sized) {
        SDL_SetWindowSize(d->win, surface_width(d->surface),
                          surface_height(d->surface));
    }
    d->full_redraw = true;
}

/* ---- input ------------------------------------------------------------------ */

static void sdl_release_keys(SDLDisplay *d)
{
    for (unsigned k = 0; k <= KEY_MAX; k++) {
        if (d->keys_down[k]) {
            d->keys_down[k] = false;
            input_key_event(k, false);
        }
    }
}

static bool sdl_hotkey(SDLDisplay *d, const SDL_KeyboardEvent *ev)
{
    /* The modifiers as they were at this event (SDL_GetModState() is
     * already past the events still queued). */
    uint16_t mod = ev->keysym.mod;

    if ((mod & (KMOD_LCTRL | KMOD_LALT)) != (KMOD_LCTRL | KMOD_LALT)) {
        return false;
    }
    switch (ev->keysym.scancode) {
    case SDL_SCANCODE_G:
        if (ev->type == SDL_KEYDOWN && !ev->repeat) {
            sdl_set_grab(d, !d->grabbed);
        }
        return true;
    case SDL_SCANCODE_F:
        if (ev->type == SDL_KEYDOWN && !ev->repeat) {
            sdl_toggle_full_screen(d);
        }
        return true;
    case SDL_SCANCODE_U:
        if (ev->type == SDL_KEYDOWN && !ev->repeat && d->surface) {
            d->user_sized = false;
            SDL_SetWindowSize(d->win, surface_width(d->surface),
                              surface_height(d->surface));
            d->full_redraw = true;
        }
        return true;
    default:
        return false;
    }
}

static void sdl_key(SDLDisplay *d, const SDL_KeyboardEvent *ev)
{
    unsigned key = input_hid_to_key(ev->keysym.scancode);
    bool down = ev->type == SDL_KEYDOWN;

    if (sdl_hotkey(d, ev) || !key || key > KEY_MAX) {
        return;
    }
    if (!down && !d->keys_down[key]) {
        return;                 /* pressed before we had the focus */
    }
    d->keys_down[key] = down;
    input_key_event(key, down);
}

static unsigned sdl_button_bit(uint8_t b)
{
    switch (b) {
    case SDL_BUTTON_LEFT:
        return INPUT_BUTTON_LEFT;
    case SDL_BUTTON_MIDDLE:
        return INPUT_BUTTON_MIDDLE;
    case SDL_BUTTON_RIGHT:
        return INPUT_BUTTON_RIGHT;
    case SDL_BUTTON_X1:
        return INPUT_BUTTON_SIDE;
    case SDL_BUTTON_X2:
        return INPUT_BUTTON_EXTRA;
    default:
        return 0;
    }
}

/* Send the pointer state: absolute if the guest can take it. */
static void sdl_pointer(SDLDisplay *d, int dx, int dy, int dz)
{
    if (input_has_absolute()) {
        int x, y, w, h;

        SDL_GetMouseState(&x, &y);
        SDL_GetWindowSize(d->win, &w, &h);
        input_abs_event(x, y, w, h, dz, d->buttons);
    } else if (d->grabbed) {
        input_rel_event(dx, dy, dz, d->buttons);
    }
}

static void sdl_handle_event(SDLDisplay *d, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        /* The window manager's close (delivered as a quit request for
         * the last window). */
        if (!d->opts.window_close) {
            break;
        }
        if (d->closes++ == 0) {
            system_powerdown_request();
        } else {
            system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT);
        }
        break;
    case SDL_WINDOWEVENT:
        switch (ev->window.event) {
        case SDL_WINDOWEVENT_RESIZED:
            if (d->surface && !d->full_screen &&
                (ev->window.data1 != surface_width(d->surface) ||
                 ev->window.data2 != surface_height(d->surface))) {
                d->user_sized = true;
            }
            d->full_redraw = true;
            break;
        case SDL_WINDOWEVENT_SIZE_CHANGED:
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_SHOWN:
            d->full_redraw = true;
            break;
        case SDL_WINDOWEVENT_FOCUS_LOST:
            /* Keys held while the focus went elsewhere would stick. */
            sdl_release_keys(d);
            if (d->grabbed) {
                sdl_set_grab(d, false);
            }
            break;
        }
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        sdl_key(d, &ev->key);
        break;
    case SDL_MOUSEMOTION:
        sdl_pointer(d, ev->motion.xrel, ev->motion.yrel, 0);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        unsigned bit = sdl_button_bit(ev->button.button);

        if (ev->type == SDL_MOUSEBUTTONDOWN && !input_has_absolute() &&
            !d->grabbed && ev->button.button == SDL_BUTTON_LEFT) {
            sdl_set_grab(d, true);      /* the click only grabs */
            break;
        }
        if (ev->type == SDL_MOUSEBUTTONDOWN) {
            d->buttons |= bit;
        } else {
            d->buttons &= ~bit;
        }
        sdl_pointer(d, 0, 0, 0);
        break;
    }
    case SDL_MOUSEWHEEL:
        /* Wheel up (positive y) scrolls away from the user. */
        sdl_pointer(d, 0, 0, ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED
                             ? ev->wheel.y : -ev->wheel.y);
        break;
    default:
        break;
    }
}

static gboolean sdl_refresh(gpointer opaque)
{
    SDLDisplay *d = opaque;
    SDL_Event ev;

    while (SDL_PollEvent(&ev)) {
        sdl_handle_event(d, &ev);
    }
    graphic_hw_update(d->dcl.con);
    sdl_push(d);
    if (runstate_get() != d->last_state) {
        d->last_state = runstate_get();
        sdl_update_title(d);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- set-up ----------------------------------------------------------------- */

static bool sdl_init_video(GError **errp)
{
    /* The main loop handles SIGINT/SIGTERM; SDL must not. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    /* While grabbed, Alt-Tab and friends go to the guest. */
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
    /*
     * The window surface straight to the window system (X11: shared
     * memory images), rather than through a GL texture: the frames are
     * made by the CPU anyway, and a software GL (Mesa's swrast, e.g.
     * under Xvfb) costs more than the whole rest of the display path.
     */
    SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0",
                            SDL_HINT_DEFAULT);
    /*
     * Only a window system: never SDL's KMS/DRM or dummy drivers, which
     * would take over a text console or show nothing (SDL_VIDEODRIVER
     * still overrides).
     */
    if (!g_getenv("SDL_VIDEODRIVER")) {
        const char *w = g_getenv("WAYLAND_DISPLAY");
        SDL_SetHint(SDL_HINT_VIDEODRIVER, w && *w ? "wayland,x11" : "x11");
    }
    LSAN_DISABLE();
    if (SDL_Init(SDL_INIT_VIDEO) < 0) {
        const char *x = g_getenv("DISPLAY"), *w = g_getenv("WAYLAND_DISPLAY");

        LSAN_ENABLE();
        error_setg(errp, "cannot initialise SDL: %s (DISPLAY=%s, "
                   "WAYLAND_DISPLAY=%s)", SDL_GetError(), x ? x : "",
                   w ? w : "");
        return false;
    }
    LSAN_ENABLE();
    return true;
}

bool sdl_display_init(const DisplayOptions *opts, const char *vm_name,
                      GError **errp)
{
    SDLDisplay *d;
    DisplayConsole *con = console_get_default();

    if (!sdl_init_video(errp)) {
        return false;
    }
    d = g_new0(SDLDisplay, 1);
    d->opts = *opts;
    d->name = g_strdup(vm_name);
    LSAN_DISABLE();
    d->win = SDL_CreateWindow("Ember", SDL_WINDOWPOS_UNDEFINED,
                              SDL_WINDOWPOS_UNDEFINED, 640, 480,
                              SDL_WINDOW_RESIZABLE |
                              (opts->full_screen
                               ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0));
    LSAN_ENABLE();
    if (!d->win) {
        error_setg(errp, "cannot create a window: %s", SDL_GetError());
        g_free(d->name);
        g_free(d);
        SDL_Quit();
        return false;
    }
    d->full_screen = opts->full_screen;
    SDL_StopTextInput();
    d->last_state = runstate_get();
    sdl_update_title(d);
    sdl = d;
    d->dcl.ops = &sdl_dcl_ops;
    d->dcl.con = con;
    register_displaychangelistener(&d->dcl);
    d->source = g_timeout_add(SDL_REFRESH_MS, sdl_refresh, d);
    return true;
}

void sdl_display_cleanup(void)
{
    SDLDisplay *d = sdl;

    if (!d) {
        return;
    }
    if (g_getenv("EMBER_SDL_STATS")) {
        fprintf(stderr, "sdl: %" PRIu64 " window updates\n", d->frames);
    }
    g_source_remove(d->source);
    unregister_displaychangelistener(&d->dcl);
    /*
     * No SDL_Quit(): the process ends next, and SDL would unload the
     * libraries it loaded, leaving what they allocated unreachable
     * (leak reports in sanitizer builds) for no gain.
     */
    SDL_DestroyWindow(d->win);
    if (d->scaled) {
        pixman_image_unref(d->scaled);
    }
    g_free(d->title);
    g_free(d->name);
    g_free(d);
    sdl = NULL;
}
