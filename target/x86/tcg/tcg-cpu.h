/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the x86 translator offers the rest of Ember.
 */
#ifndef TARGET_X86_TCG_TCG_CPU_H
#define TARGET_X86_TCG_TCG_CPU_H

#include "target/x86/cpu.h"

/*
 * The CPUID feature bits the translator implements, for "-cpu max" and
 * to mask other models: CPUID never advertises what is not there, so
 * glibc's ifuncs pick code that works.
 */
void tcg_x86_supported_features(uint32_t out[FEATURE_WORDS]);

/* Make the host FPU/SSE state follow env (rounding, exception masks)
 * while guest code runs, and bring the accumulated status back. */
void tcg_x86_fpu_enter(CPUX86State *env);
void tcg_x86_fpu_leave(CPUX86State *env);

/* The FXSAVE image (512 bytes) of env, and back: signal frames. */
void x86_fxsave_to_buf(CPUX86State *env, uint8_t *buf);
void x86_fxrstor_from_buf(CPUX86State *env, const uint8_t *buf);

#endif
