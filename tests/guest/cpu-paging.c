/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 4-level paging (SDM 3A, chapter 4) in a 64-bit guest: 4 KiB, 2 MiB and
 * 1 GiB pages; accessed and dirty flags (4.8); page-fault error codes and
 * CR2 (4.7) for not-present, write-protected (CR0.WP, 4.6.1), user/
 * supervisor and execute-disable (EFER.NXE) pages; INVLPG and a CR3 load
 * making a changed entry visible (4.10.4.1); SMEP (4.6.1). A stale TLB entry is
 * architecturally allowed and not checked for.
 *
 * The guest's own tables identity-map 0-1 GiB with 2 MiB pages (user
 * accessible, so that CPL 3 code can run) and put the test pages at
 * 512 GiB (PML4 entry 1).
 */
#include "exc.h"

#define PG_P        0x001ull
#define PG_W        0x002ull
#define PG_U        0x004ull
#define PG_A        0x020ull
#define PG_D        0x040ull
#define PG_PS       0x080ull
#define PG_NX       (1ull << 63)
#define PF_P        0x01
#define PF_W        0x02
#define PF_U        0x04
#define PF_I        0x10

#define TV          0x8000000000ull         /* PML4 entry 1 */
#define TV_2M       (TV + 0x200000)         /* PD entry 1: a 2 MiB page */
#define TV_1G       (TV + 0x40000000)       /* PDPT entry 1: a 1 GiB page */
#define TPAGE(i)    (TV + (uint64_t)(i) * 4096)

#define A4K __attribute__((aligned(4096)))
static volatile uint64_t pml4[512] A4K, pdpt_id[512] A4K, pd_id[512] A4K;
static volatile uint64_t pdpt_t[512] A4K, pd_t[512] A4K, pt_t[512] A4K;
static uint8_t frame[4][4096] A4K;
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static volatile uint64_t marker = 0x5a5a1234c0ffee00ull;

uint64_t p_read(uint64_t a);
void p_write(uint64_t a, uint64_t v);
void to_user(void (*fn)(void), uint64_t arg, uint64_t sp);
void u_read(void), u_write(void);
extern char pread_ip[], pwrite_ip[], uread_ip[], uwrite_ip[];
__asm__(".text\n"
        "p_read: pread_ip: mov (%rdi), %rax\n ret\n"
        "p_write: pwrite_ip: mov %rsi, (%rdi)\n ret\n"
        /* IRETQ to CPL 3 (SDM 3A, 6.14.3): SS, RSP, RFLAGS, CS, RIP. */
        "to_user: pushq $0x33\n push %rdx\n pushq $2\n pushq $0x3b\n"
        "push %rdi\n mov %rsi, %rdi\n iretq\n"
        /* At CPL 3: one access, then UD2 to get back to ring 0. */
        "u_read: uread_ip: mov (%rdi), %rax\n ud2\n"
        "u_write: uwrite_ip: movq $7, (%rdi)\n ud2\n");

static inline void invlpg(uint64_t a)
{
    __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
}
static inline void write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static int user_access(void (*fn)(void), uint64_t a)
{
    uint64_t sp = (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack));

    return EXC_CATCH(to_user(fn, a, sp));
}

/* A #PF with this error code and CR2 at this IP. */
static void expect_pf(int vec, unsigned err, uint64_t cr2, void *ip,
                      uint16_t cs, const char *what)
{
    bool ok = vec == 14 && exc_last.err == err && exc_last.cr2 == cr2 &&
              exc_last.ip == (uintptr_t)ip && exc_last.cs == cs;

    report(ok, "%s: #PF, error code 0x%x, CR2, saved CS:RIP", what, err);
    if (!ok) {
        report_info("vector %d error 0x%lx CR2 0x%lx at %lx:%lx", vec,
                    (unsigned long)exc_last.err, (unsigned long)exc_last.cr2,
                    (unsigned long)exc_last.cs, (unsigned long)exc_last.ip);
    }
}

static void set_pte(unsigned i, uint64_t v)
{
    pt_t[i] = v;
    invlpg(TPAGE(i));
}

