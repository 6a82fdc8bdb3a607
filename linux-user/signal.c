/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest signals.
 *
 * Every signal the guest handles is caught on the host by one handler
 * that queues it for the guest thread and makes the vCPU leave
 * translated code; the CPU loop then builds the guest's signal frame
 * (the kernel's x86-64 rt_sigframe layout) and runs the handler, and
 * rt_sigreturn restores the state from the frame. Signals the guest
 * ignores or leaves at their default go to the host kernel as such, so
 * their effect (termination, core dump, stop, SIGCHLD reaping) is the
 * kernel's own. The host mask of a thread follows the guest's mask, so
 * a blocked signal stays pending in the kernel (sigtimedwait, signalfd
 * and sigpending see it).
 *
 * Synchronous signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) are
 * always caught: a fault in translated code or a helper is the guest's;
 * a fault anywhere else is Ember's own bug.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include "exec/cpu-ldst.h"
#include "tcg/interp.h"
#include "target/x86/tcg/tcg-cpu.h"
#include "user.h"
#include "../tcg/tcg-internal.h"

#define SA_RESTORER_ 0x04000000
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif
#define SYNC_SIGS ((1ull << (SIGSEGV - 1)) | (1ull << (SIGBUS - 1)) | \
                   (1ull << (SIGFPE - 1)) | (1ull << (SIGILL - 1)) |  \
                   (1ull << (SIGTRAP - 1)))
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

/* The kernel's struct sigaction (x86-64). */
typedef struct TargetSigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
} TargetSigaction;

static TargetSigaction sigact[TARGET_NSIG + 1];
static GMutex sigact_lock;

extern char safe_syscall_start[], safe_syscall_end[], safe_syscall_restart[];
void ember_host_sigreturn(void);

/* The kernel calls the restorer on return from a host handler. */
__asm__(".text\n"
        ".globl ember_host_sigreturn\n"
        "ember_host_sigreturn:\n"
        "    mov $15, %eax\n"
        "    syscall\n");

struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

static int host_sigaction(int sig, void *handler, unsigned long flags,
                          uint64_t mask)
{
    struct kernel_sigaction ka = {
        .handler = handler, .flags = flags | SA_RESTORER_,
        .restorer = (void *)ember_host_sigreturn, .mask = mask,
    };
    return syscall(SYS_rt_sigaction, sig, &ka, NULL, 8);
}

static void host_signal_handler(int sig, siginfo_t *info, void *puc);

static void host_install(int sig)
{
    uint64_t h = sigact[sig].handler;

    if (sig == SIGKILL || sig == SIGSTOP) {
        return;
    }
    if ((SYNC_SIGS >> (sig - 1)) & 1) {
        host_sigaction(sig, (void *)host_signal_handler,
                       SA_SIGINFO | SA_ONSTACK, ~0ull);
    } else if (h == (uint64_t)SIG_DFL || h == (uint64_t)SIG_IGN) {
        host_sigaction(sig, (void *)(uintptr_t)h, 0, 0);
    } else {
        host_sigaction(sig, (void *)host_signal_handler,
                       SA_SIGINFO | SA_ONSTACK, ~0ull);
    }
}

/*
 * The host mask is the guest's plus the signals caught but not yet
 * delivered to the guest: further instances of a queued (real-time)
 * signal stay queued in the kernel until the guest has taken this one.
 */
void set_host_sigmask(uint64_t guest_mask)
{
    uint64_t m = guest_mask | (thread_ts ? thread_ts->pending : 0);

    m &= ~(SYNC_SIGS | UNBLOCKABLE);

    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
}

void block_host_signals(sigset_t *old)
{
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, old);
}

void signal_init(void)
{
    /* Keep what the guest inherits: ignored signals stay ignored
     * across execve. */
    for (int sig = 1; sig <= TARGET_NSIG; sig++) {
        struct kernel_sigaction old;
        if (sig == SIGKILL || sig == SIGSTOP) {
            continue;
        }
        if (syscall(SYS_rt_sigaction, sig, NULL, &old, 8) == 0 &&
            old.handler == SIG_IGN) {
            sigact[sig].handler = (uint64_t)SIG_IGN;
        } else {
            sigact[sig].handler = (uint64_t)SIG_DFL;
        }
        host_install(sig);
    }
}

