/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 architectural CPU state: the one state that the TCG translator runs
 * on and that KVM syncs into (for reset, gdb and debugging).
 *
 * Field meanings follow the Intel SDM, vol. 3A ch. 2-3 (registers,
 * segmentation) and vol. 1 ch. 8-10 (x87, SSE).
 */
#ifndef TARGET_X86_CPU_H
#define TARGET_X86_CPU_H

#include "ember/osdep.h"
#include "hw/core/cpu.h"

/* General registers, in encoding order. */
enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};
#define CPU_NB_REGS 16

/* Segment registers, in encoding order. */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

/* EFLAGS (SDM 1, 3.4.3). */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define CC_O    0x0800
#define TF_MASK     0x00000100
#define IF_MASK     0x00000200
#define DF_MASK     0x00000400
#define IOPL_MASK   0x00003000
#define IOPL_SHIFT  12
#define NT_MASK     0x00004000
#define RF_MASK     0x00010000
#define VM_MASK     0x00020000
#define AC_MASK     0x00040000
#define VIF_MASK    0x00080000
#define VIP_MASK    0x00100000
#define ID_MASK     0x00200000
#define CC_ARITH_MASK (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

/* Segment descriptor flags as kept in SegmentCache.flags (the descriptor's
 * high dword, bits 8..23). */
#define DESC_G_MASK     (1 << 23)
#define DESC_B_SHIFT    22
#define DESC_B_MASK     (1 << DESC_B_SHIFT)
#define DESC_L_SHIFT    21
#define DESC_L_MASK     (1 << DESC_L_SHIFT)
#define DESC_AVL_MASK   (1 << 20)
#define DESC_P_MASK     (1 << 15)
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3 << DESC_DPL_SHIFT)
#define DESC_S_MASK     (1 << 12)
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (15 << DESC_TYPE_SHIFT)
#define DESC_A_MASK     (1 << 8)
#define DESC_CS_MASK    (1 << 11)   /* 1 = code segment */
#define DESC_C_MASK     (1 << 10)   /* code: conforming */
#define DESC_E_MASK     (1 << 10)   /* data: expand down */
#define DESC_R_MASK     (1 << 9)    /* code: readable */
#define DESC_W_MASK     (1 << 9)    /* data: writable */

/* Control registers (SDM 3A, 2.5). */
#define CR0_PE_MASK (1u << 0)
#define CR0_MP_MASK (1u << 1)
#define CR0_EM_MASK (1u << 2)
#define CR0_TS_MASK (1u << 3)
#define CR0_ET_MASK (1u << 4)
#define CR0_NE_MASK (1u << 5)
#define CR0_WP_MASK (1u << 16)
#define CR0_AM_MASK (1u << 18)
#define CR0_NW_MASK (1u << 29)
#define CR0_CD_MASK (1u << 30)
#define CR0_PG_MASK (1u << 31)

#define CR4_VME_MASK  (1u << 0)
#define CR4_PVI_MASK  (1u << 1)
#define CR4_TSD_MASK  (1u << 2)
#define CR4_DE_MASK   (1u << 3)
#define CR4_PSE_MASK  (1u << 4)
#define CR4_PAE_MASK  (1u << 5)
#define CR4_MCE_MASK  (1u << 6)
#define CR4_PGE_MASK  (1u << 7)
#define CR4_PCE_MASK  (1u << 8)
#define CR4_OSFXSR_MASK (1u << 9)
#define CR4_OSXMMEXCPT_MASK (1u << 10)
#define CR4_UMIP_MASK (1u << 11)
#define CR4_LA57_MASK (1u << 12)
#define CR4_FSGSBASE_MASK (1u << 16)
#define CR4_PCIDE_MASK (1u << 17)
#define CR4_OSXSAVE_MASK (1u << 18)
#define CR4_SMEP_MASK (1u << 20)
#define CR4_SMAP_MASK (1u << 21)
#define CR4_PKE_MASK  (1u << 22)

/* EFER (SDM 3A, 2.2.1). */
#define MSR_EFER_SCE (1 << 0)
#define MSR_EFER_LME (1 << 8)
#define MSR_EFER_LMA (1 << 10)
#define MSR_EFER_NXE (1 << 11)
#define MSR_EFER_SVME (1 << 12)
#define MSR_EFER_FFXSR (1 << 14)

