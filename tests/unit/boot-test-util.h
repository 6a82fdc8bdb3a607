/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the kernel loader tests: a bare guest memory (RAM at 0, a
 * ROM over the BIOS area) with a PC-like e820 map, hand-made ELF images,
 * and temporary files.
 */
#ifndef TESTS_BOOT_TEST_UTIL_H
#define TESTS_BOOT_TEST_UTIL_H

#include "ember/osdep.h"
#include "exec/memory.h"
#include "hw/i386/x86-boot.h"

/* Host RAM backing the tests' guest memory (the e820 map may say less). */
#define BOOT_TEST_RAM_MAX (512 * MiB)

/*
 * Fresh state for one test: no rom blobs, an e820 map like the PC
 * machine's for ram_size bytes (RAM 0-0x9fc00 and 1 MiB-ram_size, the
 * legacy holes reserved), a zeroed BIOS area.
 */
void boot_test_machine(uint64_t ram_size);
/* Write the rom blobs into guest memory (what a machine reset does). */
void boot_test_reset(void);

uint32_t boot_test_ldl(hwaddr addr);
uint64_t boot_test_ldq(hwaddr addr);
uint8_t *boot_test_read(hwaddr addr, size_t len);    /* g_free() */
void boot_test_fill(hwaddr addr, uint8_t byte, size_t len);

/* A context for x86_boot_load over an in-memory kernel image. */
void boot_test_ctx(X86BootContext *ctx, const char *path, const void *data,
                   size_t size, const char *initrd, const char *cmdline);

/* A temporary file with these contents; removed at exit. */
char *boot_test_tmpfile(const char *name, const void *data, size_t size);

/* An ELF executable: add segments, then build. */
typedef struct TestElf TestElf;
TestElf *test_elf_new(bool is64, uint16_t machine, uint64_t entry);
void test_elf_add(TestElf *e, uint32_t type, uint64_t paddr, uint64_t vaddr,
                  const void *data, uint64_t filesz, uint64_t memsz);
/* The file; *size its length. Segment contents are laid out after the
 * program headers, each at a 16-byte aligned offset. */
uint8_t *test_elf_build(TestElf *e, size_t *size);
/* The file offset of segment i in the last build. */
uint64_t test_elf_offset(TestElf *e, unsigned i);
void test_elf_free(TestElf *e);

/* An ELF note: namesz, descsz, type, name and desc padded to 4 bytes. */
GByteArray *test_elf_note(const char *name, uint32_t type, const void *desc,
                          uint32_t descsz);

/* Apply an entry state to a freshly reset CPU. */
void boot_test_cpu(const X86BootEntry *e, CPUX86State *env);

#endif