void signal_thread_init(TaskState *ts)
{
    set_host_sigmask(ts->sigmask);
}

static bool deliverable(TaskState *ts)
{
    return ts->sync_pending || (ts->pending & ~ts->sigmask);
}

/* ---- The host handler -------------------------------------------------- */

static void host_regs_from_uc(ucontext_t *uc, uint64_t regs[16])
{
    greg_t *g = uc->uc_mcontext.gregs;

    regs[0] = g[REG_RAX];
    regs[1] = g[REG_RCX];
    regs[2] = g[REG_RDX];
    regs[3] = g[REG_RBX];
    regs[4] = g[REG_RSP];
    regs[5] = g[REG_RBP];
    regs[6] = g[REG_RSI];
    regs[7] = g[REG_RDI];
    regs[8] = g[REG_R8];
    regs[9] = g[REG_R9];
    regs[10] = g[REG_R10];
    regs[11] = g[REG_R11];
    regs[12] = g[REG_R12];
    regs[13] = g[REG_R13];
    regs[14] = g[REG_R14];
    regs[15] = g[REG_R15];
}

static void EMBER_NORETURN host_fault_fatal(int sig, siginfo_t *info,
                                            uintptr_t pc)
{
    char buf[160];
    int n = snprintf(buf, sizeof(buf),
                     "ember-x86_64: internal error: host signal %d at "
                     "pc 0x%lx (address 0x%lx)\n", sig, (unsigned long)pc,
                     (unsigned long)info->si_addr);
    if (write(2, buf, n) < 0) {
        /* nothing more to do */
    }
    host_sigaction(sig, SIG_DFL, 0, 0);
    {
        uint64_t m = 0;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
    }
    raise(sig);
    _exit(128 + sig);
}

static void handle_sync_fault(int sig, siginfo_t *info, ucontext_t *uc)
{
    TaskState *ts = thread_ts;
    uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t fault_pc = pc;
    CPUState *cs = ts ? &ts->cpu->parent : NULL;
    bool in_guest;
    uint64_t regs[16];

    if (helper_retaddr) {
        fault_pc = helper_retaddr;
    }
    in_guest = cs && (tcg_in_code_buffer(pc) || helper_retaddr ||
                      tcg_interp_current()->tb);
    if (!in_guest) {
        host_fault_fatal(sig, info, pc);
    }
    /* A store to a page holding translated code. */
    if (sig == SIGSEGV && info->si_code == SEGV_ACCERR &&
        (uc->uc_mcontext.gregs[REG_ERR] & 2)) {
        int r = page_unprotect(h2g(info->si_addr),
                               helper_retaddr ? helper_retaddr : pc);
        if (r == 1) {
            return;             /* retry the store */
        }
        if (r == 2) {
            /* The running block changed under itself: redo this
             * instruction alone from a fresh translation. */
            host_regs_from_uc(uc, regs);
            tb_lock();
            cpu_restore_state(cs, fault_pc, regs);
            tb_unlock();
            tcg_cpu(cs)->cflags_next_tb = 1 | CF_NOCACHE | CF_NO_PROTECT;
            clear_helper_retaddr();
            syscall(SYS_rt_sigprocmask, SIG_SETMASK, &uc->uc_sigmask, NULL,
                    8);
            cpu_loop_exit(cs);
        }
    }
    host_regs_from_uc(uc, regs);
    if (!tb_lock_held()) {
        tb_lock();
        in_guest = cpu_restore_state(cs, fault_pc, regs);
        tb_unlock();
    } else {
        in_guest = cpu_restore_state(cs, fault_pc, regs);
    }
    if (!in_guest) {
        host_fault_fatal(sig, info, pc);
    }
    clear_helper_retaddr();
    {
        CPUX86State *env = cpu_env(cs);
        uint64_t addr = (uint64_t)(uintptr_t)info->si_addr;
        if (sig == SIGSEGV && info->si_code != SI_KERNEL) {
            addr = h2g(info->si_addr);
            env->cr[2] = addr;
            env->error_code = uc->uc_mcontext.gregs[REG_ERR];
            env->cs->exception_index = EXCP0E_PAGE;
        } else if (sig == SIGSEGV) {
            env->error_code = 0;
            env->cs->exception_index = EXCP0D_GPF;
        } else if (sig == SIGFPE) {
            env->cs->exception_index = EXCP00_DIVZ;
        }
        queue_sync_signal(ts, sig, info->si_code, addr);
        /* Back to the CPU loop, which delivers it. */
        env->cs->exception_index = EXCP_INTERRUPT;
    }
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &uc->uc_sigmask, NULL, 8);
    cpu_loop_exit(cs);
}

