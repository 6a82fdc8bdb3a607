/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory-access hook shared by user and system mode: NULL in user
 * mode (guest addresses are host addresses plus guest_base), the soft
 * TLB's slow paths in system mode (accel/tcg/cputlb.c sets it before the
 * translator starts). Back ends and helpers look only at this.
 */
#include "ember/osdep.h"
#include "exec/cputlb.h"

const TCGSoftMMU *tcg_softmmu;