/* MSR numbers (SDM 4). */
#define MSR_IA32_TSC            0x10
#define MSR_IA32_APICBASE       0x1b
#define MSR_IA32_APICBASE_BSP   (1 << 8)
#define MSR_IA32_APICBASE_EXTD  (1 << 10)
#define MSR_IA32_APICBASE_ENABLE (1 << 11)
#define MSR_IA32_APICBASE_BASE  (0xfffffULL << 12)
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_TSC_ADJUST          0x3b
#define MSR_IA32_SPEC_CTRL      0x48
#define MSR_IA32_UCODE_REV      0x8b
#define MSR_MTRRcap             0xfe
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_MCG_CAP             0x179
#define MSR_MCG_STATUS          0x17a
#define MSR_MCG_CTL             0x17b
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_MTRRphysBase(n)     (0x200 + 2 * (n))
#define MSR_MTRRphysMask(n)     (0x201 + 2 * (n))
#define MSR_MTRRfix64K_00000    0x250
#define MSR_MTRRfix16K_80000    0x258
#define MSR_MTRRfix16K_A0000    0x259
#define MSR_MTRRfix4K_C0000     0x268
#define MSR_MTRRfix4K_F8000     0x26f
#define MSR_PAT                 0x277
#define MSR_MTRRdefType         0x2ff
#define MSR_MC0_CTL             0x400
#define MSR_IA32_TSC_DEADLINE   0x6e0
#define MSR_X2APIC_BASE         0x800
#define MSR_EFER                0xc0000080
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_FMASK               0xc0000084
#define MSR_FSBASE              0xc0000100
#define MSR_GSBASE              0xc0000101
#define MSR_KERNELGSBASE        0xc0000102
#define MSR_TSC_AUX             0xc0000103
#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

#define MSR_MTRR_VAR_COUNT 8

/* Exceptions (SDM 3A, 6.3.1). */
enum {
    EXCP00_DIVZ = 0, EXCP01_DB, EXCP02_NMI, EXCP03_INT3, EXCP04_INTO,
    EXCP05_BOUND, EXCP06_ILLOP, EXCP07_PREX, EXCP08_DBLE, EXCP09_XERR,
    EXCP0A_TSS, EXCP0B_NOSEG, EXCP0C_STACK, EXCP0D_GPF, EXCP0E_PAGE,
    EXCP10_COPR = 16, EXCP11_ALGN, EXCP12_MCHK, EXCP13_XMM, EXCP14_VE,
};

/* CPUID feature words: index into CPUX86State.features[]. */
typedef enum FeatureWord {
    FEAT_1_EDX,         /* CPUID[1].EDX */
    FEAT_1_ECX,         /* CPUID[1].ECX */
    FEAT_7_0_EBX,       /* CPUID[EAX=7,ECX=0].EBX */
    FEAT_7_0_ECX,
    FEAT_7_0_EDX,
    FEAT_7_1_EAX,
    FEAT_8000_0001_EDX,
    FEAT_8000_0001_ECX,
    FEAT_8000_0007_EDX,
    FEAT_8000_0008_EBX,
    FEAT_XSAVE,         /* CPUID[EAX=0xd,ECX=1].EAX */
    FEAT_6_EAX,
    FEAT_KVM,           /* CPUID[0x40000001].EAX */
    FEATURE_WORDS,
} FeatureWord;

#define CPUID_FP87 (1u << 0)
#define CPUID_VME  (1u << 1)
#define CPUID_DE   (1u << 2)
#define CPUID_PSE  (1u << 3)
#define CPUID_TSC  (1u << 4)
#define CPUID_MSR  (1u << 5)
#define CPUID_PAE  (1u << 6)
#define CPUID_MCE  (1u << 7)
#define CPUID_CX8  (1u << 8)
#define CPUID_APIC (1u << 9)
#define CPUID_SEP  (1u << 11)
#define CPUID_MTRR (1u << 12)
#define CPUID_PGE  (1u << 13)
#define CPUID_MCA  (1u << 14)
#define CPUID_CMOV (1u << 15)
#define CPUID_PAT  (1u << 16)
#define CPUID_PSE36 (1u << 17)
#define CPUID_CLFLUSH (1u << 19)
#define CPUID_MMX  (1u << 23)
#define CPUID_FXSR (1u << 24)
#define CPUID_SSE  (1u << 25)
#define CPUID_SSE2 (1u << 26)
#define CPUID_SS   (1u << 27)
#define CPUID_HT   (1u << 28)