static void host_signal_handler(int sig, siginfo_t *info, void *puc)
{
    ucontext_t *uc = puc;
    TaskState *ts = thread_ts;
    int saved_errno = errno;

    if (((SYNC_SIGS >> (sig - 1)) & 1) && info->si_code > 0 &&
        sig != SIGTRAP) {
        handle_sync_fault(sig, info, uc);
        errno = saved_errno;
        return;
    }
    if (!ts) {
        errno = saved_errno;
        return;
    }
    ts->pending |= 1ull << (sig - 1);
    ts->pending_info[sig - 1] = *info;
    /* Hold further instances in the kernel (see set_host_sigmask). */
    sigaddset(&uc->uc_sigmask, sig);
    if (!((ts->sigmask >> (sig - 1)) & 1)) {
        ts->signal_pending = 1;
        __atomic_store_n(&ts->cpu->parent.exit_request, 1, __ATOMIC_SEQ_CST);
    }
    /* Interrupted just before a blocking syscall: make it return
     * -ERESTARTSYS instead of blocking. */
    {
        uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
        if (pc >= (uintptr_t)safe_syscall_start &&
            pc < (uintptr_t)safe_syscall_end) {
            uc->uc_mcontext.gregs[REG_RIP] = (uintptr_t)safe_syscall_restart;
        }
    }
    errno = saved_errno;
}

void queue_sync_signal(TaskState *ts, int sig, int code, uint64_t addr)
{
    siginfo_t *si = &ts->sync_info;

    memset(si, 0, sizeof(*si));
    si->si_signo = sig;
    si->si_code = code;
    si->si_addr = (void *)(uintptr_t)addr;
    ts->sync_pending = true;
    ts->signal_pending = 1;
}

/* ---- Guest-visible signal calls ---------------------------------------- */

int64_t do_rt_sigaction(int sig, uint64_t act, uint64_t oact,
                        uint64_t sigsetsize)
{
    TargetSigaction na, oa;

    if (sigsetsize != 8 || sig < 1 || sig > TARGET_NSIG) {
        return -EINVAL;
    }
    if (act && (sig == SIGKILL || sig == SIGSTOP)) {
        return -EINVAL;
    }
    if (act && !guest_read(&na, act, sizeof(na))) {
        return -EFAULT;
    }
    g_mutex_lock(&sigact_lock);
    oa = sigact[sig];
    if (act) {
        na.mask &= ~UNBLOCKABLE;
        sigact[sig] = na;
        host_install(sig);
    }
    g_mutex_unlock(&sigact_lock);
    if (oact && !guest_write(oact, &oa, sizeof(oa))) {
        return -EFAULT;
    }
    return 0;
}

int64_t do_rt_sigprocmask(int how, uint64_t set, uint64_t oset,
                          uint64_t size)
{
    TaskState *ts = thread_ts;
    uint64_t old = ts->sigmask, m;

    if (size != 8) {
        return -EINVAL;
    }
    if (set) {
        if (!guest_read(&m, set, 8)) {
            return -EFAULT;
        }
        switch (how) {
        case SIG_BLOCK: ts->sigmask |= m; break;
        case SIG_UNBLOCK: ts->sigmask &= ~m; break;
        case SIG_SETMASK: ts->sigmask = m; break;
        default: return -EINVAL;
        }
        ts->sigmask &= ~UNBLOCKABLE;
        set_host_sigmask(ts->sigmask);
        if (deliverable(ts)) {
            ts->signal_pending = 1;
        }
    }
    if (oset && !guest_write(oset, &old, 8)) {
        return -EFAULT;
    }
    return 0;
}

int64_t do_rt_sigpending(uint64_t set, uint64_t size)
{
    TaskState *ts = thread_ts;
    uint64_t host = 0, v;

    if (size != 8) {
        return -EINVAL;
    }
    syscall(SYS_rt_sigpending, &host, 8);
    v = (ts->pending | host) & ts->sigmask;
    return guest_write(set, &v, 8) ? 0 : -EFAULT;
}

