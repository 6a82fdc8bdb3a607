/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system call table (x86-64 numbers, from the kernel's
 * arch/x86/entry/syscalls/syscall_64.tbl) and -strace output.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include <fcntl.h>
#include <sys/syscall.h>
#include "user.h"
#include "syscall-defs.h"

#define S(nr, nm, n, a0, a1, a2, a3, a4, a5, fl, os) \
    [nr] = { #nm, n, { a0, a1, a2, a3, a4, a5 }, fl, os }
#define S0(nr, nm) S(nr, nm, 0, 0, 0, 0, 0, 0, 0, 0, 0)
#define S1(nr, nm, a) S(nr, nm, 1, a, 0, 0, 0, 0, 0, 0, 0)
#define S2(nr, nm, a, b) S(nr, nm, 2, a, b, 0, 0, 0, 0, 0, 0)
#define S3(nr, nm, a, b, c) S(nr, nm, 3, a, b, c, 0, 0, 0, 0, 0)
#define S4(nr, nm, a, b, c, d) S(nr, nm, 4, a, b, c, d, 0, 0, 0, 0)
#define S5(nr, nm, a, b, c, d, e) S(nr, nm, 5, a, b, c, d, e, 0, 0, 0)
#define S6(nr, nm, a, b, c, d, e, f) S(nr, nm, 6, a, b, c, d, e, f, 0, 0)
#define R SC_RESTART

static const SyscallInfo table[] = {
    S(0, read, 3, A_FD, A_OBUF, A_UINT, 0, 0, 0, R, 0),
    S(1, write, 3, A_FD, A_BUF, A_UINT, 0, 0, 0, R, 0),
    S(2, open, 3, A_STR, A_OFLAGS, A_MODE, 0, 0, 0, R, 0),
    S1(3, close, A_FD),
    S(4, stat, 2, A_STR, A_OSTRUCT, 0, 0, 0, 0, 0, 144),
    S(5, fstat, 2, A_FD, A_OSTRUCT, 0, 0, 0, 0, 0, 144),
    S(6, lstat, 2, A_STR, A_OSTRUCT, 0, 0, 0, 0, 0, 144),
    S3(7, poll, A_PTR, A_UINT, A_INT),
    S3(8, lseek, A_FD, A_INT, A_INT),
    S6(9, mmap, A_PTR, A_UINT, A_HEX, A_HEX, A_FD, A_HEX),
    S3(10, mprotect, A_PTR, A_UINT, A_HEX),
    S2(11, munmap, A_PTR, A_UINT),
    S1(12, brk, A_PTR),
    S4(13, rt_sigaction, A_SIG, A_PTR, A_PTR, A_UINT),
    S4(14, rt_sigprocmask, A_INT, A_PTR, A_PTR, A_UINT),
    S0(15, rt_sigreturn),
    S(16, ioctl, 3, A_FD, A_HEX, A_PTR, 0, 0, 0, R, 0),
    S(17, pread64, 4, A_FD, A_OBUF, A_UINT, A_INT, 0, 0, R, 0),
    S(18, pwrite64, 4, A_FD, A_BUF, A_UINT, A_INT, 0, 0, R, 0),
    S(19, readv, 3, A_FD, A_PTR, A_INT, 0, 0, 0, R, 0),
    S(20, writev, 3, A_FD, A_PTR, A_INT, 0, 0, 0, R, 0),
    S2(21, access, A_STR, A_MODE),
    S1(22, pipe, A_PTR),
    S5(23, select, A_INT, A_PTR, A_PTR, A_PTR, A_PTR),
    S0(24, sched_yield),
    S5(25, mremap, A_PTR, A_UINT, A_UINT, A_HEX, A_PTR),
    S3(26, msync, A_PTR, A_UINT, A_HEX),
    S3(27, mincore, A_PTR, A_UINT, A_PTR),
    S3(28, madvise, A_PTR, A_UINT, A_INT),
    S3(29, shmget, A_INT, A_UINT, A_HEX),
    S3(30, shmat, A_INT, A_PTR, A_HEX),
    S3(31, shmctl, A_INT, A_INT, A_PTR),
    S1(32, dup, A_FD),
    S2(33, dup2, A_FD, A_FD),
    S0(34, pause),
    S2(35, nanosleep, A_PTR, A_PTR),
    S2(36, getitimer, A_INT, A_PTR),
    S1(37, alarm, A_UINT),
    S3(38, setitimer, A_INT, A_PTR, A_PTR),
    S0(39, getpid),
    S4(40, sendfile, A_FD, A_FD, A_PTR, A_UINT),
    S3(41, socket, A_INT, A_INT, A_INT),
    S(42, connect, 3, A_FD, A_PTR, A_UINT, 0, 0, 0, R, 0),
    S(43, accept, 3, A_FD, A_PTR, A_PTR, 0, 0, 0, R, 0),
    S(44, sendto, 6, A_FD, A_BUF, A_UINT, A_HEX, A_PTR, A_UINT, R, 0),
    S(45, recvfrom, 6, A_FD, A_OBUF, A_UINT, A_HEX, A_PTR, A_PTR, R, 0),
    S(46, sendmsg, 3, A_FD, A_PTR, A_HEX, 0, 0, 0, R, 0),
    S(47, recvmsg, 3, A_FD, A_PTR, A_HEX, 0, 0, 0, R, 0),
    S2(48, shutdown, A_FD, A_INT),
    S3(49, bind, A_FD, A_PTR, A_UINT),
    S2(50, listen, A_FD, A_INT),
    S3(51, getsockname, A_FD, A_PTR, A_PTR),
    S3(52, getpeername, A_FD, A_PTR, A_PTR),
    S4(53, socketpair, A_INT, A_INT, A_INT, A_PTR),
    S5(54, setsockopt, A_FD, A_INT, A_INT, A_PTR, A_UINT),
    S5(55, getsockopt, A_FD, A_INT, A_INT, A_PTR, A_PTR),
    S5(56, clone, A_HEX, A_PTR, A_PTR, A_PTR, A_PTR),
    S0(57, fork),
    S0(58, vfork),
    S3(59, execve, A_STR, A_PTR, A_PTR),
    S(60, exit, 1, A_INT, 0, 0, 0, 0, 0, SC_NORET, 0),
    S(61, wait4, 4, A_INT, A_PTR, A_HEX, A_PTR, 0, 0, R, 0),
    S2(62, kill, A_INT, A_SIG),
    S1(63, uname, A_PTR),
    S3(64, semget, A_INT, A_INT, A_HEX),
    S3(65, semop, A_INT, A_PTR, A_UINT),
    S4(66, semctl, A_INT, A_INT, A_INT, A_PTR),
    S1(67, shmdt, A_PTR),
    S2(68, msgget, A_INT, A_HEX),
    S4(69, msgsnd, A_INT, A_PTR, A_UINT, A_HEX),
    S5(70, msgrcv, A_INT, A_PTR, A_UINT, A_INT, A_HEX),
    S3(71, msgctl, A_INT, A_INT, A_PTR),
    S(72, fcntl, 3, A_FD, A_INT, A_HEX, 0, 0, 0, R, 0),
    S(73, flock, 2, A_FD, A_INT, 0, 0, 0, 0, R, 0),
    S1(74, fsync, A_FD),
    S1(75, fdatasync, A_FD),
    S2(76, truncate, A_STR, A_INT),
    S2(77, ftruncate, A_FD, A_INT),
    S3(78, getdents, A_FD, A_OBUF, A_UINT),
    S(79, getcwd, 2, A_OBUF, A_UINT, 0, 0, 0, 0, 0, 0),
    S1(80, chdir, A_STR),
    S1(81, fchdir, A_FD),
    S2(82, rename, A_STR, A_STR),
    S2(83, mkdir, A_STR, A_MODE),
    S1(84, rmdir, A_STR),
    S2(85, creat, A_STR, A_MODE),
    S2(86, link, A_STR, A_STR),
    S1(87, unlink, A_STR),
    S2(88, symlink, A_STR, A_STR),
    S3(89, readlink, A_STR, A_OBUF, A_UINT),
    S2(90, chmod, A_STR, A_MODE),
    S2(91, fchmod, A_FD, A_MODE),
    S3(92, chown, A_STR, A_INT, A_INT),
    S3(93, fchown, A_FD, A_INT, A_INT),
    S3(94, lchown, A_STR, A_INT, A_INT),
    S1(95, umask, A_MODE),
    S2(96, gettimeofday, A_PTR, A_PTR),
    S2(97, getrlimit, A_INT, A_PTR),
    S2(98, getrusage, A_INT, A_PTR),
    S1(99, sysinfo, A_PTR),
    S1(100, times, A_PTR),
    S4(101, ptrace, A_INT, A_INT, A_PTR, A_PTR),
    S0(102, getuid),
    S3(103, syslog, A_INT, A_PTR, A_INT),
    S0(104, getgid),
    S1(105, setuid, A_INT),
    S1(106, setgid, A_INT),
    S0(107, geteuid),
    S0(108, getegid),
    S2(109, setpgid, A_INT, A_INT),
    S0(110, getppid),
    S0(111, getpgrp),
    S0(112, setsid),
    S2(113, setreuid, A_INT, A_INT),
    S2(114, setregid, A_INT, A_INT),
    S2(115, getgroups, A_INT, A_PTR),
    S2(116, setgroups, A_INT, A_PTR),
    S3(117, setresuid, A_INT, A_INT, A_INT),
    S3(118, getresuid, A_PTR, A_PTR, A_PTR),
    S3(119, setresgid, A_INT, A_INT, A_INT),
    S3(120, getresgid, A_PTR, A_PTR, A_PTR),
    S1(121, getpgid, A_INT),
    S1(122, setfsuid, A_INT),
    S1(123, setfsgid, A_INT),
    S1(124, getsid, A_INT),
    S2(125, capget, A_PTR, A_PTR),
    S2(126, capset, A_PTR, A_PTR),
    S2(127, rt_sigpending, A_PTR, A_UINT),
    S4(128, rt_sigtimedwait, A_PTR, A_PTR, A_PTR, A_UINT),
    S3(129, rt_sigqueueinfo, A_INT, A_SIG, A_PTR),
    S2(130, rt_sigsuspend, A_PTR, A_UINT),
    S2(131, sigaltstack, A_PTR, A_PTR),
    S2(132, utime, A_STR, A_PTR),
    S3(133, mknod, A_STR, A_MODE, A_HEX),
    S1(135, personality, A_HEX),
    S2(137, statfs, A_STR, A_PTR),
    S2(138, fstatfs, A_FD, A_PTR),
    S2(140, getpriority, A_INT, A_INT),
    S3(141, setpriority, A_INT, A_INT, A_INT),
    S2(142, sched_setparam, A_INT, A_PTR),
    S2(143, sched_getparam, A_INT, A_PTR),
    S3(144, sched_setscheduler, A_INT, A_INT, A_PTR),
    S1(145, sched_getscheduler, A_INT),
    S1(146, sched_get_priority_max, A_INT),
    S1(147, sched_get_priority_min, A_INT),
    S2(148, sched_rr_get_interval, A_INT, A_PTR),
    S2(149, mlock, A_PTR, A_UINT),
    S2(150, munlock, A_PTR, A_UINT),
    S1(151, mlockall, A_HEX),
    S0(152, munlockall),
    S0(153, vhangup),
    S5(157, prctl, A_INT, A_HEX, A_HEX, A_HEX, A_HEX),
    S2(158, arch_prctl, A_HEX, A_PTR),
    S1(159, adjtimex, A_PTR),
    S2(160, setrlimit, A_INT, A_PTR),
    S1(161, chroot, A_STR),
    S0(162, sync),
    S5(165, mount, A_STR, A_STR, A_STR, A_HEX, A_PTR),
    S2(166, umount2, A_STR, A_HEX),
    S2(170, sethostname, A_STR, A_UINT),
    S0(186, gettid),
    S3(187, readahead, A_FD, A_INT, A_UINT),
    S5(188, setxattr, A_STR, A_STR, A_PTR, A_UINT, A_HEX),
    S4(191, getxattr, A_STR, A_STR, A_PTR, A_UINT),
    S4(192, lgetxattr, A_STR, A_STR, A_PTR, A_UINT),
    S4(193, fgetxattr, A_FD, A_STR, A_PTR, A_UINT),
    S3(194, listxattr, A_STR, A_PTR, A_UINT),
    S3(195, llistxattr, A_STR, A_PTR, A_UINT),
    S3(196, flistxattr, A_FD, A_PTR, A_UINT),
    S2(200, tkill, A_INT, A_SIG),
    S1(201, time, A_PTR),
    S(202, futex, 6, A_PTR, A_INT, A_HEX, A_PTR, A_PTR, A_HEX, R, 0),
    S3(203, sched_setaffinity, A_INT, A_UINT, A_PTR),
    S3(204, sched_getaffinity, A_INT, A_UINT, A_PTR),
    S2(206, io_setup, A_UINT, A_PTR),
    S3(217, getdents64, A_FD, A_OBUF, A_UINT),
    S1(218, set_tid_address, A_PTR),
    S0(219, restart_syscall),
    S4(221, fadvise64, A_FD, A_INT, A_UINT, A_INT),
    S3(222, timer_create, A_INT, A_PTR, A_PTR),
    S4(223, timer_settime, A_INT, A_HEX, A_PTR, A_PTR),
    S2(224, timer_gettime, A_INT, A_PTR),
    S1(225, timer_getoverrun, A_INT),
    S1(226, timer_delete, A_INT),
    S2(227, clock_settime, A_INT, A_PTR),
    S2(228, clock_gettime, A_INT, A_PTR),
    S2(229, clock_getres, A_INT, A_PTR),
    S4(230, clock_nanosleep, A_INT, A_HEX, A_PTR, A_PTR),
    S(231, exit_group, 1, A_INT, 0, 0, 0, 0, 0, SC_NORET, 0),
    S4(232, epoll_wait, A_FD, A_PTR, A_INT, A_INT),
    S4(233, epoll_ctl, A_FD, A_INT, A_FD, A_PTR),
    S3(234, tgkill, A_INT, A_INT, A_SIG),
    S2(235, utimes, A_STR, A_PTR),
    S6(237, mbind, A_PTR, A_UINT, A_INT, A_PTR, A_UINT, A_HEX),
    S3(239, get_mempolicy, A_PTR, A_PTR, A_UINT),
    S5(247, waitid, A_INT, A_INT, A_PTR, A_HEX, A_PTR),
    S0(253, inotify_init),
    S3(254, inotify_add_watch, A_FD, A_STR, A_HEX),
    S2(255, inotify_rm_watch, A_FD, A_INT),
    S(257, openat, 4, A_FD, A_STR, A_OFLAGS, A_MODE, 0, 0, R, 0),
    S3(258, mkdirat, A_FD, A_STR, A_MODE),
    S4(259, mknodat, A_FD, A_STR, A_MODE, A_HEX),
    S5(260, fchownat, A_FD, A_STR, A_INT, A_INT, A_HEX),
    S3(261, futimesat, A_FD, A_STR, A_PTR),
    S(262, newfstatat, 4, A_FD, A_STR, A_OSTRUCT, A_HEX, 0, 0, 0, 144),
    S3(263, unlinkat, A_FD, A_STR, A_HEX),
    S4(264, renameat, A_FD, A_STR, A_FD, A_STR),
    S5(265, linkat, A_FD, A_STR, A_FD, A_STR, A_HEX),
    S3(266, symlinkat, A_STR, A_FD, A_STR),
    S4(267, readlinkat, A_FD, A_STR, A_OBUF, A_UINT),
    S3(268, fchmodat, A_FD, A_STR, A_MODE),
    S3(269, faccessat, A_FD, A_STR, A_MODE),
    S6(270, pselect6, A_INT, A_PTR, A_PTR, A_PTR, A_PTR, A_PTR),
    S5(271, ppoll, A_PTR, A_UINT, A_PTR, A_PTR, A_UINT),
    S1(272, unshare, A_HEX),
    S2(273, set_robust_list, A_PTR, A_UINT),
    S3(274, get_robust_list, A_INT, A_PTR, A_PTR),
    S(275, splice, 6, A_FD, A_PTR, A_FD, A_PTR, A_UINT, A_HEX, R, 0),
    S4(276, tee, A_FD, A_FD, A_UINT, A_HEX),
    S4(277, sync_file_range, A_FD, A_INT, A_INT, A_HEX),
    S4(280, utimensat, A_FD, A_STR, A_PTR, A_HEX),
    S6(281, epoll_pwait, A_FD, A_PTR, A_INT, A_INT, A_PTR, A_UINT),
    S3(282, signalfd, A_FD, A_PTR, A_UINT),
    S2(283, timerfd_create, A_INT, A_HEX),
    S1(284, eventfd, A_UINT),
    S4(285, fallocate, A_FD, A_HEX, A_INT, A_INT),
    S4(286, timerfd_settime, A_FD, A_HEX, A_PTR, A_PTR),
    S2(287, timerfd_gettime, A_FD, A_PTR),
    S(288, accept4, 4, A_FD, A_PTR, A_PTR, A_HEX, 0, 0, R, 0),
    S4(289, signalfd4, A_FD, A_PTR, A_UINT, A_HEX),
    S2(290, eventfd2, A_UINT, A_HEX),
    S1(291, epoll_create1, A_HEX),
    S3(292, dup3, A_FD, A_FD, A_HEX),
    S2(293, pipe2, A_PTR, A_HEX),
    S1(294, inotify_init1, A_HEX),
    S(295, preadv, 4, A_FD, A_PTR, A_INT, A_INT, 0, 0, R, 0),
    S(296, pwritev, 4, A_FD, A_PTR, A_INT, A_INT, 0, 0, R, 0),
    S4(297, rt_tgsigqueueinfo, A_INT, A_INT, A_SIG, A_PTR),
    S5(298, perf_event_open, A_PTR, A_INT, A_INT, A_FD, A_HEX),
    S5(299, recvmmsg, A_FD, A_PTR, A_UINT, A_HEX, A_PTR),
    S4(302, prlimit64, A_INT, A_INT, A_PTR, A_PTR),
    S1(306, syncfs, A_FD),
    S4(307, sendmmsg, A_FD, A_PTR, A_UINT, A_HEX),
    S2(308, setns, A_FD, A_HEX),
    S3(309, getcpu, A_PTR, A_PTR, A_PTR),
    S6(310, process_vm_readv, A_INT, A_PTR, A_UINT, A_PTR, A_UINT, A_HEX),
    S3(316, renameat2, A_FD, A_STR, A_FD),
    S3(317, seccomp, A_INT, A_HEX, A_PTR),
    S3(318, getrandom, A_OBUF, A_UINT, A_HEX),
    S2(319, memfd_create, A_STR, A_HEX),
    S5(322, execveat, A_FD, A_STR, A_PTR, A_PTR, A_HEX),
    S3(324, membarrier, A_INT, A_HEX, A_INT),
    S6(326, copy_file_range, A_FD, A_PTR, A_FD, A_PTR, A_UINT, A_HEX),
    S(327, preadv2, 5, A_FD, A_PTR, A_INT, A_INT, A_HEX, 0, R, 0),
    S(328, pwritev2, 5, A_FD, A_PTR, A_INT, A_INT, A_HEX, 0, R, 0),
    S5(332, statx, A_FD, A_STR, A_HEX, A_HEX, A_PTR),
    S4(334, rseq, A_PTR, A_UINT, A_HEX, A_HEX),
    S2(424, pidfd_send_signal, A_FD, A_SIG),
    S2(434, pidfd_open, A_INT, A_HEX),
    S2(435, clone3, A_PTR, A_UINT),
    S3(436, close_range, A_FD, A_FD, A_HEX),
    S4(437, openat2, A_FD, A_STR, A_PTR, A_UINT),
    S3(438, pidfd_getfd, A_FD, A_FD, A_HEX),
    S4(439, faccessat2, A_FD, A_STR, A_MODE, A_HEX),
    S4(441, epoll_pwait2, A_FD, A_PTR, A_INT, A_PTR),
};

const SyscallInfo *syscall_info(uint64_t nr)
{
    if (nr < ARRAY_SIZE(table) && table[nr].name) {
        return &table[nr];
    }
    return NULL;
}

const char *syscall_name(uint64_t nr)
{
    const SyscallInfo *si = syscall_info(nr);

    return si ? si->name : "unknown";
}

static void print_str(GString *out, uint64_t addr)
{
    g_autofree char *s = guest_strdup(addr);

    if (!s) {
        g_string_append_printf(out, "0x%" PRIx64, addr);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = s; *p && p - s < 64; p++) {
        if (*p == '"' || *p == '\\') {
            g_string_append_printf(out, "\\%c", *p);
        } else if (g_ascii_isprint(*p)) {
            g_string_append_c(out, *p);
        } else {
            g_string_append_printf(out, "\\%o", (unsigned char)*p);
        }
    }
    g_string_append_c(out, '"');
    if (strlen(s) > 64) {
        g_string_append(out, "...");
    }
}

void strace_enter(uint64_t nr, const uint64_t *args)
{
    const SyscallInfo *si = syscall_info(nr);
    g_autoptr(GString) out = g_string_new(NULL);

    g_string_append_printf(out, "%d ", (int)syscall(SYS_gettid));
    if (!si) {
        g_string_append_printf(out, "syscall_%" PRIu64 "(0x%" PRIx64
                               ",0x%" PRIx64 ",0x%" PRIx64 ")", nr, args[0],
                               args[1], args[2]);
    } else {
        g_string_append_printf(out, "%s(", si->name);
        for (int i = 0; i < si->nargs; i++) {
            uint64_t a = args[i];
            if (i) {
                g_string_append_c(out, ',');
            }
            switch (si->arg[i]) {
            case A_INT:
            case A_FD:
            case A_SIG:
                g_string_append_printf(out, "%" PRId64, (int64_t)a);
                break;
            case A_UINT:
                g_string_append_printf(out, "%" PRIu64, a);
                break;
            case A_STR:
                print_str(out, a);
                break;
            case A_MODE:
                g_string_append_printf(out, "0%" PRIo64, a);
                break;
            case A_OFLAGS:
                g_string_append_printf(out, "%s%s%s%s0x%" PRIx64,
                                       (a & O_ACCMODE) == O_RDONLY ?
                                       "O_RDONLY|" :
                                       (a & O_ACCMODE) == O_WRONLY ?
                                       "O_WRONLY|" : "O_RDWR|",
                                       a & O_CREAT ? "O_CREAT|" : "",
                                       a & O_TRUNC ? "O_TRUNC|" : "",
                                       a & O_CLOEXEC ? "O_CLOEXEC|" : "",
                                       a & ~(uint64_t)(O_ACCMODE | O_CREAT |
                                                       O_TRUNC | O_CLOEXEC));
                break;
            default:
                g_string_append_printf(out, "0x%" PRIx64, a);
                break;
            }
        }
        g_string_append_c(out, ')');
    }
    ember_log("%s", out->str);
}

void strace_leave(uint64_t nr, int64_t ret)
{
    if (ret < 0 && ret >= -4095) {
        ember_log(" = -1 errno=%d (%s)\n", (int)-ret, g_strerror(-ret));
    } else if (nr == 9 || nr == 12 || nr == 25) {
        ember_log(" = 0x%" PRIx64 "\n", (uint64_t)ret);
    } else {
        ember_log(" = %" PRId64 "\n", ret);
    }
}
