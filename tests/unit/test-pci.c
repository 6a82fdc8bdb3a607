/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI core without a machine: a host bridge, the PIIX3 and test
 * devices on a bus of their own, driven through the 0xcf8/0xcfc ports
 * and the memory API, with the interrupt lines recorded here.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/isa/piix3.h"
#include "hw/misc/pci-testdev.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "system/runstate.h"

#define TESTDEV_ID ((uint32_t)PCI_TESTDEV_DEVICE_ID << 16 | \
                    PCI_TESTDEV_VENDOR_ID)

static PCIBus *bus;
static PIIX3State *piix3;
static MemoryRegion ram;            /* 1 MiB of RAM at 0 for MSI/DMA */
static int line_level[4];           /* PCI bus lines, as the bus reports */
static int line_calls[4];
static int gsi_level[24];           /* what the PIIX3 drives */

/* The bus lines: recorded, then on to the PIIX3 as on the PC. */
static void record_bus_line(void *opaque, int n, int level)
{
    line_level[n] = level;
    line_calls[n]++;
    piix3_set_pirq(piix3, n, level);
}

static void record_gsi(void *opaque, int n, int level)
{
    gsi_level[n] = level;
}

static int map_irq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % 4;
}

/* ---- config mechanism #1 ---------------------------------------------- */

static void select_reg(int devfn, uint32_t off)
{
    address_space_stl(&address_space_io, 0xcf8,
                      0x80000000u | devfn << 8 | (off & 0xfc));
}

static uint32_t cfg_read(int devfn, uint32_t off, unsigned size)
{
    select_reg(devfn, off);
    return address_space_ld(&address_space_io, 0xcfc + (off & 3), size);
}

static void cfg_write(int devfn, uint32_t off, uint32_t v, unsigned size)
{
    select_reg(devfn, off);
    address_space_st(&address_space_io, 0xcfc + (off & 3), v, size);
}

static PCIDevice *new_testdev(const char *addr, const char *extra_prop,
                              const char *extra_val, GError **errp)
{
    DeviceState *d = qdev_new(TYPE_PCI_TESTDEV);

    if (addr && !qdev_prop_parse(d, "addr", addr, errp)) {
        qdev_free(d);
        return NULL;
    }
    if (extra_prop && !qdev_prop_parse(d, extra_prop, extra_val, errp)) {
        qdev_free(d);
        return NULL;
    }
    if (!qdev_realize(d, &bus->qbus, errp)) {
        qdev_free(d);
        return NULL;
    }
    return PCI_DEVICE(d);
}

static PCIDevice *testdev_at(const char *addr)
{
    GError *err = NULL;
    PCIDevice *d = new_testdev(addr, NULL, NULL, &err);

    g_assert_no_error(err);
    return d;
}

static void test_config_mech1(void)
{
    /* Vendor/device of the host bridge and the ISA bridge. */
    g_assert_cmphex(cfg_read(0, 0, 4), ==, 0x12378086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), 0, 4), ==, 0x70008086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), PCI_CLASS_DEVICE, 2), ==,
                    0x0601);
    g_assert_cmphex(cfg_read(0, PCI_CLASS_DEVICE, 2), ==, 0x0600);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), PCI_HEADER_TYPE, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(0, PCI_HEADER_TYPE, 1), ==, 0x00);
    /* Byte and word accesses pick their part of the dword. */
    g_assert_cmphex(cfg_read(0, 0, 1), ==, 0x86);
    g_assert_cmphex(cfg_read(0, 1, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(0, 2, 1), ==, 0x37);
    g_assert_cmphex(cfg_read(0, 3, 1), ==, 0x12);
    g_assert_cmphex(cfg_read(0, 2, 2), ==, 0x1237);
    /* Absent functions read all ones. */
    g_assert_cmphex(cfg_read(PCI_DEVFN(0x1f, 7), 0, 4), ==, 0xffffffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(0, 3), 0, 2), ==, 0xffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(0x1e, 0), 0, 1), ==, 0xff);
    /* Writes to an absent function go nowhere (and do not crash). */
    cfg_write(PCI_DEVFN(0x1e, 0), 0x04, 0x7, 2);

    /* CONFIG_ADDRESS reads back without its reserved bits. */
    address_space_stl(&address_space_io, 0xcf8, 0xffffffff);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xcf8), ==,
                    0x80fffffc);
    /* Bus 0xff does not exist. */
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xcfc), ==,
                    0xffffffff);
    /* Only dword writes latch CONFIG_ADDRESS. */
    address_space_stl(&address_space_io, 0xcf8, 0x80000000);
    address_space_stw(&address_space_io, 0xcf8, 0x0800);
    address_space_stb(&address_space_io, 0xcfa, 0x01);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xcf8), ==,
                    0x80000000);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xcfc), ==,
                    0x12378086);
    /* Without the enable bit, the data port is not a config access. */
    address_space_stl(&address_space_io, 0xcf8, 0x00000000);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xcfc), ==,
                    0xffffffff);
    address_space_stl(&address_space_io, 0xcfc, 0);
    g_assert_cmphex(cfg_read(0, 0, 4), ==, 0x12378086);
    /* An unaligned word at 0xcff is split, never leaves the dword. */
    select_reg(0, 0);
    g_assert_cmphex(address_space_lduw(&address_space_io, 0xcfd), ==, 0x3780);
}

static void test_addr_property(void)
{
    static const struct {
        const char *in;
        int devfn;          /* -1: refused */
        const char *err;
    } cases[] = {
        { "04.0", PCI_DEVFN(4, 0) }, { "4", PCI_DEVFN(4, 0) },
        { "1f.7", PCI_DEVFN(0x1f, 7) }, { "a.3", PCI_DEVFN(10, 3) },
        { "10", PCI_DEVFN(16, 0) }, { "0x5", PCI_DEVFN(5, 0) },
        { "20", -1, "slot 0x20 out of range" },
        { "5.8", -1, "function 8 out of range" },
        { "zz", -1, "is not a PCI address" }, { "", -1, "not a PCI" },
        { "5.", -1, "not a PCI" }, { ".1", -1, "not a PCI" },
        { "5.1.2", -1, "not a PCI" }, { "-1", -1, "not a PCI" },
        { "ffffffffffffffffffff", -1, "not a PCI" },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        DeviceState *d = qdev_new(TYPE_PCI_TESTDEV);
        GError *err = NULL;
        bool ok = qdev_prop_parse(d, "addr", cases[i].in, &err);
        const Property *p = qdev_prop_find(d, "addr");

        if (cases[i].devfn >= 0) {
            g_autofree char *s = NULL;
            g_assert_no_error(err);
            g_assert_true(ok);
            g_assert_cmpint(PCI_DEVICE(d)->devfn, ==, cases[i].devfn);
            s = p->info->print(d, p);
            g_assert_cmpint(strlen(s), ==, 4);
        } else {
            g_assert_false(ok);
            g_assert_nonnull(err);
            if (!strstr(err->message, cases[i].err)) {
                g_printerr("%s: %s\n", cases[i].in, err->message);
            }
            g_assert_nonnull(strstr(err->message, cases[i].err));
            g_error_free(err);
            g_assert_cmpint(PCI_DEVICE(d)->devfn, ==, PCI_DEVFN_AUTO);
        }
        qdev_free(d);
    }
}

