/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI core: buses, the abstract "pci-device", configuration space
 * with write masks, BAR sizing and mapping, capabilities and INTx.
 *
 * References are to the PCI Local Bus Specification, revision 3.0.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"

/* ---- the "addr" property: slot[.function], hex -------------------------- */

static bool parse_hex(const char *s, const char *end, unsigned long *out)
{
    char *e;

    if (s == end || !g_ascii_isxdigit(*s)) {
        return false;
    }
    errno = 0;
    *out = strtoul(s, &e, 16);
    return !errno && e == end;
}

static bool devfn_parse(DeviceState *dev, const Property *p, const char *v,
                        GError **errp)
{
    const char *dot = strchr(v, '.');
    const char *send = dot ? dot : v + strlen(v);
    unsigned long slot, func = 0;

    if (!parse_hex(v, send, &slot) ||
        (dot && !parse_hex(dot + 1, v + strlen(v), &func))) {
        error_setg(errp, "'%s' is not a PCI address (slot[.function] in hex, "
                   "e.g. 04.0)", v);
        return false;
    }
    if (slot >= PCI_SLOT_MAX) {
        error_setg(errp, "slot 0x%lx out of range in '%s' (at most 1f)", slot,
                   v);
        return false;
    }
    if (func >= PCI_FUNC_MAX) {
        error_setg(errp, "function %lu out of range in '%s' (at most 7)",
                   func, v);
        return false;
    }
    *(int32_t *)((char *)dev + p->offset) = PCI_DEVFN(slot, func);
    return true;
}

