/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The register allocator used by host back ends: one forward pass over
 * the optimized ops, with the liveness bits deciding when a register is
 * free again.
 *
 * Globals are loaded from env on first use and stay in host registers;
 * they are written back (synced) at the end of each basic block, before
 * helper calls that read or write the CPU state, and when a register is
 * needed for something else. At every label and branch all values are
 * in memory (globals in env, TB temps in frame slots), so the code on
 * either side of a label agrees without a data-flow analysis.
 *
 * For guest memory accesses the allocator snapshots where each dirty
 * global lives; the back end records that with the host offset of the
 * access (tcg_record_fault_site), so a fault can rebuild the guest
 * registers without any write-back on the fast path.
 */
#include "ember/osdep.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

typedef struct RAState {
    const TCGTargetOps *t;
    uint32_t locked;            /* registers in use by the current op */
    uint8_t snap[64 * 2];       /* fault-site snapshot */
    int snap_len;
} RAState;

static RAState ra;

static void free_reg(TCGContext *s, int reg)
{
    s->reg_to_temp[reg] = NULL;
}

static void set_temp_reg(TCGContext *s, TCGTemp *t, int reg)
{
    t->val_type = TEMP_VAL_REG;
    t->reg = reg;
    s->reg_to_temp[reg] = t;
}

static int alloc_slot(TCGContext *s)
{
    int off;

    if (s->free_slots->len) {
        off = g_array_index(s->free_slots, int, s->free_slots->len - 1);
        g_array_set_size(s->free_slots, s->free_slots->len - 1);
        return off;
    }
    if (s->frame_next + 8 > s->frame_size) {
        s->overflow = true;
        return 0;
    }
    off = s->frame_next;
    s->frame_next += 8;
    return off;
}

static void temp_mem_addr(TCGContext *s, TCGTemp *t, int *base, intptr_t *off)
{
    if (t->kind == TEMP_GLOBAL) {
        *base = ra.t->env_reg;
        *off = t->mem_offset;
    } else {
        if (!t->mem_allocated) {
            t->mem_offset = alloc_slot(s);
            t->mem_allocated = true;
        }
        *base = ra.t->frame_reg;
        *off = ra.t->frame_offset + t->mem_offset;
    }
}

static int temp_size(TCGTemp *t)
{
    return t->kind == TEMP_GLOBAL ? t->mem_size : 8;
}

static int pick_reg(TCGContext *s, uint32_t allowed, uint32_t avoid);

/* Write t's value to its memory location if needed; keep the register. */
static void temp_sync(TCGContext *s, TCGTemp *t)
{
    int base;
    intptr_t off;

    if (t->kind == TEMP_FIXED || t->kind == TEMP_CONST) {
        return;
    }
    switch (t->val_type) {
    case TEMP_VAL_REG:
        if (!t->mem_coherent) {
            temp_mem_addr(s, t, &base, &off);
            ra.t->out_st(s, temp_size(t), t->reg, base, off);
            t->mem_coherent = true;
        }
        break;
    case TEMP_VAL_CONST:
        temp_mem_addr(s, t, &base, &off);
        if (!ra.t->out_sti(s, temp_size(t), t->val, base, off)) {
            int r = pick_reg(s, (1u << ra.t->nb_regs) - 1, ra.locked);
            ra.t->out_movi(s, r, t->val);
            ra.t->out_st(s, temp_size(t), r, base, off);
        }
        t->val_type = TEMP_VAL_MEM;
        t->mem_coherent = true;
        break;
    default:
        break;
    }
}

/* Sync and drop the register. */
static void temp_save(TCGContext *s, TCGTemp *t)
{
    temp_sync(s, t);
    if (t->val_type == TEMP_VAL_REG) {
        free_reg(s, t->reg);
        t->val_type = TEMP_VAL_MEM;
    }
}

