/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Direct kernel boot on x86 without firmware: what the loaders share.
 *
 * pc_load_kernel() (hw/i386/pc.h) reads -kernel, picks the protocol by
 * looking at the image (Linux bzImage "HdrS", a multiboot header in the
 * first 8 KiB, an ELF with a Xen PVH entry note), and the protocol's
 * loader registers rom blobs (hw/loader.h) and fills an X86BootEntry: the
 * CPU state at the kernel's entry point. A reset handler applies that
 * state to the boot CPU after every machine reset, after the CPUs' own
 * reset; the other CPUs keep waiting for INIT/SIPI.
 *
 * Guest-physical layout of what Ember writes (below 1 MiB, under the
 * legacy holes at 0x9fc00):
 *   0x1000  GDT: 0x10 flat code (64-bit for the Linux 64-bit entry, else
 *           32-bit), 0x18 flat data, 0x20 a TSS descriptor (base 0, limit
 *           0x67) for TR
 *   0x2000  long-mode page tables (Linux 64-bit entry only): PML4, PDPT
 *           and 4 page directories identity-mapping 0-4 GiB with 2 MiB
 *           pages; 0x1000-0x7fff is marked reserved in e820 then
 *   0x9000  the protocol's info block (boot_params, multiboot info,
 *           hvm_start_info), then the command line, module lists, memory
 *           map and strings, up to 0x80000
 * Kernel segments must not overlap this area, the legacy VGA/BIOS hole
 * 0xa0000-0xfffff, or lie outside RAM; initrds and modules go into free
 * RAM found from the e820 table.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "ember/osdep.h"
#include "target/x86/cpu.h"

#define X86_BOOT_GDT_ADDR       0x1000
#define X86_BOOT_PT_ADDR        0x2000
#define X86_BOOT_PT_SIZE        0x6000
#define X86_BOOT_INFO_ADDR      0x9000
#define X86_BOOT_INFO_END       0x80000
#define X86_BOOT_CS             0x10
#define X86_BOOT_DS             0x18
#define X86_BOOT_TSS            0x20
/* The legacy hole that no kernel segment may touch. */
#define X86_BOOT_LEGACY_HOLE_START 0xa0000
#define X86_BOOT_LEGACY_HOLE_END   0x100000

typedef enum X86BootMode {
    X86_BOOT_MODE_NONE,         /* keep the reset state (firmware boot) */
    X86_BOOT_MODE_PROTECTED32,  /* flat 32-bit protected mode, no paging */
    X86_BOOT_MODE_LONG64,       /* 64-bit mode, identity-mapped paging */
} X86BootMode;

/* The boot CPU's state at the kernel's entry point. */
typedef struct X86BootEntry {
    X86BootMode mode;
    uint64_t rip;
    uint64_t cr3;               /* LONG64: the PML4 */
    /* General registers handed to the kernel; all others are zero. */
    uint64_t rax, rbx, rsi;
} X86BootEntry;

typedef struct X86BootContext {
    /* In. */
    const char *kernel_path;    /* -kernel, for messages */
    const uint8_t *kernel;      /* its contents */
    size_t kernel_size;
    const char *initrd;         /* -initrd: "a[,b...]" or NULL */
    const char *cmdline;        /* -append or NULL */
    bool linux_force_32bit;     /* Linux: 32-bit entry even if 64 exists */
    /* Out. */
    X86BootEntry entry;
    const char *protocol;       /* "linux", "pvh", "multiboot" */
    struct RomBlob *info_blob;  /* the info block (boot_params, ...) */
} X86BootContext;

/*
 * Pick the protocol and load: registers rom blobs (written at the next
 * reset) and fills ctx->entry. Needs the machine's RAM and e820 table.
 */
bool x86_boot_load(X86BootContext *ctx, GError **errp);

/* Write the entry state into a CPU (segments, CRs, EFER, GDT, regs). */
void x86_boot_entry_apply(const X86BootEntry *e, CPUX86State *env);

