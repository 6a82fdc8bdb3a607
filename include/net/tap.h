/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev tap (net/tap.c):
 *
 *   -netdev tap,id=t0[,ifname=NAME][,script=no|PATH][,downscript=no|PATH]
 *               [,vnet_hdr=on|off][,fd=N][,sndbuf=SIZE]
 */
#ifndef NET_TAP_H
#define NET_TAP_H

#include "net/net.h"

/* The interface name of a tap back end ("tap0"), or NULL if nc is not
 * one. */
const char *net_tap_ifname(NetClientState *nc);

#endif
