/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI core: a bus of 32 slots x 8 functions, the abstract
 * "pci-device" type with its configuration space, BARs mapped through
 * the memory API, the capability list, and INTx. See docs/pci.md.
 *
 * A PCI device type is a DeviceInfo whose parent is "pci-device" (or a
 * descendant) and whose class_data is a PCIDeviceInfo:
 *
 *   static const PCIDeviceInfo foo_pci = {
 *       .vendor_id = 0x1234, .device_id = 0x11e8,
 *       .class_id = PCI_CLASS_OTHERS, .revision = 1,
 *       .realize = foo_realize, .exit = foo_exit, .reset = foo_reset,
 *   };
 *   static const DeviceInfo foo_info = {
 *       .name = "foo", .parent = TYPE_PCI_DEVICE,
 *       .instance_size = sizeof(FooState), .user_creatable = true,
 *       .class_data = &foo_pci,
 *   };
 *
 * The core's realize runs first (it picks the slot, sets up config space
 * from the PCIDeviceInfo) and then calls PCIDeviceInfo.realize, where the
 * leaf registers BARs (pci_register_bar) and capabilities (msi_init,
 * msix_init...). At unrealize the core unmaps the BARs and deasserts
 * INTx first, then calls PCIDeviceInfo.exit, where the leaf may finalize
 * its regions. At reset the core restores the standard header and the
 * MSI/MSI-X state, then calls PCIDeviceInfo.reset.
 *
 * Properties every PCI device has:
 *   addr=SS[.F]      slot and function in hex ("04.0", "4", "1f.7");
 *                    absent: the first slot with no function in use
 *   multifunction=on sets bit 7 of the header type (needed on function 0
 *                    when other functions of the slot are used)
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "ember/osdep.h"
#include "exec/memory.h"
#include "hw/qdev.h"
#include "hw/pci/pci_regs.h"

#define TYPE_PCI_DEVICE "pci-device"
#define TYPE_PCI_BUS "pci"

#define PCI_SLOT_MAX 32
#define PCI_FUNC_MAX 8
#define PCI_DEVFN_MAX 256
#define PCI_DEVFN(slot, func) ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 0x07)
#define PCI_DEVFN_AUTO (-1)

#define PCI_CONFIG_SPACE_SIZE 0x100
#define PCIE_CONFIG_SPACE_SIZE 0x1000

#define PCI_NUM_BARS 6
#define PCI_ROM_SLOT 6                  /* region index of the ROM BAR */
#define PCI_NUM_REGIONS 7
#define PCI_NUM_PINS 4                  /* INTA..INTD */

typedef uint64_t pcibus_t;
#define PCI_BAR_UNMAPPED (~(pcibus_t)0)
/*
 * Memory BARs at or above this address are not decoded: it is the CPU's
 * physical address width (CPUID 0x80000008 of Ember's CPU models says
 * 40 bits), so no guest access could reach them anyway.
 */
#define PCI_BAR_ADDR_LIMIT (1ULL << 40)
/*
 * BARs map into the address spaces with this priority, below RAM, ROM
 * and every chipset device (all at 0 or above): a guest that programs a
 * BAR over RAM or the I/O APIC hides the overlapping part of its own
 * BAR, never the RAM or the chipset device.
 */
#define PCI_BAR_PRIORITY (-1)

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* Which of the bus's interrupt lines a device's pin (0 = INTA) drives. */
typedef int PCIMapIRQFn(PCIDevice *dev, int pin);
/* Bus line irq_num changed level (its count of asserting pins went
 * from 0 to 1 or back). */
typedef void PCISetIRQFn(void *opaque, int irq_num, int level);

struct PCIBus {
    BusState qbus;                      /* type "pci" */
    PCIDevice *devices[PCI_DEVFN_MAX];
    MemoryRegion *address_space_mem;    /* where memory BARs map */
    MemoryRegion *address_space_io;     /* where I/O BARs map */
    PCIMapIRQFn *map_irq;
    PCISetIRQFn *set_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;                     /* asserting pins per line */
};

