/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM accelerator: the VM, guest RAM as memslots, one thread per
 * vCPU running KVM_RUN, and the exits that come back to Ember.
 *
 * Facts from the KVM API documentation (Documentation/virt/kvm/api.rst):
 * 4.1 KVM_GET_API_VERSION (always 12), 4.2 KVM_CREATE_VM, 4.7
 * KVM_CREATE_VCPU, 4.10 KVM_RUN and 5 "The kvm_run structure" for the
 * exits, 4.35 KVM_SET_USER_MEMORY_REGION, 4.43 KVM_SET_SIGNAL_MASK.
 *
 * Threads and locks: vcpu_exec runs on the vCPU's own thread with the
 * BQL held (system/cpus.c). It drops the BQL around KVM_RUN and takes it
 * again to dispatch an exit to the memory API. Another thread stops a
 * running vCPU with a signal (SIG_IPI) that the vCPU thread keeps
 * blocked except inside KVM_RUN, so a kick sent just before KVM_RUN
 * stays pending and makes KVM_RUN return at once: no kick is lost.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "accel/kvm/kvm-int.h"
#include "hw/boards.h"
#include "system/accel.h"
#include "system/kvm.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "target/x86/cpu.h"
#include <cpuid.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define KVM_DEVICE  "/dev/kvm"
#define KVM_API     12
#define SIG_IPI     SIGUSR1

KVMState *kvm_state;
static int kvm_fd = -1;             /* opened by available() */
static bool opt_kernel_irqchip = true;
static bool opt_irqchip_given;
static bool (*x86_has_work)(CPUState *cpu);
int kvm_explicit_override = -1;

/* Per-thread: the vCPU whose thread this is, for the exit notifier. */
static GMutex kick_lock;            /* thread_valid vs. pthread_kill */
static void vcpu_thread_gone(gpointer data);
static GPrivate vcpu_thread_key = G_PRIVATE_INIT(vcpu_thread_gone);

/* ---- ioctl helpers ------------------------------------------------------ */

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
    int r;

    do {
        r = ioctl(fd, req, arg);
    } while (r < 0 && (errno == EINTR || errno == EAGAIN));
    return r < 0 ? -errno : r;
}

int kvm_vm_ioctl(KVMState *s, unsigned long req, void *arg)
{
    return kvm_ioctl(s->vmfd, req, arg);
}

int kvm_vcpu_ioctl(CPUState *cs, unsigned long req, void *arg)
{
    return kvm_ioctl(kvm_vcpu(cs)->fd, req, arg);
}

int kvm_check_extension(KVMState *s, int cap)
{
    int r = ioctl(s->vmfd >= 0 ? s->vmfd : s->fd, KVM_CHECK_EXTENSION, cap);

    return r < 0 ? 0 : r;
}

/* ---- public services (include/system/kvm.h) ------------------------------ */

bool kvm_enabled(void)
{
    return kvm_state != NULL;
}

bool kvm_irqchip_in_kernel(void)
{
    return kvm_state && kvm_state->irqchip_in_kernel;
}

bool kvm_pit_in_kernel(void)
{
    return kvm_state && kvm_state->pit_in_kernel;
}

/* ---- availability -------------------------------------------------------- */

/*
 * Hardware virtualization as the host CPU advertises it: VMX is CPUID
 * leaf 1 ECX bit 5 (SDM 2A, CPUID), SVM leaf 0x80000001 ECX bit 2 (AMD
 * APM 3, E.4.2). A nested or paravirtualized KVM (PVM) works without
 * them but slowly, so only an explicit -accel kvm uses it.
 */
bool kvm_host_has_virt_ext(void)
{
    unsigned a, b, c, d;

    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5))) {
        return true;
    }
    if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000001 &&
        __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 2))) {
        return true;
    }
    return false;
}

/*
 * Did the user name an accelerator (-accel, -enable-kvm, -machine
 * accel=)? Then KVM is used even without VMX/SVM flags; without one,
 * vl.c tries kvm then tcg and KVM declines where it would be a slow
 * choice. Tests may force the answer with kvm_explicit_override.
 */
static bool kvm_explicitly_requested(void)
{
    if (kvm_explicit_override >= 0) {
        return kvm_explicit_override;
    }
    return accel_chosen_explicitly();
}

