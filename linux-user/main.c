/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ember-x86_64: run an x86-64 Linux program on Ember's translator.
 *
 *   ember-x86_64 [options] program [arguments...]
 */
#include "ember/osdep.h"
#include <sys/auxv.h>
#include "ember/error.h"
#include "ember/log.h"
#include "ember/option.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "tcg/tcg.h"
#include "target/x86/tcg/tcg-cpu.h"
#include "user.h"
#include "../tcg/tcg-internal.h"

UserOptions user_opts;
ImageInfo image_info;
char *ember_exe_path;
uint32_t image_hwcap;
__thread TaskState *thread_ts;
GPtrArray *cpu_list;
static __thread CPUState *thread_cpu;
static int next_cpu_index;

CPUState *current_cpu_get(void)
{
    return thread_cpu;
}

void current_cpu_set(CPUState *cpu)
{
    thread_cpu = cpu;
}

GPtrArray *user_cpu_list(void)
{
    return cpu_list;
}

/* The list changes under tb_lock with every other vCPU stopped, so the
 * readers (jump-cache invalidation, exclusive sections) see it whole. */
void user_cpu_list_add(CPUState *cs)
{
    start_exclusive();
    tb_lock();
    g_ptr_array_add(cpu_list, cs);
    tb_unlock();
    end_exclusive();
}

void user_cpu_list_remove(CPUState *cs)
{
    start_exclusive();
    tb_lock();
    g_ptr_array_remove(cpu_list, cs);
    tb_unlock();
    end_exclusive();
}

void user_cpu_list_reset_after_fork(CPUState *self)
{
    g_ptr_array_set_size(cpu_list, 0);
    g_ptr_array_add(cpu_list, self);
}

static void user_cpu_setup(CPUX86State *env)
{
    uint32_t code = DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                    DESC_R_MASK | DESC_A_MASK | DESC_L_MASK |
                    (3 << DESC_DPL_SHIFT);
    uint32_t data = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                    DESC_W_MASK | DESC_A_MASK | (3 << DESC_DPL_SHIFT);

    /* Long mode, CPL 3, flat segments: what Linux gives a process. */
    env->cr[0] = CR0_PE_MASK | CR0_MP_MASK | CR0_ET_MASK | CR0_NE_MASK |
                 CR0_WP_MASK | CR0_AM_MASK | CR0_PG_MASK;
    env->cr[4] = CR4_PAE_MASK | CR4_OSFXSR_MASK | CR4_OSXMMEXCPT_MASK;
    env->efer = MSR_EFER_SCE | MSR_EFER_LME | MSR_EFER_LMA | MSR_EFER_NXE;
    env->hflags |= HF_USER_MASK;
    cpu_x86_load_seg_cache(env, R_CS, 0x33, 0, 0xffffffff, code);
    cpu_x86_load_seg_cache(env, R_SS, 0x2b, 0, 0xffffffff, data);
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS && s != R_SS) {
            cpu_x86_load_seg_cache(env, s, 0, 0, 0xffffffff, data);
        }
    }
    cpu_load_eflags(env, IF_MASK, ~0ull);
    env->fpuc = 0x37f;
    env->mxcsr = 0x1f80;
    memset(env->fptags, 1, sizeof(env->fptags));
    cpu_x86_update_hflags(env);
}

X86CPU *user_cpu_new(void)
{
    static X86CPU *first;
    X86CPU *cpu = g_new0(X86CPU, 1);
    CPUState *cs = &cpu->parent;
    CPUX86State *env = &cpu->env;
    TaskState *ts = g_new0(TaskState, 1);

    cs->env_ptr = env;
    cs->cpu_index = __atomic_fetch_add(&next_cpu_index, 1, __ATOMIC_SEQ_CST);
    env->cs = cs;
    env->opaque = ts;
    ts->cpu = cpu;
    if (!first) {
        uint32_t supported[FEATURE_WORDS];
        GError *err = NULL;

        tcg_x86_supported_features(supported);
        if (!x86_cpu_apply_model(env, user_opts.cpu_model ?
                                 user_opts.cpu_model : "max", supported,
                                 &err)) {
            error_exit(err);
        }
        x86_cpu_reset(env);
        user_cpu_setup(env);
        first = cpu;
    } else {
        /* Later vCPUs copy the first one's CPUID description. */
        memcpy(env->features, first->env.features, sizeof(env->features));
        memcpy(env->cpuid_vendor, first->env.cpuid_vendor,
               sizeof(env->cpuid_vendor));
        memcpy(env->cpuid_model, first->env.cpuid_model,
               sizeof(env->cpuid_model));
        env->cpuid_level = first->env.cpuid_level;
        env->cpuid_xlevel = first->env.cpuid_xlevel;
        env->cpuid_version = first->env.cpuid_version;
        env->nr_cores = env->nr_threads = 1;
        x86_cpu_reset(env);
        user_cpu_setup(env);
    }
    env->tsc_aux = cs->cpu_index;
    tcg_cpu_init(cs);
    return cpu;
}

