/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System instructions: control and debug registers (SDM 3A, 2.5-2.7),
 * descriptor-table registers, port I/O with IOPL and the TSS I/O
 * permission bitmap (SDM 1, 19.5), MSRs (SDM 4), the time-stamp counter
 * on the virtual clock, HLT, SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS
 * and software interrupts.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "exec/exec-all.h"
#include "exec/memory.h"
#include "hw/i386/apic.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include "sysemu.h"
#include "sys-helper.h"

/* ---- Time-stamp counter ------------------------------------------------- */

static uint64_t virt_ticks(void)
{
    uint64_t ns = clock_get_ns(EMBER_CLOCK_VIRTUAL);

    return ns * (X86_TSC_HZ / NANOSECONDS_PER_SECOND);
}

uint64_t x86_tsc_read(CPUX86State *env)
{
    return virt_ticks() + x86_sys(env)->tsc_offset;
}

void x86_tsc_write(CPUX86State *env, uint64_t val)
{
    x86_sys(env)->tsc_offset = val - virt_ticks();
}

void helper_rdtsc_sys(void *e, uint64_t rdtscp)
{
    CPUX86State *env = e;
    uint64_t t;

    if ((env->cr[4] & CR4_TSD_MASK) && cpu_cpl(env) != 0) {
        x86_raise_err(env, EXCP0D_GPF, 0, GETPC());
    }
    t = x86_tsc_read(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    if (rdtscp) {
        env->regs[R_ECX] = (uint32_t)env->tsc_aux;
    }
}

/* ---- Control registers -------------------------------------------------- */

void x86_update_cr0(CPUX86State *env, uint64_t val)
{
    uint64_t old = env->cr[0];

    val |= CR0_ET_MASK;
    if (!(old & CR0_PG_MASK) && (val & CR0_PG_MASK) &&
        (env->efer & MSR_EFER_LME)) {
        /* Paging on with LME: long mode becomes active (SDM 3A 9.8.5). */
        env->efer |= MSR_EFER_LMA;
    } else if ((old & CR0_PG_MASK) && !(val & CR0_PG_MASK) &&
               (env->efer & MSR_EFER_LMA)) {
        env->efer &= ~(uint64_t)MSR_EFER_LMA;
    }
    if ((old ^ val) & (CR0_PG_MASK | CR0_WP_MASK | CR0_PE_MASK)) {
        tlb_flush(env->cs);
    }
    env->cr[0] = val;
    cpu_x86_update_hflags(env);
}

void x86_update_cr3(CPUX86State *env, uint64_t val)
{
    env->cr[3] = val;
    /* Global pages are not kept across CR3 loads: a full flush. */
    tlb_flush(env->cs);
}

void x86_update_cr4(CPUX86State *env, uint64_t val)
{
    uint64_t old = env->cr[4];

    if ((old ^ val) & (CR4_PGE_MASK | CR4_PAE_MASK | CR4_PSE_MASK |
                       CR4_SMEP_MASK | CR4_SMAP_MASK | CR4_PCIDE_MASK |
                       CR4_LA57_MASK)) {
        tlb_flush(env->cs);
    }
    env->cr[4] = val;
    cpu_x86_update_hflags(env);
}

/* The CR4 bits this CPU model may set. */
static uint64_t cr4_valid(CPUX86State *env)
{
    uint64_t v = CR4_TSD_MASK | CR4_DE_MASK | CR4_PSE_MASK | CR4_PAE_MASK |
                 CR4_MCE_MASK | CR4_PGE_MASK | CR4_PCE_MASK |
                 CR4_OSFXSR_MASK | CR4_OSXMMEXCPT_MASK;

    if (env->features[FEAT_1_EDX] & CPUID_VME) {
        v |= CR4_VME_MASK | CR4_PVI_MASK;
    }
    if (env->features[FEAT_7_0_ECX] & CPUID_7_0_ECX_UMIP) {
        v |= CR4_UMIP_MASK;
    }
    if (env->features[FEAT_7_0_EBX] & CPUID_7_0_EBX_FSGSBASE) {
        v |= CR4_FSGSBASE_MASK;
    }
    if (env->features[FEAT_1_ECX] & CPUID_EXT_PCID) {
        v |= CR4_PCIDE_MASK;
    }
    if (env->features[FEAT_1_ECX] & CPUID_EXT_XSAVE) {
        v |= CR4_OSXSAVE_MASK;
    }
    if (env->features[FEAT_7_0_EBX] & CPUID_7_0_EBX_SMEP) {
        v |= CR4_SMEP_MASK;
    }
    if (env->features[FEAT_7_0_EBX] & CPUID_7_0_EBX_SMAP) {
        v |= CR4_SMAP_MASK;
    }
    return v;
}

static DeviceState *cpu_apic(CPUX86State *env)
{
    return env->apic;
}

uint64_t helper_read_cr(void *e, uint64_t reg)
{
    CPUX86State *env = e;
    uint64_t v = 0;

    switch (reg) {
    case 8:
        if (cpu_apic(env)) {
            bql_lock();
            v = apic_get_tpr(cpu_apic(env));
            bql_unlock();
        }
        return v;
    default:
        return env->cr[reg];
    }
}

void helper_write_cr(void *e, uint64_t reg, uint64_t val)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    bool lma = env->efer & MSR_EFER_LMA;

    switch (reg) {
    case 0:
        if ((val >> 32) ||
            ((val & CR0_PG_MASK) && !(val & CR0_PE_MASK)) ||
            ((val & CR0_NW_MASK) && !(val & CR0_CD_MASK))) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        if (!(env->cr[0] & CR0_PG_MASK) && (val & CR0_PG_MASK) &&
            (env->efer & MSR_EFER_LME) &&
            (!(env->cr[4] & CR4_PAE_MASK) ||
             (env->segs[R_CS].flags & DESC_L_MASK))) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        if ((env->cr[0] & CR0_PG_MASK) && !(val & CR0_PG_MASK) && lma &&
            (env->hflags & HF_CS64_MASK)) {
            /* Paging off only from compatibility mode. */
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        x86_update_cr0(env, val);
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        if (lma ? (val & ~0x000ffffffffffffffull) : (val >> 32)) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        x86_update_cr3(env, val);
        break;
    case 4:
        if (val & ~cr4_valid(env)) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        if (lma && !(val & CR4_PAE_MASK)) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        x86_update_cr4(env, val);
        break;
    case 8:
        if (val & ~0xfull) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        if (cpu_apic(env)) {
            bql_lock();
            apic_set_tpr(cpu_apic(env), val);
            bql_unlock();
        }
        break;
    default:
        x86_raise(env, EXCP06_ILLOP, ra);
    }
}

void helper_lmsw(void *e, uint64_t val)
{
    CPUX86State *env = e;

    /* Only PE, MP, EM, TS; PE can be set but not cleared (SDM 2A). */
    val = (env->cr[0] & ~0xeull) | (val & 0xf) |
          (env->cr[0] & CR0_PE_MASK);
    x86_update_cr0(env, val);
}

void helper_clts(void *e)
{
    CPUX86State *env = e;

    env->cr[0] &= ~(uint64_t)CR0_TS_MASK;
    cpu_x86_update_hflags(env);
}

/* ---- Debug registers ---------------------------------------------------- */

uint64_t helper_read_dr(void *e, uint64_t reg)
{
    CPUX86State *env = e;

    if (reg == 4 || reg == 5) {
        if (env->cr[4] & CR4_DE_MASK) {
            x86_raise(env, EXCP06_ILLOP, GETPC());
        }
        reg += 2;
    }
    return env->dr[reg];
}

void helper_write_dr(void *e, uint64_t reg, uint64_t val)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();

    if (reg == 4 || reg == 5) {
        if (env->cr[4] & CR4_DE_MASK) {
            x86_raise(env, EXCP06_ILLOP, ra);
        }
        reg += 2;
    }
    if ((reg == 6 || reg == 7) && (val >> 32)) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    if (reg == 6) {
        val |= 0xffff0ff0;
    } else if (reg == 7) {
        val = (val & ~0xd800ull) | 0x400;
        if (val & 0xff) {
            ember_log_mask(LOG_UNIMP, "dr7: hardware breakpoints are not "
                           "emulated (0x%" PRIx64 ")\n", val);
        }
    }
    env->dr[reg] = val;
}