static bool kvm_available(GError **errp)
{
    int fd, ver;

    if (kvm_fd < 0) {
        fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            error_setg(errp, "cannot open " KVM_DEVICE ": %s",
                       g_strerror(errno));
            return false;
        }
        ver = ioctl(fd, KVM_GET_API_VERSION, 0);
        if (ver != KVM_API) {
            error_setg(errp, KVM_DEVICE " has API version %d, Ember needs "
                       "%d", ver, KVM_API);
            close(fd);
            return false;
        }
        for (const int *cap = (const int[]){ KVM_CAP_USER_MEMORY,
                                             KVM_CAP_EXT_CPUID,
                                             KVM_CAP_SET_TSS_ADDR,
                                             KVM_CAP_MP_STATE, 0 };
             *cap; cap++) {
            if (ioctl(fd, KVM_CHECK_EXTENSION, *cap) <= 0) {
                error_setg(errp, "the kernel's KVM lacks capability %d",
                           *cap);
                close(fd);
                return false;
            }
        }
        kvm_fd = fd;
    }
    if (!kvm_host_has_virt_ext() && !kvm_explicitly_requested()) {
        error_setg(errp, "the host CPU advertises neither VMX nor SVM "
                   "(nested or paravirtualized KVM); -accel kvm uses it "
                   "anyway");
        close(kvm_fd);
        kvm_fd = -1;
        return false;
    }
    return true;
}

static bool kvm_set_option(const char *key, const char *value,
                           GError **errp)
{
    if (!strcmp(key, "kernel-irqchip")) {
        if (!strcmp(value, "on") || !strcmp(value, "true") ||
            !strcmp(value, "yes")) {
            opt_kernel_irqchip = true;
        } else if (!strcmp(value, "off") || !strcmp(value, "false") ||
                   !strcmp(value, "no")) {
            opt_kernel_irqchip = false;
        } else {
            error_setg(errp, "Parameter 'kernel-irqchip' expects on or off");
            return false;
        }
        opt_irqchip_given = true;
        return true;
    }
    error_setg(errp, "Invalid parameter '%s' for accelerator 'kvm'", key);
    return false;
}

/* ---- memory listener: RAM sections -> memslots ------------------------ */

static int kvm_slot_commit(void *opaque, const KVMSlot *slot, bool add)
{
    KVMState *s = opaque;
    struct kvm_userspace_memory_region r = {
        .slot = slot->id,
        .flags = add ? slot->flags : 0,
        .guest_phys_addr = slot->gpa,
        .memory_size = add ? slot->size : 0,
        .userspace_addr = (uintptr_t)slot->hva,
    };

    ember_log_mask(LOG_ACCEL, "kvm: slot %u %s 0x%" PRIx64 "+0x%" PRIx64
                   "%s\n", slot->id, add ? "add" : "del", slot->gpa,
                   slot->size, slot->flags & KVM_MEM_READONLY ? " ro" : "");
    return kvm_vm_ioctl(s, KVM_SET_USER_MEMORY_REGION, &r);
}

static bool section_ram(MemoryRegionSection *sec, void **hva)
{
    if (!memory_region_is_ram(sec->mr) || !sec->mr->ram_ptr) {
        return false;
    }
    *hva = sec->mr->ram_ptr + sec->offset_within_region;
    return true;
}

static void kvm_region_add(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = l->opaque;
    GError *err = NULL;
    void *hva;

    if (!section_ram(sec, &hva)) {
        return;
    }
    if (!kvm_slots_add_logged(&s->slots, sec->offset_within_address_space,
                              sec->size, hva,
                              sec->readonly || sec->mr->readonly,
                              sec->mr->dirty_log_mask != 0, &err)) {
        /* The range still works, through MMIO exits; say why it is slow. */
        warn_report("%s", err->message);
        g_error_free(err);
    }
}

/*
 * Fold the kernel's dirty log of a section's slot into its region's
 * bitmaps (KVM_GET_DIRTY_LOG, api.rst 4.8: one bit per page of the slot,
 * cleared by the read).
 */