int64_t do_rt_sigsuspend(uint64_t mask, uint64_t size)
{
    TaskState *ts = thread_ts;
    uint64_t m, hm;
    sigset_t old;

    if (size != 8) {
        return -EINVAL;
    }
    if (!guest_read(&m, mask, 8)) {
        return -EFAULT;
    }
    block_host_signals(&old);
    ts->saved_sigmask = ts->sigmask;
    ts->in_sigsuspend = true;
    ts->sigmask = m & ~UNBLOCKABLE;
    if (!deliverable(ts)) {
        hm = ts->sigmask & ~(SYNC_SIGS | UNBLOCKABLE);
        syscall(SYS_rt_sigsuspend, &hm, 8);
    }
    set_host_sigmask(ts->sigmask);
    ts->signal_pending = 1;
    return -EINTR;
}

int64_t do_sigaltstack(CPUX86State *env, uint64_t ss, uint64_t oss)
{
    TaskState *ts = env->opaque;
    uint64_t sp = env->regs[R_ESP];
    bool on = ts->altstack.size && sp - ts->altstack.sp < ts->altstack.size;
    struct { uint64_t sp; int32_t flags; int32_t pad; uint64_t size; } s;

    if (oss) {
        s.sp = ts->altstack.sp;
        s.size = ts->altstack.size;
        s.flags = on ? SS_ONSTACK : (ts->altstack.size ? 0 : SS_DISABLE);
        s.pad = 0;
        if (!guest_write(oss, &s, sizeof(s))) {
            return -EFAULT;
        }
    }
    if (ss) {
        if (!guest_read(&s, ss, sizeof(s))) {
            return -EFAULT;
        }
        if (on) {
            return -EPERM;
        }
        if (s.flags & SS_DISABLE) {
            ts->altstack.sp = ts->altstack.size = 0;
        } else if (s.flags & ~SS_AUTODISARM) {
            return -EINVAL;
        } else {
            if (s.size < 2048) {
                return -ENOMEM;
            }
            ts->altstack.sp = s.sp;
            ts->altstack.size = s.size;
            ts->altstack.flags = s.flags;
        }
    }
    return 0;
}

bool signal_restart_allowed(TaskState *ts)
{
    uint64_t p = ts->pending & ~ts->sigmask;

    for (int sig = 1; sig <= TARGET_NSIG; sig++) {
        if (((p >> (sig - 1)) & 1) &&
            sigact[sig].handler != (uint64_t)SIG_IGN &&
            sigact[sig].handler != (uint64_t)SIG_DFL &&
            !(sigact[sig].flags & SA_RESTART)) {
            return false;
        }
    }
    return true;
}

/* ---- Frames (the kernel's arch/x86/kernel/signal_64.c layout) ---------- */

typedef struct TargetSigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved[8];
} TargetSigcontext;

typedef struct TargetUcontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
    TargetSigcontext mc;
    uint64_t sigmask;
} TargetUcontext;

typedef struct TargetRtSigframe {
    uint64_t pretcode;
    TargetUcontext uc;
    uint8_t info[128];
} TargetRtSigframe;

G_STATIC_ASSERT(sizeof(TargetSigcontext) == 256);
G_STATIC_ASSERT(sizeof(TargetUcontext) == 304);

#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

static void EMBER_NORETURN die_with_signal(int sig)
{
    log_lock();
    fflush(log_file());
    log_unlock();
    host_sigaction(sig, SIG_DFL, 0, 0);
    {
        uint64_t m = 0;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
    }
    kill(getpid(), sig);
    /* Still alive (the kernel ignores it by default). */
    _exit(128 + sig);
}

static bool default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
           sig == SIGCONT;
}