#define CPUID_EXT_SSE3     (1u << 0)
#define CPUID_EXT_PCLMULQDQ (1u << 1)
#define CPUID_EXT_MONITOR  (1u << 3)
#define CPUID_EXT_SSSE3    (1u << 9)
#define CPUID_EXT_FMA      (1u << 12)
#define CPUID_EXT_CX16     (1u << 13)
#define CPUID_EXT_PCID     (1u << 17)
#define CPUID_EXT_SSE41    (1u << 19)
#define CPUID_EXT_SSE42    (1u << 20)
#define CPUID_EXT_X2APIC   (1u << 21)
#define CPUID_EXT_MOVBE    (1u << 22)
#define CPUID_EXT_POPCNT   (1u << 23)
#define CPUID_EXT_TSC_DEADLINE_TIMER (1u << 24)
#define CPUID_EXT_AES      (1u << 25)
#define CPUID_EXT_XSAVE    (1u << 26)
#define CPUID_EXT_OSXSAVE  (1u << 27)
#define CPUID_EXT_AVX      (1u << 28)
#define CPUID_EXT_F16C     (1u << 29)
#define CPUID_EXT_RDRAND   (1u << 30)
#define CPUID_EXT_HYPERVISOR (1u << 31)

#define CPUID_7_0_EBX_FSGSBASE (1u << 0)
#define CPUID_7_0_EBX_BMI1     (1u << 3)
#define CPUID_7_0_EBX_AVX2     (1u << 5)
#define CPUID_7_0_EBX_SMEP     (1u << 7)
#define CPUID_7_0_EBX_BMI2     (1u << 8)
#define CPUID_7_0_EBX_ERMS     (1u << 9)
#define CPUID_7_0_EBX_INVPCID  (1u << 10)
#define CPUID_7_0_EBX_RDSEED   (1u << 18)
#define CPUID_7_0_EBX_ADX      (1u << 19)
#define CPUID_7_0_EBX_SMAP     (1u << 20)
#define CPUID_7_0_EBX_CLFLUSHOPT (1u << 23)
#define CPUID_7_0_EBX_SHA_NI   (1u << 29)
#define CPUID_7_0_ECX_UMIP     (1u << 2)
#define CPUID_7_0_ECX_RDPID    (1u << 22)
#define CPUID_7_0_EDX_FSRM     (1u << 4)

#define CPUID_EXT2_SYSCALL (1u << 11)
#define CPUID_EXT2_NX      (1u << 20)
#define CPUID_EXT2_PDPE1GB (1u << 26)
#define CPUID_EXT2_RDTSCP  (1u << 27)
#define CPUID_EXT2_LM      (1u << 29)
#define CPUID_EXT3_LAHF_LM (1u << 0)
#define CPUID_EXT3_SVM     (1u << 2)
#define CPUID_EXT3_ABM     (1u << 5)   /* LZCNT */
#define CPUID_EXT3_SSE4A   (1u << 6)
#define CPUID_EXT3_3DNOWPREFETCH (1u << 8)
#define CPUID_XSAVE_XSAVEOPT (1u << 0)
#define CPUID_XSAVE_XSAVEC  (1u << 1)
#define CPUID_XSAVE_XGETBV1 (1u << 2)
#define CPUID_XSAVE_XSAVES  (1u << 3)
#define CPUID_APM_INVTSC    (1u << 8)

/* XCR0 bits (SDM 1, 13.1). */
#define XSTATE_FP   (1ULL << 0)
#define XSTATE_SSE  (1ULL << 1)
#define XSTATE_YMM  (1ULL << 2)

typedef struct SegmentCache {
    uint32_t selector;
    uint64_t base;
    uint32_t limit;     /* expanded (granularity applied) */
    uint32_t flags;     /* DESC_* bits */
} SegmentCache;

/* A 256-bit vector register (XMM in the low half, AVX upper half). */
typedef union X86Vec {
    uint8_t b[32];
    uint16_t w[16];
    uint32_t l[8];
    uint64_t q[4];
    int8_t sb[32];
    int16_t sw[16];
    int32_t sl[8];
    int64_t sq[4];
    float s[8];
    double d[4];
} X86Vec;

