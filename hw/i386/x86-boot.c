/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Direct kernel boot: pick the protocol for -kernel, and set the boot CPU
 * up at the kernel's entry point after every reset (see hw/i386/x86-boot.h
 * for the guest-physical layout).
 *
 * The protocols live in linux-boot.c (Linux x86 boot protocol), pvh.c
 * (Xen PVH entry) and multiboot.c (Multiboot 0.6.96). What they share is
 * here: RAM placement from the e820 table, the -initrd list, the info
 * area, the GDT, and the entry state itself.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/e820.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86-boot.h"
#include "hw/loader.h"
#include "system/accel.h"
#include "system/runstate.h"

/* ------------------------------------------------------------------ */
/* RAM from the e820 table. */

bool x86_boot_is_ram(uint64_t addr, uint64_t size)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);

    if (addr + size < addr) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        if (t[i].type == E820_RAM && addr >= t[i].addr &&
            addr + size <= t[i].addr + t[i].size) {
            return true;
        }
    }
    return false;
}

uint64_t x86_boot_ram_end(uint64_t addr)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);

    for (unsigned i = 0; i < n; i++) {
        if (t[i].type == E820_RAM && addr >= t[i].addr &&
            addr - t[i].addr < t[i].size) {
            return t[i].addr + t[i].size;
        }
    }
    return 0;
}

bool x86_boot_find_ram_top(uint64_t lo, uint64_t hi, uint64_t size,
                           uint64_t align, uint64_t *addr)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);
    bool found = false;

    assert(align && !(align & (align - 1)));
    for (unsigned i = 0; i < n; i++) {
        uint64_t s = MAX(t[i].addr, lo), e = MIN(t[i].addr + t[i].size, hi);
        uint64_t a;

        if (t[i].type != E820_RAM || e <= s || e - s < size) {
            continue;
        }
        a = ROUND_DOWN(e - size, align);
        if (a < s) {
            continue;
        }
        if (!found || a > *addr) {
            *addr = a;
            found = true;
        }
    }
    return found;
}

static uint64_t ram_top(void)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);
    uint64_t top = 0;

    for (unsigned i = 0; i < n; i++) {
        if (t[i].type == E820_RAM) {
            top = MAX(top, t[i].addr + t[i].size);
        }
    }
    return top;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
                           uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

