/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translating a block: set-up of the translator, tb_gen_code(), and the
 * -d in_asm/out_asm logs.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "tcg/tcg.h"
#include "exec/exec-all.h"
#include "exec/translator.h"
#include "exec/user-mem.h"
#include "../../tcg/tcg-internal.h"
#include "internal.h"
#ifdef CONFIG_CAPSTONE
#include <capstone/capstone.h>
#endif
#include <time.h>

const TCGModeOps *tcg_mode_ops;
uintptr_t guest_base;

#define DEFAULT_CODE_SIZE (512 * MiB)
#define TB_MAX_INSNS_DEFAULT 256
/* Free space below which a new TB is not started. */
/* Room kept free at the end of the buffer: a block is only started with
 * this much left, and emission stops half way into it. */
#define CODE_HEADROOM (256 * KiB)
#define MIN_CODE_SIZE (2 * MiB)

void tcg_exec_init(const TCGModeOps *ops, size_t code_size)
{
    TCGContext *s = tcg_ctx;
    size_t used;

    tcg_mode_ops = ops;
    if (!code_size) {
        code_size = DEFAULT_CODE_SIZE;
    }
    tcg_region_init(MAX(code_size, MIN_CODE_SIZE));
    tcg_context_init();
    tcg_target_init_globals();
    s->code_buf = s->code_ptr = tcg_region.rw;
    s->code_end = tcg_region.rw + tcg_region.size;
    used = s->be->init(s);
    tcg_region.prologue_size = ROUND_UP(used, 64);
    tcg_region.ptr = tcg_region.rw + tcg_region.prologue_size;
    tb_maint_init();
    ember_log_mask(LOG_ACCEL, "tcg: back end %s, code buffer %zu MiB%s\n",
                   s->be->name, tcg_region.size >> 20,
                   tcg_region.rw != tcg_region.rx ? " (split W^X)" : "");
}

void tcg_cpu_init(CPUState *cpu)
{
    TCGCPU *tc = g_new0(TCGCPU, 1);

    tc->cflags_next_tb = (uint32_t)-1;
    cpu->accel = tc;
    cpu->tb_jmp_cache = tc->jmp_cache;
    cpu->exception_index = -1;
}

void tcg_cpu_destroy(CPUState *cpu)
{
    g_free(cpu->accel);
    cpu->accel = NULL;
    cpu->tb_jmp_cache = NULL;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#ifdef CONFIG_CAPSTONE
static void disas(FILE *f, const uint8_t *code, size_t len, uint64_t addr)
{
    csh h;
    cs_insn *insn;
    size_t n;

    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
        return;
    }
    cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
    n = cs_disasm(h, code, len, addr, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "0x%016" PRIx64 ":  %-10s %s\n", insn[i].address,
                insn[i].mnemonic, insn[i].op_str);
    }
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&h);
}
#else
static void disas(FILE *f, const uint8_t *code, size_t len, uint64_t addr)
{
    for (size_t i = 0; i < len; i += 16) {
        fprintf(f, "0x%016" PRIx64 ": ", addr + i);
        for (size_t j = i; j < len && j < i + 16; j++) {
            fprintf(f, " %02x", code[j]);
        }
        fprintf(f, "\n");
    }
}
#endif

void tcg_log_host_code(const void *code, size_t size)
{
    disas(log_file(), code, size, (uintptr_t)code);
}

static void log_in_asm(CPUState *cpu, TranslationBlock *tb)
{
    uint8_t *buf = g_malloc(tb->size);

    for (uint32_t i = 0; i < tb->size; i++) {
        uint64_t a = tb->pc + i;
        const uint8_t *p = tcg_mode_ops->code_page(cpu, a & TARGET_PAGE_MASK);
        buf[i] = p ? p[a & ~TARGET_PAGE_MASK] : 0;
    }
    log_lock();
    ember_log("IN: \n");
    disas(log_file(), buf, tb->size, tb->pc);
    ember_log("\n");
    log_unlock();
    g_free(buf);
}

static void log_out_asm(TranslationBlock *tb)
{
    log_lock();
    ember_log("OUT: [size=%u] (guest 0x%016" PRIx64 ", %u insns)\n",
              tb->tc_size, tb->pc, tb->icount);
    if (tcg_ctx->be->host_code) {
        disas(log_file(), tb->tc_ptr, tb->tc_size, (uintptr_t)tb->tc_ptr);
    } else {
        ember_log("  (interpreter bytecode)\n");
    }
    ember_log("\n");
    log_unlock();
}

/*
 * EMBER_PERFMAP=1: write /tmp/perf-PID.map so that perf(1) names each
 * block of generated code by its guest address.
 */
