/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Accelerators: KVM, TCG, qtest. The machine is the same for all; the
 * accelerator runs its vCPUs. vcpu_exec is called on the vCPU's thread
 * with the BQL held, and drops it while the guest runs.
 */
#ifndef SYSTEM_ACCEL_H
#define SYSTEM_ACCEL_H

#include "ember/osdep.h"
#include "hw/core/cpu.h"

typedef struct MachineState MachineState;

/* Why vcpu_exec returned. */
enum {
    VCPU_EXIT_KICKED,       /* asked to stop, or a request is pending */
    VCPU_EXIT_HALTED,       /* guest is halted; wait for an interrupt */
    VCPU_EXIT_DEBUG,        /* breakpoint / single step (gdb) */
    VCPU_EXIT_FATAL,        /* the accelerator cannot go on */
};

typedef struct AccelOps {
    const char *name;
    /* Can it run here? (e.g. /dev/kvm opens) If not, why in errp. */
    bool (*available)(GError **errp);
    /* Accelerator options: -accel NAME,key=value */
    bool (*set_option)(const char *key, const char *value, GError **errp);
    /* Before the machine creates devices. */
    bool (*init)(MachineState *ms, GError **errp);
    /* After the machine is built (devices realized). */
    bool (*machine_done)(MachineState *ms, GError **errp);
    bool (*vcpu_init)(CPUState *cpu, GError **errp);
    int (*vcpu_exec)(CPUState *cpu);
    void (*vcpu_kick)(CPUState *cpu);
    /* Accelerator state -> CPUX86State, and back (before it runs again). */
    void (*sync_to_state)(CPUState *cpu);
    void (*sync_from_state)(CPUState *cpu);
    /* Optional: start the vCPU threads itself (TCG runs them round-robin
     * on one thread). Without it, one generic thread per vCPU. */
    void (*start_vcpus)(MachineState *ms);
    /* Optional: the supported CPUID feature words for -cpu max/host. */
    void (*supported_features)(uint32_t *features);
    /* Does the kernel emulate the interrupt controllers? */
    bool (*irqchip_in_kernel)(void);
} AccelOps;

void accel_register(const AccelOps *ops);
/* Did the user name the accelerator being tried (vs. the default list)?
 * Set by the command line before available() is called. */
bool accel_chosen_explicitly(void);
void accel_set_chosen_explicitly(bool explicit_choice);
const AccelOps *accel_find(const char *name);
const AccelOps *current_accel(void);
void accel_set_current(const AccelOps *ops);
void accel_list(FILE *f);

/* vCPU thread management (system/cpus.c). */
void cpus_start(MachineState *ms);
/* Stop every vCPU (called with the BQL held from the main loop). */
void pause_all_vcpus(void);
void resume_all_vcpus(void);
bool all_vcpus_paused(void);
/* Stop and join the vCPU threads (at exit). */
void cpus_stop_threads(void);
/* For accelerators that run their own threads: a vCPU thread should
 * stop now (pause, reset, exit). Call with the BQL held. */
bool cpu_should_stop(CPUState *cpu);
/* Mark the vCPU stopped and wait, with the BQL held, until it may run. */
void cpu_wait_io_event(CPUState *cpu);
/* Whether the target has work for a halted CPU (set by the target). */
extern bool (*cpu_has_work_hook)(CPUState *cpu);
/* Signalled whenever a vCPU's state changes (created, stopped). */
void cpus_notify_state_change(void);

#endif
