/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User-mode emulation: one guest process, whose threads are host
 * threads each running a vCPU, and whose system calls are passed to the
 * host kernel (x86-64 on x86-64: same numbers and structure layouts).
 */
#ifndef LINUX_USER_USER_H
#define LINUX_USER_USER_H

#include "ember/osdep.h"
#include <signal.h>
#include "target/x86/cpu.h"
#include "exec/exec-all.h"
#include "exec/user-mem.h"

#define TARGET_NSIG 64
#define TARGET_PAGE 4096ull

/* Per guest thread. */
typedef struct TaskState {
    X86CPU *cpu;
    pid_t tid;
    uint64_t clear_child_tid;
    uint64_t robust_list;
    uint64_t robust_list_len;

    /* Signals: the guest's mask, pending ones (bit sig-1), their info. */
    uint64_t sigmask;
    uint64_t pending;
    siginfo_t pending_info[TARGET_NSIG];
    bool sync_pending;              /* a fault to deliver first */
    siginfo_t sync_info;
    volatile int signal_pending;    /* something to look at */
    bool in_sigsuspend;
    uint64_t saved_sigmask;         /* restored after sigsuspend */
    struct {
        uint64_t sp, size;
        int flags;
    } altstack;
} TaskState;

/* The loaded program (elfload.c). */
typedef struct ImageInfo {
    uint64_t entry;             /* where the guest starts (interp or prog) */
    uint64_t prog_entry;
    uint64_t load_bias;
    uint64_t interp_bias;
    uint64_t phdr, phnum, phent;
    uint64_t start_brk;
    uint64_t stack_top;
    uint64_t sp;                /* initial rsp */
    char *exec_path;            /* as given (AT_EXECFN) */
    char *real_path;            /* for /proc/self/exe */
} ImageInfo;

typedef struct UserOptions {
    const char *sysroot;        /* -L */
    const char *argv0;          /* -0 */
    const char *cpu_model;      /* -cpu */
    const char *backend;        /* -accel tcg,backend= */
    const char *log_items;      /* -d */
    const char *log_file;       /* -D */
    bool strace;
    uint64_t stack_size;
} UserOptions;

extern UserOptions user_opts;
extern ImageInfo image_info;
extern char *ember_exe_path;        /* this binary, for execve */
extern uint32_t image_hwcap;        /* AT_HWCAP: CPUID[1].EDX */
extern __thread TaskState *thread_ts;

static inline TaskState *cpu_ts(CPUState *cs)
{
    return cpu_env(cs)->opaque;
}

/* main.c */
X86CPU *user_cpu_new(void);
void user_cpu_free(X86CPU *cpu);
GPtrArray *user_cpu_list(void);
void user_cpu_list_add(CPUState *cs);
void user_cpu_list_remove(CPUState *cs);
void user_cpu_list_reset_after_fork(CPUState *self);
void EMBER_NORETURN user_exit_group(int code);

/* elfload.c */
bool load_program(const char *path, char **argv, char **envp,
                  ImageInfo *info, GError **errp);
/* Resolve a guest path through -L (the interpreter and absolute paths
 * that exist under the sysroot). Returns a new string. */
char *path_in_sysroot(const char *path);

/* mmap.c: the guest's address space. */
void mmap_init(void);
int64_t target_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd,
                    int64_t off);
int64_t target_munmap(uint64_t addr, uint64_t len);
int64_t target_mprotect(uint64_t addr, uint64_t len, int prot);
int64_t target_mremap(uint64_t old, uint64_t old_len, uint64_t new_len,
                      int flags, uint64_t new_addr);
int64_t target_brk(uint64_t brk);
void target_set_brk(uint64_t start);
void page_set_flags(uint64_t start, uint64_t end, int prot);
int page_get_flags(uint64_t addr);  /* prot, or -1 when unmapped */
bool page_range_ok(uint64_t addr, uint64_t len, int prot);
/* A write fault on a page write-protected for translated code: 1 if
 * handled (retry), 2 if the current TB was invalidated, 0 otherwise. */
int page_unprotect(uint64_t addr, uintptr_t host_pc);
/* Make guest pages writable again before the kernel writes to them. */
void page_unprotect_range(uint64_t addr, uint64_t len);
bool any_pages_protected(void);
extern const TCGModeOps user_mode_ops;

/* syscall.c */
#define TARGET_ERESTARTSYS 512      /* internal: restart the syscall */
#define TARGET_NOREG (-1000)        /* sigreturn: registers already set */
int64_t do_syscall(CPUX86State *env, uint64_t nr, uint64_t a1, uint64_t a2,
                   uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6);
void syscall_init(void);

/* strace.c */
void strace_enter(uint64_t nr, const uint64_t *args);
void strace_leave(uint64_t nr, int64_t ret);
const char *syscall_name(uint64_t nr);

/* signal.c */
void signal_init(void);
void signal_thread_init(TaskState *ts);
void process_pending_signals(CPUX86State *env);
int64_t do_rt_sigaction(int sig, uint64_t act, uint64_t oact,
                        uint64_t sigsetsize);
int64_t do_rt_sigprocmask(int how, uint64_t set, uint64_t oset,
                          uint64_t size);
int64_t do_rt_sigreturn(CPUX86State *env);
int64_t do_sigaltstack(CPUX86State *env, uint64_t ss, uint64_t oss);
int64_t do_rt_sigsuspend(uint64_t mask, uint64_t size);
int64_t do_rt_sigpending(uint64_t set, uint64_t size);
void queue_sync_signal(TaskState *ts, int sig, int code, uint64_t addr);
bool signal_restart_allowed(TaskState *ts);
void block_host_signals(sigset_t *old);
void set_host_sigmask(uint64_t guest_mask);
/* Is this path the running program (/proc/self/exe and the like)? */
bool is_self_exe(const char *p);
/* safe_syscall: a blocking host syscall that returns -TARGET_ERESTARTSYS
 * instead of blocking when a guest signal is already pending. */
int64_t safe_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
                     long a6);

/* cpu-loop.c */
void EMBER_NORETURN cpu_loop(CPUX86State *env);

/* thread.c */
int64_t do_clone(CPUX86State *env, uint64_t flags, uint64_t newsp,
                 uint64_t parent_tid, uint64_t child_tid, uint64_t tls);
void EMBER_NORETURN do_thread_exit(CPUX86State *env, int code);
int64_t do_execve(CPUX86State *env, uint64_t path, uint64_t argv,
                  uint64_t envp, int dirfd, int flags);

/* Reading guest memory from syscall emulation (false if not mapped). */
bool guest_read(void *dst, uint64_t src, size_t len);
bool guest_write(uint64_t dst, const void *src, size_t len);
char *guest_strdup(uint64_t addr);

#endif
