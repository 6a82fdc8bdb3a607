/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "hw/irq.h"

IRQLine *irq_new(IRQHandler *handler, void *opaque, int n)
{
    IRQLine *l = g_new0(IRQLine, 1);

    l->handler = handler;
    l->opaque = opaque;
    l->n = n;
    return l;
}

IRQLine **irq_new_array(IRQHandler *handler, void *opaque, int count)
{
    IRQLine **a = g_new0(IRQLine *, count);

    for (int i = 0; i < count; i++) {
        a[i] = irq_new(handler, opaque, i);
    }
    return a;
}

void irq_free(IRQLine *line)
{
    g_free(line);
}

void irq_free_array(IRQLine **lines, int count)
{
    if (!lines) {
        return;
    }
    for (int i = 0; i < count; i++) {
        g_free(lines[i]);
    }
    g_free(lines);
}

static void split_handler(void *opaque, int n, int level)
{
    IRQLine **pair = opaque;

    irq_set(pair[0], level);
    irq_set(pair[1], level);
}

IRQLine *irq_split(IRQLine *a, IRQLine *b)
{
    IRQLine **pair = g_new0(IRQLine *, 2);

    pair[0] = a;
    pair[1] = b;
    return irq_new(split_handler, pair, 0);
}
