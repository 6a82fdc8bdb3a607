/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes: fork and wait statuses, pipes between processes, vfork,
 * execve of this program (which must run under the translator again:
 * the child reports what CPUID says, the same as its parent), signals
 * between processes, posix_spawn and system().
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static unsigned cpuid_sig(void)
{
    unsigned a, b, c, d;

    __cpuid(1, a, b, c, d);
    return c ^ d;
}

static void test_fork(void)
{
    int st;
    pid_t p = fork();

    if (p == 0) {
        _exit(42);
    }
    waitpid(p, &st, 0);
    printf("fork: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
    p = fork();
    if (p == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(p, &st, 0);
    printf("fork: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
}

static void test_pipe(void)
{
    int fds[2], st;
    char buf[64] = { 0 };
    pid_t p;

    if (pipe(fds)) {
        return;
    }
    p = fork();
    if (p == 0) {
        close(fds[0]);
        dprintf(fds[1], "child says %d", 6 * 7);
        _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], buf, sizeof(buf) - 1) < 0) {
        perror("read");
    }
    waitpid(p, &st, 0);
    printf("pipe: '%s'\n", buf);
    close(fds[0]);
}

static void test_vfork(void)
{
    volatile int x = 1;
    int st;
    pid_t p = vfork();

    if (p == 0) {
        _exit(7);
    }
    waitpid(p, &st, 0);
    printf("vfork: %d %d\n", WEXITSTATUS(st), x);
}

static void test_exec(const char *self)
{
    int fds[2], st;
    char buf[128] = { 0 };
    pid_t p;

    if (pipe(fds)) {
        return;
    }
    p = fork();
    if (p == 0) {
        char arg[32];
        snprintf(arg, sizeof(arg), "%u", cpuid_sig());
        dup2(fds[1], 1);
        execl(self, self, "child", arg, (char *)NULL);
        _exit(99);
    }
    close(fds[1]);
    if (read(fds[0], buf, sizeof(buf) - 1) < 0) {
        perror("read");
    }
    waitpid(p, &st, 0);
    printf("exec: '%s' status %d\n", buf, WEXITSTATUS(st));
    close(fds[0]);
}

static void test_spawn(void)
{
    pid_t p;
    int st;
    char *argv[] = { "sh", "-c", "exit 5", NULL };

    if (posix_spawn(&p, "/bin/sh", NULL, NULL, argv, environ) == 0) {
        waitpid(p, &st, 0);
        printf("posix_spawn: %d\n", WEXITSTATUS(st));
    }
    fflush(stdout);
    st = system("echo system: $((6*7))");
    printf("system status %d\n", WEXITSTATUS(st));
}

static volatile int got_usr1;

static void on_usr1(int s)
{
    got_usr1 = 1;
}

static void test_kill(void)
{
    int st;
    sigset_t m, old;
    pid_t parent = getpid(), p;

    signal(SIGUSR1, on_usr1);
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, &old);
    p = fork();
    if (p == 0) {
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    waitpid(p, &st, 0);
    printf("kill from child: %d\n", got_usr1);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "child")) {
        printf("child of exec, same cpuid %d",
               (unsigned)strtoul(argv[2], NULL, 10) == cpuid_sig());
        return 3;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    test_fork();
    test_pipe();
    test_vfork();
    test_exec(argv[0]);
    test_spawn();
    test_kill();
    return 0;
}
