/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firmware configuration device: the port and DMA interfaces as QEMU's
 * docs/specs/fw_cfg.rst describes them (the layout is the interface
 * guests and firmware use; the code here is Ember's own).
 *
 * DMA requests come from the guest: the descriptor, the data buffers and
 * the lengths are all checked through address_space_read/write, which
 * refuse unassigned space; a failed access sets the error bit. Reads past
 * the end of an item yield zeroes, written in bounded chunks.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/nvram/fw_cfg.h"

#define FW_CFG_DMA_CHUNK    (64 * KiB)

typedef struct FWCfgEntry {
    uint8_t *data;
    uint32_t len;
    FWCfgGenerate *gen;
    void *opaque;
    char name[FW_CFG_MAX_FILE_PATH];    /* files only */
} FWCfgEntry;

typedef struct FWCfgState {
    ISADevice parent;

    /* Properties. */
    uint32_t iobase;
    uint32_t dma_iobase;
    bool dma_enabled;

    MemoryRegion io;
    MemoryRegion dma_io;
    GHashTable *entries;        /* key -> FWCfgEntry */
    GPtrArray *files;           /* FWCfgEntry, index = key - FILE_FIRST */
    uint16_t cur_key;
    uint32_t cur_offset;
    uint64_t dma_addr;
} FWCfgState;

static inline FWCfgState *fw_cfg_of(DeviceState *dev)
{
    return (FWCfgState *)dev;
}

static void fw_cfg_entry_free(gpointer p)
{
    FWCfgEntry *e = p;

    g_free(e->data);
    g_free(e);
}

static FWCfgEntry *fw_cfg_entry(FWCfgState *s, uint16_t key)
{
    return g_hash_table_lookup(s->entries, GUINT_TO_POINTER(key));
}

static void fw_cfg_set_data(FWCfgEntry *e, uint8_t *data, size_t len)
{
    g_free(e->data);
    e->data = data;
    e->len = len;
}

static void fw_cfg_regenerate(FWCfgEntry *e)
{
    if (e->gen) {
        GByteArray *b = e->gen(e->opaque);
        size_t len = b->len;
        fw_cfg_set_data(e, g_byte_array_free(b, FALSE), len);
    }
}

/* Rebuild the FW_CFG_FILE_DIR item from the files (sizes may change). */
static void fw_cfg_build_dir(FWCfgState *s)
{
    size_t len = 4 + s->files->len * sizeof(FWCfgFile);
    uint8_t *dir = g_malloc0(len);
    FWCfgEntry *e;

    stl_be_p(dir, s->files->len);
    for (unsigned i = 0; i < s->files->len; i++) {
        FWCfgEntry *f = g_ptr_array_index(s->files, i);
        FWCfgFile *out = (FWCfgFile *)(dir + 4 + i * sizeof(FWCfgFile));

        fw_cfg_regenerate(f);
        stl_be_p(&out->size, f->len);
        stw_be_p(&out->select, FW_CFG_FILE_FIRST + i);
        memcpy(out->name, f->name, sizeof(out->name));
    }
    e = fw_cfg_entry(s, FW_CFG_FILE_DIR);
    fw_cfg_set_data(e, dir, len);
}

static FWCfgEntry *fw_cfg_insert(FWCfgState *s, uint16_t key)
{
    FWCfgEntry *e = fw_cfg_entry(s, key);

    if (!e) {
        e = g_new0(FWCfgEntry, 1);
        g_hash_table_insert(s->entries, GUINT_TO_POINTER(key), e);
    }
    return e;
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    FWCfgEntry *e;

    /* The write channel bit: writes are not supported, reads as usual. */
    s->cur_key = key & ~FW_CFG_WRITE_CHANNEL;
    s->cur_offset = 0;
    if (s->cur_key == FW_CFG_FILE_DIR) {
        fw_cfg_build_dir(s);
    }
    e = fw_cfg_entry(s, s->cur_key);
    if (e) {
        fw_cfg_regenerate(e);
    }
}

static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);

    if (!e || s->cur_offset >= e->len) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

/* ---- port interface ------------------------------------------------------ */

static uint64_t fw_cfg_io_read(void *opaque, hwaddr off, unsigned size)
{
    FWCfgState *s = opaque;
    uint64_t v = 0;

    if (off == 0) {
        return 0;   /* the selector is write-only */
    }
    /* Data register: wider reads give consecutive bytes, in order. */
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)fw_cfg_read_byte(s) << (8 * i);
    }
    return v;
}

static void fw_cfg_io_write(void *opaque, hwaddr off, uint64_t val,
                            unsigned size)
{
    FWCfgState *s = opaque;

    if (off == 0) {
        fw_cfg_select(s, size == 1 ? (val & 0xff) : (val & 0xffff));
    } else {
        ember_log_mask(LOG_GUEST_ERROR, "fw_cfg: writes to the data "
                       "register are not supported\n");
    }
}

static const MemoryRegionOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .min_access = 1,
    .max_access = 2,
    .unaligned = true,
};

