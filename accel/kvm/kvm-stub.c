/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KVM services for hosts without linux/kvm.h: KVM is never enabled. */
#include "ember/osdep.h"
#include "system/kvm.h"

bool kvm_enabled(void)
{
    return false;
}

bool kvm_irqchip_in_kernel(void)
{
    return false;
}

bool kvm_pit_in_kernel(void)
{
    return false;
}

void kvm_set_irq(int gsi, int level)
{
}

int kvm_irqchip_send_msi(uint64_t addr, uint32_t data)
{
    return -ENOSYS;
}
