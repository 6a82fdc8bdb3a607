/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raising exceptions from helpers (ra: the helper's GETPC()). */
#ifndef TARGET_X86_TCG_EXCP_H
#define TARGET_X86_TCG_EXCP_H

#include "target/x86/cpu.h"

void EMBER_NORETURN raise_exception_err_ra(CPUX86State *env, int excp,
                                           int err, uintptr_t ra);
void EMBER_NORETURN raise_exception_ra(CPUX86State *env, int excp,
                                       uintptr_t ra);

#endif
