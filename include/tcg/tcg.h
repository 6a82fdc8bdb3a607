/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The translator's intermediate representation (IR).
 *
 * A front end (target/x86/tcg) turns guest instructions into a list of
 * ops on temporaries. Temporaries are 64 bits wide; kinds:
 *   - globals: mirror a field of the CPU state (guest registers, lazy
 *     flags); the back end keeps them in host registers within a basic
 *     block and writes them back at block ends, helper calls and exits;
 *   - TB temps: live across labels within one translation block;
 *   - EBB temps: live within an extended basic block (no label in
 *     between); the front end frees them after each guest instruction;
 *   - constants: read-only, folded into host instructions where possible.
 * The optimizer (tcg/optimize.c) folds constants and propagates copies,
 * the liveness pass (tcg/liveness.c) removes dead code, including the
 * lazy-flag bookkeeping that nothing reads, and a back end (tcg/x86_64
 * or tcg/interp) produces code. See docs/jit.md.
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include "ember/osdep.h"

typedef enum TCGType {
    TCG_TYPE_I32 = 0,
    TCG_TYPE_I64 = 1,
} TCGType;

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/tcg-opc.h"
    NB_OPS,
} TCGOpcode;

/* Op flags (tcg_op_defs[].flags). */
#define TCG_OPF_BB_END          0x01    /* ends a basic block */
#define TCG_OPF_BB_EXIT         0x02    /* leaves the TB */
#define TCG_OPF_CALL            0x04
#define TCG_OPF_SIDE_EFFECTS    0x08    /* never removed as dead */
#define TCG_OPF_NOT_PRESENT     0x10    /* emits no code of its own */
#define TCG_OPF_COND_BRANCH     0x20
#define TCG_OPF_TYPED           0x40    /* op->type selects 32/64 bits */
#define TCG_OPF_MAY_FAULT       0x80    /* guest memory access */
#define TCG_OPF_NOT_PRESENT_LABEL 0x100

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint16_t flags;
} TCGOpDef;
extern const TCGOpDef tcg_op_defs[NB_OPS];

/*
 * Conditions. Bit 0 inverts; LT..GTU are signed/unsigned; TSTEQ/TSTNE
 * test (a & b) == 0 / != 0.
 */
typedef enum TCGCond {
    TCG_COND_NEVER = 0, TCG_COND_ALWAYS = 1,
    TCG_COND_EQ = 2, TCG_COND_NE = 3,
    TCG_COND_LT = 4, TCG_COND_GE = 5,
    TCG_COND_LE = 6, TCG_COND_GT = 7,
    TCG_COND_LTU = 8, TCG_COND_GEU = 9,
    TCG_COND_LEU = 10, TCG_COND_GTU = 11,
    TCG_COND_TSTEQ = 12, TCG_COND_TSTNE = 13,
} TCGCond;

static inline TCGCond tcg_invert_cond(TCGCond c)
{
    return (TCGCond)(c ^ 1);
}

/* The condition with swapped operands: a < b <=> b > a. */
static inline TCGCond tcg_swap_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_LT: return TCG_COND_GT;
    case TCG_COND_GT: return TCG_COND_LT;
    case TCG_COND_LE: return TCG_COND_GE;
    case TCG_COND_GE: return TCG_COND_LE;
    case TCG_COND_LTU: return TCG_COND_GTU;
    case TCG_COND_GTU: return TCG_COND_LTU;
    case TCG_COND_LEU: return TCG_COND_GEU;
    case TCG_COND_GEU: return TCG_COND_LEU;
    default: return c;
    }
}

/* Evaluate a condition on constants (of the op's width). */
bool tcg_eval_cond(TCGCond c, uint64_t a, uint64_t b, TCGType type);

/*
 * Guest memory access descriptor. The low byte is the MemOp, the next
 * the MMU index (system mode: which soft-TLB; user mode ignores it).
 */
