/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM services for the machine (accel/kvm). With the in-kernel irqchip,
 * the PIC, I/O APIC, local APICs and the PIT live in the kernel: device
 * interrupt lines end in kvm_set_irq() and MSIs in kvm_irqchip_send_msi().
 *
 * All of these are safe to call in any build and under any accelerator:
 * without KVM they report false / do nothing.
 */
#ifndef SYSTEM_KVM_H
#define SYSTEM_KVM_H

#include "ember/osdep.h"

/* Is KVM the current accelerator? (true once its init() has run) */
bool kvm_enabled(void);
/* KVM with kernel-irqchip=on (the default). */
bool kvm_irqchip_in_kernel(void);
/*
 * The i8254 PIT is the kernel's (it comes with the in-kernel irqchip,
 * along with port 0x61's PIT bits): the machine must not create its
 * own PIT then.
 */
bool kvm_pit_in_kernel(void);
/*
 * Assert/deassert a GSI of the in-kernel irqchip (KVM_IRQ_LINE). GSI
 * 0..15 are ISA IRQs (i8259 and I/O APIC; IRQ 0 is I/O APIC pin 2),
 * 16..23 I/O APIC pins only (include/hw/i386/pc.h). Out-of-range GSIs
 * are logged (-d guest_errors) and ignored.
 */
void kvm_set_irq(int gsi, int level);
/* Deliver an MSI (KVM_SIGNAL_MSI); returns <0 on failure, 0 if the guest
 * blocked it, >0 if delivered. */
int kvm_irqchip_send_msi(uint64_t addr, uint32_t data);

/*
 * ---- eventfds for devices (accel/kvm/kvm-eventfd.c) ----------------------
 * Added for virtio (hw/virtio/virtio-pci.c); kept apart from the rest of
 * the KVM code. All run under the BQL.
 *
 * ioeventfd (api.rst 4.59): a guest write to an MMIO address signals an
 * eventfd in the kernel instead of exiting to Ember. irqfd (4.75): a
 * write to an eventfd injects the interrupt of a GSI; with an MSI route
 * (KVM_SET_GSI_ROUTING, 4.52) that GSI is an MSI message.
 */
/* KVM_IOEVENTFD usable (KVM is running and has it)? */
bool kvm_ioeventfds_enabled(void);
/*
 * irqfds on MSI routes usable? Needs the in-kernel irqchip and
 * KVM_CAP_SIGNAL_MSI: without it, kvm-irq.c may rebuild the routing
 * table for its own MSI routes, which would drop ours.
 */
bool kvm_irqfds_enabled(void);
/* Watch guest writes of len bytes (0: any length) at addr. 0 or -errno. */
int kvm_set_ioeventfd_mmio(int fd, uint64_t addr, unsigned len, bool assign);
/* A new GSI routed to an MSI message (>= 0), or -errno. */
int kvm_irqchip_add_msi_route(uint64_t addr, uint32_t data);
/* Point an existing route at another message. 0 or -errno. */
int kvm_irqchip_update_msi_route(int gsi, uint64_t addr, uint32_t data);
/* Drop a route from kvm_irqchip_add_msi_route (unbind its irqfd first). */
void kvm_irqchip_release_msi_route(int gsi);
/* Bind (assign) or unbind an eventfd to a GSI. 0 or -errno. */
int kvm_irqchip_set_irqfd(int fd, int gsi, bool assign);

#endif
