/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x87 and SSE state helpers shared by the FPU and SSE helpers.
 *
 * While guest code runs, the host's MXCSR (and on x86-64 hosts the x87
 * control word) follow the guest's rounding and precision settings with
 * all exceptions masked; the exception flags accumulate in the host
 * registers and are folded back into env on the way out.
 */
#ifndef TARGET_X86_TCG_FPU_H
#define TARGET_X86_TCG_FPU_H

#include "target/x86/cpu.h"

#define MXCSR_MASK 0xffff       /* reserved bits: 16-31 (DAZ supported) */
#define MXCSR_FLAGS 0x3f
#define MXCSR_RC_SHIFT 13

void fpu_set_mxcsr(CPUX86State *env, uint32_t val);
uint32_t fpu_get_mxcsr(CPUX86State *env);
void fpu_set_fpuc(CPUX86State *env, uint16_t val);

#endif
