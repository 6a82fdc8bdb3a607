/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux boot protocol loader (hw/i386/linux-boot.c): hand-made
 * bzImages for each rule and each bad input, and Debian's real kernel
 * (fetched by scripts/fetch-assets.sh; skipped when it cannot be).
 */
#include "ember/osdep.h"
#include <fcntl.h>
#include "boot-test-util.h"
#include "hw/i386/e820.h"
#include "hw/i386/linux-boot.h"
#include "hw/loader.h"

#define SETUP_SECTS 4
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)

typedef struct FakeBz {
    unsigned version;
    uint16_t xloadflags;
    bool relocatable;
    uint64_t pref;
    uint32_t init_size;
    uint32_t align;
    uint32_t initrd_max;
    uint32_t cmdline_size;
    size_t pm_size;
} FakeBz;

static const FakeBz bz64 = {
    .version = 0x20f, .xloadflags = LINUX_XLF_KERNEL_64 |
    LINUX_XLF_CAN_BE_LOADED_ABOVE_4G, .relocatable = true,
    .pref = 0x1000000, .init_size = 0x400000, .align = 0x200000,
    .initrd_max = 0x7fffffff, .cmdline_size = 2047, .pm_size = 0x10000,
};

static uint8_t *fake_bzimage(const FakeBz *f, size_t *size)
{
    uint8_t *k;

    *size = SETUP_SIZE + f->pm_size;
    k = g_malloc0(*size);
    k[LINUX_HDR_SETUP_SECTS] = SETUP_SECTS;
    stl_le_p(k + LINUX_HDR_SYSSIZE, f->pm_size / 16);
    stw_le_p(k + LINUX_HDR_VID_MODE, 0xffff);
    stw_le_p(k + LINUX_HDR_BOOT_FLAG, LINUX_BOOT_FLAG);
    k[LINUX_HDR_JUMP] = 0xeb;
    k[LINUX_HDR_JUMP + 1] = 0x6a;           /* header ends at 0x26c */
    stl_le_p(k + LINUX_HDR_HEADER, LINUX_HDR_MAGIC);
    stw_le_p(k + LINUX_HDR_VERSION, f->version);
    k[LINUX_HDR_LOADFLAGS] = LINUX_LOADED_HIGH;
    stl_le_p(k + LINUX_HDR_CODE32_START, 0x100000);
    stl_le_p(k + LINUX_HDR_INITRD_ADDR_MAX, f->initrd_max);
    stl_le_p(k + LINUX_HDR_KERNEL_ALIGNMENT, f->align);
    k[LINUX_HDR_RELOCATABLE] = f->relocatable;
    k[LINUX_HDR_MIN_ALIGNMENT] = 21;
    stw_le_p(k + LINUX_HDR_XLOADFLAGS, f->xloadflags);
    stl_le_p(k + LINUX_HDR_CMDLINE_SIZE, f->cmdline_size);
    stq_le_p(k + LINUX_HDR_PREF_ADDRESS, f->pref);
    stl_le_p(k + LINUX_HDR_INIT_SIZE, f->init_size);
    /* The sentinel byte is 0xff in real images; the loader must not
     * copy it into boot_params. */
    k[LINUX_BP_SENTINEL] = 0xff;
    for (size_t i = 0; i < f->pm_size; i++) {
        k[SETUP_SIZE + i] = (uint8_t)(i * 7 + 3);
    }
    return k;
}

/* A 4-level walk of the identity map (SDM 3A, 4.5); -1 if not mapped. */
static uint64_t pt_walk(uint64_t cr3, uint64_t va)
{
    uint64_t e = boot_test_ldq((cr3 & ~0xfffULL) + ((va >> 39) & 511) * 8);

    if (!(e & 1)) {
        return -1;
    }
    e = boot_test_ldq((e & 0xffffffffff000ULL) + ((va >> 30) & 511) * 8);
    if (!(e & 1)) {
        return -1;
    }
    if (e & 0x80) {
        return (e & 0xfffffc0000000ULL) | (va & (GiB - 1));
    }
    e = boot_test_ldq((e & 0xffffffffff000ULL) + ((va >> 21) & 511) * 8);
    if (!(e & 1) || !(e & 2)) {
        return -1;
    }
    if (e & 0x80) {
        return (e & 0xfffffffe00000ULL) | (va & (2 * MiB - 1));
    }
    e = boot_test_ldq((e & 0xffffffffff000ULL) + ((va >> 12) & 511) * 8);
    return (e & 1) ? (e & 0xffffffffff000ULL) | (va & 0xfff) : (uint64_t)-1;
}

