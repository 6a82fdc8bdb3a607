/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes and threads: clone (a guest thread is a host thread with
 * its own vCPU), fork, thread exit with the clear_child_tid and robust
 * futex list protocol, and execve (another x86-64 program runs under
 * Ember too).
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include "tcg/tcg.h"
#include "user.h"

int64_t safe_syscall_base(volatile int *pending, long nr, long a1, long a2,
                          long a3, long a4, long a5, long a6);

int64_t safe_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
                     long a6)
{
    static volatile int never;
    volatile int *p = thread_ts ? &thread_ts->signal_pending : &never;

    return safe_syscall_base(p, nr, a1, a2, a3, a4, a5, a6);
}

typedef struct CloneStart {
    X86CPU *cpu;
    uint64_t flags, parent_tid, child_tid;
    GMutex lock;
    GCond cond;
    bool ready;
    pid_t tid;
} CloneStart;

static void *clone_thread(void *opaque)
{
    CloneStart *c = opaque;
    CPUX86State *env = &c->cpu->env;
    TaskState *ts = env->opaque;
    uint32_t tid;

    ts->tid = tid = syscall(SYS_gettid);
    thread_ts = ts;
    current_cpu_set(&c->cpu->parent);
    if (c->flags & CLONE_CHILD_SETTID) {
        guest_write(c->child_tid, &tid, 4);
    }
    if (c->flags & CLONE_PARENT_SETTID) {
        guest_write(c->parent_tid, &tid, 4);
    }
    if (c->flags & CLONE_CHILD_CLEARTID) {
        ts->clear_child_tid = c->child_tid;
    }
    g_mutex_lock(&c->lock);
    c->tid = tid;
    c->ready = true;
    g_cond_signal(&c->cond);
    g_mutex_unlock(&c->lock);
    /* c belongs to the parent from here on. */
    signal_thread_init(ts);
    cpu_loop(env);
}

static int64_t clone_new_thread(CPUX86State *env, uint64_t flags,
                                uint64_t newsp, uint64_t ptid,
                                uint64_t ctid, uint64_t tls)
{
    TaskState *pts = env->opaque, *ts;
    X86CPU *cpu = user_cpu_new();
    CPUX86State *nenv = &cpu->env;
    CloneStart c = { .cpu = cpu, .flags = flags, .parent_tid = ptid,
                     .child_tid = ctid };
    pthread_attr_t attr;
    pthread_t th;
    sigset_t old;
    int err;

    /* The child starts as a copy of this vCPU after the SYSCALL. */
    {
        CPUState *cs = nenv->cs;
        void *opaque = nenv->opaque;
        memcpy(nenv, env, sizeof(*env));
        nenv->cs = cs;
        nenv->opaque = opaque;
    }
    ts = nenv->opaque;
    ts->sigmask = pts->sigmask;
    nenv->regs[R_EAX] = 0;
    nenv->regs[R_ECX] = nenv->rip;
    if (newsp) {
        nenv->regs[R_ESP] = newsp;
    }
    if (flags & CLONE_SETTLS) {
        nenv->segs[R_FS].base = tls;
    }
    g_mutex_init(&c.lock);
    g_cond_init(&c.cond);
    user_cpu_list_add(&cpu->parent);

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 4 * MiB);
    block_host_signals(&old);
    err = pthread_create(&th, &attr, clone_thread, &c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err) {
        user_cpu_list_remove(&cpu->parent);
        user_cpu_free(cpu);
        return -err;
    }
    g_mutex_lock(&c.lock);
    while (!c.ready) {
        g_cond_wait(&c.cond, &c.lock);
    }
    g_mutex_unlock(&c.lock);
    g_mutex_clear(&c.lock);
    g_cond_clear(&c.cond);
    return c.tid;
}

