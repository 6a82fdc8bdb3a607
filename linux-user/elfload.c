/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading an x86-64 ELF program (System V ABI, AMD64 supplement, 3.4:
 * process initialisation): the program and its interpreter mapped, the
 * initial stack with argc, argv, envp and the auxiliary vector.
 * "#!" scripts are run through their interpreter, as the kernel does.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "user.h"

#define MAX_ARG_PAGES 32

char *path_in_sysroot(const char *path)
{
    if (user_opts.sysroot && strcmp(user_opts.sysroot, "/") &&
        path && path[0] == '/') {
        g_autofree char *p = g_build_filename(user_opts.sysroot, path, NULL);
        if (access(p, F_OK) == 0) {
            return g_steal_pointer(&p);
        }
    }
    return g_strdup(path);
}

typedef struct LoadedElf {
    uint64_t bias;
    uint64_t entry;
    uint64_t phdr;
    uint64_t phnum, phent;
    uint64_t end;           /* end of the last segment (brk) */
    char *interp;
    bool exec_stack;
} LoadedElf;

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
    ssize_t n = pread(fd, buf, len, off);

    return n == (ssize_t)len;
}

static int elf_prot(uint32_t f)
{
    return ((f & PF_R) ? PROT_READ : 0) | ((f & PF_W) ? PROT_WRITE : 0) |
           ((f & PF_X) ? PROT_EXEC : 0);
}

static bool load_elf(const char *path, LoadedElf *le, bool is_interp,
                     GError **errp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    Elf64_Ehdr eh;
    g_autofree Elf64_Phdr *ph = NULL;
    struct stat st;
    uint64_t lo = UINT64_MAX, hi = 0, base = 0;
    bool ok = false;

    memset(le, 0, sizeof(*le));
    if (fd < 0) {
        error_setg_errno(errp, errno, "%s%s", is_interp ?
                         "could not open ELF interpreter " : "", path);
        return false;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "%s: not a regular file", path);
        goto out;
    }
    if (!read_at(fd, &eh, sizeof(eh), 0) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
        error_setg(errp, "%s: not an ELF file", path);
        goto out;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
        error_setg(errp, "%s: not a 64-bit ELF file (x86-64 programs only)",
                   path);
        goto out;
    }
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64) {
        error_setg(errp, "%s: not an x86-64 ELF file (wrong machine)", path);
        goto out;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        error_setg(errp, "%s: not an executable ELF file", path);
        goto out;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phnum > 256) {
        error_setg(errp, "%s: bad ELF program header table", path);
        goto out;
    }
    ph = g_new(Elf64_Phdr, eh.e_phnum);
    if (!read_at(fd, ph, sizeof(Elf64_Phdr) * eh.e_phnum, eh.e_phoff)) {
        error_setg(errp, "%s: truncated ELF file (program headers)", path);
        goto out;
    }
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            if (ph[i].p_offset + ph[i].p_filesz > (uint64_t)st.st_size ||
                ph[i].p_filesz > ph[i].p_memsz ||
                (ph[i].p_vaddr & 4095) != (ph[i].p_offset & 4095)) {
                error_setg(errp, "%s: truncated or corrupt ELF file "
                           "(segment %d)", path, i);
                goto out;
            }
            lo = MIN(lo, ph[i].p_vaddr & ~4095ull);
            hi = MAX(hi, ph[i].p_vaddr + ph[i].p_memsz);
        } else if (ph[i].p_type == PT_INTERP && !is_interp) {
            if (ph[i].p_filesz == 0 || ph[i].p_filesz > 4096 ||
                ph[i].p_offset + ph[i].p_filesz > (uint64_t)st.st_size) {
                error_setg(errp, "%s: bad PT_INTERP", path);
                goto out;
            }
            le->interp = g_malloc0(ph[i].p_filesz + 1);
            if (!read_at(fd, le->interp, ph[i].p_filesz, ph[i].p_offset)) {
                error_setg(errp, "%s: truncated ELF file", path);
                goto out;
            }
        } else if (ph[i].p_type == PT_GNU_STACK) {
            le->exec_stack = ph[i].p_flags & PF_X;
        }
    }
    if (hi <= lo || hi - lo > (1ull << 40)) {
        error_setg(errp, "%s: no loadable segments", path);
        goto out;
    }
    hi = ROUND_UP(hi, 4096);

    /* Reserve the whole span first. */
    if (eh.e_type == ET_DYN) {
        void *p = mmap(NULL, hi - lo, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            error_setg_errno(errp, errno, "%s: cannot reserve memory", path);
            goto out;
        }
        base = h2g(p) - lo;
    } else {
        void *p = mmap(g2h(lo), hi - lo, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                       MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED || p != g2h(lo)) {
            error_setg(errp, "%s: cannot map at 0x%" PRIx64
                       " (address in use)", path, lo);
            goto out;
        }
    }
    page_set_flags(base + lo, base + hi, PROT_NONE);

    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr *p = &ph[i];
        uint64_t va, page, off_page, file_end, mem_end;
        int prot;

        if (p->p_type != PT_LOAD || !p->p_memsz) {
            continue;
        }
        va = base + p->p_vaddr;
        page = va & ~4095ull;
        off_page = p->p_offset & ~4095ull;
        file_end = va + p->p_filesz;
        mem_end = va + p->p_memsz;
        prot = elf_prot(p->p_flags);
        if (p->p_filesz) {
            void *m = mmap(g2h(page), file_end - page, prot | PROT_WRITE,
                           MAP_PRIVATE | MAP_FIXED, fd, off_page);
            if (m == MAP_FAILED) {
                error_setg_errno(errp, errno, "%s: cannot map segment",
                                 path);
                goto out;
            }
            /* Zero the rest of the last file page when a bss follows,
             * up to the page end as the kernel does: ld.so's early malloc
             * takes memory right after its bss and expects zeroes. */
            if (mem_end > file_end && (file_end & 4095)) {
                memset(g2h(file_end), 0, ROUND_UP(file_end, 4096) - file_end);
            }
        }
        if (ROUND_UP(mem_end, 4096) > ROUND_UP(file_end, 4096)) {
            uint64_t z = ROUND_UP(file_end, 4096);
            if (!p->p_filesz) {
                z = page;
            }
            if (ROUND_UP(mem_end, 4096) > z &&
                mmap(g2h(z), ROUND_UP(mem_end, 4096) - z, prot,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
                MAP_FAILED) {
                error_setg_errno(errp, errno, "%s: cannot map bss", path);
                goto out;
            }
        }
        mprotect(g2h(page), ROUND_UP(mem_end, 4096) - page, prot);
        page_set_flags(page, ROUND_UP(mem_end, 4096), prot);
        le->end = MAX(le->end, mem_end);
    }
    le->bias = base;
    le->entry = base + eh.e_entry;
    le->phnum = eh.e_phnum;
    le->phent = eh.e_phentsize;
    /* The program headers in memory: PT_PHDR, or inside the first
     * segment that maps the file start. */
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type == PT_PHDR) {
            le->phdr = base + ph[i].p_vaddr;
        }
    }
    if (!le->phdr) {
        for (int i = 0; i < eh.e_phnum; i++) {
            if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh.e_phoff &&
                eh.e_phoff < ph[i].p_offset + ph[i].p_filesz) {
                le->phdr = base + ph[i].p_vaddr + eh.e_phoff -
                           ph[i].p_offset;
                break;
            }
        }
    }
    ok = true;