static void perfmap_add(const TranslationBlock *tb)
{
    static FILE *f;
    static int state;       /* 0 unknown, 1 on, -1 off */

    if (state == 0) {
        const char *e = g_getenv("EMBER_PERFMAP");
        state = e && *e && strcmp(e, "0") ? 1 : -1;
    }
    if (state < 0 || tcg_region.rw == NULL) {
        return;
    }
    if (!f) {
        g_autofree char *name = g_strdup_printf("/tmp/perf-%d.map",
                                                (int)getpid());
        f = fopen(name, "a");
        if (!f) {
            state = -1;
            return;
        }
    }
    fprintf(f, "%lx %x guest_%" PRIx64 "\n", (unsigned long)tb->tc_ptr,
            (unsigned)tb->tc_size, tb->pc);
    fflush(f);
}

TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint64_t cs_base,
                              uint32_t flags, uint32_t cflags)
{
    TCGContext *s = tcg_ctx;
    int max_insns = cflags & CF_COUNT_MASK;
    uint64_t t0 = ember_log_enabled(LOG_TB_STATS) ? now_ns() : 0;
    TranslationBlock *tb;
    int ret;

    g_assert(tb_lock_held());
    if (!max_insns) {
        max_insns = TB_MAX_INSNS_DEFAULT;
    }
    if (max_insns > TCG_MAX_INSNS) {
        max_insns = TCG_MAX_INSNS;
    }
    for (;;) {
        uint8_t *start = (uint8_t *)ROUND_UP((uintptr_t)tcg_region.ptr, 16);

        if (start + CODE_HEADROOM > tcg_region.rw + tcg_region.size) {
            return NULL;
        }
        tb = g_new0(TranslationBlock, 1);
        tb->pc = pc;
        tb->cs_base = cs_base;
        tb->flags = flags;
        tb->cflags = cflags;
        tb->page_addr[0] = tb->page_addr[1] = (uint64_t)-1;

        tcg_func_start(s);
        s->code_buf = s->code_ptr = start;
        s->code_end = tcg_region.rw + tcg_region.size - CODE_HEADROOM / 2;
        gen_intermediate_code(cpu, tb, max_insns);
        ret = tcg_gen_code(s, tb);
        if (ret == 0) {
            break;
        }
        {
            int got = tb->icount;
            g_free(tb);
            if (ret == -1) {
                return NULL;
            }
            /* Too big for the back end: retry with fewer instructions. */
            g_assert(got > 1);
            max_insns = MAX(1, got / 2);
        }
    }
    tb->tc_ptr = tcg_rw_to_rx(s->code_buf);
    tb->tc_size = s->code_ptr - s->code_buf;
    tcg_region.ptr = s->code_ptr;
    tcg_tb_attach_recovery(s, tb);
    for (int n = 0; n < 2; n++) {
        if (tb->jmp_reset_offset[n] != 0xffff) {
            /* The initial jump target is the fall-through exit path. */
            s->be->set_jmp_target(tb, n, (const uint8_t *)tb->tc_ptr +
                                  tb->jmp_reset_offset[n]);
        }
    }
    s->stat_tbs++;
    s->stat_insns += tb->icount;
    s->stat_code_bytes += tb->tc_size;
    if (t0) {
        s->stat_translate_ns += now_ns() - t0;
    }
    if (ember_log_enabled(LOG_IN_ASM)) {
        log_in_asm(cpu, tb);
    }
    if (ember_log_enabled(LOG_OUT_ASM)) {
        log_out_asm(tb);
    }
    perfmap_add(tb);
    tb_link(tb);
    return tb;
}

void tcg_dump_stats(FILE *f)
{
    TCGContext *s = tcg_ctx;

    tb_lock();
    fprintf(f, "Translation statistics (back end %s)\n", s->be->name);
    fprintf(f, "TBs translated     %" PRIu64 "\n", s->stat_tbs);
    fprintf(f, "guest insns        %" PRIu64 " (%.1f per TB)\n",
            s->stat_insns, s->stat_tbs ?
            (double)s->stat_insns / s->stat_tbs : 0.0);
    fprintf(f, "IR ops             %" PRIu64 " before, %" PRIu64
            " after optimization\n", s->stat_ops, s->stat_ops_opt);
    fprintf(f, "host code bytes    %" PRIu64 " (%.1f per guest insn)\n",
            s->stat_code_bytes, s->stat_insns ?
            (double)s->stat_code_bytes / s->stat_insns : 0.0);
    fprintf(f, "translation time   %.3f ms\n", s->stat_translate_ns / 1e6);
    fprintf(f, "TB entries from C  %" PRIu64 "\n", tcg_stat_exec_entries);
    tb_maint_stats(f);
    tb_unlock();
}
