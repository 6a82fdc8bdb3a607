/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 16550A UART core (National Semiconductor PC16550D datasheet,
 * "Registers" and "FIFO Interrupt Mode Operation").
 *
 * Register map (DLAB is LCR bit 7):
 *   0  RBR (read) / THR (write)          DLL when DLAB=1
 *   1  IER                               DLM when DLAB=1
 *   2  IIR (read) / FCR (write)
 *   3  LCR   4  MCR   5  LSR   6  MSR   7  SCR
 *
 * Interrupt priorities (IIR bits 3..1): receiver line status (011),
 * received data available (010) or character timeout (110), transmitter
 * holding register empty (001), modem status (000).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/char/serial.h"

#define UART_IER_RDI    0x01    /* received data available */
#define UART_IER_THRI   0x02    /* THR empty */
#define UART_IER_RLSI   0x04    /* receiver line status */
#define UART_IER_MSI    0x08    /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FE     0xc0    /* FIFOs enabled */

#define UART_FCR_FE     0x01
#define UART_FCR_RFR    0x02
#define UART_FCR_XFR    0x04
#define UART_FCR_DMS    0x08
#define UART_FCR_ITL    0xc0

#define UART_LCR_DLAB   0x80
#define UART_LCR_SB     0x40
#define UART_LCR_PEN    0x08
#define UART_LCR_STB    0x04
#define UART_LCR_WLS    0x03

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10

#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_PE     0x04
#define UART_LSR_FE     0x08
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_RXFE   0x80    /* error in the receive FIFO */
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | \
                         UART_LSR_BI)

#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80
#define UART_MSR_DELTAS 0x0f

/* The modem lines of an attached back end: always "connected". */
#define UART_MSR_IDLE   (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

/* ---- FIFOs --------------------------------------------------------------- */

static void fifo_reset(SerialFifo *f)
{
    f->head = f->count = 0;
}

static bool fifo_full(SerialFifo *f)
{
    return f->count == UART_FIFO_SIZE;
}

static void fifo_push(SerialFifo *f, uint8_t v, uint8_t flags)
{
    unsigned i = (f->head + f->count) % UART_FIFO_SIZE;

    assert(f->count < UART_FIFO_SIZE);
    f->data[i] = v;
    f->flags[i] = flags;
    f->count++;
}

static uint8_t fifo_peek_flags(SerialFifo *f)
{
    return f->count ? f->flags[f->head] : 0;
}

static uint8_t fifo_pop(SerialFifo *f)
{
    uint8_t v;

    assert(f->count);
    v = f->data[f->head];
    f->head = (f->head + 1) % UART_FIFO_SIZE;
    f->count--;
    return v;
}

static bool fifo_has_errors(SerialFifo *f)
{
    for (unsigned i = 0; i < f->count; i++) {
        if (f->flags[(f->head + i) % UART_FIFO_SIZE]) {
            return true;
        }
    }
    return false;
}

/* ---- timing -------------------------------------------------------------- */

static bool serial_fifo_mode(SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

/* One character on the line: start, data, parity and stop bits. */
static int64_t serial_char_ns(SerialState *s)
{
    unsigned data = 5 + (s->lcr & UART_LCR_WLS);
    /* In half bits: 1.5 stop bits for 5-bit words with STB set. */
    unsigned half_bits = 2 * (1 + data + !!(s->lcr & UART_LCR_PEN)) +
        (!(s->lcr & UART_LCR_STB) ? 2 : data == 5 ? 3 : 4);
    unsigned div = s->divider ? s->divider : 1;

    return (int64_t)half_bits * div * NANOSECONDS_PER_SECOND /
           (2 * (int64_t)s->baudbase);
}

static int64_t serial_now(void)
{
    return clock_get_ns(EMBER_CLOCK_VIRTUAL);
}

/* ---- interrupts ---------------------------------------------------------- */

static unsigned serial_rx_trigger(SerialState *s)
{
    static const uint8_t levels[4] = { 1, 4, 8, 14 };

    return levels[s->fcr >> 6];
}

static uint8_t serial_iir(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_ERRORS)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR) &&
               (!serial_fifo_mode(s) ||
                s->rx.count >= serial_rx_trigger(s))) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTAS)) {
        id = UART_IIR_MSI;
    }
    return id | (serial_fifo_mode(s) ? UART_IIR_FE : 0);
}