static char *devfn_print(DeviceState *dev, const Property *p)
{
    int32_t devfn = *(int32_t *)((char *)dev + p->offset);

    if (devfn < 0) {
        return g_strdup("auto");
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
}

static void devfn_default(DeviceState *dev, const Property *p)
{
    *(int32_t *)((char *)dev + p->offset) = p->defval.i;
}

static const PropertyInfo prop_info_pci_devfn = {
    .type = "pci-devfn",
    .parse = devfn_parse,
    .print = devfn_print,
    .set_default = devfn_default,
};

static const Property pci_device_props[] = {
    DEFINE_PROP("addr", PCIDevice, devfn, prop_info_pci_devfn, int32_t,
                .defval.i = PCI_DEVFN_AUTO,
                .desc = "slot[.function] in hex, e.g. 04.0 (default: "
                        "first free slot)"),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_END,
};

/* ---- buses -------------------------------------------------------------- */

void pci_bus_init(PCIBus *bus, DeviceState *parent, const char *name,
                  MemoryRegion *mem, MemoryRegion *io)
{
    memset(bus, 0, sizeof(*bus));
    qbus_init(&bus->qbus, TYPE_PCI_BUS, parent, name);
    bus->address_space_mem = mem;
    bus->address_space_io = io;
}

void pci_bus_cleanup(PCIBus *bus)
{
    g_clear_pointer(&bus->irq_count, g_free);
    bus->nirq = 0;
}

void pci_bus_irqs(PCIBus *bus, PCISetIRQFn *set_irq, PCIMapIRQFn *map_irq,
                  void *opaque, int nirq)
{
    assert(nirq > 0 && !bus->irq_count);
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = opaque;
    bus->nirq = nirq;
    bus->irq_count = g_new0(int, nirq);
}

int pci_bus_get_irq_level(PCIBus *bus, int irq_num)
{
    if (irq_num < 0 || irq_num >= bus->nirq) {
        return 0;
    }
    return bus->irq_count[irq_num];
}

PCIDevice *pci_find_device(PCIBus *bus, int devfn)
{
    if (devfn < 0 || devfn >= PCI_DEVFN_MAX) {
        return NULL;
    }
    return bus->devices[devfn];
}

static uint32_t size_mask32(unsigned len)
{
    return len >= 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
}

static bool config_access_ok(PCIDevice *dev, uint32_t addr, unsigned len)
{
    if ((len != 1 && len != 2 && len != 4) || (addr & (len - 1)) ||
        addr >= dev->config_size || len > dev->config_size - addr) {
        ember_log_mask(LOG_GUEST_ERROR, "pci %02x.%x: bad config access at "
                       "0x%x, size %u\n", PCI_SLOT(dev->devfn),
                       PCI_FUNC(dev->devfn), addr, len);
        return false;
    }
    return true;
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len)
{
    if (!config_access_ok(dev, addr, len)) {
        return size_mask32(len);
    }
    if (dev->pinfo->config_read) {
        return dev->pinfo->config_read(dev, addr, len) & size_mask32(len);
    }
    return pci_default_read_config(dev, addr, len);
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    if (!config_access_ok(dev, addr, len)) {
        return;
    }
    val &= size_mask32(len);
    if (dev->pinfo->config_write) {
        dev->pinfo->config_write(dev, addr, val, len);
    } else {
        pci_default_write_config(dev, addr, val, len);
    }
}

uint32_t pci_bus_config_read(PCIBus *bus, int devfn, uint32_t addr,
                             unsigned len)
{
    PCIDevice *dev = pci_find_device(bus, devfn);

    /* No function answers: the access ends in a master abort, which
     * reads as all ones (6.1). */
    if (!dev) {
        return size_mask32(len);
    }
    return pci_config_read(dev, addr, len);
}

void pci_bus_config_write(PCIBus *bus, int devfn, uint32_t addr,
                          uint32_t val, unsigned len)
{
    PCIDevice *dev = pci_find_device(bus, devfn);

    if (dev) {
        pci_config_write(dev, addr, val, len);
    }
}

/* ---- INTx --------------------------------------------------------------- */

static void pci_bus_change_irq(PCIBus *bus, int irq_num, int change)
{
    int old;

    if (!bus->irq_count || irq_num < 0 || irq_num >= bus->nirq) {
        return;
    }
    old = bus->irq_count[irq_num];
    bus->irq_count[irq_num] += change;
    assert(bus->irq_count[irq_num] >= 0);
    /* Several pins share a line (wired-OR): only the first to assert
     * and the last to deassert change its level. */
    if ((old == 0) != (bus->irq_count[irq_num] == 0) && bus->set_irq) {
        bus->set_irq(bus->irq_opaque, irq_num, bus->irq_count[irq_num] != 0);
    }
}

/* Make what the bus counts for this function match its state. */
static void pci_intx_update(PCIDevice *dev)
{
    uint8_t pin = dev->config[PCI_INTERRUPT_PIN];
    bool want = dev->irq_state && pin >= 1 && pin <= PCI_NUM_PINS &&
        !(pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
    PCIBus *bus = dev->bus;

    if (want == dev->intx_asserted || !bus) {
        return;
    }
    if (want) {
        dev->intx_irq_num = bus->map_irq ? bus->map_irq(dev, pin - 1) : -1;
        dev->intx_asserted = true;
        pci_bus_change_irq(bus, dev->intx_irq_num, 1);
    } else {
        dev->intx_asserted = false;
        pci_bus_change_irq(bus, dev->intx_irq_num, -1);
    }
}

void pci_set_irq(PCIDevice *dev, int level)
{
    uint16_t status = pci_get_word(dev->config + PCI_STATUS);

    level = !!level;
    dev->irq_state = level;
    /* Interrupt Status reflects the function's request whatever the
     * Interrupt Disable bit says (6.2.3). */
    if (level) {
        status |= PCI_STATUS_INTERRUPT;
    } else {
        status &= ~PCI_STATUS_INTERRUPT;
    }
    pci_set_word(dev->config + PCI_STATUS, status);
    pci_intx_update(dev);
}

/* ---- bus mastering ------------------------------------------------------ */

/*
 * A device's DMA or message can land on a device register that starts
 * more DMA or messages (its own, or another device's that points back):
 * a guest could build an endless loop that way. Nested device-initiated
 * accesses are allowed up to this depth, then dropped.
 */
#define PCI_MASTER_DEPTH_MAX 8
static int pci_master_depth;

static bool pci_master_enter(PCIDevice *dev, const char *what, uint64_t addr)
{
    if (!pci_bus_master_enabled(dev)) {
        ember_log_mask(LOG_GUEST_ERROR, "pci %02x.%x: %s at 0x%" PRIx64
                       " with bus mastering disabled\n",
                       PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn), what, addr);
        return false;
    }
    if (pci_master_depth >= PCI_MASTER_DEPTH_MAX) {
        ember_log_mask(LOG_GUEST_ERROR, "pci %02x.%x: %s at 0x%" PRIx64
                       " dropped: device accesses nested too deep\n",
                       PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn), what, addr);
        return false;
    }
    pci_master_depth++;
    return true;
}

