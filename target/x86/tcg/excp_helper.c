/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raising guest exceptions from translated code and helpers. The
 * vector goes to cpu->exception_index and cpu_exec() returns it: user
 * mode turns it into a signal, system mode will deliver it through the
 * IDT (x86_cpu_do_interrupt, SDM vol. 3A, 6.12).
 */
#include "ember/osdep.h"
#include "exec/exec-all.h"
#include "exec/translator.h"
#include "tcg/interp.h"
#include "target/x86/cpu.h"
#include "helper.h"
#include "excp.h"

void raise_exception_err_ra(CPUX86State *env, int excp, int err,
                            uintptr_t ra)
{
    CPUState *cs = env->cs;

    cs->exception_index = excp;
    env->error_code = err;
    env->has_error_code = err >= 0;
    cpu_loop_exit_restore(cs, ra);
}

void raise_exception_ra(CPUX86State *env, int excp, uintptr_t ra)
{
    raise_exception_err_ra(env, excp, -1, ra);
}

void helper_raise_exception(void *e, uint64_t excp)
{
    CPUX86State *env = e;

    env->error_code = 0;
    env->has_error_code = 0;
    env->cs->exception_index = excp;
    cpu_loop_exit(env->cs);
}

void helper_raise_exception_err(void *e, uint64_t excp, uint64_t err)
{
    CPUX86State *env = e;

    env->error_code = err;
    env->has_error_code = 1;
    env->cs->exception_index = excp;
    cpu_loop_exit(env->cs);
}

void helper_syscall(void *e)
{
    CPUX86State *env = e;

    env->cs->exception_index = EXCP_SYSCALL;
    cpu_loop_exit(env->cs);
}

void cpu_raise_fetch_fault(CPUState *cpu, uint64_t addr)
{
    CPUX86State *env = cpu_env(cpu);

    if (tcg_mode_ops->fetch_fault) {
        /* System mode walks the page tables for the real fault. */
        tcg_mode_ops->fetch_fault(cpu, addr);
    }
    /* #PF on an instruction fetch from user mode (SDM vol. 3A, 4.7). */
    env->cr[2] = addr;
    env->error_code = 0x14;
    env->has_error_code = 1;
    cpu->exception_index = EXCP0E_PAGE;
    cpu_loop_exit(cpu);
}

void tcg_interp_raise_unaligned(void)
{
    CPUState *cs = current_cpu_get();
    CPUX86State *env = cpu_env(cs);

    cpu_restore_state(cs, 0, NULL);
    env->error_code = 0;
    env->has_error_code = 1;
    cs->exception_index = EXCP0D_GPF;
    cpu_loop_exit(cs);
}
