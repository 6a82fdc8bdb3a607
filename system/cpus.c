/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vCPU threads: creation, pause/resume, kick, halt waits.
 *
 * A vCPU thread holds the BQL except while its accelerator runs guest
 * code. It waits on its halt_cond (with the BQL) when it must not run:
 * the VM is paused, a run-state request is pending, or the guest halted
 * and has no work.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/boards.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/runstate.h"

GPtrArray *cpu_list;
bool (*cpu_has_work_hook)(CPUState *cpu);
static GCond state_cond;           /* created / stopped changes */
static __thread CPUState *current_cpu;

CPUState *current_cpu_get(void)
{
    return current_cpu;
}

void current_cpu_set(CPUState *cpu)
{
    current_cpu = cpu;
}

CPUState *cpu_by_index(int index)
{
    if (!cpu_list || index < 0 || (unsigned)index >= cpu_list->len) {
        return NULL;
    }
    return g_ptr_array_index(cpu_list, index);
}

CPUState *cpu_by_apic_id(uint32_t apic_id)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        if (cpu->apic_id == apic_id) {
            return cpu;
        }
    }
    return NULL;
}

void cpus_notify_state_change(void)
{
    g_cond_broadcast(&state_cond);
}

void cpu_kick(CPUState *cpu)
{
    const AccelOps *ops = current_accel();

    g_atomic_int_set(&cpu->exit_request, 1);
    g_cond_broadcast(&cpu->halt_cond);
    if (ops && ops->vcpu_kick && cpu->created) {
        ops->vcpu_kick(cpu);
    }
}

void cpu_interrupt(CPUState *cpu, uint32_t mask)
{
    g_atomic_int_or(&cpu->interrupt_request, mask);
    if (cpu != current_cpu) {
        cpu_kick(cpu);
    } else {
        g_atomic_int_set(&cpu->exit_request, 1);
    }
}

void cpu_reset_interrupt(CPUState *cpu, uint32_t mask)
{
    g_atomic_int_and(&cpu->interrupt_request, ~mask);
}

bool cpu_should_stop(CPUState *cpu)
{
    return cpu->stop || cpu->exit_thread || !runstate_is_running() ||
           runstate_request_pending();
}

static bool cpu_idle(CPUState *cpu)
{
    if (cpu_should_stop(cpu)) {
        return true;
    }
    if (cpu->halted) {
        return !(cpu_has_work_hook && cpu_has_work_hook(cpu));
    }
    return false;
}

void cpu_wait_io_event(CPUState *cpu)
{
    while (cpu_idle(cpu) && !cpu->exit_thread) {
        if (cpu->stop && !cpu->stopped) {
            cpu->stopped = true;
            g_cond_broadcast(&state_cond);
        }
        g_cond_wait(&cpu->halt_cond, bql_mutex());
    }
    cpu->stopped = false;
}

/* The generic vCPU thread: one per vCPU (KVM). */
static gpointer vcpu_thread(gpointer opaque)
{
    CPUState *cpu = opaque;
    const AccelOps *ops = current_accel();
    GError *err = NULL;

    current_cpu_set(cpu);
    bql_lock();
    if (ops->vcpu_init && !ops->vcpu_init(cpu, &err)) {
        error_report_err(err);
        system_fatal_error();
        cpu->created = true;
        cpu->exit_thread = true;
        g_cond_broadcast(&state_cond);
        bql_unlock();
        return NULL;
    }
    cpu->created = true;
    g_cond_broadcast(&state_cond);
    while (!cpu->exit_thread) {
        cpu_wait_io_event(cpu);
        if (cpu->exit_thread) {
            break;
        }
        switch (ops->vcpu_exec(cpu)) {
        case VCPU_EXIT_FATAL:
            system_fatal_error();
            cpu->stop = true;
            break;
        case VCPU_EXIT_HALTED:
            cpu->halted = true;
            break;
        default:
            break;
        }
    }
    cpu->stopped = true;
    g_cond_broadcast(&state_cond);
    bql_unlock();
    return NULL;
}

void cpus_start(MachineState *ms)
{
    const AccelOps *ops = current_accel();
    CPUState *cpu;

    if (ops->start_vcpus) {
        ops->start_vcpus(ms);
    } else {
        CPU_FOREACH(cpu) {
            g_autofree char *name = g_strdup_printf("CPU %d/%s",
                                                    cpu->cpu_index,
                                                    ops->name);
            cpu->stop = !runstate_is_running();
            cpu->thread = g_thread_new(name, vcpu_thread, cpu);
        }
    }
    /* Wait until every vCPU has finished its set-up. */
    CPU_FOREACH(cpu) {
        while (!cpu->created) {
            g_cond_wait(&state_cond, bql_mutex());
        }
    }
}

bool all_vcpus_paused(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        /* A vCPU without a thread (qtest) never runs. */
        if (cpu->thread && cpu->created && !cpu->stopped &&
            !cpu->exit_thread) {
            return false;
        }
    }
    return true;
}

void pause_all_vcpus(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu->stop = true;
        cpu_kick(cpu);
    }
    if (current_cpu) {
        /* Called from a vCPU thread: it cannot wait for itself. */
        current_cpu->stopped = true;
    }
    while (!all_vcpus_paused()) {
        CPU_FOREACH(cpu) {
            cpu_kick(cpu);
        }
        {
            gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_MILLISECOND;
            g_cond_wait_until(&state_cond, bql_mutex(), end);
        }
    }
}

void resume_all_vcpus(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu->stop = false;
        cpu->stopped = false;
        g_cond_broadcast(&cpu->halt_cond);
    }
    {
        const AccelOps *ops = current_accel();
        CPU_FOREACH(cpu) {
            if (ops && ops->vcpu_kick && cpu->created) {
                ops->vcpu_kick(cpu);
            }
        }
    }
}

void cpus_stop_threads(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu->exit_thread = true;
        cpu->stop = true;
        cpu_kick(cpu);
    }
    CPU_FOREACH(cpu) {
        if (cpu->thread) {
            GThread *t = cpu->thread;
            /* Threads may share one GThread (TCG round-robin). */
            CPUState *other;
            CPU_FOREACH(other) {
                if (other->thread == t) {
                    other->thread = NULL;
                }
            }
            bql_unlock();
            g_thread_join(t);
            bql_lock();
        }
    }
}
