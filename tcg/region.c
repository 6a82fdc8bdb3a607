/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The code buffer. Where the host allows, the same memory is mapped
 * twice: writable (where the back end emits and patches) and
 * executable (where code runs), so no page is ever writable and
 * executable at once (W^X). Otherwise one RWX mapping is used.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include "tcg-internal.h"

TCGRegion tcg_region;

/* Try to place the code near this binary so calls to helpers fit rel32. */
static void *near_hint(size_t size)
{
    uintptr_t text = (uintptr_t)&tcg_region_init;
    uintptr_t hint = (text & ~(uintptr_t)0xfffff) + 0x40000000;

    return (void *)hint;
}

void tcg_region_init(size_t size)
{
    int fd = -1;
    void *rw = MAP_FAILED, *rx = MAP_FAILED;

#ifdef SYS_memfd_create
    fd = syscall(SYS_memfd_create, "ember-jit", 1 /* MFD_CLOEXEC */);
#endif
    if (fd >= 0 && ftruncate(fd, size) == 0) {
        rx = mmap(near_hint(size), size, PROT_READ | PROT_EXEC, MAP_SHARED,
                  fd, 0);
        if (rx != MAP_FAILED) {
            rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        if (rx != MAP_FAILED) {
            munmap(rx, size);
        }
        rw = mmap(near_hint(size), size,
                  PROT_READ | PROT_WRITE | PROT_EXEC,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (rw == MAP_FAILED) {
            error_report("cannot allocate the %zu MiB code buffer: %s",
                         size >> 20, strerror(errno));
            exit(1);
        }
        rx = rw;
    }
    tcg_region.rw = rw;
    tcg_region.rx = rx;
    tcg_region.size = size;
    tcg_region.ptr = rw;
}

void tcg_region_reset(void)
{
    tcg_region.ptr = tcg_region.rw + tcg_region.prologue_size;
}

/*
 * In a forked child: the two views share the memfd with the parent,
 * which goes on translating into it. Give the child its own memory at
 * the same addresses, keeping only the prologue (the caller drops
 * every translation).
 */
void tcg_region_after_fork(void)
{
    int fd = -1;

    if (tcg_region.rw == tcg_region.rx) {
        return;                 /* a private mapping: fork copied it */
    }
#ifdef SYS_memfd_create
    fd = syscall(SYS_memfd_create, "ember-jit", 1 /* MFD_CLOEXEC */);
#endif
    if (fd < 0 || ftruncate(fd, tcg_region.size) != 0 ||
        pwrite(fd, tcg_region.rw, tcg_region.prologue_size, 0) !=
            (ssize_t)tcg_region.prologue_size ||
        mmap(tcg_region.rx, tcg_region.size, PROT_READ | PROT_EXEC,
             MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
        mmap(tcg_region.rw, tcg_region.size, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
        error_report("cannot set up the code buffer after fork: %s",
                     strerror(errno));
        _exit(1);
    }
    close(fd);
    tcg_region_reset();
}
