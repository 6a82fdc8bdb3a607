/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic translator loop and guest-code fetch.
 */
#include "ember/osdep.h"
#include "tcg/tcg.h"
#include "exec/exec-all.h"
#include "exec/translator.h"

void translator_loop(CPUState *cpu, TranslationBlock *tb, int max_insns,
                     const TranslatorOps *ops, DisasContextBase *db)
{
    TCGContext *s = tcg_ctx;

    db->tb = tb;
    db->pc_first = db->pc_next = tb->pc;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->max_insns = max_insns;
    db->page_addr[0] = tb->pc & TARGET_PAGE_MASK;
    db->page_addr[1] = (uint64_t)-1;
    db->page_host[0] = db->page_host[1] = NULL;
    db->fetch_fault = false;

    ops->init_disas_context(db, cpu);
    ops->tb_start(db, cpu);
    for (;;) {
        db->num_insns++;
        ops->insn_start(db, cpu);
        ops->translate_insn(db, cpu);
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        /* Leave room: an x86 instruction can expand to a few hundred
         * ops (string instructions, x87 and SSE sequences). */
        if (db->num_insns >= db->max_insns ||
            s->nb_ops > TCG_MAX_OPS - 400 ||
            s->nb_temps > TCG_MAX_TEMPS - 80 ||
            s->nb_labels > TCG_MAX_LABELS - 16 ||
            (db->pc_next & TARGET_PAGE_MASK) != db->page_addr[0]) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db, cpu);
    tb->size = db->pc_next - db->pc_first;
    tb->icount = db->num_insns;
    tb->page_addr[0] = db->page_addr[0];
    tb->page_addr[1] = db->page_addr[1];
    if (tb->page_addr[1] != (uint64_t)-1 &&
        ((db->pc_next - 1) & TARGET_PAGE_MASK) == db->page_addr[0]) {
        /* A fetch looked at the next page but no byte of the TB lies
         * there: only the first page matters. */
        tb->page_addr[1] = (uint64_t)-1;
    }
    if (tcg_mode_ops->phys_page) {
        /* System mode keys code by where it lies, not where it is seen. */
        for (int i = 0; i < 2; i++) {
            if (tb->page_addr[i] != (uint64_t)-1) {
                tb->page_addr[i] = tcg_mode_ops->phys_page(cpu,
                                                           tb->page_addr[i]);
            }
        }
    }
}

bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest,
                            uint64_t insn_last)
{
    uint64_t page = dest & TARGET_PAGE_MASK;

    if (!tcg_mode_ops->same_page_chaining) {
        return true;
    }
    return page == (db->pc_first & TARGET_PAGE_MASK) ||
           page == (insn_last & TARGET_PAGE_MASK);
}

bool translator_fetch(DisasContextBase *db, CPUState *cpu, uint64_t pc,
                      void *buf, size_t len)
{
    uint8_t *out = buf;

    for (size_t i = 0; i < len; i++) {
        uint64_t a = pc + i;
        uint64_t page = a & TARGET_PAGE_MASK;
        const uint8_t *host;

        if (page == db->page_addr[0]) {
            if (!db->page_host[0]) {
                db->page_host[0] = tcg_mode_ops->code_page(cpu, page);
                if (!db->page_host[0]) {
                    db->fetch_fault = true;
                    return false;
                }
            }
            host = db->page_host[0];
        } else if (db->page_addr[1] == (uint64_t)-1 ||
                   db->page_addr[1] == page) {
            if (!db->page_host[1]) {
                db->page_host[1] = tcg_mode_ops->code_page(cpu, page);
                if (!db->page_host[1]) {
                    db->fetch_fault = true;
                    return false;
                }
                db->page_addr[1] = page;
            }
            host = db->page_host[1];
        } else {
            db->fetch_fault = true;
            return false;
        }
        out[i] = host[a - page];
    }
    return true;
}