static void pci_master_exit(void)
{
    pci_master_depth--;
}

bool pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len)
{
    bool ok;

    if (!pci_master_enter(dev, "DMA read", addr)) {
        memset(buf, 0xff, len);
        return false;
    }
    ok = address_space_read(&address_space_memory, addr, buf, len);
    pci_master_exit();
    return ok;
}

bool pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf,
                   uint64_t len)
{
    bool ok;

    if (!pci_master_enter(dev, "DMA write", addr)) {
        return false;
    }
    ok = address_space_write(&address_space_memory, addr, buf, len);
    pci_master_exit();
    return ok;
}

void pci_send_msi_message(PCIDevice *dev, uint64_t addr, uint32_t data)
{
    if (!pci_master_enter(dev, "MSI", addr)) {
        return;
    }
    /* Bits 1:0 of a message address are reserved as zero (6.8.1.4). */
    address_space_stl(&address_space_memory, addr & ~3ULL, data);
    pci_master_exit();
}

/* ---- BARs --------------------------------------------------------------- */

static MemoryRegion *bar_space(PCIDevice *dev, const PCIIORegion *r)
{
    return r->type & PCI_BASE_ADDRESS_SPACE_IO ? dev->bus->address_space_io
                                               : dev->bus->address_space_mem;
}

/* Writable address bits of region n (the "size mask" a probe reads). */
static pcibus_t bar_addr_mask(const PCIIORegion *r, int n)
{
    if (n == PCI_ROM_SLOT) {
        return ~(r->size - 1) & 0xfffff800u;
    }
    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        return ~(r->size - 1) & 0xfffffffcu;
    }
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        return ~(r->size - 1) & ~(pcibus_t)0xf;
    }
    return ~(r->size - 1) & 0xfffffff0u;
}

void pci_register_bar(PCIDevice *dev, int n, uint8_t type, MemoryRegion *mr)
{
    PCIIORegion *r;
    uint32_t off = pci_bar_offset(n);
    pcibus_t size = memory_region_size(mr), mask;
    bool is64 = false;

    assert(n >= 0 && n < PCI_NUM_REGIONS);
    r = &dev->io_regions[n];
    assert(!r->memory && size && !(size & (size - 1)));
    if (n == PCI_ROM_SLOT) {
        type = PCI_BASE_ADDRESS_SPACE_MEMORY;
        size = MAX(size, 2048);
    } else if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        type = PCI_BASE_ADDRESS_SPACE_IO;
        /* Bits 1:0 are flags: at least 4 bytes are decoded (6.2.5.1). */
        size = MAX(size, 4);
        assert(size <= 0x10000);
    } else {
        type &= PCI_BASE_ADDRESS_MEM_TYPE_MASK | PCI_BASE_ADDRESS_MEM_PREFETCH;
        is64 = (type & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
               PCI_BASE_ADDRESS_MEM_TYPE_64;
        /* Bits 3:0 are flags: at least 16 bytes are decoded. */
        size = MAX(size, 16);
        assert(is64 ? n < PCI_NUM_BARS - 1 && size < PCI_BAR_ADDR_LIMIT
                    : size <= 0x80000000u);
        if (is64) {
            assert(!dev->io_regions[n + 1].memory);
        }
    }
    r->memory = mr;
    r->size = size;
    r->type = type;
    r->addr = PCI_BAR_UNMAPPED;
    mask = bar_addr_mask(r, n);
    pci_set_long(dev->config + off, type);
    pci_set_long(dev->wmask + off,
                 (uint32_t)mask | (n == PCI_ROM_SLOT ? PCI_ROM_ADDRESS_ENABLE
                                                     : 0));
    if (is64) {
        pci_set_long(dev->config + off + 4, 0);
        pci_set_long(dev->wmask + off + 4, mask >> 32);
    }
}