static void test_slot_assignment(void)
{
    GError *err = NULL;
    PCIDevice *a, *b, *c, *f1, *f0;

    /* Auto: the first slot with no function in use. */
    a = testdev_at(NULL);
    g_assert_cmpint(a->devfn, ==, PCI_DEVFN(2, 0));
    b = testdev_at(NULL);
    g_assert_cmpint(b->devfn, ==, PCI_DEVFN(3, 0));
    c = testdev_at("5.0");
    g_assert_cmpint(c->devfn, ==, PCI_DEVFN(5, 0));
    g_assert_true(pci_find_device(bus, PCI_DEVFN(5, 0)) == c);
    g_assert_cmphex(cfg_read(PCI_DEVFN(5, 0), 0, 4), ==, TESTDEV_ID);

    /* A taken slot: one clear message naming both. */
    g_assert_null(new_testdev("05.0", NULL, NULL, &err));
    g_assert_cmpstr(err->message, ==, "PCI: slot 5 function 0 not available "
                    "for pci-testdev, in use by pci-testdev");
    g_clear_error(&err);
    g_assert_null(new_testdev("1", NULL, NULL, &err));
    g_assert_cmpstr(err->message, ==, "PCI: slot 1 function 0 not available "
                    "for pci-testdev, in use by PIIX3");
    g_clear_error(&err);
    /* Function 1 behind a single-function function 0. */
    g_assert_null(new_testdev("5.1", NULL, NULL, &err));
    g_assert_nonnull(strstr(err->message, "single-function"));
    g_clear_error(&err);
    /* Behind the multi-function PIIX3 it is fine. */
    f1 = testdev_at("1.4");
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 4), 0, 2), ==,
                    PCI_TESTDEV_VENDOR_ID);

    /* A function 0 that is not multi-function cannot join functions. */
    f1 = testdev_at("7.2");
    g_assert_null(new_testdev("7.0", NULL, NULL, &err));
    g_assert_nonnull(strstr(err->message, "needs multifunction=on"));
    g_clear_error(&err);
    f0 = new_testdev("7.0", "multifunction", "on", &err);
    g_assert_no_error(err);
    g_assert_cmphex(cfg_read(PCI_DEVFN(7, 0), PCI_HEADER_TYPE, 1), ==, 0x80);
    /* Slot 7 is in use: auto skips it as well as 2, 3 and 5. */
    {
        PCIDevice *d = testdev_at(NULL);
        g_assert_cmpint(d->devfn, ==, PCI_DEVFN(4, 0));
        qdev_free(&d->qdev);
    }

    qdev_free(&f0->qdev);
    qdev_free(&f1->qdev);
    qdev_free(&pci_find_device(bus, PCI_DEVFN(1, 4))->qdev);
    qdev_free(&a->qdev);
    qdev_free(&b->qdev);
    qdev_free(&c->qdev);
    /* Freed functions are absent again. */
    g_assert_null(pci_find_device(bus, PCI_DEVFN(5, 0)));
    g_assert_cmphex(cfg_read(PCI_DEVFN(5, 0), 0, 4), ==, 0xffffffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(7, 2), 0, 4), ==, 0xffffffff);

    /* Bad property values refuse to realize with a message. */
    g_assert_null(new_testdev(NULL, "msi-vectors", "3", &err));
    g_assert_nonnull(strstr(err->message, "msi-vectors"));
    g_clear_error(&err);
    g_assert_null(new_testdev(NULL, "intx-pin", "5", &err));
    g_assert_nonnull(strstr(err->message, "intx-pin"));
    g_clear_error(&err);
    g_assert_null(new_testdev(NULL, "bar64-size", "3000", &err));
    g_assert_nonnull(strstr(err->message, "bar64-size"));
    g_clear_error(&err);
    g_assert_null(pci_find_device(bus, PCI_DEVFN(2, 0)));
}

/* The whole bus fills up and then refuses with a message. */
static void test_bus_full(void)
{
    GPtrArray *devs = g_ptr_array_new();
    GError *err = NULL;
    PCIDevice *d;

    while ((d = new_testdev(NULL, "msix-vectors", "0", &err))) {
        g_ptr_array_add(devs, d);
    }
    g_assert_cmpint(devs->len, ==, 30);
    g_assert_nonnull(strstr(err->message, "no free slot"));
    g_clear_error(&err);
    for (unsigned i = 0; i < devs->len; i++) {
        qdev_free(g_ptr_array_index(devs, i));
    }
    g_ptr_array_free(devs, TRUE);
}

static void test_write_masks(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;

    /* Identification is read-only. */
    cfg_write(df, PCI_VENDOR_ID, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(df, 0, 4), ==, TESTDEV_ID);
    cfg_write(df, PCI_CLASS_PROG, 0xff, 1);
    g_assert_cmphex(cfg_read(df, PCI_REVISION_ID, 4), ==, 0xff000001);
    /* Only the defined command bits stick. */
    cfg_write(df, PCI_COMMAND, 0xffff, 2);
    g_assert_cmphex(cfg_read(df, PCI_COMMAND, 2), ==, 0x0547);
    cfg_write(df, PCI_COMMAND, 0, 2);
    g_assert_cmphex(cfg_read(df, PCI_COMMAND, 2), ==, 0);
    /* Status: error bits are write-1-to-clear, the rest read-only. */
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) |
                 PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DETECTED_PARITY);
    cfg_write(df, PCI_STATUS, PCI_STATUS_DETECTED_PARITY, 2);
    g_assert_cmphex(cfg_read(df, PCI_STATUS, 2) &
                    (PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DETECTED_PARITY),
                    ==, PCI_STATUS_REC_MASTER_ABORT);
    cfg_write(df, PCI_STATUS, 0, 2);
    g_assert_cmphex(cfg_read(df, PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT,
                    ==, PCI_STATUS_REC_MASTER_ABORT);
    cfg_write(df, PCI_STATUS, 0xffff, 2);
    g_assert_cmphex(cfg_read(df, PCI_STATUS, 2), ==,
                    PCI_STATUS_CAP_LIST | PCI_STATUS_DEVSEL_MEDIUM);
    /* Interrupt Line is the guest's, Interrupt Pin is not. */
    cfg_write(df, PCI_INTERRUPT_LINE, 0xa5a5, 2);
    g_assert_cmphex(cfg_read(df, PCI_INTERRUPT_LINE, 2), ==, 0x01a5);
    /* The capability list is read-only. */
    {
        uint8_t cap = cfg_read(df, PCI_CAPABILITY_LIST, 1);
        cfg_write(df, PCI_CAPABILITY_LIST, 0x80, 1);
        g_assert_cmphex(cfg_read(df, PCI_CAPABILITY_LIST, 1), ==, cap);
        cfg_write(df, cap, 0xffff, 2);
        g_assert_cmphex(cfg_read(df, cap, 1), ==, d->config[cap]);
    }
    /* Out of range or misaligned accesses from code are refused. */
    g_assert_cmphex(pci_config_read(d, 0xff, 2), ==, 0xffff);
    g_assert_cmphex(pci_config_read(d, 0x100, 4), ==, 0xffffffff);
    g_assert_cmphex(pci_config_read(d, 2, 4), ==, 0xffffffff);
    pci_config_write(d, 0xfe, 0xffffffff, 4);
    qdev_free(&d->qdev);
}

