/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM accelerator internals, shared by accel/kvm (VM, memslots, irqchip,
 * vCPU loop) and target/x86/kvm (x86 register, CPUID and MSR sync).
 *
 * The facts come from the KVM API documentation
 * (Documentation/virt/kvm/api.rst); section numbers below refer to it.
 */
#ifndef ACCEL_KVM_KVM_INT_H
#define ACCEL_KVM_KVM_INT_H

#include "ember/osdep.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/core/cpu.h"
#include "target/x86/cpu.h"
#include <linux/kvm.h>
#include <pthread.h>

/*
 * KVM_SET_IDENTITY_MAP_ADDR takes one page, KVM_SET_TSS_ADDR three
 * (api.rst 4.48 / 4.70): together 0xfeffc000..0xff000000, which the
 * machine marks reserved in e820. It lies in the PCI hole, below the
 * BIOS alias.
 */
#define KVM_IDENTITY_MAP_ADDR   0xfeffc000ULL
#define KVM_TSS_ADDR            0xfeffd000ULL
#define KVM_RESERVED_SIZE       0x4000ULL

/* ---- memslots (kvm-slots.c) ------------------------------------------ */

typedef struct KVMSlot {
    uint32_t id;
    uint32_t flags;             /* KVM_MEM_READONLY */
    hwaddr gpa;
    uint64_t size;
    void *hva;
} KVMSlot;

/*
 * Called to install (add) or remove (!add) one slot in the kernel
 * (KVM_SET_USER_MEMORY_REGION; a removal is memory_size 0). Returns 0 or
 * a negative errno.
 */
typedef int KVMSlotCommitFn(void *opaque, const KVMSlot *slot, bool add);

typedef struct KVMSlotTable {
    GArray *slots;              /* KVMSlot, sorted by gpa, never overlapping */
    uint32_t max_slots;
    GArray *free_ids;           /* uint32_t, ids released, reused first */
    uint32_t next_id;
    bool readonly_mem;          /* KVM_CAP_READONLY_MEM */
    uint64_t page_size;
    KVMSlotCommitFn *commit;
    void *opaque;
} KVMSlotTable;

void kvm_slots_init(KVMSlotTable *t, uint32_t max_slots, bool readonly_mem,
                    uint64_t page_size, KVMSlotCommitFn *commit,
                    void *opaque);
void kvm_slots_destroy(KVMSlotTable *t);
/*
 * A RAM range appeared in guest-physical space. The part that covers
 * whole host pages becomes a slot; the rest (and ranges whose guest and
 * host addresses disagree within a page) stay out of KVM and reach
 * Ember as MMIO exits, which the memory API serves from the same RAM.
 * Returns false (with errp) only if the kernel refused the slot.
 */
bool kvm_slots_add(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva,
                   bool readonly, GError **errp);
/* The same, with KVM_MEM_LOG_DIRTY_PAGES if log (and not read-only). */
bool kvm_slots_add_logged(KVMSlotTable *t, hwaddr gpa, uint64_t size,
                          void *hva, bool readonly, bool log, GError **errp);
/* The same range went away. */
void kvm_slots_del(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva,
                   bool readonly);
/* The slot made for exactly this range (as given to add), or NULL. */
const KVMSlot *kvm_slots_lookup(KVMSlotTable *t, hwaddr gpa, uint64_t size,
                                void *hva);
/* Dirty logging of that slot on or off (a flags-only update). */
void kvm_slots_set_log(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva,
                       bool log);
/* The slot covering gpa, or NULL. */
const KVMSlot *kvm_slots_find(KVMSlotTable *t, hwaddr gpa);
static inline unsigned kvm_slots_count(KVMSlotTable *t)
{
    return t->slots->len;
}

/* ---- the VM ------------------------------------------------------------ */

typedef struct KVMState {
    int fd;                     /* /dev/kvm */
    int vmfd;
    int run_size;               /* KVM_GET_VCPU_MMAP_SIZE */
    bool irqchip_in_kernel;
    bool pit_in_kernel;
    bool readonly_mem;
    bool signal_msi;
    bool immediate_exit;
    bool vcpu_events;
    bool debugregs;
    bool xsave;
    bool xcrs;
    bool internal_error_data;
    int xsave_size;             /* bytes of struct kvm_xsave to use */
    int max_vcpus;
    KVMSlotTable slots;
    MemoryListener listener;
    struct kvm_cpuid2 *supported_cpuid;     /* KVM_GET_SUPPORTED_CPUID */
    uint32_t *msr_index;        /* KVM_GET_MSR_INDEX_LIST */
    unsigned nr_msr_index;
    /* In-kernel irqchip state just after creation, restored on reset. */
    struct kvm_irqchip reset_chip[3];
    bool have_reset_chip;
    struct kvm_pit_state2 reset_pit;
    bool have_reset_pit;
    /* GSI routing table (kvm-irq.c). */
    struct kvm_irq_routing *routes;
    unsigned nr_routes, max_routes;
    GHashTable *msi_routes;     /* (addr,data) -> gsi, without SIGNAL_MSI */
    int next_msi_gsi;
} KVMState;

