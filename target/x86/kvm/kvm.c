/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 under KVM: MSRs and the register state moved between
 * CPUX86State and the kernel (api.rst 4.11-4.14 KVM_GET/SET_REGS and
 * SREGS, 4.18-4.19 MSRS, 4.20 KVM_SET_CPUID2, 4.22-4.23 FPU, 4.31-4.32
 * VCPU_EVENTS, 4.37-4.38 MP_STATE, 4.42-4.45 XSAVE/XCRS, 4.57 LAPIC),
 * and interrupt injection when the interrupt controllers live in Ember
 * (kernel-irqchip=off: KVM_INTERRUPT, KVM_NMI, api.rst 4.16, 4.68).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "accel/kvm/kvm-int.h"
#include "hw/i386/apic.h"
#include "hw/i386/x86.h"
#include "system/accel.h"
#include "system/kvm.h"
#include "target/x86/cpu.h"

/* The paravirtual MSRs (Documentation/virt/kvm/x86/msr.rst). */
#define MSR_KVM_WALL_CLOCK      0x11
#define MSR_KVM_SYSTEM_TIME     0x12
#define MSR_KVM_ASYNC_PF_EN     0x4b564d02
#define MSR_KVM_STEAL_TIME      0x4b564d03
#define MSR_KVM_PV_EOI_EN       0x4b564d04
#define MSR_KVM_POLL_CONTROL    0x4b564d05
#define MSR_KVM_ASYNC_PF_INT    0x4b564d06

/* ---- MSRs ------------------------------------------------------------- */

typedef enum {
    MSR_SYNC,           /* every put and get */
    MSR_RESET,          /* written on reset only (TSC), read on get */
    MSR_PV_RESET,       /* paravirt: written on reset only, not in env */
    MSR_AFTER_LAPIC,    /* written after the LAPIC (TSC deadline) */
} MSRWhen;

static bool env_msr_get(CPUX86State *env, uint32_t idx, uint64_t *v)
{
    switch (idx) {
    case MSR_IA32_SYSENTER_CS: *v = env->sysenter_cs; return true;
    case MSR_IA32_SYSENTER_ESP: *v = env->sysenter_esp; return true;
    case MSR_IA32_SYSENTER_EIP: *v = env->sysenter_eip; return true;
    case MSR_STAR: *v = env->star; return true;
    case MSR_LSTAR: *v = env->lstar; return true;
    case MSR_CSTAR: *v = env->cstar; return true;
    case MSR_FMASK: *v = env->fmask; return true;
    case MSR_KERNELGSBASE: *v = env->kernelgsbase; return true;
    case MSR_IA32_TSC: *v = env->tsc; return true;
    case MSR_TSC_AUX: *v = env->tsc_aux; return true;
    case MSR_TSC_ADJUST: *v = env->tsc_adjust; return true;
    case MSR_IA32_TSC_DEADLINE: *v = env->tsc_deadline; return true;
    case MSR_PAT: *v = env->pat; return true;
    case MSR_IA32_MISC_ENABLE: *v = env->misc_enable; return true;
    case MSR_IA32_SPEC_CTRL: *v = env->spec_ctrl; return true;
    case MSR_MCG_STATUS: *v = env->mcg_status; return true;
    case MSR_MTRRdefType: *v = env->mtrr_deftype; return true;
    case MSR_MTRRfix64K_00000: *v = env->mtrr_fixed[0]; return true;
    case MSR_MTRRfix16K_80000: *v = env->mtrr_fixed[1]; return true;
    case MSR_MTRRfix16K_A0000: *v = env->mtrr_fixed[2]; return true;
    case MSR_KVM_SYSTEM_TIME_NEW: *v = env->system_time_msr; return true;
    case MSR_KVM_WALL_CLOCK_NEW: *v = env->wall_clock_msr; return true;
    default:
        break;
    }
    if (idx >= MSR_MTRRfix4K_C0000 && idx <= MSR_MTRRfix4K_F8000) {
        *v = env->mtrr_fixed[3 + idx - MSR_MTRRfix4K_C0000];
        return true;
    }
    if (idx >= MSR_MTRRphysBase(0) &&
        idx <= MSR_MTRRphysMask(MSR_MTRR_VAR_COUNT - 1)) {
        unsigned n = (idx - MSR_MTRRphysBase(0)) / 2;
        *v = (idx & 1) ? env->mtrr_var[n].mask : env->mtrr_var[n].base;
        return true;
    }
    return false;
}