void user_cpu_free(X86CPU *cpu)
{
    tcg_cpu_destroy(&cpu->parent);
    g_free(cpu->env.opaque);
    g_free(cpu);
}

void user_exit_group(int code)
{
    if (ember_log_enabled(LOG_TB_STATS)) {
        log_lock();
        tcg_dump_stats(log_file());
        log_unlock();
    }
    log_lock();
    fflush(log_file());
    log_unlock();
    syscall(SYS_exit_group, code);
    _exit(code);
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: ember-x86_64 [options] program [arguments...]\n"
"Run an x86-64 Linux program on Ember's dynamic translator.\n"
"\n"
"Options:\n"
"  -h, --help           print this help\n"
"  -version             print the version\n"
"  -L path              guest sysroot for the ELF interpreter and libraries\n"
"                       (default: / on x86-64 hosts)\n"
"  -cpu model           CPU model (default max; -cpu help lists them)\n"
"  -accel tcg[,backend=x86_64|interp][,tb-size=MiB]\n"
"                       translator back end (default: the host's; also\n"
"                       EMBER_TCG_BACKEND=interp|x86_64)\n"
"  -d item1,...         log items (-d help lists them)\n"
"  -D logfile           write the log there instead of stderr\n"
"  -strace              log system calls\n"
"  -E var=value         set a variable in the guest environment\n"
"  -U var               remove a variable from the guest environment\n"
"  -0 argv0             argv[0] for the program\n"
"  -s size              guest stack size (default 8M)\n"
"\n"
"Environment: EMBER_TCG_BACKEND, EMBER_LD_PREFIX (-L), EMBER_STRACE.\n");
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        error_report("option %s needs an argument", argv[*i]);
        exit(1);
    }
    return argv[++*i];
}