/* ---- Descriptor-table registers ----------------------------------------- */

/* op bit 0: IDT (else GDT); bits 1..: the operand size (MemOp). */
void helper_lgdt_lidt(void *e, uint64_t addr, uint64_t op)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    SegmentCache *dt = (op & 1) ? &env->idt : &env->gdt;
    int ot = op >> 1;
    uint32_t limit = cpu_ld_mmu(env->cs, addr, 2, -1, ra);
    uint64_t base;

    if (env->hflags & HF_CS64_MASK) {
        base = cpu_ld_mmu(env->cs, addr + 2, 8, -1, ra);
    } else {
        base = cpu_ld_mmu(env->cs, (uint32_t)(addr + 2), 4, -1, ra);
        if (ot == MO_16) {
            base &= 0xffffff;
        }
    }
    dt->limit = limit;
    dt->base = base;
}

void helper_sgdt_sidt(void *e, uint64_t addr, uint64_t op)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    SegmentCache *dt = (op & 1) ? &env->idt : &env->gdt;

    cpu_st_mmu(env->cs, addr, dt->limit, 2, -1, ra);
    if (env->hflags & HF_CS64_MASK) {
        cpu_st_mmu(env->cs, addr + 2, dt->base, 8, -1, ra);
    } else {
        cpu_st_mmu(env->cs, (uint32_t)(addr + 2), (uint32_t)dt->base, 4,
                   -1, ra);
    }
}