typedef enum MemOp {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4,
    MO_UB = MO_8, MO_UW = MO_16, MO_UL = MO_32, MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN, MO_SW = MO_16 | MO_SIGN, MO_SL = MO_32 | MO_SIGN,
    /* Required alignment, log2 of bytes, in bits 4..6 (0: none). */
    MO_ASHIFT = 4,
    MO_AMASK = 7 << MO_ASHIFT,
    MO_ALIGN_2 = 1 << MO_ASHIFT,
    MO_ALIGN_4 = 2 << MO_ASHIFT,
    MO_ALIGN_8 = 3 << MO_ASHIFT,
    MO_ALIGN_16 = 4 << MO_ASHIFT,
} MemOp;

typedef uint32_t MemOpIdx;
static inline MemOpIdx make_memop_idx(MemOp op, unsigned mmu_idx)
{
    return (op & 0xff) | (mmu_idx << 8);
}
static inline MemOp get_memop(MemOpIdx oi)
{
    return (MemOp)(oi & 0xff);
}
static inline unsigned get_mmuidx(MemOpIdx oi)
{
    return oi >> 8;
}
static inline unsigned memop_size(MemOp op)
{
    return 1u << (op & MO_SIZE);
}
static inline unsigned memop_align(MemOp op)
{
    unsigned a = (op & MO_AMASK) >> MO_ASHIFT;
    return a ? 1u << a : 1;
}

/* Helper calls. All arguments and the result are 64-bit integers or
 * host pointers. */
#define TCG_CALL_NO_READ_GLOBALS    0x01  /* does not look at env's globals */
#define TCG_CALL_NO_WRITE_GLOBALS   0x02  /* does not change them */
#define TCG_CALL_NO_RWG (TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS)
#define TCG_CALL_NO_SIDE_EFFECTS    0x04  /* removable if the result is dead */
/*
 * May raise a guest exception (longjmp back to the CPU loop): env must
 * hold the guest state of the current instruction. The call syncs the
 * globals and the front end has stored RIP/cc_op before it.
 */
#define TCG_CALL_MAY_RAISE          0x08
#define TCG_CALL_PURE (TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS)

#define TCG_MAX_CALL_ARGS 6

typedef struct TCGHelperInfo {
    void *func;
    const char *name;
    uint8_t flags;
    uint8_t nb_in;
    bool has_out;
} TCGHelperInfo;

typedef enum TCGTempKind {
    TEMP_EBB,       /* dies at the end of an extended basic block */
    TEMP_TB,        /* lives through the whole TB */
    TEMP_GLOBAL,    /* backed by env + offset */
    TEMP_FIXED,     /* the env pointer, in a reserved host register */
    TEMP_CONST,
} TCGTempKind;

typedef enum TCGTempVal {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
} TCGTempVal;

typedef struct TCGTemp {
    uint8_t kind;
    uint8_t mem_size;       /* 4 or 8 (globals and spill slots) */
    bool allocated;         /* EBB/TB temps: in use by the front end */
    bool mem_allocated;     /* spill slot assigned */
    uint16_t index;
    int32_t mem_offset;     /* env offset of a global; frame slot */
    uint64_t val;           /* constants */
    const char *name;

    /* Register allocation state (back end). */
    uint8_t val_type;
    int8_t reg;
    bool mem_coherent;

    /* Optimizer state. */
    uint16_t copy_next, copy_prev;  /* ring of equal temps */
    bool is_const;
    uint64_t const_val;
    uint64_t z_mask;        /* bits that may be non-zero */
} TCGTemp;

typedef TCGTemp *TCGv;

#define TCG_MAX_TEMPS 640
#define TCG_MAX_OPS 6000
#define TCG_MAX_LABELS 512
#define TCG_MAX_INSNS 512
#define TCG_MAX_OP_ARGS 10

typedef uint64_t TCGArg;

