/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupt lines: a device raises or lowers an IRQLine; the line calls
 * the handler of whatever it is wired to (PIC input, I/O APIC pin, KVM
 * GSI). A NULL line is a valid, unconnected line.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include "ember/osdep.h"

typedef void IRQHandler(void *opaque, int n, int level);

typedef struct IRQLine {
    IRQHandler *handler;
    void *opaque;
    int n;
} IRQLine;

IRQLine *irq_new(IRQHandler *handler, void *opaque, int n);
/* count lines numbered 0..count-1 sharing one handler; free with g_free
 * of each line and of the array (irq_free_array). */
IRQLine **irq_new_array(IRQHandler *handler, void *opaque, int count);
void irq_free(IRQLine *line);
void irq_free_array(IRQLine **lines, int count);

static inline void irq_set(IRQLine *line, int level)
{
    if (line) {
        line->handler(line->opaque, line->n, level);
    }
}
static inline void irq_raise(IRQLine *line) { irq_set(line, 1); }
static inline void irq_lower(IRQLine *line) { irq_set(line, 0); }
static inline void irq_pulse(IRQLine *line)
{
    irq_set(line, 1);
    irq_set(line, 0);
}

/* A line that forwards to two lines (e.g. ISA IRQ -> PIC and I/O APIC). */
IRQLine *irq_split(IRQLine *a, IRQLine *b);

#endif
