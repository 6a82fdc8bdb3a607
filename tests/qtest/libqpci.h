/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI helpers for device tests: configuration space through mechanism #1
 * (0xcf8/0xcfc), device and capability lookup, BAR probing and
 * programming, and register access through a BAR whether it is I/O or
 * memory. Bus 0 only (the PC has no PCI-to-PCI bridges).
 *
 *   int devfn = qpci_find_device(s, 0x1234, 0xe001);
 *   QPCIBar bar = qpci_bar(s, devfn, 0);        // as firmware assigned it
 *   qpci_device_enable(s, devfn);               // I/O, memory, master
 *   uint32_t v = qpci_io_readl(s, bar, 0);
 */
#ifndef LIBQPCI_H
#define LIBQPCI_H

#include "libqtest.h"

#define QPCI_DEVFN(slot, func) ((((slot) & 0x1f) << 3) | ((func) & 7))

uint8_t qpci_config_readb(QTestState *s, int devfn, uint8_t off);
uint16_t qpci_config_readw(QTestState *s, int devfn, uint8_t off);
uint32_t qpci_config_readl(QTestState *s, int devfn, uint8_t off);
void qpci_config_writeb(QTestState *s, int devfn, uint8_t off, uint8_t v);
void qpci_config_writew(QTestState *s, int devfn, uint8_t off, uint16_t v);
void qpci_config_writel(QTestState *s, int devfn, uint8_t off, uint32_t v);

/* First function with these IDs (bus order), or -1. */
int qpci_find_device(QTestState *s, uint16_t vendor, uint16_t device);
/* Offset of capability cap_id in the list, or 0. */
uint8_t qpci_find_capability(QTestState *s, int devfn, uint8_t cap_id);

/* Set I/O, memory decoding and bus mastering in the command register. */
void qpci_device_enable(QTestState *s, int devfn);

/* A BAR as a test sees it: where it is and in which space. */
typedef struct QPCIBar {
    uint64_t addr;
    bool is_io;
    bool is_64;
} QPCIBar;

/* The BAR's current programmed address (either space). */
QPCIBar qpci_bar(QTestState *s, int devfn, int bar);
/*
 * Size of a BAR by the standard probe (decoding off, write all ones,
 * read back, restore); 0 if the BAR is not implemented.
 */
uint64_t qpci_bar_size(QTestState *s, int devfn, int bar);
/* Program a BAR (both halves of a 64-bit one). */
void qpci_bar_set(QTestState *s, int devfn, int bar, uint64_t addr);

/* Register access at off within a BAR (port or memory access). */
uint8_t qpci_io_readb(QTestState *s, QPCIBar bar, uint64_t off);
uint16_t qpci_io_readw(QTestState *s, QPCIBar bar, uint64_t off);
uint32_t qpci_io_readl(QTestState *s, QPCIBar bar, uint64_t off);
void qpci_io_writeb(QTestState *s, QPCIBar bar, uint64_t off, uint8_t v);
void qpci_io_writew(QTestState *s, QPCIBar bar, uint64_t off, uint16_t v);
void qpci_io_writel(QTestState *s, QPCIBar bar, uint64_t off, uint32_t v);

#endif
