/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integer helpers: division, rotate through carry, CRC32, the BMI bit
 * field instructions, CMPXCHG16B and EFLAGS/segment loads.
 */
#include "ember/osdep.h"
#include "exec/exec-all.h"
#include "exec/cpu-ldst.h"
#include "target/x86/cpu.h"
#include "cc.h"
#include "helper.h"
#include "excp.h"

/* ---- DIV/IDIV (SDM vol. 2A): #DE on a zero divisor or a quotient
 * that does not fit. ---- */

void helper_divb(void *e, uint64_t src)
{
    CPUX86State *env = e;
    unsigned num = env->regs[R_EAX] & 0xffff, den = src & 0xff, q, r;

    if (!den || (q = num / den) > 0xff) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    r = num % den;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | q | (r << 8);
}

void helper_idivb(void *e, uint64_t src)
{
    CPUX86State *env = e;
    int num = (int16_t)env->regs[R_EAX], den = (int8_t)src, q, r;

    if (!den) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    q = num / den;
    if (q != (int8_t)q) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    r = num % den;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (q & 0xff) |
                       ((r & 0xff) << 8);
}

void helper_divw(void *e, uint64_t src)
{
    CPUX86State *env = e;
    uint32_t num = (env->regs[R_EAX] & 0xffff) |
                   ((env->regs[R_EDX] & 0xffff) << 16);
    uint32_t den = src & 0xffff, q;

    if (!den || (q = num / den) > 0xffff) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | q;
    env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) | (num % den);
}

void helper_idivw(void *e, uint64_t src)
{
    CPUX86State *env = e;
    int32_t num = (int32_t)((env->regs[R_EAX] & 0xffff) |
                            ((env->regs[R_EDX] & 0xffff) << 16));
    int32_t den = (int16_t)src, q;

    if (!den) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    q = num / den;
    if (q != (int16_t)q) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (q & 0xffff);
    env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) |
                       ((num % den) & 0xffff);
}

void helper_divl(void *e, uint64_t src)
{
    CPUX86State *env = e;
    uint64_t num = (uint32_t)env->regs[R_EAX] |
                   ((uint64_t)(uint32_t)env->regs[R_EDX] << 32);
    uint32_t den = src, r;
    uint64_t q;

    if (!den || (q = num / den) > 0xffffffffull) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    r = num % den;
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = r;
}

void helper_idivl(void *e, uint64_t src)
{
    CPUX86State *env = e;
    int64_t num = (int64_t)((uint32_t)env->regs[R_EAX] |
                            ((uint64_t)(uint32_t)env->regs[R_EDX] << 32));
    int32_t den = src;
    int64_t q;

    if (!den) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    if (num == INT64_MIN && den == -1) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    q = num / den;
    if (q != (int32_t)q) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)(num % den);
}

void helper_divq(void *e, uint64_t src)
{
    CPUX86State *env = e;
    unsigned __int128 num = ((unsigned __int128)env->regs[R_EDX] << 64) |
                            env->regs[R_EAX];
    unsigned __int128 q;

    if (!src || env->regs[R_EDX] >= src) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    q = num / src;
    env->regs[R_EDX] = (uint64_t)(num % src);
    env->regs[R_EAX] = (uint64_t)q;
}

void helper_idivq(void *e, uint64_t src)
{
    CPUX86State *env = e;
    __int128 num = (__int128)(((unsigned __int128)env->regs[R_EDX] << 64) |
                              env->regs[R_EAX]);
    int64_t den = src;
    __int128 q;

    if (!den) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    if (den == -1) {
        /* -num must fit in 64 bits (this also avoids INT128_MIN / -1). */
        if (num < -(__int128)INT64_MAX || num > (__int128)INT64_MAX + 1) {
            raise_exception_ra(env, EXCP00_DIVZ, GETPC());
        }
        q = -num;
    } else {
        q = num / den;
    }
    if (q != (int64_t)q) {
        raise_exception_ra(env, EXCP00_DIVZ, GETPC());
    }
    env->regs[R_EAX] = (uint64_t)q;
    env->regs[R_EDX] = (uint64_t)(den == -1 ? 0 : num % den);
}

