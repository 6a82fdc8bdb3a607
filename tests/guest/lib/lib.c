/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest library: COM1 output, printf, verdicts, the command line,
 * and the C start after the assembly entry (entry32.S / entry64.S).
 */
#include "guest.h"

uint32_t multiboot_magic;
struct multiboot_info *multiboot_info;

static unsigned passes, failures, skips;

/* ---- COM1 (16550A: THR/RBR 0, IER 1, FCR 2, LCR 3, MCR 4, LSR 5) ---- */

void serial_init(void)
{
    outb(COM1 + 1, 0x00);       /* no interrupts */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x01);       /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0x07);       /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03);       /* DTR, RTS */
}

void putchar_serial(char c)
{
    /* Wait for THRE (LSR bit 5), boundedly: a missing UART reads 0xff. */
    for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++) {
        cpu_relax();
    }
    outb(COM1, c);
}

void puts_serial(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            putchar_serial('\r');
        }
        putchar_serial(*s++);
    }
}

/* ---- formatting ---- */

typedef struct Out {
    char *buf;
    size_t size, len;
} Out;

static void out_c(Out *o, char c)
{
    if (o->buf && o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void out_num(Out *o, uint64_t v, unsigned base, bool upper, bool neg,
                    int width, char pad, bool left)
{
    char tmp[24];
    int n = 0, len;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    /* 32-bit division while it fits: the 64-bit kind is a slow library
     * call in 32-bit guests. */
    while (v > 0xffffffffu) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    {
        uint32_t w = v;
        do {
            tmp[n++] = digits[w % base];
            w /= base;
        } while (w);
    }
    if (neg) {
        if (pad == '0') {
            out_c(o, '-');
        } else {
            tmp[n++] = '-';
        }
        width--;
    }
    len = n;
    if (!left) {
        for (int i = len; i < width; i++) {
            out_c(o, pad);
        }
    }
    while (n) {
        out_c(o, tmp[--n]);
    }
    if (left) {
        for (int i = len; i < width; i++) {
            out_c(o, ' ');
        }
    }
}

static void format(Out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        int width = 0, lng = 0;
        char pad = ' ';
        bool left = false;
        uint64_t u;
        int64_t s;

        if (*fmt != '%') {
            out_c(o, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == '-') {
            left = true;
            fmt++;
        }
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z') {
            lng += *fmt == 'z' ? (sizeof(size_t) == 8 ? 2 : 0) : 1;
            fmt++;
        }
        if (lng == 1 && sizeof(long) == 8) {
            lng = 2;
        }
        switch (*fmt) {
        case 'd':
        case 'i':
            s = lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            out_num(o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, false, s < 0,
                    width, pad, left);
            break;
        case 'u':
        case 'x':
        case 'X':
            u = lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            out_num(o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width,
                    pad, left);
            break;
        case 'p':
            out_c(o, '0');
            out_c(o, 'x');
            out_num(o, (uintptr_t)va_arg(ap, void *), 16, false, false,
                    width, pad, left);
            break;
        case 'c':
            out_c(o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            int n = 0;
            if (!str) {
                str = "(null)";
            }
            if (!left) {
                for (int i = strlen(str); i < width; i++) {
                    out_c(o, ' ');
                }
            }
            while (*str) {
                out_c(o, *str++);
                n++;
            }
            for (; left && n < width; n++) {
                out_c(o, ' ');
            }
            break;
        }
        case '%':
            out_c(o, '%');
            break;
        case 0:
            return;
        default:
            out_c(o, '%');
            out_c(o, *fmt);
        }
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    Out o = { buf, size, 0 };

    format(&o, fmt, ap);
    if (buf && size) {
        buf[o.len < size ? o.len : size - 1] = 0;
    }
    return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    puts_serial(buf);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* ---- verdicts ---- */

static void report_line(const char *tag, const char *fmt, va_list ap)
{
    char buf[200];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    printf("%s: %s\n", tag, buf);
}

bool report(bool ok, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_line(ok ? "PASS" : "FAIL", fmt, ap);
    va_end(ap);
    if (ok) {
        passes++;
    } else {
        failures++;
    }
    return ok;
}

void report_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_line("SKIP", fmt, ap);
    va_end(ap);
    skips++;
}

void report_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_line("INFO", fmt, ap);
    va_end(ap);
}

unsigned report_failures(void)
{
    return failures;
}

noreturn void guest_exit(uint8_t code)
{
    outb(GUEST_EXIT_PORT, code);
    /*
     * Still here: no isa-debug-exit. Triple-fault (an empty IDT and an
     * exception), which -no-reboot turns into an exit with status 0.
     */
    {
        struct __attribute__((packed)) { uint16_t limit; uintptr_t base; }
            idt = { 0, 0 };
        __asm__ volatile("lidt %0; ud2" : : "m"(idt));
    }
    halt_forever();
    __builtin_unreachable();
}

noreturn void report_done(void)
{
    printf("SUMMARY: %u passed, %u failed, %u skipped\n", passes, failures,
           skips);
    if (failures) {
        guest_exit(GUEST_EXIT_FAIL);
    }
    guest_exit(passes ? GUEST_EXIT_PASS : GUEST_EXIT_SKIP);
}

/* ---- boot information ---- */

const char *guest_cmdline(void)
{
    if (multiboot_info && (multiboot_info->flags & (1 << 2)) &&
        multiboot_info->cmdline) {
        return (const char *)(uintptr_t)multiboot_info->cmdline;
    }
    return "";
}

long cmdline_int(const char *key, long def)
{
    const char *c = guest_cmdline();
    size_t kl = strlen(key);

    for (const char *p = c; (p = strstr(p, key)); p++) {
        long v = 0;
        bool any = false;

        if ((p != c && p[-1] != ' ') || p[kl] != '=') {
            continue;
        }
        for (p += kl + 1; *p >= '0' && *p <= '9'; p++) {
            v = v * 10 + (*p - '0');
            any = true;
        }
        return any ? v : def;
    }
    return def;
}

/* ---- memory ---- */

uint64_t readq(uintptr_t a)
{
#ifdef __x86_64__
    return *(volatile uint64_t *)a;
#else
    uint32_t lo = readl(a), hi = readl(a + 4);
    return (uint64_t)hi << 32 | lo;
#endif
}

void writeq(uintptr_t a, uint64_t v)
{
#ifdef __x86_64__
    *(volatile uint64_t *)a = v;
#else
    writel(a, (uint32_t)v);
    writel(a + 4, (uint32_t)(v >> 32));
#endif
}

void *memset(void *s, int c, size_t n)
{
    uint8_t *p = s;

    while (n--) {
        *p++ = c;
    }
    return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *a = d;
    const uint8_t *b = s;

    while (n--) {
        *a++ = *b++;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (; n; n--, x++, y++) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a) {
            return (uint8_t)*a - (uint8_t)*b;
        }
    }
    return 0;
}

char *strstr(const char *h, const char *n)
{
    size_t l = strlen(n);

    for (; *h; h++) {
        if (!strncmp(h, n, l)) {
            return (char *)h;
        }
    }
    return l ? NULL : (char *)h;
}

/* ---- start ---- */

/* Called by the assembly entries on the boot CPU's stack. */
noreturn void guest_c_start(uint32_t magic, uint32_t info);
noreturn void guest_c_run(void);

/* Any protocol: the entry saved what it was handed. */
noreturn void guest_c_run(void)
{
    serial_init();
    guest_main();
    report_done();
}

/* Multiboot (entry32.S, entry64.S). */
noreturn void guest_c_start(uint32_t magic, uint32_t info)
{
    multiboot_magic = magic;
    multiboot_info = (struct multiboot_info *)(uintptr_t)info;
    if (magic != 0x2badb002) {
        serial_init();
        report(false, "multiboot magic in EAX is 0x%x, not 0x2badb002",
               magic);
        report_done();
    }
    guest_c_run();
}
