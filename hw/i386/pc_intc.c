/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupt controllers, HPET, ACPI and fw_cfg of the PC.
 *
 * Interrupt routing. Devices raise pcms->gsi[n], the inputs of a small
 * router device ("pc-gsi"):
 *   n = 0..15   ISA IRQ n: 8259 input n, and I/O APIC pin n except that
 *               ISA IRQ 0 is pin 2 (the MADT's interrupt source override);
 *   n = 16..23  I/O APIC pin n (PCI INTx: slot s, pin p -> GSI
 *               16 + ((s + p) % 4), level, active low, shared).
 * The router ORs the HPET's outputs in (its routes to pins 16..23 and,
 * in legacy replacement mode, timer 0 on IRQ 0 and timer 1 on IRQ 8,
 * which then disconnects the 8254's IRQ 0 and the RTC's IRQ 8; HPET
 * spec 2.4.3) and forwards level changes. Under KVM with the in-kernel
 * irqchip, line n goes to kvm_set_irq(n, level) instead (KVM's routing
 * maps n like the above).
 *
 * The master 8259's INT goes to the BSP's local APIC LINT0.
 *
 * Its router inputs, for tests (qtest "set_irq_in pc-gsi N LEVEL"):
 *   0..23  pcms->gsi[]
 *   24..47 HPET route to I/O APIC pin n - 24
 *   48, 49 HPET legacy IRQ 0 / IRQ 8; 50 HPET legacy mode
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/pm.h"
#include "hw/i386/apic.h"
#include "hw/i386/e820.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/timer/hpet.h"
#include "system/accel.h"
#include "system/kvm.h"

#define TYPE_PC_GSI         "pc-gsi"
#define GSI_IN_HPET_ROUTE   24
#define GSI_IN_HPET_IRQ0    48
#define GSI_IN_HPET_IRQ8    49
#define GSI_IN_HPET_LEGACY  50
#define GSI_NUM_IN          51

/* Where the ACPI tables go in the BIOS area (the rest is left free). */
#define ACPI_RSDP_ADDR      0xe0000
#define ACPI_TABLES_ADDR    0xe0040
#define ACPI_AREA_END       0xf0000

typedef struct PCGSIState {
    DeviceState parent;

    PCMachineState *pcms;
    bool in_kernel;
    uint32_t ext;           /* levels of pcms->gsi[] */
    uint32_t hpet_route;    /* HPET outputs, by GSI */
    uint32_t hpet_leg;      /* HPET legacy IRQ 0 / 8, by GSI */
    bool hpet_legacy;
    uint32_t lines;         /* merged level per GSI, as last forwarded */
    uint32_t pins;          /* I/O APIC pin levels, as last forwarded */
} PCGSIState;

/*
 * The KVM services, until (or unless) accel/kvm provides them: without
 * KVM the in-kernel irqchip is never used, so these are never reached.
 */
__attribute__((weak)) bool kvm_enabled(void)
{
    return false;
}

__attribute__((weak)) bool kvm_irqchip_in_kernel(void)
{
    return false;
}

__attribute__((weak)) void kvm_set_irq(int gsi, int level)
{
}

__attribute__((weak)) int kvm_irqchip_send_msi(uint64_t addr, uint32_t data)
{
    return -1;
}

static void pc_gsi_forward(PCGSIState *g)
{
    PCMachineState *pcms = g->pcms;
    uint32_t gated = g->ext, lines, changed, pins = 0;

    if (g->hpet_legacy) {
        gated &= ~((1u << 0) | (1u << 8));
    }
    lines = gated | g->hpet_route | g->hpet_leg;
    changed = lines ^ g->lines;
    g->lines = lines;
    if (!changed) {
        return;
    }
    if (g->in_kernel) {
        for (int n = 0; n < PC_GSI_COUNT; n++) {
            if (changed & (1u << n)) {
                kvm_set_irq(n, (lines >> n) & 1);
            }
        }
        return;
    }
    for (int n = 0; n < 16; n++) {
        if (n != 2 && (changed & (1u << n))) {
            irq_set(pcms->pic_in[n], (lines >> n) & 1);
        }
    }
    /* I/O APIC pins: ISA IRQ 0 (and the unused IRQ 2) on pin 2. */
    pins = lines & ~((1u << 0) | (1u << 2));
    if (lines & ((1u << 0) | (1u << 2))) {
        pins |= 1u << 2;
    }
    changed = pins ^ g->pins;
    g->pins = pins;
    for (int p = 0; p < PC_GSI_COUNT; p++) {
        if (changed & (1u << p)) {
            irq_set(pcms->ioapic_in[p], (pins >> p) & 1);
        }
    }
}