static void setup_frame(CPUX86State *env, int sig, TargetSigaction *ka,
                        siginfo_t *info)
{
    TaskState *ts = env->opaque;
    uint64_t sp = env->regs[R_ESP];
    uint64_t fp_addr, frame_addr, old_mask;
    TargetRtSigframe f;
    uint8_t fx[512];
    bool on_alt = ts->altstack.size &&
                  sp - ts->altstack.sp < ts->altstack.size;

    if ((ka->flags & SA_ONSTACK) && ts->altstack.size && !on_alt) {
        sp = ts->altstack.sp + ts->altstack.size;
    } else {
        sp -= 128;      /* the red zone */
    }
    fp_addr = (sp - sizeof(fx)) & ~63ull;
    frame_addr = ((fp_addr - sizeof(f)) & ~15ull) - 8;

    old_mask = ts->in_sigsuspend ? ts->saved_sigmask : ts->sigmask;
    ts->in_sigsuspend = false;

    memset(&f, 0, sizeof(f));
    f.pretcode = ka->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f.uc.ss_sp = ts->altstack.sp;
    f.uc.ss_size = ts->altstack.size;
    f.uc.ss_flags = ts->altstack.size ? (on_alt ? SS_ONSTACK : 0)
                                      : SS_DISABLE;
    f.uc.mc.r8 = env->regs[R_R8];
    f.uc.mc.r9 = env->regs[R_R9];
    f.uc.mc.r10 = env->regs[R_R10];
    f.uc.mc.r11 = env->regs[R_R11];
    f.uc.mc.r12 = env->regs[R_R12];
    f.uc.mc.r13 = env->regs[R_R13];
    f.uc.mc.r14 = env->regs[R_R14];
    f.uc.mc.r15 = env->regs[R_R15];
    f.uc.mc.rdi = env->regs[R_EDI];
    f.uc.mc.rsi = env->regs[R_ESI];
    f.uc.mc.rbp = env->regs[R_EBP];
    f.uc.mc.rbx = env->regs[R_EBX];
    f.uc.mc.rdx = env->regs[R_EDX];
    f.uc.mc.rax = env->regs[R_EAX];
    f.uc.mc.rcx = env->regs[R_ECX];
    f.uc.mc.rsp = env->regs[R_ESP];
    f.uc.mc.rip = env->rip;
    f.uc.mc.eflags = cpu_compute_eflags(env);
    f.uc.mc.cs = env->segs[R_CS].selector;
    f.uc.mc.ss = env->segs[R_SS].selector;
    f.uc.mc.fs = env->segs[R_FS].selector;
    f.uc.mc.gs = env->segs[R_GS].selector;
    if (sig == SIGSEGV || sig == SIGBUS) {
        f.uc.mc.err = env->error_code;
        f.uc.mc.trapno = env->cs->exception_index >= 0 ? 14 : 14;
        f.uc.mc.cr2 = env->cr[2];
    }
    f.uc.mc.oldmask = old_mask;
    f.uc.mc.fpstate = fp_addr;
    f.uc.sigmask = old_mask;
    memcpy(f.info, info, sizeof(f.info));
    x86_fxsave_to_buf(env, fx);

    if (!guest_write(fp_addr, fx, sizeof(fx)) ||
        !guest_write(frame_addr, &f, sizeof(f))) {
        /* No room for the frame: the kernel kills with SIGSEGV. */
        die_with_signal(SIGSEGV);
    }
    env->regs[R_EDI] = sig;
    env->regs[R_ESI] = frame_addr + offsetof(TargetRtSigframe, info);
    env->regs[R_EDX] = frame_addr + offsetof(TargetRtSigframe, uc);
    env->regs[R_EAX] = 0;
    env->regs[R_ESP] = frame_addr;
    env->rip = ka->handler;
    /* The handler runs with DF and TF clear (SysV ABI). */
    cpu_load_eflags(env, 0, DF_MASK | TF_MASK | RF_MASK);
    cpu_x86_update_hflags(env);

    ts->sigmask |= ka->mask;
    if (!(ka->flags & SA_NODEFER)) {
        ts->sigmask |= 1ull << (sig - 1);
    }
    ts->sigmask &= ~UNBLOCKABLE;
    if (ka->flags & SA_RESETHAND) {
        ka->handler = (uint64_t)SIG_DFL;
        host_install(sig);
    }
    if ((ka->flags & SA_ONSTACK) && (ts->altstack.flags & SS_AUTODISARM)) {
        ts->altstack.sp = ts->altstack.size = 0;
    }
}

