/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM accelerator unit tests.
 *
 * The memslot table (accel/kvm/kvm-slots.c) against a model of the
 * kernel's rules, the PC's GSI routing table, and - where /dev/kvm opens -
 * the real accelerator: option handling, availability, and the memory
 * listener turning RAM sections into memslots that the kernel accepts as
 * regions move, split and merge.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "accel/kvm/kvm-int.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/i386/x86.h"
#include "system/accel.h"
#include "system/kvm.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include <fcntl.h>

#define PAGE 4096ULL

/* ---- a model of the kernel's memslots -------------------------------- */

typedef struct FakeKernel {
    GHashTable *slots;          /* id -> KVMSlot copy */
    unsigned adds, dels, flag_changes;
    bool fail_next;
} FakeKernel;

static int fake_commit(void *opaque, const KVMSlot *s, bool add)
{
    FakeKernel *k = opaque;
    GHashTableIter it;
    gpointer key, val;

    if (k->fail_next) {
        k->fail_next = false;
        return -ENOMEM;
    }
    if (!add) {
        /* Deleting a slot that does not exist is a caller bug. */
        g_assert_true(g_hash_table_remove(k->slots, GUINT_TO_POINTER(s->id)));
        k->dels++;
        return 0;
    }
    /* The same slot again with other flags: a flags-only change. */
    {
        KVMSlot *o = g_hash_table_lookup(k->slots, GUINT_TO_POINTER(s->id));
        if (o) {
            g_assert_cmpuint(o->gpa, ==, s->gpa);
            g_assert_cmpuint(o->size, ==, s->size);
            g_assert_true(o->hva == s->hva);
            g_assert_cmpuint(o->flags, !=, s->flags);
            o->flags = s->flags;
            k->flag_changes++;
            return 0;
        }
    }
    /* api.rst 4.35: page-aligned, unique id, no overlap (EEXIST). */
    g_assert_cmpuint(s->gpa % PAGE, ==, 0);
    g_assert_cmpuint(s->size % PAGE, ==, 0);
    g_assert_cmpuint((uintptr_t)s->hva % PAGE, ==, 0);
    g_assert_cmpuint(s->size, >, 0);
    g_hash_table_iter_init(&it, k->slots);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        KVMSlot *o = val;
        if (s->gpa < o->gpa + o->size && o->gpa < s->gpa + s->size) {
            return -EEXIST;
        }
    }
    g_hash_table_insert(k->slots, GUINT_TO_POINTER(s->id),
                        g_memdup2(s, sizeof(*s)));
    k->adds++;
    return 0;
}

static void fake_init(FakeKernel *k)
{
    memset(k, 0, sizeof(*k));
    k->slots = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                     g_free);
}

static void fake_destroy(FakeKernel *k)
{
    g_hash_table_destroy(k->slots);
}

/* The table and the kernel model agree, and the table is sorted. */
static void check_consistent(KVMSlotTable *t, FakeKernel *k)
{
    g_assert_cmpuint(kvm_slots_count(t), ==, g_hash_table_size(k->slots));
    for (unsigned i = 0; i < t->slots->len; i++) {
        KVMSlot *s = &g_array_index(t->slots, KVMSlot, i);
        KVMSlot *m = g_hash_table_lookup(k->slots, GUINT_TO_POINTER(s->id));
        g_assert_nonnull(m);
        g_assert_cmpuint(m->gpa, ==, s->gpa);
        g_assert_cmpuint(m->size, ==, s->size);
        g_assert_true(m->hva == s->hva);
        g_assert_cmpuint(m->flags, ==, s->flags);
        if (i) {
            KVMSlot *p = &g_array_index(t->slots, KVMSlot, i - 1);
            g_assert_cmpuint(p->gpa + p->size, <=, s->gpa);
        }
    }
}

/* A fake host buffer: only its address matters (never dereferenced). */
static uint8_t *host(uint64_t off)
{
    return (uint8_t *)(uintptr_t)(0x7f0000000000ULL + off);
}

