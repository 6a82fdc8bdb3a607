/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The differential tester: seeded random x86-64 instruction sequences,
 * each run from a random register/flag/memory state, with the final
 * state printed. The same binary is run natively and under
 * ember-x86_64; the outputs must be identical (tests/tcg/difftest.py).
 *
 *   difftest [-s seed] [-n count] [-l length] [-c classes] [-v]
 *
 * Classes: i(nteger) s(hift) m(ul/div) b(it) c(ontrol) t(string)
 * x (SSE) f (x87). Flags an instruction leaves undefined (SDM vol. 2)
 * are tracked and masked out of the printed RFLAGS. A sequence may
 * fault (division by zero, #UD): the signal, its code and the faulting
 * offset are part of the output too.
 *
 * Built static, plain C, no library but libc.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "difftest-gen.h"

/* The state block, addressed RIP-relative from the generated code. */
typedef struct State {
    uint64_t gpr[16];
    uint64_t flags;
    uint8_t xmm[16][16];
    uint8_t fpu[512] __attribute__((aligned(64)));
} State;

#define SCRATCH_SIZE 512
#define CODE_SIZE 65536

typedef struct Buffer {
    uint8_t code[CODE_SIZE];
    State in, out;
    uint64_t saved_rsp;
    uint8_t pad[48];
    uint8_t scratch[SCRATCH_SIZE] __attribute__((aligned(64)));
} Buffer;

static Buffer *buf;
static sigjmp_buf fault_jmp;
static volatile int fault_sig, fault_code;
static volatile long fault_off;
static size_t body_start, body_end;

static void on_fault(int sig, siginfo_t *si, void *puc)
{
    ucontext_t *uc = puc;
    uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];

    fault_sig = sig;
    fault_code = si->si_code;
    fault_off = pc >= (uintptr_t)buf->code && pc < (uintptr_t)buf->code +
                CODE_SIZE ? (long)(pc - (uintptr_t)buf->code) : -1;
    /* Registers at the fault are architectural: record them. */
    {
        static const int map[16] = {
            REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI,
            REG_RDI, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13,
            REG_R14, REG_R15,
        };
        for (int i = 0; i < 16; i++) {
            buf->out.gpr[i] = uc->uc_mcontext.gregs[map[i]];
        }
        buf->out.flags = uc->uc_mcontext.gregs[REG_EFL];
    }
    siglongjmp(fault_jmp, 1);
}

/* ---- Emitting the harness around a body ------------------------------ */

static uint8_t *p;

static void emit(const void *b, size_t n)
{
    memcpy(p, b, n);
    p += n;
}

static void e8(int v)
{
    *p++ = v;
}

static void e32(uint32_t v)
{
    memcpy(p, &v, 4);
    p += 4;
}

/* disp32 from the end of a RIP-relative instruction to target. */
static void rip_rel(const void *target, int tail)
{
    int32_t d = (const uint8_t *)target - (p + 4 + tail);
    e32(d);
}

/* mov reg, [rip + target] / mov [rip + target], reg */
static void mov_load(int reg, const void *target)
{
    e8(0x48 | ((reg & 8) >> 1));
    e8(0x8b);
    e8(((reg & 7) << 3) | 5);
    rip_rel(target, 0);
}

static void mov_store(int reg, const void *target)
{
    e8(0x48 | ((reg & 8) >> 1));
    e8(0x89);
    e8(((reg & 7) << 3) | 5);
    rip_rel(target, 0);
}

static void build(const uint8_t *body, size_t len)
{
    p = buf->code;
    /* push callee-saved; save rsp */
    emit("\x53\x55\x41\x54\x41\x55\x41\x56\x41\x57", 10);
    e8(0x48); e8(0x89); e8(0x25);   /* mov [rip+x], rsp */
    rip_rel(&buf->saved_rsp, 0);
    /* fxrstor [rip + fpu] */
    e8(0x0f); e8(0xae); e8(0x0d);
    rip_rel(buf->in.fpu, 0);
    /* flags: push [rip+flags]; popfq */
    e8(0xff); e8(0x35);
    rip_rel(&buf->in.flags, 0);
    e8(0x9d);
    for (int r = 0; r < 16; r++) {
        if (r != 4) {
            mov_load(r, &buf->in.gpr[r]);
        }
    }
    body_start = p - buf->code;
    emit(body, len);
    body_end = p - buf->code;
    for (int r = 0; r < 16; r++) {
        if (r != 4) {
            mov_store(r, &buf->out.gpr[r]);
        }
    }
    /* pushfq; pop [rip+flags] */
    e8(0x9c);
    e8(0x8f); e8(0x05);
    rip_rel(&buf->out.flags, 0);
    e8(0xfc);                       /* cld: the C code after needs DF=0 */
    /* fxsave [rip + fpu] */
    e8(0x0f); e8(0xae); e8(0x05);
    rip_rel(buf->out.fpu, 0);
    e8(0x48); e8(0x8b); e8(0x25);   /* mov rsp, [rip+x] */
    rip_rel(&buf->saved_rsp, 0);
    emit("\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
}

/* ---- Random state ----------------------------------------------------- */

static uint64_t rng;

uint64_t dt_rand(void)
{
    /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t interesting(void)
{
    static const uint64_t v[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~1ull,
    };
    switch (dt_rand() % 4) {
    case 0: return v[dt_rand() % (sizeof(v) / sizeof(v[0]))];
    case 1: return dt_rand() & 0xff;
    default: return dt_rand();
    }
}

static void random_state(State *s)
{
    memset(s, 0, sizeof(*s));
    for (int r = 0; r < 16; r++) {
        s->gpr[r] = interesting();
    }
    s->gpr[15] = (uintptr_t)buf->scratch;
    /* CF PF AF ZF SF OF at random, DF sometimes. */
    s->flags = 0x202 | (dt_rand() & 0x8d5) | ((dt_rand() % 8 == 0) ? 0x400
                                                                   : 0);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j += 8) {
            uint64_t v = dt_gen_vec_value();
            memcpy(&s->xmm[i][j], &v, 8);
        }
    }
    /* FXSAVE image: FCW 0x37f, empty stack, MXCSR 0x1f80. */
    s->fpu[0] = 0x7f;
    s->fpu[1] = 0x03;
    s->fpu[24] = 0x80;
    s->fpu[25] = 0x1f;
    memcpy(s->fpu + 160, s->xmm, 256);
    /* Register contents with an empty tag: what MMX instructions see. */
    for (int i = 0; i < 8; i++) {
        uint64_t v = dt_gen_vec_value();
        memcpy(s->fpu + 32 + 16 * i, &v, 8);
    }
    for (int i = 0; i < SCRATCH_SIZE; i += 8) {
        uint64_t v = (i < 256) ? interesting() : dt_gen_vec_value();
        memcpy(buf->scratch + i, &v, 8);
    }
}

