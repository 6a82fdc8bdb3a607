/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * REP string instructions (SDM vol. 2B, "REP/REPE/REPZ/REPNE/REPNZ").
 * The registers are updated as the copy goes, a page at a time, so a
 * fault leaves them where the architecture says: the instruction can be
 * restarted and continues from there.
 */
#include "ember/osdep.h"
#include "exec/exec-all.h"
#include "exec/cpu-ldst.h"
#include "target/x86/cpu.h"
#include "cc.h"
#include "helper.h"

static uint64_t amask(uint64_t aflag)
{
    return aflag == MO_64 ? ~0ull : aflag == MO_32 ? 0xffffffffull : 0xffff;
}

static void set_reg(CPUX86State *env, int r, uint64_t v, uint64_t aflag)
{
    uint64_t m = amask(aflag);

    if (aflag == MO_32) {
        env->regs[r] = (uint32_t)v;
    } else {
        env->regs[r] = (env->regs[r] & ~m) | (v & m);
    }
}

/*
 * Outside 64-bit mode (system mode's legacy guests) ES's base applies to
 * rDI and linear addresses wrap at 4 GiB; in 64-bit mode both are no-ops.
 */
static uint64_t lin(CPUX86State *env, uint64_t a)
{
    return (env->hflags & HF_CS64_MASK) ? a : (uint32_t)a;
}

static uint64_t es_lin(CPUX86State *env, uint64_t di)
{
    return (env->hflags & HF_CS64_MASK) ? di
                                        : (uint32_t)(env->segs[R_ES].base + di);
}

static uint64_t page_left(uint64_t a)
{
    return 4096 - (a & 4095);
}

void helper_rep_movs(void *e, uint64_t ot, uint64_t aflag, uint64_t seg_base,
                     uint64_t repnz)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t m = amask(aflag);
    unsigned size = 1u << ot;
    uint64_t cx = env->regs[R_ECX] & m;

    while (cx) {
        uint64_t si = env->regs[R_ESI] & m, di = env->regs[R_EDI] & m;
        uint64_t src = lin(env, seg_base + si), dst = es_lin(env, di);

        if (env->df > 0 && aflag == MO_64) {
            /* Bulk: elements that stay within one page on both sides. */
            uint64_t n = MIN(page_left(src), page_left(dst)) / size;
            uint64_t len;
            n = MIN(n, cx);
            len = n * size;
            /* System mode: both sides plain RAM, or element by element. */
            uint8_t *hs = n ? cpu_host_addr_ra(env, src, len, false, ra)
                            : NULL;
            uint8_t *hd = hs ? cpu_host_addr_ra(env, dst, len, true, ra)
                             : NULL;
            if (hd) {
                set_helper_retaddr(ra);
                if (dst + len <= src || src + len <= dst || dst < src) {
                    memmove(hd, hs, len);
                } else {
                    /* Overlap with dst above src: element order matters,
                     * each element is read whole before it is written. */
                    for (uint64_t i = 0; i < len; i += size) {
                        uint64_t v = ldn_le_p(hs + i, size);
                        stn_le_p(hd + i, size, v);
                    }
                }
                clear_helper_retaddr();
                cx -= n;
                env->regs[R_ESI] = si + len;
                env->regs[R_EDI] = di + len;
                env->regs[R_ECX] = cx;
                continue;
            }
        }
        {
            uint64_t v;
            switch (size) {
            case 1: v = cpu_ldub_data_ra(env, src, ra); break;
            case 2: v = cpu_lduw_data_ra(env, src, ra); break;
            case 4: v = cpu_ldl_data_ra(env, src, ra); break;
            default: v = cpu_ldq_data_ra(env, src, ra); break;
            }
            switch (size) {
            case 1: cpu_stb_data_ra(env, dst, v, ra); break;
            case 2: cpu_stw_data_ra(env, dst, v, ra); break;
            case 4: cpu_stl_data_ra(env, dst, v, ra); break;
            default: cpu_stq_data_ra(env, dst, v, ra); break;
            }
        }
        cx--;
        set_reg(env, R_ESI, si + env->df * (int64_t)size, aflag);
        set_reg(env, R_EDI, di + env->df * (int64_t)size, aflag);
        set_reg(env, R_ECX, cx, aflag);
    }
}

