/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bad -kernel/-initrd/-append through the real binary ($EMBER_SYSTEM):
 * each must end with exactly one error line on stderr and exit status 1.
 * The machine runs under the qtest accelerator (it needs no host support
 * and never runs guest code), so only start-up is exercised.
 */
#include "ember/osdep.h"
#include <fcntl.h>
#include "boot-test-util.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/linux-boot.h"
#include "hw/loader.h"

static const char *binary(void)
{
    const char *b = g_getenv("EMBER_SYSTEM");

    return b ? b : "./ember-system-x86_64";
}

/* Run the binary; its exit status and stderr. */
static int run(const char *const *args, char **err_out)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    int status;

    g_ptr_array_add(argv, (char *)binary());
    for (unsigned i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (char *)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               err_out, &status, &err));
    g_assert_no_error(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One error line containing msg, exit status 1. */
static void expect_error(const char *msg, const char *const *args)
{
    g_autofree char *err = NULL;
    int status = run(args, &err);
    char *nl;

    if (g_test_verbose()) {
        g_test_message("stderr: %s", err);
    }
    g_assert_cmpint(status, ==, 1);
    nl = strchr(err, '\n');
    g_assert_nonnull(nl);
    if (nl[1]) {
        g_error("more than one line on stderr: '%s'", err);
    }
    if (!strstr(err, msg)) {
        g_error("stderr '%s' lacks '%s'", err, msg);
    }
    g_assert_true(g_str_has_prefix(err, "ember-system-x86_64: "));
}

#define QT "-accel", "qtest", "-display", "none"

/* A multiboot ELF with one segment at paddr. */
static char *mb_kernel(uint64_t paddr, bool cut_phdrs)
{
    TestElf *e = test_elf_new(false, ELF_EM_386, paddr);
    uint8_t text[64] = { 0 };
    g_autofree uint8_t *f = NULL;
    size_t size;
    uint32_t flags = 0;

    stl_le_p(text, MULTIBOOT_HEADER_MAGIC);
    stl_le_p(text + 4, flags);
    stl_le_p(text + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
    test_elf_add(e, ELF_PT_LOAD, paddr, paddr, text, 64, 64);
    f = test_elf_build(e, &size);
    test_elf_free(e);
    if (cut_phdrs) {
        stl_le_p(f + 28, size - 4);
    }
    return boot_test_tmpfile("mbk", f, size);
}

static void test_file_errors(void)
{
    g_autofree char *empty = boot_test_tmpfile("empty", "", 0);
    g_autofree char *text = boot_test_tmpfile("text", "hello, world\n", 13);

    expect_error("-kernel: could not open '/nonexistent/vmlinuz': No such "
                 "file or directory",
                 (const char *[]){ QT, "-kernel", "/nonexistent/vmlinuz",
                                   NULL });
    expect_error("is a directory",
                 (const char *[]){ QT, "-kernel", "/", NULL });
    expect_error("the file is empty",
                 (const char *[]){ QT, "-kernel", empty, NULL });
    expect_error("not a bzImage, PVH ELF or multiboot kernel",
                 (const char *[]){ QT, "-kernel", text, NULL });
}

static void test_image_errors(void)
{
    g_autofree uint8_t *bz = g_malloc0(0x1000);
    g_autofree char *bzf = NULL;
    g_autofree char *cut = mb_kernel(0x100000, true);
    g_autofree char *high = mb_kernel(0x40000000, false);
    g_autofree char *bios = mb_kernel(0xf0000, false);

    /* A bzImage cut right after its magic. */
    stw_le_p(bz + LINUX_HDR_BOOT_FLAG, LINUX_BOOT_FLAG);
    bz[LINUX_HDR_JUMP + 1] = 0x6a;
    stl_le_p(bz + LINUX_HDR_HEADER, LINUX_HDR_MAGIC);
    stw_le_p(bz + LINUX_HDR_VERSION, 0x20f);
    bzf = boot_test_tmpfile("bz", bz, 0x210);

    expect_error("truncated bzImage",
                 (const char *[]){ QT, "-kernel", bzf, NULL });
    expect_error("truncated ELF file",
                 (const char *[]){ QT, "-kernel", cut, NULL });
    expect_error("beyond the end of RAM",
                 (const char *[]){ QT, "-m", "128", "-kernel", high, NULL });
    expect_error("overlaps the VGA/BIOS area",
                 (const char *[]){ QT, "-kernel", bios, NULL });
}

static void test_initrd_errors(void)
{
    g_autofree char *k = mb_kernel(0x100000, false);
    g_autofree char *big = boot_test_tmpfile("bigrd", "", 0);
    int fd = open(big, O_WRONLY);

    /* Sparse: 200 MiB of nothing. */
    g_assert_cmpint(ftruncate(fd, 200 * MiB), ==, 0);
    close(fd);
    expect_error("-initrd",
                 (const char *[]){ QT, "-m", "64", "-kernel", k, "-initrd",
                                   big, NULL });
    expect_error("too large",
                 (const char *[]){ QT, "-m", "64", "-kernel", k, "-initrd",
                                   big, NULL });
    expect_error("-initrd: could not open '/nonexistent/rd'",
                 (const char *[]){ QT, "-kernel", k, "-initrd",
                                   "/nonexistent/rd", NULL });
}

static void test_without_kernel(void)
{
    expect_error("-initrd only allowed with -kernel option",
                 (const char *[]){ QT, "-initrd", "/etc/hostname", NULL });
    expect_error("-append only allowed with -kernel option",
                 (const char *[]){ QT, "-append", "console=ttyS0", NULL });
}

/*
 * No -kernel is fine under qtest (device tests) but an error under a real
 * accelerator. Try those this host has; skip when there is none.
 */
static void test_no_kernel(void)
{
    static const char *const accels[] = { "kvm", "tcg" };
    bool tried = false;

    for (unsigned i = 0; i < ARRAY_SIZE(accels); i++) {
        g_autofree char *err = NULL;
        const char *args[] = { "-accel", accels[i], "-display", "none",
                               NULL };
        int status = run(args, &err);

        if (!strstr(err, "no -kernel given")) {
            g_test_message("-accel %s: %s", accels[i], err);
            continue;
        }
        tried = true;
        g_assert_cmpint(status, ==, 1);
        g_assert_cmpstr(err, ==, "ember-system-x86_64: no -kernel given: "
                        "Ember needs a kernel image (it has no firmware "
                        "yet)\n");
    }
    if (!tried) {
        g_test_skip("no accelerator other than qtest works here");
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/boot-errors/file", test_file_errors);
    g_test_add_func("/boot-errors/image", test_image_errors);
    g_test_add_func("/boot-errors/initrd", test_initrd_errors);
    g_test_add_func("/boot-errors/without-kernel", test_without_kernel);
    g_test_add_func("/boot-errors/no-kernel", test_no_kernel);
    return g_test_run();
}