int main(int argc, char **argv)
{
    g_autoptr(GPtrArray) envv = g_ptr_array_new_with_free_func(g_free);
    GError *err = NULL;
    X86CPU *cpu;
    CPUX86State *env;
    uint64_t tb_size = 0;
    const char *prog;
    char **guest_argv;
    int i;

    error_set_progname("ember-x86_64");
    for (char **e = environ; *e; e++) {
        g_ptr_array_add(envv, g_strdup(*e));
    }
    user_opts.backend = g_getenv("EMBER_TCG_BACKEND");
    user_opts.sysroot = g_getenv("EMBER_LD_PREFIX");
    user_opts.strace = g_getenv("EMBER_STRACE") != NULL;

    i = 1;
#ifdef AT_FLAGS
    /*
     * Started by binfmt_misc with the P flag (scripts/binfmt-register.sh):
     * argv is ember, the program's full path, its own argv[0], its
     * arguments; the kernel says so in bit 0 of AT_FLAGS.
     */
    if ((getauxval(AT_FLAGS) & 1) && argc >= 3) {
        user_opts.argv0 = argv[2];
        argv[2] = argv[1];
        i = 2;
        goto have_prog;
    }
#endif
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            break;
        }
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[1] == '-') {
            a++;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-version")) {
            printf("ember-x86_64 version %s\n", EMBER_VERSION);
            return 0;
        } else if (!strcmp(a, "-L")) {
            user_opts.sysroot = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-cpu")) {
            user_opts.cpu_model = need_arg(argc, argv, &i);
            if (!strcmp(user_opts.cpu_model, "help")) {
                x86_cpu_model_list(stdout);
                return 0;
            }
        } else if (!strcmp(a, "-accel")) {
            g_auto(GStrv) parts = g_strsplit(need_arg(argc, argv, &i), ",",
                                             -1);
            if (strcmp(parts[0], "tcg")) {
                error_report("-accel %s: only tcg is available in user "
                             "mode", parts[0]);
                return 1;
            }
            for (char **p = parts + 1; *p; p++) {
                if (g_str_has_prefix(*p, "backend=")) {
                    user_opts.backend = g_strdup(*p + 8);
                } else if (g_str_has_prefix(*p, "tb-size=")) {
                    tb_size = g_ascii_strtoull(*p + 8, NULL, 0) * MiB;
                } else {
                    error_report("-accel: unknown property '%s'", *p);
                    return 1;
                }
            }
        } else if (!strcmp(a, "-d")) {
            bool help;
            int mask = log_parse_items(need_arg(argc, argv, &i), &help,
                                       &err);
            if (err) {
                error_exit(err);
            }
            if (help) {
                log_print_help(stdout);
                return 0;
            }
            log_set_mask(ember_loglevel | mask);
        } else if (!strcmp(a, "-D")) {
            user_opts.log_file = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-strace")) {
            user_opts.strace = true;
        } else if (!strcmp(a, "-E")) {
            const char *kv = need_arg(argc, argv, &i);
            const char *eq = strchr(kv, '=');
            g_autofree char *k = eq ? g_strndup(kv, eq - kv) : g_strdup(kv);
            for (guint j = 0; j < envv->len; j++) {
                const char *e = g_ptr_array_index(envv, j);
                if (g_str_has_prefix(e, k) && e[strlen(k)] == '=') {
                    g_ptr_array_remove_index(envv, j--);
                }
            }
            g_ptr_array_add(envv, g_strdup(kv));
        } else if (!strcmp(a, "-U")) {
            const char *k = need_arg(argc, argv, &i);
            for (guint j = 0; j < envv->len; j++) {
                const char *e = g_ptr_array_index(envv, j);
                if (g_str_has_prefix(e, k) && e[strlen(k)] == '=') {
                    g_ptr_array_remove_index(envv, j--);
                }
            }
        } else if (!strcmp(a, "-0")) {
            user_opts.argv0 = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-s")) {
            if (!parse_size(need_arg(argc, argv, &i), 'B',
                            &user_opts.stack_size)) {
                error_report("-s: bad size");
                return 1;
            }
        } else {
            error_report("unknown option '%s' (try --help)", argv[i]);
            return 1;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
#ifdef AT_FLAGS
have_prog:
#endif
    prog = argv[i];
    guest_argv = argv + i;
    if (user_opts.argv0) {
        guest_argv[0] = (char *)user_opts.argv0;
    }
    g_ptr_array_add(envv, NULL);

    if (user_opts.log_file && !log_set_file(user_opts.log_file, &err)) {
        error_exit(err);
    }
    if (user_opts.strace) {
        log_set_mask(ember_loglevel | LOG_STRACE);
    }
    if (!user_opts.sysroot) {
#ifdef HOST_X86_64
        user_opts.sysroot = "/";
#endif
    }
    if (!tcg_select_backend(user_opts.backend)) {
        error_report("unknown translator back end '%s' (x86_64 or interp)",
                     user_opts.backend);
        return 1;
    }
    ember_exe_path = g_file_read_link("/proc/self/exe", NULL);
    if (!ember_exe_path) {
        ember_exe_path = g_strdup(argv[0]);
    }
    /* Guest programs must not inherit Ember's own core limit choices or
     * see an exhausted stack: nothing special to do on Linux. */

    cpu_list = g_ptr_array_new();
    mmap_init();
    tcg_guest_mem_direct = true;
    tcg_exec_init(&user_mode_ops, tb_size);
    cpu = user_cpu_new();
    env = &cpu->env;
    g_ptr_array_add(cpu_list, &cpu->parent);
    current_cpu_set(&cpu->parent);
    thread_ts = env->opaque;
    thread_ts->tid = syscall(SYS_gettid);
    image_hwcap = env->features[FEAT_1_EDX];
    signal_init();

    if (!load_program(prog, guest_argv, (char **)envv->pdata, &image_info,
                      &err)) {
        error_exit(err);
    }
    env->rip = image_info.entry;
    env->regs[R_ESP] = image_info.sp;
    env->regs[R_EDX] = 0;
    ember_log_mask(LOG_ACCEL, "guest: entry 0x%" PRIx64 " stack 0x%" PRIx64
                   " brk 0x%" PRIx64 "\n", image_info.entry,
                   image_info.sp, image_info.start_brk);
    {
        uint64_t m;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &m, 8);
        thread_ts->sigmask = m;
    }
    syscall_init();
    cpu_loop(env);
}