static int64_t clone_fork(CPUX86State *env, uint64_t flags, uint64_t newsp,
                          uint64_t ptid, uint64_t ctid, uint64_t tls)
{
    TaskState *ts = env->opaque;
    int exit_sig = flags & CSIGNAL;
    pid_t pid;

    log_lock();
    if (log_file() != stderr) {
        fflush(log_file());
    }
    tb_lock();
    if (exit_sig == SIGCHLD) {
        pid = fork();
    } else {
        /* glibc's fork() always asks for SIGCHLD. */
        pid = syscall(SYS_clone, exit_sig, 0, NULL, NULL, 0);
    }
    if (pid < 0) {
        int e = errno;
        tb_unlock();
        log_unlock();
        return -e;
    }
    if (pid == 0) {
        tb_after_fork_child();
    }
    tb_unlock();
    log_unlock();
    if (pid == 0) {
        uint32_t tid;
        user_cpu_list_reset_after_fork(env->cs);
        ts->tid = tid = syscall(SYS_gettid);
        env->regs[R_EAX] = 0;
        if (newsp) {
            env->regs[R_ESP] = newsp;
        }
        if (flags & CLONE_SETTLS) {
            env->segs[R_FS].base = tls;
        }
        if (flags & CLONE_CHILD_SETTID) {
            guest_write(ctid, &tid, 4);
        }
        if (flags & CLONE_CHILD_CLEARTID) {
            ts->clear_child_tid = ctid;
        }
        return 0;
    }
    if (flags & CLONE_PARENT_SETTID) {
        uint32_t p = pid;
        guest_write(ptid, &p, 4);
    }
    return pid;
}

int64_t do_clone(CPUX86State *env, uint64_t flags, uint64_t newsp,
                 uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
    if (flags & (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                 CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)) {
        return -EINVAL;
    }
    if ((flags & CLONE_VM) && (flags & CLONE_THREAD)) {
        if (!(flags & CLONE_SIGHAND)) {
            return -EINVAL;
        }
        return clone_new_thread(env, flags, newsp, parent_tid, child_tid,
                                tls);
    }
    if (flags & CLONE_THREAD) {
        return -EINVAL;
    }
    /* CLONE_VM without a thread (vfork, posix_spawn): run as a fork. */
    return clone_fork(env, flags & ~(uint64_t)(CLONE_VM | CLONE_VFORK),
                      newsp, parent_tid, child_tid, tls);
}

/* The robust futex list (Documentation/locking/robust-futex-ABI.rst). */
static void exit_robust_list(TaskState *ts)
{
    uint64_t head = ts->robust_list, entry, pending;
    int64_t off;
    int limit = 2048;

    if (!head) {
        return;
    }
    if (!guest_read(&entry, head, 8) || !guest_read(&off, head + 8, 8) ||
        !guest_read(&pending, head + 16, 8)) {
        return;
    }
    while (entry != head && limit--) {
        uint64_t next, uaddr = (entry & ~1ull) + off;
        uint32_t v;
        if (!guest_read(&next, entry & ~1ull, 8)) {
            break;
        }
        if (guest_read(&v, uaddr, 4) && (v & FUTEX_TID_MASK) ==
            (uint32_t)ts->tid) {
            uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
            if (__atomic_compare_exchange_n((uint32_t *)g2h(uaddr), &v, nv,
                                            false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST) &&
                (nv & FUTEX_WAITERS)) {
                syscall(SYS_futex, g2h(uaddr), FUTEX_WAKE, 1, NULL, NULL, 0);
            }
        }
        entry = next;
    }
}

void do_thread_exit(CPUX86State *env, int code)
{
    TaskState *ts = env->opaque;
    CPUState *cs = env->cs;

    if (user_cpu_list()->len <= 1) {
        user_exit_group(code);
    }
    exit_robust_list(ts);
    if (ts->clear_child_tid) {
        uint32_t zero = 0;
        if (guest_write(ts->clear_child_tid, &zero, 4)) {
            syscall(SYS_futex, g2h(ts->clear_child_tid), FUTEX_WAKE,
                    INT_MAX, NULL, NULL, 0);
        }
    }
    user_cpu_list_remove(cs);
    thread_ts = NULL;
    current_cpu_set(NULL);
    user_cpu_free(x86_cpu(cs));
    pthread_exit(NULL);
}

/* ---- execve -------------------------------------------------------------- */