static void env_msr_set(CPUX86State *env, uint32_t idx, uint64_t v)
{
    switch (idx) {
    case MSR_IA32_SYSENTER_CS: env->sysenter_cs = v; return;
    case MSR_IA32_SYSENTER_ESP: env->sysenter_esp = v; return;
    case MSR_IA32_SYSENTER_EIP: env->sysenter_eip = v; return;
    case MSR_STAR: env->star = v; return;
    case MSR_LSTAR: env->lstar = v; return;
    case MSR_CSTAR: env->cstar = v; return;
    case MSR_FMASK: env->fmask = v; return;
    case MSR_KERNELGSBASE: env->kernelgsbase = v; return;
    case MSR_IA32_TSC: env->tsc = v; env->tsc_valid = true; return;
    case MSR_TSC_AUX: env->tsc_aux = v; return;
    case MSR_TSC_ADJUST: env->tsc_adjust = v; return;
    case MSR_IA32_TSC_DEADLINE: env->tsc_deadline = v; return;
    case MSR_PAT: env->pat = v; return;
    case MSR_IA32_MISC_ENABLE: env->misc_enable = v; return;
    case MSR_IA32_SPEC_CTRL: env->spec_ctrl = v; return;
    case MSR_MCG_STATUS: env->mcg_status = v; return;
    case MSR_MTRRdefType: env->mtrr_deftype = v; return;
    case MSR_MTRRfix64K_00000: env->mtrr_fixed[0] = v; return;
    case MSR_MTRRfix16K_80000: env->mtrr_fixed[1] = v; return;
    case MSR_MTRRfix16K_A0000: env->mtrr_fixed[2] = v; return;
    case MSR_KVM_SYSTEM_TIME_NEW: env->system_time_msr = v; return;
    case MSR_KVM_WALL_CLOCK_NEW: env->wall_clock_msr = v; return;
    default:
        break;
    }
    if (idx >= MSR_MTRRfix4K_C0000 && idx <= MSR_MTRRfix4K_F8000) {
        env->mtrr_fixed[3 + idx - MSR_MTRRfix4K_C0000] = v;
    } else if (idx >= MSR_MTRRphysBase(0) &&
               idx <= MSR_MTRRphysMask(MSR_MTRR_VAR_COUNT - 1)) {
        unsigned n = (idx - MSR_MTRRphysBase(0)) / 2;
        if (idx & 1) {
            env->mtrr_var[n].mask = v;
        } else {
            env->mtrr_var[n].base = v;
        }
    }
}

static MSRWhen msr_when(uint32_t idx)
{
    switch (idx) {
    case MSR_IA32_TSC:
        return MSR_RESET;
    case MSR_IA32_TSC_DEADLINE:
        return MSR_AFTER_LAPIC;
    case MSR_KVM_WALL_CLOCK:
    case MSR_KVM_SYSTEM_TIME:
    case MSR_KVM_ASYNC_PF_EN:
    case MSR_KVM_STEAL_TIME:
    case MSR_KVM_PV_EOI_EN:
    case MSR_KVM_POLL_CONTROL:
    case MSR_KVM_ASYNC_PF_INT:
        return MSR_PV_RESET;
    default:
        return MSR_SYNC;
    }
}

/* The MSRs worth syncing for this CPU model. */
static GArray *msr_candidates(CPUX86State *env)
{
    static const uint32_t base[] = {
        MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
        MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KERNELGSBASE,
        MSR_IA32_TSC, MSR_TSC_ADJUST, MSR_PAT, MSR_IA32_MISC_ENABLE,
        MSR_IA32_SPEC_CTRL, MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW,
        MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME, MSR_KVM_ASYNC_PF_EN,
        MSR_KVM_STEAL_TIME, MSR_KVM_PV_EOI_EN, MSR_KVM_POLL_CONTROL,
        MSR_KVM_ASYNC_PF_INT,
    };
    GArray *a = g_array_new(FALSE, FALSE, sizeof(uint32_t));

    g_array_append_vals(a, base, ARRAY_SIZE(base));
    if (env->features[FEAT_8000_0001_EDX] & CPUID_EXT2_RDTSCP ||
        env->features[FEAT_7_0_ECX] & CPUID_7_0_ECX_RDPID) {
        uint32_t i = MSR_TSC_AUX;
        g_array_append_val(a, i);
    }
    if (env->features[FEAT_1_ECX] & CPUID_EXT_TSC_DEADLINE_TIMER) {
        uint32_t i = MSR_IA32_TSC_DEADLINE;
        g_array_append_val(a, i);
    }
    if (env->features[FEAT_1_EDX] & CPUID_MTRR) {
        static const uint32_t mtrr[] = {
            MSR_MTRRdefType, MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000,
            MSR_MTRRfix16K_A0000,
        };
        g_array_append_vals(a, mtrr, ARRAY_SIZE(mtrr));
        for (uint32_t i = MSR_MTRRfix4K_C0000; i <= MSR_MTRRfix4K_F8000;
             i++) {
            g_array_append_val(a, i);
        }
        for (uint32_t i = 0; i < MSR_MTRR_VAR_COUNT; i++) {
            uint32_t b = MSR_MTRRphysBase(i), m = MSR_MTRRphysMask(i);
            g_array_append_val(a, b);
            g_array_append_val(a, m);
        }
    }
    if (env->features[FEAT_1_EDX] & CPUID_MCA) {
        uint32_t i = MSR_MCG_STATUS;
        g_array_append_val(a, i);
    }
    return a;
}

typedef struct MSRBuf {
    struct kvm_msrs hdr;
    struct kvm_msr_entry e[128];
} MSRBuf;

static bool in_index_list(KVMState *s, uint32_t idx)
{
    for (unsigned i = 0; i < s->nr_msr_index; i++) {
        if (s->msr_index[i] == idx) {
            return true;
        }
    }
    return false;
}

/*
 * The candidates this kernel saves and restores: those in
 * KVM_GET_MSR_INDEX_LIST, and those it reads back although the list
 * leaves them out (the MTRRs, for one). api.rst 4.18: the count returned
 * is the number of MSRs read successfully.
 */