/* ---- DMA interface ------------------------------------------------------- */

static void fw_cfg_dma_transfer(FWCfgState *s)
{
    AddressSpace *as = &address_space_memory;
    FWCfgDmaAccess d;
    uint32_t control, length;
    uint64_t addr;
    bool error = false;
    hwaddr desc = s->dma_addr;

    s->dma_addr = 0;
    if (!address_space_read(as, desc, &d, sizeof(d))) {
        ember_log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%"
                       HWADDR_PRIx " is not in RAM\n", desc);
        return;
    }
    control = ldl_be_p(&d.control);
    length = ldl_be_p(&d.length);
    addr = ldq_be_p(&d.address);

    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }
    if (control & FW_CFG_DMA_CTL_WRITE) {
        ember_log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA writes are not "
                       "supported\n");
        error = true;
    } else if (control & (FW_CFG_DMA_CTL_READ | FW_CFG_DMA_CTL_SKIP)) {
        bool read = control & FW_CFG_DMA_CTL_READ;
        FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);

        while (length && !error) {
            uint32_t avail = (e && s->cur_offset < e->len) ?
                             e->len - s->cur_offset : 0;
            uint32_t n;

            if (avail) {
                n = MIN(length, avail);
                if (read && !address_space_write(as, addr,
                                                 e->data + s->cur_offset,
                                                 n)) {
                    error = true;
                }
                s->cur_offset += n;
            } else {
                /* Past the end: zeroes for a read, nothing for a skip. */
                static const uint8_t zeroes[FW_CFG_DMA_CHUNK];
                n = MIN(length, FW_CFG_DMA_CHUNK);
                if (!read) {
                    n = length;
                } else if (!address_space_write(as, addr, zeroes, n)) {
                    error = true;
                }
            }
            length -= n;
            if (addr + n < addr) {
                error = true;   /* wraps around the address space */
            }
            addr += n;
        }
    }
    /* Done: the control word becomes 0, or just the error bit. */
    address_space_stl(as, desc, GUINT32_TO_BE(error ? FW_CFG_DMA_CTL_ERROR
                                                     : 0));
}

static uint64_t fw_cfg_dma_read(void *opaque, hwaddr off, unsigned size)
{
    uint8_t sig[8];
    uint64_t v = 0;

    stq_be_p(sig, FW_CFG_DMA_SIGNATURE);
    for (unsigned i = 0; i < size && off + i < 8; i++) {
        v |= (uint64_t)sig[off + i] << (8 * i);
    }
    return v;
}

static void fw_cfg_dma_write(void *opaque, hwaddr off, uint64_t val,
                             unsigned size)
{
    FWCfgState *s = opaque;

    /* The guest writes the big-endian address as two dwords. */
    if (size == 4 && off == 0) {
        s->dma_addr = deposit64(s->dma_addr, 32, 32, GUINT32_SWAP_LE_BE(val));
    } else if (size == 4 && off == 4) {
        s->dma_addr = deposit64(s->dma_addr, 0, 32, GUINT32_SWAP_LE_BE(val));
        fw_cfg_dma_transfer(s);
    } else {
        ember_log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA register write of %u "
                       "bytes at +%" HWADDR_PRIx " ignored\n", size, off);
    }
}

static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .min_access = 1,
    .max_access = 4,
    .unaligned = true,
};

/* ---- the API ------------------------------------------------------------- */

void fw_cfg_add_bytes(DeviceState *dev, uint16_t key, const void *data,
                      size_t len)
{
    FWCfgState *s = fw_cfg_of(dev);
    FWCfgEntry *e;

    assert(len <= UINT32_MAX);
    assert(key < FW_CFG_FILE_FIRST || key >= FW_CFG_ARCH_LOCAL);
    e = fw_cfg_insert(s, key);
    fw_cfg_set_data(e, g_memdup2(data, len), len);
}

void fw_cfg_add_string(DeviceState *dev, uint16_t key, const char *value)
{
    fw_cfg_add_bytes(dev, key, value, strlen(value) + 1);
}