typedef struct PCIIORegion {
    MemoryRegion *memory;       /* NULL: the BAR is not implemented */
    pcibus_t size;              /* decoded size, a power of two */
    uint8_t type;               /* PCI_BASE_ADDRESS_* flags */
    pcibus_t addr;              /* where mapped, or PCI_BAR_UNMAPPED */
} PCIIORegion;

/* The constant description of a PCI device type (its class_data). */
typedef struct PCIDeviceInfo {
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint16_t class_id;          /* base class << 8 | sub-class */
    uint8_t prog_if;
    uint8_t revision;
    uint8_t interrupt_pin;      /* 0 (default) none, 1..4 INTA..INTD */
    uint32_t config_size;       /* 0: PCI_CONFIG_SPACE_SIZE */
    bool (*realize)(PCIDevice *dev, GError **errp);
    void (*exit)(PCIDevice *dev);
    void (*reset)(PCIDevice *dev);
    /*
     * Config space accesses (addr + len within the config space, len 1,
     * 2 or 4, naturally aligned). An override should call
     * pci_default_read_config / pci_default_write_config for the
     * standard behaviour.
     */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val,
                         unsigned len);
} PCIDeviceInfo;

struct PCIDevice {
    DeviceState qdev;
    /* Properties. */
    int32_t devfn;                      /* "addr"; PCI_DEVFN_AUTO */
    bool multifunction;

    PCIBus *bus;
    const PCIDeviceInfo *pinfo;
    uint32_t config_size;
    uint8_t *config;                    /* current values */
    uint8_t *wmask;                     /* bits the guest may write */
    uint8_t *w1cmask;                   /* bits the guest clears with 1 */
    uint8_t *used;                      /* bytes taken by capabilities */
    PCIIORegion io_regions[PCI_NUM_REGIONS];

    /* INTx: the level the function drives, and what the bus counts
     * (the level unless Interrupt Disable is set). */
    int irq_state;
    bool intx_asserted;
    int intx_irq_num;                   /* bus line counted, if asserted */

    /* MSI (msi.c); 0 = no capability. */
    uint8_t msi_cap;
    /* MSI-X (msix.c); 0 = no capability. */
    uint8_t msix_cap;
    uint16_t msix_entries;
    uint8_t *msix_table;                /* msix_entries * 16 bytes */
    uint8_t *msix_pba;                  /* pending bits, 8-byte units */
    MemoryRegion msix_table_mmio;
    MemoryRegion msix_pba_mmio;
    MemoryRegion *msix_exclusive_bar;   /* msix_init_exclusive_bar */
};

static inline PCIDevice *PCI_DEVICE(DeviceState *dev)
{
    return (PCIDevice *)dev;
}

/* ---- config space helpers (little-endian) ------------------------------- */
static inline uint8_t pci_get_byte(const uint8_t *p) { return *p; }
static inline void pci_set_byte(uint8_t *p, uint8_t v) { *p = v; }
static inline uint16_t pci_get_word(const uint8_t *p) { return lduw_le_p(p); }
static inline void pci_set_word(uint8_t *p, uint16_t v) { stw_le_p(p, v); }
static inline uint32_t pci_get_long(const uint8_t *p) { return ldl_le_p(p); }
static inline void pci_set_long(uint8_t *p, uint32_t v) { stl_le_p(p, v); }
static inline uint64_t pci_get_quad(const uint8_t *p) { return ldq_le_p(p); }
static inline void pci_set_quad(uint8_t *p, uint64_t v) { stq_le_p(p, v); }

/* Do [a, a + alen) and [b, b + blen) intersect? */
static inline bool pci_ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                                      uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* ---- buses -------------------------------------------------------------- */

/* Set up a bus (the caller owns the memory), e.g. "pci.0". */
void pci_bus_init(PCIBus *bus, DeviceState *parent, const char *name,
                  MemoryRegion *mem, MemoryRegion *io);
/* Free what pci_bus_init allocated (devices must be gone). */
void pci_bus_cleanup(PCIBus *bus);
/* The board's INTx wiring: nirq lines, map_irq picks one per pin. */
void pci_bus_irqs(PCIBus *bus, PCISetIRQFn *set_irq, PCIMapIRQFn *map_irq,
                  void *opaque, int nirq);
