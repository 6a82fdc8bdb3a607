/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image loading: whole files, ELF program headers, and rom blobs that are
 * re-written into guest memory at every machine reset (see hw/loader.h).
 *
 * ELF layout facts are from the System V gABI ("ELF Header", "Program
 * Header", "Note Section"); the file is hostile, so every field is checked
 * against the file size before it is used.
 */
#include "ember/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "ember/error.h"
#include "hw/loader.h"
#include "system/runstate.h"

bool load_file(const char *path, bool allow_empty, uint64_t max_size,
               uint8_t **data, size_t *size, GError **errp)
{
    struct stat st;
    g_autofree uint8_t *buf = NULL;
    size_t len = 0, cap;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "could not read '%s'", path);
        close(fd);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error_setg(errp, "could not load '%s': is a directory", path);
        close(fd);
        return false;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_size) {
        g_set_error(errp, EMBER_ERROR, LOAD_FILE_TOO_LARGE,
                    "'%s' is too large: %" PRIu64 " bytes, at most %"
                    PRIu64 " fit", path, (uint64_t)st.st_size, max_size);
        close(fd);
        return false;
    }
    /* Pipes and devices have no size: grow as data comes. */
    cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 64 * KiB;
    buf = g_malloc(cap);
    for (;;) {
        ssize_t n;

        if (len == cap) {
            if (cap > max_size) {
                g_set_error(errp, EMBER_ERROR, LOAD_FILE_TOO_LARGE,
                            "'%s' is too large: more than %" PRIu64
                            " bytes fit", path, max_size);
                close(fd);
                return false;
            }
            cap *= 2;
            buf = g_realloc(buf, cap);
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error_setg_errno(errp, errno, "could not read '%s'", path);
            close(fd);
            return false;
        }
        if (n == 0) {
            break;
        }
        len += n;
    }
    close(fd);
    if (len > max_size) {
        g_set_error(errp, EMBER_ERROR, LOAD_FILE_TOO_LARGE,
                    "'%s' is too large: %zu bytes, at most %" PRIu64
                    " fit", path, len, max_size);
        return false;
    }
    if (!len && !allow_empty) {
        error_setg(errp, "could not load '%s': the file is empty", path);
        return false;
    }
    *data = g_steal_pointer(&buf);
    *size = len;
    return true;
}

/* ------------------------------------------------------------------ */
/* Rom blobs. */

static GPtrArray *roms;
static bool rom_reset_registered;

static void rom_free(gpointer p)
{
    RomBlob *r = p;

    g_free(r->name);
    g_free(r->data);
    g_free(r);
}

static void rom_reset_handler(void *opaque)
{
    rom_reset_all();
}

RomBlob *rom_add_blob_take(const char *name, void *data, uint64_t datasize,
                           uint64_t romsize, hwaddr addr)
{
    RomBlob *r = g_new0(RomBlob, 1);

    assert(datasize <= romsize);
    r->name = g_strdup(name);
    r->addr = addr;
    r->data = data;
    r->datasize = datasize;
    r->romsize = romsize;
    if (!roms) {
        roms = g_ptr_array_new_with_free_func(rom_free);
    }
    g_ptr_array_add(roms, r);
    if (!rom_reset_registered) {
        rom_reset_registered = true;
        system_register_reset(rom_reset_handler, NULL);
    }
    return r;
}

RomBlob *rom_add_blob(const char *name, const void *data, uint64_t datasize,
                      uint64_t romsize, hwaddr addr)
{
    return rom_add_blob_take(name, g_memdup2(data, datasize), datasize,
                             romsize, addr);
}

