/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bare-metal guest library: what a test guest needs and nothing more.
 *
 * A guest is a multiboot kernel (see docs/testing-guests.md). The library
 * enters it at guest_main() with COM1 initialised; the guest reports
 * with report() ("PASS: ..." / "FAIL: ..." lines on COM1) and returns;
 * the library then prints a summary and leaves through isa-debug-exit:
 *
 *   write GUEST_EXIT_PASS (0x10) to port 0xf4 -> Ember exits with 33
 *   write GUEST_EXIT_FAIL (0x11)               -> 35
 *   write GUEST_EXIT_SKIP (0x12)               -> 37 (nothing to test here)
 *
 * (isa-debug-exit turns a write of v into exit status (v << 1) | 1.) The
 * values avoid 0 (a guest that shut down or triple-faulted under
 * -no-reboot), 1 (Ember's own start-up errors) and 128+n (signals), so the
 * runner can tell a verdict from an accident. Without isa-debug-exit the
 * guest triple-faults, which -no-reboot turns into exit status 0.
 *
 * Guests for KVM on a slow nested host must be tiny and must not use
 * INT n or IRET (see docs/testing-guests.md); the library uses neither.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_EXIT_PORT     0xf4
#define GUEST_EXIT_PASS     0x10
#define GUEST_EXIT_FAIL     0x11
#define GUEST_EXIT_SKIP     0x12
#define COM1                0x3f8
#define GUEST_MAX_CPUS      16

#define noreturn _Noreturn
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The guest's entry point, called on the boot CPU. */
void guest_main(void);

/* ---- ports and memory ---- */

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* MMIO: one access of exactly the given width. */
static inline uint8_t readb(uintptr_t a)
{
    return *(volatile uint8_t *)a;
}
static inline uint16_t readw(uintptr_t a)
{
    return *(volatile uint16_t *)a;
}
static inline uint32_t readl(uintptr_t a)
{
    return *(volatile uint32_t *)a;
}
static inline void writeb(uintptr_t a, uint8_t v)
{
    *(volatile uint8_t *)a = v;
}
static inline void writew(uintptr_t a, uint16_t v)
{
    *(volatile uint16_t *)a = v;
}
static inline void writel(uintptr_t a, uint32_t v)
{
    *(volatile uint32_t *)a = v;
}
/* 64-bit accesses as one instruction, also in 32-bit guests (MOVQ would
 * need SSE; CMPXCHG8B is atomic but writes; two halves are not one
 * access). In 32-bit guests these are two 32-bit accesses. */
uint64_t readq(uintptr_t a);
void writeq(uintptr_t a, uint64_t v);

/* ---- CPU ---- */

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
                         uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                     : "a"(leaf), "c"(sub));
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline unsigned long read_cr0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
static inline unsigned long read_cr4(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}
static inline void halt_forever(void)
{
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}
static inline unsigned atomic_inc(volatile unsigned *p)
{
    unsigned v = 1;
    __asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}
/* Is the guest running in 64-bit mode (built with bits: 64)? */
static inline bool guest_is_64bit(void)
{
    return sizeof(void *) == 8;
}

/* ---- output and verdicts ---- */

void serial_init(void);
void putchar_serial(char c);
void puts_serial(const char *s);
int printf(const char *fmt, ...) PRINTF_FMT(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_FMT(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* "PASS: msg" or "FAIL: msg"; returns ok. The PASS lines must be the same
 * under every accelerator: put varying values on "INFO:" lines. */
bool report(bool ok, const char *fmt, ...) PRINTF_FMT(2, 3);
void report_skip(const char *fmt, ...) PRINTF_FMT(1, 2);
void report_info(const char *fmt, ...) PRINTF_FMT(1, 2);
unsigned report_failures(void);
/* Print "SUMMARY: ..." and exit with the verdict. */
noreturn void report_done(void);
/* Leave through isa-debug-exit with one of GUEST_EXIT_*. */
noreturn void guest_exit(uint8_t code);

/* ---- the boot information ---- */

/* Multiboot information (Multiboot 0.6.96, 3.3). */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe[6];
} __attribute__((packed));

struct multiboot_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

extern uint32_t multiboot_magic;
extern struct multiboot_info *multiboot_info;
/* The command line (kernel path, then -append), or "". */
const char *guest_cmdline(void);
/* "key=N" on the command line, or def. */
long cmdline_int(const char *key, long def);

/* ---- several CPUs ---- */

/* This CPU's local APIC ID (CPUID leaf 1, EBX[31:24]). */
unsigned cpu_apic_id(void);
/*
 * Start the application processors with INIT-SIPI-SIPI through the local
 * APIC (all-excluding-self shorthand) and a real-mode trampoline at
 * 0x8000 (SIPI vector 0x08). Each AP runs fn(index) on its own stack,
 * index 1..n-1 in arrival order, then halts. Waits until n - 1 APs have
 * arrived or a bounded wait ends; returns the number that arrived.
 * Only 32-bit guests (bits: 32).
 */
unsigned smp_start_aps(unsigned ncpus, void (*fn)(unsigned index));
/* Send INIT and both SIPIs back to back, without the pauses hardware
 * wants (a CPU must still start at the SIPI's vector). */
extern bool smp_no_pause;

/* ---- libc bits the compiler may call ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *h, const char *n);

#endif
