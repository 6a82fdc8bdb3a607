/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 under KVM, set-up and CPUID: the TSS and identity-map pages, what
 * the kernel supports (KVM_GET_SUPPORTED_CPUID, api.rst 4.46;
 * KVM_GET_MSR_INDEX_LIST, 4.3) and the CPUID table a vCPU gets
 * (KVM_SET_CPUID2, 4.20): the -cpu model plus KVM's paravirtual leaves.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "accel/kvm/kvm-int.h"
#include "hw/i386/e820.h"
#include "system/kvm.h"
#include "target/x86/cpu.h"
#include <cpuid.h>

/*
 * The paravirtual interface (Documentation/virt/kvm/x86/cpuid.rst and
 * msr.rst): leaf 0x40000000 names the hypervisor, 0x40000001 EAX lists
 * features; each feature that has an MSR needs it cleared on reset, or
 * the kernel goes on writing into the rebooted guest's memory.
 */
#define KVM_CPUID_SIGNATURE     0x40000000
#define KVM_CPUID_FEATURES      0x40000001
#define KVMF_CLOCKSOURCE        (1u << 0)
#define KVMF_NOP_IO_DELAY       (1u << 1)
#define KVMF_CLOCKSOURCE2       (1u << 3)
#define KVMF_ASYNC_PF           (1u << 4)
#define KVMF_STEAL_TIME         (1u << 5)
#define KVMF_PV_EOI             (1u << 6)
#define KVMF_PV_UNHALT          (1u << 7)
#define KVMF_PV_TLB_FLUSH       (1u << 9)
#define KVMF_ASYNC_PF_VMEXIT    (1u << 10)
#define KVMF_PV_SEND_IPI        (1u << 11)
#define KVMF_POLL_CONTROL       (1u << 12)
#define KVMF_PV_SCHED_YIELD     (1u << 13)
#define KVMF_ASYNC_PF_INT       (1u << 14)
#define KVMF_MSI_EXT_DEST_ID    (1u << 15)
#define KVMF_CLOCKSOURCE_STABLE (1u << 24)
/* Features that need the in-kernel local APIC. */
#define KVMF_NEED_LAPIC (KVMF_PV_EOI | KVMF_PV_UNHALT | KVMF_PV_SEND_IPI | \
                         KVMF_PV_TLB_FLUSH | KVMF_ASYNC_PF_INT | \
                         KVMF_ASYNC_PF | KVMF_ASYNC_PF_VMEXIT | \
                         KVMF_PV_SCHED_YIELD | KVMF_MSI_EXT_DEST_ID)
/* What Ember knows how to reset (see kvm_pv_reset_msrs). */
#define KVMF_HANDLED (KVMF_CLOCKSOURCE | KVMF_NOP_IO_DELAY | \
                      KVMF_CLOCKSOURCE2 | KVMF_ASYNC_PF | KVMF_STEAL_TIME | \
                      KVMF_PV_EOI | KVMF_PV_UNHALT | KVMF_PV_TLB_FLUSH | \
                      KVMF_ASYNC_PF_VMEXIT | KVMF_PV_SEND_IPI | \
                      KVMF_POLL_CONTROL | KVMF_PV_SCHED_YIELD | \
                      KVMF_ASYNC_PF_INT | KVMF_MSI_EXT_DEST_ID | \
                      KVMF_CLOCKSOURCE_STABLE)
/* A model that names none gets these (as QEMU's models do). */
#define KVMF_DEFAULT (KVMF_CLOCKSOURCE | KVMF_NOP_IO_DELAY | \
                      KVMF_CLOCKSOURCE2 | KVMF_STEAL_TIME | KVMF_PV_EOI | \
                      KVMF_CLOCKSOURCE_STABLE)

/* ---- start-up --------------------------------------------------------- */

