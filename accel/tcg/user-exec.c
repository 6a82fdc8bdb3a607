/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory access from helpers, user-mode flavour: the fault
 * handler recognises a helper's fault by helper_retaddr.
 */
#include "ember/osdep.h"
#include "exec/cpu-ldst.h"

__thread uintptr_t helper_retaddr;
