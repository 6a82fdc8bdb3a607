/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PVH loading (hw/i386/pvh.c) from hand-made ELF images. */
#include "ember/osdep.h"
#include "boot-test-util.h"
#include "hw/i386/e820.h"
#include "hw/i386/pvh.h"
#include "hw/loader.h"

/* An ELF64 kernel like Linux's vmlinux: code at 16 MiB (virtual in the
 * kernel map), a bss, and a PT_NOTE with the Xen notes. */
static uint8_t *pvh_elf(const void *entry, uint32_t entrysz, uint32_t type,
                        uint64_t paddr, size_t *size)
{
    TestElf *e = test_elf_new(true, ELF_EM_X86_64, 0xffffffff81000000ULL);
    g_autoptr(GByteArray) other = test_elf_note("Xen", 6, "linux", 5);
    g_autoptr(GByteArray) note = test_elf_note(PVH_NOTE_NAME, type, entry,
                                               entrysz);
    g_autoptr(GByteArray) notes = g_byte_array_new();
    uint8_t code[128];
    uint8_t *f;

    for (unsigned i = 0; i < sizeof(code); i++) {
        code[i] = 0xf4;
    }
    g_byte_array_append(notes, other->data, other->len);
    g_byte_array_append(notes, note->data, note->len);
    test_elf_add(e, ELF_PT_LOAD, paddr, 0xffffffff81000000ULL, code,
                 sizeof(code), 0x10000);
    test_elf_add(e, ELF_PT_NOTE, 0, 0, notes->data, notes->len, notes->len);
    f = test_elf_build(e, size);
    test_elf_free(e);
    return f;
}

static void put_rsdp(hwaddr at)
{
    uint8_t rsdp[20] = "RSD PTR ";
    uint8_t sum = 0;

    rsdp[15] = 0;       /* revision */
    for (int i = 0; i < 20; i++) {
        sum += rsdp[i];
    }
    rsdp[8] = -sum;     /* checksum */
    address_space_write_rom(&address_space_memory, at, rsdp, sizeof(rsdp));
}

static void test_note(void)
{
    uint64_t e64 = 0x1000040, got;
    uint32_t e32 = 0x2000080;
    size_t size;
    g_autofree uint8_t *f8 = pvh_elf(&e64, 8, XEN_ELFNOTE_PHYS32_ENTRY,
                                     0x1000000, &size);
    g_autofree uint8_t *f4 = NULL, *fo = NULL;

    g_assert_true(pvh_probe(f8, size));
    g_assert_true(pvh_find_entry(f8, size, &got));
    g_assert_cmphex(got, ==, e64);
    f4 = pvh_elf(&e32, 4, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000000, &size);
    g_assert_true(pvh_find_entry(f4, size, &got));
    g_assert_cmphex(got, ==, e32);
    /* Another Xen note type only: not PVH. */
    fo = pvh_elf(&e32, 4, 17, 0x1000000, &size);
    g_assert_false(pvh_probe(fo, size));
    g_assert_false(pvh_find_entry(fo, size, &got));
    g_assert_false(pvh_probe((const uint8_t *)"MZ\0\0", 4));
}