static struct kvm_cpuid2 *get_supported_cpuid(int fd, GError **errp)
{
    for (int n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) +
                                         n * sizeof(c->entries[0]));
        int r;

        c->nent = n;
        r = kvm_ioctl(fd, KVM_GET_SUPPORTED_CPUID, c);
        if (r >= 0) {
            return c;
        }
        g_free(c);
        if (r != -E2BIG) {
            error_setg(errp, "KVM: KVM_GET_SUPPORTED_CPUID failed: %s",
                       g_strerror(-r));
            return NULL;
        }
    }
    error_setg(errp, "KVM: KVM_GET_SUPPORTED_CPUID: too many entries");
    return NULL;
}

static void get_msr_index_list(KVMState *s)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    struct kvm_msr_list *l;

    /* The first call fails with E2BIG and says how many there are. */
    if (kvm_ioctl(s->fd, KVM_GET_MSR_INDEX_LIST, &probe) != -E2BIG ||
        !probe.nmsrs) {
        return;
    }
    l = g_malloc0(sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
    l->nmsrs = probe.nmsrs;
    if (kvm_ioctl(s->fd, KVM_GET_MSR_INDEX_LIST, l) >= 0) {
        s->nr_msr_index = l->nmsrs;
        s->msr_index = g_memdup2(l->indices,
                                 l->nmsrs * sizeof(l->indices[0]));
    }
    g_free(l);
}

bool kvm_arch_init(KVMState *s, MachineState *ms, GError **errp)
{
    uint64_t idmap = KVM_IDENTITY_MAP_ADDR;
    int r;

    /*
     * Without unrestricted guest support, Intel VMX runs real mode
     * through vm86 and needs a TSS and an identity page table in guest
     * memory (api.rst 4.48, 4.70). They go in a reserved spot of the PCI
     * hole; harmless where unused (AMD, PVM).
     */
    if (kvm_check_extension(s, KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        r = kvm_vm_ioctl(s, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
        if (r < 0) {
            error_setg(errp, "KVM: KVM_SET_IDENTITY_MAP_ADDR failed: %s",
                       g_strerror(-r));
            return false;
        }
    }
    r = kvm_vm_ioctl(s, KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
    if (r < 0) {
        error_setg(errp, "KVM: KVM_SET_TSS_ADDR failed: %s", g_strerror(-r));
        return false;
    }
    e820_add_entry(KVM_IDENTITY_MAP_ADDR, KVM_RESERVED_SIZE, E820_RESERVED);

    s->supported_cpuid = get_supported_cpuid(s->fd, errp);
    if (!s->supported_cpuid) {
        return false;
    }
    get_msr_index_list(s);
    return true;
}

void kvm_arch_machine_done(KVMState *s, MachineState *ms)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);

    /* The machine may have started its map afresh after init(). */
    for (unsigned i = 0; i < n; i++) {
        if (t[i].type == E820_RESERVED && t[i].addr <= KVM_IDENTITY_MAP_ADDR &&
            t[i].addr + t[i].size >= KVM_IDENTITY_MAP_ADDR +
                                     KVM_RESERVED_SIZE) {
            return;
        }
    }
    e820_add_entry(KVM_IDENTITY_MAP_ADDR, KVM_RESERVED_SIZE, E820_RESERVED);
}

bool kvm_arch_supported_leaf(KVMState *s, uint32_t function, uint32_t index,
                             struct kvm_cpuid_entry2 *out)
{
    struct kvm_cpuid2 *c = s->supported_cpuid;

    for (unsigned i = 0; c && i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == function &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
             e->index == index)) {
            *out = *e;
            return true;
        }
    }
    memset(out, 0, sizeof(*out));
    return false;
}

uint32_t kvm_arch_default_kvm_features(KVMState *s)
{
    struct kvm_cpuid_entry2 e;
    uint32_t f;

    kvm_arch_supported_leaf(s, KVM_CPUID_FEATURES, 0, &e);
    f = e.eax & KVMF_DEFAULT;
    if (!s->irqchip_in_kernel) {
        f &= ~KVMF_NEED_LAPIC;
    }
    return f;
}