static gint rom_cmp_addr(gconstpointer a, gconstpointer b)
{
    const RomBlob *x = *(RomBlob *const *)a, *y = *(RomBlob *const *)b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

bool rom_check_overlaps(GError **errp)
{
    g_autoptr(GPtrArray) sorted = NULL;

    if (!roms) {
        return true;
    }
    sorted = g_ptr_array_new();
    for (unsigned i = 0; i < roms->len; i++) {
        RomBlob *r = g_ptr_array_index(roms, i);
        if (r->romsize) {
            g_ptr_array_add(sorted, r);
        }
    }
    g_ptr_array_sort(sorted, rom_cmp_addr);
    for (unsigned i = 1; i < sorted->len; i++) {
        RomBlob *a = g_ptr_array_index(sorted, i - 1);
        RomBlob *b = g_ptr_array_index(sorted, i);
        if (b->addr < a->addr + a->romsize) {
            error_setg(errp, "%s (0x%" PRIx64 "-0x%" PRIx64 ") overlaps "
                       "%s (0x%" PRIx64 "-0x%" PRIx64 ")",
                       a->name, a->addr, a->addr + a->romsize - 1,
                       b->name, b->addr, b->addr + b->romsize - 1);
            return false;
        }
    }
    return true;
}

void rom_reset_all(void)
{
    static const uint8_t zeros[64 * KiB];

    for (unsigned i = 0; roms && i < roms->len; i++) {
        RomBlob *r = g_ptr_array_index(roms, i);
        uint64_t done = r->datasize;

        address_space_write_rom(&address_space_memory, r->addr, r->data,
                                r->datasize);
        while (done < r->romsize) {
            uint64_t n = MIN(r->romsize - done, sizeof(zeros));
            address_space_write_rom(&address_space_memory, r->addr + done,
                                    zeros, n);
            done += n;
        }
    }
}

unsigned rom_count(void)
{
    return roms ? roms->len : 0;
}

const RomBlob *rom_get(unsigned i)
{
    return roms && i < roms->len ? g_ptr_array_index(roms, i) : NULL;
}

const RomBlob *rom_find(const char *name)
{
    for (unsigned i = 0; roms && i < roms->len; i++) {
        RomBlob *r = g_ptr_array_index(roms, i);
        if (!strcmp(r->name, name)) {
            return r;
        }
    }
    return NULL;
}

void rom_clear_all(void)
{
    g_clear_pointer(&roms, g_ptr_array_unref);
}

/* ------------------------------------------------------------------ */
/* ELF. */

#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define ET_EXEC         2
#define EHDR32_SIZE     52
#define EHDR64_SIZE     64
#define PHDR32_SIZE     32
#define PHDR64_SIZE     56
#define PN_XNUM         0xffff

bool elf_is_elf(const uint8_t *data, size_t size)
{
    return size >= 4 && !memcmp(data, "\x7f" "ELF", 4);
}

/* Read the program header at p (already bounds-checked). */
static void elf_read_phdr(const uint8_t *p, bool is64, ElfSegment *s)
{
    if (is64) {
        s->type = ldl_le_p(p + 0);
        s->flags = ldl_le_p(p + 4);
        s->offset = ldq_le_p(p + 8);
        s->vaddr = ldq_le_p(p + 16);
        s->paddr = ldq_le_p(p + 24);
        s->filesz = ldq_le_p(p + 32);
        s->memsz = ldq_le_p(p + 40);
        s->align = ldq_le_p(p + 48);
    } else {
        s->type = ldl_le_p(p + 0);
        s->offset = ldl_le_p(p + 4);
        s->vaddr = ldl_le_p(p + 8);
        s->paddr = ldl_le_p(p + 12);
        s->filesz = ldl_le_p(p + 16);
        s->memsz = ldl_le_p(p + 20);
        s->flags = ldl_le_p(p + 24);
        s->align = ldl_le_p(p + 28);
    }
}

static gint seg_cmp_paddr(gconstpointer a, gconstpointer b)
{
    const ElfSegment *x = a, *y = b;

    return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

bool elf_parse(const char *what, const uint8_t *data, size_t size,
               ElfImage *img, GError **errp)
{
    bool is64;
    uint64_t phoff;
    unsigned phentsize, phnum, want_phentsize;
    g_autoptr(GArray) sorted = NULL;

    memset(img, 0, sizeof(*img));
    if (!elf_is_elf(data, size)) {
        error_setg(errp, "%s: not an ELF file", what);
        return false;
    }
    if (size < EHDR32_SIZE) {
        error_setg(errp, "%s: truncated ELF file (%zu bytes, the ELF header "
                   "alone is %u)", what, size, EHDR32_SIZE);
        return false;
    }
    if (data[EI_CLASS] != ELFCLASS32 && data[EI_CLASS] != ELFCLASS64) {
        error_setg(errp, "%s: unknown ELF class %u", what, data[EI_CLASS]);
        return false;
    }
    is64 = data[EI_CLASS] == ELFCLASS64;
    if (is64 && size < EHDR64_SIZE) {
        error_setg(errp, "%s: truncated ELF file (%zu bytes, the ELF64 "
                   "header alone is %u)", what, size, EHDR64_SIZE);
        return false;
    }
    if (data[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "%s: not a little-endian ELF file", what);
        return false;
    }
    if (data[EI_VERSION] != 1) {
        error_setg(errp, "%s: unknown ELF version %u", what, data[EI_VERSION]);
        return false;
    }
    img->elf_class = is64 ? 64 : 32;
    img->type = lduw_le_p(data + 16);
    img->machine = lduw_le_p(data + 18);
    if (img->type != ET_EXEC) {
        error_setg(errp, "%s: not an ELF executable (e_type %u)", what,
                   img->type);
        return false;
    }
    if (img->machine != ELF_EM_386 && img->machine != ELF_EM_X86_64) {
        error_setg(errp, "%s: not an x86 ELF file (e_machine %u)", what,
                   img->machine);
        return false;
    }
    if (is64) {
        img->entry = ldq_le_p(data + 24);
        phoff = ldq_le_p(data + 32);
        phentsize = lduw_le_p(data + 54);
        phnum = lduw_le_p(data + 56);
        want_phentsize = PHDR64_SIZE;
    } else {
        img->entry = ldl_le_p(data + 24);
        phoff = ldl_le_p(data + 28);
        phentsize = lduw_le_p(data + 42);
        phnum = lduw_le_p(data + 44);
        want_phentsize = PHDR32_SIZE;
    }
    if (phnum == 0) {
        error_setg(errp, "%s: ELF file without program headers", what);
        return false;
    }
    if (phnum == PN_XNUM) {
        error_setg(errp, "%s: ELF files with more than 65534 program headers "
                   "are not supported", what);
        return false;
    }
    if (phentsize != want_phentsize) {
        error_setg(errp, "%s: bad ELF program header size %u (expected %u)",
                   what, phentsize, want_phentsize);
        return false;
    }
    if (phoff > size || (uint64_t)phnum * phentsize > size - phoff) {
        error_setg(errp, "%s: truncated ELF file: the program headers "
                   "(0x%" PRIx64 "+%u*%u) end beyond the file's %zu bytes",
                   what, phoff, phnum, phentsize, size);
        return false;
    }

    img->loads = g_array_new(FALSE, FALSE, sizeof(ElfSegment));
    img->notes = g_array_new(FALSE, FALSE, sizeof(ElfSegment));
    img->low = UINT64_MAX;
    for (unsigned i = 0; i < phnum; i++) {
        ElfSegment s;

        elf_read_phdr(data + phoff + (uint64_t)i * phentsize, is64, &s);
        s.index = i;
        if (s.type != ELF_PT_LOAD && s.type != ELF_PT_NOTE) {
            continue;
        }
        if (s.offset > size || s.filesz > size - s.offset) {
            error_setg(errp, "%s: truncated ELF file: segment %u "
                       "(file offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) "
                       "ends beyond the file's %zu bytes", what, i,
                       s.offset, s.filesz, size);
            goto fail;
        }
        if (s.type == ELF_PT_NOTE) {
            g_array_append_val(img->notes, s);
            continue;
        }
        if (s.filesz > s.memsz) {
            error_setg(errp, "%s: bad ELF segment %u: file size 0x%" PRIx64
                       " larger than memory size 0x%" PRIx64, what, i,
                       s.filesz, s.memsz);
            goto fail;
        }
        if (!s.memsz) {
            continue;
        }
        if (s.paddr + s.memsz < s.paddr ||
            (!is64 && s.paddr + s.memsz > 4 * GiB)) {
            error_setg(errp, "%s: bad ELF segment %u: 0x%" PRIx64 " bytes at "
                       "0x%" PRIx64 " wrap around the address space", what,
                       i, s.memsz, s.paddr);
            goto fail;
        }
        img->low = MIN(img->low, s.paddr);
        img->high = MAX(img->high, s.paddr + s.memsz);
        g_array_append_val(img->loads, s);
    }
    if (!img->loads->len) {
        error_setg(errp, "%s: ELF file without loadable segments", what);
        goto fail;
    }
    sorted = g_array_copy(img->loads);
    g_array_sort(sorted, seg_cmp_paddr);
    for (unsigned i = 1; i < sorted->len; i++) {
        ElfSegment *a = &g_array_index(sorted, ElfSegment, i - 1);
        ElfSegment *b = &g_array_index(sorted, ElfSegment, i);
        if (b->paddr < a->paddr + a->memsz) {
            error_setg(errp, "%s: ELF segments %u and %u overlap at "
                       "physical address 0x%" PRIx64, what, a->index,
                       b->index, b->paddr);
            goto fail;
        }
    }
    return true;

fail:
    elf_image_free(img);
    return false;
}

void elf_image_free(ElfImage *img)
{
    g_clear_pointer(&img->loads, g_array_unref);
    g_clear_pointer(&img->notes, g_array_unref);
}

bool elf_find_note(const uint8_t *data, size_t size, const ElfImage *img,
                   const char *name, uint32_t type, const uint8_t **desc,
                   uint32_t *descsz)
{
    size_t namelen = strlen(name) + 1;

    for (unsigned i = 0; img->notes && i < img->notes->len; i++) {
        const ElfSegment *s = &g_array_index(img->notes, ElfSegment, i);
        /* Bounds were checked by elf_parse: offset + filesz <= size. */
        const uint8_t *p = data + s->offset;
        uint64_t left = s->filesz;

        /* Each note: namesz, descsz, type, name (4-aligned), desc. */
        while (left >= 12) {
            uint32_t nsz = ldl_le_p(p), dsz = ldl_le_p(p + 4);
            uint32_t ntype = ldl_le_p(p + 8);
            uint64_t npad = ROUND_UP((uint64_t)nsz, 4);
            uint64_t dpad = ROUND_UP((uint64_t)dsz, 4);

            if (npad > left - 12 || dpad > left - 12 - npad ||
                dsz > left - 12 - npad) {
                break;      /* malformed: stop looking in this segment */
            }
            if (ntype == type && nsz == namelen &&
                !memcmp(p + 12, name, namelen)) {
                *desc = p + 12 + npad;
                *descsz = dsz;
                return true;
            }
            p += 12 + npad + dpad;
            left -= 12 + npad + dpad;
        }
    }
    (void)size;
    return false;
}

bool elf_vaddr_to_paddr(const ElfImage *img, uint64_t vaddr, uint64_t *paddr)
{
    for (unsigned i = 0; img->loads && i < img->loads->len; i++) {
        const ElfSegment *s = &g_array_index(img->loads, ElfSegment, i);
        if (vaddr >= s->vaddr && vaddr - s->vaddr < s->memsz) {
            *paddr = s->paddr + (vaddr - s->vaddr);
            return true;
        }
    }
    return false;
}

void elf_add_roms(const char *name, const uint8_t *data, const ElfImage *img)
{
    for (unsigned i = 0; i < img->loads->len; i++) {
        const ElfSegment *s = &g_array_index(img->loads, ElfSegment, i);
        g_autofree char *n = g_strdup_printf("%s segment %u", name, s->index);

        rom_add_blob(n, data + s->offset, s->filesz, s->memsz, s->paddr);
    }
}
