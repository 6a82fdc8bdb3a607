/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioeventfds and irqfds for devices (include/system/kvm.h), kept apart
 * from the rest of accel/kvm. Facts from the KVM API documentation
 * (Documentation/virt/kvm/api.rst): KVM_IOEVENTFD 4.59, KVM_IRQFD 4.75,
 * KVM_SET_GSI_ROUTING 4.52.
 *
 * MSI routes for irqfds share the VM's one routing table with the PC's
 * pin routes of kvm-irq.c (KVMState.routes). Ours use GSIs from
 * KVM_EVENTFD_GSI_FIRST up, far from the pin GSIs (0..23) and from the
 * GSIs kvm-irq.c hands out for MSIs without KVM_CAP_SIGNAL_MSI (24 up);
 * the table grows to hold them, so kvm-irq.c keeps all of its room.
 * kvm-irq.c rebuilds the table only for its own routes, which exist
 * only without KVM_CAP_SIGNAL_MSI: irqfds are not offered then.
 *
 * Builds without linux/kvm.h get the "no KVM" answers at the end.
 */
#include "ember/osdep.h"
#include "system/kvm.h"

#ifdef CONFIG_KVM

#include "ember/error.h"
#include "accel/kvm/kvm-int.h"

#define KVM_EVENTFD_GSI_FIRST   1024
#define KVM_EVENTFD_GSI_COUNT   1024
#define KVM_ROUTES_GROW         64
#define BITS_PER_LONG           (8 * sizeof(long))

static unsigned long gsi_used[KVM_EVENTFD_GSI_COUNT / BITS_PER_LONG];

/* Capabilities, asked once per VM. */
static KVMState *caps_for;
static bool cap_ioeventfd, cap_irqfd;

static void probe_caps(KVMState *s)
{
    if (caps_for == s) {
        return;
    }
    caps_for = s;
    cap_ioeventfd = kvm_check_extension(s, KVM_CAP_IOEVENTFD) > 0;
    cap_irqfd = kvm_check_extension(s, KVM_CAP_IRQFD) > 0 &&
                kvm_check_extension(s, KVM_CAP_IRQ_ROUTING) >=
                    KVM_EVENTFD_GSI_FIRST + KVM_EVENTFD_GSI_COUNT;
}

bool kvm_ioeventfds_enabled(void)
{
    if (!kvm_state) {
        return false;
    }
    probe_caps(kvm_state);
    return cap_ioeventfd;
}

bool kvm_irqfds_enabled(void)
{
    KVMState *s = kvm_state;

    if (!s || !s->irqchip_in_kernel || !s->signal_msi || !s->routes) {
        return false;
    }
    probe_caps(s);
    return cap_irqfd;
}

int kvm_set_ioeventfd_mmio(int fd, uint64_t addr, unsigned len, bool assign)
{
    struct kvm_ioeventfd io = {
        .addr = addr,
        .len = len,
        .fd = fd,
        .flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
    };

    if (!kvm_state) {
        return -ENOSYS;
    }
    /* len 0 matches any access length (KVM_CAP_IOEVENTFD_ANY_LENGTH). */
    if (len == 0 &&
        kvm_check_extension(kvm_state, KVM_CAP_IOEVENTFD_ANY_LENGTH) <= 0) {
        return -EINVAL;
    }
    return kvm_vm_ioctl(kvm_state, KVM_IOEVENTFD, &io);
}

static int commit_routes(KVMState *s)
{
    s->routes->nr = s->nr_routes;
    s->routes->flags = 0;
    return kvm_vm_ioctl(s, KVM_SET_GSI_ROUTING, s->routes);
}

static struct kvm_irq_routing_entry *find_route(KVMState *s, int gsi)
{
    for (unsigned i = 0; i < s->nr_routes; i++) {
        if (s->routes->entries[i].gsi == (uint32_t)gsi) {
            return &s->routes->entries[i];
        }
    }
    return NULL;
}

static bool our_gsi(int gsi)
{
    int i = gsi - KVM_EVENTFD_GSI_FIRST;

    return i >= 0 && i < KVM_EVENTFD_GSI_COUNT &&
           (gsi_used[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG)));
}

