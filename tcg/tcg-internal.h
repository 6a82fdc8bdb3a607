/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interfaces between the IR core, the register allocator and the back
 * ends. Not for front ends.
 */
#ifndef TCG_INTERNAL_H
#define TCG_INTERNAL_H

#include "tcg/tcg.h"
#include "exec/translation-block.h"

struct TCGBackend {
    const char *name;
    bool host_code;             /* emits host code (log with capstone) */
    /* One-time set-up: emit the prologue/epilogue at the start of the
     * code buffer. Returns the bytes used. */
    size_t (*init)(TCGContext *s);
    /* Emit the TB's code at s->code_ptr: returns 0, or -1 when the
     * buffer is full, -2 when the TB is too big for the back end. */
    int (*gen_code)(TCGContext *s, TranslationBlock *tb);
    /* Run a TB; returns the exit_tb value. */
    uintptr_t (*exec)(void *env, const void *tc_ptr);
    /* Point goto_tb slot n of tb at addr (executable address). */
    void (*set_jmp_target)(TranslationBlock *tb, int n, const void *addr);
    /* Emits INDEX_op_x86_vec (x86-64 host code). */
    bool replays_x86;
};

extern const TCGBackend tcg_backend_interp;
#ifdef HOST_X86_64
extern const TCGBackend tcg_backend_x86_64;
#endif

/* The code buffer (tcg/region.c). Code is written through the writable
 * view and executed from the executable one. */
typedef struct TCGRegion {
    uint8_t *rw;                /* writable view */
    uint8_t *rx;                /* executable view (may equal rw) */
    size_t size;
    size_t prologue_size;
    uint8_t *ptr;               /* next free byte (rw) */
} TCGRegion;
extern TCGRegion tcg_region;

void tcg_region_init(size_t size);
void tcg_region_reset(void);    /* keep the prologue, drop the rest */
void tcg_region_after_fork(void);
static inline const void *tcg_rw_to_rx(const void *rw)
{
    return rw ? (const uint8_t *)rw - tcg_region.rw + tcg_region.rx : NULL;
}
static inline void *tcg_rx_to_rw(const void *rx)
{
    return rx ? (uint8_t *)rx - tcg_region.rx + tcg_region.rw : NULL;
}
static inline bool tcg_in_code_buffer(uintptr_t rx)
{
    return rx >= (uintptr_t)tcg_region.rx &&
           rx < (uintptr_t)tcg_region.rx + tcg_region.size;
}

/* Select the back end by name ("x86_64", "interp"); false if unknown. */
bool tcg_select_backend(const char *name);
const TCGBackend *tcg_current_backend(void);

/* Register allocator (tcg/regalloc.c), driven by a host back end. */
typedef struct TCGArgConstraint {
    uint32_t regs;              /* allowed host registers */
    int8_t alias;               /* output: same register as input N */
    bool newreg;                /* output: must not overlap an input */
    uint8_t ct_const;           /* input: accepted constant classes */
} TCGArgConstraint;

typedef struct TCGOpConstraint {
    TCGArgConstraint args[TCG_MAX_OP_ARGS];
    uint32_t clobber;           /* host registers destroyed by the op */
} TCGOpConstraint;

typedef struct TCGTargetOps {
    int nb_regs;
    uint32_t call_clobber;
    const int8_t *call_arg_regs;
    int call_ret_reg;
    const int8_t *alloc_order;
    int env_reg;
    int frame_reg;              /* base of the spill area */
    int frame_offset;           /* first spill byte relative to frame_reg */
    int frame_size;
    void (*out_mov)(TCGContext *s, int dst, int src);
    void (*out_movi)(TCGContext *s, int dst, uint64_t val);
    void (*out_ld)(TCGContext *s, int size, int dst, int base, intptr_t off);
    void (*out_st)(TCGContext *s, int size, int src, int base, intptr_t off);
    /* Store a constant; false if the host cannot do it directly. */
    bool (*out_sti)(TCGContext *s, int size, uint64_t val, int base,
                    intptr_t off);
    bool (*const_match)(uint64_t val, TCGType type, unsigned ct);
    void (*op_constraint)(const TCGOp *op, TCGOpConstraint *c);
    /* Emit op with the chosen registers/constants in args. */
    void (*out_op)(TCGContext *s, const TCGOp *op, const TCGArg *args,
                   const bool *is_const);
    void (*out_call)(TCGContext *s, const TCGHelperInfo *info);
    void (*out_label)(TCGContext *s, int label);
    /* Resolve a relocation once its label is bound. */
    bool (*patch_reloc)(TCGContext *s, const TCGReloc *r, uint32_t value);
} TCGTargetOps;

int tcg_regalloc_gen(TCGContext *s, const TCGTargetOps *t);
/* Record a guest memory access at the current code offset. */
void tcg_record_fault_site(TCGContext *s);
/* Re-take the snapshot of dirty globals for the next fault site (after
 * the back end moved registers around, e.g. for scratch registers). */
void tcg_regalloc_snapshot(TCGContext *s);
/* Scratch register usable by out_op when it needs one beyond its args. */
int tcg_regalloc_scratch(TCGContext *s, uint32_t avoid);

static inline size_t tcg_current_code_size(TCGContext *s)
{
    return s->code_ptr - s->code_buf;
}
void tcg_out_reloc(TCGContext *s, int label, int kind, uint32_t offset);

/* Emission primitives. */
static inline void tcg_out8(TCGContext *s, uint8_t v)
{
    *s->code_ptr++ = v;
}
static inline void tcg_out16(TCGContext *s, uint16_t v)
{
    memcpy(s->code_ptr, &v, 2);
    s->code_ptr += 2;
}
static inline void tcg_out32(TCGContext *s, uint32_t v)
{
    memcpy(s->code_ptr, &v, 4);
    s->code_ptr += 4;
}
static inline void tcg_out64(TCGContext *s, uint64_t v)
{
    memcpy(s->code_ptr, &v, 8);
    s->code_ptr += 8;
}

/* Fault-recovery blob attached to the TB. */
void tcg_tb_attach_recovery(TCGContext *s, TranslationBlock *tb);

/* What the indirect-branch lookup returns when no TB exists: code that
 * returns 0 to the execution loop (NULL for the interpreter). */
void tcg_set_lookup_miss(const void *p);

/* Disassemble host code (capstone) into the log. */
void tcg_log_host_code(const void *code, size_t size);

#endif
