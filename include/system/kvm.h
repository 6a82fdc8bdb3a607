/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM services for the machine (accel/kvm). With the in-kernel irqchip,
 * the PIC, I/O APIC, local APICs and the PIT live in the kernel: device
 * interrupt lines end in kvm_set_irq() and MSIs in kvm_irqchip_send_msi().
 */
#ifndef SYSTEM_KVM_H
#define SYSTEM_KVM_H

#include "ember/osdep.h"

/* Is KVM the current accelerator? */
bool kvm_enabled(void);
/* KVM with kernel-irqchip=on (the default). */
bool kvm_irqchip_in_kernel(void);
/* Assert/deassert a GSI of the in-kernel irqchip (KVM_IRQ_LINE). */
void kvm_set_irq(int gsi, int level);
/* Deliver an MSI (KVM_SIGNAL_MSI); returns <0 on failure. */
int kvm_irqchip_send_msi(uint64_t addr, uint32_t data);

#endif
