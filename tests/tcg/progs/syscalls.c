/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System calls a program commonly makes: files and directories, mmap
 * of files, mremap/mprotect/brk, poll/select, socketpair with file
 * descriptor passing, time, /proc/self/exe, error returns from bad
 * pointers (EFAULT, never a crash of the emulator) and prctl.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static void test_files(void)
{
    char path[128], buf[64];
    struct stat st;
    int fd, n = 0;
    DIR *d;
    struct dirent *e;
    struct iovec iov[2] = { { "hello ", 6 }, { "world\n", 6 } };

    snprintf(path, sizeof(path), "%s/a.txt", dir);
    fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0640);
    printf("writev %zd\n", writev(fd, iov, 2));
    printf("pwrite %zd\n", pwrite(fd, "W", 1, 6));
    lseek(fd, 0, SEEK_SET);
    memset(buf, 0, sizeof(buf));
    printf("read %zd '%s'", read(fd, buf, sizeof(buf) - 1), buf);
    fstat(fd, &st);
    printf("size %lld mode %o\n", (long long)st.st_size, st.st_mode & 0777);
    printf("ftruncate %d ", ftruncate(fd, 3));
    printf("pread %zd\n", pread(fd, buf, 10, 0));
    close(fd);
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/f%d", dir, i);
        close(open(path, O_CREAT | O_WRONLY, 0600));
    }
    d = opendir(dir);
    while ((e = readdir(d))) {
        n++;
    }
    closedir(d);
    printf("dir entries %d\n", n);
    snprintf(path, sizeof(path), "%s/f0", dir);
    snprintf(buf, sizeof(buf), "%s/g0", dir);
    {
        int r1 = rename(path, buf), r2 = stat(path, &st), e = errno;
        printf("rename %d stat-old %d errno ENOENT %d\n", r1, r2,
               e == ENOENT);
    }
    printf("symlink %d ", symlink("g0", path));
    memset(buf, 0, sizeof(buf));
    {
        ssize_t n = readlink(path, buf, sizeof(buf));
        printf("readlink %zd %s\n", n, buf);
    }
    {
        int r1 = mkdirat(AT_FDCWD, "sub", 0700), r2 = rmdir("sub");
        printf("mkdir %d rmdir %d\n", r1, r2);
    }
}

static void test_mmap(void)
{
    char path[128];
    int fd;
    char *p, *q;
    long pg = sysconf(_SC_PAGESIZE);

    snprintf(path, sizeof(path), "%s/map", dir);
    fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    if (ftruncate(fd, 3 * pg)) {
        perror("ftruncate");
    }
    p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    strcpy(p + pg, "shared mapping");
    msync(p, 3 * pg, MS_SYNC);
    {
        char buf[32] = { 0 };
        printf("pread via file: %zd %s\n", pread(fd, buf, 14, pg), buf);
    }
    q = mremap(p, 3 * pg, 8 * pg, MREMAP_MAYMOVE);
    printf("mremap ok %d keeps data %d\n", q != MAP_FAILED,
           !strcmp(q + pg, "shared mapping"));
    munmap(q, 8 * pg);
    close(fd);
    p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mprotect %d ", mprotect(p, pg, PROT_READ | PROT_WRITE));
    p[0] = 1;
    printf("then writable %d\n", p[0]);
    munmap(p, pg);
    {
        char *b0 = sbrk(0);
        char *b1 = sbrk(3 * pg);
        memset(b1, 7, 3 * pg);
        printf("sbrk grows %d\n", sbrk(0) == b0 + 3 * pg && b1 == b0);
        sbrk(-3 * pg);
    }
    errno = 0;
    p = mmap((void *)0x1000, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
             MAP_FIXED_NOREPLACE, -1, 0);
    printf("mmap at low address: %s\n",
           p == MAP_FAILED ? "refused" : "mapped");
    if (p != MAP_FAILED) {
        munmap(p, pg);
    }
}

static void test_io(void)
{
    int sv[2], fds[2], r;
    struct pollfd pfd;
    fd_set rs;
    struct timeval tv = { 0, 0 };
    char c = 'x';

    if (pipe(fds)) {
        return;
    }
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    printf("poll empty %d ", poll(&pfd, 1, 0));
    if (write(fds[1], &c, 1) != 1) {
        return;
    }
    r = poll(&pfd, 1, 10);
    printf("poll ready %d revents %x ", r, pfd.revents);
    FD_ZERO(&rs);
    FD_SET(fds[0], &rs);
    printf("select %d\n", select(fds[0] + 1, &rs, NULL, NULL, &tv));
    close(fds[0]);
    close(fds[1]);

    /* Pass a file descriptor over a socket (SCM_RIGHTS). */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    {
        int pfds[2];
        char cbuf[CMSG_SPACE(sizeof(int))], data = 'd', got[8] = { 0 };
        struct iovec io = { &data, 1 };
        struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1,
                            .msg_control = cbuf,
                            .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
        if (pipe(pfds)) {
            return;
        }
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &pfds[1], sizeof(int));
        r = sendmsg(sv[0], &m, 0);
        memset(cbuf, 0, sizeof(cbuf));
        r = recvmsg(sv[1], &m, 0);
        cm = CMSG_FIRSTHDR(&m);
        if (r == 1 && cm && cm->cmsg_type == SCM_RIGHTS) {
            int nfd;
            memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
            if (write(nfd, "fd!", 3) == 3 && read(pfds[0], got, 3) == 3) {
                printf("SCM_RIGHTS: %s\n", got);
            }
            close(nfd);
        }
        close(pfds[0]);
        close(pfds[1]);
    }
    close(sv[0]);
    close(sv[1]);
}

static char real[4096];

static void test_misc(void)
{
    struct timespec a, b;
    struct utsname u;
    char exe[4096] = { 0 };
    char name[32] = { 0 };

    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(2000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("monotonic advances %d\n",
           (b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec >=
           2000000);
    printf("time sane %d\n", time(NULL) > 1600000000);
    uname(&u);
    printf("uname %s %s\n", u.sysname, u.machine);
    if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0) {
        perror("readlink");
    }
    printf("/proc/self/exe is the program %d\n", !strcmp(exe, real));
    prctl(PR_SET_NAME, "tcgtest");
    prctl(PR_GET_NAME, name);
    printf("prctl name %s\n", name);
    printf("getppid differs %d, gettid==getpid %d\n", getppid() != getpid(),
           syscall(SYS_gettid) == getpid());
    /* Bad pointers give EFAULT. */
    {
        int fd = open("/dev/zero", O_RDONLY);
        ssize_t n = read(fd, (void *)8, 16);
        int e = errno;
        long r;
        printf("read to bad pointer: %zd EFAULT %d\n", n, e == EFAULT);
        n = stat((char *)8, NULL);
        e = errno;
        printf("stat bad path: %zd EFAULT %d\n", n, e == EFAULT);
        r = syscall(999);
        e = errno;
        printf("unknown syscall: %ld ENOSYS %d\n", r, e == ENOSYS);
        close(fd);
    }
}

int main(int argc, char **argv)
{
    char cmd[128];

    if (!realpath(argv[0], real)) {
        perror("realpath");
    }
    snprintf(dir, sizeof(dir), "/tmp/ember-tcg-sys-XXXXXX");
    if (!mkdtemp(dir) || chdir(dir)) {
        perror("mkdtemp");
        return 1;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    test_files();
    test_mmap();
    test_io();
    test_misc();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}
