/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-modifying and generated code: code written to a buffer and run,
 * rewritten and run again (the translation must be invalidated), code
 * that patches an instruction later in its own block, code on a page
 * made executable by mprotect, and many small generated functions (a
 * JIT's pattern).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn_t)(long);

/* mov rax, imm32 (sign-extended); add rax, rdi; ret */
static void emit_const(uint8_t *p, int32_t imm)
{
    p[0] = 0x48;
    p[1] = 0xc7;
    p[2] = 0xc0;
    memcpy(p + 3, &imm, 4);
    p[7] = 0x48;
    p[8] = 0x01;
    p[9] = 0xf8;
    p[10] = 0xc3;
}

static void test_rewrite(uint8_t *buf)
{
    fn_t f = (fn_t)buf;
    long sum = 0;

    for (int i = 0; i < 100; i++) {
        emit_const(buf, i * 3);
        sum += f(1000);             /* 1000 + 3i */
    }
    printf("rewrite: sum %ld\n", sum);
    /* Patch only the immediate byte, the rest stays. */
    emit_const(buf, 5);
    sum = f(1);
    buf[3] = 9;
    sum = sum * 100 + f(1);
    printf("patch imm: %ld\n", sum);
}

/*
 * A block that stores into its own instruction stream: the mov below
 * overwrites the immediate of the second "mov eax" before it runs, so
 * the new value must be seen (x86 guarantees this for stores before a
 * later instruction in program order, SDM vol. 3, 11.6).
 */
static void test_same_block(uint8_t *buf)
{
    static const uint8_t code[] = {
        0xc6, 0x05, 0x06, 0x00, 0x00, 0x00, 0x2a,   /* mov byte [rip+6], 42 */
        0xb8, 0x01, 0x00, 0x00, 0x00,               /* mov eax, 1 */
        0xb8, 0x02, 0x00, 0x00, 0x00,               /* mov eax, 2 <- patched */
        0xc3,                                       /* ret */
    };
    fn_t f = (fn_t)buf;
    long a, b;

    memcpy(buf, code, sizeof(code));
    a = f(0);
    memcpy(buf, code, sizeof(code));    /* restore and run again */
    b = f(0);
    printf("same block: %ld %ld\n", a, b);
}

static void test_mprotect(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fn_t f = (fn_t)p;
    long r;

    emit_const(p, 11);
    mprotect(p, pg, PROT_READ | PROT_EXEC);
    r = f(1);
    mprotect(p, pg, PROT_READ | PROT_WRITE);
    emit_const(p, 22);
    mprotect(p, pg, PROT_READ | PROT_EXEC);
    r = r * 100 + f(1);
    printf("mprotect: %ld\n", r);
    munmap(p, pg);
    /* Unmap and map again at the same place with other code. */
    p = mmap(p, pg, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit_const(p, 33);
    printf("remapped: %ld\n", ((fn_t)p)(1));
    munmap(p, pg);
}

static void test_many(uint8_t *buf, size_t size)
{
    long sum = 0;
    int n = (int)(size / 16);

    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < n; i++) {
            emit_const(buf + 16 * i, i + round);
        }
        for (int i = 0; i < n; i++) {
            sum += ((fn_t)(buf + 16 * i))(round);
        }
    }
    printf("many: %d functions, sum %ld\n", n, sum);
}

int main(void)
{
    size_t size = 1 << 16;
    uint8_t *buf = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    test_rewrite(buf);
    test_same_block(buf + 4096);
    test_mprotect();
    test_many(buf, size);
    return 0;
}
