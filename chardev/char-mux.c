/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The multiplexer: several front ends (serial ports) share one back end,
 * usually stdio under -nographic. Ctrl-A starts a command, as in QEMU:
 *   Ctrl-A h  help          Ctrl-A x  quit
 *   Ctrl-A c  next front end  Ctrl-A b  send break
 *   Ctrl-A t  toggle timestamps   Ctrl-A Ctrl-A  a literal Ctrl-A
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"
#include "system/runstate.h"
#include "system/timer.h"

#define MUX_MAX 4
#define ESCAPE_CHAR 0x01    /* Ctrl-A */
/*
 * Input the focused front end cannot take yet (a UART's 16-byte FIFO
 * fills with the first 16 characters of a pasted line). The mux keeps
 * reading its back end even then, so that Ctrl-A x still quits a guest
 * that stopped reading its console; it holds up to this much data and
 * drops only beyond it, as an overrun UART would.
 */
#define MUX_PENDING 4096

typedef struct MuxChardev {
    Chardev parent;
    CharBackend base;           /* we are the base back end's front end */
    CharBackend *fes[MUX_MAX];
    int count;
    int focus;
    bool escape;
    bool timestamps;
    bool linestart;
    int64_t start_ns;
    unsigned pending_len;
    uint8_t pending[MUX_PENDING];
} MuxChardev;

static void mux_print(MuxChardev *m, const char *s)
{
    chr_fe_write_all(&m->base, (const uint8_t *)s, strlen(s));
}

static void mux_help(MuxChardev *m)
{
    mux_print(m, "\r\n"
              "C-a h    print this help\r\n"
              "C-a x    exit emulator\r\n"
              "C-a s    save disk data back to file (if -snapshot)\r\n"
              "C-a t    toggle console timestamps\r\n"
              "C-a b    send break (magic sysrq)\r\n"
              "C-a c    switch between console and monitor\r\n"
              "C-a C-a  sends C-a\r\n");
}

static void mux_set_focus(MuxChardev *m, int focus)
{
    if (m->focus >= 0 && m->focus < m->count) {
        CharBackend *be = m->fes[m->focus];
        if (be && be->event) {
            be->event(be->opaque, CHR_EVENT_MUX_OUT);
        }
    }
    m->focus = focus;
    /* Held input was typed for the front end that had the focus. */
    m->pending_len = 0;
    if (focus >= 0 && focus < m->count) {
        CharBackend *be = m->fes[focus];
        if (be && be->event) {
            be->event(be->opaque, CHR_EVENT_MUX_IN);
        }
        chr_fe_accept_input(&m->base);
    }
}

static CharBackend *focused(MuxChardev *m)
{
    return m->focus >= 0 && m->focus < m->count ? m->fes[m->focus] : NULL;
}

/* Hand held input to the focused front end, as much as it takes now. */
static void mux_flush_pending(MuxChardev *m)
{
    CharBackend *be = focused(m);
    unsigned done = 0;

    if (!be || !be->receive) {
        return;
    }
    while (done < m->pending_len) {
        int room = be->can_receive ? be->can_receive(be->opaque)
                                   : (int)(m->pending_len - done);
        if (room <= 0) {
            break;
        }
        room = MIN((unsigned)room, m->pending_len - done);
        be->receive(be->opaque, m->pending + done, room);
        done += room;
    }
    memmove(m->pending, m->pending + done, m->pending_len - done);
    m->pending_len -= done;
}

static int mux_can_receive(void *opaque)
{
    MuxChardev *m = opaque;
    CharBackend *be = focused(m);
    int room;

    /* Always take escape sequences (at least one byte). */
    if (!be || !be->receive) {
        return 1;
    }
    mux_flush_pending(m);
    if (m->pending_len) {
        return MAX(MUX_PENDING - (int)m->pending_len, 1);
    }
    room = be->can_receive ? be->can_receive(be->opaque) : 4096;
    return room > 0 ? room : MUX_PENDING;
}

static void mux_deliver(MuxChardev *m, uint8_t c)
{
    CharBackend *be = focused(m);

    if (!be || !be->receive) {
        return;
    }
    if (!m->pending_len &&
        (!be->can_receive || be->can_receive(be->opaque) > 0)) {
        be->receive(be->opaque, &c, 1);
    } else if (m->pending_len < MUX_PENDING) {
        /* In order behind what is already held. */
        m->pending[m->pending_len++] = c;
    }
}