static void test_slots_basic(void)
{
    FakeKernel k;
    KVMSlotTable t;
    GError *err = NULL;
    const KVMSlot *s;

    fake_init(&k);
    kvm_slots_init(&t, 8, true, PAGE, fake_commit, &k);
    g_assert_true(kvm_slots_add(&t, 0, 0xa0000, host(0), false, &err));
    g_assert_no_error(err);
    g_assert_true(kvm_slots_add(&t, 0x100000, 0x1f00000, host(0x100000),
                                false, &err));
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 2);
    s = kvm_slots_find(&t, 0x9ffff);
    g_assert_nonnull(s);
    g_assert_cmpuint(s->gpa, ==, 0);
    g_assert_null(kvm_slots_find(&t, 0xa0000));
    g_assert_nonnull(kvm_slots_find(&t, 0x1ffffff));
    g_assert_null(kvm_slots_find(&t, 0x2000000));

    kvm_slots_del(&t, 0, 0xa0000, host(0), false);
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 1);
    /* Deleting what is not there changes nothing. */
    kvm_slots_del(&t, 0, 0xa0000, host(0), false);
    kvm_slots_del(&t, 0x5000, 0x1000, host(0x5000), false);
    check_consistent(&t, &k);
    g_assert_cmpuint(k.dels, ==, 1);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

static void test_slots_alignment(void)
{
    FakeKernel k;
    KVMSlotTable t;
    const KVMSlot *s;

    fake_init(&k);
    kvm_slots_init(&t, 8, true, PAGE, fake_commit, &k);
    /* Unaligned ends are trimmed to whole pages. */
    g_assert_true(kvm_slots_add(&t, 0x1800, 0x4000, host(0x1800), false,
                                NULL));
    s = kvm_slots_find(&t, 0x2000);
    g_assert_nonnull(s);
    g_assert_cmpuint(s->gpa, ==, 0x2000);
    g_assert_cmpuint(s->size, ==, 0x3000);
    g_assert_true(s->hva == host(0x2000));
    g_assert_null(kvm_slots_find(&t, 0x1fff));
    g_assert_null(kvm_slots_find(&t, 0x5000));
    kvm_slots_del(&t, 0x1800, 0x4000, host(0x1800), false);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 0);

    /* Less than a page: no slot (MMIO exits serve it). */
    g_assert_true(kvm_slots_add(&t, 0x10100, 0x800, host(0x10100), false,
                                NULL));
    g_assert_cmpuint(kvm_slots_count(&t), ==, 0);
    /* A page-sized range straddling two pages: nothing whole. */
    g_assert_true(kvm_slots_add(&t, 0x10800, 0x1000, host(0x10800), false,
                                NULL));
    g_assert_cmpuint(kvm_slots_count(&t), ==, 0);
    /* Guest and host disagree within the page: KVM cannot map it. */
    g_assert_true(kvm_slots_add(&t, 0x20000, 0x10000, host(0x800), false,
                                NULL));
    g_assert_cmpuint(kvm_slots_count(&t), ==, 0);
    /* Empty, and running off the top of the address space. */
    g_assert_true(kvm_slots_add(&t, 0x30000, 0, host(0), false, NULL));
    g_assert_true(kvm_slots_add(&t, -0x10000ULL, 0x10000, host(0), false,
                                NULL));
    s = kvm_slots_find(&t, -0x10000ULL);
    g_assert_nonnull(s);
    g_assert_cmpuint(s->gpa + s->size, ==, -PAGE);
    check_consistent(&t, &k);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

