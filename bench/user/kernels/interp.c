/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bytecode interpreter running a small program (loops, calls, a
 * sieve): the indirect-branch-heavy code of interpreters and virtual
 * machines, which stresses a translator's indirect jump lookup.
 */
#include <string.h>
#include "common.h"

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, LT, JZ, JMP, HALT, INC, AND,
       SHR, XOR, LOADI, STOREI, DUP, POP };

typedef struct { int op, arg; } Insn;

static int64_t mem[1 << 16];

static int64_t run(const Insn *code)
{
    int64_t stack[64];
    int sp = 0, pc = 0;
    static void *const tab[] = {
        &&push, &&load, &&store, &&add, &&sub, &&mul, &&lt, &&jz, &&jmp,
        &&halt, &&inc, &&and, &&shr, &&xor, &&loadi, &&storei, &&dup, &&pop,
    };
#define DISPATCH goto *tab[code[pc].op]
    DISPATCH;
push: stack[sp++] = code[pc++].arg; DISPATCH;
load: stack[sp++] = mem[code[pc++].arg]; DISPATCH;
store: mem[code[pc++].arg] = stack[--sp]; DISPATCH;
add: sp--; stack[sp - 1] += stack[sp]; pc++; DISPATCH;
sub: sp--; stack[sp - 1] -= stack[sp]; pc++; DISPATCH;
mul: sp--; stack[sp - 1] *= stack[sp]; pc++; DISPATCH;
lt: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; pc++; DISPATCH;
jz: pc = stack[--sp] ? pc + 1 : code[pc].arg; DISPATCH;
jmp: pc = code[pc].arg; DISPATCH;
inc: mem[code[pc++].arg]++; DISPATCH;
and: sp--; stack[sp - 1] &= stack[sp]; pc++; DISPATCH;
shr: sp--; stack[sp - 1] >>= stack[sp]; pc++; DISPATCH;
xor: sp--; stack[sp - 1] ^= stack[sp]; pc++; DISPATCH;
loadi: stack[sp - 1] = mem[stack[sp - 1] & 0xffff]; pc++; DISPATCH;
storei: sp -= 2; mem[stack[sp + 1] & 0xffff] = stack[sp]; pc++; DISPATCH;
dup: stack[sp] = stack[sp - 1]; sp++; pc++; DISPATCH;
pop: sp--; pc++; DISPATCH;
halt: return mem[0];
#undef DISPATCH
}

int main(int argc, char **argv)
{
    int iters = bench_iters(argc, argv, 40);
    /* mem[1] = i; for (i = 0; i < n; i++) acc = (acc ^ i*i) + (acc >> 3);
     * mem[0] = acc */
    static const Insn prog[] = {
        { PUSH, 0 }, { STORE, 1 },                      /* i = 0 */
        { LOAD, 1 }, { PUSH, 200000 }, { LT, 0 },       /* 2: i < n */
        { JZ, 22 },
        { LOAD, 0 }, { LOAD, 1 }, { LOAD, 1 }, { MUL, 0 },
        { XOR, 0 }, { LOAD, 0 }, { PUSH, 3 }, { SHR, 0 }, { ADD, 0 },
        { STORE, 0 },
        { LOAD, 0 }, { LOAD, 1 }, { STOREI, 0 },        /* mem[i] = acc */
        { INC, 1 }, { JMP, 2 }, { HALT, 0 },
        { HALT, 0 },                                    /* 22 */
    };
    int64_t sum = 0;

    for (int it = 0; it < iters; it++) {
        memset(mem, 0, sizeof(mem));
        mem[0] = it;
        sum += run(prog);
    }
    printf("interp: %lld\n", (long long)sum);
    return 0;
}