/* What every 64-bit entry must look like (boot.rst, 64-bit protocol). */
static void check_entry64(const X86BootEntry *e, uint64_t load, hwaddr bp)
{
    CPUX86State env;
    uint64_t gdt_cs = boot_test_ldq(X86_BOOT_GDT_ADDR + 0x10);
    uint64_t gdt_ds = boot_test_ldq(X86_BOOT_GDT_ADDR + 0x18);
    uint64_t probes[] = { 0, 0x1000, bp, load, load + 0x200, 0x7fff123,
                          0xfee00000, 0xffffffffULL };

    g_assert_cmpint(e->mode, ==, X86_BOOT_MODE_LONG64);
    g_assert_cmphex(e->rip, ==, load + LINUX_ENTRY64_OFFSET);
    g_assert_cmphex(e->rsi, ==, bp);
    for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
        g_assert_cmphex(pt_walk(e->cr3, probes[i]), ==, probes[i]);
    }
    g_assert_cmphex(pt_walk(e->cr3, 4 * GiB), ==, (uint64_t)-1);
    /* GDT: 0x10 present 64-bit code (L=1, D=0), 0x18 present data. */
    g_assert_true(gdt_cs & (1ULL << 47));
    g_assert_true(gdt_cs & (1ULL << 53));
    g_assert_false(gdt_cs & (1ULL << 54));
    g_assert_cmphex((gdt_cs >> 40) & 0x1f, ==, 0x1b);
    g_assert_cmphex((gdt_ds >> 40) & 0x1f, ==, 0x13);

    boot_test_cpu(e, &env);
    g_assert_cmphex(env.cr[0] & (CR0_PE_MASK | CR0_PG_MASK), ==,
                    CR0_PE_MASK | CR0_PG_MASK);
    g_assert_true(env.cr[4] & CR4_PAE_MASK);
    g_assert_cmphex(env.efer & (MSR_EFER_LME | MSR_EFER_LMA), ==,
                    MSR_EFER_LME | MSR_EFER_LMA);
    g_assert_cmphex(env.cr[3], ==, X86_BOOT_PT_ADDR);
    g_assert_cmphex(env.segs[R_CS].selector, ==, 0x10);
    g_assert_true(env.segs[R_CS].flags & DESC_L_MASK);
    g_assert_false(env.segs[R_CS].flags & DESC_B_MASK);
    g_assert_cmphex(env.segs[R_DS].selector, ==, 0x18);
    g_assert_cmphex(env.segs[R_SS].selector, ==, 0x18);
    g_assert_cmphex(env.segs[R_ES].selector, ==, 0x18);
    g_assert_cmphex(env.gdt.base, ==, X86_BOOT_GDT_ADDR);
    g_assert_cmpuint(env.gdt.limit, >=, 0x1f);
    g_assert_true(env.hflags & HF_CS64_MASK);
    g_assert_true(env.hflags & HF_LMA_MASK);
    g_assert_false(cpu_compute_eflags(&env) & IF_MASK);
    g_assert_cmphex(env.regs[R_ESI], ==, bp);
    g_assert_cmphex(env.rip, ==, load + 0x200);
}

static void check_e820_copy(hwaddr bp)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);
    bool reserved_pt = false;

    g_assert_cmpuint(address_space_ldub(&address_space_memory,
                                        bp + LINUX_BP_E820_ENTRIES), ==, n);
    for (unsigned i = 0; i < n; i++) {
        hwaddr ent = bp + LINUX_BP_E820_TABLE + i * 20;
        g_assert_cmphex(boot_test_ldq(ent), ==, t[i].addr);
        g_assert_cmphex(boot_test_ldq(ent + 8), ==, t[i].size);
        g_assert_cmpuint(boot_test_ldl(ent + 16), ==, t[i].type);
        if (t[i].type == E820_RESERVED && t[i].addr <= X86_BOOT_GDT_ADDR &&
            t[i].addr + t[i].size >= X86_BOOT_PT_ADDR + X86_BOOT_PT_SIZE) {
            reserved_pt = true;
        }
    }
    g_assert_true(reserved_pt);
}