/* How many pins assert bus line irq_num now (for tests and debugging). */
int pci_bus_get_irq_level(PCIBus *bus, int irq_num);
PCIDevice *pci_find_device(PCIBus *bus, int devfn);
/*
 * A config access from the host bridge: devfn on this bus, addr within
 * the 256-byte (or 4 KiB) space, len 1/2/4 naturally aligned. Absent
 * functions read as all ones and ignore writes; so do accesses beyond a
 * function's config space.
 */
uint32_t pci_bus_config_read(PCIBus *bus, int devfn, uint32_t addr,
                             unsigned len);
void pci_bus_config_write(PCIBus *bus, int devfn, uint32_t addr,
                          uint32_t val, unsigned len);

/* ---- device creation (boards) ------------------------------------------- */

/* New unrealized device of type at devfn (PCI_DEVFN_AUTO to pick). */
PCIDevice *pci_new(int devfn, const char *type);
/* New and realized on bus, or exit(1) with the error. */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type);
/* "pci-testdev 'id'" style name for messages. */
char *pci_device_describe(PCIDevice *dev);

/* ---- config space ------------------------------------------------------- */

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len);
/* The same through the device's overrides (as the host bridge does). */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);

/*
 * Capabilities (PCI 3.0, 6.7). offset 0 picks the first free dword-aligned
 * space at or above 0x40. The ID and next pointer are read-only; the
 * caller sets the rest and its write masks. Returns the offset or 0 with
 * errp set (no room, overlap).
 */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                           uint8_t size, GError **errp);
void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size);
/* Offset of the first capability with this ID, or 0. */
uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id);

/* ---- BARs --------------------------------------------------------------- */

/*
 * Register region n (0..5, or PCI_ROM_SLOT) with type flags
 * PCI_BASE_ADDRESS_SPACE_IO, or PCI_BASE_ADDRESS_SPACE_MEMORY |
 * PCI_BASE_ADDRESS_MEM_TYPE_32/64 [| PCI_BASE_ADDRESS_MEM_PREFETCH].
 * The region's size must be a power of two; a 64-bit BAR also uses
 * register n + 1. The core maps mr at the address the guest programs
 * whenever decoding is enabled in the command register.
 */
void pci_register_bar(PCIDevice *dev, int n, uint8_t type, MemoryRegion *mr);
/* Where region n is mapped, or PCI_BAR_UNMAPPED. */
pcibus_t pci_get_bar_addr(PCIDevice *dev, int n);
/* Offset of region n's register in config space. */
static inline uint32_t pci_bar_offset(int n)
{
    return n == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * n;
}
/* Re-evaluate the BAR mappings (after a BAR or command change). */
void pci_update_mappings(PCIDevice *dev);

/* ---- INTx, bus mastering ------------------------------------------------ */

/*
 * Drive the function's interrupt pin (the one its Interrupt Pin register
 * names). The Interrupt Status bit follows level; the bus line sees it
 * unless Interrupt Disable is set in the command register.
 */
void pci_set_irq(PCIDevice *dev, int level);
static inline void pci_irq_assert(PCIDevice *dev) { pci_set_irq(dev, 1); }
static inline void pci_irq_deassert(PCIDevice *dev) { pci_set_irq(dev, 0); }

static inline bool pci_bus_master_enabled(PCIDevice *dev)
{
    return pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}
/*
 * DMA into guest memory on behalf of the device: refused (false, and a
 * guest-error log line) while bus mastering is disabled; reads then fill
 * buf with all ones. Also false if part of the range is unassigned, and
 * refused when device-initiated accesses nest too deep (a DMA or message
 * that hits a register starting another one, a guest-made loop).
 */
bool pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len);
bool pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf,
                   uint64_t len);
/*
 * An MSI/MSI-X message: a 4-byte write of data at addr in
 * address_space_memory (the interrupt controllers turn writes to
 * 0xfee00000-0xfeefffff into interrupts). Dropped while bus mastering
 * is disabled (PCI 3.0, 6.8: messages are memory writes by the device),
 * and when nested too deep, as DMA.
 */
void pci_send_msi_message(PCIDevice *dev, uint64_t addr, uint32_t data);

#endif
