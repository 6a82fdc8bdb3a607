/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 CPU models, CPUID and reset.
 *
 * CPUID leaves follow the Intel SDM vol. 2A, "CPUID"; the AMD leaves
 * (0x8000_00xx) the AMD APM vol. 3, appendix E.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "target/x86/cpu.h"

typedef struct FeatureName {
    FeatureWord w;
    uint32_t bit;
    const char *name;
} FeatureName;

static const FeatureName feature_names[] = {
    { FEAT_1_EDX, CPUID_FP87, "fpu" }, { FEAT_1_EDX, CPUID_VME, "vme" },
    { FEAT_1_EDX, CPUID_DE, "de" }, { FEAT_1_EDX, CPUID_PSE, "pse" },
    { FEAT_1_EDX, CPUID_TSC, "tsc" }, { FEAT_1_EDX, CPUID_MSR, "msr" },
    { FEAT_1_EDX, CPUID_PAE, "pae" }, { FEAT_1_EDX, CPUID_MCE, "mce" },
    { FEAT_1_EDX, CPUID_CX8, "cx8" }, { FEAT_1_EDX, CPUID_APIC, "apic" },
    { FEAT_1_EDX, CPUID_SEP, "sep" }, { FEAT_1_EDX, CPUID_MTRR, "mtrr" },
    { FEAT_1_EDX, CPUID_PGE, "pge" }, { FEAT_1_EDX, CPUID_MCA, "mca" },
    { FEAT_1_EDX, CPUID_CMOV, "cmov" }, { FEAT_1_EDX, CPUID_PAT, "pat" },
    { FEAT_1_EDX, CPUID_PSE36, "pse36" },
    { FEAT_1_EDX, CPUID_CLFLUSH, "clflush" },
    { FEAT_1_EDX, CPUID_MMX, "mmx" }, { FEAT_1_EDX, CPUID_FXSR, "fxsr" },
    { FEAT_1_EDX, CPUID_SSE, "sse" }, { FEAT_1_EDX, CPUID_SSE2, "sse2" },
    { FEAT_1_EDX, CPUID_SS, "ss" }, { FEAT_1_EDX, CPUID_HT, "ht" },
    { FEAT_1_ECX, CPUID_EXT_SSE3, "pni" },
    { FEAT_1_ECX, CPUID_EXT_SSE3, "sse3" },
    { FEAT_1_ECX, CPUID_EXT_PCLMULQDQ, "pclmulqdq" },
    { FEAT_1_ECX, CPUID_EXT_MONITOR, "monitor" },
    { FEAT_1_ECX, CPUID_EXT_SSSE3, "ssse3" },
    { FEAT_1_ECX, CPUID_EXT_FMA, "fma" },
    { FEAT_1_ECX, CPUID_EXT_CX16, "cx16" },
    { FEAT_1_ECX, CPUID_EXT_PCID, "pcid" },
    { FEAT_1_ECX, CPUID_EXT_SSE41, "sse4.1" },
    { FEAT_1_ECX, CPUID_EXT_SSE41, "sse4_1" },
    { FEAT_1_ECX, CPUID_EXT_SSE42, "sse4.2" },
    { FEAT_1_ECX, CPUID_EXT_SSE42, "sse4_2" },
    { FEAT_1_ECX, CPUID_EXT_X2APIC, "x2apic" },
    { FEAT_1_ECX, CPUID_EXT_MOVBE, "movbe" },
    { FEAT_1_ECX, CPUID_EXT_POPCNT, "popcnt" },
    { FEAT_1_ECX, CPUID_EXT_TSC_DEADLINE_TIMER, "tsc-deadline" },
    { FEAT_1_ECX, CPUID_EXT_AES, "aes" },
    { FEAT_1_ECX, CPUID_EXT_XSAVE, "xsave" },
    { FEAT_1_ECX, CPUID_EXT_AVX, "avx" },
    { FEAT_1_ECX, CPUID_EXT_F16C, "f16c" },
    { FEAT_1_ECX, CPUID_EXT_RDRAND, "rdrand" },
    { FEAT_1_ECX, CPUID_EXT_HYPERVISOR, "hypervisor" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_FSGSBASE, "fsgsbase" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_BMI1, "bmi1" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_AVX2, "avx2" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_SMEP, "smep" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_BMI2, "bmi2" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_ERMS, "erms" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_INVPCID, "invpcid" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_RDSEED, "rdseed" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_ADX, "adx" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_SMAP, "smap" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_CLFLUSHOPT, "clflushopt" },
    { FEAT_7_0_EBX, CPUID_7_0_EBX_SHA_NI, "sha-ni" },
    { FEAT_7_0_ECX, CPUID_7_0_ECX_UMIP, "umip" },
    { FEAT_7_0_ECX, CPUID_7_0_ECX_RDPID, "rdpid" },
    { FEAT_7_0_EDX, CPUID_7_0_EDX_FSRM, "fsrm" },
    { FEAT_8000_0001_EDX, CPUID_EXT2_SYSCALL, "syscall" },
    { FEAT_8000_0001_EDX, CPUID_EXT2_NX, "nx" },
    { FEAT_8000_0001_EDX, CPUID_EXT2_PDPE1GB, "pdpe1gb" },
    { FEAT_8000_0001_EDX, CPUID_EXT2_RDTSCP, "rdtscp" },
    { FEAT_8000_0001_EDX, CPUID_EXT2_LM, "lm" },
    { FEAT_8000_0001_ECX, CPUID_EXT3_LAHF_LM, "lahf_lm" },
    { FEAT_8000_0001_ECX, CPUID_EXT3_SVM, "svm" },
    { FEAT_8000_0001_ECX, CPUID_EXT3_ABM, "abm" },
    { FEAT_8000_0001_ECX, CPUID_EXT3_ABM, "lzcnt" },
    { FEAT_8000_0001_ECX, CPUID_EXT3_SSE4A, "sse4a" },
    { FEAT_8000_0001_ECX, CPUID_EXT3_3DNOWPREFETCH, "3dnowprefetch" },
    { FEAT_8000_0007_EDX, CPUID_APM_INVTSC, "invtsc" },
    { FEAT_XSAVE, CPUID_XSAVE_XSAVEOPT, "xsaveopt" },
    { FEAT_XSAVE, CPUID_XSAVE_XSAVEC, "xsavec" },
    { FEAT_XSAVE, CPUID_XSAVE_XGETBV1, "xgetbv1" },
};