static void test_synthetic64(void)
{
    size_t size;
    g_autofree uint8_t *k = fake_bzimage(&bz64, &size);
    g_autofree uint8_t *ia = g_malloc(5000), *ib = g_malloc(3000);
    g_autofree char *fa = NULL, *fb = NULL, *initrd = NULL;
    g_autofree uint8_t *back = NULL;
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    hwaddr bp, cmd;
    uint64_t rd, rdsize;

    for (unsigned i = 0; i < 5000; i++) {
        ia[i] = i;
    }
    memset(ib, 0x5a, 3000);
    fa = boot_test_tmpfile("ia", ia, 5000);
    fb = boot_test_tmpfile("ib", ib, 3000);
    initrd = g_strdup_printf("%s,%s", fa, fb);

    boot_test_machine(128 * MiB);
    boot_test_fill(0x1000000, 0xee, 0x20000);
    boot_test_ctx(&ctx, "fake", k, size, initrd, "console=ttyS0 quiet");
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(ctx.protocol, ==, "linux");
    boot_test_reset();

    bp = X86_BOOT_INFO_ADDR;
    check_entry64(&ctx.entry, 0x1000000, bp);
    check_e820_copy(bp);

    /* The protected-mode kernel at pref_address, nothing more. */
    back = boot_test_read(0x1000000, bz64.pm_size + 1);
    g_assert_cmpmem(back, bz64.pm_size, k + SETUP_SIZE, bz64.pm_size);
    g_assert_cmpuint(back[bz64.pm_size], ==, 0xee);

    /* The setup header copied, the loader's fields filled in. */
    g_clear_pointer(&back, g_free);
    back = boot_test_read(bp, LINUX_BP_SIZE);
    g_assert_cmpmem(back + LINUX_HDR_HEADER, 4, "HdrS", 4);
    g_assert_cmphex(lduw_le_p(back + LINUX_HDR_VERSION), ==, 0x20f);
    g_assert_cmphex(lduw_le_p(back + LINUX_HDR_BOOT_FLAG), ==, 0xaa55);
    g_assert_cmphex(ldl_le_p(back + LINUX_HDR_KERNEL_ALIGNMENT), ==,
                    0x200000);
    g_assert_cmphex(ldl_le_p(back + LINUX_HDR_INIT_SIZE), ==, 0x400000);
    g_assert_cmphex(ldq_le_p(back + LINUX_HDR_PREF_ADDRESS), ==, 0x1000000);
    g_assert_cmphex(lduw_le_p(back + LINUX_HDR_XLOADFLAGS), ==,
                    bz64.xloadflags);
    g_assert_cmpuint(back[LINUX_HDR_TYPE_OF_LOADER], ==, 0xff);
    g_assert_cmpuint(back[LINUX_BP_SENTINEL], ==, 0);
    g_assert_cmphex(ldl_le_p(back + LINUX_HDR_CODE32_START), ==, 0x1000000);
    /* Nothing outside the header is taken from the image; screen_info
     * stays empty without a display hook. */
    for (unsigned i = 0; i < LINUX_BP_SCREEN_INFO_SIZE; i++) {
        g_assert_cmpuint(back[i], ==, 0);
    }
    for (unsigned i = 0x26c; i < LINUX_BP_E820_TABLE; i++) {
        g_assert_cmpuint(back[i], ==, 0);
    }
    g_assert_cmpuint(ldl_le_p(back + LINUX_BP_ALT_MEM_K), ==,
                     (128 * MiB - 1 * MiB) / KiB);

    /* The command line. */
    cmd = ldl_le_p(back + LINUX_HDR_CMD_LINE_PTR);
    g_assert_cmpuint(ldl_le_p(back + LINUX_BP_EXT_CMD_LINE_PTR), ==, 0);
    g_assert_cmphex(cmd, >=, X86_BOOT_INFO_ADDR);
    g_assert_cmphex(cmd, <, X86_BOOT_INFO_END);
    {
        g_autofree uint8_t *c = boot_test_read(cmd, 20);
        g_assert_cmpmem(c, 20, "console=ttyS0 quiet", 20);
    }

    /* The initrd: both files in a row (the second 4-byte aligned), high
     * in RAM, page aligned, above the kernel's init_size. */
    rd = ldl_le_p(back + LINUX_HDR_RAMDISK_IMAGE);
    rdsize = ldl_le_p(back + LINUX_HDR_RAMDISK_SIZE);
    g_assert_cmpuint(ldl_le_p(back + LINUX_BP_EXT_RAMDISK_IMAGE), ==, 0);
    g_assert_cmpuint(ldl_le_p(back + LINUX_BP_EXT_RAMDISK_SIZE), ==, 0);
    g_assert_cmpuint(rdsize, ==, ROUND_UP(5000, 4) + 3000);
    g_assert_cmphex(rd % 4096, ==, 0);
    g_assert_cmphex(rd + rdsize, <=, 128 * MiB);
    g_assert_cmphex(rd + rdsize, >, 128 * MiB - 4096);
    g_assert_cmphex(rd, >=, 0x1000000 + 0x400000);
    {
        g_autofree uint8_t *r = boot_test_read(rd, rdsize);
        g_assert_cmpmem(r, 5000, ia, 5000);
        g_assert_cmpmem(r + 5000, 3000, ib, 3000);
    }
}