static void kvm_log_sync(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = l->opaque;
    const KVMSlot *slot;
    struct kvm_dirty_log log = { 0 };
    g_autofree uint64_t *bits = NULL;
    uint64_t npages, base;
    void *hva;
    int r;

    if (!section_ram(sec, &hva)) {
        return;
    }
    slot = kvm_slots_lookup(&s->slots, sec->offset_within_address_space,
                            sec->size, hva);
    if (!slot || !(slot->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
        return;
    }
    npages = slot->size / s->slots.page_size;
    bits = g_new0(uint64_t, DIV_ROUND_UP(npages, 64));
    log.slot = slot->id;
    log.dirty_bitmap = bits;
    r = kvm_vm_ioctl(s, KVM_GET_DIRTY_LOG, &log);
    if (r < 0) {
        /* Unknown: say everything changed rather than nothing. */
        memory_region_set_dirty(sec->mr, sec->offset_within_region,
                                sec->size);
        return;
    }
    /* The slot's first page within the region. */
    base = sec->offset_within_region +
           (slot->gpa - sec->offset_within_address_space);
    for (uint64_t w = 0; w < DIV_ROUND_UP(npages, 64); w++) {
        uint64_t word = bits[w];
        while (word) {
            unsigned b = __builtin_ctzll(word);
            word &= word - 1;
            memory_region_set_dirty(sec->mr,
                                    base + (w * 64 + b) * s->slots.page_size,
                                    s->slots.page_size);
        }
    }
}

static void kvm_log_start(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = l->opaque;
    void *hva;

    if (section_ram(sec, &hva)) {
        kvm_slots_set_log(&s->slots, sec->offset_within_address_space,
                          sec->size, hva, true);
    }
}

static void kvm_log_stop(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = l->opaque;
    void *hva;

    if (section_ram(sec, &hva)) {
        kvm_slots_set_log(&s->slots, sec->offset_within_address_space,
                          sec->size, hva, false);
    }
}

static void kvm_region_del(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = l->opaque;
    void *hva;

    if (!section_ram(sec, &hva)) {
        return;
    }
    /* Keep what the guest wrote before the slot goes (a moved BAR). */
    if (sec->mr->dirty_log_mask) {
        kvm_log_sync(l, sec);
    }
    kvm_slots_del(&s->slots, sec->offset_within_address_space, sec->size,
                  hva, sec->readonly || sec->mr->readonly);
}

/* ---- VM set-up ----------------------------------------------------------- */

static void kvm_ipi_handler(int sig)
{
    /* Only there to make KVM_RUN return -EINTR. */
}

/*
 * A SIG_IPI that made KVM_RUN return is still pending once KVM has
 * blocked it again for user space; take it off the thread, or every
 * KVM_RUN would return at once.
 */
static void kvm_eat_signals(void)
{
    struct timespec zero = { 0, 0 };
    sigset_t set, pending;

    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    while (sigpending(&pending) == 0 && sigismember(&pending, SIG_IPI)) {
        if (sigtimedwait(&set, NULL, &zero) < 0 && errno != EINTR) {
            break;
        }
    }
}

static void kvm_machine_reset(void *opaque)
{
    kvm_irqchip_reset(opaque);
}

static bool kvm_init(MachineState *ms, GError **errp)
{
    KVMState *s;
    struct sigaction sa;
    int r, nslots;

    if (kvm_fd < 0 && !kvm_available(errp)) {
        return false;
    }
    s = g_new0(KVMState, 1);
    s->fd = kvm_fd;
    s->vmfd = -1;
    do {
        r = ioctl(s->fd, KVM_CREATE_VM, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        error_setg(errp, "KVM: cannot create the VM (KVM_CREATE_VM): %s",
                   g_strerror(errno));
        g_free(s);
        return false;
    }
    s->vmfd = r;
    s->run_size = ioctl(s->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (s->run_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM: bad KVM_GET_VCPU_MMAP_SIZE %d", s->run_size);
        close(s->vmfd);
        g_free(s);
        return false;
    }
    s->readonly_mem = kvm_check_extension(s, KVM_CAP_READONLY_MEM) > 0;
    s->immediate_exit = kvm_check_extension(s, KVM_CAP_IMMEDIATE_EXIT) > 0;
    s->vcpu_events = kvm_check_extension(s, KVM_CAP_VCPU_EVENTS) > 0;
    s->debugregs = kvm_check_extension(s, KVM_CAP_DEBUGREGS) > 0;
    s->xsave = kvm_check_extension(s, KVM_CAP_XSAVE) > 0;
    s->xcrs = kvm_check_extension(s, KVM_CAP_XCRS) > 0;
    s->internal_error_data =
        kvm_check_extension(s, KVM_CAP_INTERNAL_ERROR_DATA) > 0;
    s->xsave_size = MAX(kvm_check_extension(s, KVM_CAP_XSAVE2),
                        (int)sizeof(struct kvm_xsave));
    s->max_vcpus = kvm_check_extension(s, KVM_CAP_MAX_VCPUS);
    if (!s->max_vcpus) {
        s->max_vcpus = kvm_check_extension(s, KVM_CAP_NR_VCPUS);
    }
    if (!s->max_vcpus) {
        s->max_vcpus = 4;       /* api.rst 4.7: assume 4 without the cap */
    }
    if (ms->smp_cpus > (unsigned)s->max_vcpus) {
        error_setg(errp, "KVM: -smp %u exceeds the kernel's limit of %d "
                   "vCPUs", ms->smp_cpus, s->max_vcpus);
        close(s->vmfd);
        g_free(s);
        return false;
    }
    kvm_state = s;

    if (!kvm_arch_init(s, ms, errp)) {
        goto fail;
    }
    /* vl.c parses -machine kernel-irqchip= too; both say the same. */
    if (opt_irqchip_given) {
        ms->kernel_irqchip = opt_kernel_irqchip;
    }
    if (ms->kernel_irqchip && !kvm_irqchip_create(s, errp)) {
        goto fail;
    }

    nslots = kvm_check_extension(s, KVM_CAP_NR_MEMSLOTS);
    kvm_slots_init(&s->slots, nslots > 0 ? nslots : 32, s->readonly_mem,
                   sysconf(_SC_PAGESIZE), kvm_slot_commit, s);
    s->listener.name = "kvm-memslots";
    s->listener.region_add = kvm_region_add;
    s->listener.region_del = kvm_region_del;
    s->listener.log_start = kvm_log_start;
    s->listener.log_stop = kvm_log_stop;
    s->listener.log_sync = kvm_log_sync;
    s->listener.opaque = s;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kvm_ipi_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_IPI, &sa, NULL);

    system_register_reset(kvm_machine_reset, s);
    ember_log_mask(LOG_ACCEL, "kvm: VM created; irqchip %s, readonly "
                   "memslots %s, %d memslots, %d vCPUs max\n",
                   s->irqchip_in_kernel ? "in kernel" : "in user space",
                   s->readonly_mem ? "yes" : "no", s->slots.max_slots,
                   s->max_vcpus);
    return true;

fail:
    kvm_state = NULL;
    close(s->vmfd);
    g_free(s);
    return false;
}

/*
 * With the in-kernel irqchip a halted or waiting-for-SIPI vCPU waits in
 * KVM_RUN, not in Ember: its thread must always enter the kernel.
 */
static bool kvm_cpu_has_work(CPUState *cs)
{
    if (kvm_irqchip_in_kernel()) {
        return true;
    }
    return x86_has_work ? x86_has_work(cs) : false;
}

static bool kvm_machine_done(MachineState *ms, GError **errp)
{
    /*
     * Guest RAM becomes memslots only now, from the finished memory map:
     * nothing runs before, and each slot change costs the kernel an RCU
     * grace period (several ms on a nested host), which the machine's
     * step-by-step construction (RAM, then the BIOS ROM splitting it)
     * would pay several times over. Registering replays the current view.
     */
    if (!kvm_state->listener.as) {
        memory_listener_register(&kvm_state->listener,
                                 &address_space_memory);
    }
    if (cpu_has_work_hook != kvm_cpu_has_work) {
        x86_has_work = cpu_has_work_hook;
        cpu_has_work_hook = kvm_cpu_has_work;
    }
    kvm_arch_machine_done(kvm_state, ms);
    return true;
}

/* ---- vCPUs --------------------------------------------------------------- */

static void vcpu_thread_gone(gpointer data)
{
    KVMVcpu *v = data;

    g_mutex_lock(&kick_lock);
    v->thread_valid = false;
    g_mutex_unlock(&kick_lock);
}

/*
 * A port or MMIO read that was just served completes on the next KVM_RUN
 * (api.rst 5, "KVM_EXIT_IO"/"immediate_exit": the kernel finishes the
 * operation, then looks at immediate_exit). Finish it before the state is
 * read or replaced, without running guest code.
 */
static void kvm_vcpu_complete_io(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);

    if (!v->io_pending) {
        return;
    }
    v->io_pending = false;
    if (kvm_state->immediate_exit) {
        v->run->immediate_exit = 1;
        ioctl(v->fd, KVM_RUN, 0);
        v->run->immediate_exit = 0;
        kvm_eat_signals();
    }
}

/* Load the reset state into the kernel now (any thread; the vCPU is not
 * in KVM_RUN). If that fails, vcpu_exec tries again and reports it. */
static int kvm_vcpu_load_reset(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    int r;

    kvm_vcpu_complete_io(cs);
    r = kvm_arch_put_registers(cs, true);
    if (r == 0) {
        v->reset_pending = false;
        cs->vcpu_dirty = false;
    }
    return r;
}

/*
 * System reset (vCPUs stopped, BQL held; after the CPU's own reset
 * handler). The reset state goes into the kernel at once rather than at
 * the vCPU's next KVM_RUN: otherwise the BSP, resumed first, could send
 * INIT/SIPI to an AP whose stale mp_state and SIPI vector are still to be
 * overwritten by its reset.
 */
static void kvm_vcpu_reset(void *opaque)
{
    CPUState *cs = opaque;
    KVMVcpu *v = kvm_vcpu(cs);

    kvm_arch_reset_vcpu(cs);
    if (v && v->fd >= 0 && v->run) {
        kvm_vcpu_load_reset(cs);
    }
}

static bool kvm_set_signal_mask(CPUState *cs, GError **errp)
{
    struct {
        struct kvm_signal_mask hdr;
        uint8_t set[8];
    } m;
    sigset_t set;
    int r;

    /* Block SIG_IPI in this thread; unblock it only inside KVM_RUN. */
    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    sigdelset(&set, SIG_IPI);
    /* The kernel's sigset is 64 bits on x86-64 (api.rst 4.43). */
    m.hdr.len = 8;
    memcpy(m.set, &set, 8);
    r = kvm_vcpu_ioctl(cs, KVM_SET_SIGNAL_MASK, &m);
    if (r < 0) {
        error_setg(errp, "KVM: KVM_SET_SIGNAL_MASK failed: %s",
                   g_strerror(-r));
        return false;
    }
    return true;
}

static bool kvm_vcpu_init(CPUState *cs, GError **errp)
{
    KVMState *s = kvm_state;
    KVMVcpu *v = g_new0(KVMVcpu, 1);
    int fd, r;

    v->cs = cs;
    v->fd = -1;
    cs->accel = v;
    fd = kvm_ioctl(s->vmfd, KVM_CREATE_VCPU, (void *)(uintptr_t)cs->apic_id);
    if (fd < 0) {
        error_setg(errp, "KVM: cannot create vCPU %d (APIC ID %u): %s",
                   cs->cpu_index, cs->apic_id, g_strerror(-fd));
        return false;
    }
    v->fd = fd;
    cs->kvm_fd = fd;
    v->run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                  fd, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        error_setg(errp, "KVM: cannot map vCPU %d's kvm_run: %s",
                   cs->cpu_index, g_strerror(errno));
        return false;
    }
    cs->kvm_run = v->run;
    if (!kvm_arch_init_vcpu(cs, errp)) {
        return false;
    }
    if (!kvm_set_signal_mask(cs, errp)) {
        return false;
    }
    v->thread = pthread_self();
    g_mutex_lock(&kick_lock);
    v->thread_valid = true;
    g_mutex_unlock(&kick_lock);
    g_private_set(&vcpu_thread_key, v);
    /* The state of the machine's reset, in place before any vCPU runs. */
    kvm_arch_reset_vcpu(cs);
    r = kvm_vcpu_load_reset(cs);
    if (r < 0) {
        error_setg(errp, "KVM: cannot load CPU %d's initial state: %s",
                   cs->cpu_index, g_strerror(-r));
        return false;
    }
    system_register_reset(kvm_vcpu_reset, cs);
    return true;
}

