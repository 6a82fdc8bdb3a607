/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "tcg" accelerator: Ember's own translator runs the guest.
 *
 * thread=single (the default): one thread runs every vCPU in turn
 * (round-robin), so guest code never runs concurrently with itself and a
 * run is reproducible for a given sequence of device events. A vCPU
 * gives the thread back when it halts, when it spins (PAUSE, with other
 * vCPUs runnable), when something asks it to (an interrupt for another
 * vCPU, a pause, a reset) and at the end of a time slice when others are
 * runnable.
 *
 * thread=multi: one thread per vCPU, as with KVM. Each thread fills and
 * flushes its own vCPU's TLB and keeps its own view of the memory map;
 * the translation cache is shared under tb_lock, a full code buffer is
 * flushed in an exclusive section (start_exclusive), guest LOCKed
 * instructions are host atomics in either mode, and the one cross-vCPU
 * TLB update (write-protecting a page that got translated code) is
 * atomic (cputlb.c).
 *
 * Guest code runs without the BQL; device accesses (MMIO, port I/O, the
 * local APIC, MSRs that reach devices) take it.
 *
 * Options: -accel tcg,backend=native|interp (also EMBER_TCG_BACKEND),
 * tb-size=MiB (the code buffer), thread=single|multi.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "exec/cputlb.h"
#include "exec/exec-all.h"
#include "hw/boards.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "../../tcg/tcg-internal.h"
#include "softmmu-int.h"
#include "target/x86/cpu.h"

/* A vCPU runs this long when another one could run too. */
#define RR_SLICE_NS     (2 * 1000 * 1000)
/* Waits are woken by kicks; this only bounds a missed wake-up. */
#define RR_IDLE_WAIT_US G_TIME_SPAN_SECOND

static struct {
    char *backend;
    uint64_t tb_size;
} tcg_opts;

bool tcg_mttcg;

static GThread *rr_thread;
static GCond rr_cond;
static CPUState *rr_running;        /* in guest code (read with the BQL) */
static Timer *rr_timer;

static bool tcg_available(GError **errp)
{
    return true;
}

static bool tcg_set_option(const char *key, const char *value,
                           GError **errp)
{
    if (!strcmp(key, "backend")) {
        if (strcmp(value, "native") && strcmp(value, "interp") &&
            strcmp(value, "x86_64") && strcmp(value, "jit") &&
            strcmp(value, "tci")) {
            error_setg(errp, "Parameter 'backend' expects native or interp");
            return false;
        }
        g_free(tcg_opts.backend);
        tcg_opts.backend = g_strdup(value);
        return true;
    }
    if (!strcmp(key, "thread")) {
        if (strcmp(value, "single") && strcmp(value, "multi")) {
            error_setg(errp, "Parameter 'thread' expects single or multi");
            return false;
        }
        tcg_mttcg = !strcmp(value, "multi");
        return true;
    }
    if (!strcmp(key, "tb-size")) {
        char *end;
        uint64_t mib = g_ascii_strtoull(value, &end, 10);
        if (*end || mib < 8 || mib > 4096) {
            error_setg(errp, "Parameter 'tb-size' expects a size in MiB "
                       "(8 to 4096)");
            return false;
        }
        tcg_opts.tb_size = mib * MiB;
        return true;
    }
    return false;
}

static void tcg_dump_stats_at_exit(void)
{
    log_lock();
    tcg_dump_stats(log_file());
    fflush(log_file());
    log_unlock();
}

static bool tcg_accel_init(MachineState *ms, GError **errp)
{
    const char *backend = tcg_opts.backend;

    if (!backend) {
        backend = g_getenv("EMBER_TCG_BACKEND");
        if (backend && !*backend) {
            backend = NULL;
        }
    }
    if (!tcg_select_backend(backend)) {
        error_setg(errp, "EMBER_TCG_BACKEND: unknown back end '%s' "
                   "(native or interp)", backend);
        return false;
    }
    /* The soft MMU hook is set before the back end emits its prologue
     * (which then holds the slow-path thunks). */
    tcg_exec_init(tcg_softmmu_mode_ops(&tcg_sys_target,
                                       tcg_sys_target.exec_interrupt),
                  tcg_opts.tb_size);
    tcg_sys_target.translate_init();
    if (ember_log_enabled(LOG_TB_STATS)) {
        atexit(tcg_dump_stats_at_exit);
    }
    return true;
}

static void tcg_supported_features(uint32_t *features)
{
    tcg_sys_target.supported_features(features);
}

static void tcg_vcpu_kick(CPUState *cpu)
{
    /* cpu_kick() set exit_request; wake the thread if it waits. */
    g_cond_broadcast(&rr_cond);
}

/* The end of a time slice (main loop, BQL held). */
static void rr_kick_timer(void *opaque)
{
    if (rr_running) {
        __atomic_store_n(&rr_running->exit_request, 1, __ATOMIC_RELEASE);
    }
}

static bool rr_should_stop(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        if (cpu_should_stop(cpu)) {
            return true;
        }
    }
    return false;
}