static void test_initrd_max(void)
{
    FakeBz f = bz64;
    size_t size;
    g_autofree uint8_t *k = NULL;
    g_autofree uint8_t *rdata = g_malloc0(10000);
    g_autofree char *rd = boot_test_tmpfile("rd", rdata, 10000);
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    uint64_t at;

    f.initrd_max = 0x3ffffff;
    k = fake_bzimage(&f, &size);
    boot_test_machine(256 * MiB);
    boot_test_ctx(&ctx, "fake", k, size, rd, NULL);
    g_assert_true(x86_boot_load(&ctx, &err));
    boot_test_reset();
    at = boot_test_ldl(X86_BOOT_INFO_ADDR + LINUX_HDR_RAMDISK_IMAGE);
    g_assert_cmphex(at + 10000, <=, 0x4000000);
    g_assert_cmphex(at, ==, ROUND_DOWN(0x4000000 - 10000, 4096));
    /* No -append: an empty command line, still a valid pointer. */
    g_assert_cmpuint(address_space_ldub(&address_space_memory,
                     boot_test_ldl(X86_BOOT_INFO_ADDR +
                                   LINUX_HDR_CMD_LINE_PTR)), ==, 0);
}

static void test_entry32(void)
{
    for (int forced = 0; forced < 2; forced++) {
        FakeBz f = bz64;
        size_t size;
        g_autofree uint8_t *k = NULL;
        g_autoptr(GError) err = NULL;
        X86BootContext ctx;
        CPUX86State env;
        uint64_t gdt_cs;

        if (!forced) {
            f.version = 0x20a;      /* before xloadflags */
            f.xloadflags = 0;
        }
        k = fake_bzimage(&f, &size);
        boot_test_machine(64 * MiB);
        boot_test_ctx(&ctx, "fake", k, size, NULL, "x");
        ctx.linux_force_32bit = forced;
        g_assert_true(x86_boot_load(&ctx, &err));
        boot_test_reset();
        g_assert_cmpint(ctx.entry.mode, ==, X86_BOOT_MODE_PROTECTED32);
        g_assert_cmphex(ctx.entry.rip, ==, 0x1000000);
        g_assert_cmphex(ctx.entry.rsi, ==, X86_BOOT_INFO_ADDR);
        g_assert_null(rom_find("page tables"));
        gdt_cs = boot_test_ldq(X86_BOOT_GDT_ADDR + 0x10);
        g_assert_false(gdt_cs & (1ULL << 53));
        g_assert_true(gdt_cs & (1ULL << 54));
        boot_test_cpu(&ctx.entry, &env);
        g_assert_cmphex(env.cr[0] & (CR0_PE_MASK | CR0_PG_MASK), ==,
                        CR0_PE_MASK);
        g_assert_cmphex(env.efer, ==, 0);
        g_assert_cmphex(env.segs[R_CS].selector, ==, 0x10);
        g_assert_true(env.segs[R_CS].flags & DESC_B_MASK);
        g_assert_cmphex(env.segs[R_CS].limit, ==, 0xffffffff);
        g_assert_true(env.hflags & HF_CS32_MASK);
        g_assert_false(env.hflags & HF_LMA_MASK);
        /* ebp, edi, ebx zero (boot.rst, 32-bit protocol). */
        g_assert_cmphex(env.regs[R_EBP] | env.regs[R_EDI] | env.regs[R_EBX],
                        ==, 0);
        g_assert_cmphex(env.regs[R_ESI], ==, X86_BOOT_INFO_ADDR);
    }
}

