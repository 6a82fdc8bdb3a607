/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user-mode CPU loop: run guest code, do its system calls, turn
 * exceptions into the signals Linux sends for them, deliver signals.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include <sys/mman.h>
#include "target/x86/tcg/tcg-cpu.h"
#include "user.h"

/* Linux's mapping of x86 exceptions to signals (arch/x86/kernel/traps.c). */
static void exception_to_signal(CPUX86State *env, int trapnr)
{
    TaskState *ts = env->opaque;

    switch (trapnr) {
    case EXCP00_DIVZ:
        queue_sync_signal(ts, SIGFPE, FPE_INTDIV, env->rip);
        break;
    case EXCP01_DB:
        queue_sync_signal(ts, SIGTRAP, TRAP_TRACE, 0);
        break;
    case EXCP03_INT3:
        queue_sync_signal(ts, SIGTRAP, SI_KERNEL, 0);
        break;
    case EXCP04_INTO:
    case EXCP05_BOUND:
    case EXCP0D_GPF:
    case EXCP0C_STACK:
    case EXCP0B_NOSEG:
        queue_sync_signal(ts, SIGSEGV, SI_KERNEL, 0);
        break;
    case EXCP06_ILLOP:
        queue_sync_signal(ts, SIGILL, ILL_ILLOPN, env->rip);
        break;
    case EXCP07_PREX:
    case EXCP10_COPR:
        queue_sync_signal(ts, SIGFPE, FPE_FLTINV, env->rip);
        break;
    case EXCP13_XMM:
        queue_sync_signal(ts, SIGFPE, FPE_FLTINV, env->rip);
        break;
    case EXCP11_ALGN:
        queue_sync_signal(ts, SIGBUS, BUS_ADRALN, env->rip);
        break;
    case EXCP0E_PAGE:
        queue_sync_signal(ts, SIGSEGV, page_get_flags(env->cr[2]) < 0 ?
                          SEGV_MAPERR : SEGV_ACCERR, env->cr[2]);
        break;
    default:
        fprintf(stderr, "ember-x86_64: unhandled CPU exception 0x%x at "
                "rip 0x%" PRIx64 "\n", trapnr, env->rip);
        x86_cpu_dump_state(env, stderr);
        abort();
    }
}

void cpu_loop(CPUX86State *env)
{
    CPUState *cs = env->cs;

    for (;;) {
        int trapnr;

        cpu_exec_start(cs);
        trapnr = cpu_exec(cs);
        cpu_exec_end(cs);

        switch (trapnr) {
        case EXCP_SYSCALL: {
            int64_t ret = do_syscall(env, env->regs[R_EAX],
                                     env->regs[R_EDI], env->regs[R_ESI],
                                     env->regs[R_EDX], env->regs[R_R10],
                                     env->regs[R_R8], env->regs[R_R9]);
            if (ret == -TARGET_ERESTARTSYS) {
                env->rip -= 2;      /* run the SYSCALL again */
            } else if (ret != TARGET_NOREG) {
                env->regs[R_EAX] = ret;
                /* SYSCALL leaves the return address in RCX and the
                 * flags in R11 (SDM vol. 2B). */
                env->regs[R_ECX] = env->rip;
                env->regs[R_R11] = cpu_compute_eflags(env);
            }
            break;
        }
        case EXCP_INTERRUPT:
            break;
        default:
            exception_to_signal(env, trapnr);
            break;
        }
        process_pending_signals(env);
    }
}
