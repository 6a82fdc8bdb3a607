/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for the kernel loader tests (see boot-test-util.h). */
#include "ember/osdep.h"
#include "boot-test-util.h"
#include "hw/i386/e820.h"
#include "hw/loader.h"

static bool inited;
static MemoryRegion ram, bios;
static GPtrArray *tmpfiles;

static void boot_test_cleanup(void)
{
    for (unsigned i = 0; tmpfiles && i < tmpfiles->len; i++) {
        unlink(g_ptr_array_index(tmpfiles, i));
    }
}

void boot_test_machine(uint64_t ram_size)
{
    static uint8_t zeros[0x20000];

    if (!inited) {
        inited = true;
        memory_map_init();
        g_assert_true(memory_region_init_ram(&ram, NULL, "ram",
                                             BOOT_TEST_RAM_MAX, NULL));
        memory_region_add_subregion(get_system_memory(), 0, &ram);
        g_assert_true(memory_region_init_rom(&bios, NULL, "bios", 0x20000,
                                             NULL));
        memory_region_add_subregion_overlap(get_system_memory(), 0xe0000,
                                            &bios, 1);
    }
    g_assert_cmpuint(ram_size, <=, BOOT_TEST_RAM_MAX);
    rom_clear_all();
    e820_reset_table();
    e820_add_entry(0, ram_size, E820_RAM);
    e820_add_entry(0x9fc00, 0x400, E820_RESERVED);
    e820_add_entry(0xa0000, 0x60000, E820_RESERVED);
    address_space_write_rom(&address_space_memory, 0xe0000, zeros,
                            sizeof(zeros));
}

void boot_test_reset(void)
{
    rom_reset_all();
}

uint32_t boot_test_ldl(hwaddr addr)
{
    return address_space_ldl(&address_space_memory, addr);
}

uint64_t boot_test_ldq(hwaddr addr)
{
    return address_space_ldq(&address_space_memory, addr);
}

uint8_t *boot_test_read(hwaddr addr, size_t len)
{
    uint8_t *buf = g_malloc(len);

    address_space_read(&address_space_memory, addr, buf, len);
    return buf;
}

void boot_test_fill(hwaddr addr, uint8_t byte, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    memset(buf, byte, len);
    address_space_write(&address_space_memory, addr, buf, len);
}

void boot_test_ctx(X86BootContext *ctx, const char *path, const void *data,
                   size_t size, const char *initrd, const char *cmdline)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->kernel_path = path;
    ctx->kernel = data;
    ctx->kernel_size = size;
    ctx->initrd = initrd;
    ctx->cmdline = cmdline;
}

char *boot_test_tmpfile(const char *name, const void *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tmpl = g_strdup_printf("ember-%s-XXXXXX", name);
    char *path = NULL;
    int fd = g_file_open_tmp(tmpl, &path, &err);

    if (!tmpfiles) {
        tmpfiles = g_ptr_array_new_with_free_func(g_free);
        atexit(boot_test_cleanup);
    }
    g_assert_no_error(err);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, data, size), ==, (ssize_t)size);
    close(fd);
    g_ptr_array_add(tmpfiles, g_strdup(path));
    return path;
}

/* ------------------------------------------------------------------ */

typedef struct TestSeg {
    uint32_t type;
    uint64_t paddr, vaddr, filesz, memsz, offset;
    uint8_t *data;
} TestSeg;

struct TestElf {
    bool is64;
    uint16_t machine;
    uint64_t entry;
    GArray *segs;
};

TestElf *test_elf_new(bool is64, uint16_t machine, uint64_t entry)
{
    TestElf *e = g_new0(TestElf, 1);

    e->is64 = is64;
    e->machine = machine;
    e->entry = entry;
    e->segs = g_array_new(FALSE, TRUE, sizeof(TestSeg));
    return e;
}

void test_elf_add(TestElf *e, uint32_t type, uint64_t paddr, uint64_t vaddr,
                  const void *data, uint64_t filesz, uint64_t memsz)
{
    TestSeg s = { type, paddr, vaddr, filesz, memsz, 0,
                  g_memdup2(data, filesz) };

    g_array_append_val(e->segs, s);
}