static void serial_update_irq(SerialState *s)
{
    bool level = !(serial_iir(s) & UART_IIR_NO_INT);

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* ---- receive ------------------------------------------------------------- */

/*
 * Character timeout (datasheet, "FIFO Interrupt Mode Operation"): data
 * in the receive FIFO, nothing moved in or out for four character times.
 */
static void serial_rx_activity(SerialState *s)
{
    s->timeout_ipending = false;
    if (serial_fifo_mode(s) && s->rx.count) {
        timer_mod_ns(s->rx_timeout_timer,
                     serial_now() + 4 * serial_char_ns(s));
    } else {
        timer_del(s->rx_timeout_timer);
    }
}

static void serial_rx_timeout_cb(void *opaque)
{
    SerialState *s = opaque;

    if (serial_fifo_mode(s) && s->rx.count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

/* A character (with its error bits) arrives at the receiver. */
static void serial_receive_char(SerialState *s, uint8_t v, uint8_t flags)
{
    if (serial_fifo_mode(s)) {
        if (fifo_full(&s->rx)) {
            /* The shift register's character is lost; FIFO intact. */
            s->lsr |= UART_LSR_OE;
        } else {
            fifo_push(&s->rx, v, flags);
            if (s->rx.count == 1) {
                s->lsr |= flags;    /* errors show at the FIFO top */
            }
        }
        serial_rx_activity(s);
    } else {
        if (s->lsr & UART_LSR_DR) {
            s->lsr |= UART_LSR_OE;  /* RBR is overwritten */
        }
        s->rbr = v;
        s->lsr |= flags;
    }
    s->lsr |= UART_LSR_DR;
}

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    if (s->mcr & UART_MCR_LOOP) {
        return 0;               /* the serial input is disconnected */
    }
    if (serial_fifo_mode(s)) {
        return UART_FIFO_SIZE - s->rx.count;
    }
    return !(s->lsr & UART_LSR_DR);
}

static void serial_receive(void *opaque, const uint8_t *buf, int size)
{
    SerialState *s = opaque;

    if (s->mcr & UART_MCR_LOOP) {
        return;
    }
    for (int i = 0; i < size; i++) {
        serial_receive_char(s, buf[i], 0);
    }
    serial_update_irq(s);
}

static void serial_event(void *opaque, ChrEvent event)
{
    SerialState *s = opaque;

    if (event == CHR_EVENT_BREAK && !(s->mcr & UART_MCR_LOOP)) {
        /* A break reads as a zero character with BI set. */
        serial_receive_char(s, 0, UART_LSR_BI);
        serial_update_irq(s);
    }
}

static uint8_t serial_read_rbr(SerialState *s)
{
    bool had_room = serial_can_receive(s) > 0;
    uint8_t v;

    if (serial_fifo_mode(s)) {
        if (s->rx.count) {
            s->rbr = fifo_pop(&s->rx);
        }
        v = s->rbr;
        if (s->rx.count) {
            /* The next character's error bits move up to the LSR. */
            s->lsr |= fifo_peek_flags(&s->rx);
        } else {
            s->lsr &= ~UART_LSR_DR;
        }
        serial_rx_activity(s);
    } else {
        v = s->rbr;
        s->lsr &= ~UART_LSR_DR;
    }
    serial_update_irq(s);
    if (!had_room || !(s->lsr & UART_LSR_DR)) {
        chr_fe_accept_input(&s->chr);
    }
    return v;
}

/* ---- transmit ------------------------------------------------------------ */

/* Hand one character to the wire; false if the back end is busy. */
static bool serial_send(SerialState *s, uint8_t v)
{
    if (s->mcr & UART_MCR_LOOP) {
        serial_receive_char(s, v, 0);
        return true;
    }
    return chr_fe_write(&s->chr, &v, 1) == 1;
}

static void serial_tx_done(SerialState *s)
{
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
}

/* Send what is queued; a busy back end is retried a character later. */
static void serial_tx_drain(SerialState *s)
{
    if (serial_fifo_mode(s)) {
        while (s->tx.count) {
            if (!serial_send(s, s->tx.data[s->tx.head])) {
                break;
            }
            fifo_pop(&s->tx);
        }
        if (!s->tx.count) {
            serial_tx_done(s);
        }
    } else if (s->thr_full) {
        if (serial_send(s, s->thr)) {
            s->thr_full = false;
            serial_tx_done(s);
        }
    }
    if (!(s->lsr & UART_LSR_THRE)) {
        timer_mod_ns(s->tx_timer, serial_now() + serial_char_ns(s));
    }
    serial_update_irq(s);
}

static void serial_tx_timer_cb(void *opaque)
{
    serial_tx_drain(opaque);
}

static void serial_write_thr(SerialState *s, uint8_t v)
{
    s->thr_ipending = false;
    if (serial_fifo_mode(s)) {
        if (fifo_full(&s->tx)) {
            ember_log_mask(LOG_GUEST_ERROR, "serial: transmit FIFO "
                           "overrun, byte 0x%02x dropped\n", v);
        } else {
            fifo_push(&s->tx, v, 0);
        }
    } else {
        if (s->thr_full) {
            ember_log_mask(LOG_GUEST_ERROR, "serial: THR overrun, byte "
                           "0x%02x dropped\n", s->thr);
        }
        s->thr = v;
        s->thr_full = true;
    }
    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    /* If a retry is armed the back end is busy: keep the order. */
    if (!timer_pending(s->tx_timer)) {
        serial_tx_drain(s);
    } else {
        serial_update_irq(s);
    }
}

/* ---- control registers --------------------------------------------------- */

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    bool was_fifo = serial_fifo_mode(s);

    if (val & UART_FCR_DMS) {
        ember_log_mask(LOG_UNIMP, "serial: DMA mode select ignored\n");
    }
    /* Changing the FIFO enable bit clears both FIFOs. */
    if (!!(val & UART_FCR_FE) != was_fifo) {
        val |= UART_FCR_RFR | UART_FCR_XFR;
    }
    if (val & UART_FCR_RFR) {
        fifo_reset(&s->rx);
        s->lsr &= ~(UART_LSR_DR | UART_LSR_RXFE);
        s->timeout_ipending = false;
        timer_del(s->rx_timeout_timer);
        chr_fe_accept_input(&s->chr);
    }
    if (val & UART_FCR_XFR) {
        /* Whatever waited for a busy back end is dropped too. */
        fifo_reset(&s->tx);
        s->thr_full = false;
        timer_del(s->tx_timer);
        serial_tx_done(s);
    }
    s->fcr = val & (UART_FCR_FE | UART_FCR_DMS | UART_FCR_ITL);
    serial_update_irq(s);
}

/* The MSR inputs: from MCR in loopback, else an idle, connected line. */
static void serial_update_msr(SerialState *s)
{
    uint8_t lines, old = s->msr, changed;

    if (s->mcr & UART_MCR_LOOP) {
        lines = (s->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
                (s->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
                (s->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
                (s->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
    } else {
        lines = UART_MSR_IDLE;
    }
    changed = (old ^ lines) & 0xf0;
    s->msr = lines | (old & UART_MSR_DELTAS);
    if (changed & UART_MSR_CTS) {
        s->msr |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        s->msr |= UART_MSR_DDSR;
    }
    if (changed & UART_MSR_DCD) {
        s->msr |= UART_MSR_DDCD;
    }
    if ((changed & UART_MSR_RI) && !(lines & UART_MSR_RI)) {
        s->msr |= UART_MSR_TERI;    /* trailing edge of RI */
    }
}

static void serial_write_mcr(SerialState *s, uint8_t val)
{
    bool was_loop = s->mcr & UART_MCR_LOOP;

    s->mcr = val & 0x1f;
    serial_update_msr(s);
    if (was_loop && !(s->mcr & UART_MCR_LOOP)) {
        /* Back on the line: a queued byte may go out now. */
        chr_fe_accept_input(&s->chr);
        serial_tx_drain(s);
    }
    serial_update_irq(s);
}

static void serial_write_ier(SerialState *s, uint8_t val)
{
    uint8_t old = s->ier;

    s->ier = val & 0x0f;
    /*
     * Enabling ETBEI while the holding register is empty raises the
     * THRE interrupt at once; Linux's 8250 driver tests for exactly
     * this at start-up (and otherwise assumes a buggy UART).
     */
    if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI) &&
        (s->lsr & UART_LSR_THRE)) {
        s->thr_ipending = true;
    }
    serial_update_irq(s);
}

/* ---- port access --------------------------------------------------------- */

static uint64_t serial_io_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v;

    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider & 0xff;
        }
        return serial_read_rbr(s);
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider >> 8;
        }
        return s->ier;
    case 2:
        v = serial_iir(s);
        /* Reading IIR clears a THRE interrupt that it reports. */
        if ((v & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        return v;
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        v = s->lsr;
        if (serial_fifo_mode(s) && fifo_has_errors(&s->rx)) {
            v |= UART_LSR_RXFE;
        }
        /* Reading LSR clears the error bits (and the RLS interrupt). */
        if (s->lsr & UART_LSR_ERRORS) {
            s->lsr &= ~UART_LSR_ERRORS;
            if (serial_fifo_mode(s) && s->rx.count) {
                /* The error belonged to the top byte; it is reported. */
                s->rx.flags[s->rx.head] = 0;
            }
            serial_update_irq(s);
        }
        return v;
    case 6:
        v = s->msr;
        if (v & UART_MSR_DELTAS) {
            s->msr &= ~UART_MSR_DELTAS;
            serial_update_irq(s);
        }
        return v;
    default:
        return s->scr;
    }
}

static void serial_io_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    SerialState *s = opaque;

    val &= 0xff;
    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | val;
        } else {
            serial_write_thr(s, val);
        }
        break;
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | val << 8;
        } else {
            serial_write_ier(s, val);
        }
        break;
    case 2:
        serial_write_fcr(s, val);
        break;
    case 3:
        if ((val & UART_LCR_SB) && !(s->lcr & UART_LCR_SB) &&
            !(s->mcr & UART_MCR_LOOP)) {
            ember_log_mask(LOG_UNIMP, "serial: break transmission is not "
                           "forwarded to the back end\n");
        }
        if (!(val & UART_LCR_DLAB) && (s->lcr & UART_LCR_DLAB) &&
            !s->divider) {
            ember_log_mask(LOG_GUEST_ERROR, "serial: divisor latch is 0\n");
        }
        s->lcr = val;
        break;
    case 4:
        serial_write_mcr(s, val);
        break;
    case 5:
    case 6:
        /* LSR and MSR are read-only here (factory test only). */
        ember_log_mask(LOG_GUEST_ERROR, "serial: write 0x%02x to %s "
                       "ignored\n", (unsigned)val,
                       (addr & 7) == 5 ? "LSR" : "MSR");
        break;
    default:
        s->scr = val;
        break;
    }
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_io_read,
    .write = serial_io_write,
    .min_access = 1,
    .max_access = 1,
};