static void test_relocate(void)
{
    size_t size;
    g_autofree uint8_t *k = fake_bzimage(&bz64, &size);
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    FakeBz f = bz64;
    g_autofree uint8_t *k2 = NULL;

    /* 16 MiB + init_size does not fit in 19 MiB: the lowest 2 MiB
     * boundary above 1 MiB does. */
    boot_test_machine(19 * MiB);
    boot_test_ctx(&ctx, "fake", k, size, NULL, NULL);
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_no_error(err);
    boot_test_reset();
    check_entry64(&ctx.entry, 0x200000, X86_BOOT_INFO_ADDR);
    g_assert_cmphex(boot_test_ldl(X86_BOOT_INFO_ADDR +
                                  LINUX_HDR_CODE32_START), ==, 0x200000);

    /* Too little RAM even so. */
    boot_test_machine(4 * MiB);
    boot_test_ctx(&ctx, "fake", k, size, NULL, NULL);
    g_assert_false(x86_boot_load(&ctx, &err));
    g_assert_nonnull(strstr(err->message, "init_size"));
    g_clear_error(&err);

    /* A kernel that is not relocatable must go to pref_address. */
    f.relocatable = false;
    k2 = fake_bzimage(&f, &size);
    boot_test_machine(19 * MiB);
    boot_test_ctx(&ctx, "fake", k2, size, NULL, NULL);
    g_assert_false(x86_boot_load(&ctx, &err));
    g_assert_nonnull(strstr(err->message, "0x1000000"));
    g_clear_error(&err);
    boot_test_machine(64 * MiB);
    boot_test_ctx(&ctx, "fake", k2, size, NULL, NULL);
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_cmphex(ctx.entry.rip, ==, 0x1000200);
}

/* Bad images: each fails with one message naming the problem. */
static void expect_fail(const uint8_t *k, size_t size, const char *initrd,
                        const char *cmdline, uint64_t ram, const char *msg)
{
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;

    boot_test_machine(ram);
    boot_test_ctx(&ctx, "bad.bz", k, size, initrd, cmdline);
    g_assert_false(x86_boot_load(&ctx, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, msg)) {
        g_error("message '%s' lacks '%s'", err->message, msg);
    }
    g_assert_null(strchr(err->message, '\n'));
}