void helper_invlpg(void *e, uint64_t addr)
{
    CPUX86State *env = e;

    tlb_flush_page(env->cs, addr);
}

/* ---- Port I/O ------------------------------------------------------------ */

/* IOPL, then the TSS's I/O permission bitmap (SDM 1, 19.5). */
static void check_io(CPUX86State *env, uint32_t port, unsigned size,
                     uintptr_t ra)
{
    int type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf;
    uint32_t off, bits;

    if (!(env->cr[0] & CR0_PE_MASK)) {
        return;
    }
    if (!(env->eflags & VM_MASK) &&
        cpu_cpl(env) <= ((env->eflags & IOPL_MASK) >> IOPL_SHIFT)) {
        return;
    }
    if (!(env->tr.flags & DESC_P_MASK) || (type != 9 && type != 11) ||
        env->tr.limit < 103) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    off = sys_lduw(env, env->tr.base + 0x66, ra) + (port >> 3);
    if (off + 1 > env->tr.limit) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    bits = sys_lduw(env, env->tr.base + off, ra) >> (port & 7);
    if (bits & ((1u << size) - 1)) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
}

void helper_check_io(void *e, uint64_t port, uint64_t size)
{
    check_io(e, port & 0xffff, size, GETPC());
}

static uint64_t io_in(uint32_t port, unsigned size)
{
    uint64_t v;

    bql_lock();
    v = address_space_ld(&address_space_io, port, size);
    bql_unlock();
    ember_log_mask(LOG_IOPORT, "in%c  0x%04x -> 0x%" PRIx64 "\n",
                   size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, v);
    return v;
}

static void io_out(uint32_t port, uint64_t v, unsigned size)
{
    ember_log_mask(LOG_IOPORT, "out%c 0x%04x <- 0x%" PRIx64 "\n",
                   size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, v);
    bql_lock();
    address_space_st(&address_space_io, port, v, size);
    /* A port write may move memory (PCI configuration). */
    tcg_memory_map_refresh();
    bql_unlock();
}

uint64_t helper_in(void *e, uint64_t port, uint64_t size)
{
    return io_in(port & 0xffff, size);
}

void helper_out(void *e, uint64_t port, uint64_t val, uint64_t size)
{
    io_out(port & 0xffff, val, size);
}

static uint64_t amask_of(uint64_t aflag)
{
    return aflag == MO_64 ? ~0ull : aflag == MO_32 ? 0xffffffffull : 0xffff;
}

static void set_areg(CPUX86State *env, int r, uint64_t v, uint64_t aflag)
{
    uint64_t m = amask_of(aflag);

    if (aflag == MO_32) {
        env->regs[r] = (uint32_t)v;
    } else {
        env->regs[r] = (env->regs[r] & ~m) | (v & m);
    }
}

static uint64_t seg_linear(CPUX86State *env, uint64_t base, uint64_t off)
{
    return (env->hflags & HF_CS64_MASK) ? base + off : (uint32_t)(base + off);
}

/* INS: ES:rDI <- port, repeated RCX times with a REP prefix. The
 * registers advance per element, so a fault restarts where it stopped. */