static void kvm_vcpu_kick(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);

    if (!v) {
        return;
    }
    g_mutex_lock(&kick_lock);
    if (v->thread_valid && !pthread_equal(v->thread, pthread_self())) {
        pthread_kill(v->thread, SIG_IPI);
    }
    g_mutex_unlock(&kick_lock);
}

static void kvm_sync_to_state(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);

    if (!v || cs->vcpu_dirty || v->fd < 0) {
        return;             /* env already holds the newest state */
    }
    kvm_vcpu_complete_io(cs);
    kvm_arch_get_registers(cs);
}

static void kvm_sync_from_state(CPUState *cs)
{
    /* Pushed by vcpu_exec on the vCPU's thread before it runs again. */
    cs->vcpu_dirty = true;
}

/* ---- exits --------------------------------------------------------------- */

static void kvm_handle_io(KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    uint64_t bytes = (uint64_t)run->io.size * run->io.count;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;

    /* The data page is the kernel's, but check before trusting it. */
    if (run->io.data_offset + bytes > (uint64_t)kvm_state->run_size ||
        (run->io.size != 1 && run->io.size != 2 && run->io.size != 4)) {
        ember_log_mask(LOG_GUEST_ERROR, "kvm: bad I/O exit (size %u count "
                       "%u offset %" PRIu64 ")\n", run->io.size,
                       run->io.count, (uint64_t)run->io.data_offset);
        return;
    }
    /* String I/O (INS/OUTS with REP) hands over count elements. */
    for (uint32_t i = 0; i < run->io.count; i++) {
        address_space_rw(&address_space_io, run->io.port,
                         data + i * run->io.size, run->io.size, out);
    }
}