bool x86_boot_check_kernel_range(const char *path, const char *what,
                                 uint64_t addr, uint64_t size, GError **errp)
{
    uint64_t top;

    if (!size) {
        return true;
    }
    if (addr + size < addr) {
        error_setg(errp, "-kernel %s: %s (0x%" PRIx64 " bytes at 0x%" PRIx64
                   ") wraps around the address space", path, what, size,
                   addr);
        return false;
    }
    if (ranges_overlap(addr, size, X86_BOOT_GDT_ADDR,
                       X86_BOOT_INFO_END - X86_BOOT_GDT_ADDR)) {
        error_setg(errp, "-kernel %s: %s (0x%" PRIx64 "-0x%" PRIx64 ") "
                   "overlaps Ember's boot data at 0x%x-0x%x", path, what,
                   addr, addr + size - 1, X86_BOOT_GDT_ADDR,
                   X86_BOOT_INFO_END - 1);
        return false;
    }
    if (ranges_overlap(addr, size, X86_BOOT_LEGACY_HOLE_START,
                       X86_BOOT_LEGACY_HOLE_END -
                       X86_BOOT_LEGACY_HOLE_START)) {
        error_setg(errp, "-kernel %s: %s (0x%" PRIx64 "-0x%" PRIx64 ") "
                   "overlaps the VGA/BIOS area 0x%x-0x%x", path, what, addr,
                   addr + size - 1, X86_BOOT_LEGACY_HOLE_START,
                   X86_BOOT_LEGACY_HOLE_END - 1);
        return false;
    }
    if (x86_boot_is_ram(addr, size)) {
        return true;
    }
    top = ram_top();
    if (addr + size > top) {
        error_setg(errp, "-kernel %s: %s (0x%" PRIx64 "-0x%" PRIx64 ") "
                   "lies beyond the end of RAM at 0x%" PRIx64 " (more -m?)",
                   path, what, addr, addr + size - 1, top);
    } else {
        error_setg(errp, "-kernel %s: %s (0x%" PRIx64 "-0x%" PRIx64 ") "
                   "is not in RAM", path, what, addr, addr + size - 1);
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* -initrd: a comma list; ",," is a comma inside a name. */

static void module_free(gpointer p)
{
    X86BootModule *m = p;

    g_free(m->spec);
    g_free(m->path);
    g_free(m->data);
    g_free(m);
}

GPtrArray *x86_boot_load_modules(const char *list, uint64_t max_total,
                                 GError **errp)
{
    g_autoptr(GPtrArray) mods = g_ptr_array_new_with_free_func(module_free);
    g_autoptr(GString) cur = g_string_new(NULL);
    uint64_t total = 0;

    for (const char *p = list;; p++) {
        X86BootModule *m;
        const char *sp;
        g_autoptr(GError) err = NULL;

        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
            continue;
        }
        if (*p && *p != ',') {
            g_string_append_c(cur, *p);
            continue;
        }
        /* The end of an item: "path[ args]". */
        sp = strchr(cur->str, ' ');
        m = g_new0(X86BootModule, 1);
        m->spec = g_strdup(cur->str);
        m->path = sp ? g_strndup(cur->str, sp - cur->str)
                     : g_strdup(cur->str);
        g_ptr_array_add(mods, m);
        g_string_truncate(cur, 0);
        if (!*m->path) {
            error_setg(errp, "-initrd %s: empty file name", list);
            return NULL;
        }
        if (!load_file(m->path, true, max_total - total, &m->data, &m->size,
                       &err)) {
            error_setg(errp, "-initrd: %s%s", err->message,
                       err->code == LOAD_FILE_TOO_LARGE ?
                       " in the free guest RAM (more -m?)" : "");
            return NULL;
        }
        total += m->size;
        if (!*p) {
            break;
        }
    }
    return g_steal_pointer(&mods);
}

/* ------------------------------------------------------------------ */
/* The info area. */

void x86_boot_info_init(X86BootInfo *bi)
{
    bi->buf = g_byte_array_new();
    bi->base = X86_BOOT_INFO_ADDR;
}

hwaddr x86_boot_info_alloc(X86BootInfo *bi, size_t size, size_t align)
{
    size_t off = ROUND_UP((size_t)bi->buf->len, align);

    g_byte_array_set_size(bi->buf, off + size);
    memset(bi->buf->data + off, 0, bi->buf->len - off);
    return bi->base + off;
}

hwaddr x86_boot_info_add_string(X86BootInfo *bi, const char *s)
{
    size_t len = strlen(s) + 1;
    hwaddr a = x86_boot_info_alloc(bi, len, 1);

    memcpy(x86_boot_info_ptr(bi, a), s, len);
    return a;
}

uint8_t *x86_boot_info_ptr(X86BootInfo *bi, hwaddr addr)
{
    assert(addr >= bi->base && addr - bi->base <= bi->buf->len);
    return bi->buf->data + (addr - bi->base);
}

bool x86_boot_info_finish(X86BootInfo *bi, X86BootContext *ctx,
                          GError **errp)
{
    size_t len = bi->buf->len;

    if (len > X86_BOOT_INFO_END - X86_BOOT_INFO_ADDR) {
        error_setg(errp, "-kernel %s: the boot information (command line, "
                   "module list, memory map: %zu bytes) does not fit in "
                   "0x%x-0x%x", ctx->kernel_path, len, X86_BOOT_INFO_ADDR,
                   X86_BOOT_INFO_END - 1);
        g_byte_array_unref(bi->buf);
        bi->buf = NULL;
        return false;
    }
    if (!x86_boot_is_ram(bi->base, len)) {
        error_setg(errp, "-kernel %s: guest RAM is too small for the boot "
                   "information at 0x%" PRIx64, ctx->kernel_path, bi->base);
        g_byte_array_unref(bi->buf);
        bi->buf = NULL;
        return false;
    }
    ctx->info_blob = rom_add_blob_take("boot info",
                                       g_byte_array_free(bi->buf, FALSE),
                                       len, len, bi->base);
    bi->buf = NULL;
    return true;
}

/* ------------------------------------------------------------------ */
/* GDT and entry state. */

#define FLAGS_CODE32 (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | \
                      DESC_A_MASK | DESC_B_MASK | DESC_G_MASK)