void helper_ins(void *e, uint64_t size, uint64_t aflag, uint64_t rep)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t m = amask_of(aflag);
    uint32_t port = env->regs[R_EDX] & 0xffff;
    uint64_t es = (env->hflags & HF_CS64_MASK) ? 0 : env->segs[R_ES].base;

    check_io(env, port, size, ra);
    while (!rep || (env->regs[R_ECX] & m)) {
        uint64_t di = env->regs[R_EDI] & m;
        uint64_t a = seg_linear(env, es, di);
        /* Probe the destination first: no port read without a store. */
        cpu_host_ptr_mmu(env->cs, a, 1, MMU_DATA_STORE, -1, ra);
        cpu_st_mmu(env->cs, a, io_in(port, size), size, -1, ra);
        set_areg(env, R_EDI, di + env->df * (int64_t)size, aflag);
        if (!rep) {
            break;
        }
        set_areg(env, R_ECX, (env->regs[R_ECX] & m) - 1, aflag);
    }
}

void helper_outs(void *e, uint64_t size, uint64_t aflag, uint64_t seg_base,
                 uint64_t rep)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t m = amask_of(aflag);
    uint32_t port = env->regs[R_EDX] & 0xffff;

    check_io(env, port, size, ra);
    while (!rep || (env->regs[R_ECX] & m)) {
        uint64_t si = env->regs[R_ESI] & m;
        uint64_t v = cpu_ld_mmu(env->cs, seg_linear(env, seg_base, si),
                                size, -1, ra);
        io_out(port, v, size);
        set_areg(env, R_ESI, si + env->df * (int64_t)size, aflag);
        if (!rep) {
            break;
        }
        set_areg(env, R_ECX, (env->regs[R_ECX] & m) - 1, aflag);
    }
}

/* ---- EFLAGS with the system rules ---------------------------------------- */

void helper_write_eflags_sys(void *e, uint64_t val, uint64_t ot)
{
    CPUX86State *env = e;
    uint64_t mask = CC_ARITH_MASK | TF_MASK | DF_MASK | NT_MASK | AC_MASK |
                    ID_MASK;
    int cpl = cpu_cpl(env);
    int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;

    if (env->eflags & VM_MASK) {
        /* The translator raised #GP unless IOPL is 3. */
        mask |= IF_MASK;
    } else {
        if (cpl == 0) {
            mask |= IOPL_MASK;
        }
        if (cpl <= iopl) {
            mask |= IF_MASK;
        }
    }
    if (ot == MO_16) {
        mask &= 0xffff;
    }
    cpu_load_eflags(env, val, mask);
    cpu_x86_update_hflags(env);
}

/* ---- MSRs (SDM 4) -------------------------------------------------------- */

static bool mtrr_msr(CPUX86State *env, uint32_t idx, uint64_t **p)
{
    if (idx >= MSR_MTRRphysBase(0) &&
        idx <= MSR_MTRRphysMask(MSR_MTRR_VAR_COUNT - 1)) {
        int n = (idx - MSR_MTRRphysBase(0)) / 2;
        *p = (idx & 1) ? &env->mtrr_var[n].mask : &env->mtrr_var[n].base;
        return true;
    }
    switch (idx) {
    case MSR_MTRRfix64K_00000:
        *p = &env->mtrr_fixed[0];
        return true;
    case MSR_MTRRfix16K_80000:
    case MSR_MTRRfix16K_A0000:
        *p = &env->mtrr_fixed[1 + idx - MSR_MTRRfix16K_80000];
        return true;
    case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
        *p = &env->mtrr_fixed[3 + idx - MSR_MTRRfix4K_C0000];
        return true;
    case MSR_MTRRdefType:
        *p = &env->mtrr_deftype;
        return true;
    case MSR_PAT:
        *p = &env->pat;
        return true;
    }
    return false;
}

#define MSR_AMD_PATCH_LEVEL     0x8b
#define MSR_K7_HWCR             0xc0010015
#define MSR_K8_SYSCFG           0xc0010010
#define MSR_IA32_PERF_STATUS    0x198
#define MSR_IA32_CR_PAT_UNUSED  0