static void test_load(void)
{
    uint64_t entry = 0x1000040;
    size_t size;
    g_autofree uint8_t *f = pvh_elf(&entry, 8, XEN_ELFNOTE_PHYS32_ENTRY,
                                    0x1000000, &size);
    g_autofree uint8_t *r1 = g_malloc(20000), *back = NULL;
    g_autofree char *p1 = NULL, *p2 = NULL, *mods = NULL;
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    CPUX86State env;
    hwaddr si = X86_BOOT_INFO_ADDR, ml, mm;
    const E820Entry *t;
    unsigned n;
    uint64_t m0, m1;

    memset(r1, 0x77, 20000);
    p1 = boot_test_tmpfile("pr1", r1, 20000);
    p2 = boot_test_tmpfile("pr2", "mod2", 4);
    mods = g_strdup_printf("%s,%s root=x", p1, p2);
    boot_test_machine(128 * MiB);
    put_rsdp(0xf5a30);
    boot_test_fill(0x1000000, 0xcc, 0x11000);
    boot_test_ctx(&ctx, "vmlinux", f, size, mods, "console=ttyS0");
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(ctx.protocol, ==, "pvh");
    boot_test_reset();

    /* The entry state (pvh.pandoc, "x86/HVM and x86/PVH"). */
    g_assert_cmpint(ctx.entry.mode, ==, X86_BOOT_MODE_PROTECTED32);
    boot_test_cpu(&ctx.entry, &env);
    g_assert_cmphex(env.rip, ==, entry);
    g_assert_cmphex(env.regs[R_EBX], ==, si);
    g_assert_cmphex(env.cr[0], ==, CR0_PE_MASK | CR0_ET_MASK);
    g_assert_cmphex(env.cr[4], ==, 0);
    g_assert_cmphex(env.segs[R_CS].base, ==, 0);
    g_assert_cmphex(env.segs[R_CS].limit, ==, 0xffffffff);
    g_assert_true(env.segs[R_CS].flags & DESC_B_MASK);
    g_assert_cmphex(env.segs[R_SS].limit, ==, 0xffffffff);
    g_assert_cmphex(env.tr.base, ==, 0);
    g_assert_cmphex(env.tr.limit, ==, 0x67);
    g_assert_cmphex((env.tr.flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT, ==,
                    11);
    g_assert_false(cpu_compute_eflags(&env) & (IF_MASK | TF_MASK | VM_MASK));

    /* The segment and its bss. */
    back = boot_test_read(0x1000000, 0x10001);
    g_assert_cmpuint(back[127], ==, 0xf4);
    g_assert_cmpuint(back[128], ==, 0);
    g_assert_cmpuint(back[0xffff], ==, 0);
    g_assert_cmpuint(back[0x10000], ==, 0xcc);

    /* hvm_start_info. */
    g_assert_cmphex(boot_test_ldl(si + HVM_SI_MAGIC), ==, HVM_START_MAGIC);
    g_assert_cmpuint(boot_test_ldl(si + HVM_SI_VERSION), ==, 1);
    g_assert_cmphex(boot_test_ldq(si + HVM_SI_RSDP_PADDR), ==, 0xf5a30);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(boot_test_ldq(si + HVM_SI_CMDLINE_PADDR), 14);
    g_assert_cmpstr((char *)back, ==, "console=ttyS0");
    n = e820_get_table(&t);
    g_assert_cmpuint(boot_test_ldl(si + HVM_SI_MEMMAP_ENTRIES), ==, n);
    mm = boot_test_ldq(si + HVM_SI_MEMMAP_PADDR);
    for (unsigned i = 0; i < n; i++) {
        hwaddr ent = mm + i * HVM_MEMMAP_ENTRY_SIZE;
        g_assert_cmphex(boot_test_ldq(ent + HVM_MEMMAP_ADDR), ==, t[i].addr);
        g_assert_cmphex(boot_test_ldq(ent + HVM_MEMMAP_SIZE), ==, t[i].size);
        g_assert_cmpuint(boot_test_ldl(ent + HVM_MEMMAP_TYPE), ==,
                         t[i].type);
    }
    /* Modules: page-aligned, in RAM above the kernel, with arguments. */
    g_assert_cmpuint(boot_test_ldl(si + HVM_SI_NR_MODULES), ==, 2);
    ml = boot_test_ldq(si + HVM_SI_MODLIST_PADDR);
    m0 = boot_test_ldq(ml + HVM_MOD_PADDR);
    m1 = boot_test_ldq(ml + HVM_MOD_ENTRY_SIZE + HVM_MOD_PADDR);
    g_assert_cmphex(m0 % 4096, ==, 0);
    g_assert_cmphex(m1 % 4096, ==, 0);
    g_assert_cmphex(m0, >=, 0x1010000);
    g_assert_cmphex(m1 + 4, <=, m0);
    g_assert_cmphex(m0 + 20000, <=, 128 * MiB);
    g_assert_cmpuint(boot_test_ldq(ml + HVM_MOD_SIZE), ==, 20000);
    g_assert_cmpuint(boot_test_ldq(ml + HVM_MOD_ENTRY_SIZE + HVM_MOD_SIZE),
                     ==, 4);
    g_assert_cmphex(boot_test_ldq(ml + HVM_MOD_CMDLINE_PADDR), ==, 0);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(boot_test_ldq(ml + HVM_MOD_ENTRY_SIZE +
                                        HVM_MOD_CMDLINE_PADDR), 7);
    g_assert_cmpstr((char *)back, ==, "root=x");
    g_clear_pointer(&back, g_free);
    back = boot_test_read(m0, 20000);
    g_assert_cmpmem(back, 20000, r1, 20000);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(m1, 4);
    g_assert_cmpmem(back, 4, "mod2", 4);
}

static void expect_fail(const uint8_t *f, size_t size, uint64_t ram,
                        const char *msg)
{
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;

    boot_test_machine(ram);
    boot_test_ctx(&ctx, "bad.pvh", f, size, NULL, NULL);
    g_assert_false(x86_boot_load(&ctx, &err));
    if (!strstr(err->message, msg)) {
        g_error("message '%s' lacks '%s'", err->message, msg);
    }
}

static void test_bad(void)
{
    uint64_t entry = 0x1000040;
    uint16_t shorty = 0x1234;
    size_t size;
    g_autofree uint8_t *f = NULL;

    f = pvh_elf(&shorty, 2, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000000, &size);
    expect_fail(f, size, 64 * MiB, "bad PVH note");
    g_clear_pointer(&f, g_free);
    entry = 0x100000000ULL;
    f = pvh_elf(&entry, 8, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000000, &size);
    expect_fail(f, size, 64 * MiB, "above 4 GiB");
    g_clear_pointer(&f, g_free);
    entry = 0x1000040;
    f = pvh_elf(&entry, 8, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000000, &size);
    expect_fail(f, size, 16 * MiB, "beyond the end of RAM");
    /* A truncated vmlinux: the program headers are cut off. */
    expect_fail(f, 100, 64 * MiB, "truncated ELF");
    g_clear_pointer(&f, g_free);
    f = pvh_elf(&entry, 8, XEN_ELFNOTE_PHYS32_ENTRY, 0xc0000, &size);
    expect_fail(f, size, 64 * MiB, "VGA/BIOS");
    g_clear_pointer(&f, g_free);
    /* An ELF without the note (and no multiboot header). */
    f = pvh_elf(&entry, 8, 17, 0x1000000, &size);
    expect_fail(f, size, 64 * MiB,
                "not a bzImage, PVH ELF or multiboot kernel");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pvh/note", test_note);
    g_test_add_func("/pvh/load", test_load);
    g_test_add_func("/pvh/bad", test_bad);
    return g_test_run();
}
