/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block devices from the command line: -drive, -blockdev, -snapshot,
 * -hda..-hdd (and a bare image argument, which is -hda).
 *
 * vl.c queues the options while parsing; blockdev_init() opens them all
 * before the machine is built, so boards and devices can find them:
 *
 * - A board creates a device for each drive of its interfaces:
 *   drive_get(IF_VIRTIO, n) -> DriveInfo with the BlockBackend.
 * - A device with a "drive" property calls blockdev_claim(name, dev):
 *   name is a -drive id or a -blockdev node-name; the backend is then
 *   attached to the device (a second claim fails).
 *
 * Ember has no IDE controller, so -drive defaults to if=virtio (QEMU's
 * PC default is if=ide) and -hda..-hdd are virtio drives 0..3. Each
 * if=virtio drive gets a virtio-blk-pci (blockdev_init_devices).
 */
#ifndef SYSTEM_BLOCKDEV_H
#define SYSTEM_BLOCKDEV_H

#include "ember/osdep.h"
#include "block/block-backend.h"

typedef enum BlockInterfaceType {
    IF_NONE,
    IF_VIRTIO,
    IF_COUNT
} BlockInterfaceType;

typedef struct DriveInfo {
    char *id;
    BlockInterfaceType type;
    int index;                  /* per interface */
    BlockBackend *blk;
    char *spec;                 /* "-drive ..." as given, for messages */
    char *serial;               /* serial= for the device, or NULL */
    bool temp_snapshot;         /* writes go to a deleted temp overlay */
} DriveInfo;

/* Command-line queueing (vl.c). */
void blockdev_queue_drive(const char *arg);
void blockdev_queue_blockdev(const char *arg);
void blockdev_queue_hd(int index, const char *file);
void blockdev_set_snapshot(bool on);

/* Open everything queued; errors name the option ("-drive ...: msg"). */
bool blockdev_init(GError **errp);
/* Parse and open one -drive / -blockdev now (also used by tests). */
DriveInfo *drive_new(const char *arg, GError **errp);
bool blockdev_new(const char *arg, GError **errp);

DriveInfo *drive_get(BlockInterfaceType type, int index);
int drive_count(BlockInterfaceType type);
BlockBackend *blk_by_name(const char *id);
/*
 * For a device's drive= property: the backend of a -drive id, or a new
 * one on a -blockdev node; attached to dev.
 */
BlockBackend *blockdev_claim(const char *name, void *dev, GError **errp);
/* After the machine, before -device: a virtio-blk-pci per if=virtio
 * drive. */
bool blockdev_init_devices(GError **errp);
/* After the machine and -device: warn about drives nothing took. */
void blockdev_check_unclaimed(void);
/* At exit: drain, flush and close every drive and node. */
void blockdev_close_all(void);

#endif