/* ---- RCL/RCR: rotate through CF (the flags are CC_OP_EFLAGS) ---------- */

static uint64_t do_rc(CPUX86State *env, uint64_t val, uint64_t count,
                      int ot, bool right)
{
    int bits = 8 << ot;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t fl = env->cc_src;
    unsigned n = count & (ot == MO_64 ? 63 : 31);
    uint64_t cf = fl & CC_C, v = val & mask;

    if (ot == MO_8) {
        n %= 9;
    } else if (ot == MO_16) {
        n %= 17;
    }
    if (!n) {
        return val;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t out;
        if (right) {
            out = v & 1;
            v = (v >> 1) | (cf << (bits - 1));
        } else {
            out = (v >> (bits - 1)) & 1;
            v = ((v << 1) | cf) & mask;
        }
        cf = out;
    }
    fl &= ~(uint64_t)(CC_C | CC_O);
    fl |= cf;
    if (right) {
        /* OF = the two top bits of the result differ. */
        fl |= ((v >> (bits - 1)) ^ (v >> (bits - 2))) & 1 ? CC_O : 0;
    } else {
        fl |= (((v >> (bits - 1)) & 1) ^ cf) ? CC_O : 0;
    }
    env->cc_src = fl;
    env->cc_op = CC_OP_EFLAGS;
    return v;
}

uint64_t helper_rcl(void *env, uint64_t val, uint64_t count, uint64_t ot,
                    uint64_t unused)
{
    return do_rc(env, val, count, ot, false);
}

uint64_t helper_rcr(void *env, uint64_t val, uint64_t count, uint64_t ot,
                    uint64_t unused)
{
    return do_rc(env, val, count, ot, true);
}

/* ---- CRC32 (SSE4.2): CRC-32C, reflected polynomial 0x82F63B78 ---------- */

uint64_t helper_crc32(uint64_t crc, uint64_t val, uint64_t bits)
{
    uint32_t c = crc;

    for (unsigned i = 0; i < bits; i++) {
        uint32_t b = (c ^ (val >> i)) & 1;
        c = (c >> 1) ^ (b ? 0x82f63b78u : 0);
    }
    return c;
}

/* ---- BMI -------------------------------------------------------------- */

uint64_t helper_bextr(uint64_t src, uint64_t ctl, uint64_t bits)
{
    unsigned start = ctl & 0xff, len = (ctl >> 8) & 0xff;
    uint64_t v;

    if (bits < 64) {
        src &= (1ull << bits) - 1;
    }
    if (start >= bits) {
        return 0;
    }
    v = src >> start;
    if (len < 64) {
        v &= (1ull << len) - 1;
    }
    return v;
}

uint64_t helper_bzhi(uint64_t src, uint64_t n, uint64_t bits)
{
    if (bits < 64) {
        src &= (1ull << bits) - 1;
    }
    n &= 0xff;
    if (n >= bits) {
        return src;
    }
    return src & ((1ull << n) - 1);
}

uint64_t helper_pdep(uint64_t src, uint64_t mask, uint64_t bits)
{
    uint64_t r = 0;
    unsigned k = 0;

    if (bits < 64) {
        mask &= (1ull << bits) - 1;
    }
    for (unsigned i = 0; i < bits; i++) {
        if ((mask >> i) & 1) {
            r |= ((src >> k++) & 1) << i;
        }
    }
    return r;
}

uint64_t helper_pext(uint64_t src, uint64_t mask, uint64_t bits)
{
    uint64_t r = 0;
    unsigned k = 0;

    if (bits < 64) {
        mask &= (1ull << bits) - 1;
    }
    for (unsigned i = 0; i < bits; i++) {
        if ((mask >> i) & 1) {
            r |= ((src >> i) & 1) << k++;
        }
    }
    return r;
}

