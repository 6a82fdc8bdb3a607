/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals: synchronous faults (SIGSEGV, SIGFPE, SIGILL, SIGTRAP) with
 * their siginfo and the faulting RIP, handlers that edit the context,
 * sigaltstack, masks, pending signals, queued real-time signals, timer
 * signals interrupting a busy loop, and EINTR versus SA_RESTART. The
 * output must be the same natively and under the translator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip, got_efl;

extern const char ud2_insn[], div_insn[], int3_after[], fault_insn[];

static void catcher(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;

    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    got_rip = uc->uc_mcontext.gregs[REG_RIP];
    got_efl = uc->uc_mcontext.gregs[REG_EFL];
    siglongjmp(jb, 1);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL)) {
        perror("sigaction");
        exit(1);
    }
}

static void test_segv(void)
{
    char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    install(SIGSEGV, catcher, SA_NODEFER);
    if (!sigsetjmp(jb, 1)) {
        *(volatile int *)16 = 1;
    }
    printf("segv null: sig %d code %d addr %#lx\n", got_sig, got_code,
           (unsigned long)got_addr);
    if (!sigsetjmp(jb, 1)) {
        p[100] = 1;
    }
    printf("segv ro: sig %d code %d addr ok %d\n", got_sig, got_code,
           got_addr == (uintptr_t)(p + 100));
    /* The faulting RIP is the instruction's own address. */
    if (!sigsetjmp(jb, 1)) {
        asm volatile("xor %%eax, %%eax\n"
                     ".globl fault_insn\nfault_insn:\n"
                     "movl $7, (%%rax)\n" ::: "rax", "memory");
    }
    printf("segv rip ok %d\n", got_rip == (uintptr_t)fault_insn);
    munmap(p, 8192);
}

/*
 * The arithmetic flags a fault reports are those of the last instruction
 * that set them, however lazily they are kept: a rotate merges its CF/OF
 * into the flags before it, INC keeps CF, a shift by 0 changes nothing.
 * OF of the rotates is defined for a count of 1 only, AF of a shift not
 * at all (masked out: 0x8d5 is OF SF ZF AF PF CF). The PUSHF after
 * the faulting load reads the flags: flags that the code overwrites
 * before reading them may be stale at a fault (docs/jit.md).
 */
#define FLAGS_AT_FAULT(name, mask, insns)                                   \
    do {                                                                    \
        got_efl = 0;                                                        \
        if (!sigsetjmp(jb, 1)) {                                            \
            asm volatile("mov $0, %%edx\n" insns "\nmovl (%%rdx), %%eax\n"  \
                         "pushfq\npopq %%rsi\n"                              \
                         ::: "rax", "rcx", "rdx", "rsi", "memory", "cc");   \
        }                                                                   \
        printf("flags at a fault after %s: %#lx\n", name,                   \
               (unsigned long)(got_efl & (mask)));                         \
    } while (0)

static void test_segv_flags(void)
{
    install(SIGSEGV, catcher, SA_NODEFER);
    FLAGS_AT_FAULT("sub, ror", 0x8d5,
                   "mov $0x80000001, %%ecx\nsub $1, %%ecx\n"
                   "ror $1, %%ecx");
    FLAGS_AT_FAULT("sub, ror, and", 0x8d5,
                   "mov $5, %%ecx\nsub $7, %%ecx\n"
                   "ror $1, %%ecx\nand $0x70, %%ecx");
    FLAGS_AT_FAULT("add, rol", 0x8d5,
                   "mov $-1, %%ecx\nadd $1, %%ecx\n"
                   "rol $1, %%ecx");
    FLAGS_AT_FAULT("cmp, rol 8-bit", 0x8d5,
                   "mov $0x81, %%ecx\ncmp $0x90, %%cl\n"
                   "rol $1, %%cl");
    FLAGS_AT_FAULT("stc, adc, inc", 0x8d5,
                   "stc\nmov $-1, %%ecx\nadc $0, %%ecx\n"
                   "inc %%ecx");
    FLAGS_AT_FAULT("sub, shl by 0", 0x8d5,
                   "mov $3, %%esi\nsub $5, %%esi\n"
                   "mov $0, %%ecx\nshl %%cl, %%esi");
    FLAGS_AT_FAULT("sub, shl by 1", 0x8c5,
                   "mov $3, %%esi\nsub $5, %%esi\n"
                   "mov $33, %%ecx\nshl %%cl, %%esi");
    FLAGS_AT_FAULT("xor self, ror", 0x8d5,
                   "xor %%ecx, %%ecx\nror $1, %%ecx");
    FLAGS_AT_FAULT("test, stc, rcl", 0x8d5,
                   "mov $0x40, %%ecx\n"
                   "test %%ecx, %%ecx\nstc\nrcl $1, %%ecx");
}