/* The value is no longer needed. */
static void temp_dead(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_FIXED || t->kind == TEMP_CONST) {
        return;
    }
    if (t->val_type == TEMP_VAL_REG) {
        free_reg(s, t->reg);
    }
    if (t->kind == TEMP_GLOBAL) {
        /* Memory keeps an old, dead value. */
        t->val_type = TEMP_VAL_MEM;
        t->mem_coherent = true;
    } else {
        t->val_type = TEMP_VAL_DEAD;
        if (t->mem_allocated) {
            g_array_append_val(s->free_slots, t->mem_offset);
            t->mem_allocated = false;
        }
    }
}

/* Move the temp out of reg (to another free register or memory). */
static void evict_reg(TCGContext *s, int reg, uint32_t avoid)
{
    TCGTemp *t = s->reg_to_temp[reg];
    uint32_t all = (1u << ra.t->nb_regs) - 1;
    uint32_t cand;

    if (!t) {
        return;
    }
    cand = all & ~s->reserved_regs & ~ra.locked & ~avoid & ~(1u << reg);
    for (int i = 0; ra.t->alloc_order[i] >= 0; i++) {
        int r = ra.t->alloc_order[i];
        if ((cand >> r) & 1 && !s->reg_to_temp[r]) {
            ra.t->out_mov(s, r, reg);
            free_reg(s, reg);
            set_temp_reg(s, t, r);
            return;
        }
    }
    temp_save(s, t);
}

/* A register from allowed, not locked and not in avoid; evicts if needed. */
static int pick_reg(TCGContext *s, uint32_t allowed, uint32_t avoid)
{
    uint32_t cand = allowed & ~s->reserved_regs & ~ra.locked & ~avoid;

    g_assert(cand);
    for (int i = 0; ra.t->alloc_order[i] >= 0; i++) {
        int r = ra.t->alloc_order[i];
        if ((cand >> r) & 1 && !s->reg_to_temp[r]) {
            return r;
        }
    }
    /* Spill: prefer a coherent value (no store needed). */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; ra.t->alloc_order[i] >= 0; i++) {
            int r = ra.t->alloc_order[i];
            TCGTemp *t;
            if (!((cand >> r) & 1)) {
                continue;
            }
            t = s->reg_to_temp[r];
            if (pass == 0 && !t->mem_coherent) {
                continue;
            }
            temp_save(s, t);
            return r;
        }
    }
    g_assert_not_reached();
}

int tcg_regalloc_scratch(TCGContext *s, uint32_t avoid)
{
    int r = pick_reg(s, (1u << ra.t->nb_regs) - 1, avoid);

    evict_reg(s, r, avoid);
    ra.locked |= 1u << r;
    return r;
}

/* Bring t into a register from allowed; returns the register. */
static int temp_load(TCGContext *s, TCGTemp *t, uint32_t allowed)
{
    int r, base;
    intptr_t off;

    if (t->val_type == TEMP_VAL_REG) {
        if ((allowed >> t->reg) & 1) {
            return t->reg;
        }
        r = pick_reg(s, allowed, 0);
        evict_reg(s, r, 0);
        ra.t->out_mov(s, r, t->reg);
        free_reg(s, t->reg);
        set_temp_reg(s, t, r);
        return r;
    }
    r = pick_reg(s, allowed, 0);
    evict_reg(s, r, 0);
    switch (t->val_type) {
    case TEMP_VAL_CONST:
        ra.t->out_movi(s, r, t->val);
        t->mem_coherent = false;
        break;
    case TEMP_VAL_MEM:
        temp_mem_addr(s, t, &base, &off);
        ra.t->out_ld(s, temp_size(t), r, base, off);
        t->mem_coherent = true;
        break;
    default:
        /* Reading an undefined temp: the front end read before writing.
         * Give it zero rather than garbage. */
        ra.t->out_movi(s, r, 0);
        t->mem_coherent = false;
        break;
    }
    set_temp_reg(s, t, r);
    return r;
}

static void sync_globals(TCGContext *s)
{
    for (int i = 1; i < s->nb_globals; i++) {
        temp_sync(s, &s->temps[i]);
    }
}

