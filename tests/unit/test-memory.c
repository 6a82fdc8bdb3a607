/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory API: flattening, priorities, aliases, splitting, listeners. */
#include "ember/osdep.h"
#include "exec/memory.h"

typedef struct Dev {
    uint8_t regs[64];
    int reads, writes;
    unsigned last_size;
    hwaddr last_off;
} Dev;

static uint64_t dev_read(void *opaque, hwaddr off, unsigned size)
{
    Dev *d = opaque;

    d->reads++;
    d->last_size = size;
    d->last_off = off;
    g_assert_cmpuint(off + size, <=, sizeof(d->regs));
    return ldn_le_p(d->regs + off, size);
}

static void dev_write(void *opaque, hwaddr off, uint64_t v, unsigned size)
{
    Dev *d = opaque;

    d->writes++;
    d->last_size = size;
    d->last_off = off;
    g_assert_cmpuint(off + size, <=, sizeof(d->regs));
    stn_le_p(d->regs + off, size, v);
}

static const MemoryRegionOps ops_4 = {
    .read = dev_read, .write = dev_write, .min_access = 4, .max_access = 4,
};
static const MemoryRegionOps ops_1 = {
    .read = dev_read, .write = dev_write, .min_access = 1, .max_access = 1,
};

static void test_flatten_priority(void)
{
    MemoryRegion root, ram, io, over;
    AddressSpace as;
    Dev d = { 0 };
    MemoryRegionSection s;

    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    memory_region_init_io(&io, NULL, &ops_4, &d, "io", 0x1000);
    memory_region_init_io(&over, NULL, &ops_1, &d, "over", 0x100);
    address_space_init(&as, &root, "test");
    memory_region_add_subregion(&root, 0, &ram);
    /* Same priority: the later one wins where they overlap. */
    memory_region_add_subregion(&root, 0x8000, &io);
    g_assert_true(address_space_lookup(&as, 0x8010, &s));
    g_assert_true(s.mr == &io);
    g_assert_cmphex(s.offset_within_region, ==, 0x10);
    g_assert_true(address_space_lookup(&as, 0x9000, &s));
    g_assert_true(s.mr == &ram);
    g_assert_cmphex(s.offset_within_region, ==, 0x9000);
    /* A lower priority region under RAM is hidden. */
    memory_region_add_subregion_overlap(&root, 0x100, &over, -1);
    g_assert_true(address_space_lookup(&as, 0x150, &s));
    g_assert_true(s.mr == &ram);
    memory_region_del_subregion(&root, &over);
    memory_region_add_subregion_overlap(&root, 0x100, &over, 5);
    g_assert_true(address_space_lookup(&as, 0x150, &s));
    g_assert_true(s.mr == &over);
    g_assert_cmpuint(s.size, ==, 0xb0);
    /* Disabling uncovers what is below. */
    memory_region_set_enabled(&over, false);
    g_assert_true(address_space_lookup(&as, 0x150, &s));
    g_assert_true(s.mr == &ram);
    /* Holes. */
    g_assert_false(address_space_lookup(&as, 0x10000, &s));
    address_space_destroy(&as);
    memory_region_finalize(&over);
    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void test_alias_and_move(void)
{
    MemoryRegion root, ram, alias;
    AddressSpace as;
    uint8_t *p;
    uint32_t v = 0;

    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x4000, NULL));
    p = memory_region_get_ram_ptr(&ram);
    stl_le_p(p + 0x2000, 0xcafef00d);
    address_space_init(&as, &root, "test");
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_init_alias(&alias, NULL, "alias", &ram, 0x2000, 0x1000);
    memory_region_add_subregion(&root, 0x100000000ULL, &alias);
    g_assert_true(address_space_read(&as, 0x100000000ULL, &v, 4));
    g_assert_cmphex(v, ==, 0xcafef00d);
    g_assert_true(memory_region_get_ram_ptr(&alias) == p + 0x2000);
    /* Move the alias; the old place becomes a hole. */
    memory_region_set_address(&alias, 0x200000000ULL);
    g_assert_false(address_space_read(&as, 0x100000000ULL, &v, 4));
    g_assert_cmphex(v, ==, 0);
    g_assert_true(address_space_read(&as, 0x200000000ULL, &v, 4));
    g_assert_cmphex(v, ==, 0xcafef00d);
    /* Reads across the end of RAM into a hole: partial failure. */
    v = 0x11111111;
    g_assert_false(address_space_read(&as, 0x3ffe, &v, 4));
    address_space_destroy(&as);
    memory_region_finalize(&alias);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void test_splitting(void)
{
    MemoryRegion root, r4, r1;
    AddressSpace as;
    Dev d4 = { 0 }, d1 = { 0 };

    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init_io(&r4, NULL, &ops_4, &d4, "r4", 64);
    memory_region_init_io(&r1, NULL, &ops_1, &d1, "r1", 64);
    address_space_init(&as, &root, "io");
    as.is_io = true;
    memory_region_add_subregion(&root, 0x100, &r4);
    memory_region_add_subregion(&root, 0x200, &r1);

    /* 4-byte access to a byte-only device: four byte accesses. */
    stl_le_p(d1.regs + 8, 0x44332211);
    g_assert_cmphex(address_space_ldl(&as, 0x208), ==, 0x44332211);
    g_assert_cmpint(d1.reads, ==, 4);
    g_assert_cmpuint(d1.last_size, ==, 1);
    address_space_stl(&as, 0x210, 0xa1b2c3d4);
    g_assert_cmpint(d1.writes, ==, 4);
    g_assert_cmphex(ldl_le_p(d1.regs + 0x10), ==, 0xa1b2c3d4);

    /* 1-byte read from a dword-only device: one aligned dword read. */
    stl_le_p(d4.regs + 4, 0x88776655);
    g_assert_cmphex(address_space_ldub(&as, 0x106), ==, 0x77);
    g_assert_cmpint(d4.reads, ==, 1);
    g_assert_cmpuint(d4.last_size, ==, 4);
    g_assert_cmphex(d4.last_off, ==, 4);
    /* 8-byte read from it: two dword reads. */
    stl_le_p(d4.regs + 8, 0xccbbaa99);
    g_assert_cmphex(address_space_ldq(&as, 0x104), ==, 0xccbbaa9988776655ULL);
    g_assert_cmpint(d4.reads, ==, 3);
    /* A byte write widens with zeros in the other bytes. */
    address_space_stb(&as, 0x121, 0xee);
    g_assert_cmphex(ldl_le_p(d4.regs + 0x20), ==, 0x0000ee00);
    /* Unassigned I/O reads all ones. */
    g_assert_cmphex(address_space_lduw(&as, 0x300), ==, 0xffff);

    address_space_destroy(&as);
    memory_region_finalize(&r4);
    memory_region_finalize(&r1);
    memory_region_finalize(&root);
}