int64_t do_rt_sigreturn(CPUX86State *env)
{
    TaskState *ts = env->opaque;
    uint64_t frame = env->regs[R_ESP] - 8;
    TargetRtSigframe f;
    uint8_t fx[512];
    TargetSigcontext *mc = &f.uc.mc;

    if (!guest_read(&f, frame, sizeof(f))) {
        die_with_signal(SIGSEGV);
    }
    env->regs[R_R8] = mc->r8;
    env->regs[R_R9] = mc->r9;
    env->regs[R_R10] = mc->r10;
    env->regs[R_R11] = mc->r11;
    env->regs[R_R12] = mc->r12;
    env->regs[R_R13] = mc->r13;
    env->regs[R_R14] = mc->r14;
    env->regs[R_R15] = mc->r15;
    env->regs[R_EDI] = mc->rdi;
    env->regs[R_ESI] = mc->rsi;
    env->regs[R_EBP] = mc->rbp;
    env->regs[R_EBX] = mc->rbx;
    env->regs[R_EDX] = mc->rdx;
    env->regs[R_EAX] = mc->rax;
    env->regs[R_ECX] = mc->rcx;
    env->regs[R_ESP] = mc->rsp;
    env->rip = mc->rip;
    /* The flags a user program may change (the kernel's FIX_EFLAGS). */
    cpu_load_eflags(env, mc->eflags, 0x50dd5);
    cpu_x86_update_hflags(env);
    if (mc->fpstate) {
        if (!guest_read(fx, mc->fpstate, sizeof(fx))) {
            die_with_signal(SIGSEGV);
        }
        x86_fxrstor_from_buf(env, fx);
    }
    ts->sigmask = f.uc.sigmask & ~UNBLOCKABLE;
    set_host_sigmask(ts->sigmask);
    if (deliverable(ts)) {
        ts->signal_pending = 1;
    }
    /* uc_stack as for sigaltstack(), errors ignored. */
    if (!(f.uc.ss_flags & SS_DISABLE) && f.uc.ss_size >= 2048) {
        bool on = ts->altstack.size &&
                  env->regs[R_ESP] - ts->altstack.sp < ts->altstack.size;
        if (!on) {
            ts->altstack.sp = f.uc.ss_sp;
            ts->altstack.size = f.uc.ss_size;
            ts->altstack.flags = f.uc.ss_flags & SS_AUTODISARM;
        }
    }
    return TARGET_NOREG;
}

static void deliver(CPUX86State *env, int sig, siginfo_t *info, bool sync)
{
    TargetSigaction *ka = &sigact[sig];
    uint64_t h = ka->handler;

    if (sync && (h == (uint64_t)SIG_IGN ||
                 ((thread_ts->sigmask >> (sig - 1)) & 1))) {
        /* A synchronous signal that is blocked or ignored kills. */
        h = (uint64_t)SIG_DFL;
    }
    if (h == (uint64_t)SIG_IGN) {
        return;
    }
    if (h == (uint64_t)SIG_DFL) {
        if (default_ignored(sig)) {
            return;
        }
        if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
            kill(getpid(), SIGSTOP);
            return;
        }
        ember_log_mask(LOG_INT, "guest: fatal signal %d at rip 0x%"
                       PRIx64 "\n", sig, env->rip);
        die_with_signal(sig);
    }
    ember_log_mask(LOG_INT, "guest: signal %d to handler 0x%" PRIx64
                   " at rip 0x%" PRIx64 "\n", sig, h, env->rip);
    setup_frame(env, sig, ka, info);
}

void process_pending_signals(CPUX86State *env)
{
    TaskState *ts = env->opaque;

    while (ts->signal_pending) {
        sigset_t old;

        block_host_signals(&old);
        ts->signal_pending = 0;
        if (ts->sync_pending) {
            siginfo_t info = ts->sync_info;
            ts->sync_pending = false;
            g_mutex_lock(&sigact_lock);
            deliver(env, info.si_signo, &info, true);
            g_mutex_unlock(&sigact_lock);
        }
        for (int sig = 1; sig <= TARGET_NSIG; sig++) {
            uint64_t bit = 1ull << (sig - 1);
            if ((ts->pending & bit) && !(ts->sigmask & bit)) {
                siginfo_t info = ts->pending_info[sig - 1];
                ts->pending &= ~bit;
                g_mutex_lock(&sigact_lock);
                deliver(env, sig, &info, false);
                g_mutex_unlock(&sigact_lock);
            }
        }
        if (ts->in_sigsuspend) {
            ts->sigmask = ts->saved_sigmask;
            ts->in_sigsuspend = false;
        }
        set_host_sigmask(ts->sigmask);
        if (deliverable(ts)) {
            ts->signal_pending = 1;
        }
    }
}