/* false: #GP */
static bool msr_read(CPUX86State *env, uint32_t idx, uint64_t *val)
{
    uint64_t *p;

    *val = 0;
    if (mtrr_msr(env, idx, &p)) {
        *val = *p;
        return true;
    }
    if (idx >= MSR_X2APIC_BASE && idx <= MSR_X2APIC_BASE + 0xff) {
        bool ok = false;
        if (cpu_apic(env)) {
            bql_lock();
            ok = apic_msr_read(cpu_apic(env), idx, val);
            bql_unlock();
        }
        return ok;
    }
    switch (idx) {
    case MSR_IA32_TSC:
        *val = x86_tsc_read(env);
        return true;
    case MSR_IA32_APICBASE:
        if (cpu_apic(env)) {
            bql_lock();
            *val = apic_get_base(cpu_apic(env));
            bql_unlock();
        } else {
            *val = env->apic_base;
        }
        return true;
    case MSR_IA32_FEATURE_CONTROL:
    case MSR_AMD_PATCH_LEVEL:
    case MSR_K7_HWCR:
    case MSR_K8_SYSCFG:
        return true;
    case MSR_TSC_ADJUST:
        *val = env->tsc_adjust;
        return true;
    case MSR_MTRRcap:
        /* 8 variable ranges, fixed ranges, write-combining. */
        *val = MSR_MTRR_VAR_COUNT | (1 << 8) | (1 << 10);
        return true;
    case MSR_IA32_SYSENTER_CS:
        *val = env->sysenter_cs;
        return true;
    case MSR_IA32_SYSENTER_ESP:
        *val = env->sysenter_esp;
        return true;
    case MSR_IA32_SYSENTER_EIP:
        *val = env->sysenter_eip;
        return true;
    case MSR_MCG_CAP:
        *val = env->mcg_cap;
        return true;
    case MSR_MCG_STATUS:
        *val = env->mcg_status;
        return true;
    case MSR_IA32_MISC_ENABLE:
        *val = env->misc_enable;
        return true;
    case MSR_IA32_TSC_DEADLINE:
        if (!(env->features[FEAT_1_ECX] & CPUID_EXT_TSC_DEADLINE_TIMER) ||
            !cpu_apic(env)) {
            return false;
        }
        bql_lock();
        *val = apic_get_tsc_deadline(cpu_apic(env));
        bql_unlock();
        return true;
    case MSR_EFER:
        *val = env->efer;
        return true;
    case MSR_STAR:
        *val = env->star;
        return true;
    case MSR_LSTAR:
        *val = env->lstar;
        return true;
    case MSR_CSTAR:
        *val = env->cstar;
        return true;
    case MSR_FMASK:
        *val = env->fmask;
        return true;
    case MSR_FSBASE:
        *val = env->segs[R_FS].base;
        return true;
    case MSR_GSBASE:
        *val = env->segs[R_GS].base;
        return true;
    case MSR_KERNELGSBASE:
        *val = env->kernelgsbase;
        return true;
    case MSR_TSC_AUX:
        if (!(env->features[FEAT_8000_0001_EDX] & CPUID_EXT2_RDTSCP) &&
            !(env->features[FEAT_7_0_ECX] & CPUID_7_0_ECX_RDPID)) {
            return false;
        }
        *val = env->tsc_aux;
        return true;
    case MSR_IA32_SPEC_CTRL:
        return false;
    }
    return false;
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

bool x86_update_efer(CPUX86State *env, uint64_t val)
{
    uint64_t valid = MSR_EFER_SCE | MSR_EFER_LME | MSR_EFER_LMA;

    if (env->features[FEAT_8000_0001_EDX] & CPUID_EXT2_NX) {
        valid |= MSR_EFER_NXE;
    }
    if (val & ~valid) {
        return false;
    }
    /* LMA is the processor's; LME cannot change under paging. */
    val = (val & ~(uint64_t)MSR_EFER_LMA) | (env->efer & MSR_EFER_LMA);
    if ((env->cr[0] & CR0_PG_MASK) &&
        ((val ^ env->efer) & MSR_EFER_LME)) {
        return false;
    }
    if (!(env->features[FEAT_8000_0001_EDX] & CPUID_EXT2_LM) &&
        (val & MSR_EFER_LME)) {
        return false;
    }
    if ((val ^ env->efer) & MSR_EFER_NXE) {
        tlb_flush(env->cs);
    }
    env->efer = val;
    cpu_x86_update_hflags(env);
    return true;
}

static bool msr_write(CPUX86State *env, uint32_t idx, uint64_t val)
{
    uint64_t *p;

    if (mtrr_msr(env, idx, &p)) {
        *p = val;
        return true;
    }
    if (idx >= MSR_X2APIC_BASE && idx <= MSR_X2APIC_BASE + 0xff) {
        bool ok = false;
        if (cpu_apic(env)) {
            bql_lock();
            ok = apic_msr_write(cpu_apic(env), idx, val);
            bql_unlock();
        }
        return ok;
    }
    switch (idx) {
    case MSR_IA32_TSC:
        x86_tsc_write(env, val);
        return true;
    case MSR_IA32_APICBASE: {
        bool ok = true;
        if (cpu_apic(env)) {
            bql_lock();
            ok = apic_set_base(cpu_apic(env), val);
            bql_unlock();
        }
        if (ok) {
            env->apic_base = val;
        }
        return ok;
    }
    case MSR_IA32_FEATURE_CONTROL:
    case MSR_AMD_PATCH_LEVEL:
    case MSR_K7_HWCR:
    case MSR_K8_SYSCFG:
        return true;
    case MSR_TSC_ADJUST:
        x86_tsc_write(env, x86_tsc_read(env) + (val - env->tsc_adjust));
        env->tsc_adjust = val;
        return true;
    case MSR_IA32_SYSENTER_CS:
        env->sysenter_cs = val & 0xffff;
        return true;
    case MSR_IA32_SYSENTER_ESP:
        env->sysenter_esp = val;
        return true;
    case MSR_IA32_SYSENTER_EIP:
        env->sysenter_eip = val;
        return true;
    case MSR_MCG_STATUS:
        env->mcg_status = val;
        return true;
    case MSR_IA32_MISC_ENABLE:
        env->misc_enable = val;
        return true;
    case MSR_IA32_TSC_DEADLINE:
        if (!(env->features[FEAT_1_ECX] & CPUID_EXT_TSC_DEADLINE_TIMER) ||
            !cpu_apic(env)) {
            return false;
        }
        {
            /* The virtual time at which the TSC reaches val. */
            int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
            uint64_t cur = x86_tsc_read(env);
            int64_t expire = val == 0 ? 0 : val <= cur ? now :
                now + (int64_t)((val - cur) /
                                (X86_TSC_HZ / NANOSECONDS_PER_SECOND));
            bql_lock();
            apic_set_tsc_deadline(cpu_apic(env), val, expire);
            bql_unlock();
        }
        return true;
    case MSR_EFER:
        return x86_update_efer(env, val);
    case MSR_STAR:
        env->star = val;
        return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FSBASE:
    case MSR_GSBASE:
    case MSR_KERNELGSBASE:
        if (!canonical(val)) {
            return false;
        }
        if (idx == MSR_LSTAR) {
            env->lstar = val;
        } else if (idx == MSR_CSTAR) {
            env->cstar = val;
        } else if (idx == MSR_FSBASE) {
            env->segs[R_FS].base = val;
        } else if (idx == MSR_GSBASE) {
            env->segs[R_GS].base = val;
        } else {
            env->kernelgsbase = val;
        }
        return true;
    case MSR_FMASK:
        env->fmask = (uint32_t)val;
        return true;
    case MSR_TSC_AUX:
        if (!(env->features[FEAT_8000_0001_EDX] & CPUID_EXT2_RDTSCP) &&
            !(env->features[FEAT_7_0_ECX] & CPUID_7_0_ECX_RDPID)) {
            return false;
        }
        env->tsc_aux = (uint32_t)val;
        return true;
    }
    return false;
}

void helper_rdmsr(void *e)
{
    CPUX86State *env = e;
    uint32_t idx = env->regs[R_ECX];
    uint64_t val;

    if (!msr_read(env, idx, &val)) {
        ember_log_mask(LOG_UNIMP, "rdmsr 0x%x: #GP\n", idx);
        x86_raise_err(env, EXCP0D_GPF, 0, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)val;
    env->regs[R_EDX] = val >> 32;
}

void helper_wrmsr(void *e)
{
    CPUX86State *env = e;
    uint32_t idx = env->regs[R_ECX];
    uint64_t val = (uint32_t)env->regs[R_EAX] |
                   ((uint64_t)(uint32_t)env->regs[R_EDX] << 32);

    if (!msr_write(env, idx, val)) {
        ember_log_mask(LOG_UNIMP, "wrmsr 0x%x <- 0x%" PRIx64 ": #GP\n", idx,
                       val);
        x86_raise_err(env, EXCP0D_GPF, 0, GETPC());
    }
}

/* ---- HLT, PAUSE, software interrupts ------------------------------------- */

void helper_hlt(void *e, uint64_t next_eip)
{
    CPUX86State *env = e;
    CPUState *cs = env->cs;

    env->rip = next_eip;
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    env->hflags |= HF_HALTED_MASK;
    cs->halted = true;
    cs->exception_index = EXCP_HLT;
    cpu_loop_exit(cs);
}

void helper_pause(void *e, uint64_t next_eip)
{
    CPUX86State *env = e;
    CPUState *cs = env->cs;

    /* A spinning vCPU gives the others (that hold the lock) a turn. */
    env->rip = next_eip;
    cs->exception_index = EXCP_YIELD;
    cpu_loop_exit(cs);
}

void helper_raise_interrupt(void *e, uint64_t intno, uint64_t next_eip)
{
    CPUX86State *env = e;
    CPUState *cs = env->cs;

    cs->exception_index = intno;
    env->error_code = 0;
    env->has_error_code = 0;
    x86_sys(env)->raise_is_int = true;
    x86_sys(env)->raise_next_eip = next_eip;
    cpu_loop_exit_restore(cs, GETPC());
}

void helper_raise_exception_sys(void *e, uint64_t excp, uint64_t err)
{
    CPUX86State *env = e;

    if ((int64_t)err < 0) {
        x86_raise(env, excp, GETPC());
    }
    x86_raise_err(env, excp, err, GETPC());
}

/* ---- Fast system calls (SDM 2B) ------------------------------------------ */

#define FLAT_CODE   (DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | \
                     DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK)
#define FLAT_DATA   (DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | \
                     DESC_S_MASK | DESC_W_MASK | DESC_A_MASK)