void guest_main(void)
{
    uint32_t a, b, c, d;
    uint64_t f0 = (uintptr_t)frame[0], f1 = (uintptr_t)frame[1];
    uint64_t f2 = (uintptr_t)frame[2], cr0 = read_cr0();
    uint64_t mk = (uintptr_t)&marker;
    int v;

    exc_init();
    for (unsigned i = 0; i < 512; i++) {
        pd_id[i] = (uint64_t)i << 21 | PG_PS | PG_U | PG_W | PG_P;
    }
    pdpt_id[0] = (uintptr_t)pd_id | PG_U | PG_W | PG_P;
    pml4[0] = (uintptr_t)pdpt_id | PG_U | PG_W | PG_P;
    pml4[1] = (uintptr_t)pdpt_t | PG_U | PG_W | PG_P;
    pdpt_t[0] = (uintptr_t)pd_t | PG_U | PG_W | PG_P;
    pd_t[0] = (uintptr_t)pt_t | PG_U | PG_W | PG_P;
    pd_t[1] = 0 | PG_PS | PG_W | PG_P;
    write_cr3((uintptr_t)pml4);

    /* 4 KiB page: the CPU sets A on every level it used, D on a write. */
    memset(frame, 0, sizeof(frame));
    frame[0][8] = 0x42;
    pt_t[0] = f0 | PG_W | PG_P;
    report(p_read(TPAGE(0) + 8) == 0x42, "a 4 KiB page maps its frame");
    report((pml4[1] & PG_A) && (pdpt_t[0] & PG_A) && (pd_t[0] & PG_A) &&
           (pt_t[0] & PG_A), "a read sets A in the PML4E, PDPTE, PDE, PTE");
    report(!(pt_t[0] & PG_D), "a read leaves D clear");
    p_write(TPAGE(0) + 16, 0x1122334455667788ull);
    report((pt_t[0] & PG_D) && *(volatile uint64_t *)(frame[0] + 16) ==
           0x1122334455667788ull, "a write after a read sets D");

    /* 2 MiB and 1 GiB pages onto physical 0. */
    report(p_read(TV_2M + mk) == marker, "a 2 MiB page maps its frame");
    p_write(TV_2M + mk, marker + 1);
    report(marker == 0x5a5a1234c0ffee01ull && (pd_t[1] & (PG_A | PG_D)) ==
           (PG_A | PG_D), "a write through a 2 MiB page sets A and D in "
           "the PDE");
    cpuid(0x80000001, 0, &a, &b, &c, &d);
    if (d & (1u << 26)) {
        pdpt_t[1] = 0 | PG_PS | PG_W | PG_P;
        report(p_read(TV_1G + mk) == marker && (pdpt_t[1] & PG_A),
               "a 1 GiB page maps its frame and gets A");
    } else {
        /* The suite runs this guest with -cpu qemu64,+pdpe1gb,+smep. */
        report(false, "1 GiB pages advertised (CPUID.80000001H:EDX[26])");
    }

    /* Not present: read, then write (SDM 3A, 4.7). */
    set_pte(1, 0);
    v = EXC_CATCH(p_read(TPAGE(1) + 0x10));
    expect_pf(v, 0, TPAGE(1) + 0x10, pread_ip, SEL_KCODE64,
              "supervisor read of a not-present page");
    v = EXC_CATCH(p_write(TPAGE(1) + 0x18, 1));
    expect_pf(v, PF_W, TPAGE(1) + 0x18, pwrite_ip, SEL_KCODE64,
              "supervisor write to a not-present page");

    /* Read-only: CR0.WP decides for supervisor writes (SDM 3A, 4.6.1). */
    set_pte(2, f1 | PG_P);
    write_cr0(cr0 | 0x10000);
    v = EXC_CATCH(p_write(TPAGE(2), 5));
    expect_pf(v, PF_P | PF_W, TPAGE(2), pwrite_ip, SEL_KCODE64,
              "supervisor write to a read-only page with CR0.WP=1");
    write_cr0(cr0 & ~0x10000ull);
    v = EXC_CATCH(p_write(TPAGE(2), 5));
    report(v == -1 && frame[1][0] == 5, "with CR0.WP=0 the supervisor "
           "write to a read-only page succeeds");
    write_cr0(cr0 | 0x10000);

    /* Execute-disable (EFER.NXE, SDM 3A 4.6.2). */
    wrmsr(0xc0000080, rdmsr(0xc0000080) | 0x800);
    frame[2][0] = 0xc3;                             /* RET */
    set_pte(3, f2 | PG_W | PG_P | PG_NX);
    v = EXC_CATCH(((void (*)(void))TPAGE(3))());
    expect_pf(v, PF_P | PF_I, TPAGE(3), (void *)TPAGE(3), SEL_KCODE64,
              "instruction fetch from an NX page");
    set_pte(3, f2 | PG_W | PG_P);
    v = EXC_CATCH(((void (*)(void))TPAGE(3))());
    report(v == -1, "the same page without NX executes");
    set_pte(4, 0);
    v = EXC_CATCH(((void (*)(void))TPAGE(4))());
    expect_pf(v, PF_I, TPAGE(4), (void *)TPAGE(4), SEL_KCODE64,
              "instruction fetch from a not-present page (NXE: I/D set)");

    /* User/supervisor, from CPL 3 (SDM 3A, 4.6.1). */
    set_pte(5, f0 | PG_W | PG_P);                   /* supervisor */
    v = user_access(u_read, TPAGE(5));
    expect_pf(v, PF_P | PF_U, TPAGE(5), uread_ip, 0x3b,
              "user read of a supervisor page");
    set_pte(5, f0 | PG_U | PG_P);                   /* user, read-only */
    v = user_access(u_read, TPAGE(5));
    report(v == 6 && exc_last.cs == 0x3b, "user read of a user page "
           "succeeds (then UD2 at CPL 3)");
    v = user_access(u_write, TPAGE(5));
    expect_pf(v, PF_P | PF_W | PF_U, TPAGE(5), uwrite_ip, 0x3b,
              "user write to a read-only user page");
    set_pte(5, 0);
    v = user_access(u_read, TPAGE(5) + 0x123);
    expect_pf(v, PF_U, TPAGE(5) + 0x123, uread_ip, 0x3b,
              "user read of a not-present page");
    pd_t[0] &= ~PG_U;                               /* U/S=0 one level up */
    set_pte(5, f0 | PG_U | PG_W | PG_P);
    v = user_access(u_read, TPAGE(5));
    expect_pf(v, PF_P | PF_U, TPAGE(5), uread_ip, 0x3b,
              "user read with U/S clear in the PDE only");
    pd_t[0] |= PG_U;
    invlpg(TPAGE(5));

    /* A changed PTE is seen after INVLPG and after a CR3 load. */
    memset(frame[0], 0xaa, 64);
    memset(frame[1], 0xbb, 64);
    set_pte(6, f0 | PG_P);
    report(p_read(TPAGE(6)) == 0xaaaaaaaaaaaaaaaaull, "page 6 maps frame 0");
    pt_t[6] = f1 | PG_P;
    invlpg(TPAGE(6));
    report(p_read(TPAGE(6)) == 0xbbbbbbbbbbbbbbbbull,
           "after INVLPG page 6 maps frame 1");
    pt_t[6] = f0 | PG_P;
    write_cr3(read_cr3());
    report(p_read(TPAGE(6)) == 0xaaaaaaaaaaaaaaaaull,
           "after a CR3 load page 6 maps frame 0 again");

    /* A direct jump into another page follows that page's mapping:
     * page 7 holds JMP to page 8, which maps code returning 1 or 2. */
    static const uint8_t jmp8[] = { 0xe9, 0xfb, 0x10, 0x00, 0x00 };
    static const uint8_t ret1[] = { 0xb8, 1, 0, 0, 0, 0xc3 };
    static const uint8_t ret2[] = { 0xb8, 2, 0, 0, 0, 0xc3 };
    uint64_t f3 = (uintptr_t)frame[3];
    int (*jump)(void) = (int (*)(void))TPAGE(7);
    int r1, r2;

    memcpy(frame[3], jmp8, sizeof(jmp8));       /* to TPAGE(8) + 0x100 */
    memcpy(frame[2] + 0x100, ret1, sizeof(ret1));
    memcpy(frame[1] + 0x100, ret2, sizeof(ret2));
    set_pte(7, f3 | PG_P);
    set_pte(8, f2 | PG_P);
    r1 = jump();
    r2 = jump();
    report(r1 == 1 && r2 == 1, "a jump to page 8 runs frame 2's code");
    set_pte(8, f1 | PG_P);
    r1 = jump();
    r2 = jump();
    report(r1 == 2 && r2 == 2, "after INVLPG of page 8 the same jump "
           "runs frame 1's code");
    pt_t[8] = f2 | PG_P;
    write_cr3(read_cr3());
    r1 = jump();
    report(r1 == 1, "after a CR3 load it runs frame 2's code again");

    /* SMEP (SDM 3A, 4.6.1): with CR4.SMEP, supervisor code may not run
     * from a user page. The identity map stops being user first (its
     * PML4E loses U/S), so that this code itself still runs. */
    cpuid(7, 0, &a, &b, &c, &d);
    if (b & (1u << 7)) {
        uint64_t cr4 = read_cr4();

        pml4[0] &= ~PG_U;
        write_cr3(read_cr3());
        frame[2][0x200] = 0xc3;                     /* RET */
        set_pte(9, f2 | PG_U | PG_P);
        __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ul << 20)));
        v = EXC_CATCH(((void (*)(void))(TPAGE(9) + 0x200))());
        expect_pf(v, PF_P | PF_I, TPAGE(9) + 0x200,
                  (void *)(TPAGE(9) + 0x200), SEL_KCODE64,
                  "SMEP: supervisor fetch from a user page");
        set_pte(9, f2 | PG_P);
        v = EXC_CATCH(((void (*)(void))(TPAGE(9) + 0x200))());
        report(v == -1, "SMEP: the same code on a supervisor page runs");
        __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
        pml4[0] |= PG_U;
        write_cr3(read_cr3());
    } else {
        report(false, "SMEP advertised (CPUID.7.0:EBX[7])");
    }
}