/* ---- life cycle ---------------------------------------------------------- */

void serial_reset(SerialState *s)
{
    /* Master reset values (datasheet, "Table IV. UART Reset"). */
    timer_del(s->tx_timer);
    timer_del(s->rx_timeout_timer);
    s->divider = 12;            /* 9600 baud, as firmware leaves it */
    s->rbr = 0;
    s->thr = 0;
    s->thr_full = false;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->fcr = 0;
    s->scr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = UART_MSR_IDLE;
    s->thr_ipending = false;
    s->timeout_ipending = false;
    fifo_reset(&s->rx);
    fifo_reset(&s->tx);
    s->irq_level = false;
    irq_lower(s->irq);
    chr_fe_accept_input(&s->chr);
}

void serial_realize_core(SerialState *s, DeviceState *owner)
{
    s->owner = owner;
    if (!s->baudbase) {
        s->baudbase = UART_BAUDBASE;
    }
    s->tx_timer = timer_new_ns(EMBER_CLOCK_VIRTUAL, serial_tx_timer_cb, s);
    s->rx_timeout_timer = timer_new_ns(EMBER_CLOCK_VIRTUAL,
                                       serial_rx_timeout_cb, s);
    memory_region_init_io(&s->io, owner, &serial_io_ops, s, "serial", 8);
    chr_fe_set_handlers(&s->chr, serial_can_receive, serial_receive,
                        serial_event, s);
}

void serial_unrealize_core(SerialState *s)
{
    chr_fe_set_handlers(&s->chr, NULL, NULL, NULL, NULL);
    timer_free(s->tx_timer);
    timer_free(s->rx_timeout_timer);
    s->tx_timer = s->rx_timeout_timer = NULL;
}