/* End of a basic block: everything that lives on goes to memory. */
static void bb_end(TCGContext *s, bool keep_regs)
{
    for (int i = 1; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        if (t->kind == TEMP_GLOBAL || t->kind == TEMP_TB) {
            if (keep_regs) {
                temp_sync(s, t);
            } else {
                temp_save(s, t);
            }
        }
    }
}

static void reset_all_regs(TCGContext *s)
{
    for (int r = 0; r < 32; r++) {
        TCGTemp *t = s->reg_to_temp[r];
        if (t && t->kind != TEMP_FIXED) {
            free_reg(s, r);
            if (t->kind == TEMP_GLOBAL || t->kind == TEMP_TB) {
                t->val_type = TEMP_VAL_MEM;
            } else {
                t->val_type = TEMP_VAL_DEAD;
            }
        }
    }
}

static void take_snapshot(TCGContext *s)
{
    ra.snap_len = 0;
    for (int i = 1; i < s->nb_globals; i++) {
        TCGTemp *t = &s->temps[i];
        if (t->val_type == TEMP_VAL_REG && !t->mem_coherent) {
            ra.snap[ra.snap_len++] = i;
            ra.snap[ra.snap_len++] = t->reg;
        } else if (t->val_type == TEMP_VAL_CONST) {
            /* Rare: make it recoverable from memory. */
            temp_sync(s, t);
        }
    }
}

static void sync_globals(TCGContext *s);
void tcg_regalloc_snapshot(TCGContext *s)
{
    if (getenv("SMMU_SYNC")) {
        sync_globals(s);
    }
    take_snapshot(s);
}

void tcg_record_fault_site(TCGContext *s)
{
    TCGFaultSite site = {
        .host_off = tcg_current_code_size(s),
        .insn = s->cur_insn,
        .map_start = s->fault_map->len,
        .map_len = ra.snap_len / 2,
    };

    g_byte_array_append(s->fault_map, ra.snap, ra.snap_len);
    g_array_append_val(s->fault_sites, site);
}

static void do_mov(TCGContext *s, TCGOp *op)
{
    TCGTemp *d = OP_ARG_TEMP(s, op, 0);
    TCGTemp *src = OP_ARG_TEMP(s, op, 1);
    bool src_dies = op->life & 2;
    bool d_dead = op->life & 1;

    if (d->val_type == TEMP_VAL_REG) {
        free_reg(s, d->reg);
        d->val_type = d->kind == TEMP_GLOBAL ? TEMP_VAL_MEM : TEMP_VAL_DEAD;
    }
    if (d_dead) {
        if (src_dies) {
            temp_dead(s, src);
        }
        if (d->kind == TEMP_GLOBAL) {
            d->val_type = TEMP_VAL_MEM;
        }
        return;
    }
    if (src->val_type == TEMP_VAL_CONST || src->kind == TEMP_CONST) {
        d->val_type = TEMP_VAL_CONST;
        d->val = src->kind == TEMP_CONST ? src->val : src->val;
        d->mem_coherent = false;
        if (src_dies) {
            temp_dead(s, src);
        }
        return;
    }
    if (src_dies && src->kind != TEMP_FIXED) {
        int r;
        if (src->val_type != TEMP_VAL_REG) {
            temp_load(s, src, ~s->reserved_regs);
        }
        r = src->reg;
        free_reg(s, r);
        if (src->kind == TEMP_GLOBAL) {
            src->val_type = TEMP_VAL_MEM;
            src->mem_coherent = true;
        } else {
            src->val_type = TEMP_VAL_DEAD;
            if (src->mem_allocated) {
                g_array_append_val(s->free_slots, src->mem_offset);
                src->mem_allocated = false;
            }
        }
        set_temp_reg(s, d, r);
        d->mem_coherent = false;
        return;
    }
    {
        int sr, r;
        if (src->kind == TEMP_FIXED) {
            sr = src->reg;
        } else {
            sr = temp_load(s, src, ~s->reserved_regs);
        }
        ra.locked |= 1u << sr;
        r = pick_reg(s, (1u << ra.t->nb_regs) - 1, 0);
        evict_reg(s, r, 0);
        ra.t->out_mov(s, r, sr);
        set_temp_reg(s, d, r);
        d->mem_coherent = false;
    }
}

