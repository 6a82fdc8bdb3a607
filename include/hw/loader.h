/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image loading: files, ELF program headers, and "rom blobs".
 *
 * A rom blob is an image kept in host memory and written into guest
 * memory at every machine reset (a reset handler registered on the first
 * blob), because the guest may overwrite its kernel, its boot_params or
 * its page tables, and a reset must bring them back. Blobs are written
 * with address_space_write_rom(), so they may also fill ROM regions.
 *
 * The ELF parser treats the file as hostile: every offset, size and
 * count is checked against the file before use, and each failure is one
 * clear GError message naming the file.
 */
#ifndef HW_LOADER_H
#define HW_LOADER_H

#include "ember/osdep.h"
#include "exec/memory.h"

/*
 * Read a whole file of at most max_size bytes. Errors: "could not open
 * 'PATH': No such file or directory", "... is a directory", "... the file
 * is empty" (when !allow_empty), "'PATH' is too large: ...". The result
 * is g_free()d by the caller.
 */
bool load_file(const char *path, bool allow_empty, uint64_t max_size,
               uint8_t **data, size_t *size, GError **errp);
/* The GError code of load_file() for "too large" (others are 0). */
#define LOAD_FILE_TOO_LARGE 1

/* ------------------------------------------------------------------ */
/* Rom blobs. */

typedef struct RomBlob {
    char *name;             /* for messages: "kernel", "initrd", ... */
    hwaddr addr;            /* guest-physical start */
    uint8_t *data;          /* datasize bytes, then zeros up to romsize */
    uint64_t datasize;
    uint64_t romsize;       /* bytes written at reset (>= datasize) */
} RomBlob;

/*
 * Add a blob of romsize bytes at addr: data (copied) followed by zeros
 * (an ELF segment's bss). Writes happen at the next rom_reset_all(), the
 * machine reset handler. Returns the blob (owned by the list).
 */
RomBlob *rom_add_blob(const char *name, const void *data, uint64_t datasize,
                      uint64_t romsize, hwaddr addr);
/* Same, taking ownership of data (a g_malloc'd buffer). */
RomBlob *rom_add_blob_take(const char *name, void *data, uint64_t datasize,
                           uint64_t romsize, hwaddr addr);
/*
 * Do two blobs overlap? Sets errp naming both ("kernel segment 2
 * (0x100000-0x180000) overlaps initrd (0x170000-...)") and returns false.
 */
bool rom_check_overlaps(GError **errp);
/* Write every blob into address_space_memory (called at machine reset). */
void rom_reset_all(void);
/* The blobs, in the order added (for tests and "info roms"). */
unsigned rom_count(void);
const RomBlob *rom_get(unsigned i);
const RomBlob *rom_find(const char *name);
/* Forget all blobs (tests; a machine keeps its blobs for its lifetime). */
void rom_clear_all(void);

/* ------------------------------------------------------------------ */
/* ELF (System V ABI, gABI 4.1 "Object Files" and "Program Loading"). */

#define ELF_PT_LOAD     1
#define ELF_PT_NOTE     4
#define ELF_EM_386      3
#define ELF_EM_X86_64   62
#define ELF_PF_X        1
#define ELF_PF_W        2
#define ELF_PF_R        4

typedef struct ElfSegment {
    unsigned index;         /* program header number */
    uint32_t type;          /* PT_* */
    uint32_t flags;         /* PF_* */
    uint64_t offset;        /* in the file */
    uint64_t vaddr, paddr;
    uint64_t filesz, memsz;
    uint64_t align;
} ElfSegment;

typedef struct ElfImage {
    unsigned elf_class;     /* 32 or 64 */
    uint16_t machine;       /* EM_* */
    uint16_t type;          /* ET_EXEC = 2, ET_DYN = 3 */
    uint64_t entry;
    GArray *loads;          /* ElfSegment: PT_LOAD with memsz > 0 */
    GArray *notes;          /* ElfSegment: PT_NOTE */
    uint64_t low, high;     /* lowest paddr and highest paddr + memsz */
} ElfImage;

/* Is this an ELF file at all (the magic)? */
bool elf_is_elf(const uint8_t *data, size_t size);
/*
 * Parse and check the ELF header and program headers of an x86 executable
 * (EM_386 or EM_X86_64, little-endian, ET_EXEC). Checks: header and
 * program header table inside the file, PT_LOAD contents inside the file,
 * filesz <= memsz, no 64-bit wrap-around, no two PT_LOAD segments
 * overlapping physically. what names the file in messages.
 */
bool elf_parse(const char *what, const uint8_t *data, size_t size,
               ElfImage *img, GError **errp);
void elf_image_free(ElfImage *img);
/*
 * Look for a note (name, type) in the PT_NOTE segments. On success *desc
 * points into data and *descsz is its size; false if absent. Malformed
 * notes end the search of their segment (they are hostile input too).
 */
bool elf_find_note(const uint8_t *data, size_t size, const ElfImage *img,
                   const char *name, uint32_t type, const uint8_t **desc,
                   uint32_t *descsz);
/* Translate a virtual address inside a PT_LOAD segment to its paddr. */
bool elf_vaddr_to_paddr(const ElfImage *img, uint64_t vaddr,
                        uint64_t *paddr);
/*
 * Register every PT_LOAD segment as a rom blob named "<name> segment N"
 * (file bytes, then zeros up to memsz).
 */
void elf_add_roms(const char *name, const uint8_t *data,
                  const ElfImage *img);

#endif