uint8_t *test_elf_build(TestElf *e, size_t *size)
{
    unsigned ehsize = e->is64 ? 64 : 52, phsize = e->is64 ? 56 : 32;
    uint64_t off = ehsize + e->segs->len * phsize;
    GByteArray *b = g_byte_array_new();

    for (unsigned i = 0; i < e->segs->len; i++) {
        TestSeg *s = &g_array_index(e->segs, TestSeg, i);
        off = ROUND_UP(off, 16);
        s->offset = off;
        off += s->filesz;
    }
    g_byte_array_set_size(b, off);
    memset(b->data, 0, off);
    memcpy(b->data, "\x7f" "ELF", 4);
    b->data[4] = e->is64 ? 2 : 1;
    b->data[5] = 1;
    b->data[6] = 1;
    stw_le_p(b->data + 16, 2);              /* ET_EXEC */
    stw_le_p(b->data + 18, e->machine);
    stl_le_p(b->data + 20, 1);
    if (e->is64) {
        stq_le_p(b->data + 24, e->entry);
        stq_le_p(b->data + 32, ehsize);     /* e_phoff */
        stw_le_p(b->data + 52, ehsize);
        stw_le_p(b->data + 54, phsize);
        stw_le_p(b->data + 56, e->segs->len);
    } else {
        stl_le_p(b->data + 24, e->entry);
        stl_le_p(b->data + 28, ehsize);
        stw_le_p(b->data + 40, ehsize);
        stw_le_p(b->data + 42, phsize);
        stw_le_p(b->data + 44, e->segs->len);
    }
    for (unsigned i = 0; i < e->segs->len; i++) {
        TestSeg *s = &g_array_index(e->segs, TestSeg, i);
        uint8_t *p = b->data + ehsize + i * phsize;

        if (e->is64) {
            stl_le_p(p, s->type);
            stl_le_p(p + 4, 5);
            stq_le_p(p + 8, s->offset);
            stq_le_p(p + 16, s->vaddr);
            stq_le_p(p + 24, s->paddr);
            stq_le_p(p + 32, s->filesz);
            stq_le_p(p + 40, s->memsz);
            stq_le_p(p + 48, 16);
        } else {
            stl_le_p(p, s->type);
            stl_le_p(p + 4, s->offset);
            stl_le_p(p + 8, s->vaddr);
            stl_le_p(p + 12, s->paddr);
            stl_le_p(p + 16, s->filesz);
            stl_le_p(p + 20, s->memsz);
            stl_le_p(p + 24, 5);
            stl_le_p(p + 28, 16);
        }
        memcpy(b->data + s->offset, s->data, s->filesz);
    }
    *size = b->len;
    return g_byte_array_free(b, FALSE);
}

uint64_t test_elf_offset(TestElf *e, unsigned i)
{
    return g_array_index(e->segs, TestSeg, i).offset;
}

void test_elf_free(TestElf *e)
{
    for (unsigned i = 0; i < e->segs->len; i++) {
        g_free(g_array_index(e->segs, TestSeg, i).data);
    }
    g_array_unref(e->segs);
    g_free(e);
}

GByteArray *test_elf_note(const char *name, uint32_t type, const void *desc,
                          uint32_t descsz)
{
    GByteArray *b = g_byte_array_new();
    uint32_t namesz = strlen(name) + 1;
    size_t len = 12 + ROUND_UP(namesz, 4) + ROUND_UP(descsz, 4);

    g_byte_array_set_size(b, len);
    memset(b->data, 0, len);
    stl_le_p(b->data, namesz);
    stl_le_p(b->data + 4, descsz);
    stl_le_p(b->data + 8, type);
    memcpy(b->data + 12, name, namesz);
    memcpy(b->data + 12 + ROUND_UP(namesz, 4), desc, descsz);
    return b;
}

void boot_test_cpu(const X86BootEntry *e, CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
    x86_cpu_reset(env);
    x86_boot_entry_apply(e, env);
}