static void do_call(TCGContext *s, TCGOp *op)
{
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs;
    const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                                op->args[nb_o + nb_i];
    uint32_t clobber = ra.t->call_clobber;

    /* 1. Values that outlive the call leave the clobbered registers. */
    for (int r = 0; r < ra.t->nb_regs; r++) {
        TCGTemp *t = s->reg_to_temp[r];
        bool dying_input = false;
        if (!t || !((clobber >> r) & 1) || t->kind == TEMP_FIXED) {
            continue;
        }
        for (int j = nb_o; j < nb_o + nb_i; j++) {
            if (op->args[j] == t->index && (op->life & (1u << j))) {
                dying_input = true;
            }
        }
        if (!dying_input) {
            evict_reg(s, r, clobber);
        }
    }
    /* 2. Arguments into their registers: copies, so that no value that
     * lives on ends up in a register the call destroys. */
    for (int j = 0; j < nb_i; j++) {
        TCGTemp *t = OP_ARG_TEMP(s, op, nb_o + j);
        int ar = ra.t->call_arg_regs[j];

        if (t->val_type == TEMP_VAL_REG && t->reg == ar) {
            ra.locked |= 1u << ar;
            continue;
        }
        if (s->reg_to_temp[ar]) {
            evict_reg(s, ar, 0);
        }
        if (t->kind == TEMP_CONST || t->val_type == TEMP_VAL_CONST) {
            ra.t->out_movi(s, ar, t->val);
        } else if (t->val_type == TEMP_VAL_REG) {
            ra.t->out_mov(s, ar, t->reg);
        } else if (t->val_type == TEMP_VAL_MEM) {
            int base;
            intptr_t off;
            temp_mem_addr(s, t, &base, &off);
            ra.t->out_ld(s, temp_size(t), ar, base, off);
        } else {
            ra.t->out_movi(s, ar, 0);
        }
        ra.locked |= 1u << ar;
    }
    /* 3. The CPU state the helper sees. */
    if ((info->flags & TCG_CALL_NO_RWG) != TCG_CALL_NO_RWG ||
        (info->flags & TCG_CALL_MAY_RAISE)) {
        sync_globals(s);
    }
    ra.t->out_call(s, info);
    if (info->flags & TCG_CALL_MAY_RAISE) {
        /* The return address identifies the instruction; the globals
         * are all in env. */
        ra.snap_len = 0;
        tcg_record_fault_site(s);
    }
    /* 4. Clobbered registers are free; dying inputs are dead. */
    for (int j = nb_o; j < nb_o + nb_i; j++) {
        if (op->life & (1u << j)) {
            temp_dead(s, OP_ARG_TEMP(s, op, j));
        }
    }
    for (int r = 0; r < ra.t->nb_regs; r++) {
        TCGTemp *t = s->reg_to_temp[r];
        if (t && ((clobber >> r) & 1) && t->kind != TEMP_FIXED) {
            /* An argument register whose temp lives on was copied
             * (step 2 copies only for duplicates); drop it. */
            free_reg(s, r);
            if (t->kind == TEMP_GLOBAL || t->kind == TEMP_TB ||
                t->mem_coherent) {
                t->val_type = TEMP_VAL_MEM;
            } else {
                t->val_type = TEMP_VAL_DEAD;
            }
        }
    }
    if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        for (int i = 1; i < s->nb_globals; i++) {
            TCGTemp *t = &s->temps[i];
            if (t->val_type == TEMP_VAL_REG) {
                free_reg(s, t->reg);
            }
            t->val_type = TEMP_VAL_MEM;
            t->mem_coherent = true;
        }
    }
    ra.locked = 0;
    /* 5. The result. */
    if (nb_o) {
        TCGTemp *d = OP_ARG_TEMP(s, op, 0);
        if (d->val_type == TEMP_VAL_REG) {
            free_reg(s, d->reg);
        }
        if (op->life & 1) {
            if (d->kind == TEMP_GLOBAL) {
                d->val_type = TEMP_VAL_MEM;
            } else {
                d->val_type = TEMP_VAL_DEAD;
            }
        } else {
            evict_reg(s, ra.t->call_ret_reg, 0);
            set_temp_reg(s, d, ra.t->call_ret_reg);
            d->mem_coherent = false;
        }
    }
}