static void probe_msrs(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    g_autoptr(GArray) cand = msr_candidates(cpu_env(cs));
    GArray *ok = g_array_new(FALSE, FALSE, sizeof(uint32_t));

    for (unsigned i = 0; i < cand->len; i++) {
        struct {
            struct kvm_msrs hdr;
            struct kvm_msr_entry e;
        } one = { .hdr.nmsrs = 1 };
        one.e.index = g_array_index(cand, uint32_t, i);
        if (in_index_list(kvm_state, one.e.index) ||
            kvm_vcpu_ioctl(cs, KVM_GET_MSRS, &one) == 1) {
            g_array_append_val(ok, one.e.index);
        } else {
            ember_log_mask(LOG_ACCEL, "kvm: MSR 0x%x not available\n",
                           one.e.index);
        }
    }
    v->nmsrs = ok->len;
    v->msrs = (uint32_t *)g_array_free(ok, FALSE);
}

/* Drop an MSR the kernel refused to write, so later puts go through. */
static void drop_msr(KVMVcpu *v, uint32_t idx)
{
    for (unsigned i = 0; i < v->nmsrs; i++) {
        if (v->msrs[i] == idx) {
            ember_log_mask(LOG_ACCEL, "kvm: CPU %d: MSR 0x%x not writable; "
                           "not synced\n", v->cs->cpu_index, idx);
            memmove(&v->msrs[i], &v->msrs[i + 1],
                    (v->nmsrs - i - 1) * sizeof(v->msrs[0]));
            v->nmsrs--;
            return;
        }
    }
}

/* KVM_SET_MSRS stops at the first MSR it refuses; skip it and go on. */
static int set_msrs(CPUState *cs, MSRBuf *b)
{
    KVMVcpu *v = kvm_vcpu(cs);
    unsigned done = 0;

    while (done < b->hdr.nmsrs) {
        MSRBuf part;
        int r;

        part.hdr.nmsrs = b->hdr.nmsrs - done;
        part.hdr.pad = 0;
        memcpy(part.e, &b->e[done], part.hdr.nmsrs * sizeof(part.e[0]));
        r = kvm_vcpu_ioctl(cs, KVM_SET_MSRS, &part);
        if (r < 0) {
            return r;
        }
        done += r;
        if (done < b->hdr.nmsrs) {
            drop_msr(v, b->e[done].index);
            done++;
        }
    }
    return 0;
}

static int put_msrs(CPUState *cs, bool reset, bool after_lapic)
{
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);
    MSRBuf b;

    b.hdr.nmsrs = 0;
    b.hdr.pad = 0;
    for (unsigned i = 0; i < v->nmsrs && b.hdr.nmsrs < ARRAY_SIZE(b.e); i++) {
        uint32_t idx = v->msrs[i];
        MSRWhen w = msr_when(idx);
        uint64_t val = 0;

        if ((w == MSR_AFTER_LAPIC) != after_lapic) {
            continue;
        }
        if ((w == MSR_RESET || w == MSR_PV_RESET) && !reset) {
            continue;
        }
        if (w == MSR_PV_RESET) {
            /* Paravirt areas off; poll control's reset value is 1
             * (msr.rst, MSR_KVM_POLL_CONTROL). */
            val = idx == MSR_KVM_POLL_CONTROL;
        } else if (!env_msr_get(env, idx, &val)) {
            continue;
        }
        if (idx == MSR_IA32_TSC && val == 0) {
            /*
             * The kernel takes a host write of 0 to IA32_TSC as "match the
             * other vCPUs" and keeps the running count (x86.c,
             * kvm_synchronize_tsc); 1 does restart it, and the vCPUs that
             * write it within a second stay in step with each other.
             */
            val = 1;
        }
        b.e[b.hdr.nmsrs].index = idx;
        b.e[b.hdr.nmsrs].reserved = 0;
        b.e[b.hdr.nmsrs].data = val;
        b.hdr.nmsrs++;
    }
    return b.hdr.nmsrs ? set_msrs(cs, &b) : 0;
}

static int get_msrs(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);
    MSRBuf b;
    int r;

    b.hdr.nmsrs = 0;
    b.hdr.pad = 0;
    for (unsigned i = 0; i < v->nmsrs && b.hdr.nmsrs < ARRAY_SIZE(b.e); i++) {
        if (msr_when(v->msrs[i]) == MSR_PV_RESET) {
            continue;
        }
        b.e[b.hdr.nmsrs].index = v->msrs[i];
        b.e[b.hdr.nmsrs].reserved = 0;
        b.e[b.hdr.nmsrs].data = 0;
        b.hdr.nmsrs++;
    }
    if (!b.hdr.nmsrs) {
        return 0;
    }
    r = kvm_vcpu_ioctl(cs, KVM_GET_MSRS, &b);
    if (r < 0) {
        return r;
    }
    for (int i = 0; i < r && i < (int)b.hdr.nmsrs; i++) {
        env_msr_set(env, b.e[i].index, b.e[i].data);
    }
    return 0;
}

/* ---- vCPU set-up ------------------------------------------------------- */