typedef struct Rec {
    MemoryListener l;
    GString *log;
} Rec;

static void rec_add(MemoryListener *l, MemoryRegionSection *s)
{
    Rec *r = container_of(l, Rec, l);

    g_string_append_printf(r->log, "+%s@%" PRIx64 "/%" PRIx64 " ",
                           s->mr->name, s->offset_within_address_space,
                           s->size);
}

static void rec_del(MemoryListener *l, MemoryRegionSection *s)
{
    Rec *r = container_of(l, Rec, l);

    g_string_append_printf(r->log, "-%s@%" PRIx64 "/%" PRIx64 " ",
                           s->mr->name, s->offset_within_address_space,
                           s->size);
}

static void test_listener(void)
{
    MemoryRegion root, ram, rom;
    AddressSpace as;
    Rec rec = { .l = { .region_add = rec_add, .region_del = rec_del } };

    rec.log = g_string_new(NULL);
    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    g_assert_true(memory_region_init_rom(&rom, NULL, "rom", 0x1000, NULL));
    address_space_init(&as, &root, "test");
    memory_region_add_subregion(&root, 0, &ram);
    memory_listener_register(&rec.l, &as);
    g_assert_cmpstr(rec.log->str, ==, "+ram@0/10000 ");
    g_string_truncate(rec.log, 0);
    /* A ROM over the middle of RAM splits it in three. */
    memory_region_add_subregion_overlap(&root, 0x4000, &rom, 1);
    g_assert_cmpstr(rec.log->str, ==,
                    "-ram@0/10000 +ram@0/4000 +rom@4000/1000 "
                    "+ram@5000/b000 ");
    g_string_truncate(rec.log, 0);
    /* A transaction batches changes: one diff. */
    memory_region_transaction_begin();
    memory_region_set_enabled(&rom, false);
    memory_region_set_enabled(&rom, true);
    memory_region_transaction_commit();
    g_assert_cmpstr(rec.log->str, ==, "");
    memory_region_del_subregion(&root, &rom);
    g_assert_cmpstr(rec.log->str, ==,
                    "-ram@0/4000 -rom@4000/1000 -ram@5000/b000 "
                    "+ram@0/10000 ");
    memory_listener_unregister(&rec.l);
    g_string_free(rec.log, TRUE);
    address_space_destroy(&as);
    memory_region_finalize(&rom);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void test_rom_and_map(void)
{
    MemoryRegion root, ram, rom;
    AddressSpace as;
    uint32_t v = 0x12345678, back = 0;
    uint64_t len = 0x2000;
    void *p;

    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    g_assert_true(memory_region_init_rom(&rom, NULL, "rom", 0x1000, NULL));
    address_space_init(&as, &root, "test");
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion(&root, 0x20000, &rom);
    /* Guest writes to ROM are dropped; loader writes go through. */
    g_assert_false(address_space_write(&as, 0x20000, &v, 4));
    g_assert_true(address_space_read(&as, 0x20000, &back, 4));
    g_assert_cmphex(back, ==, 0);
    g_assert_true(address_space_write_rom(&as, 0x20000, &v, 4));
    g_assert_true(address_space_read(&as, 0x20000, &back, 4));
    g_assert_cmphex(back, ==, 0x12345678);
    /* map: contiguous RAM only, shortened at its end. */
    p = address_space_map(&as, 0xf000, &len, true);
    g_assert_nonnull(p);
    g_assert_cmpuint(len, ==, 0x1000);
    len = 16;
    g_assert_null(address_space_map(&as, 0x20000, &len, true));
    g_assert_cmpuint(len, ==, 0);
    len = 16;
    g_assert_nonnull(address_space_map(&as, 0x20000, &len, false));
    address_space_destroy(&as);
    memory_region_finalize(&rom);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void test_dirty_log(void)
{
    MemoryRegion root, vram, alias;
    AddressSpace as;
    uint8_t b = 1;
    uint64_t len = 8;
    void *p;

    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&vram, NULL, "vram", 0x10000, NULL));
    memory_region_init_alias(&alias, NULL, "lfb", &vram, 0, 0x10000);
    address_space_init(&as, &root, "test");
    memory_region_add_subregion(&root, 0xa0000000, &alias);
    /* Not logging: nothing is dirty. */
    address_space_write(&as, 0xa0001000, &b, 1);
    g_assert_false(memory_region_get_dirty(&vram, 0, 0x10000,
                                           DIRTY_MEMORY_VGA));
    memory_region_set_log(&vram, true, DIRTY_MEMORY_VGA);
    g_assert_false(memory_region_get_dirty(&vram, 0, 0x10000,
                                           DIRTY_MEMORY_VGA));
    /* A write through the alias dirties the page of the terminal region. */
    address_space_write(&as, 0xa0003ffe, &b, 1);
    g_assert_true(memory_region_get_dirty(&vram, 0x3000, 0x1000,
                                          DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 0x4000, 0x1000,
                                           DIRTY_MEMORY_VGA));
    /* A write crossing pages dirties both. */
    address_space_write(&as, 0xa0005fff, &b, 1);
    address_space_write(&as, 0xa0006000, &b, 1);
    g_assert_true(memory_region_test_and_clear_dirty(&vram, 0x5000, 0x2000,
                                                     DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 0x5000, 0x2000,
                                           DIRTY_MEMORY_VGA));
    /* DMA through map/unmap. */
    p = address_space_map(&as, 0xa0008000, &len, true);
    g_assert_nonnull(p);
    address_space_unmap(&as, p, 0xa0008000, len, true, len);
    g_assert_true(memory_region_get_dirty(&vram, 0x8000, 1,
                                          DIRTY_MEMORY_VGA));
    memory_region_reset_dirty(&vram, 0, 0x10000, DIRTY_MEMORY_VGA);
    g_assert_false(memory_region_get_dirty(&vram, 0, 0x10000,
                                           DIRTY_MEMORY_VGA));
    /* Out-of-range queries are harmless. */
    memory_region_set_dirty(&vram, 0x20000, 16);
    g_assert_false(memory_region_get_dirty(&vram, 0x20000, 16,
                                           DIRTY_MEMORY_VGA));
    memory_region_set_log(&vram, false, DIRTY_MEMORY_VGA);
    address_space_destroy(&as);
    memory_region_finalize(&alias);
    memory_region_finalize(&vram);
    memory_region_finalize(&root);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/flatten-priority", test_flatten_priority);
    g_test_add_func("/memory/alias-and-move", test_alias_and_move);
    g_test_add_func("/memory/splitting", test_splitting);
    g_test_add_func("/memory/listener", test_listener);
    g_test_add_func("/memory/rom-and-map", test_rom_and_map);
    g_test_add_func("/memory/dirty-log", test_dirty_log);
    return g_test_run();
}
