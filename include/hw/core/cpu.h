/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target-independent part of a virtual CPU: its thread, run control
 * and pending-interrupt bits. The architectural state lives in the
 * target's CPUX86State (target/x86/cpu.h), reached through env_ptr.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "ember/osdep.h"

typedef struct CPUState CPUState;

/* interrupt_request bits (set from any thread, with cpu_interrupt()). */
enum {
    CPU_INTERRUPT_HARD  = 1 << 0,   /* a maskable interrupt is pending */
    CPU_INTERRUPT_NMI   = 1 << 1,
    CPU_INTERRUPT_INIT  = 1 << 2,
    CPU_INTERRUPT_SIPI  = 1 << 3,
    CPU_INTERRUPT_SMI   = 1 << 4,
    CPU_INTERRUPT_EXITTB = 1 << 5,  /* leave generated code, re-check state */
    CPU_INTERRUPT_POLL  = 1 << 6,   /* re-evaluate the APIC */
    CPU_INTERRUPT_TPR   = 1 << 7,
};

struct CPUState {
    int cpu_index;
    uint32_t apic_id;
    void *env_ptr;                  /* CPUX86State * */
    void *machine;                  /* MachineState * */

    GThread *thread;
    GCond halt_cond;                /* waits with the BQL held */
    bool created;
    bool stop;                      /* asked to stop (pause, reset) */
    bool stopped;                   /* has stopped */
    volatile bool halted;           /* in HLT / wait-for-SIPI */
    volatile int exit_request;      /* leave vcpu_exec soon */
    volatile uint32_t interrupt_request;
    bool exit_thread;               /* the VM is going away */

    void *accel;                    /* accelerator's per-vCPU data */
    int kvm_fd;
    void *kvm_run;
    bool vcpu_dirty;                /* env is newer than the accel's copy */

    /* TCG state, owned by accel/tcg. */
    void *tb_jmp_cache;
    void *tlb;                      /* CPUTLB * (system mode, cputlb.h) */
    int64_t icount_budget;
    bool can_do_io;
    int exception_index;
    int singlestep;
};

/* Set bits in interrupt_request and kick the vCPU (any thread). */
void cpu_interrupt(CPUState *cpu, uint32_t mask);
void cpu_reset_interrupt(CPUState *cpu, uint32_t mask);
/* Make the vCPU leave guest execution soon and look at its state. */
void cpu_kick(CPUState *cpu);
CPUState *cpu_by_index(int index);
CPUState *cpu_by_apic_id(uint32_t apic_id);
/* The vCPU whose thread calls this, or NULL. */
CPUState *current_cpu_get(void);
void current_cpu_set(CPUState *cpu);

/* All CPUs of the machine, in index order. */
extern GPtrArray *cpu_list;
#define CPU_FOREACH_CAT_(a, b) a##b
#define CPU_FOREACH_CAT(a, b) CPU_FOREACH_CAT_(a, b)
#define CPU_FOREACH_I CPU_FOREACH_CAT(cpu_foreach_i_, __LINE__)
#define CPU_FOREACH(cpu) \
    for (unsigned CPU_FOREACH_I = 0; cpu_list && \
         CPU_FOREACH_I < cpu_list->len && \
         ((cpu) = g_ptr_array_index(cpu_list, CPU_FOREACH_I)); \
         CPU_FOREACH_I++)

#endif