bool kvm_arch_init_vcpu(CPUState *cs, GError **errp)
{
    KVMState *s = kvm_state;
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);
    g_autofree struct kvm_cpuid2 *c =
        g_malloc0(sizeof(*c) + KVM_MAX_CPUID_ENTRIES * sizeof(c->entries[0]));
    int r;

    kvm_arch_build_cpuid(s, env, c);
    r = kvm_vcpu_ioctl(cs, KVM_SET_CPUID2, c);
    if (r < 0) {
        error_setg(errp, "KVM: KVM_SET_CPUID2 for CPU %d failed: %s",
                   cs->cpu_index, g_strerror(-r));
        return false;
    }
    probe_msrs(cs);
    v->xsave_buf = g_malloc0(s->xsave_size);
    if (s->irqchip_in_kernel) {
        /* The kernel's LAPIC is in its reset state now: keep a copy to
         * load on every system reset (SDM 3A, 10.4.7.1). */
        v->reset_lapic = g_new0(struct kvm_lapic_state, 1);
        r = kvm_vcpu_ioctl(cs, KVM_GET_LAPIC, v->reset_lapic);
        if (r < 0) {
            g_clear_pointer(&v->reset_lapic, g_free);
        }
    }
    return true;
}

/* ---- segments and registers --------------------------------------------- */

static void seg_to_kvm(struct kvm_segment *k, const SegmentCache *c)
{
    memset(k, 0, sizeof(*k));
    k->base = c->base;
    k->limit = c->limit;
    k->selector = c->selector;
    k->type = (c->flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;
    k->present = !!(c->flags & DESC_P_MASK);
    k->dpl = (c->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    k->db = !!(c->flags & DESC_B_MASK);
    k->s = !!(c->flags & DESC_S_MASK);
    k->l = !!(c->flags & DESC_L_MASK);
    k->g = !!(c->flags & DESC_G_MASK);
    k->avl = !!(c->flags & DESC_AVL_MASK);
    k->unusable = !k->present;
}

/* Virtual-8086 segments are always 64 KiB, writable, DPL 3 (SDM 3A,
 * 20.2). */
static void seg_to_kvm_vm86(struct kvm_segment *k, const SegmentCache *c)
{
    memset(k, 0, sizeof(*k));
    k->base = c->base;
    k->limit = c->limit;
    k->selector = c->selector;
    k->type = 3;
    k->present = 1;
    k->dpl = 3;
    k->s = 1;
}

static void seg_from_kvm(SegmentCache *c, const struct kvm_segment *k)
{
    c->base = k->base;
    c->limit = k->limit;
    c->selector = k->selector;
    c->flags = (k->type << DESC_TYPE_SHIFT) |
               (k->present && !k->unusable ? DESC_P_MASK : 0) |
               (k->dpl << DESC_DPL_SHIFT) |
               (k->db ? DESC_B_MASK : 0) | (k->s ? DESC_S_MASK : 0) |
               (k->l ? DESC_L_MASK : 0) | (k->g ? DESC_G_MASK : 0) |
               (k->avl ? DESC_AVL_MASK : 0);
}

static int put_sregs(CPUState *cs, bool reset)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_sregs sr;
    struct kvm_segment *segs[6];

    memset(&sr, 0, sizeof(sr));
    segs[R_ES] = &sr.es;
    segs[R_CS] = &sr.cs;
    segs[R_SS] = &sr.ss;
    segs[R_DS] = &sr.ds;
    segs[R_FS] = &sr.fs;
    segs[R_GS] = &sr.gs;
    for (int i = 0; i < 6; i++) {
        if (env->eflags & VM_MASK) {
            seg_to_kvm_vm86(segs[i], &env->segs[i]);
        } else {
            seg_to_kvm(segs[i], &env->segs[i]);
        }
    }
    seg_to_kvm(&sr.tr, &env->tr);
    seg_to_kvm(&sr.ldt, &env->ldt);
    sr.gdt.base = env->gdt.base;
    sr.gdt.limit = env->gdt.limit;
    sr.idt.base = env->idt.base;
    sr.idt.limit = env->idt.limit;
    sr.cr0 = env->cr[0];
    sr.cr2 = env->cr[2];
    sr.cr3 = env->cr[3];
    sr.cr4 = env->cr[4];
    /* CR8 is the in-kernel LAPIC's TPR: zero after reset, else as read. */
    sr.cr8 = reset ? 0 : kvm_vcpu(cs)->run->cr8;
    sr.efer = env->efer;
    sr.apic_base = env->apic_base;
    /* Pending interrupts travel in KVM_SET_VCPU_EVENTS, not here. */
    if (!kvm_state->vcpu_events && env->interrupt_injected >= 0) {
        int v = env->interrupt_injected & 0xff;
        sr.interrupt_bitmap[v / 64] |= 1ULL << (v % 64);
    }
    return kvm_vcpu_ioctl(cs, KVM_SET_SREGS, &sr);
}

static int get_sregs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_sregs sr;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_SREGS, &sr);

    if (r < 0) {
        return r;
    }
    seg_from_kvm(&env->segs[R_ES], &sr.es);
    seg_from_kvm(&env->segs[R_CS], &sr.cs);
    seg_from_kvm(&env->segs[R_SS], &sr.ss);
    seg_from_kvm(&env->segs[R_DS], &sr.ds);
    seg_from_kvm(&env->segs[R_FS], &sr.fs);
    seg_from_kvm(&env->segs[R_GS], &sr.gs);
    seg_from_kvm(&env->tr, &sr.tr);
    seg_from_kvm(&env->ldt, &sr.ldt);
    env->gdt.base = sr.gdt.base;
    env->gdt.limit = sr.gdt.limit;
    env->idt.base = sr.idt.base;
    env->idt.limit = sr.idt.limit;
    env->cr[0] = sr.cr0;
    env->cr[2] = sr.cr2;
    env->cr[3] = sr.cr3;
    env->cr[4] = sr.cr4;
    env->efer = sr.efer;
    env->apic_base = sr.apic_base;
    if (!kvm_state->vcpu_events) {
        env->interrupt_injected = -1;
        for (int i = 0; i < 256; i++) {
            if (sr.interrupt_bitmap[i / 64] & (1ULL << (i % 64))) {
                env->interrupt_injected = i;
                break;
            }
        }
    }
    return 0;
}

