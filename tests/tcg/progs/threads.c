/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads: creation and join, atomics (LOCK-prefixed read-modify-write
 * from many threads at once), mutexes and condition variables (futex),
 * thread-local storage (FS base per thread), barriers, signals to one
 * thread, robust mutexes whose owner dies, and exit from a thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NT 6
#define ITERS 20000

static atomic_long counter;
static long plain_counter;
static uint64_t cx_counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int tls_value = 7;
static pthread_barrier_t barrier;

static void *worker(void *arg)
{
    long id = (long)arg;

    tls_value = (int)id * 100;
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ITERS; i++) {
        atomic_fetch_add(&counter, 1);
        pthread_mutex_lock(&lock);
        plain_counter += 2;
        pthread_mutex_unlock(&lock);
        /* A compare-exchange loop (LOCK CMPXCHG). */
        uint64_t old = __atomic_load_n(&cx_counter, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cx_counter, &old, old + 3, 1,
                                            __ATOMIC_SEQ_CST,
                                            __ATOMIC_RELAXED)) {
        }
    }
    pthread_barrier_wait(&barrier);
    return (void *)(long)(tls_value + 1);
}

static void test_counters(void)
{
    pthread_t t[NT];
    long sum = 0;

    pthread_barrier_init(&barrier, NULL, NT);
    for (long i = 0; i < NT; i++) {
        pthread_create(&t[i], NULL, worker, (void *)i);
    }
    for (int i = 0; i < NT; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("counters: atomic %ld mutex %ld cmpxchg %llu, tls sum %ld, "
           "main tls %d\n", (long)counter, plain_counter,
           (unsigned long long)cx_counter, sum, tls_value);
}

/* Producer/consumer through a condition variable. */
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queue[16], qhead, qtail, done;

static void *producer(void *arg)
{
    for (int i = 1; i <= 1000; i++) {
        pthread_mutex_lock(&lock);
        while (qtail - qhead == 16) {
            pthread_cond_wait(&cv, &lock);
        }
        queue[qtail++ % 16] = i;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void test_condvar(void)
{
    pthread_t p;
    long sum = 0;

    pthread_create(&p, NULL, producer, NULL);
    pthread_mutex_lock(&lock);
    for (;;) {
        while (qhead == qtail && !done) {
            pthread_cond_wait(&cv, &lock);
        }
        if (qhead == qtail && done) {
            break;
        }
        sum += queue[qhead++ % 16];
        pthread_cond_broadcast(&cv);
    }
    pthread_mutex_unlock(&lock);
    pthread_join(p, NULL);
    printf("condvar: sum %ld\n", sum);
}

/* pthread_kill: the signal runs on the target thread. */
static volatile pid_t handler_tid;
static volatile int thread_ready, thread_stop;

static void usr1(int sig)
{
    handler_tid = syscall(SYS_gettid);
}

static void *sleeper(void *arg)
{
    pid_t *tid = arg;

    *tid = syscall(SYS_gettid);
    __atomic_store_n(&thread_ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&thread_stop, __ATOMIC_SEQ_CST)) {
        usleep(1000);
    }
    return NULL;
}

static void test_thread_signal(void)
{
    pthread_t t;
    pid_t tid = 0;

    signal(SIGUSR1, usr1);
    pthread_create(&t, NULL, sleeper, &tid);
    while (!__atomic_load_n(&thread_ready, __ATOMIC_SEQ_CST)) {
        usleep(100);
    }
    pthread_kill(t, SIGUSR1);
    while (!handler_tid) {
        usleep(100);
    }
    thread_stop = 1;
    pthread_join(t, NULL);
    printf("thread signal: ran on target %d, not main %d\n",
           handler_tid == tid, handler_tid != syscall(SYS_gettid));
}

/* A robust mutex whose owner exits: the next locker gets EOWNERDEAD. */
static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
    pthread_mutex_lock(&robust);
    return NULL;
}

static void test_robust(void)
{
    pthread_mutexattr_t a;
    pthread_t t;
    int r;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    r = pthread_mutex_lock(&robust);
    printf("robust: EOWNERDEAD %d\n", r == EOWNERDEAD);
    pthread_mutex_consistent(&robust);
    pthread_mutex_unlock(&robust);
}

/* Many short-lived threads (clone, set_tid_address, exit). */
static void *tiny(void *arg)
{
    return (void *)((long)arg * 2);
}

static void test_churn(void)
{
    long sum = 0;

    for (long i = 0; i < 200; i++) {
        pthread_t t;
        void *r;
        pthread_create(&t, NULL, tiny, (void *)i);
        pthread_join(t, &r);
        sum += (long)r;
    }
    printf("churn: sum %ld\n", sum);
}

/*
 * Several threads generating and running code at once: many small
 * blocks (enough to fill a small code buffer, so it is flushed while
 * other threads run) and code rewritten under them.
 */
static void *jit_worker(void *arg)
{
    long id = (long)arg, sum = 0;
    size_t size = 1 << 16;
    uint8_t *buf = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED) {
        return (void *)-1L;
    }
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < (int)(size / 16); i++) {
            /* mov eax, imm32; add rax, rdi; ret */
            uint8_t *p = buf + 16 * i;
            int32_t imm = i * 7 + round + (int)id;
            p[0] = 0xb8;
            memcpy(p + 1, &imm, 4);
            p[5] = 0x48;
            p[6] = 0x01;
            p[7] = 0xf8;
            p[8] = 0xc3;
        }
        for (int i = 0; i < (int)(size / 16); i++) {
            sum += ((long (*)(long))(buf + 16 * i))(round);
        }
    }
    munmap(buf, size);
    return (void *)sum;
}

static void test_jit_threads(void)
{
    pthread_t t[4];
    long total = 0;

    for (long i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, jit_worker, (void *)i);
    }
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long)r;
    }
    printf("code generated by 4 threads: %ld\n", total);
}

static void *exiter(void *arg)
{
    usleep(20000);
    printf("exit from a thread\n");
    fflush(stdout);
    exit(3);
}

int main(void)
{
    pthread_t t;

    test_counters();
    test_condvar();
    test_thread_signal();
    test_robust();
    test_churn();
    test_jit_threads();
    fflush(stdout);
    pthread_create(&t, NULL, exiter, NULL);
    for (;;) {
        pause();
    }
}