extern KVMState *kvm_state;

/* Per-vCPU state (CPUState.accel). */
typedef struct KVMVcpu {
    CPUState *cs;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_valid;
    bool reset_pending;         /* push the reset state (LAPIC, mp_state) */
    bool io_pending;            /* an I/O or MMIO exit awaits completion */
    bool wait_sipi;             /* user-space irqchip: waiting for SIPI */
    uint32_t *msrs;             /* the MSRs this vCPU syncs */
    unsigned nmsrs;
    void *xsave_buf;            /* last state read, kvm_state->xsave_size */
    bool xsave_valid;
    struct kvm_lapic_state *reset_lapic;
} KVMVcpu;

static inline KVMVcpu *kvm_vcpu(CPUState *cs)
{
    return cs->accel;
}

/* Does the host CPU advertise VMX or SVM? */
bool kvm_host_has_virt_ext(void);
/*
 * Whether -accel kvm was named explicitly: -1 (the default) reads the
 * command line; tests set 0 or 1.
 */
extern int kvm_explicit_override;

/* An ioctl that retries on EINTR/EAGAIN; returns the result or -errno. */
int kvm_ioctl(int fd, unsigned long req, void *arg);
int kvm_vm_ioctl(KVMState *s, unsigned long req, void *arg);
int kvm_vcpu_ioctl(CPUState *cs, unsigned long req, void *arg);
int kvm_check_extension(KVMState *s, int cap);

/* ---- irqchip (kvm-irq.c) ---------------------------------------------- */

/* KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2 and the PC's GSI routing. */
bool kvm_irqchip_create(KVMState *s, GError **errp);
/* Restore the irqchip and PIT state saved at creation (system reset). */
void kvm_irqchip_reset(KVMState *s);
/*
 * Build the PC's routing: GSI 0..15 to the i8259 pair (except 2, the
 * cascade) and GSI 0..23 to the I/O APIC, with ISA IRQ 0 on pin 2.
 * Fills routes (room for max entries) and returns the count.
 */
unsigned kvm_pc_gsi_routes(struct kvm_irq_routing_entry *routes,
                           unsigned max);

/* ---- x86 (target/x86/kvm/kvm.c) ---------------------------------------- */

bool kvm_arch_init(KVMState *s, MachineState *ms, GError **errp);
/* After the machine is built: e820 reservation check. */
void kvm_arch_machine_done(KVMState *s, MachineState *ms);
bool kvm_arch_init_vcpu(CPUState *cs, GError **errp);
/* The supported feature words, for -cpu host/max. */
void kvm_arch_supported_features(KVMState *s, uint32_t *features);
/* Push CPUX86State to KVM; reset also loads the reset-only state
 * (TSC, LAPIC, mp_state). Returns 0 or -errno. */
int kvm_arch_put_registers(CPUState *cs, bool reset);
/* Pull KVM's state into CPUX86State. */
int kvm_arch_get_registers(CPUState *cs);
/*
 * Before KVM_RUN with the BQL held: INIT/SIPI/NMI and (user-space
 * irqchip) interrupt injection. Returns false if the vCPU must not run
 * (halted, or waiting for SIPI): vcpu_exec then returns
 * VCPU_EXIT_HALTED and the thread waits for work.
 */
bool kvm_arch_pre_run(CPUState *cs);
/* After every KVM_RUN, with the BQL: the user-space APIC's TPR from
 * CR8, IF for x86_cpu_has_work. */
void kvm_arch_post_run(CPUState *cs);
/* After a HLT exit (user-space irqchip): the vCPU waits in Ember. */
void kvm_arch_post_halt(CPUState *cs);
/* System reset: note that the reset state (LAPIC, mp_state) is due. */
void kvm_arch_reset_vcpu(CPUState *cs);
/*
 * The paravirtual CPUID leaf 0x40000001 features a model gets when it
 * does not name them (kvmclock, no-PIO-delay, PV EOI, ...), masked by
 * what the kernel supports.
 */
uint32_t kvm_arch_default_kvm_features(KVMState *s);
/* The vCPU's CPUID table (room for KVM_MAX_CPUID_ENTRIES). */
#define KVM_MAX_CPUID_ENTRIES 128
void kvm_arch_build_cpuid(KVMState *s, CPUX86State *env,
                          struct kvm_cpuid2 *c);
/* Look up a leaf of KVM_GET_SUPPORTED_CPUID; false if absent. */
bool kvm_arch_supported_leaf(KVMState *s, uint32_t function, uint32_t index,
                             struct kvm_cpuid_entry2 *out);

#endif
