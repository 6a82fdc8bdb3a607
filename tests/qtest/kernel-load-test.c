/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -kernel, -initrd and -append through the real machine (under qtest):
 * what pc_load_kernel() leaves in guest memory after the start-up reset,
 * and that a machine reset writes it again after the guest overwrote it.
 * The loaders' details are unit-tested in tests/unit/test-*boot*.c; this
 * checks the wiring (rom blobs, reset handlers, the machine's e820 map).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "libqtest.h"

static GPtrArray *tmpfiles;

static char *tmpfile_with(const char *name, const void *data, size_t size)
{
    g_autofree char *tmpl = g_strdup_printf("ember-%s-XXXXXX", name);
    char *path = NULL;
    int fd = g_file_open_tmp(tmpl, &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, data, size), ==, (ssize_t)size);
    close(fd);
    g_ptr_array_add(tmpfiles, g_strdup(path));
    return path;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

/*
 * A multiboot ELF32: one PT_LOAD of 0x200 bytes from file offset 0x100 at
 * 1 MiB, 0x1000 bytes in memory (the rest is bss); the header at its
 * start (Multiboot 0.6.96, 3.1; ELF gABI for the headers).
 */
static uint8_t *multiboot_elf(size_t *size)
{
    uint8_t *f = g_malloc0(0x300);

    memcpy(f, "\x7f" "ELF\x01\x01\x01", 7);
    put16(f + 16, 2);                   /* ET_EXEC */
    put16(f + 18, 3);                   /* EM_386 */
    put32(f + 20, 1);
    put32(f + 24, 0x100040);            /* entry */
    put32(f + 28, 52);                  /* phoff */
    put16(f + 40, 52);
    put16(f + 42, 32);
    put16(f + 44, 1);
    put32(f + 52, 1);                   /* PT_LOAD */
    put32(f + 56, 0x100);               /* offset */
    put32(f + 60, 0x100000);            /* vaddr */
    put32(f + 64, 0x100000);            /* paddr */
    put32(f + 68, 0x200);               /* filesz */
    put32(f + 72, 0x1000);              /* memsz */
    put32(f + 76, 7);
    put32(f + 0x100, 0x1badb002);
    put32(f + 0x104, 0);
    put32(f + 0x108, -0x1badb002);
    for (int i = 0x10c; i < 0x300; i++) {
        f[i] = i & 0xff;
    }
    *size = 0x300;
    return f;
}

static void test_multiboot(void)
{
    size_t size;
    g_autofree uint8_t *k = multiboot_elf(&size);
    g_autofree char *kpath = tmpfile_with("mbk", k, size);
    g_autofree char *mpath = tmpfile_with("mod", "module!", 7);
    QTestState *s = qtest_startf("-m 64 -kernel %s -initrd '%s x=1' "
                                 "-append 'hello world'", kpath, mpath);
    uint8_t buf[0x200];
    char str[256];
    uint32_t mbi = 0x9000, mods, flags;
    g_autofree char *want = NULL;

    /* The segment at 1 MiB, its bss zeroed. */
    qtest_memread(s, 0x100000, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), k + 0x100, 0x200);
    g_assert_cmphex(qtest_readl(s, 0x100ffc), ==, 0);

    /* The information block: memory, cmdline, module, name, mmap. */
    flags = qtest_readl(s, mbi);
    g_assert_cmphex(flags & 0x24d, ==, 0x24d);
    g_assert_cmpuint(qtest_readl(s, mbi + 4), ==, 639);
    g_assert_cmpuint(qtest_readl(s, mbi + 8), ==, 63 * 1024);
    qtest_memread(s, qtest_readl(s, mbi + 16), str, sizeof(str));
    want = g_strdup_printf("%s hello world", kpath);
    g_assert_cmpstr(str, ==, want);
    g_assert_cmpuint(qtest_readl(s, mbi + 20), ==, 1);
    mods = qtest_readl(s, mbi + 24);
    g_assert_cmphex(qtest_readl(s, mods), ==, 0x101000);
    g_assert_cmphex(qtest_readl(s, mods + 4), ==, 0x101007);
    qtest_memread(s, 0x101000, str, 7);
    g_assert_cmpmem(str, 7, "module!", 7);
    qtest_memread(s, qtest_readl(s, mods + 8), str, sizeof(str));
    g_free(want);
    want = g_strdup_printf("%s x=1", mpath);
    g_assert_cmpstr(str, ==, want);
    qtest_memread(s, qtest_readl(s, mbi + 64), str, 6);
    g_assert_cmpstr(str, ==, "ember");
    g_assert_cmpuint(qtest_readl(s, mbi + 44) % 24, ==, 0);
    g_assert_cmpuint(qtest_readl(s, mbi + 44), >=, 2 * 24);

    /* The guest overwrites its kernel, its info and its module; a
     * machine reset brings them all back. */
    qtest_memset(s, 0x100000, 0xcc, 0x1000);
    qtest_memset(s, 0x101000, 0xcc, 7);
    qtest_memset(s, mbi, 0xcc, 0x100);
    g_free(qtest_command(s, "system_reset"));
    qtest_memread(s, 0x100000, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), k + 0x100, 0x200);
    g_assert_cmphex(qtest_readl(s, 0x100ffc), ==, 0);
    g_assert_cmphex(qtest_readl(s, mbi), ==, flags);
    qtest_memread(s, 0x101000, str, 7);
    g_assert_cmpmem(str, 7, "module!", 7);
    qtest_quit(s);
}

