/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86 CPUs of the PC machine and their interrupt plumbing. */
#ifndef HW_I386_X86_H
#define HW_I386_X86_H

#include "hw/boards.h"
#include "target/x86/cpu.h"

/* APIC ID of CPU index from the -smp topology (SDM 3A, 10.12.8.1). */
uint32_t x86_apic_id_from_index(MachineState *ms, unsigned index);
/* Create CPU index with its CPUID from -cpu and the accelerator. */
CPUState *x86_cpu_create(MachineState *ms, unsigned index, GError **errp);
/* Does a halted CPU have something to do (interrupt, NMI, INIT, SIPI)? */
bool x86_cpu_has_work(CPUState *cs);
/*
 * Interrupt acknowledge for a CPU: the local APIC's highest pending
 * vector, or the i8259's vector (ExtINT), or -1. Implemented with the
 * interrupt controllers (pc_intc.c).
 */
int x86_cpu_get_pic_interrupt(CPUX86State *env);

#endif
