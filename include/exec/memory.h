/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory API: a tree of regions (RAM, ROM, I/O, containers, aliases)
 * rendered into flat views per address space.
 *
 * A region is placed inside a container at an offset with a priority.
 * Where regions overlap, the higher priority wins; among equal priorities
 * the one added later wins. Each AddressSpace keeps a FlatView: the sorted,
 * non-overlapping list of terminal ranges that its root renders to, searched
 * by binary search on every access. Listeners (KVM memslots, TLB flushes)
 * see the difference between the old and the new view after every change.
 *
 * All of it runs under the big lock (BQL).
 *
 * Accesses to an I/O region whose ops accept only some sizes are split into
 * several narrower accesses or widened and masked (see MemoryRegionOps).
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "ember/osdep.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;

typedef struct MemoryRegionOps {
    /* offset is relative to the region; size is 1, 2, 4 or 8. */
    uint64_t (*read)(void *opaque, hwaddr offset, unsigned size);
    void (*write)(void *opaque, hwaddr offset, uint64_t value, unsigned size);
    /*
     * The access sizes the callbacks accept (defaults 1 and 4). A wider
     * access is split into max_access pieces (little-endian order), a
     * narrower one is done as one min_access access and the bytes
     * extracted or merged (a read-modify-write for writes).
     */
    unsigned min_access;
    unsigned max_access;
    /*
     * Without this, accesses are aligned to the chosen access size before
     * they reach the callbacks (an unaligned access is done as aligned
     * pieces).
     */
    bool unaligned;
} MemoryRegionOps;

typedef enum MemoryRegionType {
    MR_CONTAINER,   /* only holds subregions; its holes are unassigned */
    MR_RAM,         /* host memory; readonly=true makes it a ROM */
    MR_IO,          /* callbacks */
    MR_ALIAS,       /* a window onto part of another region */
} MemoryRegionType;

struct MemoryRegion {
    char *name;
    void *owner;                    /* DeviceState * or NULL */
    MemoryRegionType type;
    uint64_t size;                  /* UINT64_MAX means the whole 2^64 */
    const MemoryRegionOps *ops;
    void *opaque;
    uint8_t *ram_ptr;               /* MR_RAM: the host memory */
    bool ram_owned;                 /* ram_ptr was allocated by us */
    bool readonly;                  /* guest writes are ignored (ROM) */
    bool enabled;
    bool terminates;                /* RAM or IO (not container/alias) */
    int priority;
    hwaddr addr;                    /* offset within container */
    MemoryRegion *container;
    GPtrArray *subregions;          /* sorted: highest priority first */
    MemoryRegion *alias;
    hwaddr alias_offset;
    unsigned dirty_log_mask;        /* DIRTY_MEMORY_* clients that log */
    unsigned long *dirty[2];        /* per client: a bit per 4 KiB page */
};

/* Dirty-memory clients (bits of dirty_log_mask). */
#define DIRTY_MEMORY_VGA    0       /* display devices */
#define DIRTY_MEMORY_CODE   1       /* translated code (TCG) */
#define DIRTY_MEMORY_NUM    2
#define DIRTY_PAGE_SHIFT    12

/* A part of a region as it appears in an address space. */
typedef struct MemoryRegionSection {
    MemoryRegion *mr;               /* a terminating region (RAM or IO) */
    AddressSpace *as;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    uint64_t size;
    bool readonly;
} MemoryRegionSection;

typedef struct FlatRange {
    hwaddr start;
    uint64_t size;
    MemoryRegion *mr;
    hwaddr offset_in_region;
    bool readonly;
} FlatRange;

struct FlatView {
    int ref;
    GArray *ranges;                 /* FlatRange, sorted by start */
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current;
    bool is_io;                     /* port space: unassigned reads -1 */
    GPtrArray *listeners;
};

struct MemoryListener {
    const char *name;
    /* Called with every range of the view in order, old ones removed first. */
    void (*begin)(MemoryListener *l);
    void (*region_add)(MemoryListener *l, MemoryRegionSection *s);
    void (*region_del)(MemoryListener *l, MemoryRegionSection *s);
    void (*commit)(MemoryListener *l);
    /* Dirty logging of a RAM section started/stopped (KVM: slot flag). */
    void (*log_start)(MemoryListener *l, MemoryRegionSection *s);
    void (*log_stop)(MemoryListener *l, MemoryRegionSection *s);
    /* Fetch dirty pages of a section into the region's bitmaps (KVM). */
    void (*log_sync)(MemoryListener *l, MemoryRegionSection *s);
    void *opaque;
    AddressSpace *as;               /* set by registration */
};

/* Region set-up. owner may be NULL. A region is freed with its owner. */
void memory_region_init(MemoryRegion *mr, void *owner, const char *name,
                        uint64_t size);
