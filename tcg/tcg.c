/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IR core: the context, temporaries, labels, the op list, the dump
 * for -d op/op_opt, and the code generation pipeline.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(n, o, i, c, f) [INDEX_op_##n] = { #n, o, i, c, f },
#include "tcg/tcg-opc.h"
};

static TCGContext tcg_ctx_storage;
bool tcg_guest_mem_direct;
TCGContext *tcg_ctx = &tcg_ctx_storage;
static const TCGBackend *cur_backend;

bool tcg_select_backend(const char *name)
{
#ifdef HOST_X86_64
    if (!name || !strcmp(name, "x86_64") || !strcmp(name, "native") ||
        !strcmp(name, "jit")) {
        cur_backend = &tcg_backend_x86_64;
        return true;
    }
#else
    if (!name || !strcmp(name, "native") || !strcmp(name, "jit")) {
        cur_backend = &tcg_backend_interp;
        return true;
    }
#endif
    if (!strcmp(name, "interp") || !strcmp(name, "tci")) {
        cur_backend = &tcg_backend_interp;
        return true;
    }
    return false;
}

const TCGBackend *tcg_current_backend(void)
{
    if (!cur_backend) {
        tcg_select_backend(NULL);
    }
    return cur_backend;
}

void tcg_context_init(void)
{
    TCGContext *s = tcg_ctx;

    s->ops = g_new0(TCGOp, TCG_MAX_OPS);
    s->const_table = g_hash_table_new(g_int64_hash, g_int64_equal);
    s->relocs = g_array_new(false, false, sizeof(TCGReloc));
    s->fault_sites = g_array_new(false, false, sizeof(TCGFaultSite));
    s->fault_map = g_byte_array_new();
    s->free_slots = g_array_new(false, false, sizeof(int));
    s->be = tcg_current_backend();

    /* Temp 0 is the env pointer (a fixed host register). */
    s->nb_globals = 0;
    s->env = &s->temps[0];
    s->env->kind = TEMP_FIXED;
    s->env->name = "env";
    s->env->index = 0;
    s->nb_globals = s->nb_temps = 1;
}

TCGv tcg_global_mem_new(int offset, int size, const char *name)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *t;

    g_assert(s->nb_temps == s->nb_globals);
    g_assert(s->nb_globals < 64);
    t = &s->temps[s->nb_globals];
    memset(t, 0, sizeof(*t));
    t->kind = TEMP_GLOBAL;
    t->mem_offset = offset;
    t->mem_size = size;
    t->name = name;
    t->index = s->nb_globals;
    s->nb_globals++;
    s->nb_temps = s->nb_globals;
    return t;
}

void tcg_func_start(TCGContext *s)
{
    s->nb_temps = s->nb_globals;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_insns = 0;
    s->overflow = false;
    g_hash_table_remove_all(s->const_table);
    g_array_set_size(s->relocs, 0);
    g_array_set_size(s->fault_sites, 0);
    g_byte_array_set_size(s->fault_map, 0);
    s->be = tcg_current_backend();
}

static TCGTemp *temp_alloc(TCGContext *s, TCGTempKind kind)
{
    TCGTemp *t;

    /* Reuse a freed temp of the same kind. */
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        t = &s->temps[i];
        if (!t->allocated && t->kind == kind) {
            t->allocated = true;
            return t;
        }
    }
    if (s->nb_temps >= TCG_MAX_TEMPS) {
        /* Keep going with a shared sacrificial temp; the TB is dropped
         * and translated again with fewer instructions. */
        s->overflow = true;
        return &s->temps[s->nb_temps - 1];
    }
    t = &s->temps[s->nb_temps];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->index = s->nb_temps++;
    t->allocated = true;
    t->mem_size = 8;
    t->copy_next = t->copy_prev = t->index;
    t->z_mask = ~0ull;
    return t;
}

TCGv tcg_temp_new(void)
{
    return temp_alloc(tcg_ctx, TEMP_EBB);
}

TCGv tcg_temp_new_tb(void)
{
    return temp_alloc(tcg_ctx, TEMP_TB);
}

void tcg_temp_free(TCGv t)
{
    if (t->kind == TEMP_EBB || t->kind == TEMP_TB) {
        t->allocated = false;
    }
}

void tcg_temp_free_all_ebb(void)
{
    TCGContext *s = tcg_ctx;

    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_EBB) {
            s->temps[i].allocated = false;
        }
    }
}