static uint32_t probe32(int df, uint32_t off)
{
    uint32_t old = cfg_read(df, off, 4), v;

    cfg_write(df, off, 0xffffffff, 4);
    v = cfg_read(df, off, 4);
    cfg_write(df, off, old, 4);
    return v;
}

static void test_bar_sizing(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;

    g_assert_cmphex(probe32(df, PCI_BASE_ADDRESS_0), ==, 0xfffff000);
    g_assert_cmphex(probe32(df, PCI_BASE_ADDRESS_0 + 4), ==, 0xffffffc1);
    g_assert_cmphex(probe32(df, PCI_BASE_ADDRESS_0 + 8), ==, 0xffff000c);
    g_assert_cmphex(probe32(df, PCI_BASE_ADDRESS_0 + 12), ==, 0xffffffff);
    g_assert_cmphex(probe32(df, PCI_BASE_ADDRESS_0 + 16), ==, 0xfffff000);
    g_assert_cmphex(probe32(df, PCI_BASE_ADDRESS_5), ==, 0);
    g_assert_cmphex(probe32(df, PCI_ROM_ADDRESS), ==, 0);
    /* The flag bits stay whatever is written. */
    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, 0, 4);
    g_assert_cmphex(cfg_read(df, PCI_BASE_ADDRESS_0 + 4, 4), ==, 1);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    g_assert_cmphex(cfg_read(df, PCI_BASE_ADDRESS_0 + 8, 4), ==, 0xc);
    qdev_free(&d->qdev);

    /* The 64-bit BAR's size follows the property, above 4 GiB too. */
    {
        GError *err = NULL;
        d = new_testdev("6.0", "bar64-size", "1G", &err);
        g_assert_no_error(err);
        g_assert_cmphex(probe32(d->devfn, PCI_BASE_ADDRESS_0 + 8), ==,
                        0xc000000c);
        qdev_free(&d->qdev);
    }
}

static uint32_t mem_readl(uint64_t a)
{
    return address_space_ldl(&address_space_memory, a);
}

/* The expansion ROM BAR: decoded only with its enable bit and memory
 * decoding, read-only to the guest. */
static void test_rom_bar(void)
{
    GError *err = NULL;
    PCIDevice *d = new_testdev("6.0", "rom-size", "64K", &err);
    int df;

    g_assert_no_error(err);
    df = d->devfn;
    g_assert_cmphex(probe32(df, PCI_ROM_ADDRESS), ==, 0xffff0001);
    cfg_write(df, PCI_ROM_ADDRESS, 0xe0400000, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_bar_addr(d, PCI_ROM_SLOT), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(0xe0400000), ==, 0);
    cfg_write(df, PCI_ROM_ADDRESS, 0xe0400000 | PCI_ROM_ADDRESS_ENABLE, 4);
    g_assert_cmphex(pci_get_bar_addr(d, PCI_ROM_SLOT), ==, 0xe0400000);
    g_assert_cmphex(address_space_lduw(&address_space_memory, 0xe0400000), ==,
                    0xaa55);
    g_assert_cmphex(address_space_ldub(&address_space_memory, 0xe0400002),
                    ==, 128);
    g_assert_cmphex(address_space_ldub(&address_space_memory,
                                       0xe0400000 + 0x1234), ==,
                    (0x1234 ^ PCI_TESTDEV_ROM_PATTERN) & 0xff);
    address_space_stl(&address_space_memory, 0xe0400000, 0);
    g_assert_cmphex(address_space_lduw(&address_space_memory, 0xe0400000), ==,
                    0xaa55);
    /* Memory decoding off hides it even with the enable bit. */
    cfg_write(df, PCI_COMMAND, 0, 2);
    g_assert_cmphex(mem_readl(0xe0400000), ==, 0);
    /* Reset clears the ROM BAR, enable bit included. */
    qdev_reset(&d->qdev);
    g_assert_cmphex(cfg_read(df, PCI_ROM_ADDRESS, 4), ==, 0);
    qdev_free(&d->qdev);
    g_assert_null(new_testdev("6.0", "rom-size", "1000", &err));
    g_assert_nonnull(strstr(err->message, "rom-size"));
    g_clear_error(&err);
}

static void test_bar_mapping(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;
    const uint64_t mmio = 0xe0001000;

    /* Programmed but decoding off: not there. */
    cfg_write(df, PCI_BASE_ADDRESS_0, mmio, 4);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, 0xc040, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(mmio), ==, 0);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xc040), ==,
                    0xffffffff);
    /* Memory decoding maps the memory BAR only. */
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, mmio);
    g_assert_cmphex(mem_readl(mmio), ==, PCI_TESTDEV_MAGIC);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xc040), ==,
                    0xffffffff);
    address_space_stl(&address_space_memory, mmio + PCI_TESTDEV_SCRATCH,
                      0xcafef00d);
    /* I/O decoding maps the I/O BAR: the same registers. */
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      0xc040 + PCI_TESTDEV_SCRATCH), ==,
                    0xcafef00d);
    g_assert_cmphex(address_space_lduw(&address_space_io,
                                      0xc040 + PCI_TESTDEV_SCRATCH + 2), ==,
                    0xcafe);
    address_space_stb(&address_space_io, 0xc040 + PCI_TESTDEV_SCRATCH, 0x11);
    g_assert_cmphex(mem_readl(mmio + PCI_TESTDEV_SCRATCH), ==, 0xcafef011);
    /* Moving a BAR moves the mapping. */
    cfg_write(df, PCI_BASE_ADDRESS_0, mmio + 0x10000, 4);
    g_assert_cmphex(mem_readl(mmio), ==, 0);
    g_assert_cmphex(mem_readl(mmio + 0x10000), ==, PCI_TESTDEV_MAGIC);
    /* A size probe with decoding on does not map at all ones. */
    cfg_write(df, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    /* Nor at 0. */
    cfg_write(df, PCI_BASE_ADDRESS_0, 0, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    /* An I/O BAR past 64 KiB is not decoded; one at the top is. */
    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, 0x10000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, 0xffc0, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, 0xffc0);
    g_assert_cmphex(address_space_ldl(&address_space_io, 0xffc0), ==,
                    PCI_TESTDEV_MAGIC);

    /* A BAR over RAM: RAM stays visible, the BAR hides under it. */
    address_space_stl(&address_space_memory, 0x8000, 0x12345678);
    cfg_write(df, PCI_BASE_ADDRESS_0, 0x8000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, 0x8000);
    g_assert_cmphex(mem_readl(0x8000), ==, 0x12345678);
    address_space_stl(&address_space_memory, 0x8004, 0x9abcdef0);
    g_assert_cmphex(mem_readl(0x8004), ==, 0x9abcdef0);
    g_assert_cmphex(d->config[PCI_COMMAND] & 3, ==, 3);

    /* The 64-bit BAR: both halves make the address. */
    cfg_write(df, PCI_BASE_ADDRESS_0 + 8, 0x00000000, 4);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 12, 0x2, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0x200000000ULL);
    address_space_stq(&address_space_memory, 0x200000000ULL + 0x100,
                      0x0102030405060708ULL);
    g_assert_cmphex(address_space_ldq(&address_space_memory,
                                      0x200000000ULL + 0x100), ==,
                    0x0102030405060708ULL);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 8, 0x10000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0x200010000ULL);
    g_assert_cmphex(address_space_ldq(&address_space_memory,
                                      0x200010000ULL + 0x100), ==,
                    0x0102030405060708ULL);
    /* Beyond the physical address width: not decoded. */
    cfg_write(df, PCI_BASE_ADDRESS_0 + 12, 0x100, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, PCI_BAR_UNMAPPED);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 12, 0xff, 4);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 8, 0xffff0000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0xffffff0000ULL);

    /* Decoding off unmaps everything. */
    cfg_write(df, PCI_COMMAND, 0, 2);
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        g_assert_cmphex(pci_get_bar_addr(d, n), ==, PCI_BAR_UNMAPPED);
    }
    /* Unrealize with decoding on leaves nothing behind. */
    cfg_write(df, PCI_BASE_ADDRESS_0, mmio, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mem_readl(mmio), ==, PCI_TESTDEV_MAGIC);
    qdev_free(&d->qdev);
    g_assert_cmphex(mem_readl(mmio), ==, 0);
}

