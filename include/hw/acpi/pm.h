/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PC's ACPI power management device ("acpi-pm"): the fixed hardware
 * registers of ACPI 6.4 section 4.8 in port space.
 *
 *   0x600  PM1a_EVT_BLK  PM1_STS (16 bits) + PM1_EN (16 bits)
 *   0x604  PM1a_CNT_BLK  PM1_CNT (16 bits): SCI_EN, SLP_TYP, SLP_EN
 *   0x608  PM_TMR_BLK    24-bit PM timer at 3.579545 MHz (virtual clock)
 *   0x60c  RESET_REG     the FADT reset register (byte; bit 2 resets)
 *   0x620  GPE0_BLK      GPE0_STS (16 bits) + GPE0_EN (16 bits)
 *
 * The SCI is ISA IRQ 9 (level, active high). SLP_TYP 0 with SLP_EN is
 * S5 (soft off; the \_S5 package says so), which ends Ember with exit
 * status 0; `outw(0x604, 0x2000)` therefore powers off, as on QEMU's PC.
 * The power button (system_powerdown_request, e.g. closing the window)
 * sets PWRBTN_STS.
 */
#ifndef HW_ACPI_PM_H
#define HW_ACPI_PM_H

#include "hw/isa/isa.h"

#define TYPE_ACPI_PM "acpi-pm"

#define ACPI_PM_BASE            0x600
#define ACPI_PM1_EVT_OFF        0x00
#define ACPI_PM1_EVT_LEN        4
#define ACPI_PM1_CNT_OFF        0x04
#define ACPI_PM1_CNT_LEN        2
#define ACPI_PM_TMR_OFF         0x08
#define ACPI_PM_TMR_LEN         4
#define ACPI_PM_RESET_OFF       0x0c
#define ACPI_PM_RESET_VALUE     0x06
#define ACPI_PM_IO_LEN          0x10
#define ACPI_GPE0_BASE          0x620
#define ACPI_GPE0_LEN           4
#define ACPI_SCI_IRQ            9
#define ACPI_PM_TIMER_FREQ      3579545ULL
#define ACPI_SLP_TYP_S5         0

/* PM1_STS / PM1_EN bits (ACPI 6.4, 4.8.3.1). */
#define ACPI_BITMASK_TIMER_STATUS       0x0001
#define ACPI_BITMASK_BUS_MASTER_STATUS  0x0010
#define ACPI_BITMASK_GLOBAL_LOCK_STATUS 0x0020
#define ACPI_BITMASK_POWER_BUTTON_STATUS 0x0100
#define ACPI_BITMASK_SLEEP_BUTTON_STATUS 0x0200
#define ACPI_BITMASK_RT_CLOCK_STATUS    0x0400
#define ACPI_BITMASK_WAKE_STATUS        0x8000
/* PM1_CNT bits (4.8.3.2.1). */
#define ACPI_BITMASK_SCI_ENABLE         0x0001
#define ACPI_BITMASK_SLEEP_TYPE         0x1c00
#define ACPI_BITMASK_SLEEP_ENABLE       0x2000

DeviceState *acpi_pm_create(ISABus *bus);
/* Raise a general-purpose event (GPE0 status bit 0..15). */
void acpi_pm_set_gpe(DeviceState *dev, unsigned bit);

#endif