void memory_region_init_io(MemoryRegion *mr, void *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* Anonymous, page-aligned, zeroed RAM; fails if it cannot be reserved. */
bool memory_region_init_ram(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, GError **errp);
/* RAM that the guest cannot write (writes ignored); loaders may. */
bool memory_region_init_rom(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, GError **errp);
/* RAM over memory the caller owns and keeps alive. */
void memory_region_init_ram_ptr(MemoryRegion *mr, void *owner,
                                const char *name, uint64_t size, void *ptr);
void memory_region_init_alias(MemoryRegion *mr, void *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset,
                              uint64_t size);
/* Free what init allocated (RAM, subregion list); mr must be unmapped. */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
static inline uint64_t memory_region_size(MemoryRegion *mr)
{
    return mr->size;
}
static inline bool memory_region_is_ram(MemoryRegion *mr)
{
    return mr->type == MR_RAM;
}
/* Host pointer of a RAM region (after following aliases), or NULL. */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/* Is mr mapped in some container chain up to a root? */
bool memory_region_is_mapped(MemoryRegion *mr);

/* Dispatch on an I/O region, with splitting; offset within the region. */
uint64_t memory_region_dispatch_read(MemoryRegion *mr, hwaddr offset,
                                     unsigned size);
void memory_region_dispatch_write(MemoryRegion *mr, hwaddr offset,
                                  uint64_t value, unsigned size);

/* Batch several changes into one re-render; nests. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);
void memory_listener_register(MemoryListener *l, AddressSpace *as);
void memory_listener_unregister(MemoryListener *l);

/* The view for iterating ranges (reference held by the caller). */
FlatView *address_space_get_flatview(AddressSpace *as);
void flatview_ref(FlatView *fv);
void flatview_unref(FlatView *fv);
/* Binary search: the range holding addr, or NULL for a hole. */
const FlatRange *flatview_lookup(FlatView *fv, hwaddr addr);
/* The section at addr; size is what remains of its range from addr. */
bool address_space_lookup(AddressSpace *as, hwaddr addr,
                          MemoryRegionSection *out);

/*
 * Reads and writes of guest-physical memory or ports, crossing region
 * boundaries as needed. Unassigned space reads as 0 (memory) or all ones
 * (ports) and ignores writes; the result is false if any part was
 * unassigned. Writes to ROM are ignored (false).
 */
bool address_space_rw(AddressSpace *as, hwaddr addr, void *buf, uint64_t len,
                      bool is_write);
static inline bool address_space_read(AddressSpace *as, hwaddr addr,
                                      void *buf, uint64_t len)
{
    return address_space_rw(as, addr, buf, len, false);
}
static inline bool address_space_write(AddressSpace *as, hwaddr addr,
                                       const void *buf, uint64_t len)
{
    return address_space_rw(as, addr, (void *)buf, len, true);
}
/* Like address_space_write but also writes ROM (for loaders, fw set-up). */
bool address_space_write_rom(AddressSpace *as, hwaddr addr, const void *buf,
                             uint64_t len);
/* One access of 1, 2, 4 or 8 bytes, little-endian. */
uint64_t address_space_ld(AddressSpace *as, hwaddr addr, unsigned size);
void address_space_st(AddressSpace *as, hwaddr addr, uint64_t val,
                      unsigned size);
static inline uint8_t address_space_ldub(AddressSpace *as, hwaddr a)
{ return address_space_ld(as, a, 1); }
static inline uint16_t address_space_lduw(AddressSpace *as, hwaddr a)
{ return address_space_ld(as, a, 2); }
static inline uint32_t address_space_ldl(AddressSpace *as, hwaddr a)
{ return address_space_ld(as, a, 4); }
static inline uint64_t address_space_ldq(AddressSpace *as, hwaddr a)
{ return address_space_ld(as, a, 8); }
static inline void address_space_stb(AddressSpace *as, hwaddr a, uint8_t v)
{ address_space_st(as, a, v, 1); }
static inline void address_space_stw(AddressSpace *as, hwaddr a, uint16_t v)
{ address_space_st(as, a, v, 2); }
static inline void address_space_stl(AddressSpace *as, hwaddr a, uint32_t v)
{ address_space_st(as, a, v, 4); }
static inline void address_space_stq(AddressSpace *as, hwaddr a, uint64_t v)
{ address_space_st(as, a, v, 8); }

/*
 * Direct access for DMA: a host pointer to guest RAM at addr, with *len
 * shortened to the contiguous RAM available (0 / NULL if addr is not RAM,
 * or not writable RAM when is_write). Unmap reports the bytes written so
 * that dirty tracking and code invalidation see them.
 */
void *address_space_map(AddressSpace *as, hwaddr addr, uint64_t *len,
                        bool is_write);
void address_space_unmap(AddressSpace *as, void *ptr, hwaddr addr,
                         uint64_t len, bool is_write, uint64_t access_len);

/*
 * Dirty tracking of RAM written by anything other than the guest CPU's
 * own fast path (DMA, loaders, address_space_rw): clients (the TCG code
 * cache, display devices) register a hook that sees every such write.
 */
typedef void RamWriteHook(void *opaque, MemoryRegion *mr, hwaddr offset,
                          uint64_t len);
void memory_add_ram_write_hook(RamWriteHook *hook, void *opaque);
void memory_notify_ram_write(MemoryRegion *mr, hwaddr offset, uint64_t len);

/*
 * Dirty logging of a RAM region (the terminal region, not an alias) for a
 * client such as a display device: every write by DMA, loaders or the
 * CPU marks the 4 KiB pages it touches. Guest CPU writes are reported by
 * the accelerator: TCG through its slow path, KVM through its dirty log
 * (memory_region_sync_dirty fetches that). Bitmaps are updated atomically
 * and may be read by the main loop while vCPUs write.
 */
void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client);
void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, uint64_t size);
/* Is any page of [addr, addr+size) dirty for client? */
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, uint64_t size,
                             unsigned client);
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, uint64_t size,
                               unsigned client);
/* get + reset in one step (pages dirtied meanwhile stay dirty). */
bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
                                        uint64_t size, unsigned client);
/* Ask the listeners (KVM) to fold their dirty logs into mr's bitmaps. */
void memory_region_sync_dirty(MemoryRegion *mr);

/* Debug: print the region tree and flat views ("info mtree"). */
void memory_region_dump(FILE *f, MemoryRegion *mr);
void address_space_dump(FILE *f, AddressSpace *as);

/* The machine's two address spaces (set up by system/physmem.c). */
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);
void memory_map_init(void);

#endif