static void test_bad(void)
{
    size_t size;
    g_autofree uint8_t *k = fake_bzimage(&bz64, &size);
    g_autofree uint8_t *c = g_memdup2(k, size);
    g_autofree char *long_cmd = g_strnfill(2048, 'x');
    g_autofree char *big = NULL;
    int fd;

    /* Setup header beyond the file end. */
    expect_fail(k, 0x230, NULL, NULL, 64 * MiB, "truncated bzImage: the "
                "setup header");
    /* Setup sectors beyond the file end. */
    c[LINUX_HDR_SETUP_SECTS] = 200;
    expect_fail(c, size, NULL, NULL, 64 * MiB, "setup code");
    memcpy(c, k, size);
    /* Kernel shorter than syssize says (a truncated download). */
    expect_fail(k, size - 4096, NULL, NULL, 64 * MiB,
                "truncated bzImage: the kernel is");
    /* Old protocol. */
    stw_le_p(c + LINUX_HDR_VERSION, 0x205);
    expect_fail(c, size, NULL, NULL, 64 * MiB, "too old");
    memcpy(c, k, size);
    /* Header too short for the version it claims. */
    c[LINUX_HDR_JUMP + 1] = 0x20;
    expect_fail(c, size, NULL, NULL, 64 * MiB, "too short");
    memcpy(c, k, size);
    stw_le_p(c + LINUX_HDR_BOOT_FLAG, 0x1234);
    expect_fail(c, size, NULL, NULL, 64 * MiB, "boot_flag");
    memcpy(c, k, size);
    c[LINUX_HDR_LOADFLAGS] = 0;
    expect_fail(c, size, NULL, NULL, 64 * MiB, "zImage");
    memcpy(c, k, size);
    stl_le_p(c + LINUX_HDR_KERNEL_ALIGNMENT, 0x3000);
    expect_fail(c, size, NULL, NULL, 64 * MiB, "kernel_alignment");
    memcpy(c, k, size);
    /* No magic at all. */
    stl_le_p(c + LINUX_HDR_HEADER, 0x12345678);
    expect_fail(c, size, NULL, NULL, 64 * MiB,
                "not a bzImage, PVH ELF or multiboot kernel");
    /* Command line longer than cmdline_size. */
    expect_fail(k, size, NULL, long_cmd, 64 * MiB, "-append");
    /* Missing initrd. */
    expect_fail(k, size, "/nonexistent/initrd", NULL, 64 * MiB,
                "-initrd: could not open '/nonexistent/initrd'");
    /* An initrd larger than the free RAM (a sparse 64 MiB file). */
    big = boot_test_tmpfile("big", "", 0);
    fd = open(big, O_WRONLY);
    g_assert_cmpint(ftruncate(fd, 64 * MiB), ==, 0);
    close(fd);
    expect_fail(k, size, big, NULL, 48 * MiB, "too large");
}

/* ------------------------------------------------------------------ */
/* Debian's kernel. */

static char *fetch_debian_kernel(void)
{
    const char *src = g_getenv("EMBER_SOURCE_ROOT");
    g_autofree char *script = NULL, *out = NULL, *errout = NULL;
    g_autoptr(GError) err = NULL;
    int status;

    if (!src) {
        return NULL;
    }
    script = g_build_filename(src, "scripts", "fetch-assets.sh", NULL);
    {
        /* Bounded: a slow first download must not time the test out;
         * a later run finds the cache. */
        char *argv[] = { "timeout", "90", "/bin/sh", script, "kernel",
                         NULL };
        if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                          &out, &errout, &status, &err) ||
            !g_spawn_check_wait_status(status, NULL)) {
            g_test_message("fetch-assets.sh: %s", errout ? errout : "");
            return NULL;
        }
    }
    g_strchomp(out);
    return g_file_test(out, G_FILE_TEST_IS_REGULAR) ? g_strdup(out) : NULL;
}