#define BASE_EDX (CPUID_FP87 | CPUID_DE | CPUID_PSE | CPUID_TSC | \
                  CPUID_MSR | CPUID_PAE | CPUID_MCE | CPUID_CX8 | \
                  CPUID_APIC | CPUID_SEP | CPUID_MTRR | CPUID_PGE | \
                  CPUID_MCA | CPUID_CMOV | CPUID_PAT | CPUID_PSE36 | \
                  CPUID_CLFLUSH | CPUID_MMX | CPUID_FXSR | CPUID_SSE | \
                  CPUID_SSE2)

/*
 * The models. "qemu64" matches QEMU's default model so guests see the
 * same CPU; "max" and "host" are filled from what the accelerator
 * supports.
 */
static const X86CPUModel models[] = {
    {
        .name = "qemu64",
        .desc = "QEMU-compatible 64-bit CPU (the default)",
        .level = 0xd, .xlevel = 0x8000000a,
        .vendor = "AuthenticAMD",
        .family = 15, .model = 107, .stepping = 1,
        .model_id = "QEMU Virtual CPU version 2.5+",
        .features = {
            [FEAT_1_EDX] = BASE_EDX,
            [FEAT_1_ECX] = CPUID_EXT_SSE3 | CPUID_EXT_CX16,
            [FEAT_8000_0001_EDX] = CPUID_EXT2_LM | CPUID_EXT2_SYSCALL |
                                   CPUID_EXT2_NX,
            [FEAT_8000_0001_ECX] = CPUID_EXT3_LAHF_LM | CPUID_EXT3_SVM,
        },
    },
    {
        .name = "kvm64",
        .desc = "Common KVM processor",
        .level = 0xd, .xlevel = 0x80000008,
        .vendor = "GenuineIntel",
        .family = 15, .model = 6, .stepping = 1,
        .model_id = "Common KVM processor",
        .features = {
            [FEAT_1_EDX] = BASE_EDX,
            [FEAT_1_ECX] = CPUID_EXT_SSE3 | CPUID_EXT_CX16,
            [FEAT_8000_0001_EDX] = CPUID_EXT2_LM | CPUID_EXT2_SYSCALL |
                                   CPUID_EXT2_NX,
        },
    },
    {
        .name = "max",
        .desc = "Enables all features supported by the accelerator",
        .level = 0xd, .xlevel = 0x80000008,
        .vendor = "GenuineIntel",
        .family = 6, .model = 85, .stepping = 4,
        .model_id = "Ember Virtual CPU (max)",
    },
    {
        .name = "host",
        .desc = "The host CPU's model and all features KVM supports",
        .level = 0xd, .xlevel = 0x80000008,
        .vendor = "GenuineIntel",
        .family = 6, .model = 85, .stepping = 4,
        .model_id = "Ember Virtual CPU (host)",
    },
};