static void test_intx(void)
{
    GError *err = NULL;
    PCIDevice *a = testdev_at("5.0");      /* INTA: line (5 + 0) % 4 = 1 */
    PCIDevice *b = testdev_at("9.0");      /* INTA: line (9 + 0) % 4 = 1 */
    PCIDevice *c = new_testdev("0a.0", "intx-pin", "4", &err); /* line 1 */
    PCIDevice *e = testdev_at("0b.0");     /* INTA: line 3 */
    int calls;

    g_assert_no_error(err);
    g_assert_cmpint(c->config[PCI_INTERRUPT_PIN], ==, 4);
    memset(line_level, 0, sizeof(line_level));
    pci_set_irq(a, 1);
    g_assert_cmpint(line_level[1], ==, 1);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 1), ==, 1);
    g_assert_true(cfg_read(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    g_assert_false(cfg_read(b->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    /* Shared line: ORed, one deasserting does not lower it. */
    calls = line_calls[1];
    pci_set_irq(b, 1);
    pci_set_irq(c, 1);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 1), ==, 3);
    g_assert_cmpint(line_calls[1], ==, calls);
    pci_set_irq(a, 0);
    pci_set_irq(c, 0);
    g_assert_cmpint(line_level[1], ==, 1);
    pci_set_irq(b, 0);
    g_assert_cmpint(line_level[1], ==, 0);
    g_assert_cmpint(line_calls[1], ==, calls + 1);
    /* Repeating a level changes nothing. */
    pci_set_irq(e, 1);
    pci_set_irq(e, 1);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 3), ==, 1);
    pci_set_irq(e, 0);
    pci_set_irq(e, 0);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 3), ==, 0);

    /* Interrupt Disable: the line drops, the status bit stays. */
    pci_set_irq(a, 1);
    cfg_write(a->devfn, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(line_level[1], ==, 0);
    g_assert_true(cfg_read(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_set_irq(a, 0);
    pci_set_irq(a, 1);
    g_assert_cmpint(line_level[1], ==, 0);
    cfg_write(a->devfn, PCI_COMMAND, 0, 2);
    g_assert_cmpint(line_level[1], ==, 1);
    /* The device's own register does the same. */
    cfg_write(b->devfn, PCI_BASE_ADDRESS_0 + 4, 0xc000, 4);
    cfg_write(b->devfn, PCI_COMMAND, PCI_COMMAND_IO, 2);
    address_space_stl(&address_space_io, 0xc000 + PCI_TESTDEV_INTX, 1);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 1), ==, 2);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      0xc000 + PCI_TESTDEV_INTX), ==, 1);
    /* Removing an asserting device releases its share. */
    qdev_free(&b->qdev);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 1), ==, 1);
    /* Reset deasserts. */
    qdev_reset(&a->qdev);
    g_assert_cmpint(line_level[1], ==, 0);
    g_assert_false(cfg_read(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    qdev_free(&a->qdev);
    qdev_free(&c->qdev);
    qdev_free(&e->qdev);
}

static void test_piix3_routing(void)
{
    int df = PCI_DEVFN(1, 0);
    IRQLine *isa_in = qdev_get_gpio_in(&piix3->parent.qdev, 10);

    /* Reset: routing disabled, PIRQs reach only their GSI. */
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(cfg_read(df, PIIX3_PIRQC + i, 1), ==, 0x80);
    }
    memset(gsi_level, 0, sizeof(gsi_level));
    piix3_set_pirq(piix3, 1, 1);
    g_assert_cmpint(gsi_level[17], ==, 1);
    for (int i = 0; i < 16; i++) {
        g_assert_cmpint(gsi_level[i], ==, 0);
    }
    /* Route PIRQB to IRQ 10: the asserted line appears there now. */
    cfg_write(df, PIIX3_PIRQC + 1, 0x0a, 1);
    g_assert_cmpint(piix3_pirq_route(piix3, 1), ==, 10);
    g_assert_cmpint(gsi_level[10], ==, 1);
    g_assert_cmpint(gsi_level[17], ==, 1);
    /* Reserved bits read 0. */
    cfg_write(df, PIIX3_PIRQC + 2, 0x7b, 1);
    g_assert_cmphex(cfg_read(df, PIIX3_PIRQC + 2, 1), ==, 0x0b);
    /* An ISA device on IRQ 10 shares the line: ORed. */
    irq_set(isa_in, 1);
    piix3_set_pirq(piix3, 1, 0);
    g_assert_cmpint(gsi_level[10], ==, 1);
    g_assert_cmpint(gsi_level[17], ==, 0);
    irq_set(isa_in, 0);
    g_assert_cmpint(gsi_level[10], ==, 0);
    piix3_set_pirq(piix3, 1, 1);
    g_assert_cmpint(gsi_level[10], ==, 1);
    /* Rerouting moves it; disabling removes it. */
    cfg_write(df, PIIX3_PIRQC + 1, 0x05, 1);
    g_assert_cmpint(gsi_level[10], ==, 0);
    g_assert_cmpint(gsi_level[5], ==, 1);
    cfg_write(df, PIIX3_PIRQC + 1, 0x85, 1);
    g_assert_cmpint(gsi_level[5], ==, 0);
    g_assert_cmpint(piix3_pirq_route(piix3, 1), ==, -1);
    /* Reserved IRQ encodings route nowhere. */
    for (int irq = 0; irq < 16; irq++) {
        bool valid = irq >= 3 && irq != 8 && irq != 13;
        cfg_write(df, PIIX3_PIRQC + 1, irq, 1);
        g_assert_cmpint(piix3_pirq_route(piix3, 1), ==, valid ? irq : -1);
        for (int i = 0; i < 16; i++) {
            g_assert_cmpint(gsi_level[i], ==, valid && i == irq);
        }
    }
    /* Two PIRQs on one IRQ: the line stays up until both drop. */
    cfg_write(df, PIIX3_PIRQC + 1, 11, 1);
    cfg_write(df, PIIX3_PIRQC + 2, 11, 1);
    piix3_set_pirq(piix3, 2, 1);
    piix3_set_pirq(piix3, 1, 0);
    g_assert_cmpint(gsi_level[11], ==, 1);
    piix3_set_pirq(piix3, 2, 0);
    g_assert_cmpint(gsi_level[11], ==, 0);
    /* An unshared ISA line passes straight through. */
    irq_set(qdev_get_gpio_in(&piix3->parent.qdev, 4), 1);
    g_assert_cmpint(gsi_level[4], ==, 1);
    irq_set(qdev_get_gpio_in(&piix3->parent.qdev, 4), 0);
    g_assert_cmpint(gsi_level[4], ==, 0);
    /* Through a real device: slot 6 INTA is PIRQC (line 2). */
    {
        PCIDevice *d = testdev_at("6.0");
        pci_set_irq(d, 1);
        g_assert_cmpint(gsi_level[18], ==, 1);
        g_assert_cmpint(gsi_level[11], ==, 1);
        qdev_free(&d->qdev);
        g_assert_cmpint(gsi_level[18], ==, 0);
        g_assert_cmpint(gsi_level[11], ==, 0);
    }
    /* Reset puts the routes back to disabled. */
    qdev_reset(&piix3->parent.qdev);
    g_assert_cmphex(cfg_read(df, PIIX3_PIRQC + 2, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(df, 0x4c, 1), ==, 0x4d);
}

static void test_capabilities(void)
{
    PCIDevice *d = testdev_at("6.0");
    GError *err = NULL;
    uint8_t msi = pci_find_capability(d, PCI_CAP_ID_MSI);
    uint8_t msix = pci_find_capability(d, PCI_CAP_ID_MSIX);
    uint8_t pos, seen = 0;

    g_assert_cmpint(msi, >=, 0x40);
    g_assert_cmpint(msix, >=, 0x40);
    g_assert_cmpint(msi, ==, d->msi_cap);
    g_assert_cmpint(msix, ==, d->msix_cap);
    /* Walk the list through config space: both, then the end. */
    for (pos = cfg_read(d->devfn, PCI_CAPABILITY_LIST, 1); pos;
         pos = cfg_read(d->devfn, pos + 1, 1)) {
        seen |= cfg_read(d->devfn, pos, 1) == PCI_CAP_ID_MSI ? 1 : 2;
    }
    g_assert_cmpint(seen, ==, 3);
    /* Overlaps and no-room are refused. */
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, msi, 4, &err), ==,
                    0);
    g_assert_nonnull(strstr(err->message, "overlaps"));
    g_clear_error(&err);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0xfc, 8, &err), ==,
                    0);
    g_clear_error(&err);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0x41, 4, &err), ==,
                    0);
    g_clear_error(&err);
    pos = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 8, &err);
    g_assert_no_error(err);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_VNDR), ==, pos);
    g_assert_cmpint(cfg_read(d->devfn, PCI_CAPABILITY_LIST, 1), ==, pos);
    pci_del_capability(d, PCI_CAP_ID_VNDR, 8);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_VNDR), ==, 0);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, msi);
    /* Fill the space: the last one fails with a message. */
    while ((pos = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 16, &err))) {
    }
    g_assert_nonnull(strstr(err->message, "no room"));
    g_clear_error(&err);
    qdev_free(&d->qdev);
}