static void do_op(TCGContext *s, TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs, nb_c = op->nb_cargs;
    TCGOpConstraint c;
    TCGArg regs[TCG_MAX_OP_ARGS];
    bool is_const[TCG_MAX_OP_ARGS] = { false };
    uint32_t in_regs = 0;
    uint32_t all = (1u << ra.t->nb_regs) - 1;

    memset(&c, 0, sizeof(c));
    for (int j = 0; j < TCG_MAX_OP_ARGS; j++) {
        c.args[j].alias = -1;
        c.args[j].regs = all;
    }
    ra.t->op_constraint(op, &c);

    /* Inputs, those that need one particular register first (so that
     * another input does not sit there already locked). */
    int order[TCG_MAX_OP_ARGS], n_ord = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int j = nb_o; j < nb_o + nb_i; j++) {
            bool single = __builtin_popcount(c.args[j].regs) == 1;
            if (single == (pass == 0)) {
                order[n_ord++] = j;
            }
        }
    }
    for (int oi = 0; oi < n_ord; oi++) {
        int j = order[oi];
        TCGTemp *t = OP_ARG_TEMP(s, op, j);
        TCGArgConstraint *ac = &c.args[j];
        bool aliased = false;
        int out_idx = -1;
        int r;

        for (int k = 0; k < nb_o; k++) {
            if (c.args[k].alias == j) {
                aliased = true;
                out_idx = k;
            }
        }
        if (!aliased && (t->kind == TEMP_CONST ||
                         t->val_type == TEMP_VAL_CONST) &&
            ac->ct_const && ra.t->const_match(t->val, op->type,
                                              ac->ct_const)) {
            regs[j] = t->val;
            is_const[j] = true;
            continue;
        }
        if (t->kind == TEMP_CONST) {
            /* A constant into a scratch register for this op only. */
            r = pick_reg(s, ac->regs, 0);
            evict_reg(s, r, 0);
            ra.t->out_movi(s, r, t->val);
            ra.locked |= 1u << r;
            regs[j] = r;
            in_regs |= 1u << r;
            continue;
        }
        if (aliased) {
            bool dies = op->life & (1u << j);
            bool dup = false;
            for (int k = nb_o; k < nb_o + nb_i; k++) {
                if (k != j && op->args[k] == op->args[j]) {
                    dup = true;
                }
            }
            /* Reusing the register for the output destroys the input:
             * only if it dies here (and is not read twice). */
            if (!dies || dup || t->kind == TEMP_FIXED) {
                uint32_t allowed = c.args[out_idx].regs & ac->regs;
                if (t->val_type == TEMP_VAL_REG && t->kind != TEMP_FIXED &&
                    ((allowed >> t->reg) & 1) &&
                    !((ra.locked >> t->reg) & 1)) {
                    /* Already where the op wants it: move the temp
                     * elsewhere and let the op destroy this copy. */
                    r = t->reg;
                    ra.locked |= 1u << r;
                    evict_reg(s, r, 0);
                } else if (t->val_type == TEMP_VAL_REG) {
                    int src = t->reg;
                    bool was_locked = (ra.locked >> src) & 1;
                    ra.locked |= 1u << src;
                    r = pick_reg(s, allowed, 0);
                    evict_reg(s, r, 0);
                    ra.t->out_mov(s, r, src);
                    if (!was_locked) {
                        ra.locked &= ~(1u << src);
                    }
                } else if (t->val_type == TEMP_VAL_MEM) {
                    int base;
                    intptr_t off;
                    r = pick_reg(s, allowed, 0);
                    evict_reg(s, r, 0);
                    temp_mem_addr(s, t, &base, &off);
                    ra.t->out_ld(s, temp_size(t), r, base, off);
                } else {
                    r = pick_reg(s, allowed, 0);
                    evict_reg(s, r, 0);
                    ra.t->out_movi(s, r, t->val);
                }
                ra.locked |= 1u << r;
                regs[j] = r;
                in_regs |= 1u << r;
                /* Mark as a private copy: the output will take it. */
                c.args[out_idx].alias = -2 - r;
                continue;
            }
        }
        if (t->kind == TEMP_FIXED) {
            /* env stays where it is: every op accepts it as a base. */
            r = t->reg;
        } else {
            r = temp_load(s, t, ac->regs);
        }
        ra.locked |= 1u << r;
        regs[j] = r;
        in_regs |= 1u << r;
    }

    if (def->flags & TCG_OPF_MAY_FAULT) {
        take_snapshot(s);
    }
    if (def->flags & TCG_OPF_BB_END) {
        /* brcond/goto_tb/goto_ptr: globals to memory, keep registers
         * for the fall-through path. */
        bb_end(s, true);
    }

    /* Inputs that die here free their registers (still readable by the
     * op itself). */
    for (int j = nb_o; j < nb_o + nb_i; j++) {
        if ((op->life & (1u << j)) &&
            OP_ARG_TEMP(s, op, j)->kind != TEMP_CONST) {
            TCGTemp *t = OP_ARG_TEMP(s, op, j);
            bool aliased_here = false;
            for (int k = 0; k < nb_o; k++) {
                if (c.args[k].alias == j) {
                    aliased_here = true;
                }
            }
            if (!aliased_here) {
                temp_dead(s, t);
            }
        }
    }

    /* Fixed clobbers. */
    if (c.clobber) {
        for (int r = 0; r < ra.t->nb_regs; r++) {
            if ((c.clobber >> r) & 1) {
                if (s->reg_to_temp[r] && !((in_regs >> r) & 1)) {
                    evict_reg(s, r, c.clobber);
                }
            }
        }
    }

    /* Outputs. */
    for (int k = 0; k < nb_o; k++) {
        TCGTemp *d = OP_ARG_TEMP(s, op, k);
        TCGArgConstraint *oc = &c.args[k];
        int r;

        if (oc->alias >= 0) {
            TCGTemp *in = OP_ARG_TEMP(s, op, oc->alias);
            r = regs[oc->alias];
            /* The input's register becomes the output's. */
            if (in->val_type == TEMP_VAL_REG && in->reg == r &&
                s->reg_to_temp[r] == in) {
                free_reg(s, r);
                if (in->kind == TEMP_GLOBAL) {
                    in->val_type = TEMP_VAL_MEM;
                    in->mem_coherent = true;
                } else {
                    in->val_type = TEMP_VAL_DEAD;
                    if (in->mem_allocated) {
                        g_array_append_val(s->free_slots, in->mem_offset);
                        in->mem_allocated = false;
                    }
                }
            }
        } else if (oc->alias <= -2) {
            r = -2 - oc->alias;
        } else {
            uint32_t avoid = oc->newreg ? in_regs : 0;
            uint32_t allowed = oc->regs & ~avoid;
            /* Prefer a register not locked; inputs that died are free. */
            if (d->val_type == TEMP_VAL_REG && ((allowed >> d->reg) & 1) &&
                !((ra.locked >> d->reg) & 1) &&
                s->reg_to_temp[d->reg] == d) {
                r = d->reg;
            } else {
                r = pick_reg(s, allowed, 0);
                evict_reg(s, r, avoid);
            }
        }
        if (d->val_type == TEMP_VAL_REG && d->reg != r &&
            s->reg_to_temp[d->reg] == d) {
            free_reg(s, d->reg);
        }
        if (s->reg_to_temp[r] && s->reg_to_temp[r] != d) {
            evict_reg(s, r, 0);
        }
        ra.locked |= 1u << r;
        regs[k] = r;
        /* The allocation is committed after emission. */
    }

    for (int j = nb_o + nb_i; j < nb_o + nb_i + nb_c; j++) {
        regs[j] = op->args[j];
    }
    ra.t->out_op(s, op, regs, is_const);

    for (int k = 0; k < nb_o; k++) {
        TCGTemp *d = OP_ARG_TEMP(s, op, k);
        int r = regs[k];
        if (s->reg_to_temp[r] && s->reg_to_temp[r] != d) {
            /* Should not happen: the register was evicted above. */
            free_reg(s, r);
        }
        set_temp_reg(s, d, r);
        d->mem_coherent = false;
        if (op->life & (1u << k)) {
            temp_dead(s, d);
        }
    }
    ra.locked = 0;
}