/* An x87 register in the 80-bit extended format (SDM 1, 4.2.2). */
typedef struct X87Reg {
    uint64_t mant;
    uint16_t exp;       /* sign in bit 15 */
} X87Reg;

typedef struct CPUX86State {
    /* Integer state. */
    uint64_t regs[CPU_NB_REGS];
    uint64_t rip;
    /*
     * EFLAGS. The arithmetic flags may be held lazily by TCG in cc_*;
     * cpu_compute_eflags() returns the full value and cpu_load_eflags()
     * sets it. Outside TCG (KVM, reset, gdb) eflags is complete and
     * cc_op is CC_OP_EFLAGS.
     */
    uint64_t eflags;
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;
    int32_t df;                 /* 1 or -1 (TCG); kept in sync with DF */

    /* Segments and tables. */
    SegmentCache segs[6];
    SegmentCache ldt;
    SegmentCache tr;
    SegmentCache gdt;           /* only base and limit */
    SegmentCache idt;

    /* System registers. */
    uint64_t cr[5];             /* CR0, (CR1), CR2, CR3, CR4 */
    uint64_t efer;
    uint64_t xcr0;
    uint64_t dr[8];
    uint32_t hflags;            /* HF_*: derived mode bits (TCG) */
    uint32_t hflags2;
    uint64_t a20_mask;

    /* MSRs. */
    uint64_t star, lstar, cstar, fmask;
    uint64_t kernelgsbase;
    uint32_t sysenter_cs;
    uint64_t sysenter_esp, sysenter_eip;
    uint64_t tsc;               /* value at tsc_ref_ns (TCG) */
    uint64_t tsc_adjust;
    uint64_t tsc_aux;
    uint64_t tsc_deadline;
    uint64_t pat;
    uint64_t misc_enable;
    uint64_t apic_base;
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];
    struct { uint64_t base, mask; } mtrr_var[MSR_MTRR_VAR_COUNT];
    uint64_t mcg_cap, mcg_status, mcg_ctl;
    uint64_t spec_ctrl;
    uint64_t system_time_msr, wall_clock_msr;   /* kvmclock */

    /* x87 FPU (SDM 1, 8.1). */
    unsigned fpstt;             /* top of stack */
    uint16_t fpus;              /* status word, without TOP */
    uint16_t fpuc;              /* control word */
    uint8_t fptags[8];          /* 1 = empty */
    X87Reg fpregs[8];           /* physical registers ST(i) = fpregs[(fpstt + i) & 7] */
    uint16_t fpop;
    uint64_t fpip, fpdp;
    uint16_t fpcs, fpds;

    /* SSE / AVX. */
    uint32_t mxcsr;
    X86Vec xmm[CPU_NB_REGS];
    X86Vec xmm_t0;              /* scratch for the translator */
    uint64_t mmx_t0;

    /* CPUID description (set up by x86_cpu_init from -cpu). */
    uint32_t cpuid_level;       /* max basic leaf */
    uint32_t cpuid_xlevel;      /* max extended leaf */
    uint32_t cpuid_vendor[3];   /* EBX, EDX, ECX of leaf 0 */
    uint32_t cpuid_version;     /* leaf 1 EAX */
    char cpuid_model[48];
    uint32_t features[FEATURE_WORDS];

    /* Interrupt and event state. */
    int32_t exception_injected; /* -1 or vector (KVM event sync) */
    int32_t interrupt_injected;
    uint8_t soft_interrupt;
    uint8_t has_error_code;
    uint32_t error_code;
    uint8_t nmi_injected;
    uint8_t nmi_pending;
    uint32_t sipi_vector;
    bool tsc_valid;
    bool in_reset;

    /* Topology for CPUID leaves 1, 4, 0xb (from -smp). */
    uint32_t nr_cores;          /* cores per socket */
    uint32_t nr_threads;        /* threads per core */

    /* Back references. */
    CPUState *cs;
    void *apic;                 /* DeviceState * of the local APIC */
    void *opaque;               /* mode-specific (user/system) data */
} CPUX86State;

typedef struct X86CPU {
    CPUState parent;
    CPUX86State env;
} X86CPU;