static int put_regs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_regs r = {
        .rax = env->regs[R_EAX], .rbx = env->regs[R_EBX],
        .rcx = env->regs[R_ECX], .rdx = env->regs[R_EDX],
        .rsi = env->regs[R_ESI], .rdi = env->regs[R_EDI],
        .rsp = env->regs[R_ESP], .rbp = env->regs[R_EBP],
        .r8 = env->regs[R_R8], .r9 = env->regs[R_R9],
        .r10 = env->regs[R_R10], .r11 = env->regs[R_R11],
        .r12 = env->regs[R_R12], .r13 = env->regs[R_R13],
        .r14 = env->regs[R_R14], .r15 = env->regs[R_R15],
        .rip = env->rip,
        .rflags = cpu_compute_eflags(env),
    };

    return kvm_vcpu_ioctl(cs, KVM_SET_REGS, &r);
}

static int get_regs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_regs r;
    int ret = kvm_vcpu_ioctl(cs, KVM_GET_REGS, &r);

    if (ret < 0) {
        return ret;
    }
    env->regs[R_EAX] = r.rax;
    env->regs[R_EBX] = r.rbx;
    env->regs[R_ECX] = r.rcx;
    env->regs[R_EDX] = r.rdx;
    env->regs[R_ESI] = r.rsi;
    env->regs[R_EDI] = r.rdi;
    env->regs[R_ESP] = r.rsp;
    env->regs[R_EBP] = r.rbp;
    env->regs[R_R8] = r.r8;
    env->regs[R_R9] = r.r9;
    env->regs[R_R10] = r.r10;
    env->regs[R_R11] = r.r11;
    env->regs[R_R12] = r.r12;
    env->regs[R_R13] = r.r13;
    env->regs[R_R14] = r.r14;
    env->regs[R_R15] = r.r15;
    env->rip = r.rip;
    cpu_load_eflags(env, r.rflags, ~0ULL);
    return 0;
}

/* ---- x87 / SSE / AVX ---------------------------------------------------- */

/*
 * The legacy region of the XSAVE area is the FXSAVE image (SDM 1,
 * 10.5.1, table 10-2): FCW 0, FSW 2, abridged FTW 4 (bit i = physical
 * register i valid), FOP 6, FIP 8, FDP 16 (64-bit format), MXCSR 24,
 * ST(i) at 32 + 16 i, XMM i at 160 + 16 i. XSTATE_BV is at 512 and the
 * upper halves of the YMM registers at 576 (CPUID 0xd.2, standard form).
 */
#define XSAVE_XSTATE_BV 512
#define XSAVE_YMMH      576

static void fx_from_env(uint8_t *fx, CPUX86State *env)
{
    uint16_t fsw = (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
    uint8_t ftw = 0;

    for (int i = 0; i < 8; i++) {
        ftw |= (!env->fptags[i]) << i;
    }
    stw_le_p(fx + 0, env->fpuc);
    stw_le_p(fx + 2, fsw);
    fx[4] = ftw;
    fx[5] = 0;
    stw_le_p(fx + 6, env->fpop);
    stq_le_p(fx + 8, env->fpip);
    stq_le_p(fx + 16, env->fpdp);
    stl_le_p(fx + 24, env->mxcsr);
    for (int i = 0; i < 8; i++) {
        X87Reg *st = &env->fpregs[(env->fpstt + i) & 7];
        memset(fx + 32 + 16 * i, 0, 16);
        stq_le_p(fx + 32 + 16 * i, st->mant);
        stw_le_p(fx + 40 + 16 * i, st->exp);
    }
    for (int i = 0; i < CPU_NB_REGS; i++) {
        memcpy(fx + 160 + 16 * i, env->xmm[i].b, 16);
    }
}

static void fx_to_env(CPUX86State *env, const uint8_t *fx)
{
    uint16_t fsw = lduw_le_p(fx + 2);

    env->fpuc = lduw_le_p(fx + 0);
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800;
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = !((fx[4] >> i) & 1);
    }
    env->fpop = lduw_le_p(fx + 6);
    env->fpip = ldq_le_p(fx + 8);
    env->fpdp = ldq_le_p(fx + 16);
    env->mxcsr = ldl_le_p(fx + 24);
    for (int i = 0; i < 8; i++) {
        X87Reg *st = &env->fpregs[(env->fpstt + i) & 7];
        st->mant = ldq_le_p(fx + 32 + 16 * i);
        st->exp = lduw_le_p(fx + 40 + 16 * i);
    }
    for (int i = 0; i < CPU_NB_REGS; i++) {
        memcpy(env->xmm[i].b, fx + 160 + 16 * i, 16);
    }
}