static void pc_gsi_set(void *opaque, int n, int level)
{
    PCGSIState *g = opaque;
    uint32_t bit;

    if (n < PC_GSI_COUNT) {
        bit = 1u << n;
        g->ext = level ? (g->ext | bit) : (g->ext & ~bit);
    } else if (n < GSI_IN_HPET_IRQ0) {
        bit = 1u << (n - GSI_IN_HPET_ROUTE);
        g->hpet_route = level ? (g->hpet_route | bit)
                              : (g->hpet_route & ~bit);
    } else if (n == GSI_IN_HPET_IRQ0 || n == GSI_IN_HPET_IRQ8) {
        bit = 1u << (n == GSI_IN_HPET_IRQ0 ? 0 : 8);
        g->hpet_leg = level ? (g->hpet_leg | bit) : (g->hpet_leg & ~bit);
    } else if (n == GSI_IN_HPET_LEGACY) {
        g->hpet_legacy = level;
    }
    pc_gsi_forward(g);
}

static void pc_gsi_instance_init(DeviceState *dev)
{
    qdev_init_gpio_in(dev, pc_gsi_set, GSI_NUM_IN);
}

static const DeviceInfo pc_gsi_info = {
    .name = TYPE_PC_GSI,
    .parent = "device",
    .instance_size = sizeof(PCGSIState),
    .desc = "PC interrupt routing (GSIs to 8259s, I/O APIC or KVM)",
    .instance_init = pc_gsi_instance_init,
};

static void pc_gsi_register(void)
{
    type_register(&pc_gsi_info);
}
type_init(pc_gsi_register)

static void pc_find_gsi_cb(DeviceState *dev, void *opaque)
{
    DeviceState **found = opaque;

    if (!*found && qdev_is_a(dev, TYPE_PC_GSI)) {
        *found = dev;
    }
}

static DeviceState *pc_find_gsi(void)
{
    DeviceState *found = NULL;

    qdev_foreach(pc_find_gsi_cb, &found);
    assert(found);
    return found;
}

/* ---- the 8259's INT and the CPU ------------------------------------------ */