static void test_slots_readonly(void)
{
    FakeKernel k;
    KVMSlotTable t;

    fake_init(&k);
    kvm_slots_init(&t, 8, true, PAGE, fake_commit, &k);
    kvm_slots_add(&t, 0xe0000, 0x20000, host(0), true, NULL);
    g_assert_cmpuint(kvm_slots_find(&t, 0xe0000)->flags, ==,
                     KVM_MEM_READONLY);
    kvm_slots_add(&t, 0, 0x10000, host(0x100000), false, NULL);
    g_assert_cmpuint(kvm_slots_find(&t, 0)->flags, ==, 0);
    kvm_slots_destroy(&t);
    fake_destroy(&k);

    /* Without KVM_CAP_READONLY_MEM a ROM is mapped as RAM. */
    fake_init(&k);
    kvm_slots_init(&t, 8, false, PAGE, fake_commit, &k);
    kvm_slots_add(&t, 0xe0000, 0x20000, host(0), true, NULL);
    g_assert_cmpuint(kvm_slots_find(&t, 0xe0000)->flags, ==, 0);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

static void test_slots_dirty_log(void)
{
    FakeKernel k;
    KVMSlotTable t;
    const KVMSlot *s;

    fake_init(&k);
    kvm_slots_init(&t, 8, true, PAGE, fake_commit, &k);
    g_assert_true(kvm_slots_add_logged(&t, 0xa0000, 0x20000, host(0), false,
                                       true, NULL));
    s = kvm_slots_lookup(&t, 0xa0000, 0x20000, host(0));
    g_assert_nonnull(s);
    g_assert_cmpuint(s->flags, ==, KVM_MEM_LOG_DIRTY_PAGES);
    /* Off and on again: flags-only updates of the same slot. */
    kvm_slots_set_log(&t, 0xa0000, 0x20000, host(0), false);
    g_assert_cmpuint(kvm_slots_find(&t, 0xa0000)->flags, ==, 0);
    kvm_slots_set_log(&t, 0xa0000, 0x20000, host(0), false);
    kvm_slots_set_log(&t, 0xa0000, 0x20000, host(0), true);
    g_assert_cmpuint(k.flag_changes, ==, 2);
    g_assert_cmpuint(k.adds, ==, 1);
    check_consistent(&t, &k);
    /* A lookup wants the range exactly as it was added. */
    g_assert_null(kvm_slots_lookup(&t, 0xa0000, 0x10000, host(0)));
    g_assert_null(kvm_slots_lookup(&t, 0xa0000, 0x20000, host(0x1000)));
    /* A ROM is never logged: the guest cannot write it. */
    g_assert_true(kvm_slots_add_logged(&t, 0xe0000, 0x20000, host(0x20000),
                                       true, true, NULL));
    g_assert_cmpuint(kvm_slots_find(&t, 0xe0000)->flags, ==,
                     KVM_MEM_READONLY);
    kvm_slots_set_log(&t, 0xe0000, 0x20000, host(0x20000), true);
    g_assert_cmpuint(kvm_slots_find(&t, 0xe0000)->flags, ==,
                     KVM_MEM_READONLY);
    check_consistent(&t, &k);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

/* An I/O region punched into RAM and taken out again: the flat view's
 * changes (deletions first) split the slot and merge it back. */
static void test_slots_split_merge(void)
{
    FakeKernel k;
    KVMSlotTable t;

    fake_init(&k);
    kvm_slots_init(&t, 8, true, PAGE, fake_commit, &k);
    kvm_slots_add(&t, 0, 0x100000, host(0), false, NULL);
    kvm_slots_del(&t, 0, 0x100000, host(0), false);
    kvm_slots_add(&t, 0, 0x40000, host(0), false, NULL);
    kvm_slots_add(&t, 0x41000, 0xbf000, host(0x41000), false, NULL);
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 2);
    g_assert_null(kvm_slots_find(&t, 0x40000));
    kvm_slots_del(&t, 0, 0x40000, host(0), false);
    kvm_slots_del(&t, 0x41000, 0xbf000, host(0x41000), false);
    kvm_slots_add(&t, 0, 0x100000, host(0), false, NULL);
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 1);
    g_assert_nonnull(kvm_slots_find(&t, 0x40000));
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

/* An add that overlaps what is there (out of order) never reaches the
 * kernel as an overlap: the old slots go first. */
static void test_slots_overlap(void)
{
    FakeKernel k;
    KVMSlotTable t;

    fake_init(&k);
    kvm_slots_init(&t, 8, true, PAGE, fake_commit, &k);
    kvm_slots_add(&t, 0, 0x10000, host(0), false, NULL);
    kvm_slots_add(&t, 0x20000, 0x10000, host(0x20000), false, NULL);
    g_assert_true(kvm_slots_add(&t, 0x8000, 0x20000, host(0x1008000), false,
                                NULL));
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 1);
    g_assert_true(kvm_slots_find(&t, 0x8000)->hva == host(0x1008000));
    /* The stale deletions that follow are harmless. */
    kvm_slots_del(&t, 0, 0x10000, host(0), false);
    kvm_slots_del(&t, 0x20000, 0x10000, host(0x20000), false);
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 1);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

