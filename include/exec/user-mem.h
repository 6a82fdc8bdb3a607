/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User-mode guest memory: guest address a lives at host address
 * guest_base + a. On x86-64 hosts guest_base is 0 (the guest's mappings
 * are placed where the guest asks, beside Ember's own).
 */
#ifndef EXEC_USER_MEM_H
#define EXEC_USER_MEM_H

#include "ember/osdep.h"

extern uintptr_t guest_base;

static inline void *g2h(uint64_t addr)
{
    return (void *)(uintptr_t)(guest_base + addr);
}

static inline uint64_t h2g(const void *p)
{
    return (uintptr_t)p - guest_base;
}

#endif