static void pc_pic_int(void *opaque, int n, int level)
{
    PCMachineState *pcms = opaque;
    CPUState *bsp = pcms->cpus[0];
    DeviceState *apic = cpu_get_apic(bsp);

    if (!bsp) {
        return;
    }
    if (apic) {
        apic_deliver_pic_intr(apic, level);
    } else if (level) {
        cpu_interrupt(bsp, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(bsp, CPU_INTERRUPT_HARD);
    }
}

int x86_cpu_get_pic_interrupt(CPUX86State *env)
{
    PCMachineState *pcms = pc_machine();
    DeviceState *apic = env->apic;
    int v;

    if (apic) {
        v = apic_get_interrupt(apic);
        if (v >= 0) {
            return v;
        }
        if (!apic_accept_pic_intr(apic)) {
            return -1;
        }
    }
    if (!pcms || !pcms->pic || !pic_get_output(pcms->pic)) {
        return -1;
    }
    v = pic_read_irq(pcms->pic);
    if (apic) {
        apic_poll_irq(apic);
    }
    return v;
}

/* ---- MSIs with the in-kernel irqchip ------------------------------------- */

static uint64_t kvm_msi_read(void *opaque, hwaddr off, unsigned size)
{
    return 0;
}

static void kvm_msi_write(void *opaque, hwaddr off, uint64_t val,
                          unsigned size)
{
    if (kvm_irqchip_send_msi(APIC_DEFAULT_BASE + off, val) < 0) {
        ember_log_mask(LOG_GUEST_ERROR, "pc: MSI 0x%" PRIx64 " <- 0x%"
                       PRIx64 " not delivered\n",
                       (uint64_t)(APIC_DEFAULT_BASE + off), val);
    }
}

static const MemoryRegionOps kvm_msi_ops = {
    .read = kvm_msi_read,
    .write = kvm_msi_write,
    .min_access = 4,
    .max_access = 4,
};

/* ---- set-up -------------------------------------------------------------- */

static bool pc_irqchip_in_kernel(void)
{
    const AccelOps *ops = current_accel();

    if (ops && ops->irqchip_in_kernel) {
        return ops->irqchip_in_kernel();
    }
    return kvm_enabled() && kvm_irqchip_in_kernel();
}

void pc_init_intc(PCMachineState *pcms)
{
    MemoryRegion *sysmem = get_system_memory();
    DeviceState *gsi = qdev_new(TYPE_PC_GSI);
    PCGSIState *g = (PCGSIState *)gsi;

    pcms->irqchip_in_kernel = pc_irqchip_in_kernel();
    g->pcms = pcms;
    g->in_kernel = pcms->irqchip_in_kernel;
    qdev_realize_or_die(gsi, NULL);
    for (int i = 0; i < PC_GSI_COUNT; i++) {
        pcms->gsi[i] = qdev_get_gpio_in(gsi, i);
    }

    if (pcms->irqchip_in_kernel) {
        MemoryRegion *msi = g_new0(MemoryRegion, 1);
        memory_region_init_io(msi, NULL, &kvm_msi_ops, NULL, "kvm-apic-msi",
                              0x100000);
        memory_region_add_subregion_overlap(sysmem, APIC_DEFAULT_BASE, msi,
                                            0x1000);
    } else {
        pcms->pic = i8259_init(pcms->isa_bus,
                               irq_new(pc_pic_int, pcms, 0), pcms->pic_in);
        pcms->ioapic = ioapic_create(sysmem, IOAPIC_BASE, 0);
        for (int i = 0; i < PC_GSI_COUNT; i++) {
            pcms->ioapic_in[i] = qdev_get_gpio_in(pcms->ioapic, i);
        }
        apic_map_mmio(sysmem);
    }
    isa_bus_set_irqs(pcms->isa_bus, pcms->gsi);
}

void pc_init_cpu_apic(PCMachineState *pcms, CPUState *cpu)
{
    if (pcms->irqchip_in_kernel) {
        return;     /* the kernel emulates the local APICs */
    }
    pcms->apics[cpu->cpu_index] = apic_create(cpu, cpu->apic_id);
}

static GByteArray *pc_e820_file(void *opaque)
{
    const E820Entry *table;
    unsigned n = e820_get_table(&table);
    GByteArray *b = g_byte_array_sized_new(n * sizeof(E820Entry));

    /* struct e820_entry: le64 address, le64 length, le32 type. */
    for (unsigned i = 0; i < n; i++) {
        uint8_t e[sizeof(E820Entry)];
        stq_le_p(e, table[i].addr);
        stq_le_p(e + 8, table[i].size);
        stl_le_p(e + 16, table[i].type);
        g_byte_array_append(b, e, sizeof(e));
    }
    return b;
}

static void pc_build_acpi(PCMachineState *pcms)
{
    MachineState *ms = pcms->ms;
    g_autofree uint32_t *ids = g_new0(uint32_t, pcms->ncpus + 1);
    uint8_t *bios = memory_region_get_ram_ptr(&pcms->bios);
    AcpiBuildConfig cfg = {
        .ncpus = pcms->ncpus,
        .apic_ids = ids,
        .lapic_base = APIC_DEFAULT_BASE,
        .ioapic_base = IOAPIC_BASE,
        .ioapic_id = 0,
        .pci_hole_start = pcms->pci_hole_start,
        .pci_hole_end = IOAPIC_BASE,
        .hpet = pcms->hpet != NULL,
        .hpet_base = HPET_BASE,
        .hpet_block_id = pcms->hpet ? hpet_get_block_id(pcms->hpet) : 0,
        .pm_base = ACPI_PM_BASE,
        .gpe0_base = ACPI_GPE0_BASE,
        .sci_irq = ACPI_SCI_IRQ,
        .reset_port = ACPI_PM_BASE + ACPI_PM_RESET_OFF,
        .reset_value = ACPI_PM_RESET_VALUE,
    };
    AcpiTables t;

    if (!ms->acpi) {
        return;
    }
    for (unsigned i = 0; i < pcms->ncpus; i++) {
        ids[i] = pcms->cpus[i]->apic_id;
    }
    acpi_build(&cfg, ACPI_RSDP_ADDR, ACPI_TABLES_ADDR, &t);
    /* A fixed size for a fixed machine: at most 255 CPUs fit easily. */
    assert(ACPI_TABLES_ADDR + t.tables->len <= ACPI_AREA_END);
    memcpy(bios + (ACPI_RSDP_ADDR - PC_BIOS_AREA_START), t.rsdp->data,
           t.rsdp->len);
    memcpy(bios + (ACPI_TABLES_ADDR - PC_BIOS_AREA_START), t.tables->data,
           t.tables->len);
    memory_notify_ram_write(&pcms->bios, ACPI_RSDP_ADDR - PC_BIOS_AREA_START,
                            ACPI_AREA_END - ACPI_RSDP_ADDR);
    if (pcms->fw_cfg) {
        fw_cfg_add_file(pcms->fw_cfg, "etc/acpi/rsdp", t.rsdp->data,
                        t.rsdp->len);
        fw_cfg_add_file(pcms->fw_cfg, "etc/acpi/tables", t.tables->data,
                        t.tables->len);
    }
    acpi_tables_free(&t);
}

void pc_init_acpi_fw_cfg(PCMachineState *pcms)
{
    MachineState *ms = pcms->ms;
    MemoryRegion *sysmem = get_system_memory();
    DeviceState *gsi = pc_find_gsi();

    pcms->hpet = hpet_create(sysmem, HPET_BASE);
    for (int p = 16; p < PC_GSI_COUNT; p++) {
        qdev_connect_gpio_out(pcms->hpet, p,
                              qdev_get_gpio_in(gsi, GSI_IN_HPET_ROUTE + p));
    }
    qdev_connect_gpio_out(pcms->hpet, HPET_OUT_LEGACY_IRQ0,
                          qdev_get_gpio_in(gsi, GSI_IN_HPET_IRQ0));
    qdev_connect_gpio_out(pcms->hpet, HPET_OUT_LEGACY_IRQ8,
                          qdev_get_gpio_in(gsi, GSI_IN_HPET_IRQ8));
    qdev_connect_gpio_out(pcms->hpet, HPET_OUT_LEGACY_MODE,
                          qdev_get_gpio_in(gsi, GSI_IN_HPET_LEGACY));
    pcms->pm = acpi_pm_create(pcms->isa_bus);

    pcms->fw_cfg = fw_cfg_create(pcms->isa_bus);
    fw_cfg_add_i64(pcms->fw_cfg, FW_CFG_RAM_SIZE, ms->ram_size);
    fw_cfg_add_i16(pcms->fw_cfg, FW_CFG_NB_CPUS, ms->smp_cpus);
    fw_cfg_add_i16(pcms->fw_cfg, FW_CFG_MAX_CPUS,
                   ms->max_cpus ? ms->max_cpus : ms->smp_cpus);
    fw_cfg_add_i16(pcms->fw_cfg, FW_CFG_NOGRAPHIC, ms->nographic);
    fw_cfg_add_file_generated(pcms->fw_cfg, "etc/e820", pc_e820_file, NULL);

    pc_build_acpi(pcms);
}