#define FLAGS_CODE64 (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | \
                      DESC_A_MASK | DESC_L_MASK | DESC_G_MASK)
#define FLAGS_DATA   (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | \
                      DESC_B_MASK | DESC_G_MASK)
#define FLAGS_TSS    (DESC_P_MASK | (11 << DESC_TYPE_SHIFT))
#define GDT_ENTRIES  6          /* null, null, code, data, TSS (16 bytes) */

/* A segment descriptor (SDM 3A, 3.4.5) from base, raw limit and flags. */
static uint64_t gdt_desc(uint32_t base, uint32_t limit, uint32_t flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (flags & 0x00f0ff00) |
                  (limit & 0xf0000) | (base & 0xff000000);

    return (uint64_t)hi << 32 | lo;
}

void x86_boot_add_gdt(X86BootMode mode)
{
    uint8_t gdt[GDT_ENTRIES * 8] = { 0 };

    stq_le_p(gdt + X86_BOOT_CS, gdt_desc(0, 0xfffff, mode ==
                                         X86_BOOT_MODE_LONG64 ?
                                         FLAGS_CODE64 : FLAGS_CODE32));
    stq_le_p(gdt + X86_BOOT_DS, gdt_desc(0, 0xfffff, FLAGS_DATA));
    /* The upper half of a 64-bit TSS descriptor (base 63:32) stays 0. */
    stq_le_p(gdt + X86_BOOT_TSS, gdt_desc(0, 0x67, FLAGS_TSS));
    rom_add_blob("gdt", gdt, sizeof(gdt), sizeof(gdt), X86_BOOT_GDT_ADDR);
}

void x86_boot_entry_apply(const X86BootEntry *e, CPUX86State *env)
{
    bool lm = e->mode == X86_BOOT_MODE_LONG64;

    if (e->mode == X86_BOOT_MODE_NONE) {
        return;
    }
    memset(env->regs, 0, sizeof(env->regs));
    env->regs[R_EAX] = e->rax;
    env->regs[R_EBX] = e->rbx;
    env->regs[R_ESI] = e->rsi;
    /* Interrupts off, direction up (every protocol asks for IF=0). */
    cpu_load_eflags(env, 0x2, ~0ULL);
    env->cr[0] = CR0_PE_MASK | CR0_ET_MASK | (lm ? CR0_PG_MASK : 0);
    env->cr[2] = 0;
    env->cr[3] = lm ? e->cr3 : 0;
    env->cr[4] = lm ? CR4_PAE_MASK : 0;
    env->efer = lm ? MSR_EFER_LME | MSR_EFER_LMA : 0;
    env->a20_mask = ~0ULL;
    env->gdt.base = X86_BOOT_GDT_ADDR;
    env->gdt.limit = GDT_ENTRIES * 8 - 1;
    /* No IDT: a fault before the kernel sets its own is a triple fault. */
    env->idt.base = 0;
    env->idt.limit = 0;
    env->ldt.selector = 0;
    env->ldt.base = 0;
    env->ldt.limit = 0xffff;
    env->ldt.flags = DESC_P_MASK | (2 << DESC_TYPE_SHIFT);
    env->tr.selector = X86_BOOT_TSS;
    env->tr.base = 0;
    env->tr.limit = 0x67;
    env->tr.flags = FLAGS_TSS;
    for (int seg = R_ES; seg <= R_GS; seg++) {
        if (seg != R_CS) {
            cpu_x86_load_seg_cache(env, seg, X86_BOOT_DS, 0, 0xffffffff,
                                   FLAGS_DATA);
        }
    }
    cpu_x86_load_seg_cache(env, R_CS, X86_BOOT_CS, 0, 0xffffffff,
                           lm ? FLAGS_CODE64 : FLAGS_CODE32);
    env->rip = e->rip;
    env->hflags &= ~HF_HALTED_MASK;
    cpu_x86_update_hflags(env);
}

/* ------------------------------------------------------------------ */
/* ACPI RSDP: "RSD PTR " on a 16-byte boundary in 0xe0000-0xfffff with a
 * valid checksum over its first 20 bytes (ACPI 6.4, 5.2.5.1 and 5.2.5.3). */

