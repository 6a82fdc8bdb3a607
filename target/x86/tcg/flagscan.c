/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flag liveness beyond the current instruction: does the code that
 * follows write some flags before it reads them, on every path?
 *
 * A small decoder for the instructions compilers put around flag
 * producers and consumers (moves, loads, ALU, tests, compares,
 * conditional jumps and moves); anything else counts as reading every
 * flag. It follows conditional and direct jumps, within a budget, and
 * only on the page the block starts on: a guest store to that page
 * invalidates this block together with the code the answer came from,
 * so self-modifying code cannot make it stale. Flag bits are EFLAGS'.
 *
 * As with liveness within a block, a guest memory access that faults
 * does not count as a read (the flags a signal handler sees there may
 * be stale if nothing would have read them), but an instruction that
 * raises through a helper (divide, undefined opcodes) does.
 */
#include "ember/osdep.h"
#include "translate.h"

#define F_ALL (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

typedef struct Scan {
    const uint8_t *page;
    uint64_t page_addr;
    int budget;
} Scan;

/* The flags condition code cc (0-15) reads. */
static uint32_t cond_reads(int cc)
{
    static const uint32_t r[8] = {
        CC_O, CC_C, CC_Z, CC_C | CC_Z, CC_S, CC_P, CC_S | CC_O,
        CC_Z | CC_S | CC_O,
    };
    return r[(cc >> 1) & 7];
}

/* Length of a ModRM operand (ModRM, SIB, displacement) at p, or -1. */
static int modrm_len(const uint8_t *p, int avail)
{
    int mod, rm, n = 1;

    if (avail < 1) {
        return -1;
    }
    mod = p[0] >> 6;
    rm = p[0] & 7;
    if (mod != 3 && rm == 4) {
        if (avail < 2) {
            return -1;
        }
        n++;
        if (mod == 0 && (p[1] & 7) == 5) {
            n += 4;
        }
    } else if (mod == 0 && rm == 5) {
        n += 4;                             /* RIP-relative */
    }
    if (mod == 1) {
        n += 1;
    } else if (mod == 2) {
        n += 4;
    }
    return n <= avail ? n : -1;
}

typedef struct Insn {
    int len;
    uint32_t reads, writes;
    int kind;               /* 0 plain, 1 jcc, 2 jmp, 3 unknown */
    int64_t disp;           /* branch displacement */
} Insn;