pcibus_t pci_get_bar_addr(PCIDevice *dev, int n)
{
    assert(n >= 0 && n < PCI_NUM_REGIONS);
    return dev->io_regions[n].addr;
}

/* The address region n should be mapped at now, or PCI_BAR_UNMAPPED. */
static pcibus_t bar_address(PCIDevice *dev, int n)
{
    PCIIORegion *r = &dev->io_regions[n];
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    uint32_t off = pci_bar_offset(n);
    pcibus_t mask = bar_addr_mask(r, n), addr, limit;

    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(dev->config + off) & mask;
        /* x86 has 64 KiB of ports; the upper bits stay writable so that
         * a size probe (all ones) reads back as an address beyond it. */
        limit = 0x10000;
    } else {
        if (!(cmd & PCI_COMMAND_MEMORY)) {
            return PCI_BAR_UNMAPPED;
        }
        if (n == PCI_ROM_SLOT &&
            !(pci_get_long(dev->config + off) & PCI_ROM_ADDRESS_ENABLE)) {
            return PCI_BAR_UNMAPPED;
        }
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            addr = pci_get_quad(dev->config + off) & mask;
            limit = PCI_BAR_ADDR_LIMIT;
        } else {
            addr = pci_get_long(dev->config + off) & mask;
            /* Exclusive of the last byte below 4 GiB: see below. */
            limit = 0xffffffffULL;
        }
    }
    /*
     * Address 0 is what a BAR holds before anyone assigned it, and all
     * writable bits set is what it holds in the middle of a size probe
     * (write all ones, read back): neither is a real assignment, so
     * neither is decoded. A probed BAR always covers the last byte of
     * its address width, which is why the limits above exclude it (for
     * 64-bit BARs and ports, the probe lands beyond the limit anyway).
     * Nor is a range that leaves its space decoded.
     */
    if (addr == 0 || addr >= limit || r->size > limit - addr) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static void unmap_region(PCIDevice *dev, PCIIORegion *r)
{
    if (r->addr != PCI_BAR_UNMAPPED &&
        r->memory->container == bar_space(dev, r)) {
        memory_region_del_subregion(bar_space(dev, r), r->memory);
    }
    r->addr = PCI_BAR_UNMAPPED;
}

void pci_update_mappings(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &dev->io_regions[n];
        pcibus_t addr;

        if (!r->memory) {
            continue;
        }
        addr = bar_address(dev, n);
        if (addr == r->addr) {
            continue;
        }
        unmap_region(dev, r);
        if (addr != PCI_BAR_UNMAPPED) {
            memory_region_add_subregion_overlap(bar_space(dev, r), addr,
                                                r->memory, PCI_BAR_PRIORITY);
            r->addr = addr;
        }
    }
    memory_region_transaction_commit();
}

static void unmap_all(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        if (dev->io_regions[n].memory) {
            unmap_region(dev, &dev->io_regions[n]);
        }
    }
    memory_region_transaction_commit();
}

/* ---- config space accesses ---------------------------------------------- */

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, unsigned len)
{
    assert(addr + len <= dev->config_size);
    return ldn_le_p(dev->config + addr, len);
}