static void msi_setup(PCIDevice *d, uint64_t addr, uint16_t data,
                      unsigned mme)
{
    int df = d->devfn;
    uint8_t cap = d->msi_cap;

    cfg_write(df, cap + PCI_MSI_ADDRESS_LO, (uint32_t)addr, 4);
    cfg_write(df, cap + PCI_MSI_ADDRESS_HI, addr >> 32, 4);
    cfg_write(df, cap + PCI_MSI_DATA_64, data, 2);
    cfg_write(df, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | mme << 4, 2);
}

static void test_msi(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;
    uint8_t cap = d->msi_cap;
    uint16_t flags = cfg_read(df, cap + PCI_MSI_FLAGS, 2);

    /* 4 vectors, 64-bit, per-vector masking; nothing enabled. */
    g_assert_cmphex(flags, ==, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
                    (2 << 1));
    g_assert_false(msi_enabled(d));
    /* Address bits 1:0 and unimplemented mask bits read 0. */
    cfg_write(df, cap + PCI_MSI_ADDRESS_LO, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(df, cap + PCI_MSI_ADDRESS_LO, 4), ==,
                    0xfffffffc);
    cfg_write(df, cap + PCI_MSI_MASK_64, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(df, cap + PCI_MSI_MASK_64, 4), ==, 0xf);
    cfg_write(df, cap + PCI_MSI_MASK_64, 0, 4);
    cfg_write(df, cap + PCI_MSI_PENDING_64, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(df, cap + PCI_MSI_PENDING_64, 4), ==, 0);

    /* Disabled: nothing is written. */
    address_space_stl(&address_space_memory, 0x1000, 0);
    msi_notify(d, 0);
    g_assert_cmphex(mem_readl(0x1000), ==, 0);
    /* Enabled, but bus mastering off: dropped. */
    msi_setup(d, 0x1000, 0x4560, 0);
    g_assert_true(msi_enabled(d));
    msi_notify(d, 0);
    g_assert_cmphex(mem_readl(0x1000), ==, 0);
    /* Bus master on: the data lands at the address. */
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    msi_notify(d, 0);
    g_assert_cmphex(mem_readl(0x1000), ==, 0x4560);
    /* One vector enabled: others are dropped. */
    address_space_stl(&address_space_memory, 0x1000, 0);
    msi_notify(d, 1);
    g_assert_cmphex(mem_readl(0x1000), ==, 0);
    /* Four enabled: the vector goes into the low data bits. */
    msi_setup(d, 0x1000, 0x4560, 2);
    g_assert_cmpint(msi_nr_vectors_enabled(d), ==, 4);
    msi_notify(d, 3);
    g_assert_cmphex(mem_readl(0x1000), ==, 0x4563);
    /* More enabled than capable: clamped to 4. */
    msi_setup(d, 0x1000, 0x4560, 5);
    g_assert_cmpint(msi_nr_vectors_enabled(d), ==, 4);
    msi_notify(d, 4);
    g_assert_cmphex(mem_readl(0x1000), ==, 0x4563);
    /* A masked vector waits in the pending bits until unmasked. */
    cfg_write(df, cap + PCI_MSI_MASK_64, 0x2, 4);
    address_space_stl(&address_space_memory, 0x1000, 0);
    msi_notify(d, 1);
    g_assert_cmphex(mem_readl(0x1000), ==, 0);
    g_assert_true(msi_is_pending(d, 1));
    g_assert_cmphex(cfg_read(df, cap + PCI_MSI_PENDING_64, 4), ==, 0x2);
    cfg_write(df, cap + PCI_MSI_MASK_64, 0, 4);
    g_assert_cmphex(mem_readl(0x1000), ==, 0x4561);
    g_assert_false(msi_is_pending(d, 1));
    /* A 64-bit address: above 4 GiB, into the 64-bit BAR's RAM. */
    cfg_write(df, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 12, 3, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY, 2);
    msi_setup(d, 0x300000020ULL, 0x77, 0);
    msi_notify(d, 0);
    g_assert_cmphex(mem_readl(0x300000020ULL), ==, 0x77);
    /* Enabling MSI takes the function off INTx. */
    msi_setup(d, 0x1000, 0, 0);
    cfg_write(df, cap + PCI_MSI_FLAGS, 0, 2);
    pci_set_irq(d, 1);
    g_assert_cmpint(line_level[2], ==, 1);
    cfg_write(df, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
    g_assert_cmpint(line_level[2], ==, 0);
    /* Through the device's register, via its I/O BAR. */
    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, 0xc000, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MASTER | PCI_COMMAND_IO, 2);
    msi_setup(d, 0x2000, 0x99, 0);
    address_space_stl(&address_space_io, 0xc000 + PCI_TESTDEV_MSI, 0);
    g_assert_cmphex(mem_readl(0x2000), ==, 0x99);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      0xc000 + PCI_TESTDEV_IRQ_COUNT), ==, 1);
    /* Reset disables MSI and clears its registers. */
    qdev_reset(&d->qdev);
    g_assert_false(msi_enabled(d));
    g_assert_cmphex(cfg_read(df, cap + PCI_MSI_ADDRESS_LO, 4), ==, 0);
    g_assert_cmphex(cfg_read(df, cap + PCI_MSI_FLAGS, 2), ==, flags);
    qdev_free(&d->qdev);

    /* A 32-bit layout without masking. */
    {
        DeviceState *q = qdev_new(TYPE_PCI_TESTDEV);
        GError *err = NULL;

        qdev_prop_set_bit(q, "msi64", false);
        qdev_prop_set_bit(q, "msi-mask", false);
        qdev_prop_set_uint32(q, "msi-vectors", 1);
        g_assert_true(qdev_realize(q, &bus->qbus, &err));
        d = PCI_DEVICE(q);
        cap = d->msi_cap;
        g_assert_cmphex(cfg_read(d->devfn, cap + PCI_MSI_FLAGS, 2), ==, 0);
        cfg_write(d->devfn, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
        cfg_write(d->devfn, cap + PCI_MSI_ADDRESS_LO, 0x3000, 4);
        cfg_write(d->devfn, cap + PCI_MSI_DATA_32, 0xabcd, 2);
        cfg_write(d->devfn, cap + PCI_MSI_FLAGS, 0xffff, 2);
        g_assert_cmphex(cfg_read(d->devfn, cap + PCI_MSI_FLAGS, 2), ==,
                        0x71);
        g_assert_cmpint(msi_nr_vectors_enabled(d), ==, 1);
        msi_notify(d, 0);
        g_assert_cmphex(mem_readl(0x3000), ==, 0xabcd);
        /* Nothing to mask: a vector is never held back. */
        g_assert_false(msi_is_masked(d, 0));
        qdev_free(q);
    }
}