int tcg_regalloc_gen(TCGContext *s, const TCGTargetOps *t)
{
    ra.t = t;
    ra.locked = 0;
    s->reserved_regs = (1u << t->env_reg) | (1u << t->frame_reg);
    s->cur_insn = -1;
    s->frame_size = t->frame_size;
    s->frame_next = 0;
    g_array_set_size(s->free_slots, 0);
    memset(s->reg_to_temp, 0, sizeof(s->reg_to_temp));
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *tp = &s->temps[i];
        tp->mem_allocated = tp->kind == TEMP_GLOBAL;
        switch (tp->kind) {
        case TEMP_FIXED:
            tp->val_type = TEMP_VAL_REG;
            tp->reg = t->env_reg;
            s->reg_to_temp[t->env_reg] = tp;
            break;
        case TEMP_GLOBAL:
            tp->val_type = TEMP_VAL_MEM;
            tp->mem_coherent = true;
            break;
        case TEMP_CONST:
            tp->val_type = TEMP_VAL_CONST;
            break;
        default:
            tp->val_type = TEMP_VAL_DEAD;
            tp->mem_coherent = false;
            break;
        }
    }

    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];

        if (s->code_ptr > s->code_end) {
            return -1;
        }
        ra.locked = 0;
        switch (op->opc) {
        case INDEX_op_nop:
            break;
        case INDEX_op_discard:
            /* A dead global: memory keeps an old value. */
            temp_dead(s, OP_ARG_TEMP(s, op, 0));
            break;
        case INDEX_op_insn_start:
            s->cur_insn++;
            break;
        case INDEX_op_set_label:
            bb_end(s, false);
            reset_all_regs(s);
            t->out_label(s, op->args[0]);
            break;
        case INDEX_op_br:
            bb_end(s, false);
            t->out_op(s, op, op->args, (bool[TCG_MAX_OP_ARGS]){ false });
            reset_all_regs(s);
            break;
        case INDEX_op_exit_tb:
            bb_end(s, false);
            t->out_op(s, op, op->args, (bool[TCG_MAX_OP_ARGS]){ false });
            reset_all_regs(s);
            break;
        case INDEX_op_mov:
            do_mov(s, op);
            break;
        case INDEX_op_call:
            do_call(s, op);
            break;
        default:
            do_op(s, op);
            if (op->opc == INDEX_op_goto_ptr) {
                reset_all_regs(s);
            }
            break;
        }
        if (s->overflow) {
            return -2;
        }
    }
    if (s->code_ptr > s->code_end) {
        return -1;
    }
    /* Resolve label relocations. */
    for (unsigned i = 0; i < s->relocs->len; i++) {
        TCGReloc *r = &g_array_index(s->relocs, TCGReloc, i);
        TCGLabel *l = &s->labels[r->label];
        g_assert(l->present);
        if (!t->patch_reloc(s, r, l->value)) {
            return -2;
        }
    }
    return 0;
}