void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len)
{
    uint16_t old_cmd = pci_get_word(dev->config + PCI_COMMAND);

    assert(addr + len <= dev->config_size);
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = val >> (8 * i);
        uint8_t wm = dev->wmask[addr + i];
        uint8_t w1c = dev->w1cmask[addr + i];

        dev->config[addr + i] = (dev->config[addr + i] & ~wm) | (b & wm);
        dev->config[addr + i] &= ~(b & w1c);
    }
    if (pci_ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        pci_ranges_overlap(addr, len, PCI_ROM_ADDRESS, 4) ||
        pci_ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(dev);
    }
    if ((old_cmd ^ pci_get_word(dev->config + PCI_COMMAND)) &
        PCI_COMMAND_INTX_DISABLE) {
        pci_intx_update(dev);
    }
    msi_write_config(dev, addr, val, len);
    msix_write_config(dev, addr, val, len);
}

/* ---- capabilities ------------------------------------------------------- */

uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id)
{
    uint8_t pos;

    if (!(pci_get_word(dev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    pos = dev->config[PCI_CAPABILITY_LIST] & ~3;
    /* At most 48 capabilities fit in 192 bytes: stop on a loop. */
    for (int i = 0; pos >= PCI_CONFIG_HEADER_SIZE && i < 48; i++) {
        if (dev->config[pos + PCI_CAP_LIST_ID] == cap_id) {
            return pos;
        }
        pos = dev->config[pos + PCI_CAP_LIST_NEXT] & ~3;
    }
    return 0;
}

uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                           uint8_t size, GError **errp)
{
    uint32_t end = MIN(dev->config_size, PCI_CONFIG_SPACE_SIZE);

    assert(size >= 2);
    if (!offset) {
        for (uint32_t pos = PCI_CONFIG_HEADER_SIZE; pos + size <= end;
             pos += 4) {
            bool free = true;
            for (uint32_t i = 0; i < size && free; i++) {
                free = !dev->used[pos + i];
            }
            if (free) {
                offset = pos;
                break;
            }
        }
        if (!offset) {
            error_setg(errp, "no room for a %u-byte capability 0x%02x in the "
                       "config space", size, cap_id);
            return 0;
        }
    } else {
        if (offset < PCI_CONFIG_HEADER_SIZE || (offset & 3) ||
            offset + size > end) {
            error_setg(errp, "capability 0x%02x at 0x%02x does not fit", cap_id,
                       offset);
            return 0;
        }
        for (uint32_t i = 0; i < size; i++) {
            if (dev->used[offset + i]) {
                error_setg(errp, "capability 0x%02x at 0x%02x overlaps "
                           "another at 0x%02x", cap_id, offset, offset + i);
                return 0;
            }
        }
    }
    /* Insert at the head of the list (6.7). */
    dev->config[offset + PCI_CAP_LIST_ID] = cap_id;
    dev->config[offset + PCI_CAP_LIST_NEXT] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = offset;
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    memset(dev->used + offset, 0xff, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    return offset;
}

void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size)
{
    uint8_t pos = pci_find_capability(dev, cap_id);
    uint8_t *prev = &dev->config[PCI_CAPABILITY_LIST];

    if (!pos) {
        return;
    }
    while ((*prev & ~3) != pos) {
        prev = &dev->config[(*prev & ~3) + PCI_CAP_LIST_NEXT];
    }
    *prev = dev->config[pos + PCI_CAP_LIST_NEXT];
    if (!dev->config[PCI_CAPABILITY_LIST]) {
        pci_set_word(dev->config + PCI_STATUS,
                     pci_get_word(dev->config + PCI_STATUS) &
                     ~PCI_STATUS_CAP_LIST);
    }
    memset(dev->config + pos, 0, size);
    memset(dev->wmask + pos, 0, size);
    memset(dev->w1cmask + pos, 0, size);
    memset(dev->used + pos, 0, size);
}

/* ---- device creation ---------------------------------------------------- */

char *pci_device_describe(PCIDevice *dev)
{
    if (dev->qdev.id) {
        return g_strdup_printf("%s '%s'", dev->qdev.info->name, dev->qdev.id);
    }
    return g_strdup(dev->qdev.info->name);
}

PCIDevice *pci_new(int devfn, const char *type)
{
    DeviceState *dev = qdev_new(type);

    assert(qdev_is_a(dev, TYPE_PCI_DEVICE));
    PCI_DEVICE(dev)->devfn = devfn;
    return PCI_DEVICE(dev);
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type)
{
    PCIDevice *dev = pci_new(devfn, type);

    qdev_realize_or_die(&dev->qdev, &bus->qbus);
    return dev;
}

/* Pick (auto) or check (explicit) the device's slot and function. */
static bool pci_claim_devfn(PCIDevice *dev, PCIBus *bus, GError **errp)
{
    g_autofree char *me = pci_device_describe(dev);
    int devfn = dev->devfn;
    int slot, func;
    PCIDevice *f0;

    if (devfn == PCI_DEVFN_AUTO) {
        for (slot = 0; slot < PCI_SLOT_MAX; slot++) {
            bool empty = true;
            for (func = 0; func < PCI_FUNC_MAX && empty; func++) {
                empty = !bus->devices[PCI_DEVFN(slot, func)];
            }
            if (empty) {
                break;
            }
        }
        if (slot == PCI_SLOT_MAX) {
            error_setg(errp, "PCI: no free slot on bus %s for %s",
                       bus->qbus.name, me);
            return false;
        }
        dev->devfn = PCI_DEVFN(slot, 0);
        return true;
    }
    slot = PCI_SLOT(devfn);
    func = PCI_FUNC(devfn);
    if (bus->devices[devfn]) {
        g_autofree char *other = pci_device_describe(bus->devices[devfn]);
        error_setg(errp, "PCI: slot %d function %d not available for %s, in "
                   "use by %s", slot, func, me, other);
        return false;
    }
    /* Functions other than 0 exist only on multi-function devices
     * (6.2.1: bit 7 of function 0's header type). */
    f0 = bus->devices[PCI_DEVFN(slot, 0)];
    if (func != 0 && f0 && !f0->multifunction) {
        g_autofree char *other = pci_device_describe(f0);
        error_setg(errp, "PCI: slot %d function %d not available for %s: "
                   "function 0 (%s) is single-function (set "
                   "multifunction=on on it)", slot, func, me, other);
        return false;
    }
    if (func == 0 && !dev->multifunction) {
        for (int f = 1; f < PCI_FUNC_MAX; f++) {
            if (bus->devices[PCI_DEVFN(slot, f)]) {
                error_setg(errp, "PCI: slot %d has other functions in use; "
                           "%s at function 0 needs multifunction=on", slot,
                           me);
                return false;
            }
        }
    }
    return true;
}

static void pci_free_config(PCIDevice *dev)
{
    g_clear_pointer(&dev->config, g_free);
    g_clear_pointer(&dev->wmask, g_free);
    g_clear_pointer(&dev->w1cmask, g_free);
    g_clear_pointer(&dev->used, g_free);
}

static bool pci_device_realize(DeviceState *qdev, GError **errp)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIBus *bus = (PCIBus *)qdev->parent_bus;
    const PCIDeviceInfo *pi = type_class_data(qdev->info);
    uint8_t *c;

    if (!pi) {
        g_error("PCI device type '%s' has no PCIDeviceInfo", qdev->info->name);
    }
    if (!pci_claim_devfn(dev, bus, errp)) {
        return false;
    }
    dev->bus = bus;
    dev->pinfo = pi;
    dev->config_size = pi->config_size ? pi->config_size
                                       : PCI_CONFIG_SPACE_SIZE;
    assert(dev->config_size == PCI_CONFIG_SPACE_SIZE ||
           dev->config_size == PCIE_CONFIG_SPACE_SIZE);
    dev->config = c = g_malloc0(dev->config_size);
    dev->wmask = g_malloc0(dev->config_size);
    dev->w1cmask = g_malloc0(dev->config_size);
    dev->used = g_malloc0(dev->config_size);
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        dev->io_regions[n].addr = PCI_BAR_UNMAPPED;
    }

    /* The identification registers (6.2.1), read-only. */
    pci_set_word(c + PCI_VENDOR_ID, pi->vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, pi->device_id);
    c[PCI_REVISION_ID] = pi->revision;
    c[PCI_CLASS_PROG] = pi->prog_if;
    pci_set_word(c + PCI_CLASS_DEVICE, pi->class_id);
    c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL |
        (dev->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, pi->subsystem_vendor_id);
    pci_set_word(c + PCI_SUBSYSTEM_ID, pi->subsystem_id);
    c[PCI_INTERRUPT_PIN] = pi->interrupt_pin;
    /* Medium DEVSEL timing, as most devices report. */
    pci_set_word(c + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);

    /* What the guest may change in the header (6.2.2-6.2.4). */
    pci_set_word(dev->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1C_MASK);
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_LATENCY_TIMER] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    /* The header is not capability space. */
    memset(dev->used, 0xff, PCI_CONFIG_HEADER_SIZE);

    bus->devices[dev->devfn] = dev;
    if (pi->realize && !pi->realize(dev, errp)) {
        bus->devices[dev->devfn] = NULL;
        unmap_all(dev);
        msix_uninit(dev);
        msi_uninit(dev);
        pci_free_config(dev);
        memset(dev->io_regions, 0, sizeof(dev->io_regions));
        dev->bus = NULL;
        return false;
    }
    return true;
}