static void test_msix(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;
    uint8_t cap = d->msix_cap;
    const uint64_t bar = 0xe0100000;
    uint64_t entry2 = bar + 2 * PCI_MSIX_ENTRY_SIZE;
    uint32_t pba_off;

    g_assert_cmphex(cfg_read(df, cap + PCI_MSIX_FLAGS, 2), ==, 7);
    g_assert_cmphex(cfg_read(df, cap + PCI_MSIX_TABLE, 4), ==,
                    PCI_TESTDEV_BAR_MSIX);
    pba_off = cfg_read(df, cap + PCI_MSIX_PBA, 4);
    g_assert_cmphex(pba_off & 7, ==, PCI_TESTDEV_BAR_MSIX);
    pba_off &= ~7;
    g_assert_cmphex(pba_off, ==, 8 * PCI_MSIX_ENTRY_SIZE);
    /* Only Enable and Function Mask are writable. */
    cfg_write(df, cap + PCI_MSIX_FLAGS, 0x3fff, 2);
    g_assert_cmphex(cfg_read(df, cap + PCI_MSIX_FLAGS, 2), ==, 7);

    cfg_write(df, PCI_BASE_ADDRESS_0 + 16, bar, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    /* Every vector starts masked. */
    for (int v = 0; v < 8; v++) {
        g_assert_cmphex(mem_readl(bar + v * 16 + PCI_MSIX_ENTRY_CTRL), ==, 1);
    }
    address_space_stl(&address_space_memory, entry2, 0x4000);
    address_space_stl(&address_space_memory, entry2 + 4, 0);
    address_space_stl(&address_space_memory, entry2 + 8, 0xbeef);
    g_assert_cmphex(mem_readl(entry2 + 8), ==, 0xbeef);
    /* Reserved vector-control bits read 0. */
    address_space_stl(&address_space_memory, entry2 + 12, 0xfffffffe);
    g_assert_cmphex(mem_readl(entry2 + 12), ==, 0);

    /* Disabled: nothing, not even pending. */
    address_space_stl(&address_space_memory, 0x4000, 0);
    msix_notify(d, 2);
    g_assert_cmphex(mem_readl(0x4000), ==, 0);
    g_assert_false(msix_is_pending(d, 2));
    /* Enabled and unmasked: the message goes. */
    cfg_write(df, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    msix_notify(d, 2);
    g_assert_cmphex(mem_readl(0x4000), ==, 0xbeef);
    /* Vector mask: pending, shown in the PBA, sent on unmask. */
    address_space_stl(&address_space_memory, 0x4000, 0);
    address_space_stl(&address_space_memory, entry2 + 12, 1);
    msix_notify(d, 2);
    g_assert_cmphex(mem_readl(0x4000), ==, 0);
    g_assert_cmphex(mem_readl(bar + pba_off), ==, 1u << 2);
    /* The PBA is read-only. */
    address_space_stl(&address_space_memory, bar + pba_off, 0);
    g_assert_cmphex(mem_readl(bar + pba_off), ==, 1u << 2);
    address_space_stl(&address_space_memory, entry2 + 12, 0);
    g_assert_cmphex(mem_readl(0x4000), ==, 0xbeef);
    g_assert_cmphex(mem_readl(bar + pba_off), ==, 0);
    /* Function mask: the same for the whole function. */
    address_space_stl(&address_space_memory, 0x4000, 0);
    cfg_write(df, cap + PCI_MSIX_FLAGS,
              PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
    msix_notify(d, 2);
    g_assert_cmphex(mem_readl(0x4000), ==, 0);
    g_assert_true(msix_is_pending(d, 2));
    cfg_write(df, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_cmphex(mem_readl(0x4000), ==, 0xbeef);
    g_assert_false(msix_is_pending(d, 2));
    /* Still masked vectors stay pending when the function unmasks. */
    msix_notify(d, 5);
    g_assert_true(msix_is_pending(d, 5));
    /* Out of range: dropped. */
    msix_notify(d, 8);
    msix_notify(d, 0xffffffff);
    /* A qword write fills address low and high. */
    address_space_stq(&address_space_memory, bar + 5 * 16,
                      0x300000040ULL);
    g_assert_cmphex(mem_readl(bar + 5 * 16 + 4), ==, 3);
    address_space_stl(&address_space_memory, bar + 5 * 16 + 8, 0x55);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    cfg_write(df, PCI_BASE_ADDRESS_0 + 12, 3, 4);
    address_space_stl(&address_space_memory, bar + 5 * 16 + 12, 0);
    g_assert_cmphex(mem_readl(0x300000040ULL), ==, 0x55);
    /* Through the device's register. */
    cfg_write(df, PCI_BASE_ADDRESS_0, 0xe0200000, 4);
    address_space_stl(&address_space_memory, 0x4000, 0);
    address_space_stl(&address_space_memory, 0xe0200000 + PCI_TESTDEV_MSIX,
                      2);
    g_assert_cmphex(mem_readl(0x4000), ==, 0xbeef);
    /* Past the table and PBA, the BAR reads nothing. */
    g_assert_cmphex(mem_readl(bar + 0x800), ==, 0);
    /* Enabling MSI-X takes the function off INTx. */
    cfg_write(df, cap + PCI_MSIX_FLAGS, 0, 2);
    pci_set_irq(d, 1);
    g_assert_cmpint(line_level[2], ==, 1);
    cfg_write(df, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_cmpint(line_level[2], ==, 0);
    /* Reset: disabled, all masked, nothing pending. */
    qdev_reset(&d->qdev);
    g_assert_false(msix_enabled(d));
    g_assert_true(msix_is_masked(d, 2));
    g_assert_false(msix_is_pending(d, 5));
    qdev_free(&d->qdev);
}

static void test_dma_bus_master(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;
    const uint32_t io = 0xc000;

    cfg_write(df, PCI_BASE_ADDRESS_0 + 4, io, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_IO, 2);
    address_space_stl(&address_space_memory, 0x5000, 0x11111111);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_SCRATCH, 0x22222222);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_LO, 0x5000);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_HI, 0);
    /* Bus mastering off: refused both ways. */
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_CMD,
                      PCI_TESTDEV_DMA_WRITE);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      io + PCI_TESTDEV_DMA_STATUS), ==, 0);
    g_assert_cmphex(mem_readl(0x5000), ==, 0x11111111);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_CMD,
                      PCI_TESTDEV_DMA_READ);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      io + PCI_TESTDEV_SCRATCH), ==,
                    0x22222222);
    /* On: both directions work. */
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_CMD,
                      PCI_TESTDEV_DMA_WRITE);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      io + PCI_TESTDEV_DMA_STATUS), ==, 1);
    g_assert_cmphex(mem_readl(0x5000), ==, 0x22222222);
    address_space_stl(&address_space_memory, 0x5000, 0x33333333);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_CMD,
                      PCI_TESTDEV_DMA_READ);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      io + PCI_TESTDEV_SCRATCH), ==,
                    0x33333333);
    /* Unassigned memory: reported as failed. */
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_HI, 0x10);
    address_space_stl(&address_space_io, io + PCI_TESTDEV_DMA_CMD,
                      PCI_TESTDEV_DMA_WRITE);
    g_assert_cmphex(address_space_ldl(&address_space_io,
                                      io + PCI_TESTDEV_DMA_STATUS), ==, 0);
    qdev_free(&d->qdev);
}