void helper_syscall_sys(void *e, uint64_t next_eip)
{
    CPUX86State *env = e;
    uint32_t sel = (env->star >> 32) & 0xffff;

    if (!(env->efer & MSR_EFER_SCE)) {
        x86_raise(env, EXCP06_ILLOP, GETPC());
    }
    if (env->efer & MSR_EFER_LMA) {
        uint64_t fl = cpu_compute_eflags(env);
        bool code64 = env->hflags & HF_CS64_MASK;
        env->regs[R_ECX] = next_eip;
        env->regs[R_R11] = fl & ~(uint64_t)RF_MASK;
        cpu_x86_load_seg_cache(env, R_CS, sel & 0xfffc, 0, 0xffffffff,
                               FLAT_CODE | DESC_L_MASK);
        cpu_x86_load_seg_cache(env, R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff,
                               FLAT_DATA);
        cpu_load_eflags(env, fl & ~(env->fmask | RF_MASK), ~0ull);
        env->rip = code64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_eip;
        cpu_x86_load_seg_cache(env, R_CS, sel & 0xfffc, 0, 0xffffffff,
                               FLAT_CODE | DESC_B_MASK);
        cpu_x86_load_seg_cache(env, R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff,
                               FLAT_DATA);
        env->eflags &= ~(uint64_t)(IF_MASK | RF_MASK | VM_MASK);
        env->rip = (uint32_t)env->star;
    }
    cpu_x86_update_hflags(env);
}