/* ---- CMPXCHG16B: #GP unless 16-byte aligned (SDM vol. 2A) ------------- */

void helper_cmpxchg16b(void *e, uint64_t addr)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    unsigned __int128 cmp, nv, old;
    uint64_t fl = cpu_compute_eflags(env) & CC_ARITH_MASK;
    unsigned __int128 *p;

    if (addr & 15) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    cmp = ((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX];
    nv = ((unsigned __int128)env->regs[R_ECX] << 64) | env->regs[R_EBX];
    p = cpu_host_addr_ra(env, addr, 16, true, ra);
    if (!p) {
        /* System mode, not plain RAM: one vCPU runs at a time, so a read
         * then a write is indivisible for the guest. */
        old = cpu_ldq_data_ra(env, addr, ra) |
              ((unsigned __int128)cpu_ldq_data_ra(env, addr + 8, ra) << 64);
        if (old == cmp) {
            cpu_stq_data_ra(env, addr, (uint64_t)nv, ra);
            cpu_stq_data_ra(env, addr + 8, (uint64_t)(nv >> 64), ra);
        }
        goto done;
    }
    set_helper_retaddr(ra);
#ifdef HOST_X86_64
    {
        uint64_t lo = (uint64_t)cmp, hi = (uint64_t)(cmp >> 64);
        uint8_t ok;
        __asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
                         : "=q"(ok), "+m"(*p), "+a"(lo), "+d"(hi)
                         : "b"((uint64_t)nv), "c"((uint64_t)(nv >> 64))
                         : "memory", "cc");
        old = ((unsigned __int128)hi << 64) | lo;
        (void)ok;
    }
#else
    old = *p;
    if (old == cmp) {
        *p = nv;
    }
#endif
    clear_helper_retaddr();
done:
    if (old == cmp) {
        fl |= CC_Z;
    } else {
        fl &= ~(uint64_t)CC_Z;
        env->regs[R_EAX] = (uint64_t)old;
        env->regs[R_EDX] = (uint64_t)(old >> 64);
    }
    env->cc_src = fl;
    env->cc_op = CC_OP_EFLAGS;
}

/* ---- EFLAGS and segments (user-mode rules: CPL 3) --------------------- */

uint64_t helper_read_eflags(void *e)
{
    CPUX86State *env = e;

    return cpu_compute_eflags(env) & ~(uint64_t)(RF_MASK | VM_MASK);
}

void helper_write_eflags(void *e, uint64_t val, uint64_t ot)
{
    CPUX86State *env = e;
    uint64_t mask = CC_ARITH_MASK | TF_MASK | DF_MASK | NT_MASK | AC_MASK |
                    ID_MASK;
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags >> IOPL_SHIFT) & 3;

    if (cpl == 0) {
        mask |= IOPL_MASK;
    }
    if (cpl <= iopl) {
        mask |= IF_MASK;
    }
    if (ot == MO_16) {
        mask &= 0xffff;
    }
    cpu_load_eflags(env, val, mask);
    cpu_x86_update_hflags(env);
}

void helper_load_seg(void *e, uint64_t seg, uint64_t sel)
{
    CPUX86State *env = e;

    sel &= 0xffff;
    /* User mode: null, or one of the flat user selectors (RPL 3). */
    if (sel != 0 && (sel & 3) != 3) {
        raise_exception_err_ra(env, EXCP0D_GPF, sel & 0xfffc, GETPC());
    }
    if (sel == 0 && seg == R_SS && (env->hflags & HF_CS64_MASK) &&
        (env->hflags & HF_CPL_MASK) == 3) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, GETPC());
    }
    env->segs[seg].selector = sel;
    if (sel && (seg == R_FS || seg == R_GS)) {
        env->segs[seg].base = 0;
    }
}