static void set_gsi_used(int gsi, bool used)
{
    int i = gsi - KVM_EVENTFD_GSI_FIRST;
    unsigned long bit = 1UL << (i % BITS_PER_LONG);

    if (used) {
        gsi_used[i / BITS_PER_LONG] |= bit;
    } else {
        gsi_used[i / BITS_PER_LONG] &= ~bit;
    }
}

static void fill_msi(struct kvm_irq_routing_entry *e, int gsi, uint64_t addr,
                     uint32_t data)
{
    memset(e, 0, sizeof(*e));
    e->gsi = gsi;
    e->type = KVM_IRQ_ROUTING_MSI;
    e->u.msi.address_lo = (uint32_t)addr;
    e->u.msi.address_hi = addr >> 32;
    e->u.msi.data = data;
}

int kvm_irqchip_add_msi_route(uint64_t addr, uint32_t data)
{
    KVMState *s = kvm_state;
    int gsi = -1, r;

    if (!kvm_irqfds_enabled()) {
        return -ENOSYS;
    }
    for (int i = 0; i < KVM_EVENTFD_GSI_COUNT; i++) {
        if (!our_gsi(KVM_EVENTFD_GSI_FIRST + i)) {
            gsi = KVM_EVENTFD_GSI_FIRST + i;
            break;
        }
    }
    if (gsi < 0) {
        return -ENOSPC;
    }
    if (s->nr_routes >= s->max_routes) {
        s->max_routes += KVM_ROUTES_GROW;
        s->routes = g_realloc(s->routes, sizeof(*s->routes) +
                              s->max_routes * sizeof(s->routes->entries[0]));
    }
    fill_msi(&s->routes->entries[s->nr_routes++], gsi, addr, data);
    r = commit_routes(s);
    if (r < 0) {
        s->nr_routes--;
        return r;
    }
    set_gsi_used(gsi, true);
    return gsi;
}

int kvm_irqchip_update_msi_route(int gsi, uint64_t addr, uint32_t data)
{
    KVMState *s = kvm_state;
    struct kvm_irq_routing_entry *e, old;
    int r;

    if (!s || !our_gsi(gsi) || !(e = find_route(s, gsi))) {
        return -EINVAL;
    }
    old = *e;
    fill_msi(e, gsi, addr, data);
    r = commit_routes(s);
    if (r < 0) {
        *e = old;
    }
    return r;
}

void kvm_irqchip_release_msi_route(int gsi)
{
    KVMState *s = kvm_state;
    struct kvm_irq_routing_entry *e;

    if (!s || !our_gsi(gsi)) {
        return;
    }
    set_gsi_used(gsi, false);
    e = find_route(s, gsi);
    if (e) {
        /* Order does not matter to the kernel: fill the gap with the
         * last entry. */
        *e = s->routes->entries[--s->nr_routes];
        if (commit_routes(s) < 0) {
            warn_report("KVM: removing MSI route %d failed", gsi);
        }
    }
}

int kvm_irqchip_set_irqfd(int fd, int gsi, bool assign)
{
    struct kvm_irqfd irqfd = {
        .fd = fd,
        .gsi = gsi,
        .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
    };

    if (!kvm_state || !kvm_state->irqchip_in_kernel) {
        return -ENOSYS;
    }
    return kvm_vm_ioctl(kvm_state, KVM_IRQFD, &irqfd);
}

#else /* !CONFIG_KVM */

bool kvm_ioeventfds_enabled(void)
{
    return false;
}

bool kvm_irqfds_enabled(void)
{
    return false;
}

int kvm_set_ioeventfd_mmio(int fd, uint64_t addr, unsigned len, bool assign)
{
    return -ENOSYS;
}

int kvm_irqchip_add_msi_route(uint64_t addr, uint32_t data)
{
    return -ENOSYS;
}

int kvm_irqchip_update_msi_route(int gsi, uint64_t addr, uint32_t data)
{
    return -ENOSYS;
}

void kvm_irqchip_release_msi_route(int gsi)
{
}

int kvm_irqchip_set_irqfd(int fd, int gsi, bool assign)
{
    return -ENOSYS;
}

#endif
