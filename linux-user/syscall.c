/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System calls. On an x86-64 host the guest's calls have the host's
 * numbers and structure layouts, so most go straight to the kernel
 * (through safe_syscall, so that a guest signal never waits for a
 * blocking call). The ones that touch what Ember owns are emulated:
 * the address space, signals, threads and processes, the FS base, and
 * the paths that must name the guest program rather than Ember.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <linux/futex.h>
#include "user.h"
#include "syscall-defs.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012

void syscall_init(void)
{
}

/* Make the kernel's writes into guest buffers possible even where the
 * guest's code pages are write-protected for the translator. */
static void unprotect_outputs(const SyscallInfo *si, const uint64_t *a)
{
    if (!si || !any_pages_protected()) {
        return;
    }
    for (int i = 0; i < si->nargs; i++) {
        if (si->arg[i] == A_OBUF && i + 1 < 6) {
            page_unprotect_range(a[i], MIN(a[i + 1], 1ull << 30));
        } else if (si->arg[i] == A_OSTRUCT) {
            page_unprotect_range(a[i], si->out_size);
        }
    }
}

static int64_t passthrough(uint64_t nr, const uint64_t *a)
{
    const SyscallInfo *si = syscall_info(nr);
    int64_t ret;

    unprotect_outputs(si, a);
    ret = safe_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (ret == -EFAULT && any_pages_protected()) {
        /* A buffer we did not know about sits on a page with
         * translations: give all such pages back and try again. */
        page_unprotect_range(0, ~0ull);
        ret = safe_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    return ret;
}

bool is_self_exe(const char *p)
{
    char buf[64];

    if (!strcmp(p, "/proc/self/exe") || !strcmp(p, "/proc/thread-self/exe")) {
        return true;
    }
    snprintf(buf, sizeof(buf), "/proc/%d/exe", getpid());
    return !strcmp(p, buf);
}

static int64_t do_readlinkat(int dirfd, uint64_t path, uint64_t buf,
                             uint64_t size, const uint64_t *a, uint64_t nr)
{
    g_autofree char *p = guest_strdup(path);
    size_t n;

    if (!p) {
        return -EFAULT;
    }
    if (is_self_exe(p)) {
        n = MIN(strlen(image_info.real_path), size);
        if (!guest_write(buf, image_info.real_path, n)) {
            return -EFAULT;
        }
        return n;
    }
    return passthrough(nr, a);
}

/* open/openat: /proc/self/exe is the guest program; absolute paths may
 * live in the -L sysroot. */
static int64_t do_openat(int dirfd, uint64_t path, int flags, int mode,
                         const uint64_t *a, uint64_t nr)
{
    g_autofree char *p = guest_strdup(path);

    if (!p) {
        return -EFAULT;
    }
    if (is_self_exe(p)) {
        int fd = open(image_info.real_path, flags, mode);
        return fd < 0 ? -errno : fd;
    }
    if (user_opts.sysroot && strcmp(user_opts.sysroot, "/") && p[0] == '/') {
        g_autofree char *r = path_in_sysroot(p);
        int fd = openat(dirfd, r, flags, mode);
        return fd < 0 ? -errno : fd;
    }
    return passthrough(nr, a);
}

static int64_t do_arch_prctl(CPUX86State *env, int code, uint64_t addr)
{
    uint64_t v;

    switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (addr >= (1ull << 47)) {
            return -EPERM;
        }
        env->segs[code == ARCH_SET_FS ? R_FS : R_GS].base = addr;
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        v = env->segs[code == ARCH_GET_FS ? R_FS : R_GS].base;
        return guest_write(addr, &v, 8) ? 0 : -EFAULT;
    case ARCH_GET_CPUID:
        return 1;
    case ARCH_SET_CPUID:
        return addr ? 0 : -ENODEV;
    default:
        return -EINVAL;
    }
}

static int64_t do_shmat(const uint64_t *a, uint64_t nr)
{
    struct shmid_ds ds;
    int64_t ret;

    if (shmctl(a[0], IPC_STAT, &ds) < 0) {
        return -errno;
    }
    tb_lock();
    ret = syscall(nr, a[0], a[1], a[2]);
    if (ret < 0) {
        ret = -errno;
    } else {
        int prot = PROT_READ | ((a[2] & SHM_RDONLY) ? 0 : PROT_WRITE) |
                   ((a[2] & SHM_EXEC) ? PROT_EXEC : 0);
        uint64_t len = ROUND_UP(ds.shm_segsz, TARGET_PAGE);
        tb_invalidate_range(ret, ret + len, 0);
        page_set_flags(ret, ret + len, prot);
    }
    tb_unlock();
    return ret;
}