static inline X86CPU *x86_cpu(CPUState *cs)
{
    return container_of(cs, X86CPU, parent);
}
static inline CPUX86State *cpu_env(CPUState *cs)
{
    return &x86_cpu(cs)->env;
}

/* Lazy-flags representation shared by everything outside TCG. */
#define CC_OP_EFLAGS 1          /* arith flags are in cc_src */

/* CPU models for -cpu; "help" lists them. */
typedef struct X86CPUModel {
    const char *name;
    const char *desc;
    uint32_t level, xlevel;
    const char *vendor;         /* 12 characters */
    uint32_t family, model, stepping;
    const char *model_id;
    uint32_t features[FEATURE_WORDS];
} X86CPUModel;

const X86CPUModel *x86_cpu_model_find(const char *name);
void x86_cpu_model_list(FILE *f);
/*
 * Set env's CPUID description from a model name plus "+feat,-feat"
 * modifiers (the -cpu argument). "host" and "max" take what is given
 * in host_features (from KVM or the translator's supported set).
 */
bool x86_cpu_apply_model(CPUX86State *env, const char *cpu_spec,
                         const uint32_t *supported, GError **errp);
/* CPUID output for a leaf, from env's description and the topology. */
void x86_cpu_get_cpuid(CPUX86State *env, uint32_t index, uint32_t count,
                       uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
                       uint32_t *edx);
/* Architectural reset state (SDM 3A, 9.1.1): real mode at F000:FFF0. */
void x86_cpu_reset(CPUX86State *env);
/*
 * The CPU's part of INIT (SDM 3A, 9.1.1, table 9-1): x86_cpu_reset, but
 * IA32_APIC_BASE, the MTRRs and PAT keep their values, and so does a
 * SIPI vector that the APIC accepted before the vCPU got to the INIT
 * (INIT and SIPI sent back to back). The accelerator does the rest.
 */
void x86_cpu_init_reset(CPUX86State *env);

/* Full EFLAGS value, folding in lazily kept flags (see target/x86/tcg). */
uint64_t cpu_compute_eflags(CPUX86State *env);
void cpu_load_eflags(CPUX86State *env, uint64_t eflags, uint64_t mask);
/* Recompute hflags after a direct change of CR0/CR4/EFER/segments. */
void cpu_x86_update_hflags(CPUX86State *env);
/* Load a segment register cache directly (no descriptor checks). */
void cpu_x86_load_seg_cache(CPUX86State *env, int seg, uint32_t selector,
                            uint64_t base, uint32_t limit, uint32_t flags);
/* Print registers, for -d cpu and fatal errors. */
void x86_cpu_dump_state(CPUX86State *env, FILE *f);

/* hflags bits: the mode summary the translator keys blocks on. */
#define HF_CPL_MASK       (3 << 0)
#define HF_INHIBIT_IRQ_MASK (1 << 3)  /* interrupt shadow (STI, MOV SS) */
#define HF_CS32_MASK      (1 << 4)
#define HF_SS32_MASK      (1 << 5)
#define HF_ADDSEG_MASK    (1 << 6)    /* DS/ES/SS bases may be non-zero */
#define HF_PE_MASK        (1 << 7)
#define HF_TF_MASK        (1 << 8)
#define HF_MP_MASK        (1 << 9)
#define HF_EM_MASK        (1 << 10)
#define HF_TS_MASK        (1 << 11)
#define HF_IOPL_MASK      (3 << 12)
#define HF_LMA_MASK       (1 << 14)
#define HF_CS64_MASK      (1 << 15)
#define HF_RF_MASK        (1 << 16)
#define HF_VM_MASK        (1 << 17)
#define HF_AC_MASK        (1 << 18)
#define HF_SMM_MASK       (1 << 19)
#define HF_OSFXSR_MASK    (1 << 22)
#define HF_SMAP_MASK      (1 << 23)
#define HF_AVX_EN_MASK    (1 << 24)   /* OSXSAVE and XCR0 enable YMM */
#define HF_USER_MASK      (1 << 25)   /* user-mode emulation (linux-user) */
#define HF_HALTED_MASK    (1 << 26)
#define HF2_GIF_MASK      (1 << 0)
#define HF2_NMI_MASK      (1 << 2)    /* NMI blocked until IRET */

#endif