static char **guest_strv(uint64_t addr)
{
    GPtrArray *v = g_ptr_array_new();

    for (int i = 0; addr && i < 65536; i++) {
        uint64_t p;
        char *s;
        if (!guest_read(&p, addr + 8 * i, 8)) {
            g_ptr_array_free(v, true);
            return NULL;
        }
        if (!p) {
            break;
        }
        s = guest_strdup(p);
        if (!s) {
            g_ptr_array_set_free_func(v, g_free);
            g_ptr_array_free(v, true);
            return NULL;
        }
        g_ptr_array_add(v, s);
    }
    g_ptr_array_add(v, NULL);
    return (char **)g_ptr_array_free(v, false);
}

/* Does path need Ember (an x86-64 ELF or a #! script)? */
static bool runs_under_ember(const char *path)
{
    unsigned char h[20];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return false;
    }
    n = read(fd, h, sizeof(h));
    close(fd);
    if (n >= 2 && h[0] == '#' && h[1] == '!') {
        return true;
    }
    return n >= 20 && !memcmp(h, ELFMAG, SELFMAG) && h[EI_CLASS] ==
           ELFCLASS64 && lduw_le_p(h + 18) == EM_X86_64;
}

int64_t do_execve(CPUX86State *env, uint64_t path, uint64_t argv,
                  uint64_t envp, int dirfd, int flags)
{
    g_autofree char *p = guest_strdup(path);
    g_autofree char *rp = NULL;
    g_auto(GStrv) args = NULL, envs = NULL;
    g_autoptr(GPtrArray) nargs = NULL;

    if (!p) {
        return -EFAULT;
    }
    if (is_self_exe(p)) {
        /* The guest program, not Ember (busybox re-runs itself so). */
        g_free(p);
        p = g_strdup(image_info.real_path);
    }
    args = guest_strv(argv);
    envs = guest_strv(envp);
    if (!args || !envs) {
        return -EFAULT;
    }
    if (dirfd != AT_FDCWD && p[0] != '/') {
        char buf[64];
        g_autofree char *dir = NULL;
        snprintf(buf, sizeof(buf), "/proc/self/fd/%d", dirfd);
        dir = g_file_read_link(buf, NULL);
        if (!dir) {
            return -EBADF;
        }
        rp = g_build_filename(dir, p, NULL);
    } else {
        rp = path_in_sysroot(p);
    }
    /* The errors the guest would get from the kernel. */
    if (access(rp, F_OK) < 0 || access(rp, X_OK) < 0) {
        return -errno;
    }
    if (g_file_test(rp, G_FILE_TEST_IS_DIR)) {
        return -EACCES;
    }
    if (!runs_under_ember(rp)) {
        execve(rp, args, envs);
        return -errno;
    }
    nargs = g_ptr_array_new();
    g_ptr_array_add(nargs, ember_exe_path);
    if (user_opts.sysroot) {
        g_ptr_array_add(nargs, (char *)"-L");
        g_ptr_array_add(nargs, (char *)user_opts.sysroot);
    }
    if (user_opts.backend) {
        g_ptr_array_add(nargs, (char *)"-accel");
        g_ptr_array_add(nargs, g_strdup_printf("tcg,backend=%s",
                                               user_opts.backend));
    }
    if (user_opts.cpu_model) {
        g_ptr_array_add(nargs, (char *)"-cpu");
        g_ptr_array_add(nargs, (char *)user_opts.cpu_model);
    }
    if (user_opts.strace) {
        g_ptr_array_add(nargs, (char *)"-strace");
    }
    if (args[0]) {
        g_ptr_array_add(nargs, (char *)"-0");
        g_ptr_array_add(nargs, args[0]);
    }
    g_ptr_array_add(nargs, (char *)"--");
    g_ptr_array_add(nargs, p);
    for (int i = 1; args[0] && args[i]; i++) {
        g_ptr_array_add(nargs, args[i]);
    }
    g_ptr_array_add(nargs, NULL);
    log_lock();
    fflush(log_file());
    log_unlock();
    execve(ember_exe_path, (char **)nargs->pdata, envs);
    return -errno;
}