void helper_rep_stos(void *e, uint64_t ot, uint64_t aflag, uint64_t seg_base,
                     uint64_t repnz)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t m = amask(aflag);
    unsigned size = 1u << ot;
    uint64_t cx = env->regs[R_ECX] & m;
    uint64_t val = env->regs[R_EAX];

    while (cx) {
        uint64_t di = env->regs[R_EDI] & m;

        if (env->df > 0 && aflag == MO_64) {
            uint64_t n = MIN(page_left(di) / size, cx);
            uint8_t *p = n ? cpu_host_addr_ra(env, di, n * size, true, ra)
                           : NULL;
            if (p) {
                set_helper_retaddr(ra);
                if (size == 1) {
                    memset(p, (uint8_t)val, n);
                } else {
                    for (uint64_t i = 0; i < n; i++) {
                        stn_le_p(p + i * size, size, val);
                    }
                }
                clear_helper_retaddr();
                cx -= n;
                env->regs[R_EDI] = di + n * size;
                env->regs[R_ECX] = cx;
                continue;
            }
        }
        switch (size) {
        case 1: cpu_stb_data_ra(env, es_lin(env, di), val, ra); break;
        case 2: cpu_stw_data_ra(env, es_lin(env, di), val, ra); break;
        case 4: cpu_stl_data_ra(env, es_lin(env, di), val, ra); break;
        default: cpu_stq_data_ra(env, es_lin(env, di), val, ra); break;
        }
        cx--;
        set_reg(env, R_EDI, di + env->df * (int64_t)size, aflag);
        set_reg(env, R_ECX, cx, aflag);
    }
}

static uint64_t load(CPUX86State *env, uint64_t a, unsigned size,
                     uintptr_t ra)
{
    switch (size) {
    case 1: return cpu_ldub_data_ra(env, a, ra);
    case 2: return cpu_lduw_data_ra(env, a, ra);
    case 4: return cpu_ldl_data_ra(env, a, ra);
    default: return cpu_ldq_data_ra(env, a, ra);
    }
}

void helper_rep_lods(void *e, uint64_t ot, uint64_t aflag, uint64_t seg_base,
                     uint64_t repnz)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t m = amask(aflag);
    unsigned size = 1u << ot;
    uint64_t cx = env->regs[R_ECX] & m;

    while (cx) {
        uint64_t si = env->regs[R_ESI] & m;
        uint64_t v = load(env, lin(env, seg_base + si), size, ra);
        switch (size) {
        case 1:
            env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffull) | v;
            break;
        case 2:
            env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | v;
            break;
        default:
            env->regs[R_EAX] = v;
            break;
        }
        cx--;
        set_reg(env, R_ESI, si + env->df * (int64_t)size, aflag);
        set_reg(env, R_ECX, cx, aflag);
    }
}

/* REPE/REPNE SCAS and CMPS: stop on (in)equality; flags of the last
 * comparison as CC_OP_SUB. */
static void rep_cmp(CPUX86State *env, uint64_t ot, uint64_t aflag,
                    uint64_t seg_base, bool repnz, bool cmps, uintptr_t ra)
{
    uint64_t m = amask(aflag);
    unsigned size = 1u << ot;
    uint64_t vm = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    uint64_t cx = env->regs[R_ECX] & m;

    while (cx) {
        uint64_t di = env->regs[R_EDI] & m, si = env->regs[R_ESI] & m;
        uint64_t a, b;

        if (cmps) {
            a = load(env, lin(env, seg_base + si), size, ra);
        } else {
            a = env->regs[R_EAX] & vm;
        }
        b = load(env, es_lin(env, di), size, ra);
        cx--;
        if (cmps) {
            set_reg(env, R_ESI, si + env->df * (int64_t)size, aflag);
        }
        set_reg(env, R_EDI, di + env->df * (int64_t)size, aflag);
        set_reg(env, R_ECX, cx, aflag);
        env->cc_dst = (a - b) & vm;
        env->cc_src = b;
        env->cc_op = CC_OP_SUBB + ot;
        if (repnz ? a == b : a != b) {
            break;
        }
    }
}

void helper_rep_scas(void *e, uint64_t ot, uint64_t aflag, uint64_t seg_base,
                     uint64_t repnz)
{
    rep_cmp(e, ot, aflag, 0, repnz, false, GETPC());
}

void helper_rep_cmps(void *e, uint64_t ot, uint64_t aflag, uint64_t seg_base,
                     uint64_t repnz)
{
    rep_cmp(e, ot, aflag, seg_base, repnz, true, GETPC());
}