void kvm_arch_supported_features(KVMState *s, uint32_t *f)
{
    static const struct {
        FeatureWord w;
        uint32_t fn, idx;
        int reg;            /* 0 eax, 1 ebx, 2 ecx, 3 edx */
    } map[] = {
        { FEAT_1_EDX, 1, 0, 3 }, { FEAT_1_ECX, 1, 0, 2 },
        { FEAT_7_0_EBX, 7, 0, 1 }, { FEAT_7_0_ECX, 7, 0, 2 },
        { FEAT_7_0_EDX, 7, 0, 3 }, { FEAT_7_1_EAX, 7, 1, 0 },
        { FEAT_8000_0001_EDX, 0x80000001, 0, 3 },
        { FEAT_8000_0001_ECX, 0x80000001, 0, 2 },
        { FEAT_8000_0007_EDX, 0x80000007, 0, 3 },
        { FEAT_8000_0008_EBX, 0x80000008, 0, 1 },
        { FEAT_XSAVE, 0xd, 1, 0 }, { FEAT_6_EAX, 6, 0, 0 },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(map); i++) {
        struct kvm_cpuid_entry2 e;
        uint32_t regs[4];

        kvm_arch_supported_leaf(s, map[i].fn, map[i].idx, &e);
        regs[0] = e.eax;
        regs[1] = e.ebx;
        regs[2] = e.ecx;
        regs[3] = e.edx;
        f[map[i].w] = regs[map[i].reg];
    }
    /* All the paravirtual features Ember can reset (for -cpu max). */
    {
        struct kvm_cpuid_entry2 e;
        kvm_arch_supported_leaf(s, KVM_CPUID_FEATURES, 0, &e);
        f[FEAT_KVM] = e.eax & KVMF_HANDLED;
        if (!s->irqchip_in_kernel) {
            f[FEAT_KVM] &= ~KVMF_NEED_LAPIC;
        }
    }
    /* Every guest is told it runs on a hypervisor (leaf 1 ECX bit 31). */
    f[FEAT_1_ECX] |= CPUID_EXT_HYPERVISOR;
    /* OSXSAVE follows CR4 at run time; never a static feature. */
    f[FEAT_1_ECX] &= ~CPUID_EXT_OSXSAVE;
    /*
     * x2APIC and the TSC-deadline timer are the in-kernel local APIC's;
     * a user-space APIC over KVM sees neither MSR (api.rst 4.46 notes).
     */
    if (!s->irqchip_in_kernel) {
        f[FEAT_1_ECX] &= ~(CPUID_EXT_X2APIC | CPUID_EXT_TSC_DEADLINE_TIMER);
    } else if (kvm_check_extension(s, KVM_CAP_TSC_DEADLINE_TIMER) > 0) {
        f[FEAT_1_ECX] |= CPUID_EXT_TSC_DEADLINE_TIMER;
    }
    /* Nested virtualization is not offered. */
    f[FEAT_1_ECX] &= ~(1u << 5);
    f[FEAT_8000_0001_ECX] &= ~CPUID_EXT3_SVM;
}

/* ---- CPUID ------------------------------------------------------------ */

static struct kvm_cpuid_entry2 *cpuid_add(struct kvm_cpuid2 *c, uint32_t fn,
                                          uint32_t idx, uint32_t flags)
{
    struct kvm_cpuid_entry2 *e;

    if (c->nent >= KVM_MAX_CPUID_ENTRIES) {
        return NULL;
    }
    e = &c->entries[c->nent++];
    memset(e, 0, sizeof(*e));
    e->function = fn;
    e->index = idx;
    e->flags = flags;
    return e;
}