static void test_slots_limits(void)
{
    FakeKernel k;
    KVMSlotTable t;
    GError *err = NULL;

    fake_init(&k);
    kvm_slots_init(&t, 2, true, PAGE, fake_commit, &k);
    g_assert_true(kvm_slots_add(&t, 0, PAGE, host(0), false, NULL));
    g_assert_true(kvm_slots_add(&t, 2 * PAGE, PAGE, host(0), false, NULL));
    g_assert_false(kvm_slots_add(&t, 4 * PAGE, PAGE, host(0), false, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "out of memory slots"));
    g_clear_error(&err);
    /* A released id is used again. */
    kvm_slots_del(&t, 0, PAGE, host(0), false);
    g_assert_true(kvm_slots_add(&t, 4 * PAGE, PAGE, host(0), false, NULL));
    g_assert_cmpuint(kvm_slots_find(&t, 4 * PAGE)->id, ==, 0);
    /* The kernel refuses: an error, and the table stays as it was. */
    kvm_slots_del(&t, 4 * PAGE, PAGE, host(0), false);
    k.fail_next = true;
    g_assert_false(kvm_slots_add(&t, 6 * PAGE, PAGE, host(0), false, &err));
    g_assert_nonnull(strstr(err->message, "KVM_SET_USER_MEMORY_REGION"));
    g_clear_error(&err);
    check_consistent(&t, &k);
    g_assert_true(kvm_slots_add(&t, 6 * PAGE, PAGE, host(0), false, NULL));
    check_consistent(&t, &k);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

/* Random non-overlapping ranges come and go; the invariants hold. */
static void test_slots_random(void)
{
    FakeKernel k;
    KVMSlotTable t;
    GRand *r = g_rand_new_with_seed(12345);
    struct { hwaddr gpa; uint64_t size; bool live; } ranges[64];

    fake_init(&k);
    kvm_slots_init(&t, 1000, true, PAGE, fake_commit, &k);
    /* 64 disjoint cells of 1 MiB; each range sits inside its cell. */
    for (unsigned i = 0; i < 64; i++) {
        ranges[i].live = false;
    }
    for (unsigned step = 0; step < 5000; step++) {
        unsigned i = g_rand_int_range(r, 0, 64);
        if (ranges[i].live) {
            kvm_slots_del(&t, ranges[i].gpa, ranges[i].size,
                          host(ranges[i].gpa), false);
            ranges[i].live = false;
        } else {
            uint64_t off = g_rand_int_range(r, 0, 0x80000);
            ranges[i].gpa = (uint64_t)i * 0x100000 + off;
            ranges[i].size = g_rand_int_range(r, 1, 0x80000);
            ranges[i].live = true;
            g_assert_true(kvm_slots_add(&t, ranges[i].gpa, ranges[i].size,
                                        host(ranges[i].gpa), false, NULL));
        }
        if (step % 97 == 0) {
            check_consistent(&t, &k);
        }
    }
    for (unsigned i = 0; i < 64; i++) {
        if (ranges[i].live) {
            kvm_slots_del(&t, ranges[i].gpa, ranges[i].size,
                          host(ranges[i].gpa), false);
        }
    }
    check_consistent(&t, &k);
    g_assert_cmpuint(kvm_slots_count(&t), ==, 0);
    g_assert_cmpuint(k.adds, ==, k.dels);
    g_rand_free(r);
    kvm_slots_destroy(&t);
    fake_destroy(&k);
}

/* ---- the PC's GSI routing ------------------------------------------------ */

static void test_gsi_routes(void)
{
    struct kvm_irq_routing_entry e[64];
    unsigned n = kvm_pc_gsi_routes(e, ARRAY_SIZE(e));
    bool pic[24] = { 0 }, ioapic_pin[24] = { 0 };
    int pin_of_gsi[24];

    for (int i = 0; i < 24; i++) {
        pin_of_gsi[i] = -1;
    }
    /* 15 i8259 inputs (no cascade) + 23 I/O APIC pins (no GSI 2). */
    g_assert_cmpuint(n, ==, 15 + 23);
    for (unsigned i = 0; i < n; i++) {
        g_assert_cmpuint(e[i].type, ==, KVM_IRQ_ROUTING_IRQCHIP);
        g_assert_cmpuint(e[i].gsi, <, 24);
        g_assert_cmpuint(e[i].gsi, !=, 2);
        switch (e[i].u.irqchip.irqchip) {
        case KVM_IRQCHIP_PIC_MASTER:
            g_assert_cmpuint(e[i].gsi, <, 8);
            g_assert_cmpuint(e[i].u.irqchip.pin, ==, e[i].gsi);
            pic[e[i].gsi] = true;
            break;
        case KVM_IRQCHIP_PIC_SLAVE:
            g_assert_cmpuint(e[i].gsi, >=, 8);
            g_assert_cmpuint(e[i].gsi, <, 16);
            g_assert_cmpuint(e[i].u.irqchip.pin, ==, e[i].gsi - 8);
            pic[e[i].gsi] = true;
            break;
        case KVM_IRQCHIP_IOAPIC:
            g_assert_cmpint(pin_of_gsi[e[i].gsi], ==, -1);
            pin_of_gsi[e[i].gsi] = e[i].u.irqchip.pin;
            g_assert_false(ioapic_pin[e[i].u.irqchip.pin]);
            ioapic_pin[e[i].u.irqchip.pin] = true;
            break;
        default:
            g_assert_not_reached();
        }
    }
    /* The MADT's override: ISA IRQ 0 is I/O APIC pin 2; pin 0 unused. */
    g_assert_cmpint(pin_of_gsi[0], ==, 2);
    g_assert_false(ioapic_pin[0]);
    for (int g = 1; g < 24; g++) {
        if (g != 2) {
            g_assert_cmpint(pin_of_gsi[g], ==, g);
        }
        g_assert_true(pic[g] == (g < 16 && g != 2));
    }
    g_assert_true(pic[0]);
    /* A short buffer is never overrun. */
    g_assert_cmpuint(kvm_pc_gsi_routes(e, 5), ==, 5);
}

/* ---- the real accelerator (/dev/kvm) ------------------------------------- */

static bool have_kvm(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static const AccelOps *kvm_ops(void)
{
    const AccelOps *ops = accel_find("kvm");

    g_assert_nonnull(ops);
    return ops;
}

static void test_options(void)
{
    const AccelOps *ops = kvm_ops();
    GError *err = NULL;

    g_assert_true(ops->set_option("kernel-irqchip", "off", &err));
    g_assert_true(ops->set_option("kernel-irqchip", "on", &err));
    g_assert_no_error(err);
    g_assert_false(ops->set_option("kernel-irqchip", "split", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_false(ops->set_option("no-such-option", "1", &err));
    g_assert_nonnull(strstr(err->message, "no-such-option"));
    g_clear_error(&err);
}

static void test_available(void)
{
    const AccelOps *ops = kvm_ops();
    GError *err = NULL;

    if (!have_kvm()) {
        g_test_skip("/dev/kvm does not open");
        return;
    }
    kvm_explicit_override = 1;
    g_assert_true(ops->available(&err));
    g_assert_no_error(err);
    kvm_explicit_override = 0;
    if (kvm_host_has_virt_ext()) {
        g_assert_true(ops->available(&err));
    } else {
        g_assert_false(ops->available(&err));
        g_assert_nonnull(strstr(err->message, "neither VMX nor SVM"));
        g_clear_error(&err);
    }
    kvm_explicit_override = 1;
}

static MachineState *test_machine;

static void kvm_up(void)
{
    const AccelOps *ops = kvm_ops();
    GError *err = NULL;

    if (test_machine) {
        return;
    }
    memory_map_init();
    test_machine = g_new0(MachineState, 1);
    test_machine->smp_cpus = 1;
    test_machine->kernel_irqchip = true;
    kvm_explicit_override = 1;
    g_assert_true(ops->available(&err));
    g_assert_true(ops->init(test_machine, &err));
    g_assert_no_error(err);
    /* Memslots follow the memory map from machine_done() on. */
    g_assert_null(kvm_state->listener.as);
    g_assert_true(ops->machine_done(test_machine, &err));
    g_assert_no_error(err);
    g_assert_true(kvm_state->listener.as == &address_space_memory);
    accel_set_current(ops);
}

static uint64_t io_read(void *opaque, hwaddr off, unsigned size)
{
    return 0;
}

static void io_write(void *opaque, hwaddr off, uint64_t v, unsigned size)
{
}

static const MemoryRegionOps io_ops = {
    .read = io_read,
    .write = io_write,
};

static void test_listener(void)
{
    MemoryRegion *sysmem, ram, rom, io, alias;
    KVMSlotTable *t;
    unsigned base;
    const KVMSlot *s;

    if (!have_kvm()) {
        g_test_skip("/dev/kvm does not open");
        return;
    }
    kvm_up();
    g_assert_true(kvm_enabled());
    g_assert_true(kvm_irqchip_in_kernel());
    g_assert_true(kvm_pit_in_kernel());
    sysmem = get_system_memory();
    t = &kvm_state->slots;
    base = kvm_slots_count(t);

    g_assert_true(memory_region_init_ram(&ram, NULL, "t.ram", 16 * MiB,
                                         NULL));
    memory_region_add_subregion(sysmem, 0, &ram);
    g_assert_cmpuint(kvm_slots_count(t), ==, base + 1);
    s = kvm_slots_find(t, 0);
    g_assert_nonnull(s);
    g_assert_cmpuint(s->size, ==, 16 * MiB);
    g_assert_true(s->hva == memory_region_get_ram_ptr(&ram));

    /* A ROM over it (higher priority): RAM splits, ROM is read-only. */
    g_assert_true(memory_region_init_rom(&rom, NULL, "t.rom", 128 * KiB,
                                         NULL));
    memory_region_add_subregion_overlap(sysmem, 0xe0000, &rom, 1);
    g_assert_cmpuint(kvm_slots_count(t), ==, base + 3);
    s = kvm_slots_find(t, 0xe0000);
    g_assert_nonnull(s);
    g_assert_cmpuint(s->flags, ==,
                     kvm_state->readonly_mem ? KVM_MEM_READONLY : 0);
    g_assert_cmpuint(s->size, ==, 128 * KiB);
    g_assert_cmpuint(kvm_slots_find(t, 0xdffff)->gpa, ==, 0);
    g_assert_cmpuint(kvm_slots_find(t, 0x100000)->gpa, ==, 0x100000);

    /* An I/O page punched into the RAM: another split, no slot there. */
    memory_region_init_io(&io, NULL, &io_ops, NULL, "t.io", PAGE);
    memory_region_add_subregion_overlap(sysmem, 0x400000, &io, 2);
    g_assert_null(kvm_slots_find(t, 0x400000));
    g_assert_nonnull(kvm_slots_find(t, 0x3fffff));
    g_assert_nonnull(kvm_slots_find(t, 0x401000));
    g_assert_cmpuint(kvm_slots_count(t), ==, base + 4);

    /* Moving the I/O page moves the hole. */
    memory_region_set_address(&io, 0x800000);
    g_assert_nonnull(kvm_slots_find(t, 0x400000));
    g_assert_null(kvm_slots_find(t, 0x800000));
    g_assert_cmpuint(kvm_slots_count(t), ==, base + 4);

    /* Taken out: the RAM merges into one range again. */
    memory_region_del_subregion(sysmem, &io);
    memory_region_del_subregion(sysmem, &rom);
    g_assert_cmpuint(kvm_slots_count(t), ==, base + 1);
    g_assert_cmpuint(kvm_slots_find(t, 0xe0000)->size, ==, 16 * MiB);

    /* An alias elsewhere maps the same host memory a second time. */
    memory_region_init_alias(&alias, NULL, "t.alias", &ram, 1 * MiB,
                             2 * MiB);
    memory_region_add_subregion(sysmem, 0x40000000, &alias);
    s = kvm_slots_find(t, 0x40000000);
    g_assert_nonnull(s);
    g_assert_true(s->hva == (uint8_t *)memory_region_get_ram_ptr(&ram) +
                  1 * MiB);
    memory_region_set_alias_offset(&alias, 4 * MiB);
    s = kvm_slots_find(t, 0x40000000);
    g_assert_true(s->hva == (uint8_t *)memory_region_get_ram_ptr(&ram) +
                  4 * MiB);
    memory_region_set_enabled(&alias, false);
    g_assert_null(kvm_slots_find(t, 0x40000000));
    memory_region_set_enabled(&alias, true);
    g_assert_nonnull(kvm_slots_find(t, 0x40000000));
    memory_region_del_subregion(sysmem, &alias);
    memory_region_del_subregion(sysmem, &ram);
    g_assert_cmpuint(kvm_slots_count(t), ==, base);
    memory_region_finalize(&alias);
    memory_region_finalize(&io);
    memory_region_finalize(&rom);
    memory_region_finalize(&ram);
}

static void test_irq_lines(void)
{
    if (!have_kvm()) {
        g_test_skip("/dev/kvm does not open");
        return;
    }
    kvm_up();
    /* Every GSI of the plan takes both levels; the rest are refused
     * quietly (logged with -d guest_errors). */
    for (int gsi = -1; gsi <= 24; gsi++) {
        kvm_set_irq(gsi, 1);
        kvm_set_irq(gsi, 0);
    }
    /* An MSI to APIC ID 0, vector 0x40, reaches the kernel, which has no
     * vCPU yet: -1 (no local APIC took it, kvm_irq_delivery_to_apic) or
     * a count; never "no irqchip" (-ENOSYS) or a bad argument. */
    {
        int r = kvm_irqchip_send_msi(0xfee00000, 0x40);
        g_assert_true(r == -1 || r >= 0);
    }
    kvm_irqchip_reset(kvm_state);
}

/* ---- a vCPU in this process: guest writes reach the dirty log ------------ */

static CPUState *dirty_cpu;
static uint32_t port_value;

static void stop_port_write(void *opaque, hwaddr off, uint64_t v,
                            unsigned size)
{
    port_value = v;
    dirty_cpu->stop = true;         /* vcpu_exec returns */
}

static const MemoryRegionOps stop_port_ops = {
    .read = io_read,
    .write = stop_port_write,
};

static void flat_seg(CPUX86State *env, int seg, bool code)
{
    cpu_x86_load_seg_cache(env, seg, code ? 0x08 : 0x10, 0, 0xffffffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_A_MASK |
                           DESC_G_MASK | DESC_B_MASK |
                           (code ? DESC_CS_MASK | DESC_R_MASK
                                 : DESC_W_MASK));
}

static void test_dirty_log_vcpu(void)
{
    static const uint8_t code[] = {
        0xc7, 0x05, 0x00, 0x50, 0x00, 0x00,     /* mov dword [0x5000], */
        0x78, 0x56, 0x34, 0x12,                 /*   0x12345678 */
        0xb0, 0x42,                             /* mov al, 0x42 */
        0x66, 0xba, 0x34, 0x12,                 /* mov dx, 0x1234 */
        0xee,                                   /* out dx, al */
        0xeb, 0xfe,                             /* jmp $ */
    };
    const AccelOps *ops;
    MemoryRegion ram, port;
    CPUX86State *env;
    GError *err = NULL;
    uint8_t *p;
    int ret;

    if (!have_kvm()) {
        g_test_skip("/dev/kvm does not open");
        return;
    }
    kvm_up();
    ops = kvm_ops();
    g_assert_true(memory_region_init_ram(&ram, NULL, "t.vram", 2 * MiB,
                                         NULL));
    p = memory_region_get_ram_ptr(&ram);
    memcpy(p + 0x1000, code, sizeof(code));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    g_assert_cmpuint(kvm_slots_find(&kvm_state->slots, 0)->flags, ==, 0);
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    g_assert_cmpuint(kvm_slots_find(&kvm_state->slots, 0)->flags, ==,
                     KVM_MEM_LOG_DIRTY_PAGES);
    memory_region_init_io(&port, NULL, &stop_port_ops, NULL, "t.stop", 1);
    memory_region_add_subregion(get_system_io(), 0x1234, &port);

    /* A CPU in flat 32-bit protected mode at 0x1000 (SDM 3A, 9.9). */
    dirty_cpu = x86_cpu_create(test_machine, 0, &err);
    g_assert_no_error(err);
    env = cpu_env(dirty_cpu);
    env->cr[0] = CR0_PE_MASK | CR0_ET_MASK;
    for (int i = 0; i < 6; i++) {
        flat_seg(env, i, i == R_CS);
    }
    env->rip = 0x1000;
    cpu_load_eflags(env, 0x2, ~0ULL);
    dirty_cpu->vcpu_dirty = true;

    bql_lock();
    g_assert_true(ops->vcpu_init(dirty_cpu, &err));
    g_assert_no_error(err);
    vm_start();
    ret = ops->vcpu_exec(dirty_cpu);
    g_assert_cmpint(ret, ==, VCPU_EXIT_KICKED);
    g_assert_cmpuint(port_value, ==, 0x42);
    g_assert_cmpuint(ldl_le_p(p + 0x5000), ==, 0x12345678);

    /* Only the page the guest wrote is dirty, once. */
    g_assert_false(memory_region_get_dirty(&ram, 0, 2 * MiB,
                                           DIRTY_MEMORY_VGA));
    memory_region_sync_dirty(&ram);
    g_assert_true(memory_region_get_dirty(&ram, 0x5000, 4,
                                          DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&ram, 0, 0x5000,
                                           DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&ram, 0x6000, 2 * MiB - 0x6000,
                                           DIRTY_MEMORY_VGA));
    memory_region_reset_dirty(&ram, 0, 2 * MiB, DIRTY_MEMORY_VGA);
    memory_region_sync_dirty(&ram);
    g_assert_false(memory_region_get_dirty(&ram, 0, 2 * MiB,
                                           DIRTY_MEMORY_VGA));

    /* The registers come back from the kernel: RIP past the OUT. */
    dirty_cpu->vcpu_dirty = false;
    ops->sync_to_state(dirty_cpu);
    g_assert_cmpuint(env->rip, ==, 0x1000 + 17);
    g_assert_cmpuint(env->regs[R_EAX] & 0xff, ==, 0x42);
    g_assert_cmpuint(env->regs[R_EDX] & 0xffff, ==, 0x1234);
    g_assert_true(env->cr[0] & CR0_PE_MASK);
    g_assert_cmpuint(env->segs[R_CS].selector, ==, 0x08);
    g_assert_true(env->segs[R_CS].flags & DESC_B_MASK);
    bql_unlock();

    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    g_assert_cmpuint(kvm_slots_find(&kvm_state->slots, 0)->flags, ==, 0);
    memory_region_del_subregion(get_system_io(), &port);
    memory_region_del_subregion(get_system_memory(), &ram);
    g_assert_null(kvm_slots_find(&kvm_state->slots, 0));
    memory_region_finalize(&port);
    memory_region_finalize(&ram);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kvm/slots/basic", test_slots_basic);
    g_test_add_func("/kvm/slots/alignment", test_slots_alignment);
    g_test_add_func("/kvm/slots/readonly", test_slots_readonly);
    g_test_add_func("/kvm/slots/split-merge", test_slots_split_merge);
    g_test_add_func("/kvm/slots/dirty-log", test_slots_dirty_log);
    g_test_add_func("/kvm/slots/overlap", test_slots_overlap);
    g_test_add_func("/kvm/slots/limits", test_slots_limits);
    g_test_add_func("/kvm/slots/random", test_slots_random);
    g_test_add_func("/kvm/gsi-routes", test_gsi_routes);
    g_test_add_func("/kvm/options", test_options);
    g_test_add_func("/kvm/available", test_available);
    g_test_add_func("/kvm/listener", test_listener);
    g_test_add_func("/kvm/irq-lines", test_irq_lines);
    g_test_add_func("/kvm/dirty-log-vcpu", test_dirty_log_vcpu);
    return g_test_run();
}
