/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Liveness analysis and dead-code removal: one backward pass.
 *
 * Globals are live at every basic-block end (the back end writes them
 * back there) and before helper calls that look at the CPU state. A
 * write to a global that is overwritten before either point is dead;
 * this is what drops the lazy-flag bookkeeping (cc_dst/cc_src/cc_op) of
 * instructions whose flags the next instruction replaces. Guest memory
 * accesses do not count as reads of the globals: a fault in the middle
 * of a block recovers the registers from the fault map (see
 * docs/jit.md, "precise faults"), but a value that was dead in program
 * order may be stale there.
 */
#include "ember/osdep.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"
#include "exec/cputlb.h"

static void mark_globals_live(TCGContext *s, uint8_t *live)
{
    memset(live, 1, s->nb_globals);
}

static void mark_tb_temps_live(TCGContext *s, uint8_t *live)
{
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_TB) {
            live[i] = 1;
        }
    }
}

/*
 * TB temps live where a branch goes: the set recorded at its label, if
 * the label comes later in the block (already seen by this backward
 * pass); otherwise (a backward branch) all of them.
 */
typedef struct LabelLive {
    int *tb_temps;              /* indices of the TB temps */
    int n;
    uint8_t *at;                /* [label * n + k]: tb_temps[k] live */
    uint8_t *seen;              /* [label] */
} LabelLive;

static void label_record(TCGContext *s, LabelLive *ll, int label,
                         const uint8_t *live)
{
    ll->seen[label] = 1;
    for (int k = 0; k < ll->n; k++) {
        ll->at[label * ll->n + k] = live[ll->tb_temps[k]];
    }
}

static void label_merge(TCGContext *s, LabelLive *ll, int label,
                        uint8_t *live)
{
    if (!ll->seen[label]) {
        mark_tb_temps_live(s, live);
        return;
    }
    for (int k = 0; k < ll->n; k++) {
        live[ll->tb_temps[k]] |= ll->at[label * ll->n + k];
    }
}

static void kill_ebb_temps(TCGContext *s, uint8_t *live)
{
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_EBB) {
            live[i] = 0;
        }
    }
}

static bool op_removable(const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];

    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                                    op->args[op->nb_oargs + op->nb_iargs];
        return (info->flags & TCG_CALL_NO_SIDE_EFFECTS) &&
               (info->flags & TCG_CALL_NO_WRITE_GLOBALS) && op->nb_oargs;
    }
    if (def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END |
                      TCG_OPF_NOT_PRESENT)) {
        return false;
    }
    return op->nb_oargs > 0;
}

void tcg_liveness(TCGContext *s)
{
    uint8_t *live = g_alloca(s->nb_temps);
    LabelLive ll = { 0 };

    ll.tb_temps = g_alloca(sizeof(int) * (s->nb_temps + 1));
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_TB) {
            ll.tb_temps[ll.n++] = i;
        }
    }
    ll.seen = g_malloc0(s->nb_labels + 1);
    ll.at = g_malloc0((size_t)(s->nb_labels + 1) * (ll.n + 1));

    memset(live, 0, s->nb_temps);
    mark_globals_live(s, live);

    for (int i = s->nb_ops - 1; i >= 0; i--) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        int nb_o = op->nb_oargs, nb_i = op->nb_iargs;
        uint16_t life = 0;
        bool all_dead;

        switch (op->opc) {
        case INDEX_op_nop:
        case INDEX_op_insn_start:
            continue;
        case INDEX_op_set_label:
            kill_ebb_temps(s, live);
            mark_globals_live(s, live);
            label_record(s, &ll, op->args[0], live);
            continue;
        case INDEX_op_br:
            memset(live, 0, s->nb_temps);
            mark_globals_live(s, live);
            label_merge(s, &ll, op->args[0], live);
            continue;
        case INDEX_op_exit_tb:
            memset(live, 0, s->nb_temps);
            mark_globals_live(s, live);
            continue;
        case INDEX_op_discard:
            live[op->args[0]] = 0;
            if (s->temps[op->args[0]].kind != TEMP_GLOBAL) {
                tcg_op_remove(s, op);
            }
            /* A global's stays: the allocator drops its register
             * without writing it back. */
            continue;
        default:
            break;
        }

        if (def->flags & TCG_OPF_BB_END) {
            /* brcond, goto_tb, goto_ptr: the other path needs globals in
             * memory, and a branch's target the TB temps it reads. */
            mark_globals_live(s, live);
            if (op->opc == INDEX_op_brcond) {
                label_merge(s, &ll, op->args[3], live);
            }
        }

        all_dead = nb_o > 0;
        for (int j = 0; j < nb_o; j++) {
            if (live[op->args[j]]) {
                all_dead = false;
            }
        }
        if (all_dead && op_removable(op)) {
            tcg_op_remove(s, op);
            continue;
        }
        for (int j = 0; j < nb_o; j++) {
            TCGArg a = op->args[j];
            if (!live[a]) {
                life |= 1u << j;
            }
            if (s->temps[a].kind != TEMP_FIXED) {
                live[a] = 0;
            }
        }
        if ((def->flags & TCG_OPF_MAY_FAULT) && tcg_softmmu) {
            /*
             * System mode: a page fault restarts the instruction after the
             * guest's handler ran, so every guest register must be
             * recoverable at the access, dead in program order or not.
             */
            mark_globals_live(s, live);
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                                        op->args[nb_o + nb_i];
            if ((info->flags & TCG_CALL_NO_RWG) != TCG_CALL_NO_RWG ||
                (info->flags & TCG_CALL_MAY_RAISE)) {
                mark_globals_live(s, live);
            }
        }
        for (int j = nb_o; j < nb_o + nb_i; j++) {
            TCGArg a = op->args[j];
            TCGTemp *t = &s->temps[a];
            if (t->kind == TEMP_CONST || t->kind == TEMP_FIXED) {
                continue;
            }
            if (!live[a]) {
                /* Last use; an argument appearing twice dies once. */
                bool again = false;
                for (int k = j + 1; k < nb_o + nb_i; k++) {
                    if (op->args[k] == a) {
                        again = true;
                    }
                }
                if (!again) {
                    life |= 1u << j;
                }
            }
        }
        for (int j = nb_o; j < nb_o + nb_i; j++) {
            live[op->args[j]] = 1;
        }
        op->life = life;
    }
    g_free(ll.seen);
    g_free(ll.at);
}