static void test_reset(void)
{
    PCIDevice *d = testdev_at("6.0");
    int df = d->devfn;

    cfg_write(df, PCI_BASE_ADDRESS_0, 0xe0001000, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    cfg_write(df, PCI_INTERRUPT_LINE, 9, 1);
    cfg_write(df, PCI_LATENCY_TIMER, 0x40, 1);
    address_space_stl(&address_space_memory, 0xe0001000 + PCI_TESTDEV_SCRATCH,
                      7);
    g_assert_cmphex(mem_readl(0xe0001000), ==, PCI_TESTDEV_MAGIC);
    qdev_reset(&d->qdev);
    g_assert_cmphex(cfg_read(df, PCI_COMMAND, 2), ==, 0);
    g_assert_cmphex(cfg_read(df, PCI_BASE_ADDRESS_0, 4), ==, 0);
    g_assert_cmphex(cfg_read(df, PCI_BASE_ADDRESS_0 + 8, 4), ==, 0xc);
    g_assert_cmphex(cfg_read(df, PCI_INTERRUPT_LINE, 1), ==, 0);
    g_assert_cmphex(cfg_read(df, PCI_LATENCY_TIMER, 1), ==, 0);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(0xe0001000), ==, 0);
    cfg_write(df, PCI_BASE_ADDRESS_0, 0xe0001000, 4);
    cfg_write(df, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mem_readl(0xe0001000 + PCI_TESTDEV_SCRATCH), ==, 0);
    qdev_free(&d->qdev);
}

/*
 * A hostile guest: random config writes of every size to every
 * function, random BAR and MSI-X table contents, interrupts requested
 * in between. Nothing may crash, read-only fields stay, and the INTx
 * counts stay within what the devices can assert.
 */