static int put_fpu(CPUState *cs, bool reset)
{
    KVMState *s = kvm_state;
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);

    if (s->xsave) {
        uint8_t *x = v->xsave_buf;
        uint64_t bv;

        /*
         * Start from what the kernel last gave us so that state Ember
         * does not model (AVX-512, ...) survives; a reset starts from
         * the init state (all zero, XSTATE_BV 0).
         */
        if (reset || !v->xsave_valid) {
            memset(x, 0, s->xsave_size);
        }
        fx_from_env(x, env);
        bv = ldq_le_p(x + XSAVE_XSTATE_BV) | XSTATE_FP | XSTATE_SSE;
        if (env->xcr0 & XSTATE_YMM) {
            for (int i = 0; i < CPU_NB_REGS; i++) {
                memcpy(x + XSAVE_YMMH + 16 * i, env->xmm[i].b + 16, 16);
            }
            bv |= XSTATE_YMM;
        }
        stq_le_p(x + XSAVE_XSTATE_BV, bv);
        return kvm_vcpu_ioctl(cs, KVM_SET_XSAVE, x);
    } else {
        struct kvm_fpu f;
        uint8_t fx[512];

        memset(&f, 0, sizeof(f));
        fx_from_env(fx, env);
        f.fcw = env->fpuc;
        f.fsw = lduw_le_p(fx + 2);
        f.ftwx = fx[4];
        f.last_opcode = env->fpop;
        f.last_ip = env->fpip;
        f.last_dp = env->fpdp;
        f.mxcsr = env->mxcsr;
        memcpy(f.fpr, fx + 32, sizeof(f.fpr));
        memcpy(f.xmm, fx + 160, sizeof(f.xmm));
        return kvm_vcpu_ioctl(cs, KVM_SET_FPU, &f);
    }
}

static int get_fpu(CPUState *cs)
{
    KVMState *s = kvm_state;
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);
    int r;

    if (s->xsave) {
        uint8_t *x = v->xsave_buf;

        r = kvm_vcpu_ioctl(cs, s->xsave_size > (int)sizeof(struct kvm_xsave)
                               ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, x);
        if (r < 0) {
            return r;
        }
        v->xsave_valid = true;
        fx_to_env(env, x);
        if (ldq_le_p(x + XSAVE_XSTATE_BV) & XSTATE_YMM) {
            for (int i = 0; i < CPU_NB_REGS; i++) {
                memcpy(env->xmm[i].b + 16, x + XSAVE_YMMH + 16 * i, 16);
            }
        } else {
            for (int i = 0; i < CPU_NB_REGS; i++) {
                memset(env->xmm[i].b + 16, 0, 16);
            }
        }
        return 0;
    } else {
        struct kvm_fpu f;
        uint8_t fx[512];

        r = kvm_vcpu_ioctl(cs, KVM_GET_FPU, &f);
        if (r < 0) {
            return r;
        }
        memset(fx, 0, sizeof(fx));
        stw_le_p(fx + 0, f.fcw);
        stw_le_p(fx + 2, f.fsw);
        fx[4] = f.ftwx;
        stw_le_p(fx + 6, f.last_opcode);
        stq_le_p(fx + 8, f.last_ip);
        stq_le_p(fx + 16, f.last_dp);
        stl_le_p(fx + 24, f.mxcsr);
        memcpy(fx + 32, f.fpr, sizeof(f.fpr));
        memcpy(fx + 160, f.xmm, sizeof(f.xmm));
        fx_to_env(env, fx);
        return 0;
    }
}

static int put_xcrs(CPUState *cs)
{
    struct kvm_xcrs x;

    if (!kvm_state->xcrs) {
        return 0;
    }
    memset(&x, 0, sizeof(x));
    x.nr_xcrs = 1;
    x.xcrs[0].xcr = 0;
    x.xcrs[0].value = cpu_env(cs)->xcr0 | XSTATE_FP;
    return kvm_vcpu_ioctl(cs, KVM_SET_XCRS, &x);
}

static int get_xcrs(CPUState *cs)
{
    struct kvm_xcrs x;
    int r;

    if (!kvm_state->xcrs) {
        return 0;
    }
    r = kvm_vcpu_ioctl(cs, KVM_GET_XCRS, &x);
    if (r < 0) {
        return r;
    }
    for (unsigned i = 0; i < x.nr_xcrs && i < KVM_MAX_XCRS; i++) {
        if (x.xcrs[i].xcr == 0) {
            cpu_env(cs)->xcr0 = x.xcrs[i].value;
        }
    }
    return 0;
}

/* ---- events, mp_state, debug registers ---------------------------------- */