static void test_debian(void)
{
    g_autofree char *path = fetch_debian_kernel();
    g_autofree uint8_t *k = NULL, *bp = NULL, *r = NULL;
    g_autofree char *rd = NULL;
    g_autoptr(GError) err = NULL;
    static uint8_t rdata[123457];
    size_t size;
    X86BootContext ctx;
    unsigned hdr_end, setup_size;
    uint64_t load, init_size, ramdisk, cmd;
    const char *cmdline = "console=ttyS0 panic=-1 rdinit=/init";

    if (!path) {
        g_test_skip("Debian's kernel is not available (offline?)");
        return;
    }
    g_assert_true(load_file(path, false, 1 * GiB, &k, &size, &err));
    for (unsigned i = 0; i < sizeof(rdata); i++) {
        rdata[i] = i * 31;
    }
    rd = boot_test_tmpfile("drd", rdata, sizeof(rdata));
    boot_test_machine(512 * MiB);
    boot_test_ctx(&ctx, path, k, size, rd, cmdline);
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_no_error(err);
    boot_test_reset();

    /* A modern kernel: 64-bit entry, relocatable, loaded at pref. */
    g_assert_cmphex(lduw_le_p(k + LINUX_HDR_VERSION), >=, 0x20c);
    g_assert_true(lduw_le_p(k + LINUX_HDR_XLOADFLAGS) & LINUX_XLF_KERNEL_64);
    load = ldq_le_p(k + LINUX_HDR_PREF_ADDRESS);
    init_size = ldl_le_p(k + LINUX_HDR_INIT_SIZE);
    g_assert_cmphex(load % ldl_le_p(k + LINUX_HDR_KERNEL_ALIGNMENT), ==, 0);
    check_entry64(&ctx.entry, load, X86_BOOT_INFO_ADDR);
    check_e820_copy(X86_BOOT_INFO_ADDR);

    /* Header copied byte for byte except what the loader sets. */
    bp = boot_test_read(X86_BOOT_INFO_ADDR, LINUX_BP_SIZE);
    hdr_end = 0x202 + k[0x201];
    for (unsigned i = LINUX_HDR_START; i < hdr_end; i++) {
        bool loader_field =
            i == LINUX_HDR_TYPE_OF_LOADER ||
            (i >= LINUX_HDR_CODE32_START && i < LINUX_HDR_RAMDISK_SIZE + 4) ||
            (i >= LINUX_HDR_CMD_LINE_PTR && i < LINUX_HDR_CMD_LINE_PTR + 4) ||
            (i >= LINUX_HDR_SETUP_DATA && i < LINUX_HDR_SETUP_DATA + 8);
        if (!loader_field && bp[i] != k[i]) {
            g_error("boot_params byte 0x%x: 0x%02x, image has 0x%02x", i,
                    bp[i], k[i]);
        }
    }
    g_assert_cmpuint(bp[LINUX_HDR_TYPE_OF_LOADER], ==, 0xff);
    g_assert_cmphex(ldl_le_p(bp + LINUX_HDR_CODE32_START), ==, load);
    g_assert_cmpuint(bp[LINUX_BP_SENTINEL], ==, 0);

    /* The kernel's protected-mode part at the load address. */
    setup_size = ((k[LINUX_HDR_SETUP_SECTS] ? k[LINUX_HDR_SETUP_SECTS] : 4)
                  + 1) * 512;
    r = boot_test_read(load, size - setup_size);
    g_assert_true(memcmp(r, k + setup_size, size - setup_size) == 0);
    g_clear_pointer(&r, g_free);

    cmd = ldl_le_p(bp + LINUX_HDR_CMD_LINE_PTR);
    r = boot_test_read(cmd, strlen(cmdline) + 1);
    g_assert_cmpstr((char *)r, ==, cmdline);
    g_assert_cmpuint(strlen(cmdline), <=,
                     ldl_le_p(k + LINUX_HDR_CMDLINE_SIZE));
    g_clear_pointer(&r, g_free);

    ramdisk = ldl_le_p(bp + LINUX_HDR_RAMDISK_IMAGE);
    g_assert_cmpuint(ldl_le_p(bp + LINUX_HDR_RAMDISK_SIZE), ==, sizeof(rdata));
    g_assert_cmphex(ramdisk % 4096, ==, 0);
    g_assert_cmphex(ramdisk, >=, load + init_size);
    g_assert_cmphex(ramdisk + sizeof(rdata), <=,
                    MIN(512 * MiB,
                        (uint64_t)ldl_le_p(k + LINUX_HDR_INITRD_ADDR_MAX) + 1));
    r = boot_test_read(ramdisk, sizeof(rdata));
    g_assert_cmpmem(r, sizeof(rdata), rdata, sizeof(rdata));

    /* The 32-bit entry works for it too. */
    boot_test_machine(512 * MiB);
    boot_test_ctx(&ctx, path, k, size, NULL, NULL);
    ctx.linux_force_32bit = true;
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_cmpint(ctx.entry.mode, ==, X86_BOOT_MODE_PROTECTED32);
    g_assert_cmphex(ctx.entry.rip, ==, load);

    /* The whole init_size must fit, even at the lowest 2 MiB boundary. */
    boot_test_machine(init_size + 2 * MiB - 1);
    boot_test_ctx(&ctx, path, k, size, NULL, NULL);
    g_assert_false(x86_boot_load(&ctx, &err));
    g_assert_nonnull(strstr(err->message, "init_size"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/linux-boot/synthetic/64", test_synthetic64);
    g_test_add_func("/linux-boot/synthetic/initrd-max", test_initrd_max);
    g_test_add_func("/linux-boot/synthetic/32", test_entry32);
    g_test_add_func("/linux-boot/synthetic/relocate", test_relocate);
    g_test_add_func("/linux-boot/bad", test_bad);
    g_test_add_func("/linux-boot/debian", test_debian);
    return g_test_run();
}