/*
 * The display device fills boot_params.screen_info (struct screen_info,
 * 0x40 bytes at offset 0 of the zero page) for a Linux boot. The hook is
 * called at every machine reset, before boot_params is rewritten into
 * guest memory, so a device created after the kernel was loaded (-device)
 * is seen too. Without a hook screen_info stays zero (no VGA text console
 * described; use console=ttyS0).
 */
typedef void X86ScreenInfoHook(uint8_t *screen_info, size_t len,
                               void *opaque);
void x86_boot_set_screen_info_hook(X86ScreenInfoHook *fn, void *opaque);

/* ------------------------------------------------------------------ */
/* Helpers for the protocol loaders (hw/i386/{linux-boot,pvh,multiboot}.c). */

/* Is [addr, addr + size) inside one E820_RAM range? */
bool x86_boot_is_ram(uint64_t addr, uint64_t size);
/*
 * The highest address a, a multiple of align, with [a, a + size) inside
 * one E820_RAM range and inside [lo, hi). False if there is none.
 */
bool x86_boot_find_ram_top(uint64_t lo, uint64_t hi, uint64_t size,
                           uint64_t align, uint64_t *addr);
/* The end of the E820_RAM range holding addr (0 if addr is not RAM). */
uint64_t x86_boot_ram_end(uint64_t addr);
/*
 * May a kernel piece ("kernel segment 2") go at [addr, addr + size)? It
 * must be RAM, outside the legacy hole and outside Ember's boot area.
 */
bool x86_boot_check_kernel_range(const char *path, const char *what,
                                 uint64_t addr, uint64_t size,
                                 GError **errp);

/* One item of the -initrd list: "path[ args]" (multiboot module syntax). */
typedef struct X86BootModule {
    char *spec;                 /* the whole item: path and arguments */
    char *path;
    uint8_t *data;
    size_t size;
} X86BootModule;
/*
 * Split -initrd at commas (",," is a literal comma) and read each file;
 * at most max_total bytes altogether (the RAM they can have).
 */
GPtrArray *x86_boot_load_modules(const char *list, uint64_t max_total,
                                 GError **errp);

/*
 * The info area at X86_BOOT_INFO_ADDR: a buffer of guest bytes whose
 * pieces are allocated in order; x86_boot_info_finish() turns it into the
 * "boot info" rom blob.
 */
typedef struct X86BootInfo {
    GByteArray *buf;
    hwaddr base;
} X86BootInfo;
void x86_boot_info_init(X86BootInfo *bi);
/* Zeroed space; returns its guest address. */
hwaddr x86_boot_info_alloc(X86BootInfo *bi, size_t size, size_t align);
hwaddr x86_boot_info_add_string(X86BootInfo *bi, const char *s);
/* Host pointer to guest address addr of the area (valid until the next
 * alloc). */
uint8_t *x86_boot_info_ptr(X86BootInfo *bi, hwaddr addr);
bool x86_boot_info_finish(X86BootInfo *bi, X86BootContext *ctx,
                          GError **errp);

/* The GDT blob for a mode (X86_BOOT_GDT_ADDR). */
void x86_boot_add_gdt(X86BootMode mode);
/* The ACPI RSDP in the BIOS area (ACPI 6.4, 5.2.5.1), or 0. */
uint64_t x86_boot_find_rsdp(void);

/* The protocols. */
bool linux_boot_probe(const uint8_t *data, size_t size);
bool linux_boot_load(X86BootContext *ctx, GError **errp);
/* Offset of a valid multiboot header in the first 8 KiB, or -1. */
long multiboot_find_header(const uint8_t *data, size_t size);
bool multiboot_load(X86BootContext *ctx, GError **errp);
bool pvh_probe(const uint8_t *data, size_t size);
bool pvh_load(X86BootContext *ctx, GError **errp);

#endif
