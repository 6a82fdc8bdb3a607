/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Machines: what the command line asked for, and the machine types. */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "ember/osdep.h"
#include "exec/memory.h"
#include "hw/core/cpu.h"

typedef struct Chardev Chardev;
typedef struct MachineType MachineType;

typedef struct MachineState {
    const MachineType *type;
    uint64_t ram_size;
    unsigned smp_cpus;
    unsigned max_cpus;
    unsigned sockets, cores, threads;
    char *cpu_spec;             /* -cpu */
    char *kernel;               /* -kernel */
    char *initrd;               /* -initrd */
    char *append;               /* -append */
    char *name;                 /* -name */
    char *vga;                  /* -vga */
    char *rtc_base;             /* -rtc base= (NULL: utc) */
    bool kernel_irqchip;        /* -accel kvm,kernel-irqchip= (default on) */
    bool start_paused;          /* -S */
    bool nographic;
    bool acpi;                  /* -machine acpi=on|off */
    MemoryRegion *ram;
    /* Set by the machine for boot-time use. */
    void *board;                /* e.g. PCMachineState */
} MachineState;

struct MachineType {
    const char *name;
    const char *alias;
    const char *desc;
    bool is_default;
    unsigned max_cpus;
    uint64_t default_ram_size;
    bool (*init)(MachineState *ms, GError **errp);
};

void machine_type_register(const MachineType *mt);
const MachineType *machine_type_find(const char *name);
const MachineType *machine_type_default(void);
void machine_type_list(FILE *f);

/* The one machine of this process. */
extern MachineState *current_machine;

/* Serial back ends from -serial / -nographic, in order (COM1 first). */
#define MAX_SERIAL_PORTS 4
Chardev *serial_hd(int i);
void serial_hd_set(int i, Chardev *chr);

#endif