static void mux_receive(void *opaque, const uint8_t *buf, int len)
{
    MuxChardev *m = opaque;

    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];

        if (!m->escape) {
            if (c == ESCAPE_CHAR) {
                m->escape = true;
            } else {
                mux_deliver(m, c);
            }
            continue;
        }
        m->escape = false;
        switch (c) {
        case 'h':
        case '?':
            mux_help(m);
            break;
        case 'x':
            mux_print(m, "Ember: terminated\r\n");
            system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT);
            break;
        case 's':
            /* Block back ends flush on their own; nothing to do here. */
            break;
        case 'b': {
            CharBackend *be = focused(m);
            if (be && be->event) {
                be->event(be->opaque, CHR_EVENT_BREAK);
            }
            break;
        }
        case 'c':
            if (m->count > 1) {
                mux_set_focus(m, (m->focus + 1) % m->count);
            } else {
                mux_print(m, "\r\n(no monitor in this build)\r\n");
            }
            break;
        case 't':
            m->timestamps = !m->timestamps;
            m->start_ns = clock_get_ns(EMBER_CLOCK_REALTIME);
            m->linestart = false;
            break;
        case ESCAPE_CHAR:
            mux_deliver(m, c);
            break;
        default:
            break;
        }
    }
}

static void mux_event(void *opaque, ChrEvent event)
{
    MuxChardev *m = opaque;

    for (int i = 0; i < m->count; i++) {
        CharBackend *be = m->fes[i];
        if (be && be->event) {
            be->event(be->opaque, event);
        }
    }
}

static bool mux_open(Chardev *chr, Opts *opts, GError **errp)
{
    MuxChardev *m = (MuxChardev *)chr;
    const char *base_label = opts_get(opts, "chardev");
    Chardev *base = base_label ? chardev_find(base_label) : NULL;

    if (!base) {
        error_setg(errp, "mux: no base chardev");
        return false;
    }
    if (!chr_fe_init(&m->base, base, errp)) {
        return false;
    }
    m->focus = -1;
    chr->be_open = base->be_open;
    chr_fe_set_handlers(&m->base, mux_can_receive, mux_receive, mux_event, m);
    return true;
}

static int mux_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxChardev *m = (MuxChardev *)chr;

    if (!m->timestamps) {
        return chr_fe_write_all(&m->base, buf, len);
    }
    for (int i = 0; i < len; i++) {
        if (m->linestart) {
            int64_t ms = (clock_get_ns(EMBER_CLOCK_REALTIME) - m->start_ns) /
                         1000000;
            char ts[48];
            snprintf(ts, sizeof(ts), "[%02d:%02d:%02d.%03d] ",
                     (int)(ms / 3600000), (int)(ms / 60000 % 60),
                     (int)(ms / 1000 % 60), (int)(ms % 1000));
            mux_print(m, ts);
            m->linestart = false;
        }
        chr_fe_write_all(&m->base, buf + i, 1);
        if (buf[i] == '\n') {
            m->linestart = true;
        }
    }
    return len;
}

static bool mux_fe_attach(Chardev *chr, CharBackend *be, GError **errp)
{
    MuxChardev *m = (MuxChardev *)chr;

    if (m->count >= MUX_MAX) {
        error_setg(errp, "Too many uses of multiplexed chardev '%s'",
                   chr->label);
        return false;
    }
    be->tag = m->count;
    m->fes[m->count++] = be;
    if (m->focus < 0) {
        m->focus = 0;
    }
    return true;
}

static void mux_fe_detach(Chardev *chr, CharBackend *be)
{
    MuxChardev *m = (MuxChardev *)chr;

    if (be->tag >= 0 && be->tag < m->count && m->fes[be->tag] == be) {
        m->fes[be->tag] = NULL;
    }
}

static void mux_accept_input(Chardev *chr)
{
    MuxChardev *m = (MuxChardev *)chr;

    mux_flush_pending(m);
    chr_fe_accept_input(&m->base);
}

static void mux_close(Chardev *chr)
{
    MuxChardev *m = (MuxChardev *)chr;

    chr_fe_deinit(&m->base);
}

static const ChardevClass mux_class = {
    .name = "mux",
    .instance_size = sizeof(MuxChardev),
    .open = mux_open,
    .write = mux_write,
    .accept_input = mux_accept_input,
    .fe_attach = mux_fe_attach,
    .fe_detach = mux_fe_detach,
    .close = mux_close,
};

static void __attribute__((constructor)) register_mux(void)
{
    chardev_register(&mux_class);
}