static int put_events(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_vcpu_events ev;

    if (!kvm_state->vcpu_events) {
        return 0;
    }
    memset(&ev, 0, sizeof(ev));
    ev.exception.injected = env->exception_injected >= 0;
    ev.exception.nr = env->exception_injected >= 0 ? env->exception_injected
                                                   : 0;
    ev.exception.has_error_code = env->has_error_code;
    ev.exception.error_code = env->error_code;
    ev.interrupt.injected = env->interrupt_injected >= 0;
    ev.interrupt.nr = env->interrupt_injected >= 0 ? env->interrupt_injected
                                                   : 0;
    ev.interrupt.soft = env->soft_interrupt;
    ev.interrupt.shadow = (env->hflags & HF_INHIBIT_IRQ_MASK)
                          ? KVM_X86_SHADOW_INT_MOV_SS : 0;
    ev.nmi.injected = env->nmi_injected;
    ev.nmi.pending = env->nmi_pending;
    ev.nmi.masked = !!(env->hflags2 & HF2_NMI_MASK);
    ev.sipi_vector = env->sipi_vector;
    ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
               KVM_VCPUEVENT_VALID_SIPI_VECTOR | KVM_VCPUEVENT_VALID_SHADOW;
    return kvm_vcpu_ioctl(cs, KVM_SET_VCPU_EVENTS, &ev);
}

static int get_events(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_vcpu_events ev;
    int r;

    if (!kvm_state->vcpu_events) {
        return 0;
    }
    r = kvm_vcpu_ioctl(cs, KVM_GET_VCPU_EVENTS, &ev);
    if (r < 0) {
        return r;
    }
    env->exception_injected = ev.exception.injected ? ev.exception.nr : -1;
    env->has_error_code = ev.exception.has_error_code;
    env->error_code = ev.exception.error_code;
    env->interrupt_injected = ev.interrupt.injected ? ev.interrupt.nr : -1;
    env->soft_interrupt = ev.interrupt.soft;
    if (ev.interrupt.shadow) {
        env->hflags |= HF_INHIBIT_IRQ_MASK;
    } else {
        env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    }
    env->nmi_injected = ev.nmi.injected;
    env->nmi_pending = ev.nmi.pending;
    if (ev.nmi.masked) {
        env->hflags2 |= HF2_NMI_MASK;
    } else {
        env->hflags2 &= ~HF2_NMI_MASK;
    }
    env->sipi_vector = ev.sipi_vector;
    return 0;
}

static int put_debugregs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_debugregs d;

    if (!kvm_state->debugregs) {
        return 0;
    }
    memset(&d, 0, sizeof(d));
    for (int i = 0; i < 4; i++) {
        d.db[i] = env->dr[i];
    }
    d.dr6 = env->dr[6];
    d.dr7 = env->dr[7];
    return kvm_vcpu_ioctl(cs, KVM_SET_DEBUGREGS, &d);
}

static int get_debugregs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_debugregs d;
    int r;

    if (!kvm_state->debugregs) {
        return 0;
    }
    r = kvm_vcpu_ioctl(cs, KVM_GET_DEBUGREGS, &d);
    if (r < 0) {
        return r;
    }
    for (int i = 0; i < 4; i++) {
        env->dr[i] = d.db[i];
    }
    env->dr[6] = d.dr6;
    env->dr[7] = d.dr7;
    return 0;
}

/*
 * With the in-kernel irqchip the kernel runs INIT/SIPI: after a reset
 * the BSP is runnable and every AP waits for INIT-SIPI-SIPI (SDM 3A,
 * 9.4.4 "MP initialization example"), as KVM_MP_STATE_INIT_RECEIVED.
 */
static int put_reset_irqchip_state(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);
    struct kvm_mp_state mp;
    int r;

    if (!kvm_state->irqchip_in_kernel) {
        return 0;
    }
    mp.mp_state = (env->apic_base & MSR_IA32_APICBASE_BSP)
                  ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_INIT_RECEIVED;
    r = kvm_vcpu_ioctl(cs, KVM_SET_MP_STATE, &mp);
    if (r < 0) {
        return r;
    }
    if (v->reset_lapic) {
        struct kvm_lapic_state l = *v->reset_lapic;
        r = kvm_vcpu_ioctl(cs, KVM_SET_LAPIC, &l);
    }
    return r;
}

/* ---- the whole state ----------------------------------------------------- */

int kvm_arch_put_registers(CPUState *cs, bool reset)
{
    int r;

    if ((r = put_regs(cs)) < 0 ||
        (r = put_fpu(cs, reset)) < 0 ||
        (r = put_xcrs(cs)) < 0 ||
        (r = put_sregs(cs, reset)) < 0 ||
        (r = put_msrs(cs, reset, false)) < 0) {
        return r;
    }
    if (reset && (r = put_reset_irqchip_state(cs)) < 0) {
        return r;
    }
    if ((r = put_msrs(cs, reset, true)) < 0 ||
        (r = put_events(cs)) < 0 ||
        (r = put_debugregs(cs)) < 0) {
        return r;
    }
    return 0;
}

int kvm_arch_get_registers(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    int r;

    if ((r = get_regs(cs)) < 0 ||
        (r = get_fpu(cs)) < 0 ||
        (r = get_xcrs(cs)) < 0 ||
        (r = get_sregs(cs)) < 0 ||
        (r = get_msrs(cs)) < 0 ||
        (r = get_events(cs)) < 0 ||
        (r = get_debugregs(cs)) < 0) {
        return r;
    }
    if (kvm_state->irqchip_in_kernel) {
        struct kvm_mp_state mp;
        if (kvm_vcpu_ioctl(cs, KVM_GET_MP_STATE, &mp) >= 0) {
            if (mp.mp_state == KVM_MP_STATE_HALTED ||
                mp.mp_state == KVM_MP_STATE_INIT_RECEIVED) {
                env->hflags |= HF_HALTED_MASK;
            } else {
                env->hflags &= ~HF_HALTED_MASK;
            }
        }
    }
    cpu_x86_update_hflags(env);
    return 0;
}

