/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The in-kernel irqchip: i8259 pair, I/O APIC and local APICs
 * (KVM_CREATE_IRQCHIP, api.rst 4.24), the i8254 (KVM_CREATE_PIT2, 4.71),
 * GSI routing (KVM_SET_GSI_ROUTING, 4.52) and interrupt delivery
 * (KVM_IRQ_LINE 4.25, KVM_SIGNAL_MSI 4.71).
 *
 * The PC's GSI plan (include/hw/i386/pc.h): GSI 0..15 are the ISA IRQs
 * and reach both the i8259 pair and the I/O APIC, except that ISA IRQ 0
 * (the PIT) is I/O APIC pin 2, as the MADT's interrupt source override
 * tells the guest (ACPI 6.4, 5.2.12.5). GSI 2 is the i8259 cascade and
 * has no route. GSI 16..23 reach only the I/O APIC.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "accel/kvm/kvm-int.h"
#include "hw/i386/pc.h"
#include "system/kvm.h"

/* MSI routes beyond the 24 pin GSIs, without KVM_CAP_SIGNAL_MSI. */
#define KVM_MSI_GSI_FIRST   PC_GSI_COUNT
#define KVM_MSI_ROUTES_MAX  256

static void route_chip(struct kvm_irq_routing_entry *e, uint32_t gsi,
                       uint32_t chip, uint32_t pin)
{
    memset(e, 0, sizeof(*e));
    e->gsi = gsi;
    e->type = KVM_IRQ_ROUTING_IRQCHIP;
    e->u.irqchip.irqchip = chip;
    e->u.irqchip.pin = pin;
}

unsigned kvm_pc_gsi_routes(struct kvm_irq_routing_entry *routes,
                           unsigned max)
{
    unsigned n = 0;

    for (uint32_t gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2) {
            continue;           /* the cascade input of the master */
        }
        if (n < max) {
            route_chip(&routes[n++], gsi,
                       gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
                       gsi & 7);
        }
    }
    for (uint32_t gsi = 0; gsi < PC_GSI_COUNT; gsi++) {
        if (gsi == 2) {
            continue;
        }
        if (n < max) {
            route_chip(&routes[n++], gsi, KVM_IRQCHIP_IOAPIC,
                       gsi == 0 ? 2 : gsi);
        }
    }
    return n;
}

static int kvm_commit_routes(KVMState *s)
{
    s->routes->nr = s->nr_routes;
    s->routes->flags = 0;
    return kvm_vm_ioctl(s, KVM_SET_GSI_ROUTING, s->routes);
}

static void save_reset_state(KVMState *s)
{
    s->have_reset_chip = true;
    for (int i = 0; i < 3; i++) {
        memset(&s->reset_chip[i], 0, sizeof(s->reset_chip[i]));
        s->reset_chip[i].chip_id = i;   /* PIC master, slave, IOAPIC */
        if (kvm_vm_ioctl(s, KVM_GET_IRQCHIP, &s->reset_chip[i]) < 0) {
            s->have_reset_chip = false;
        }
    }
    if (s->pit_in_kernel) {
        memset(&s->reset_pit, 0, sizeof(s->reset_pit));
        s->have_reset_pit =
            kvm_vm_ioctl(s, KVM_GET_PIT2, &s->reset_pit) >= 0;
    }
}

bool kvm_irqchip_create(KVMState *s, GError **errp)
{
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    int r;

    if (!kvm_check_extension(s, KVM_CAP_IRQCHIP) ||
        !kvm_check_extension(s, KVM_CAP_IRQ_ROUTING)) {
        error_setg(errp, "KVM: the kernel has no in-kernel irqchip "
                   "(KVM_CAP_IRQCHIP); use -accel kvm,kernel-irqchip=off");
        return false;
    }
    r = kvm_vm_ioctl(s, KVM_CREATE_IRQCHIP, NULL);
    if (r < 0) {
        error_setg(errp, "KVM: KVM_CREATE_IRQCHIP failed: %s; use -accel "
                   "kvm,kernel-irqchip=off", g_strerror(-r));
        return false;
    }
    /*
     * The PIT goes with the irqchip (its interrupt enters GSI 0). Port
     * 0x61's channel-2 gate and output are emulated with it
     * (KVM_PIT_SPEAKER_DUMMY), which Linux's TSC calibration reads.
     */
    if (kvm_check_extension(s, KVM_CAP_PIT2)) {
        r = kvm_vm_ioctl(s, KVM_CREATE_PIT2, &pit);
        if (r < 0) {
            error_setg(errp, "KVM: KVM_CREATE_PIT2 failed: %s",
                       g_strerror(-r));
            return false;
        }
        s->pit_in_kernel = true;
    }

    s->max_routes = PC_GSI_COUNT * 2 + KVM_MSI_ROUTES_MAX;
    s->routes = g_malloc0(sizeof(*s->routes) +
                          s->max_routes * sizeof(s->routes->entries[0]));
    s->nr_routes = kvm_pc_gsi_routes(s->routes->entries, s->max_routes);
    r = kvm_commit_routes(s);
    if (r < 0) {
        error_setg(errp, "KVM: KVM_SET_GSI_ROUTING failed: %s",
                   g_strerror(-r));
        return false;
    }
    s->signal_msi = kvm_check_extension(s, KVM_CAP_SIGNAL_MSI) > 0;
    s->msi_routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    s->next_msi_gsi = KVM_MSI_GSI_FIRST;
    s->irqchip_in_kernel = true;
    save_reset_state(s);
    return true;
}