static void test_config_fuzz(void)
{
    g_autoptr(GRand) rng = g_rand_new_with_seed(0x9c1f00d5);
    PCIDevice *d[3] = { testdev_at("5.0"), testdev_at("9.0"),
                        testdev_at("0d.0") };
    const int fns[] = { PCI_DEVFN(0, 0), PCI_DEVFN(1, 0), PCI_DEVFN(5, 0),
                        PCI_DEVFN(9, 0), PCI_DEVFN(0xd, 0) };

    for (int i = 0; i < 20000; i++) {
        int df = fns[g_rand_int_range(rng, 0, ARRAY_SIZE(fns))];
        unsigned size = 1u << g_rand_int_range(rng, 0, 3);
        uint32_t off = g_rand_int_range(rng, 0, 256) & ~(size - 1);
        uint32_t val = g_rand_int(rng);
        PCIDevice *t = d[g_rand_int_range(rng, 0, 3)];

        cfg_write(df, off, val, size);
        switch (g_rand_int_range(rng, 0, 6)) {
        case 0:
            pci_set_irq(t, g_rand_int_range(rng, 0, 2));
            break;
        case 1:
            msi_notify(t, g_rand_int_range(rng, 0, 40));
            break;
        case 2:
            msix_notify(t, g_rand_int_range(rng, 0, 12));
            break;
        case 3:
            if (t->msix_table) {
                /* Straight into the table, as the BAR would. */
                memory_region_dispatch_write(&t->msix_table_mmio,
                                             g_rand_int_range(rng, 0, 128),
                                             g_rand_int(rng), 1);
            }
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < ARRAY_SIZE(fns); i++) {
        g_assert_cmphex(cfg_read(fns[i], 0, 2), ==,
                        i < 2 ? 0x8086 : PCI_TESTDEV_VENDOR_ID);
    }
    for (int line = 0; line < 4; line++) {
        g_assert_cmpint(pci_bus_get_irq_level(bus, line), >=, 0);
        g_assert_cmpint(pci_bus_get_irq_level(bus, line), <=, 3);
    }
    for (int i = 0; i < 3; i++) {
        qdev_free(&d[i]->qdev);
    }
    for (int line = 0; line < 4; line++) {
        g_assert_cmpint(pci_bus_get_irq_level(bus, line), ==, 0);
        g_assert_cmpint(line_level[line], ==, 0);
    }
    /* The chipset is still answering normally. */
    g_assert_cmphex(cfg_read(0, 0, 4), ==, 0x12378086);
    qdev_reset(&piix3->parent.qdev);
}

/*
 * Messages and DMA aimed at device registers that start more of them:
 * a device's own registers are not re-entered, and chains across
 * devices stop at the nesting limit instead of recursing forever.
 */
static void test_reentrancy(void)
{
    PCIDevice *d[10];
    const uint64_t base = 0xe0000000;

    for (int i = 0; i < 10; i++) {
        char addr[8];

        snprintf(addr, sizeof(addr), "%x.0", 0x10 + i);
        d[i] = testdev_at(addr);
        cfg_write(d[i]->devfn, PCI_BASE_ADDRESS_0, base + i * 0x1000, 4);
        cfg_write(d[i]->devfn, PCI_COMMAND,
                  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    }
    /* Its own MSI register as the message address. */
    msi_setup(d[0], base + PCI_TESTDEV_MSI, 0, 0);
    address_space_stl(&address_space_memory, base + PCI_TESTDEV_MSI, 0);
    g_assert_cmpint(mem_readl(base + PCI_TESTDEV_IRQ_COUNT), ==, 1);
    /* Its own DMA command register as the DMA target. */
    address_space_stl(&address_space_memory, base + PCI_TESTDEV_SCRATCH,
                      PCI_TESTDEV_DMA_WRITE);
    address_space_stl(&address_space_memory, base + PCI_TESTDEV_DMA_LO,
                      base + PCI_TESTDEV_DMA_CMD);
    address_space_stl(&address_space_memory, base + PCI_TESTDEV_DMA_CMD,
                      PCI_TESTDEV_DMA_WRITE);
    g_assert_cmpint(mem_readl(base + PCI_TESTDEV_DMA_STATUS), ==, 1);
    /* Two devices pointing at each other. */
    msi_setup(d[0], base + 0x1000 + PCI_TESTDEV_MSI, 0, 0);
    msi_setup(d[1], base + PCI_TESTDEV_MSI, 0, 0);
    address_space_stl(&address_space_memory, base + PCI_TESTDEV_MSI, 0);
    g_assert_cmpint(mem_readl(base + PCI_TESTDEV_IRQ_COUNT), ==, 2);
    g_assert_cmpint(mem_readl(base + 0x1000 + PCI_TESTDEV_IRQ_COUNT), ==, 1);
    /* A chain through all ten: cut at the nesting limit (8 messages). */
    for (int i = 0; i < 9; i++) {
        msi_setup(d[i], base + (i + 1) * 0x1000 + PCI_TESTDEV_MSI, 0, 0);
    }
    address_space_stl(&address_space_memory, base + PCI_TESTDEV_MSI, 0);
    for (int i = 0; i < 10; i++) {
        uint32_t n = mem_readl(base + i * 0x1000 + PCI_TESTDEV_IRQ_COUNT);
        uint32_t want = i == 0 ? 3 : i == 1 ? 2 : i <= 8 ? 1 : 0;
        g_assert_cmpint(n, ==, want);
    }
    for (int i = 0; i < 10; i++) {
        qdev_free(&d[i]->qdev);
    }
}

/* The reset control register at 0xcf9 keeps its mode bits. */
static void test_reset_control(void)
{
    address_space_stb(&address_space_io, 0xcf9, 0x02);
    g_assert_cmphex(address_space_ldub(&address_space_io, 0xcf9), ==, 0x02);
    /* Other sub-dword accesses around 0xcf8 are not claimed. */
    g_assert_cmphex(address_space_lduw(&address_space_io, 0xcf8), ==, 0xffff);
    g_assert_cmphex(address_space_ldub(&address_space_io, 0xcfb), ==, 0xff);
    /* Bit 2 asks for a machine reset. */
    g_assert_false(runstate_request_pending());
    address_space_stb(&address_space_io, 0xcf9, 0x06);
    g_assert_true(runstate_request_pending());
}

int main(int argc, char **argv)
{
    DeviceState *host;
    PCIDevice *dev;
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    memory_map_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", MiB, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);

    host = qdev_new(TYPE_I440FX_PCI_HOST);
    qdev_realize_or_die(host, NULL);
    bus = i440fx_host_bus(host);
    pci_create_simple(bus, PCI_DEVFN(0, 0), TYPE_I440FX_PCI_DEVICE);
    dev = pci_new(PCI_DEVFN(1, 0), TYPE_PIIX3);
    qdev_prop_set_bit(&dev->qdev, "multifunction", true);
    qdev_realize_or_die(&dev->qdev, &bus->qbus);
    piix3 = (PIIX3State *)dev;
    for (int i = 0; i < 16; i++) {
        qdev_connect_gpio_out(&dev->qdev, PIIX3_GPIO_ISA(i),
                              irq_new(record_gsi, NULL, i));
    }
    for (int i = 0; i < 4; i++) {
        qdev_connect_gpio_out(&dev->qdev, PIIX3_GPIO_PIRQ(i),
                              irq_new(record_gsi, NULL, 16 + i));
    }
    pci_bus_irqs(bus, record_bus_line, map_irq, NULL, 4);

    g_test_add_func("/pci/config-mech1", test_config_mech1);
    g_test_add_func("/pci/addr-property", test_addr_property);
    g_test_add_func("/pci/slot-assignment", test_slot_assignment);
    g_test_add_func("/pci/bus-full", test_bus_full);
    g_test_add_func("/pci/write-masks", test_write_masks);
    g_test_add_func("/pci/bar-sizing", test_bar_sizing);
    g_test_add_func("/pci/bar-mapping", test_bar_mapping);
    g_test_add_func("/pci/rom-bar", test_rom_bar);
    g_test_add_func("/pci/capabilities", test_capabilities);
    g_test_add_func("/pci/msi", test_msi);
    g_test_add_func("/pci/msix", test_msix);
    g_test_add_func("/pci/dma-bus-master", test_dma_bus_master);
    g_test_add_func("/pci/reset", test_reset);
    g_test_add_func("/pci/reset-control", test_reset_control);
    g_test_add_func("/pci/intx", test_intx);
    g_test_add_func("/pci/piix3-routing", test_piix3_routing);
    g_test_add_func("/pci/config-fuzz", test_config_fuzz);
    g_test_add_func("/pci/reentrancy", test_reentrancy);
    return g_test_run();
}