void helper_sysret(void *e, uint64_t dflag)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint32_t sel = (env->star >> 48) & 0xffff;

    if (!(env->efer & MSR_EFER_SCE)) {
        x86_raise(env, EXCP06_ILLOP, ra);
    }
    if (cpu_cpl(env) != 0 || !(env->cr[0] & CR0_PE_MASK)) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    if (env->efer & MSR_EFER_LMA) {
        if (dflag == MO_64) {
            if (!canonical(env->regs[R_ECX])) {
                x86_raise_err(env, EXCP0D_GPF, 0, ra);
            }
            cpu_x86_load_seg_cache(env, R_CS, (sel + 16) | 3, 0, 0xffffffff,
                                   FLAT_CODE | DESC_L_MASK |
                                   (3 << DESC_DPL_SHIFT));
            env->rip = env->regs[R_ECX];
        } else {
            cpu_x86_load_seg_cache(env, R_CS, sel | 3, 0, 0xffffffff,
                                   FLAT_CODE | DESC_B_MASK |
                                   (3 << DESC_DPL_SHIFT));
            env->rip = (uint32_t)env->regs[R_ECX];
        }
        cpu_x86_load_seg_cache(env, R_SS, (sel + 8) | 3, 0, 0xffffffff,
                               FLAT_DATA | (3 << DESC_DPL_SHIFT));
        cpu_load_eflags(env, env->regs[R_R11],
                        ~(uint64_t)(RF_MASK | VM_MASK));
        env->eflags &= ~(uint64_t)(RF_MASK | VM_MASK);
    } else {
        cpu_x86_load_seg_cache(env, R_CS, sel | 3, 0, 0xffffffff,
                               FLAT_CODE | DESC_B_MASK |
                               (3 << DESC_DPL_SHIFT));
        env->rip = (uint32_t)env->regs[R_ECX];
        cpu_x86_load_seg_cache(env, R_SS, (sel + 8) | 3, 0, 0xffffffff,
                               FLAT_DATA | (3 << DESC_DPL_SHIFT));
        env->eflags |= IF_MASK;
    }
    cpu_x86_update_hflags(env);
}