void kvm_irqchip_reset(KVMState *s)
{
    if (!s->irqchip_in_kernel) {
        return;
    }
    /*
     * The kernel keeps its PIC, I/O APIC and PIT state across a guest
     * reset; load what they held when they were created (all inputs
     * masked, the PIT idle).
     */
    if (s->have_reset_chip) {
        for (int i = 0; i < 3; i++) {
            struct kvm_irqchip chip = s->reset_chip[i];
            int r = kvm_vm_ioctl(s, KVM_SET_IRQCHIP, &chip);
            if (r < 0) {
                warn_report("KVM: resetting irqchip %d failed: %s", i,
                            g_strerror(-r));
            }
        }
    }
    if (s->have_reset_pit) {
        struct kvm_pit_state2 pit = s->reset_pit;
        int r = kvm_vm_ioctl(s, KVM_SET_PIT2, &pit);
        if (r < 0) {
            warn_report("KVM: resetting the PIT failed: %s", g_strerror(-r));
        }
    }
    /* Dynamic MSI routes are forgotten with the devices that used them. */
    if (s->msi_routes && g_hash_table_size(s->msi_routes)) {
        g_hash_table_remove_all(s->msi_routes);
        s->nr_routes = kvm_pc_gsi_routes(s->routes->entries, s->max_routes);
        s->next_msi_gsi = KVM_MSI_GSI_FIRST;
        kvm_commit_routes(s);
    }
}

void kvm_set_irq(int gsi, int level)
{
    KVMState *s = kvm_state;
    struct kvm_irq_level irq;
    int r;

    if (!s || !s->irqchip_in_kernel) {
        ember_log_mask(LOG_GUEST_ERROR, "kvm_set_irq(%d) without the "
                       "in-kernel irqchip\n", gsi);
        return;
    }
    if (gsi < 0 || gsi >= PC_GSI_COUNT) {
        ember_log_mask(LOG_GUEST_ERROR, "kvm_set_irq: GSI %d out of range\n",
                       gsi);
        return;
    }
    irq.irq = gsi;
    irq.level = !!level;
    r = kvm_vm_ioctl(s, KVM_IRQ_LINE, &irq);
    if (r < 0) {
        ember_log_mask(LOG_GUEST_ERROR, "KVM_IRQ_LINE %d=%d failed: %s\n",
                       gsi, level, g_strerror(-r));
    }
}

/* Without KVM_SIGNAL_MSI: a route per distinct message, then a pulse. */
static int kvm_msi_via_route(KVMState *s, uint64_t addr, uint32_t data)
{
    g_autofree char *key = g_strdup_printf("%" PRIx64 ":%" PRIx32, addr,
                                           data);
    gpointer val;
    struct kvm_irq_level irq;
    int gsi, r;

    if (g_hash_table_lookup_extended(s->msi_routes, key, NULL, &val)) {
        gsi = GPOINTER_TO_INT(val);
    } else {
        struct kvm_irq_routing_entry *e;

        if (s->nr_routes >= s->max_routes) {
            /* Full: start over with the pin routes only. */
            g_hash_table_remove_all(s->msi_routes);
            s->nr_routes = kvm_pc_gsi_routes(s->routes->entries,
                                             s->max_routes);
            s->next_msi_gsi = KVM_MSI_GSI_FIRST;
        }
        gsi = s->next_msi_gsi++;
        e = &s->routes->entries[s->nr_routes++];
        memset(e, 0, sizeof(*e));
        e->gsi = gsi;
        e->type = KVM_IRQ_ROUTING_MSI;
        e->u.msi.address_lo = (uint32_t)addr;
        e->u.msi.address_hi = addr >> 32;
        e->u.msi.data = data;
        r = kvm_commit_routes(s);
        if (r < 0) {
            s->nr_routes--;
            s->next_msi_gsi--;
            return r;
        }
        g_hash_table_insert(s->msi_routes, g_steal_pointer(&key),
                            GINT_TO_POINTER(gsi));
    }
    irq.irq = gsi;
    irq.level = 1;
    return kvm_vm_ioctl(s, KVM_IRQ_LINE, &irq);
}

int kvm_irqchip_send_msi(uint64_t addr, uint32_t data)
{
    KVMState *s = kvm_state;
    struct kvm_msi msi = { 0 };

    if (!s || !s->irqchip_in_kernel) {
        return -ENOSYS;
    }
    if (!s->signal_msi) {
        return kvm_msi_via_route(s, addr, data);
    }
    msi.address_lo = (uint32_t)addr;
    msi.address_hi = addr >> 32;
    msi.data = data;
    /* >0 delivered, 0 blocked by the guest (masked): both fine. */
    return kvm_vm_ioctl(s, KVM_SIGNAL_MSI, &msi);
}
