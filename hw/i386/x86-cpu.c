/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Creation and reset of the PC's x86 CPUs. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/x86.h"
#include "system/accel.h"
#include "system/runstate.h"
#include "system/vl.h"

void vl_cpu_model_list(FILE *f)
{
    x86_cpu_model_list(f);
}

static unsigned bits_for(unsigned n)
{
    unsigned b = 0;

    while ((1u << b) < n) {
        b++;
    }
    return b;
}

uint32_t x86_apic_id_from_index(MachineState *ms, unsigned index)
{
    unsigned threads = ms->threads ? ms->threads : 1;
    unsigned cores = ms->cores ? ms->cores : 1;
    unsigned smt_bits = bits_for(threads), core_bits = bits_for(cores);
    unsigned thread = index % threads;
    unsigned core = (index / threads) % cores;
    unsigned socket = index / (threads * cores);

    return (socket << (core_bits + smt_bits)) | (core << smt_bits) | thread;
}

bool x86_cpu_has_work(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t ir = g_atomic_int_get(&cs->interrupt_request);

    if (ir & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI | CPU_INTERRUPT_NMI |
              CPU_INTERRUPT_SMI)) {
        return true;
    }
    return (ir & (CPU_INTERRUPT_HARD | CPU_INTERRUPT_POLL)) &&
           (env->eflags & IF_MASK);
}

static void x86_cpu_machine_reset(void *opaque)
{
    CPUState *cs = opaque;
    CPUX86State *env = cpu_env(cs);

    x86_cpu_reset(env);
    cs->interrupt_request = 0;
    cs->exception_index = -1;
    /* Application processors wait for INIT/SIPI (SDM 3A, 9.4). */
    cs->halted = cs->cpu_index != 0;
    if (cs->halted) {
        env->hflags |= HF_HALTED_MASK;
    }
    cs->vcpu_dirty = true;
}

CPUState *x86_cpu_create(MachineState *ms, unsigned index, GError **errp)
{
    X86CPU *cpu = g_new0(X86CPU, 1);
    CPUState *cs = &cpu->parent;
    CPUX86State *env = &cpu->env;
    const AccelOps *accel = current_accel();
    uint32_t supported[FEATURE_WORDS];
    bool have_supported = false;

    cs->cpu_index = index;
    cs->apic_id = x86_apic_id_from_index(ms, index);
    cs->env_ptr = env;
    cs->machine = ms;
    cs->exception_index = -1;
    g_cond_init(&cs->halt_cond);
    env->cs = cs;
    env->nr_cores = ms->cores;
    env->nr_threads = ms->threads;
    if (accel && accel->supported_features) {
        memset(supported, 0, sizeof(supported));
        accel->supported_features(supported);
        have_supported = true;
    }
    if (!x86_cpu_apply_model(env, ms->cpu_spec,
                             have_supported ? supported : NULL, errp)) {
        g_free(cpu);
        return NULL;
    }
    if (!cpu_list) {
        cpu_list = g_ptr_array_new();
    }
    g_ptr_array_add(cpu_list, cs);
    cpu_has_work_hook = x86_cpu_has_work;
    x86_cpu_reset(env);
    system_register_reset(x86_cpu_machine_reset, cs);
    return cs;
}