TCGv tcg_constant(uint64_t val)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *t = g_hash_table_lookup(s->const_table, &val);

    if (t) {
        return t;
    }
    if (s->nb_temps >= TCG_MAX_TEMPS) {
        s->overflow = true;
        return &s->temps[s->nb_temps - 1];
    }
    t = &s->temps[s->nb_temps];
    memset(t, 0, sizeof(*t));
    t->kind = TEMP_CONST;
    t->index = s->nb_temps++;
    t->val = val;
    t->allocated = true;
    t->copy_next = t->copy_prev = t->index;
    t->is_const = true;
    t->const_val = val;
    t->z_mask = val;
    g_hash_table_insert(s->const_table, &t->val, t);
    return t;
}

int tcg_new_label(void)
{
    TCGContext *s = tcg_ctx;

    if (s->nb_labels >= TCG_MAX_LABELS) {
        s->overflow = true;
        return TCG_MAX_LABELS - 1;
    }
    memset(&s->labels[s->nb_labels], 0, sizeof(TCGLabel));
    return s->nb_labels++;
}

TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type, int nargs)
{
    TCGContext *s = tcg_ctx;
    TCGOp *op;

    if (s->nb_ops >= TCG_MAX_OPS) {
        s->overflow = true;
        op = &s->ops[TCG_MAX_OPS - 1];
    } else {
        op = &s->ops[s->nb_ops++];
    }
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->type = type;
    if (opc != INDEX_op_call) {
        op->nb_oargs = tcg_op_defs[opc].nb_oargs;
        op->nb_iargs = tcg_op_defs[opc].nb_iargs;
        op->nb_cargs = tcg_op_defs[opc].nb_cargs;
    }
    return op;
}

void tcg_op_remove(TCGContext *s, TCGOp *op)
{
    /* Ops are removed in place by turning them into a nop. */
    op->opc = INDEX_op_nop;
    op->nb_oargs = op->nb_iargs = op->nb_cargs = 0;
    op->life = 0;
}

bool tcg_eval_cond(TCGCond c, uint64_t a, uint64_t b, TCGType type)
{
    if (type == TCG_TYPE_I32) {
        int32_t sa = a, sb = b;
        uint32_t ua = a, ub = b;
        switch (c) {
        case TCG_COND_NEVER: return false;
        case TCG_COND_ALWAYS: return true;
        case TCG_COND_EQ: return ua == ub;
        case TCG_COND_NE: return ua != ub;
        case TCG_COND_LT: return sa < sb;
        case TCG_COND_GE: return sa >= sb;
        case TCG_COND_LE: return sa <= sb;
        case TCG_COND_GT: return sa > sb;
        case TCG_COND_LTU: return ua < ub;
        case TCG_COND_GEU: return ua >= ub;
        case TCG_COND_LEU: return ua <= ub;
        case TCG_COND_GTU: return ua > ub;
        case TCG_COND_TSTEQ: return (ua & ub) == 0;
        case TCG_COND_TSTNE: return (ua & ub) != 0;
        }
    } else {
        int64_t sa = a, sb = b;
        switch (c) {
        case TCG_COND_NEVER: return false;
        case TCG_COND_ALWAYS: return true;
        case TCG_COND_EQ: return a == b;
        case TCG_COND_NE: return a != b;
        case TCG_COND_LT: return sa < sb;
        case TCG_COND_GE: return sa >= sb;
        case TCG_COND_LE: return sa <= sb;
        case TCG_COND_GT: return sa > sb;
        case TCG_COND_LTU: return a < b;
        case TCG_COND_GEU: return a >= b;
        case TCG_COND_LEU: return a <= b;
        case TCG_COND_GTU: return a > b;
        case TCG_COND_TSTEQ: return (a & b) == 0;
        case TCG_COND_TSTNE: return (a & b) != 0;
        }
    }
    return false;
}

/* -d op / op_opt. */
static const char *const cond_names[] = {
    "never", "always", "eq", "ne", "lt", "ge", "le", "gt",
    "ltu", "geu", "leu", "gtu", "tsteq", "tstne",
};

static void temp_name(TCGContext *s, TCGArg idx, char *buf, size_t len)
{
    TCGTemp *t = &s->temps[idx];

    switch (t->kind) {
    case TEMP_GLOBAL:
    case TEMP_FIXED:
        snprintf(buf, len, "%s", t->name);
        break;
    case TEMP_CONST:
        snprintf(buf, len, "$0x%" PRIx64, t->val);
        break;
    case TEMP_TB:
        snprintf(buf, len, "loc%d", (int)idx - s->nb_globals);
        break;
    default:
        snprintf(buf, len, "tmp%d", (int)idx - s->nb_globals);
        break;
    }
}

