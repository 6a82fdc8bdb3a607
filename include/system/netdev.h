/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network options of the command line (system/netdev.c):
 *
 *   -netdev TYPE,id=ID[,...]   a back end (user, tap, ...; -netdev help)
 *   -nic TYPE[,model=M][,mac=MAC][,id=ID][,back-end options]
 *                              a NIC and its back end in one go;
 *                              -nic none: no NIC at all
 *   -net none                  no NIC at all
 *   -net nic[,model=M][,macaddr=MAC][,netdev=ID] and -net TYPE[,...]
 *                              the old pairing of one NIC with one back end
 *
 * Without -nic, -netdev, -net and -nodefaults the machine gets one NIC,
 * virtio-net-pci on user networking (QEMU's default NIC is an e1000;
 * Ember's is virtio-net-pci).
 *
 * vl.c calls, in this order: net_opt_* while parsing the command line;
 * net_init_clients() before the machine is built (so -device NIC,netdev=
 * finds its back end); net_init_nics() once the machine (its PCI bus)
 * exists; net_check_clients() after -device; net_cleanup() at exit.
 */
#ifndef SYSTEM_NETDEV_H
#define SYSTEM_NETDEV_H

#include "ember/osdep.h"

/* The NIC model of -nic/-net nic without model=, and of the default NIC. */
#define NET_DEFAULT_NIC_MODEL "virtio-net-pci"

/* Record the option (help requests print and exit 0). */
bool net_opt_netdev(const char *arg, GError **errp);
bool net_opt_nic(const char *arg, GError **errp);
bool net_opt_net(const char *arg, GError **errp);

/* Create the back ends of -netdev, -nic and -net (and the default's). */
bool net_init_clients(bool nodefaults, GError **errp);
/* Create the NICs of -nic and -net nic, and the default NIC. */
bool net_init_nics(GError **errp);
/* Warn about back ends no NIC uses and NICs without a back end. */
void net_check_clients(void);
/* Forget the recorded options (tests). */
void net_options_reset(void);

#endif