const X86CPUModel *x86_cpu_model_find(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(models); i++) {
        if (!strcmp(models[i].name, name)) {
            return &models[i];
        }
    }
    return NULL;
}

void x86_cpu_model_list(FILE *f)
{
    fprintf(f, "Available CPUs:\n");
    for (unsigned i = 0; i < ARRAY_SIZE(models); i++) {
        fprintf(f, "  %-12s %s\n", models[i].name, models[i].desc);
    }
    fprintf(f, "\nRecognized CPUID flags (+flag / -flag / flag=on|off):\n ");
    for (unsigned i = 0; i < ARRAY_SIZE(feature_names); i++) {
        fprintf(f, " %s", feature_names[i].name);
    }
    fprintf(f, "\n");
}

static const FeatureName *feature_find(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(feature_names); i++) {
        if (!strcmp(feature_names[i].name, name)) {
            return &feature_names[i];
        }
    }
    return NULL;
}

bool x86_cpu_apply_model(CPUX86State *env, const char *cpu_spec,
                         const uint32_t *supported, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(cpu_spec ? cpu_spec : "qemu64", ",", -1);
    const X86CPUModel *m = x86_cpu_model_find(parts[0]);
    bool is_max;

    if (!m) {
        error_setg(errp, "unable to find CPU model '%s' (try -cpu help)",
                   parts[0]);
        return false;
    }
    is_max = !strcmp(m->name, "max") || !strcmp(m->name, "host");
    env->cpuid_level = m->level;
    env->cpuid_xlevel = m->xlevel;
    memcpy(&env->cpuid_vendor[0], m->vendor, 4);
    memcpy(&env->cpuid_vendor[1], m->vendor + 4, 4);
    memcpy(&env->cpuid_vendor[2], m->vendor + 8, 4);
    env->cpuid_version = (m->stepping & 0xf) | ((m->model & 0xf) << 4) |
                         ((m->family > 15 ? 15 : m->family) << 8) |
                         (((m->model >> 4) & 0xf) << 16) |
                         ((m->family > 15 ? m->family - 15 : 0) << 20);
    g_strlcpy(env->cpuid_model, m->model_id, sizeof(env->cpuid_model));
    for (int w = 0; w < FEATURE_WORDS; w++) {
        env->features[w] = is_max && supported ? supported[w] : m->features[w];
    }
    /* Every model says it is a guest (so Linux uses paravirt hints). */
    env->features[FEAT_1_ECX] |= CPUID_EXT_HYPERVISOR;

    for (char **p = parts + 1; *p; p++) {
        const char *name = *p;
        bool on;
        const FeatureName *fn;
        g_autofree char *key = NULL;

        if (!**p) {
            continue;
        }
        if (*name == '+' || *name == '-') {
            on = *name == '+';
            key = g_strdup(name + 1);
        } else if (strchr(name, '=')) {
            const char *v = strchr(name, '=') + 1;
            key = g_strndup(name, strchr(name, '=') - name);
            if (!strcmp(v, "on") || !strcmp(v, "true")) {
                on = true;
            } else if (!strcmp(v, "off") || !strcmp(v, "false")) {
                on = false;
            } else {
                error_setg(errp, "CPU property '%s' expects on or off", key);
                return false;
            }
        } else {
            key = g_strdup(name);
            on = true;
        }
        fn = feature_find(key);
        if (!fn) {
            error_setg(errp, "CPU feature '%s' not found (try -cpu help)",
                       key);
            return false;
        }
        if (on) {
            env->features[fn->w] |= fn->bit;
        } else {
            env->features[fn->w] &= ~fn->bit;
        }
    }
    /* Never advertise what the accelerator cannot do. */
    if (supported) {
        for (int w = 0; w < FEATURE_WORDS; w++) {
            if (w == FEAT_1_ECX) {
                env->features[w] &= supported[w] | CPUID_EXT_HYPERVISOR;
            } else {
                env->features[w] &= supported[w];
            }
        }
    }
    /* OSXSAVE is a run-time bit (CR4), never a static feature. */
    env->features[FEAT_1_ECX] &= ~CPUID_EXT_OSXSAVE;
    if (!env->nr_cores) {
        env->nr_cores = 1;
    }
    if (!env->nr_threads) {
        env->nr_threads = 1;
    }
    return true;
}