void tcg_dump_ops(TCGContext *s, FILE *f, bool have_prefs)
{
    char buf[64];

    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        int k = 0;

        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            fprintf(f, " ---- %016" PRIx64 " cc_op=%" PRIu64 "\n",
                    op->args[0], op->args[1]);
            continue;
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info =
                (const TCGHelperInfo *)(uintptr_t)
                op->args[op->nb_oargs + op->nb_iargs];
            fprintf(f, " call %s", info->name);
        } else {
            fprintf(f, " %s%s", def->name,
                    (def->flags & TCG_OPF_TYPED) ?
                    (op->type == TCG_TYPE_I32 ? "_i32" : "_i64") : "");
        }
        for (int j = 0; j < op->nb_oargs + op->nb_iargs; j++) {
            temp_name(s, op->args[j], buf, sizeof(buf));
            fprintf(f, "%s%s", k++ ? "," : " ", buf);
        }
        switch (op->opc) {
        case INDEX_op_brcond:
            fprintf(f, ",%s,$L%d", cond_names[op->args[2]],
                    (int)op->args[3]);
            break;
        case INDEX_op_setcond:
        case INDEX_op_negsetcond:
            fprintf(f, ",%s", cond_names[op->args[3]]);
            break;
        case INDEX_op_movcond:
            fprintf(f, ",%s", cond_names[op->args[5]]);
            break;
        case INDEX_op_set_label:
        case INDEX_op_br:
            fprintf(f, "%s$L%d", k ? "," : " ", (int)op->args[0]);
            break;
        case INDEX_op_call:
            break;
        case INDEX_op_qemu_ld:
        case INDEX_op_qemu_st:
        case INDEX_op_cmpxchg:
        case INDEX_op_xchg:
        case INDEX_op_xadd: {
            MemOp mop = get_memop(op->args[op->nb_oargs + op->nb_iargs]);
            fprintf(f, ",%s%d%s", (mop & MO_SIGN) ? "s" : "u",
                    8 << (mop & MO_SIZE),
                    (mop & MO_AMASK) ? ",al" : "");
            break;
        }
        default:
            for (int j = 0; j < op->nb_cargs; j++) {
                TCGArg a = op->args[op->nb_oargs + op->nb_iargs + j];
                fprintf(f, "%s$0x%" PRIx64, k++ ? "," : " ", a);
            }
            break;
        }
        if (have_prefs && op->life) {
            fprintf(f, "  dead:");
            for (int j = 0; j < op->nb_oargs + op->nb_iargs; j++) {
                if (op->life & (1u << j)) {
                    fprintf(f, " %d", j);
                }
            }
        }
        fprintf(f, "\n");
    }
}

int tcg_gen_code(TCGContext *s, TranslationBlock *tb)
{
    int ret;

    if (s->overflow) {
        return -2;
    }
    s->stat_ops += s->nb_ops;
    if (ember_log_enabled(LOG_OP)) {
        log_lock();
        ember_log("OP:\n");
        tcg_dump_ops(s, log_file(), false);
        ember_log("\n");
        log_unlock();
    }
    tcg_optimize(s);
    tcg_liveness(s);
    if (ember_log_enabled(LOG_OP_OPT)) {
        log_lock();
        ember_log("OP after optimization and liveness analysis:\n");
        tcg_dump_ops(s, log_file(), true);
        ember_log("\n");
        log_unlock();
    }
    for (int i = 0; i < s->nb_ops; i++) {
        if (s->ops[i].opc != INDEX_op_nop) {
            s->stat_ops_opt++;
        }
    }
    s->tb = tb;
    ret = s->be->gen_code(s, tb);
    return ret;
}

void tcg_out_reloc(TCGContext *s, int label, int kind, uint32_t offset)
{
    TCGReloc r = { .label = label, .kind = kind, .offset = offset };

    g_array_append_val(s->relocs, r);
}

void tcg_tb_attach_recovery(TCGContext *s, TranslationBlock *tb)
{
    size_t insn_bytes = s->nb_insns * sizeof(uint64_t[2]);
    size_t site_bytes = s->fault_sites->len * sizeof(TCGFaultSite);
    size_t map_bytes = s->fault_map->len;
    uint8_t *blob = g_malloc(insn_bytes + site_bytes + map_bytes + 1);

    /* An empty GArray's data may be NULL: memcpy must not see it. */
    if (insn_bytes) {
        memcpy(blob, s->insn_data, insn_bytes);
    }
    if (site_bytes) {
        memcpy(blob + insn_bytes, s->fault_sites->data, site_bytes);
    }
    if (map_bytes) {
        memcpy(blob + insn_bytes + site_bytes, s->fault_map->data, map_bytes);
    }
    tb->nb_insns = s->nb_insns;
    tb->insn_data = (uint64_t (*)[2])blob;
    tb->nb_sites = s->fault_sites->len;
    tb->sites = (TCGFaultSite *)(blob + insn_bytes);
    tb->site_map = blob + insn_bytes + site_bytes;
}