void helper_sysenter(void *e)
{
    CPUX86State *env = e;
    uint32_t cs = env->sysenter_cs & 0xfffc;

    if (!(env->cr[0] & CR0_PE_MASK) || cs == 0) {
        x86_raise_err(env, EXCP0D_GPF, 0, GETPC());
    }
    env->eflags &= ~(uint64_t)(VM_MASK | IF_MASK | RF_MASK);
    if (env->efer & MSR_EFER_LMA) {
        cpu_x86_load_seg_cache(env, R_CS, cs, 0, 0xffffffff,
                               FLAT_CODE | DESC_L_MASK);
        env->regs[R_ESP] = env->sysenter_esp;
        env->rip = env->sysenter_eip;
    } else {
        cpu_x86_load_seg_cache(env, R_CS, cs, 0, 0xffffffff,
                               FLAT_CODE | DESC_B_MASK);
        env->regs[R_ESP] = (uint32_t)env->sysenter_esp;
        env->rip = (uint32_t)env->sysenter_eip;
    }
    cpu_x86_load_seg_cache(env, R_SS, cs + 8, 0, 0xffffffff, FLAT_DATA);
    cpu_x86_update_hflags(env);
}

void helper_sysexit(void *e, uint64_t dflag)
{
    CPUX86State *env = e;
    uint32_t cs = env->sysenter_cs & 0xfffc;

    if (!(env->cr[0] & CR0_PE_MASK) || cs == 0 || cpu_cpl(env) != 0) {
        x86_raise_err(env, EXCP0D_GPF, 0, GETPC());
    }
    if (dflag == MO_64) {
        cpu_x86_load_seg_cache(env, R_CS, (cs + 32) | 3, 0, 0xffffffff,
                               FLAT_CODE | DESC_L_MASK |
                               (3 << DESC_DPL_SHIFT));
        cpu_x86_load_seg_cache(env, R_SS, (cs + 40) | 3, 0, 0xffffffff,
                               FLAT_DATA | (3 << DESC_DPL_SHIFT));
        env->regs[R_ESP] = env->regs[R_ECX];
        env->rip = env->regs[R_EDX];
    } else {
        cpu_x86_load_seg_cache(env, R_CS, (cs + 16) | 3, 0, 0xffffffff,
                               FLAT_CODE | DESC_B_MASK |
                               (3 << DESC_DPL_SHIFT));
        cpu_x86_load_seg_cache(env, R_SS, (cs + 24) | 3, 0, 0xffffffff,
                               FLAT_DATA | (3 << DESC_DPL_SHIFT));
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->rip = (uint32_t)env->regs[R_EDX];
    }
    cpu_x86_update_hflags(env);
}

void helper_swapgs(void *e)
{
    CPUX86State *env = e;
    uint64_t t = env->segs[R_GS].base;

    env->segs[R_GS].base = env->kernelgsbase;
    env->kernelgsbase = t;
}