static void scan_insn(const uint8_t *p, int avail, Insn *in)
{
    int i = 0, b, m, rexw = 0;
    bool opsize = false;

    in->reads = in->writes = 0;
    in->kind = 3;
    in->disp = 0;
    for (;;) {
        if (i >= avail) {
            return;
        }
        b = p[i];
        if (b == 0x66) {
            opsize = true;
        } else if (b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 ||
                   b == 0x64 || b == 0x65 || b == 0x67) {
            /* segment, address size: lengths unchanged in 64-bit mode */
        } else {
            break;
        }
        i++;
    }
    if ((b & 0xf0) == 0x40) {               /* REX */
        rexw = b & 8;
        if (++i >= avail) {
            return;
        }
        b = p[i];
    }
    i++;
#define MODRM(extra)                                                    \
    do {                                                                \
        m = modrm_len(p + i, avail - i);                                \
        if (m < 0 || i + m + (extra) > avail) {                         \
            return;                                                     \
        }                                                               \
        in->len = i + m + (extra);                                      \
    } while (0)
#define IMMZ (opsize ? 2 : 4)
    if (b == 0x0f) {
        if (i >= avail) {
            return;
        }
        b = p[i++];
        if (b >= 0x80 && b <= 0x8f) {       /* jcc rel32 */
            if (i + 4 > avail) {
                return;
            }
            in->len = i + 4;
            in->disp = (int32_t)(p[i] | p[i + 1] << 8 | p[i + 2] << 16 |
                                 (uint32_t)p[i + 3] << 24);
            in->reads = cond_reads(b & 15);
            in->kind = 1;
            return;
        }
        if ((b >= 0x40 && b <= 0x4f) || (b >= 0x90 && b <= 0x9f)) {
            MODRM(0);                       /* cmovcc, setcc */
            in->reads = cond_reads(b & 15);
            in->kind = 0;
            return;
        }
        if (b == 0xb6 || b == 0xb7 || b == 0xbe || b == 0xbf || b == 0x1f) {
            MODRM(0);                       /* movzx, movsx, nop */
            in->kind = 0;
            return;
        }
        if (b == 0xaf) {                    /* imul: others undefined */
            MODRM(0);
            in->writes = F_ALL;
            in->kind = 0;
            return;
        }
        return;
    }
    if (b < 0x40 && (b & 7) < 6) {          /* ALU */
        int op = b >> 3;
        if ((b & 7) < 4) {
            MODRM(0);
        } else if (i + ((b & 7) == 4 ? 1 : IMMZ) <= avail) {
            in->len = i + ((b & 7) == 4 ? 1 : IMMZ);
        } else {
            return;
        }
        in->reads = (op == 2 || op == 3) ? CC_C : 0;    /* adc, sbb */
        in->writes = F_ALL;
        in->kind = 0;
        return;
    }
    if (b >= 0x50 && b <= 0x5f) {           /* push, pop */
        in->len = i;
        in->kind = 0;
        return;
    }
    if (b >= 0x70 && b <= 0x7f) {           /* jcc rel8 */
        if (i + 1 > avail) {
            return;
        }
        in->len = i + 1;
        in->disp = (int8_t)p[i];
        in->reads = cond_reads(b & 15);
        in->kind = 1;
        return;
    }
    switch (b) {
    case 0x63: case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8d:
    case 0x86: case 0x87:
        MODRM(0);
        in->kind = 0;
        return;
    case 0x84: case 0x85:
        MODRM(0);
        in->writes = F_ALL;
        in->kind = 0;
        return;
    case 0x80: case 0x81: case 0x83: {
        int op;
        MODRM(b == 0x81 ? IMMZ : 1);
        op = (p[i] >> 3) & 7;
        in->reads = (op == 2 || op == 3) ? CC_C : 0;
        in->writes = F_ALL;
        in->kind = 0;
        return;
    }
    case 0x69: case 0x6b:
        MODRM(b == 0x69 ? IMMZ : 1);
        in->writes = F_ALL;
        in->kind = 0;
        return;
    case 0x90: case 0x98: case 0x99:
        in->len = i;
        in->kind = 0;
        return;
    case 0xa8: case 0xa9:
        if (i + (b == 0xa8 ? 1 : IMMZ) > avail) {
            return;
        }
        in->len = i + (b == 0xa8 ? 1 : IMMZ);
        in->writes = F_ALL;
        in->kind = 0;
        return;
    case 0xc6: case 0xc7:
        MODRM(b == 0xc6 ? 1 : IMMZ);
        if ((p[i] >> 3) & 7) {
            return;
        }
        in->kind = 0;
        return;
    case 0xeb: case 0xe9:
        if (i + (b == 0xeb ? 1 : 4) > avail) {
            return;
        }
        in->len = i + (b == 0xeb ? 1 : 4);
        in->disp = b == 0xeb ? (int8_t)p[i] :
                   (int32_t)(p[i] | p[i + 1] << 8 | p[i + 2] << 16 |
                             (uint32_t)p[i + 3] << 24);
        in->kind = 2;
        return;
    case 0xf6: case 0xf7: {
        int op;
        if (i >= avail) {
            return;
        }
        op = (p[i] >> 3) & 7;
        MODRM(op < 2 ? (b == 0xf6 ? 1 : IMMZ) : 0);
        if (op == 1 || op >= 6) {
            /* div/idiv may raise #DE: the flags must be right there, as
             * at any helper that may raise (liveness does the same) */
            return;
        }
        in->writes = op == 2 ? 0 : F_ALL;   /* not; test/neg/mul */
        in->kind = 0;
        return;
    }
    case 0xfe: case 0xff: {
        int op;
        if (i >= avail) {
            return;
        }
        op = (p[i] >> 3) & 7;
        if (op > 1 && !(b == 0xff && op == 6)) {
            return;                         /* calls, jumps */
        }
        MODRM(0);
        in->writes = op < 2 ? F_ALL & ~CC_C : 0;    /* inc/dec; push */
        in->kind = 0;
        return;
    }
    default:
        if (b >= 0xb0 && b <= 0xbf) {       /* mov r, imm */
            int n = b < 0xb8 ? 1 : rexw ? 8 : IMMZ;
            if (i + n > avail) {
                return;
            }
            in->len = i + n;
            in->kind = 0;
        }
        return;
    }
#undef MODRM
#undef IMMZ
}

static bool dead_from(Scan *sc, uint64_t pc, uint32_t need, int depth)
{
    while (need) {
        Insn in;
        uint64_t off = pc - sc->page_addr;

        if (--sc->budget < 0 || off >= TARGET_PAGE_SIZE) {
            return false;
        }
        scan_insn(sc->page + off, TARGET_PAGE_SIZE - off, &in);
        if (in.kind == 3 || (in.reads & need)) {
            return false;
        }
        need &= ~in.writes;
        pc += in.len;
        if (in.kind == 1) {
            if (depth >= 3 ||
                !dead_from(sc, pc + in.disp, need, depth + 1)) {
                return false;
            }
        } else if (in.kind == 2) {
            pc += in.disp;
        }
    }
    return true;
}

bool x86_flags_dead_after(DisasContext *s, uint64_t pc, uint32_t mask)
{
    Scan sc = {
        .page = s->base.page_host[0],
        .page_addr = s->base.page_addr[0],
        .budget = 24,
    };

    if (!s->code64 || !sc.page || (pc & TARGET_PAGE_MASK) != sc.page_addr) {
        return false;
    }
    return dead_from(&sc, pc, mask, 0);
}