static int64_t dispatch(CPUX86State *env, uint64_t nr, const uint64_t *a)
{
    TaskState *ts = env->opaque;

    switch (nr) {
    case 0 ... 1: /* read, write */
        return passthrough(nr, a);
    case 2: /* open */
        return do_openat(AT_FDCWD, a[0], a[1], a[2], a, nr);
    case 257: /* openat */
        return do_openat(a[0], a[1], a[2], a[3], a, nr);
    case 9: /* mmap */
        return target_mmap(a[0], a[1], a[2], a[3], a[4], a[5]);
    case 10:
        return target_mprotect(a[0], a[1], a[2]);
    case 11:
        return target_munmap(a[0], a[1]);
    case 12:
        return target_brk(a[0]);
    case 25:
        return target_mremap(a[0], a[1], a[2], a[3], a[4]);
    case 28: /* madvise: dropping pages drops their translations */
        if (a[2] == MADV_DONTNEED || a[2] == MADV_FREE ||
            a[2] == MADV_REMOVE) {
            tb_lock();
            tb_invalidate_range(a[0], a[0] + a[1], 0);
            tb_unlock();
        }
        return passthrough(nr, a);
    case 13:
        return do_rt_sigaction(a[0], a[1], a[2], a[3]);
    case 14:
        return do_rt_sigprocmask(a[0], a[1], a[2], a[3]);
    case 15:
        return do_rt_sigreturn(env);
    case 127:
        return do_rt_sigpending(a[0], a[1]);
    case 130:
        return do_rt_sigsuspend(a[0], a[1]);
    case 131:
        return do_sigaltstack(env, a[0], a[1]);
    case 30:
        return do_shmat(a, nr);
    case 56: /* clone(flags, newsp, parent_tid, child_tid, tls) */
        return do_clone(env, a[0], a[1], a[2], a[3], a[4]);
    case 57: /* fork */
    case 58: /* vfork: run as fork (the child gets its own memory) */
        return do_clone(env, SIGCHLD, 0, 0, 0, 0);
    case 435: /* clone3: glibc falls back to clone */
        return -ENOSYS;
    case 59:
        return do_execve(env, a[0], a[1], a[2], AT_FDCWD, 0);
    case 322:
        return do_execve(env, a[1], a[2], a[3], a[0], a[4]);
    case 60:
        do_thread_exit(env, a[0]);
    case 231:
        user_exit_group(a[0]);
    case 89: /* readlink */
        return do_readlinkat(AT_FDCWD, a[0], a[1], a[2], a, nr);
    case 267:
        return do_readlinkat(a[0], a[1], a[2], a[3], a, nr);
    case 158:
        return do_arch_prctl(env, a[0], a[1]);
    case 218: /* set_tid_address */
        ts->clear_child_tid = a[0];
        return ts->tid;
    case 273: /* set_robust_list */
        if (a[1] != 24) {
            return -EINVAL;
        }
        ts->robust_list = a[0];
        ts->robust_list_len = a[1];
        return 0;
    case 274: { /* get_robust_list (own thread only) */
        uint64_t len = 24;
        if (a[0] && a[0] != (uint64_t)ts->tid) {
            return -EPERM;
        }
        if (!guest_write(a[1], &ts->robust_list, 8) ||
            !guest_write(a[2], &len, 8)) {
            return -EFAULT;
        }
        return 0;
    }
    case 334: /* rseq: Ember's own glibc owns the thread's rseq area */
        return -ENOSYS;
    case 135: /* personality */
        return a[0] == 0xffffffff ? 0 : passthrough(nr, a);
    case 154: /* modify_ldt */
    case 205: /* set_thread_area */
    case 211: /* get_thread_area */
        return -ENOSYS;
    case 101: /* ptrace of Ember's threads would not do what the guest
               * means */
        return -EPERM;
    case 186: /* gettid */
        return ts->tid;
    default:
        return passthrough(nr, a);
    }
}

int64_t do_syscall(CPUX86State *env, uint64_t nr, uint64_t a1, uint64_t a2,
                   uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
    uint64_t a[6] = { a1, a2, a3, a4, a5, a6 };
    int64_t ret;

    if (user_opts.strace) {
        strace_enter(nr, a);
    }
    ret = dispatch(env, nr, a);
    if (ret == -EINTR || ret == -TARGET_ERESTARTSYS) {
        const SyscallInfo *si = syscall_info(nr);
        bool restartable = si && (si->flags & SC_RESTART);
        ret = restartable && signal_restart_allowed(env->opaque)
              ? -TARGET_ERESTARTSYS : -EINTR;
    }
    if (user_opts.strace) {
        if (ret == TARGET_NOREG) {
            ember_log(" = (no return value)\n");
        } else if (ret == -TARGET_ERESTARTSYS) {
            ember_log(" = ? (restarted after the signal)\n");
        } else {
            strace_leave(nr, ret);
        }
    }
    return ret;
}