static void kvm_handle_mmio(KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    uint32_t len = MIN(run->mmio.len, (uint32_t)sizeof(run->mmio.data));

    address_space_rw(&address_space_memory, run->mmio.phys_addr,
                     run->mmio.data, len, run->mmio.is_write);
}

static const char *internal_suberror(uint32_t sub)
{
    switch (sub) {
    case KVM_INTERNAL_ERROR_EMULATION:
        return "emulation failure";
    case KVM_INTERNAL_ERROR_SIMUL_EX:
        return "exception while delivering an exception";
    case KVM_INTERNAL_ERROR_DELIVERY_EV:
        return "cannot deliver an event";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
        return "unexpected exit reason";
    default:
        return "unknown suberror";
    }
}

/* One clear line saying what went wrong, then the registers. */
static int kvm_fatal_exit(CPUState *cs, const char *fmt, ...)
    EMBER_PRINTF(2, 3);
static int kvm_fatal_exit(CPUState *cs, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("KVM: %s on CPU %d", msg, cs->cpu_index);
    if (kvm_arch_get_registers(cs) == 0) {
        log_lock();
        x86_cpu_dump_state(cpu_env(cs), stderr);
        log_unlock();
    }
    fflush(stderr);
    return VCPU_EXIT_FATAL;
}

