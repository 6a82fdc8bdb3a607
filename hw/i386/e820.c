/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The e820 map. Entries are kept as given and rendered into a sorted,
 * non-overlapping table: where ranges overlap, the larger type number wins
 * (reserved over RAM), so a reserved hole can be punched into RAM.
 */
#include "ember/osdep.h"
#include "hw/i386/e820.h"

static GArray *given;      /* E820Entry as added */
static GArray *table;      /* rendered */

void e820_add_entry(uint64_t addr, uint64_t size, uint32_t type)
{
    E820Entry e = { addr, size, type };

    if (!size) {
        return;
    }
    if (!given) {
        given = g_array_new(FALSE, FALSE, sizeof(E820Entry));
    }
    g_array_append_val(given, e);
    g_clear_pointer(&table, g_array_unref);
}

void e820_reset_table(void)
{
    g_clear_pointer(&given, g_array_unref);
    g_clear_pointer(&table, g_array_unref);
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void render(void)
{
    g_autoptr(GArray) pts = g_array_new(FALSE, FALSE, sizeof(uint64_t));

    table = g_array_new(FALSE, FALSE, sizeof(E820Entry));
    if (!given) {
        return;
    }
    /* Cut at every boundary, give each piece the largest covering type. */
    for (unsigned i = 0; i < given->len; i++) {
        E820Entry *e = &g_array_index(given, E820Entry, i);
        uint64_t end = e->addr + e->size;
        g_array_append_val(pts, e->addr);
        g_array_append_val(pts, end);
    }
    g_array_sort(pts, cmp_u64);
    for (unsigned i = 0; i + 1 < pts->len; i++) {
        uint64_t s = g_array_index(pts, uint64_t, i);
        uint64_t t = g_array_index(pts, uint64_t, i + 1);
        uint32_t type = 0;

        if (s == t) {
            continue;
        }
        for (unsigned k = 0; k < given->len; k++) {
            E820Entry *e = &g_array_index(given, E820Entry, k);
            if (e->addr <= s && e->addr + e->size >= t && e->type > type) {
                type = e->type;
            }
        }
        if (!type) {
            continue;
        }
        if (table->len) {
            E820Entry *last = &g_array_index(table, E820Entry,
                                             table->len - 1);
            if (last->type == type && last->addr + last->size == s) {
                last->size += t - s;
                continue;
            }
        }
        {
            E820Entry n = { s, t - s, type };
            g_array_append_val(table, n);
        }
    }
}

unsigned e820_get_table(const E820Entry **out)
{
    if (!table) {
        render();
    }
    *out = (const E820Entry *)table->data;
    return table->len;
}