/* A minimal bzImage (boot protocol 2.15, XLF_KERNEL_64, relocatable). */
static uint8_t *bzimage(size_t *size)
{
    const size_t setup = 5 * 512, pm = 0x4000;
    uint8_t *k = g_malloc0(setup + pm);

    k[0x1f1] = 4;                       /* setup_sects */
    put32(k + 0x1f4, pm / 16);          /* syssize */
    put16(k + 0x1fe, 0xaa55);
    k[0x201] = 0x6a;                    /* header ends at 0x26c */
    memcpy(k + 0x202, "HdrS", 4);
    put16(k + 0x206, 0x20f);
    k[0x211] = 1;                       /* LOADED_HIGH */
    put32(k + 0x22c, 0x7fffffff);       /* initrd_addr_max */
    put32(k + 0x230, 0x200000);         /* kernel_alignment */
    k[0x234] = 1;                       /* relocatable */
    put16(k + 0x236, 1);                /* XLF_KERNEL_64 */
    put32(k + 0x238, 255);              /* cmdline_size */
    put32(k + 0x258, 0x1000000);        /* pref_address */
    put32(k + 0x260, 0x100000);         /* init_size */
    for (size_t i = 0; i < pm; i++) {
        k[setup + i] = i * 13;
    }
    *size = setup + pm;
    return k;
}

static void test_linux(void)
{
    size_t size;
    g_autofree uint8_t *k = bzimage(&size);
    g_autofree char *kpath = tmpfile_with("bz", k, size);
    g_autofree char *rpath = tmpfile_with("rd", "initrd-bytes", 12);
    QTestState *s = qtest_startf("-m 128 -kernel %s -initrd %s "
                                 "-append console=ttyS0", kpath, rpath);
    uint32_t bp = 0x9000, rd;
    unsigned n;
    bool pt_reserved = false, high_ram = false;
    uint8_t buf[0x4000];
    char str[32];

    qtest_memread(s, 0x1000000, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), k + 5 * 512, 0x4000);
    g_assert_cmphex(qtest_readl(s, bp + 0x202), ==, 0x53726448);
    g_assert_cmphex(qtest_readb(s, bp + 0x210), ==, 0xff);
    qtest_memread(s, qtest_readl(s, bp + 0x228), str, sizeof(str));
    g_assert_cmpstr(str, ==, "console=ttyS0");
    rd = qtest_readl(s, bp + 0x218);
    g_assert_cmpuint(qtest_readl(s, bp + 0x21c), ==, 12);
    g_assert_cmphex(rd & 0xfff, ==, 0);
    g_assert_cmphex(rd + 12, <=, 128 << 20);
    qtest_memread(s, rd, str, 12);
    g_assert_cmpmem(str, 12, "initrd-bytes", 12);

    /* The machine's e820 map, with the page tables reserved. */
    n = qtest_readb(s, bp + 0x1e8);
    g_assert_cmpuint(n, >=, 3);
    for (unsigned i = 0; i < n; i++) {
        uint32_t e = bp + 0x2d0 + i * 20;
        uint64_t addr = qtest_readq(s, e), len = qtest_readq(s, e + 8);
        uint32_t type = qtest_readl(s, e + 16);

        if (type == 2 && addr <= 0x2000 && addr + len >= 0x8000) {
            pt_reserved = true;
        }
        if (type == 1 && addr <= 0x1000000 && addr + len == 128 << 20) {
            high_ram = true;
        }
    }
    g_assert_true(pt_reserved);
    g_assert_true(high_ram);

    /* Identity page tables: PML4[0] -> PDPT -> PD, 2 MiB pages. */
    g_assert_cmphex(qtest_readq(s, 0x2000) & ~0xfffull, ==, 0x3000);
    g_assert_cmphex(qtest_readq(s, 0x3000 + 3 * 8) & ~0xfffull, ==, 0x7000);
    g_assert_cmphex(qtest_readq(s, 0x4000 + 8 * 8), ==, (8ull << 21) | 0x83);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    tmpfiles = g_ptr_array_new_with_free_func(g_free);
    g_test_add_func("/kernel-load/multiboot", test_multiboot);
    g_test_add_func("/kernel-load/linux", test_linux);
    r = g_test_run();
    for (unsigned i = 0; i < tmpfiles->len; i++) {
        g_unlink(g_ptr_array_index(tmpfiles, i));
    }
    return r;
}