static int kvm_internal_error(CPUState *cs)
{
    struct kvm_run *run = kvm_vcpu(cs)->run;
    g_autoptr(GString) s = g_string_new(NULL);
    uint32_t nd = MIN(run->internal.ndata,
                      (uint32_t)ARRAY_SIZE(run->internal.data));

    g_string_append_printf(s, "internal error: %s (suberror %u)",
                           internal_suberror(run->internal.suberror),
                           run->internal.suberror);
    if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
        nd >= 3 && (run->emulation_failure.flags &
                    KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
        unsigned n = MIN(run->emulation_failure.insn_size,
                         (uint8_t)sizeof(run->emulation_failure.insn_bytes));
        g_string_append(s, ", instruction bytes");
        for (unsigned i = 0; i < n; i++) {
            g_string_append_printf(s, " %02x",
                                   run->emulation_failure.insn_bytes[i]);
        }
    } else if (nd) {
        g_string_append(s, ", data");
        for (uint32_t i = 0; i < nd; i++) {
            g_string_append_printf(s, " 0x%" PRIx64,
                                   (uint64_t)run->internal.data[i]);
        }
    }
    return kvm_fatal_exit(cs, "%s", s->str);
}

static int kvm_system_event(CPUState *cs)
{
    struct kvm_run *run = kvm_vcpu(cs)->run;

    switch (run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        return VCPU_EXIT_KICKED;
    case KVM_SYSTEM_EVENT_RESET:
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        return VCPU_EXIT_KICKED;
    case KVM_SYSTEM_EVENT_CRASH:
        return kvm_fatal_exit(cs, "the guest crashed (system event)");
    default:
        return kvm_fatal_exit(cs, "unknown system event %u",
                              run->system_event.type);
    }
}

/*
 * Dispatch one exit. Returns -1 to keep running, or why vcpu_exec must
 * return.
 */