static void rr_mark_stopped(bool stopped)
{
    CPUState *cpu;
    bool changed = false;

    CPU_FOREACH(cpu) {
        bool want = stopped && (cpu->stop || cpu->exit_thread ||
                                !runstate_is_running() ||
                                runstate_request_pending());
        if (cpu->stopped != want) {
            cpu->stopped = want;
            changed = true;
        }
    }
    if (changed) {
        cpus_notify_state_change();
    }
}

static bool rr_exiting(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        if (!cpu->exit_thread) {
            return false;
        }
    }
    return true;
}

static void rr_wait(void)
{
    g_cond_wait_until(&rr_cond, bql_mutex(),
                      g_get_monotonic_time() + RR_IDLE_WAIT_US);
}

static gpointer rr_thread_fn(gpointer opaque)
{
    CPUState *cpu;
    unsigned next = 0;

    bql_lock();
    CPU_FOREACH(cpu) {
        tcg_cpu_init(cpu);
        tlb_init(cpu, &tcg_sys_target);
        tcg_sys_target.cpu_init(cpu);
        cpu->created = true;
    }
    cpus_notify_state_change();

    while (!rr_exiting()) {
        unsigned n = cpu_list->len, nrun = 0;
        CPUState *run = NULL;

        tcg_memory_map_refresh();
        if (rr_should_stop()) {
            timer_del(rr_timer);
            rr_mark_stopped(true);
            rr_wait();
            continue;
        }
        rr_mark_stopped(false);
        for (unsigned k = 0; k < n; k++) {
            CPUState *c = g_ptr_array_index(cpu_list, (next + k) % n);
            if (tcg_sys_target.cpu_runnable(c)) {
                if (!run) {
                    run = c;
                }
                nrun++;
            }
        }
        if (!run) {
            /* Every vCPU halted: sleep until an interrupt kicks one. */
            timer_del(rr_timer);
            rr_wait();
            continue;
        }
        next = (run->cpu_index + 1) % n;
        if (nrun > 1) {
            timer_mod_ns(rr_timer, clock_get_ns(EMBER_CLOCK_VIRTUAL) +
                         RR_SLICE_NS);
        } else {
            timer_del(rr_timer);
        }
        /* Older kicks are answered by the checks above. */
        __atomic_store_n(&run->exit_request, 0, __ATOMIC_RELEASE);
        rr_running = run;
        current_cpu_set(run);
        bql_unlock();
        tcg_sys_target.cpu_exec(run);
        bql_lock();
        current_cpu_set(NULL);
        rr_running = NULL;
    }
    timer_del(rr_timer);
    CPU_FOREACH(cpu) {
        cpu->stopped = true;
    }
    cpus_notify_state_change();
    bql_unlock();
    return NULL;
}

/* thread=multi: the thread of one vCPU. */
static gpointer mt_thread_fn(gpointer opaque)
{
    CPUState *cpu = opaque;

    bql_lock();
    current_cpu_set(cpu);
    tcg_cpu_init(cpu);
    tlb_init(cpu, &tcg_sys_target);
    tcg_sys_target.cpu_init(cpu);
    cpu->created = true;
    cpus_notify_state_change();

    while (!cpu->exit_thread) {
        bool stop;

        tcg_memory_map_refresh();
        stop = cpu_should_stop(cpu);
        if (cpu->stopped != stop) {
            cpu->stopped = stop;
            cpus_notify_state_change();
        }
        if (stop || !tcg_sys_target.cpu_runnable(cpu)) {
            rr_wait();
            continue;
        }
        /* Older kicks are answered by the checks above. */
        __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELEASE);
        bql_unlock();
        cpu_exec_start(cpu);
        tcg_sys_target.cpu_exec(cpu);
        cpu_exec_end(cpu);
        bql_lock();
    }
    cpu->stopped = true;
    cpus_notify_state_change();
    bql_unlock();
    return NULL;
}

static void tcg_start_vcpus(MachineState *ms)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu->stop = !runstate_is_running();
    }
    if (tcg_mttcg) {
        CPU_FOREACH(cpu) {
            g_autofree char *name = g_strdup_printf("CPU %d/tcg",
                                                    cpu->cpu_index);
            cpu->thread = g_thread_new(name, mt_thread_fn, cpu);
        }
        return;
    }
    rr_timer = timer_new_ns(EMBER_CLOCK_VIRTUAL, rr_kick_timer, NULL);
    rr_thread = g_thread_new("CPU/tcg", rr_thread_fn, NULL);
    CPU_FOREACH(cpu) {
        cpu->thread = rr_thread;
    }
}

static const AccelOps tcg_ops = {
    .name = "tcg",
    .available = tcg_available,
    .set_option = tcg_set_option,
    .init = tcg_accel_init,
    .vcpu_kick = tcg_vcpu_kick,
    .start_vcpus = tcg_start_vcpus,
    .supported_features = tcg_supported_features,
};

static void __attribute__((constructor)) tcg_register(void)
{
    accel_register(&tcg_ops);
}
