/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel images are hostile input: thousands of randomly damaged images
 * (bytes flipped in the headers, files cut short) must each end in a
 * clean success or one error message - never a crash, an out-of-bounds
 * read (run this under ASan) or a multi-line message. The damage is
 * seeded by g_test's random seed, so a failure is reproducible with
 * --seed.
 */
#include "ember/osdep.h"
#include "boot-test-util.h"
#include "hw/i386/linux-boot.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/pvh.h"
#include "hw/loader.h"

static void put_mb_header(uint8_t *p, uint32_t flags)
{
    stl_le_p(p, MULTIBOOT_HEADER_MAGIC);
    stl_le_p(p + 4, flags);
    stl_le_p(p + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
}

static uint8_t *seed_multiboot_elf(bool is64, size_t *size)
{
    TestElf *e = test_elf_new(is64, is64 ? ELF_EM_X86_64 : ELF_EM_386,
                              0x100010);
    uint8_t text[96] = { 0 }, data[32] = { 1 };
    g_autoptr(GByteArray) note = test_elf_note("GNU", 3, "12345678", 8);
    uint8_t *f;

    put_mb_header(text, MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO);
    test_elf_add(e, ELF_PT_LOAD, 0x100000, 0x100000, text, sizeof(text),
                 sizeof(text));
    test_elf_add(e, ELF_PT_LOAD, 0x200000, 0x200000, data, sizeof(data),
                 0x1000);
    test_elf_add(e, ELF_PT_NOTE, 0, 0, note->data, note->len, note->len);
    f = test_elf_build(e, size);
    test_elf_free(e);
    return f;
}

static uint8_t *seed_aout(size_t *size)
{
    uint8_t *f = g_malloc0(0x800);

    put_mb_header(f + 0x20, MB_FLAG_AOUT_KLUDGE);
    stl_le_p(f + 0x20 + MB_HDR_HEADER_ADDR, 0x100020);
    stl_le_p(f + 0x20 + MB_HDR_LOAD_ADDR, 0x100000);
    stl_le_p(f + 0x20 + MB_HDR_LOAD_END_ADDR, 0x100600);
    stl_le_p(f + 0x20 + MB_HDR_BSS_END_ADDR, 0x102000);
    stl_le_p(f + 0x20 + MB_HDR_ENTRY_ADDR, 0x100040);
    *size = 0x800;
    return f;
}

static uint8_t *seed_pvh(size_t *size)
{
    TestElf *e = test_elf_new(true, ELF_EM_X86_64, 0xffffffff81000000ULL);
    uint64_t entry = 0x1000040;
    g_autoptr(GByteArray) note = test_elf_note(PVH_NOTE_NAME,
                                               XEN_ELFNOTE_PHYS32_ENTRY,
                                               &entry, 8);
    uint8_t code[64] = { 0xf4 };
    uint8_t *f;

    test_elf_add(e, ELF_PT_LOAD, 0x1000000, 0xffffffff81000000ULL, code,
                 sizeof(code), 0x4000);
    test_elf_add(e, ELF_PT_NOTE, 0, 0, note->data, note->len, note->len);
    f = test_elf_build(e, size);
    test_elf_free(e);
    return f;
}

static uint8_t *seed_bzimage(size_t *size)
{
    const size_t setup = 5 * 512, pm = 0x2000;
    uint8_t *k = g_malloc0(setup + pm);

    k[LINUX_HDR_SETUP_SECTS] = 4;
    stl_le_p(k + LINUX_HDR_SYSSIZE, pm / 16);
    stw_le_p(k + LINUX_HDR_BOOT_FLAG, LINUX_BOOT_FLAG);
    k[LINUX_HDR_JUMP + 1] = 0x6a;
    stl_le_p(k + LINUX_HDR_HEADER, LINUX_HDR_MAGIC);
    stw_le_p(k + LINUX_HDR_VERSION, 0x20f);
    k[LINUX_HDR_LOADFLAGS] = LINUX_LOADED_HIGH;
    stl_le_p(k + LINUX_HDR_INITRD_ADDR_MAX, 0x7fffffff);
    stl_le_p(k + LINUX_HDR_KERNEL_ALIGNMENT, 0x200000);
    k[LINUX_HDR_RELOCATABLE] = 1;
    stw_le_p(k + LINUX_HDR_XLOADFLAGS, LINUX_XLF_KERNEL_64);
    stl_le_p(k + LINUX_HDR_CMDLINE_SIZE, 255);
    stq_le_p(k + LINUX_HDR_PREF_ADDRESS, 0x1000000);
    stl_le_p(k + LINUX_HDR_INIT_SIZE, 0x100000);
    *size = setup + pm;
    return k;
}

static void fuzz(const uint8_t *seed, size_t size, unsigned rounds,
                 unsigned *ok, unsigned *bad)
{
    g_autofree uint8_t *f = g_malloc(size);
    /* Damage lands where the structure is: the first 1 KiB mostly. */
    size_t hot = MIN(size, (size_t)1024);

    for (unsigned r = 0; r < rounds; r++) {
        g_autoptr(GError) err = NULL;
        X86BootContext ctx;
        size_t len = size;
        unsigned n = g_test_rand_int_range(1, 9);

        memcpy(f, seed, size);
        for (unsigned i = 0; i < n; i++) {
            size_t at = g_test_rand_int_range(0, 8) ? g_test_rand_int_range(
                            0, hot) : g_test_rand_int_range(0, size);
            switch (g_test_rand_int_range(0, 4)) {
            case 0:
                f[at] = g_test_rand_int_range(0, 256);
                break;
            case 1:
                f[at] ^= 1 << g_test_rand_int_range(0, 8);
                break;
            case 2:     /* a 32-bit field set to an extreme */
                if (at + 4 <= len) {
                    static const uint32_t extremes[] = {
                        0, 1, 0x7fffffff, 0x80000000, 0xffffffff,
                        0xfffffff0, 0x100000, 0xa0000,
                    };
                    stl_le_p(f + at, extremes[g_test_rand_int_range(0, 8)]);
                }
                break;
            default:
                len = g_test_rand_int_range(1, size + 1);
            }
        }
        boot_test_machine(64 * MiB);
        boot_test_ctx(&ctx, "fuzz", f, len, NULL,
                      g_test_rand_bit() ? "console=ttyS0" : NULL);
        if (x86_boot_load(&ctx, &err)) {
            g_assert_no_error(err);
            g_assert_cmpint(ctx.entry.mode, !=, X86_BOOT_MODE_NONE);
            (*ok)++;
        } else {
            g_assert_nonnull(err);
            g_assert_null(strchr(err->message, '\n'));
            g_assert_true(strlen(err->message) > 10);
            (*bad)++;
        }
    }
}

static void test_fuzz(gconstpointer opaque)
{
    uint8_t *(*make)(size_t *) = opaque;
    size_t size;
    g_autofree uint8_t *seed = make(&size);
    unsigned ok = 0, bad = 0;

    fuzz(seed, size, g_test_slow() ? 20000 : 1500, &ok, &bad);
    g_test_message("%u loaded, %u refused", ok, bad);
    /* Both outcomes must occur, or the damage is not exercising much. */
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(bad, >, 0);
}

static uint8_t *seed_mb32(size_t *size)
{
    return seed_multiboot_elf(false, size);
}

static uint8_t *seed_mb64(size_t *size)
{
    return seed_multiboot_elf(true, size);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/boot-fuzz/multiboot-elf32", seed_mb32, test_fuzz);
    g_test_add_data_func("/boot-fuzz/multiboot-elf64", seed_mb64, test_fuzz);
    g_test_add_data_func("/boot-fuzz/multiboot-aout", seed_aout, test_fuzz);
    g_test_add_data_func("/boot-fuzz/pvh", seed_pvh, test_fuzz);
    g_test_add_data_func("/boot-fuzz/bzimage", seed_bzimage, test_fuzz);
    return g_test_run();
}