void fw_cfg_add_i16(DeviceState *dev, uint16_t key, uint16_t value)
{
    uint8_t b[2];

    stw_le_p(b, value);
    fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

void fw_cfg_add_i32(DeviceState *dev, uint16_t key, uint32_t value)
{
    uint8_t b[4];

    stl_le_p(b, value);
    fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

void fw_cfg_add_i64(DeviceState *dev, uint16_t key, uint64_t value)
{
    uint8_t b[8];

    stq_le_p(b, value);
    fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

static FWCfgEntry *fw_cfg_file_slot(FWCfgState *s, const char *name,
                                    uint16_t *key)
{
    FWCfgEntry *e;

    if (strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        return NULL;
    }
    for (unsigned i = 0; i < s->files->len; i++) {
        e = g_ptr_array_index(s->files, i);
        if (!strcmp(e->name, name)) {
            *key = FW_CFG_FILE_FIRST + i;
            return e;
        }
    }
    if (s->files->len >= FW_CFG_FILE_SLOTS) {
        return NULL;
    }
    *key = FW_CFG_FILE_FIRST + s->files->len;
    e = fw_cfg_insert(s, *key);
    g_strlcpy(e->name, name, sizeof(e->name));
    g_ptr_array_add(s->files, e);
    return e;
}

uint16_t fw_cfg_add_file(DeviceState *dev, const char *name,
                         const void *data, size_t len)
{
    FWCfgState *s = fw_cfg_of(dev);
    uint16_t key;
    FWCfgEntry *e = fw_cfg_file_slot(s, name, &key);

    if (!e) {
        return FW_CFG_INVALID;
    }
    assert(len <= UINT32_MAX);
    e->gen = NULL;
    fw_cfg_set_data(e, g_memdup2(data, len), len);
    return key;
}

uint16_t fw_cfg_add_file_generated(DeviceState *dev, const char *name,
                                   FWCfgGenerate *gen, void *opaque)
{
    FWCfgState *s = fw_cfg_of(dev);
    uint16_t key;
    FWCfgEntry *e = fw_cfg_file_slot(s, name, &key);

    if (!e) {
        return FW_CFG_INVALID;
    }
    e->gen = gen;
    e->opaque = opaque;
    fw_cfg_regenerate(e);
    return key;
}

/* ---- the device ---------------------------------------------------------- */

static bool fw_cfg_realize(DeviceState *dev, GError **errp)
{
    FWCfgState *s = fw_cfg_of(dev);
    ISADevice *isa = (ISADevice *)dev;
    static const char sig[4] = { 'Q', 'E', 'M', 'U' };

    if (s->iobase > 0xfffe || (s->dma_enabled && s->dma_iobase > 0xfff8)) {
        error_setg(errp, "fw_cfg: bad iobase 0x%x or dma_iobase 0x%x",
                   s->iobase, s->dma_iobase);
        return false;
    }
    s->entries = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       fw_cfg_entry_free);
    s->files = g_ptr_array_new();
    memory_region_init_io(&s->io, dev, &fw_cfg_io_ops, s, "fw_cfg", 2);
    isa_register_ioport(isa, &s->io, s->iobase);
    if (s->dma_enabled) {
        memory_region_init_io(&s->dma_io, dev, &fw_cfg_dma_ops, s,
                              "fw_cfg-dma", 8);
        isa_register_ioport(isa, &s->dma_io, s->dma_iobase);
    }
    fw_cfg_add_bytes(dev, FW_CFG_SIGNATURE, sig, sizeof(sig));
    fw_cfg_add_i32(dev, FW_CFG_ID, FW_CFG_VERSION |
                   (s->dma_enabled ? FW_CFG_VERSION_DMA : 0));
    fw_cfg_insert(s, FW_CFG_FILE_DIR);
    fw_cfg_build_dir(s);
    return true;
}

static void fw_cfg_unrealize(DeviceState *dev)
{
    FWCfgState *s = fw_cfg_of(dev);

    memory_region_finalize(&s->io);
    memory_region_finalize(&s->dma_io);
    g_clear_pointer(&s->files, g_ptr_array_unref);
    g_clear_pointer(&s->entries, g_hash_table_unref);
}

static void fw_cfg_reset(DeviceState *dev)
{
    FWCfgState *s = fw_cfg_of(dev);

    s->cur_key = FW_CFG_SIGNATURE;
    s->cur_offset = 0;
    s->dma_addr = 0;
}

static const Property fw_cfg_props[] = {
    DEFINE_PROP_UINT32("iobase", FWCfgState, iobase, FW_CFG_IO_BASE),
    DEFINE_PROP_UINT32("dma_iobase", FWCfgState, dma_iobase,
                       FW_CFG_DMA_IO_BASE),
    DEFINE_PROP_BOOL("dma_enabled", FWCfgState, dma_enabled, true),
    DEFINE_PROP_END,
};

static const DeviceInfo fw_cfg_info = {
    .name = TYPE_FW_CFG,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(FWCfgState),
    .desc = "firmware configuration (QEMU fw_cfg interface)",
    .props = fw_cfg_props,
    .realize = fw_cfg_realize,
    .unrealize = fw_cfg_unrealize,
    .reset = fw_cfg_reset,
};

static void fw_cfg_register(void)
{
    type_register(&fw_cfg_info);
}
type_init(fw_cfg_register)

DeviceState *fw_cfg_create(ISABus *bus)
{
    return (DeviceState *)isa_create_simple(bus, TYPE_FW_CFG);
}

static void fw_cfg_find_cb(DeviceState *dev, void *opaque)
{
    DeviceState **found = opaque;

    if (!*found && dev->realized && qdev_is_a(dev, TYPE_FW_CFG)) {
        *found = dev;
    }
}

DeviceState *fw_cfg_find(void)
{
    DeviceState *found = NULL;

    qdev_foreach(fw_cfg_find_cb, &found);
    return found;
}
