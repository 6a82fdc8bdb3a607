/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 CPU under TCG system emulation: running a vCPU, delivering
 * exceptions (with the double-fault rules, SDM 3A 6.15 table 6-5),
 * external interrupts, NMIs, INIT and SIPI (SDM 3A 9.4, 10.6.1), and the
 * hooks the TCG accelerator calls (include/exec/cputlb.h).
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "exec/exec-all.h"
#include "exec/translator.h"
#include "exec/memory.h"
#include "hw/i386/apic.h"
#include "hw/i386/x86.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "target/x86/tcg/tcg-cpu.h"
#include "sysemu.h"

/* Exceptions that push an error code (SDM 3A, 6.13). */
static bool excp_has_error(int v)
{
    return v == EXCP08_DBLE || (v >= EXCP0A_TSS && v <= EXCP0E_PAGE) ||
           v == EXCP11_ALGN;
}

static bool excp_contributory(int v)
{
    return v == EXCP00_DIVZ || (v >= EXCP0A_TSS && v <= EXCP0D_GPF);
}

static void sys_cpu_clear(X86SysCPU *xs)
{
    xs->pending = -1;
    xs->delivering = -1;
    xs->raise_is_int = false;
}

static void x86_sys_cpu_reset(void *opaque)
{
    CPUState *cs = opaque;
    CPUX86State *env = cpu_env(cs);

    sys_cpu_clear(x86_sys(env));
    x86_sys(env)->tsc_offset = 0;
    tlb_flush(cs);
}

static void x86_sys_cpu_init(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    X86SysCPU *xs = g_new0(X86SysCPU, 1);

    sys_cpu_clear(xs);
    env->opaque = xs;
    system_register_reset(x86_sys_cpu_reset, cs);
}

/*
 * An exception came out of cpu_exec(): queue it for delivery, applying
 * the double-fault rules when it happened while delivering another one.
 * false after a triple fault (the machine resets or stops).
 */
static bool queue_exception(CPUState *cs, int v)
{
    CPUX86State *env = cpu_env(cs);
    X86SysCPU *xs = x86_sys(env);
    bool is_int = xs->raise_is_int;
    bool has_err = !is_int && excp_has_error(v);
    uint32_t err = env->has_error_code ? env->error_code : 0;

    xs->raise_is_int = false;
    if (!is_int && xs->delivering >= 0) {
        int first = xs->delivering;

        xs->delivering = -1;
        if (first == EXCP08_DBLE) {
            ember_log_mask(LOG_GUEST_ERROR | LOG_INT,
                           "cpu %d: triple fault (exception %d while "
                           "delivering a double fault)\n", cs->cpu_index, v);
            if (ember_log_enabled(LOG_INT)) {
                log_lock();
                x86_cpu_dump_state(env, log_file());
                log_unlock();
            }
            bql_lock();
            system_reset_request(SHUTDOWN_CAUSE_TRIPLE_FAULT);
            cs->halted = true;
            env->hflags |= HF_HALTED_MASK;
            bql_unlock();
            return false;
        }
        if ((excp_contributory(first) && excp_contributory(v)) ||
            (first == EXCP0E_PAGE &&
             (v == EXCP0E_PAGE || excp_contributory(v)))) {
            v = EXCP08_DBLE;
            has_err = true;
            err = 0;
        }
    }
    xs->pending = v;
    xs->pending_is_int = is_int;
    xs->pending_has_err = has_err;
    xs->pending_err = err;
    xs->pending_next_eip = xs->raise_next_eip;
    return true;
}