static unsigned log2_ceil(unsigned n)
{
    unsigned r = 0;

    while ((1u << r) < n) {
        r++;
    }
    return r;
}

void x86_cpu_get_cpuid(CPUX86State *env, uint32_t index, uint32_t count,
                       uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
                       uint32_t *edx)
{
    uint32_t apic_id = env->cs ? env->cs->apic_id : 0;
    unsigned threads = env->nr_threads ? env->nr_threads : 1;
    unsigned cores = env->nr_cores ? env->nr_cores : 1;
    unsigned smt_bits = log2_ceil(threads);
    unsigned core_bits = log2_ceil(cores);

    /* Out-of-range leaves return the highest basic leaf (SDM 2A). */
    if (index >= 0x80000000) {
        if (index > env->cpuid_xlevel) {
            index = env->cpuid_level;
        }
    } else if (index >= 0x40000000 && index < 0x40000100) {
        /* Hypervisor leaves: answered by the accelerator, if at all. */
        *eax = *ebx = *ecx = *edx = 0;
        return;
    } else if (index > env->cpuid_level) {
        index = env->cpuid_level;
    }
    *eax = *ebx = *ecx = *edx = 0;

    switch (index) {
    case 0:
        *eax = env->cpuid_level;
        *ebx = env->cpuid_vendor[0];
        *edx = env->cpuid_vendor[1];
        *ecx = env->cpuid_vendor[2];
        break;
    case 1:
        *eax = env->cpuid_version;
        /* CLFLUSH line size 8*8, logical processor count, APIC ID. */
        *ebx = (8 << 8) | ((apic_id & 0xff) << 24);
        if (threads * cores > 1) {
            *ebx |= (MIN(threads * cores, 255u) << 16);
        }
        *ecx = env->features[FEAT_1_ECX];
        if ((env->cr[4] & CR4_OSXSAVE_MASK) &&
            (*ecx & CPUID_EXT_XSAVE)) {
            *ecx |= CPUID_EXT_OSXSAVE;
        }
        *edx = env->features[FEAT_1_EDX];
        if (threads * cores > 1) {
            *edx |= CPUID_HT;
        }
        break;
    case 2:
        /* No descriptors: use leaf 4 (descriptor 0xff). */
        *eax = 0x00000001;
        *edx = 0x000000ff;
        break;
    case 4: {
        /* Deterministic cache parameters: L1d, L1i, L2, L3. */
        static const struct { int type, level, ways, sets, shared_ht; }
        caches[] = {
            { 1, 1, 8, 64, 1 },         /* 32 KiB L1d */
            { 2, 1, 8, 64, 1 },         /* 32 KiB L1i */
            { 3, 2, 16, 1024, 1 },      /* 1 MiB L2 */
            { 3, 3, 16, 16384, 0 },     /* 16 MiB L3, shared by the package */
        };
        if (count < ARRAY_SIZE(caches)) {
            unsigned share = caches[count].shared_ht ? threads
                                                     : threads * cores;
            *eax = caches[count].type | (caches[count].level << 5) |
                   (1 << 8) | ((share - 1) << 14) |
                   (((1u << core_bits) - 1) << 26);
            *ebx = (64 - 1) | ((1 - 1) << 12) |
                   ((caches[count].ways - 1) << 22);
            *ecx = caches[count].sets - 1;
            *edx = caches[count].level == 3 ? 0 : 1;
        }
        break;
    }
    case 6:
        *eax = env->features[FEAT_6_EAX];
        break;
    case 7:
        if (count == 0) {
            *eax = 1;
            *ebx = env->features[FEAT_7_0_EBX];
            *ecx = env->features[FEAT_7_0_ECX];
            *edx = env->features[FEAT_7_0_EDX];
        } else if (count == 1) {
            *eax = env->features[FEAT_7_1_EAX];
        }
        break;
    case 0xb:
        /* Extended topology (SDM 2A, CPUID leaf 0BH). */
        if (count == 0) {
            *eax = smt_bits;
            *ebx = threads;
            *ecx = count | (1 << 8);
        } else if (count == 1) {
            *eax = smt_bits + core_bits;
            *ebx = threads * cores;
            *ecx = count | (2 << 8);
        } else {
            *ecx = count;
        }
        *edx = apic_id;
        break;
    case 0xd:
        if (!(env->features[FEAT_1_ECX] & CPUID_EXT_XSAVE)) {
            break;
        }
        if (count == 0) {
            uint64_t mask = XSTATE_FP | XSTATE_SSE;
            if (env->features[FEAT_1_ECX] & CPUID_EXT_AVX) {
                mask |= XSTATE_YMM;
            }
            *eax = mask;
            *ecx = (mask & XSTATE_YMM) ? 576 + 256 : 576;
            *ebx = (env->xcr0 & XSTATE_YMM) ? 576 + 256 : 576;
        } else if (count == 1) {
            *eax = env->features[FEAT_XSAVE];
        } else if (count == 2 &&
                   (env->features[FEAT_1_ECX] & CPUID_EXT_AVX)) {
            *eax = 256;
            *ebx = 576;
        }
        break;
    case 0x80000000:
        *eax = env->cpuid_xlevel;
        *ebx = env->cpuid_vendor[0];
        *edx = env->cpuid_vendor[1];
        *ecx = env->cpuid_vendor[2];
        break;
    case 0x80000001:
        *eax = env->cpuid_version;
        *ecx = env->features[FEAT_8000_0001_ECX];
        *edx = env->features[FEAT_8000_0001_EDX];
        /* AMD CPUs mirror the leaf-1 EDX bits here (APM 3, E.4.2). */
        if (env->cpuid_vendor[0] == 0x68747541) {   /* "Auth" */
            *edx |= env->features[FEAT_1_EDX] & 0x0183f3ff;
        }
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
        uint32_t regs[4];
        memcpy(regs, env->cpuid_model + (index - 0x80000002) * 16, 16);
        *eax = regs[0];
        *ebx = regs[1];
        *ecx = regs[2];
        *edx = regs[3];
        break;
    }
    case 0x80000005:
        /* AMD L1 cache/TLB: 64 KiB 2-way L1d and L1i, 64-byte lines. */
        *eax = 0x01ff01ff;
        *ebx = 0x01ff01ff;
        *ecx = 0x40020140;
        *edx = 0x40020140;
        break;
    case 0x80000006:
        /* L2: 512 KiB, 16-way, 64-byte lines. */
        *ecx = (512 << 16) | (0x8 << 12) | 64;
        break;
    case 0x80000007:
        *edx = env->features[FEAT_8000_0007_EDX];
        break;
    case 0x80000008:
        /* 40 physical, 48 virtual address bits. */
        *eax = 0x00003028;
        *ebx = env->features[FEAT_8000_0008_EBX];
        if (threads * cores > 1) {
            *ecx = threads * cores - 1;
        }
        break;
    case 0x8000000a:
        /* SVM leaf: advertised by qemu64 but SVM itself is not run. */
        break;
    default:
        break;
    }
}

