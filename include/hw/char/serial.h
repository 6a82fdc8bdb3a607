/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 16550A UART (National Semiconductor PC16550D datasheet).
 *
 * SerialState is the UART core, embedded in a bus-specific device
 * (hw/char/serial-isa.c: "isa-serial"). The owner sets irq and chr
 * (the "chardev" property), calls serial_realize_core() from its realize
 * and serial_reset() from its reset, and maps the 8-byte region "io".
 *
 * Output goes straight to the back end; only when the back end cannot
 * take a byte does the transmit FIFO fill, and it drains one character
 * time at a time, so nothing is lost or sent twice. Input is offered by
 * the back end as far as the receive FIFO has room (flow control through
 * chr_fe_accept_input).
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "hw/qdev.h"
#include "hw/isa/isa.h"
#include "chardev/char.h"
#include "exec/memory.h"
#include "system/timer.h"

#define TYPE_ISA_SERIAL "isa-serial"
#define UART_FIFO_SIZE 16
#define UART_BAUDBASE 115200        /* 1.8432 MHz / 16 */
#define MAX_ISA_SERIAL_PORTS 4

typedef struct SerialFifo {
    uint8_t data[UART_FIFO_SIZE];
    uint8_t flags[UART_FIFO_SIZE];  /* LSR error bits of each byte */
    unsigned head, count;
} SerialFifo;

typedef struct SerialState {
    DeviceState *owner;
    IRQLine *irq;
    CharBackend chr;
    MemoryRegion io;
    uint32_t baudbase;

    uint16_t divider;
    uint8_t rbr;                /* last byte read (FIFO mode), or RBR */
    uint8_t thr;                /* non-FIFO mode: the holding register */
    bool thr_full;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;          /* THRE interrupt pending */
    bool timeout_ipending;      /* character timeout pending */
    bool irq_level;
    SerialFifo rx, tx;
    Timer *tx_timer;            /* drains tx while the back end is busy */
    Timer *rx_timeout_timer;
} SerialState;

void serial_realize_core(SerialState *s, DeviceState *owner);
void serial_unrealize_core(SerialState *s);
void serial_reset(SerialState *s);

/* Create an isa-serial at COM port index (0-3) with back end chr. */
DeviceState *serial_isa_create(ISABus *bus, int index, Chardev *chr);

#endif