static uint64_t fnv(const uint8_t *d, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ d[i]) * 0x100000001b3ull;
    }
    return h;
}

static void print_state(FILE *f, const DtSeq *seq, const State *s, int sig)
{
    static const char *const names[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    uint64_t fl = s->flags & 0xcd5 & ~seq->undef_flags;

    if (sig && fault_off >= (long)body_start &&
        fault_off < (long)body_end) {
        /* At a fault, what was undefined before that instruction. */
        fl = s->flags & 0xcd5 & ~seq->undef_at[fault_off - body_start];
    }

    if (sig) {
        fprintf(f, " signal %d code %d at +%ld\n", sig, fault_code,
                fault_off >= 0 ? fault_off - (long)body_start : -1L);
    }
    for (int r = 0; r < 15; r++) {
        if (r == 4 || ((seq->undef_regs >> r) & 1)) {
            continue;
        }
        fprintf(f, " %s=%016llx", names[r], (unsigned long long)s->gpr[r]);
        if (r % 4 == 3) {
            fputc('\n', f);
        }
    }
    fprintf(f, "\n rflags=%04llx", (unsigned long long)fl);
    if (!sig) {
        const uint8_t *fx = s->fpu;
        fprintf(f, " mxcsr=%08x fsw=%04x ftw=%02x\n",
                *(const uint32_t *)(fx + 24),
                *(const uint16_t *)(fx + 2) & ~seq->undef_fsw,
                fx[4]);
        for (int i = 0; i < 16; i++) {
            const uint8_t *x = fx + 160 + 16 * i;
            fprintf(f, " xmm%-2d=%016llx%016llx%s", i,
                    (unsigned long long)*(const uint64_t *)(x + 8),
                    (unsigned long long)*(const uint64_t *)x,
                    i % 2 ? "\n" : "");
        }
        for (int i = 0; i < 8; i++) {
            const uint8_t *st = fx + 32 + 16 * i;
            if (fx[4] & (1 << ((i + ((*(const uint16_t *)(fx + 2) >> 11) &
                                     7)) & 7))) {
                fprintf(f, " st%d=%04x%016llx", i,
                        *(const uint16_t *)(st + 8),
                        (unsigned long long)*(const uint64_t *)st);
            }
        }
        fprintf(f, "\n");
    } else {
        fprintf(f, "\n");
    }
    fprintf(f, " mem=%016llx\n",
            (unsigned long long)fnv(buf->scratch, SCRATCH_SIZE));
}

static void print_code(FILE *f, const DtSeq *seq)
{
    fprintf(f, " code:");
    for (size_t i = 0; i < seq->len; i++) {
        fprintf(f, "%s%02x", (i && seq->insn_start[i]) ? " | " : " ",
                seq->bytes[i]);
    }
    fprintf(f, "\n");
}

int main(int argc, char **argv)
{
    unsigned long long seed = 1;
    int count = 100, length = 8, verbose = 0;
    const char *classes = "isbmctxfM";
    struct sigaction sa;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            count = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-l") && i + 1 < argc) {
            length = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            classes = argv[++i];
        } else if (!strcmp(argv[i], "-v")) {
            verbose = 1;
        } else {
            fprintf(stderr, "usage: difftest [-s seed] [-n count] "
                    "[-l length] [-c classes] [-v]\n");
            return 2;
        }
    }
    buf = mmap(NULL, sizeof(Buffer), PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);

    for (int t = 0; t < count; t++) {
        DtSeq seq;
        void (*fn)(void);

        rng = (seed * 1000003ull + t) * 0x9e3779b97f4a7c15ull | 1;
        for (int k = 0; k < 8; k++) {
            dt_rand();
        }
        dt_generate(&seq, length, classes);
        random_state(&buf->in);
        build(seq.bytes, seq.len);
        memset(&buf->out, 0, sizeof(buf->out));
        fault_sig = 0;
        fn = (void (*)(void))(uintptr_t)buf->code;
        if (!sigsetjmp(fault_jmp, 1)) {
            fn();
        }
        printf("test %llu.%d\n", seed, t);
        if (verbose) {
            print_code(stdout, &seq);
        }
        print_state(stdout, &seq, &buf->out, fault_sig);
    }
    return 0;
}