typedef struct TCGOp {
    uint16_t opc;
    uint8_t type;           /* TCGType for TCG_OPF_TYPED ops */
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint16_t life;          /* bit i: argument i dies here */
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

/* args are indices into s->temps for outputs and inputs. */
#define OP_ARG_TEMP(s, op, i) (&(s)->temps[(op)->args[i]])

typedef struct TCGLabel {
    bool present;
    bool has_use;
    uint32_t value;         /* code offset once bound */
} TCGLabel;

typedef struct TCGReloc {
    uint16_t label;
    uint8_t kind;
    uint32_t offset;
} TCGReloc;

/* A recorded guest-memory access in generated code, for fault recovery. */
typedef struct TCGFaultSite {
    uint32_t host_off;      /* offset of the faulting host instruction */
    uint16_t insn;          /* guest instruction index in the TB */
    uint16_t map_start;     /* first entry in the location map */
    uint8_t map_len;
} TCGFaultSite;

typedef struct TranslationBlock TranslationBlock;
typedef struct TCGBackend TCGBackend;

typedef struct TCGContext {
    /* Temps: globals first (indices < nb_globals), then the rest. */
    int nb_globals;
    int nb_temps;
    TCGTemp temps[TCG_MAX_TEMPS];
    TCGv env;
    GHashTable *const_table;            /* value -> TCGTemp * */

    TCGOp *ops;
    int nb_ops;
    TCGLabel labels[TCG_MAX_LABELS];
    int nb_labels;
    bool overflow;                      /* too many ops/temps/labels */

    /* Per-insn data for fault recovery (filled by the front end). */
    int nb_insns;
    uint64_t insn_data[TCG_MAX_INSNS][2];

    /* Code generation. */
    const TCGBackend *be;
    uint8_t *code_buf;                  /* writable view */
    uint8_t *code_ptr;
    uint8_t *code_end;                  /* stop emitting past this */
    TranslationBlock *tb;
    GArray *relocs;                     /* TCGReloc */
    GArray *fault_sites;                /* TCGFaultSite */
    GByteArray *fault_map;              /* (global index, host reg) pairs */
    int cur_insn;

    /* Register allocation (back end). */
    uint32_t reserved_regs;
    TCGTemp *reg_to_temp[32];
    int frame_size;                     /* spill area bytes */
    int frame_next;                     /* next free spill offset */
    GArray *free_slots;                 /* recycled spill offsets */

    /* Statistics (-d tb_stats). */
    uint64_t stat_tbs, stat_insns, stat_ops, stat_ops_opt;
    uint64_t stat_code_bytes, stat_translate_ns;
} TCGContext;

extern TCGContext *tcg_ctx;

/*
 * True when every guest memory access is a plain host access that
 * returns only by succeeding (user mode: a fault leaves the block
 * through the signal handler). Back ends may then keep host state, such
 * as cached vector registers, across accesses. False (system mode, where
 * a soft-TLB miss calls C and returns) is always safe.
 */
extern bool tcg_guest_mem_direct;

/* Context and temps. */
void tcg_context_init(void);
void tcg_func_start(TCGContext *s);
TCGv tcg_global_mem_new(int offset, int size, const char *name);
TCGv tcg_temp_new(void);            /* EBB temp */
TCGv tcg_temp_new_tb(void);         /* survives labels */
void tcg_temp_free(TCGv t);
void tcg_temp_free_all_ebb(void);
TCGv tcg_constant(uint64_t val);
int tcg_new_label(void);
static inline int temp_idx(TCGv t)
{
    return t->index;
}
static inline bool temp_is_const(TCGv t)
{
    return t->kind == TEMP_CONST;
}
static inline bool temp_is_global(TCGv t)
{
    return t->kind == TEMP_GLOBAL;
}

/* Raw op emission. */
TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type, int nargs);
void tcg_op_remove(TCGContext *s, TCGOp *op);
void tcg_dump_ops(TCGContext *s, FILE *f, bool have_prefs);

/* Passes. */
void tcg_optimize(TCGContext *s);
void tcg_liveness(TCGContext *s);

/* The whole pipeline: optimize, liveness, back end. Returns the code
 * size, -1 when the buffer is full, -2 when the TB is too big for the
 * back end (retry with fewer instructions). */
int tcg_gen_code(TCGContext *s, TranslationBlock *tb);

#endif