static int kvm_handle_exit(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    struct kvm_run *run = v->run;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_handle_io(v);
        v->io_pending = true;
        return -1;
    case KVM_EXIT_MMIO:
        kvm_handle_mmio(v);
        v->io_pending = true;
        return -1;
    case KVM_EXIT_INTR:
        kvm_eat_signals();
        return VCPU_EXIT_KICKED;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        return -1;
    case KVM_EXIT_HLT:
        /* Only without the in-kernel irqchip: wait in Ember. */
        kvm_arch_post_halt(cs);
        return VCPU_EXIT_HALTED;
    case KVM_EXIT_SHUTDOWN:
        /* A triple fault (SDM 3A, 6.15 "Double fault"): reset, or with
         * -no-reboot end Ember. */
        ember_log_mask(LOG_GUEST_ERROR, "kvm: CPU %d triple fault\n",
                       cs->cpu_index);
        system_reset_request(SHUTDOWN_CAUSE_TRIPLE_FAULT);
        return VCPU_EXIT_KICKED;
    case KVM_EXIT_SYSTEM_EVENT:
        return kvm_system_event(cs);
    case KVM_EXIT_DEBUG:
        return VCPU_EXIT_DEBUG;
    case KVM_EXIT_INTERNAL_ERROR:
        return kvm_internal_error(cs);
    case KVM_EXIT_FAIL_ENTRY:
        return kvm_fatal_exit(cs, "failed to enter the guest (hardware entry "
                              "failure reason 0x%" PRIx64 ")",
                              (uint64_t)run->fail_entry
                              .hardware_entry_failure_reason);
    case KVM_EXIT_UNKNOWN:
        return kvm_fatal_exit(cs, "unknown exit (hardware exit reason 0x%"
                              PRIx64 ")",
                              (uint64_t)run->hw.hardware_exit_reason);
    case KVM_EXIT_EXCEPTION:
        return kvm_fatal_exit(cs, "unhandled exception %u (error code "
                              "0x%x)", run->ex.exception, run->ex.error_code);
    default:
        return kvm_fatal_exit(cs, "unhandled exit reason %u",
                              run->exit_reason);
    }
}

static int kvm_vcpu_exec(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    int ret;

    if (!v || !v->run) {
        return VCPU_EXIT_FATAL;
    }
    for (;;) {
        int r, err;

        g_atomic_int_set(&cs->exit_request, 0);
        if (cs->vcpu_dirty || v->reset_pending) {
            bool reset = v->reset_pending;

            kvm_vcpu_complete_io(cs);
            r = kvm_arch_put_registers(cs, reset);
            if (r < 0) {
                return kvm_fatal_exit(cs, "cannot load the CPU state: %s",
                                      g_strerror(-r));
            }
            v->reset_pending = false;
            cs->vcpu_dirty = false;
        }
        if (cpu_should_stop(cs)) {
            return VCPU_EXIT_KICKED;
        }
        if (!kvm_arch_pre_run(cs)) {
            return VCPU_EXIT_HALTED;        /* HLT, or waiting for SIPI */
        }
        if (cs->vcpu_dirty) {
            continue;                       /* INIT/SIPI changed the state */
        }

        bql_unlock();
        r = ioctl(v->fd, KVM_RUN, 0);
        err = errno;
        bql_lock();
        v->io_pending = false;          /* KVM_RUN completed it */
        kvm_arch_post_run(cs);

        if (r < 0) {
            if (err == EINTR || err == EAGAIN) {
                /* Kicked (SIG_IPI): let the vCPU thread look at why. */
                kvm_eat_signals();
                return VCPU_EXIT_KICKED;
            }
            return kvm_fatal_exit(cs, "KVM_RUN failed: %s", g_strerror(err));
        }
        ret = kvm_handle_exit(cs);
        if (ret >= 0) {
            return ret;
        }
    }
}

static void kvm_supported_features(uint32_t *features)
{
    if (kvm_state) {
        kvm_arch_supported_features(kvm_state, features);
    }
}

static bool kvm_accel_irqchip_in_kernel(void)
{
    return kvm_irqchip_in_kernel();
}

static const AccelOps kvm_ops = {
    .name = "kvm",
    .available = kvm_available,
    .set_option = kvm_set_option,
    .init = kvm_init,
    .machine_done = kvm_machine_done,
    .vcpu_init = kvm_vcpu_init,
    .vcpu_exec = kvm_vcpu_exec,
    .vcpu_kick = kvm_vcpu_kick,
    .sync_to_state = kvm_sync_to_state,
    .sync_from_state = kvm_sync_from_state,
    .supported_features = kvm_supported_features,
    .irqchip_in_kernel = kvm_accel_irqchip_in_kernel,
};

static void __attribute__((constructor)) kvm_register(void)
{
    accel_register(&kvm_ops);
}