static void pci_device_unrealize(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);

    if (!dev->bus) {
        return;
    }
    unmap_all(dev);
    pci_set_irq(dev, 0);
    if (dev->pinfo->exit) {
        dev->pinfo->exit(dev);
    }
    msix_uninit(dev);
    msi_uninit(dev);
    if (dev->bus->devices[dev->devfn] == dev) {
        dev->bus->devices[dev->devfn] = NULL;
    }
    pci_free_config(dev);
    memset(dev->io_regions, 0, sizeof(dev->io_regions));
    dev->bus = NULL;
}

/*
 * Reset (6.2: the state after RST#): decoding and bus mastering off,
 * BARs back to their flag bits, errors cleared, INTx deasserted, then
 * the capabilities' own reset and the device's.
 */
static void pci_device_reset(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    uint8_t *c = dev->config;

    if (!dev->bus) {
        return;
    }
    pci_set_irq(dev, 0);
    pci_set_word(c + PCI_COMMAND, pci_get_word(c + PCI_COMMAND) &
                 ~pci_get_word(dev->wmask + PCI_COMMAND));
    pci_set_word(c + PCI_STATUS, pci_get_word(c + PCI_STATUS) &
                 ~pci_get_word(dev->w1cmask + PCI_STATUS));
    c[PCI_CACHE_LINE_SIZE] = 0;
    c[PCI_LATENCY_TIMER] = 0;
    c[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &dev->io_regions[n];
        uint32_t off = pci_bar_offset(n);

        if (!r->memory) {
            continue;
        }
        pci_set_long(c + off, n == PCI_ROM_SLOT ? 0 : r->type);
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            pci_set_long(c + off + 4, 0);
        }
    }
    pci_update_mappings(dev);
    msi_reset(dev);
    msix_reset(dev);
    if (dev->pinfo->reset) {
        dev->pinfo->reset(dev);
    }
}

static const DeviceInfo pci_device_info = {
    .name = TYPE_PCI_DEVICE,
    .parent = "device",
    .instance_size = sizeof(PCIDevice),
    .abstract = true,
    .bus_type = TYPE_PCI_BUS,
    .props = pci_device_props,
    .realize = pci_device_realize,
    .unrealize = pci_device_unrealize,
    .reset = pci_device_reset,
};

static void pci_register_types(void)
{
    type_register(&pci_device_info);
}
type_init(pci_register_types)