static void cpuid_fill(struct kvm_cpuid2 *c, CPUX86State *env, uint32_t fn,
                       uint32_t idx, bool indexed)
{
    struct kvm_cpuid_entry2 *e =
        cpuid_add(c, fn, idx, indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0);

    if (e) {
        x86_cpu_get_cpuid(env, fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
    }
}

/* The guest's CPUID: the -cpu model (already cut down to what KVM
 * supports by x86_cpu_apply_model) plus KVM's paravirtual leaves. */
/*
 * "-cpu host" is the host's processor: its vendor, family/model/stepping
 * (leaf 0 and leaf 1 EAX as KVM reports them) and brand string, with the
 * features KVM supports (already set from supported_features()).
 */
static void host_identity(KVMState *s, CPUX86State *env)
{
    const X86CPUModel *host = x86_cpu_model_find("host");
    struct kvm_cpuid_entry2 e;
    unsigned regs[12];

    if (!host || strcmp(env->cpuid_model, host->model_id)) {
        return;
    }
    if (kvm_arch_supported_leaf(s, 0, 0, &e)) {
        env->cpuid_vendor[0] = e.ebx;
        env->cpuid_vendor[1] = e.edx;
        env->cpuid_vendor[2] = e.ecx;
    }
    if (kvm_arch_supported_leaf(s, 1, 0, &e)) {
        env->cpuid_version = e.eax;
    }
    if (__get_cpuid(0x80000000, &regs[0], &regs[1], &regs[2], &regs[3]) &&
        regs[0] >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++) {
            __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1],
                        &regs[4 * i + 2], &regs[4 * i + 3]);
        }
        memcpy(env->cpuid_model, regs, 48);
        env->cpuid_model[47] = 0;
    }
}

void kvm_arch_build_cpuid(KVMState *s, CPUX86State *env,
                          struct kvm_cpuid2 *c)
{
    uint32_t a, b, cx, d;

    host_identity(s, env);
    c->nent = 0;
    for (uint32_t fn = 0; fn <= env->cpuid_level; fn++) {
        switch (fn) {
        case 4:
            /* Cache levels until the null type, which is included. */
            for (uint32_t i = 0; i < 16; i++) {
                cpuid_fill(c, env, fn, i, true);
                x86_cpu_get_cpuid(env, fn, i, &a, &b, &cx, &d);
                if (!(a & 0x1f)) {
                    break;
                }
            }
            break;
        case 7:
            x86_cpu_get_cpuid(env, 7, 0, &a, &b, &cx, &d);
            for (uint32_t i = 0; i <= MIN(a, 8u); i++) {
                cpuid_fill(c, env, fn, i, true);
            }
            break;
        case 0xb:
            /* Topology levels until the invalid type (ECX[15:8] = 0). */
            for (uint32_t i = 0; i < 8; i++) {
                cpuid_fill(c, env, fn, i, true);
                x86_cpu_get_cpuid(env, fn, i, &a, &b, &cx, &d);
                if (!((cx >> 8) & 0xff)) {
                    break;
                }
            }
            break;
        case 0xd: {
            uint64_t mask;
            x86_cpu_get_cpuid(env, 0xd, 0, &a, &b, &cx, &d);
            mask = ((uint64_t)d << 32) | a;
            for (uint32_t i = 0; i < 64; i++) {
                if (i < 2 || (mask & (1ULL << i))) {
                    cpuid_fill(c, env, fn, i, true);
                }
            }
            break;
        }
        default:
            cpuid_fill(c, env, fn, 0, false);
            break;
        }
    }

    /* KVM's signature leaf, "KVMKVMKVM\0\0\0" (cpuid.rst). */
    {
        struct kvm_cpuid_entry2 *e = cpuid_add(c, KVM_CPUID_SIGNATURE, 0, 0);
        if (e) {
            e->eax = KVM_CPUID_FEATURES;
            memcpy(&e->ebx, "KVMK", 4);
            memcpy(&e->ecx, "VMKV", 4);
            memcpy(&e->edx, "M\0\0\0", 4);
        }
        e = cpuid_add(c, KVM_CPUID_FEATURES, 0, 0);
        if (e) {
            if (!env->features[FEAT_KVM]) {
                env->features[FEAT_KVM] = kvm_arch_default_kvm_features(s);
            }
            e->eax = env->features[FEAT_KVM];
        }
    }

    for (uint32_t fn = 0x80000000; fn <= env->cpuid_xlevel &&
         fn < 0x80000000 + 0x40; fn++) {
        cpuid_fill(c, env, fn, 0, false);
    }
}