static void test_fpe(void)
{
    volatile int zero = 0;
    int r = 0;

    install(SIGFPE, catcher, SA_NODEFER);
    if (!sigsetjmp(jb, 1)) {
        asm volatile("mov $1, %%eax\ncltd\n"
                     ".globl div_insn\ndiv_insn:\n"
                     "idivl %1\n" : "=a"(r) : "m"(zero) : "rdx");
    }
    printf("fpe: sig %d code %d rip ok %d addr ok %d\n", got_sig, got_code,
           got_rip == (uintptr_t)div_insn, got_addr == (uintptr_t)div_insn);
    if (!sigsetjmp(jb, 1)) {
        /* INT_MIN / -1 overflows: also #DE. */
        volatile int a = INT32_MIN, b = -1;
        r = a / b;
    }
    printf("fpe overflow: sig %d code %d\n", got_sig, got_code);
    (void)r;
}

static void test_ill(void)
{
    install(SIGILL, catcher, SA_NODEFER);
    if (!sigsetjmp(jb, 1)) {
        asm volatile(".globl ud2_insn\nud2_insn:\nud2\n");
    }
    printf("ill: sig %d code %d rip ok %d\n", got_sig, got_code,
           got_rip == (uintptr_t)ud2_insn);
    /* A privileged instruction is #GP: SIGSEGV with SI_KERNEL. */
    install(SIGSEGV, catcher, SA_NODEFER);
    if (!sigsetjmp(jb, 1)) {
        asm volatile("hlt");
    }
    printf("hlt: sig %d code %d\n", got_sig, got_code);
    if (!sigsetjmp(jb, 1)) {
        asm volatile("cli");
    }
    printf("cli: sig %d code %d\n", got_sig, got_code);
}

static void test_trap(void)
{
    install(SIGTRAP, catcher, SA_NODEFER);
    if (!sigsetjmp(jb, 1)) {
        asm volatile("int3\n.globl int3_after\nint3_after:\n");
    }
    printf("trap: sig %d code %d rip ok %d\n", got_sig, got_code,
           got_rip == (uintptr_t)int3_after);
}

/* The handler skips the UD2 and sets RAX: execution resumes there. */
static void skip_ud2(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;

    uc->uc_mcontext.gregs[REG_RIP] += 2;
    uc->uc_mcontext.gregs[REG_RAX] = 42;
    uc->uc_mcontext.gregs[REG_RBX] *= 3;
}

static void test_edit_context(void)
{
    long a, bx = 5;

    install(SIGILL, skip_ud2, 0);
    asm volatile("mov $1, %%eax\nud2\nadd $1, %%rax\n"
                 : "=a"(a), "+b"(bx));
    printf("edited context: rax %ld rbx %ld\n", a, bx);
}

static char altstack[65536];
static volatile int on_alt;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
    char here;

    on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
}

static void test_altstack(void)
{
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    stack_t old;

    sigaltstack(&ss, NULL);
    install(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    sigaltstack(NULL, &old);
    printf("altstack: on alt %d, flags %d\n", on_alt, old.ss_flags);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
}

static volatile int usr2_count, rt_values;

static void count_handler(int sig, siginfo_t *si, void *uc)
{
    if (sig == SIGUSR2) {
        usr2_count++;
    } else {
        rt_values = rt_values * 10 + si->si_value.sival_int;
    }
}

static void test_mask(void)
{
    sigset_t set, old, pend;

    install(SIGUSR2, count_handler, 0);
    install(SIGRTMIN, count_handler, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR2);
    raise(SIGUSR2);             /* standard signals do not queue */
    for (int i = 1; i <= 3; i++) {
        union sigval v = { .sival_int = i };
        sigqueue(getpid(), SIGRTMIN, v);
    }
    sigpending(&pend);
    printf("pending: usr2 %d rt %d count %d\n", sigismember(&pend, SIGUSR2),
           sigismember(&pend, SIGRTMIN), usr2_count);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("delivered: usr2 %d rt values %d\n", usr2_count, rt_values);
}

static volatile int alarms;

static void alarm_handler(int sig)
{
    alarms++;
}

static void test_timer(void)
{
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
    volatile unsigned long spin = 0;
    signal(SIGALRM, alarm_handler);
    setitimer(ITIMER_REAL, &it, NULL);
    /* A busy loop in translated code must be interrupted. */
    while (alarms < 5) {
        spin++;
    }
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    printf("timer: %d alarms in a busy loop\n", alarms >= 5);
}

static void test_eintr(void)
{
    int fds[2];
    char c;
    ssize_t r;
    struct sigaction sa;

    if (pipe(fds)) {
        return;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = alarm_handler;
    sigaction(SIGALRM, &sa, NULL);      /* no SA_RESTART */
    alarm(1);
    r = read(fds[0], &c, 1);
    printf("read interrupted: r %zd errno EINTR %d\n", r, errno == EINTR);
    close(fds[0]);
    close(fds[1]);
}

static void test_default_ignore(void)
{
    signal(SIGCHLD, SIG_IGN);
    raise(SIGCHLD);
    signal(SIGWINCH, SIG_DFL);
    raise(SIGWINCH);            /* default action: ignore */
    printf("ignored signals survived\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    test_segv();
    test_segv_flags();
    test_fpe();
    test_ill();
    test_trap();
    test_edit_context();
    test_altstack();
    test_mask();
    test_timer();
    test_eintr();
    test_default_ignore();
    /* Death by signal: the exit status must say so. */
    signal(SIGABRT, SIG_DFL);
    fflush(stdout);
    abort();
}