out:
    close(fd);
    return ok;
}

/* "#!interp [arg]" on the first line. */
static bool parse_shebang(const char *path, char **interp, char **arg,
                          GError **errp)
{
    char buf[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    char *p, *e;

    *interp = *arg = NULL;
    if (fd < 0) {
        error_setg_errno(errp, errno, "%s", path);
        return false;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 2 || buf[0] != '#' || buf[1] != '!') {
        return true;
    }
    buf[n] = 0;
    e = strchr(buf, '\n');
    if (e) {
        *e = 0;
    }
    p = buf + 2;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    e = p;
    while (*e && *e != ' ' && *e != '\t') {
        e++;
    }
    if (e == p) {
        error_setg(errp, "%s: bad #! line", path);
        return false;
    }
    *interp = g_strndup(p, e - p);
    while (*e == ' ' || *e == '\t') {
        e++;
    }
    if (*e) {
        char *end = e + strlen(e);
        while (end > e && (end[-1] == ' ' || end[-1] == '\t')) {
            end--;
        }
        *arg = g_strndup(e, end - e);
    }
    return true;
}

static uint64_t push_bytes(uint64_t *sp, const void *data, size_t len)
{
    *sp -= len;
    memcpy(g2h(*sp), data, len);
    return *sp;
}

static uint64_t push_str(uint64_t *sp, const char *s)
{
    return push_bytes(sp, s, strlen(s) + 1);
}

static void setup_stack(ImageInfo *info, LoadedElf *prog, LoadedElf *interp,
                        int argc, char **argv, char **envp, GError **errp)
{
    uint64_t size = user_opts.stack_size ? user_opts.stack_size : 8 * MiB;
    int prot = PROT_READ | PROT_WRITE | (prog->exec_stack ? PROT_EXEC : 0);
    void *m = mmap(NULL, size + 4096, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    uint64_t sp, bottom, random_p, platform_p, execfn_p;
    int envc = 0;
    g_autofree uint64_t *argp = NULL, *envpp = NULL;
    uint8_t rnd[16];
    GArray *auxv;
    size_t words;

    if (m == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot allocate the guest stack");
        return;
    }
    /* A guard page below the stack. */
    mprotect(m, 4096, PROT_NONE);
    bottom = h2g(m) + 4096;
    page_set_flags(bottom, bottom + size, prot);
    page_set_flags(h2g(m), bottom, PROT_NONE);
    sp = bottom + size;
    info->stack_top = sp;

    while (envp[envc]) {
        envc++;
    }
    argp = g_new(uint64_t, argc);
    envpp = g_new(uint64_t, envc);

    execfn_p = push_str(&sp, info->exec_path);
    for (int i = envc - 1; i >= 0; i--) {
        envpp[i] = push_str(&sp, envp[i]);
    }
    for (int i = argc - 1; i >= 0; i--) {
        argp[i] = push_str(&sp, argv[i]);
    }
    platform_p = push_str(&sp, "x86_64");
    for (int i = 0; i < 16; i++) {
        rnd[i] = g_random_int();
    }
    random_p = push_bytes(&sp, rnd, 16);
    sp &= ~15ull;

    auxv = g_array_new(false, false, sizeof(uint64_t));
#define AUX(k, v) do { uint64_t a_[2] = { (k), (v) };          \
                       g_array_append_vals(auxv, a_, 2); } while (0)
    AUX(AT_PHDR, prog->phdr);
    AUX(AT_PHENT, prog->phent);
    AUX(AT_PHNUM, prog->phnum);
    AUX(AT_PAGESZ, 4096);
    AUX(AT_BASE, interp ? interp->bias : 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, prog->entry);
    AUX(AT_UID, getuid());
    AUX(AT_EUID, geteuid());
    AUX(AT_GID, getgid());
    AUX(AT_EGID, getegid());
    AUX(AT_SECURE, 0);
    AUX(AT_RANDOM, random_p);
    AUX(AT_HWCAP, image_hwcap);
    AUX(AT_HWCAP2, 0);
    AUX(AT_CLKTCK, sysconf(_SC_CLK_TCK));
    AUX(AT_PLATFORM, platform_p);
    AUX(AT_EXECFN, execfn_p);
    AUX(AT_MINSIGSTKSZ, 2048);
    AUX(AT_NULL, 0);
#undef AUX

    /* argc, argv[], NULL, envp[], NULL, auxv: rsp 16-byte aligned. */
    words = 1 + argc + 1 + envc + 1 + auxv->len;
    if (words & 1) {
        sp -= 8;
    }
    sp -= words * 8;
    info->sp = sp;
    {
        uint64_t *p = g2h(sp);
        *p++ = argc;
        for (int i = 0; i < argc; i++) {
            *p++ = argp[i];
        }
        *p++ = 0;
        for (int i = 0; i < envc; i++) {
            *p++ = envpp[i];
        }
        *p++ = 0;
        memcpy(p, auxv->data, auxv->len * 8);
    }
    g_array_free(auxv, true);
}

bool load_program(const char *path, char **argv, char **envp,
                  ImageInfo *info, GError **errp)
{
    LoadedElf prog, interp;
    g_autofree char *sh_interp = NULL, *sh_arg = NULL;
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    const char *exe = path;
    int argc = 0;

    if (!parse_shebang(path, &sh_interp, &sh_arg, errp)) {
        return false;
    }
    if (sh_interp) {
        /* interp [arg] script args... */
        g_ptr_array_add(args, sh_interp);
        if (sh_arg) {
            g_ptr_array_add(args, sh_arg);
        }
        g_ptr_array_add(args, (char *)path);
        for (int i = 1; argv[i]; i++) {
            g_ptr_array_add(args, argv[i]);
        }
        exe = sh_interp;
    } else {
        for (int i = 0; argv[i]; i++) {
            g_ptr_array_add(args, argv[i]);
        }
    }
    g_ptr_array_add(args, NULL);
    argc = args->len - 1;

    info->exec_path = g_strdup(path);
    {
        g_autofree char *resolved = path_in_sysroot(exe);
        info->real_path = realpath(resolved, NULL);
        if (!info->real_path) {
            info->real_path = g_strdup(resolved);
        }
        if (!load_elf(resolved, &prog, false, errp)) {
            if (sh_interp) {
                error_prepend(errp, "%s: #! interpreter: ", path);
            }
            return false;
        }
    }
    memset(&interp, 0, sizeof(interp));
    if (prog.interp) {
        g_autofree char *ipath = path_in_sysroot(prog.interp);
        if (!load_elf(ipath, &interp, true, errp)) {
            return false;
        }
        g_free(interp.interp);
    }
    info->prog_entry = prog.entry;
    info->entry = prog.interp ? interp.entry : prog.entry;
    info->load_bias = prog.bias;
    info->interp_bias = interp.bias;
    info->phdr = prog.phdr;
    info->phnum = prog.phnum;
    info->phent = prog.phent;
    info->start_brk = ROUND_UP(prog.end, 4096);
    target_set_brk(info->start_brk);
    setup_stack(info, &prog, prog.interp ? &interp : NULL, argc,
                (char **)args->pdata, envp, errp);
    g_free(prog.interp);
    return !(errp && *errp);
}