void cpu_x86_load_seg_cache(CPUX86State *env, int seg, uint32_t selector,
                            uint64_t base, uint32_t limit, uint32_t flags)
{
    SegmentCache *sc = &env->segs[seg];

    sc->selector = selector;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
    cpu_x86_update_hflags(env);
}

void cpu_x86_update_hflags(CPUX86State *env)
{
    uint32_t hf = env->hflags &
                  (HF_INHIBIT_IRQ_MASK | HF_SMM_MASK | HF_USER_MASK |
                   HF_HALTED_MASK | HF_RF_MASK);

    if (env->cr[0] & CR0_PE_MASK) {
        hf |= HF_PE_MASK;
        if (env->eflags & VM_MASK) {
            hf |= HF_VM_MASK | 3;
        } else {
            hf |= (env->segs[R_SS].flags >> DESC_DPL_SHIFT) & 3;
        }
    }
    if (env->cr[0] & CR0_MP_MASK) {
        hf |= HF_MP_MASK;
    }
    if (env->cr[0] & CR0_EM_MASK) {
        hf |= HF_EM_MASK;
    }
    if (env->cr[0] & CR0_TS_MASK) {
        hf |= HF_TS_MASK;
    }
    if (env->cr[4] & CR4_OSFXSR_MASK) {
        hf |= HF_OSFXSR_MASK;
    }
    if (env->cr[4] & CR4_SMAP_MASK) {
        hf |= HF_SMAP_MASK;
    }
    if ((env->cr[4] & CR4_OSXSAVE_MASK) && (env->xcr0 & XSTATE_YMM)) {
        hf |= HF_AVX_EN_MASK;
    }
    if (env->eflags & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    if ((env->eflags & AC_MASK) && (env->cr[0] & CR0_AM_MASK)) {
        hf |= HF_AC_MASK;
    }
    hf |= (env->eflags & IOPL_MASK);
    if (env->efer & MSR_EFER_LMA) {
        hf |= HF_LMA_MASK;
    }
    if ((hf & HF_LMA_MASK) && (env->segs[R_CS].flags & DESC_L_MASK)) {
        hf |= HF_CS32_MASK | HF_SS32_MASK | HF_CS64_MASK;
    } else {
        if (env->segs[R_CS].flags & DESC_B_MASK) {
            hf |= HF_CS32_MASK;
        }
        if (env->segs[R_SS].flags & DESC_B_MASK) {
            hf |= HF_SS32_MASK;
        }
        if (!(hf & HF_PE_MASK) || (hf & HF_VM_MASK) || !(hf & HF_CS32_MASK) ||
            env->segs[R_DS].base || env->segs[R_ES].base ||
            env->segs[R_SS].base) {
            hf |= HF_ADDSEG_MASK;
        }
    }
    env->hflags = hf;
}

void x86_cpu_reset(CPUX86State *env)
{
    CPUState *cs = env->cs;
    uint32_t features[FEATURE_WORDS];
    uint32_t level = env->cpuid_level, xlevel = env->cpuid_xlevel;
    uint32_t vendor[3], version = env->cpuid_version;
    char model[48];
    uint32_t cores = env->nr_cores, threads = env->nr_threads;
    void *apic = env->apic, *opaque = env->opaque;
    uint64_t apic_base;

    /* Keep the CPUID description and links; clear the rest. */
    memcpy(features, env->features, sizeof(features));
    memcpy(vendor, env->cpuid_vendor, sizeof(vendor));
    memcpy(model, env->cpuid_model, sizeof(model));
    memset(env, 0, sizeof(*env));
    memcpy(env->features, features, sizeof(features));
    memcpy(env->cpuid_vendor, vendor, sizeof(vendor));
    memcpy(env->cpuid_model, model, sizeof(model));
    env->cpuid_level = level;
    env->cpuid_xlevel = xlevel;
    env->cpuid_version = version;
    env->nr_cores = cores;
    env->nr_threads = threads;
    env->cs = cs;
    env->apic = apic;
    env->opaque = opaque;

    /* SDM 3A, table 9-1. */
    env->cr[0] = CR0_ET_MASK | CR0_CD_MASK | CR0_NW_MASK;
    env->a20_mask = ~0ULL;
    env->eflags = 0x2;
    env->cc_op = CC_OP_EFLAGS;
    env->df = 1;
    env->rip = 0xfff0;
    env->regs[R_EDX] = env->cpuid_version;
    for (int i = 0; i < 6; i++) {
        env->segs[i].limit = 0xffff;
        env->segs[i].flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK |
                             DESC_A_MASK;
    }
    env->segs[R_CS].selector = 0xf000;
    env->segs[R_CS].base = 0xffff0000;
    env->segs[R_CS].flags = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                            DESC_R_MASK | DESC_A_MASK;
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    env->ldt.limit = 0xffff;
    env->ldt.flags = DESC_P_MASK | (2 << DESC_TYPE_SHIFT);
    env->tr.limit = 0xffff;
    env->tr.flags = DESC_P_MASK | (11 << DESC_TYPE_SHIFT);
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->xcr0 = XSTATE_FP;
    env->fpuc = 0x37f;
    env->fpus = 0;
    memset(env->fptags, 1, sizeof(env->fptags));
    env->mxcsr = 0x1f80;
    env->pat = 0x0007040600070406ULL;
    env->misc_enable = 1;       /* fast strings */
    env->mtrr_deftype = 0;
    env->mcg_cap = 0;
    env->exception_injected = -1;
    env->interrupt_injected = -1;
    apic_base = 0xfee00000ULL | MSR_IA32_APICBASE_ENABLE;
    if (cs && cs->cpu_index == 0) {
        apic_base |= MSR_IA32_APICBASE_BSP;
    }
    env->apic_base = apic_base;
    env->hflags2 = HF2_GIF_MASK;
    cpu_x86_update_hflags(env);
}

void x86_cpu_init_reset(CPUX86State *env)
{
    uint64_t apic_base = env->apic_base, pat = env->pat;
    uint64_t deftype = env->mtrr_deftype;
    uint32_t sipi_vector = env->sipi_vector;
    typeof(env->mtrr_fixed) fixed;
    typeof(env->mtrr_var) var;

    memcpy(fixed, env->mtrr_fixed, sizeof(fixed));
    memcpy(var, env->mtrr_var, sizeof(var));
    x86_cpu_reset(env);
    env->apic_base = apic_base;
    env->pat = pat;
    env->mtrr_deftype = deftype;
    env->sipi_vector = sipi_vector;
    memcpy(env->mtrr_fixed, fixed, sizeof(fixed));
    memcpy(env->mtrr_var, var, sizeof(var));
}

void x86_cpu_dump_state(CPUX86State *env, FILE *f)
{
    static const char *const names[] = {
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
    };
    static const char *const seg_names[] = { "ES", "CS", "SS", "DS", "FS",
                                              "GS" };
    uint64_t fl = cpu_compute_eflags(env);

    for (int i = 0; i < 16; i++) {
        fprintf(f, "%s=%016" PRIx64 "%s", names[i], env->regs[i],
                (i & 3) == 3 ? "\n" : " ");
    }
    fprintf(f, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " [%c%c%c%c%c%c%c] CPL=%d"
            " HLT=%d\n", env->rip, fl,
            fl & DF_MASK ? 'D' : '-', fl & CC_O ? 'O' : '-',
            fl & CC_S ? 'S' : '-', fl & CC_Z ? 'Z' : '-',
            fl & CC_A ? 'A' : '-', fl & CC_P ? 'P' : '-',
            fl & CC_C ? 'C' : '-', env->hflags & HF_CPL_MASK,
            !!(env->hflags & HF_HALTED_MASK));
    for (int i = 0; i < 6; i++) {
        fprintf(f, "%s =%04x %016" PRIx64 " %08x %08x\n", seg_names[i],
                env->segs[i].selector, env->segs[i].base, env->segs[i].limit,
                env->segs[i].flags);
    }
    fprintf(f, "LDT=%04x %016" PRIx64 " %08x %08x\n", env->ldt.selector,
            env->ldt.base, env->ldt.limit, env->ldt.flags);
    fprintf(f, "TR =%04x %016" PRIx64 " %08x %08x\n", env->tr.selector,
            env->tr.base, env->tr.limit, env->tr.flags);
    fprintf(f, "GDT=     %016" PRIx64 " %08x\n", env->gdt.base, env->gdt.limit);
    fprintf(f, "IDT=     %016" PRIx64 " %08x\n", env->idt.base, env->idt.limit);
    fprintf(f, "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64
            " CR4=%08" PRIx64 "\n", env->cr[0], env->cr[2], env->cr[3],
            env->cr[4]);
    fprintf(f, "EFER=%016" PRIx64 "\n", env->efer);
}