/* Between blocks: deliver a queued exception, an NMI or an interrupt. */
static bool x86_exec_interrupt(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    X86SysCPU *xs = x86_sys(env);
    uint32_t ir;

    if (xs->pending >= 0) {
        int v = xs->pending;

        xs->pending = -1;
        if (!xs->pending_is_int) {
            xs->delivering = v;
        }
        x86_do_interrupt(env, v, xs->pending_is_int, xs->pending_has_err,
                         xs->pending_err, xs->pending_next_eip, false);
        xs->delivering = -1;
        return true;
    }
    ir = g_atomic_int_get(&cs->interrupt_request);
    if (likely(!ir)) {
        return false;
    }
    if (ir & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI)) {
        /* Handled by the vCPU loop with the BQL (cpu_runnable). */
        cs->exception_index = EXCP_INTERRUPT;
        return false;
    }
    if (ir & CPU_INTERRUPT_POLL) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_POLL);
        if (env->apic) {
            bql_lock();
            apic_poll_irq(env->apic);
            bql_unlock();
        }
        ir = g_atomic_int_get(&cs->interrupt_request);
    }
    if (ir & (CPU_INTERRUPT_EXITTB | CPU_INTERRUPT_TPR)) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_EXITTB | CPU_INTERRUPT_TPR);
    }
    if (env->hflags & HF_INHIBIT_IRQ_MASK) {
        return false;
    }
    if ((ir & CPU_INTERRUPT_NMI) && !(env->hflags2 & HF2_NMI_MASK)) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        env->hflags2 |= HF2_NMI_MASK;
        x86_do_interrupt(env, EXCP02_NMI, false, false, 0, 0, true);
        return true;
    }
    if ((ir & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK)) {
        int v;

        bql_lock();
        v = x86_cpu_get_pic_interrupt(env);
        bql_unlock();
        if (v >= 0) {
            x86_do_interrupt(env, v, false, false, 0, 0, true);
            return true;
        }
    }
    return false;
}

/* With the BQL: INIT, SIPI, and waking from HLT. */
static bool x86_sys_cpu_runnable(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t ir = g_atomic_int_get(&cs->interrupt_request);

    if (ir & CPU_INTERRUPT_INIT) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT);
        x86_cpu_init_reset(env);
        sys_cpu_clear(x86_sys(env));
        cs->exception_index = -1;
        if (env->apic) {
            apic_init_reset(env->apic);
        }
        tlb_flush(cs);
        ember_log_mask(LOG_INT, "cpu %d: INIT\n", cs->cpu_index);
    }
    if (ir & CPU_INTERRUPT_SIPI) {
        if (env->apic) {
            apic_sipi(env->apic);
        } else {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
        }
        tlb_flush(cs);
        ember_log_mask(LOG_INT, "cpu %d: SIPI vector 0x%02x\n",
                       cs->cpu_index, env->sipi_vector);
    }
    if (cs->halted && x86_cpu_has_work(cs) &&
        !(g_atomic_int_get(&cs->interrupt_request) &
          (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI))) {
        cs->halted = false;
        env->hflags &= ~HF_HALTED_MASK;
    }
    return !cs->halted;
}

/* Without the BQL: run until the CPU halts or must yield the thread. */
static int x86_sys_cpu_exec(CPUState *cs)
{
    for (;;) {
        int r = cpu_exec(cs);

        if (r >= 0 && r < EXCP_INTERRUPT) {
            if (!queue_exception(cs, r)) {
                return VCPU_EXIT_HALTED;
            }
            continue;
        }
        switch (r) {
        case EXCP_HLT:
        case EXCP_HALTED:
            return VCPU_EXIT_HALTED;
        case EXCP_DEBUG:
            return VCPU_EXIT_DEBUG;
        default:
            return VCPU_EXIT_KICKED;
        }
    }
}

static void x86_sys_supported_features(uint32_t *f)
{
    tcg_x86_supported_features(f);
    /* What system mode adds: the local APIC's x2APIC mode and TSC
     * deadline timer, 1 GiB pages, SMEP. */
    f[FEAT_1_ECX] |= CPUID_EXT_X2APIC | CPUID_EXT_TSC_DEADLINE_TIMER;
    f[FEAT_8000_0001_EDX] |= CPUID_EXT2_PDPE1GB;
    f[FEAT_7_0_EBX] |= CPUID_7_0_EBX_SMEP;
}

const TCGSysTarget tcg_sys_target = {
    .tlb_fill = x86_tlb_fill,
    .mmu_index = x86_mmu_index,
    .unaligned = x86_unaligned,
    .translate_init = x86_sys_translate_init,
    .supported_features = x86_sys_supported_features,
    .cpu_init = x86_sys_cpu_init,
    .cpu_runnable = x86_sys_cpu_runnable,
    .cpu_exec = x86_sys_cpu_exec,
    .exec_interrupt = x86_exec_interrupt,
};