uint64_t x86_boot_find_rsdp(void)
{
    g_autofree uint8_t *area = g_malloc(0x20000);

    address_space_read(&address_space_memory, 0xe0000, area, 0x20000);
    for (unsigned off = 0; off + 20 <= 0x20000; off += 16) {
        uint8_t sum = 0;

        if (memcmp(area + off, "RSD PTR ", 8)) {
            continue;
        }
        for (unsigned i = 0; i < 20; i++) {
            sum += area[off + i];
        }
        if (!sum) {
            return 0xe0000 + off;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch. */

bool x86_boot_load(X86BootContext *ctx, GError **errp)
{
    const uint8_t *k = ctx->kernel;
    size_t n = ctx->kernel_size;
    bool ok;

    if (linux_boot_probe(k, n)) {
        ctx->protocol = "linux";
        ok = linux_boot_load(ctx, errp);
    } else if (multiboot_find_header(k, n) >= 0) {
        ctx->protocol = "multiboot";
        ok = multiboot_load(ctx, errp);
    } else if (pvh_probe(k, n)) {
        ctx->protocol = "pvh";
        ok = pvh_load(ctx, errp);
    } else {
        error_setg(errp, "-kernel %s: not a bzImage, PVH ELF or multiboot "
                   "kernel", ctx->kernel_path);
        return false;
    }
    return ok && rom_check_overlaps(errp);
}

/* ------------------------------------------------------------------ */
/* The machine side. */

static struct {
    CPUState *bsp;
    X86BootEntry entry;
    RomBlob *linux_bp;              /* boot_params, for screen_info */
    X86ScreenInfoHook *screen_info_hook;
    void *screen_info_opaque;
} boot;

void x86_boot_set_screen_info_hook(X86ScreenInfoHook *fn, void *opaque)
{
    boot.screen_info_hook = fn;
    boot.screen_info_opaque = opaque;
}

/*
 * Registered before the loader adds its blobs, so it runs after the CPUs'
 * reset (registered at CPU creation) and before the blobs are rewritten.
 */
static void x86_boot_reset(void *opaque)
{
    if (boot.linux_bp && boot.screen_info_hook) {
        memset(boot.linux_bp->data, 0, 0x40);
        boot.screen_info_hook(boot.linux_bp->data, 0x40,
                              boot.screen_info_opaque);
    }
    if (boot.bsp && boot.entry.mode != X86_BOOT_MODE_NONE) {
        x86_boot_entry_apply(&boot.entry, cpu_env(boot.bsp));
        boot.bsp->halted = false;
        boot.bsp->vcpu_dirty = true;
    }
}

bool pc_load_kernel(PCMachineState *pcms, GError **errp)
{
    MachineState *ms = pcms->ms;
    const AccelOps *accel = current_accel();
    X86BootContext ctx = { 0 };
    g_autofree uint8_t *data = NULL;
    size_t size;

    if (!ms->kernel) {
        if (ms->initrd) {
            error_setg(errp, "-initrd only allowed with -kernel option");
            return false;
        }
        if (ms->append) {
            error_setg(errp, "-append only allowed with -kernel option");
            return false;
        }
        if (accel && !strcmp(accel->name, "qtest")) {
            return true;
        }
        error_setg(errp, "no -kernel given: Ember needs a kernel image (it "
                   "has no firmware yet)");
        return false;
    }
    if (!load_file(ms->kernel, false, ms->ram_size, &data, &size, errp)) {
        g_prefix_error(errp, "-kernel: ");
        return false;
    }
    system_register_reset(x86_boot_reset, NULL);
    ctx.kernel_path = ms->kernel;
    ctx.kernel = data;
    ctx.kernel_size = size;
    ctx.initrd = ms->initrd;
    ctx.cmdline = ms->append;
    if (!x86_boot_load(&ctx, errp)) {
        return false;
    }
    boot.bsp = pcms->ncpus ? pcms->cpus[0] : NULL;
    boot.entry = ctx.entry;
    boot.linux_bp = !strcmp(ctx.protocol, "linux") ? ctx.info_blob : NULL;
    return true;
}