/* ---- user-space irqchip: INIT, SIPI, NMI, interrupts -------------------- */

/*
 * INIT (SDM 3A, 9.1, table 9-1): x86_cpu_init_reset; the local APIC
 * model does its part and halts an AP until SIPI (include/hw/i386/apic.h,
 * "CPU-side contract").
 */
static void do_init(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);

    x86_cpu_init_reset(env);
    if (env->apic) {
        apic_init_reset(env->apic);
    }
    v->wait_sipi = !(env->apic_base & MSR_IA32_APICBASE_BSP);
    if (v->wait_sipi) {
        cs->halted = true;
        env->hflags |= HF_HALTED_MASK;
    }
    cs->vcpu_dirty = true;
}

bool kvm_arch_pre_run(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);
    CPUX86State *env = cpu_env(cs);
    struct kvm_run *run = v->run;
    uint32_t ir = g_atomic_int_get(&cs->interrupt_request);

    if (kvm_state->irqchip_in_kernel) {
        /* The kernel's LAPICs do INIT, SIPI, HLT and interrupts. An NMI
         * asked for from Ember (monitor, watchdog) still goes in. */
        cs->halted = false;
        env->hflags &= ~HF_HALTED_MASK;
        if (ir & CPU_INTERRUPT_NMI) {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
            kvm_vcpu_ioctl(cs, KVM_NMI, NULL);
        }
        return true;
    }

    if (ir & CPU_INTERRUPT_INIT) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT);
        do_init(cs);
    }
    if (ir & CPU_INTERRUPT_SIPI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
        if (env->apic && v->wait_sipi) {
            apic_sipi(env->apic);       /* loads CS:IP, unhalts */
            if (!cs->halted) {
                v->wait_sipi = false;
            }
        }
    }
    if (v->wait_sipi) {
        /* Only INIT and SIPI reach a CPU in wait-for-SIPI (SDM 3A,
         * 9.4.2); drop the rest so the thread does not spin. */
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI | CPU_INTERRUPT_SMI);
        cs->halted = true;
        return false;
    }
    if (cs->halted) {
        /* After HLT: run again only for an interrupt it can take. */
        if (!x86_cpu_has_work(cs)) {
            return false;
        }
        cs->halted = false;
        env->hflags &= ~HF_HALTED_MASK;
    }
    if (cs->vcpu_dirty) {
        return true;            /* push the new state first */
    }
    if (ir & CPU_INTERRUPT_NMI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        kvm_vcpu_ioctl(cs, KVM_NMI, NULL);
    }
    /*
     * An interrupt goes in only when the guest can take it (IF set, no
     * interrupt shadow), which KVM says in the last exit
     * (ready_for_interrupt_injection, if_flag); otherwise ask for an
     * exit as soon as it can (request_interrupt_window). The interrupt
     * controllers raise CPU_INTERRUPT_HARD again after the acknowledge
     * if more is pending.
     */
    if ((ir & CPU_INTERRUPT_HARD) && run->ready_for_interrupt_injection &&
        run->if_flag) {
        int vec;

        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
        vec = x86_cpu_get_pic_interrupt(env);
        if (vec >= 0) {
            struct kvm_interrupt irq = { .irq = vec };
            int r = kvm_vcpu_ioctl(cs, KVM_INTERRUPT, &irq);
            if (r < 0) {
                ember_log_mask(LOG_INT, "kvm: KVM_INTERRUPT %d failed: %s\n",
                               vec, g_strerror(-r));
            }
        }
    }
    run->request_interrupt_window =
        !!(g_atomic_int_get(&cs->interrupt_request) & CPU_INTERRUPT_HARD);
    /* The task priority: KVM keeps CR8 in kvm_run for a user-space APIC
     * (api.rst 5, "cr8"). */
    if (env->apic) {
        run->cr8 = apic_get_tpr(env->apic);
    }
    return true;
}

void kvm_arch_post_run(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_run *run = kvm_vcpu(cs)->run;

    if (kvm_state->irqchip_in_kernel) {
        return;
    }
    /* MOV to CR8 in the guest changed the APIC's TPR (SDM 3A, 10.8.6). */
    if (env->apic) {
        apic_set_tpr(env->apic, run->cr8 & 0xf);
    }
    /* x86_cpu_has_work looks at IF; the rest of env may be stale. */
    if (run->if_flag) {
        env->eflags |= IF_MASK;
    } else {
        env->eflags &= ~IF_MASK;
    }
}

void kvm_arch_post_halt(CPUState *cs)
{
    cs->halted = true;
    cpu_env(cs)->hflags |= HF_HALTED_MASK;
}

void kvm_arch_reset_vcpu(CPUState *cs)
{
    KVMVcpu *v = kvm_vcpu(cs);

    v->reset_pending = true;
    /* Without the in-kernel irqchip, APs wait for SIPI in Ember. */
    v->wait_sipi = !kvm_state->irqchip_in_kernel &&
                   !(cpu_env(cs)->apic_base & MSR_IA32_APICBASE_BSP);
}
