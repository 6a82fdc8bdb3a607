/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ember-system-x86_64: the command line, then machine set-up and the
 * main loop. Options follow QEMU's spelling and meaning (-m, -smp,
 * -accel, -machine, -cpu, -kernel, -serial, -chardev, -device, ...); both
 * "-opt" and "--opt" are accepted.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "ember/option.h"
#include "chardev/char.h"
#include "net/net.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/qdev.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/netdev.h"
#include "system/runstate.h"
#include "system/timer.h"
#include <glib-unix.h>
#include <signal.h>
#include "system/vl.h"
#include "system/blockdev.h"
#include "monitor/monitor.h"
#include "ui/display.h"

MachineState *current_machine;
static char *debugcon_spec;
static char *qtest_spec;

void vl_set_debugcon(const char *spec)
{
    debugcon_spec = g_strdup(spec);
}

const char *vl_get_debugcon(void)
{
    return debugcon_spec;
}

void vl_set_qtest(const char *spec)
{
    qtest_spec = g_strdup(spec);
}

const char *vl_get_qtest(void)
{
    return qtest_spec;
}
static Chardev *serial_hds[MAX_SERIAL_PORTS];
static GPtrArray *machine_types;

Chardev *serial_hd(int i)
{
    return i >= 0 && i < MAX_SERIAL_PORTS ? serial_hds[i] : NULL;
}

void serial_hd_set(int i, Chardev *chr)
{
    if (i >= 0 && i < MAX_SERIAL_PORTS) {
        serial_hds[i] = chr;
    }
}

void machine_type_register(const MachineType *mt)
{
    if (!machine_types) {
        machine_types = g_ptr_array_new();
    }
    g_ptr_array_add(machine_types, (gpointer)mt);
}

const MachineType *machine_type_find(const char *name)
{
    for (unsigned i = 0; machine_types && i < machine_types->len; i++) {
        const MachineType *mt = g_ptr_array_index(machine_types, i);
        if (!strcmp(mt->name, name) || (mt->alias && !strcmp(mt->alias, name))) {
            return mt;
        }
    }
    return NULL;
}

const MachineType *machine_type_default(void)
{
    for (unsigned i = 0; machine_types && i < machine_types->len; i++) {
        const MachineType *mt = g_ptr_array_index(machine_types, i);
        if (mt->is_default) {
            return mt;
        }
    }
    return NULL;
}

void machine_type_list(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    for (unsigned i = 0; machine_types && i < machine_types->len; i++) {
        const MachineType *mt = g_ptr_array_index(machine_types, i);
        if (mt->alias) {
            fprintf(f, "%-20s %s (alias of %s)\n", mt->alias, mt->desc,
                    mt->name);
        }
        fprintf(f, "%-20s %s%s\n", mt->name, mt->desc,
                mt->is_default ? " (default)" : "");
    }
}

/* ---- option table ------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
"Usage: ember-system-x86_64 [options]\n"
"Ember %s: a PC emulator and virtualizer for x86 guests.\n"
"\n"
"Standard options:\n"
"  -h, -help            print this help\n"
"  -version             print the version\n"
"  -machine TYPE[,prop=value...]  select the machine (-machine help);\n"
"                       props: accel=kvm|tcg|qtest[:...], kernel-irqchip=on|off,\n"
"                       acpi=on|off\n"
"  -cpu MODEL[,+feat,-feat...]  select the CPU model (-cpu help)\n"
"  -accel NAME[,prop=value...]  kvm[,kernel-irqchip=on|off], tcg[,backend=\n"
"                       native|interp][,thread=single|multi][,tb-size=MiB];\n"
"                       repeat to give fall-backs\n"
"  -enable-kvm          same as -accel kvm\n"
"  -smp N[,sockets=S][,cores=C][,threads=T][,maxcpus=M]  number of CPUs\n"
"  -m SIZE              guest RAM (default 128M; suffixes M, G)\n"
"  -name NAME           name of the guest (window title, process name)\n"
"  -S                   do not start the CPUs at start-up\n"
"  -no-reboot           exit instead of rebooting\n"
"  -no-shutdown         stop, not exit, when the guest powers off\n"
"  -rtc [base=utc|localtime|YYYY-MM-DD[THH:MM:SS]][,clock=vm]  the RTC's\n"
"                       time at power-on (it follows the VM clock)\n"
"\n"
"Boot (no firmware is needed for these):\n"
"  -kernel FILE         Linux bzImage, PVH ELF or multiboot kernel\n"
"  -append CMDLINE      the kernel command line\n"
"  -initrd FILE[,FILE]  initial ram disk (multiboot: modules, comma list)\n"
"\n"
"Devices and back ends:\n"
"  -device DRIVER[,prop=value...]  add a device (-device help,\n"
"                       -device DRIVER,help)\n"
"  -chardev BACKEND,id=ID[,...]  stdio, file, pipe, socket, pty, null, serial\n"
"  -serial DEV          COM port back end: stdio, mon:stdio, file:PATH,\n"
"                       pipe:PATH, tcp:[HOST]:PORT[,server=on][,wait=off],\n"
"                       unix:PATH[,server=on], pty, null, none, chardev:ID\n"
"  -debugcon DEV        the 0xe9 debug console's back end\n"
"  -nographic           no display; COM1, the monitor and Ctrl-A commands\n"
"                       on stdio\n"
"  -display sdl[,full-screen=on][,window-close=off]  a window (the default\n"
"                       when DISPLAY or WAYLAND_DISPLAY is set)\n"
"  -display none        no display\n"
"  -full-screen         start the window in full screen\n"
"  -monitor DEV         the human monitor on DEV: stdio, unix:PATH,server=on,\n"
"                       wait=off, tcp:HOST:PORT,server=on, none\n"
"  -nodefaults          no default devices\n"
"  -vga std|none        the display adapter (std-vga, the default)\n"
"\n"
"Network (docs/net.md; without these, one virtio-net-pci on user networking):\n"
"  -netdev TYPE,id=ID[,...]  a back end: user, tap, socket, stream\n"
"                       (-netdev help; -netdev TYPE,help)\n"
"  -nic TYPE[,model=M][,mac=MAC][,...]  a NIC and its back end; -nic none\n"
"  -net none            no network\n"
"\n"
"Block devices (docs/block.md; Ember has no IDE, so if=virtio is the default):\n"
"  -drive file=FILE[,format=raw|qcow2][,if=virtio|none][,id=ID][,cache=MODE]\n"
"         [,readonly=on][,snapshot=on][,discard=unmap][,index=N][,...]\n"
"                       a disk image; cache: writeback (default), none,\n"
"                       writethrough, directsync, unsafe\n"
"  -blockdev driver=DRV,node-name=NAME[,file.filename=FILE][,...]  a node\n"
"  -snapshot            writes go to a temporary overlay, dropped at exit\n"
"  -hda/-hdb/-hdc/-hdd FILE  -drive file=FILE,index=0..3 (also a bare FILE)\n"
"\n"
"Debugging:\n"
"  -d ITEM[,...]        log items (-d help)\n"
"  -D FILE              write the log to FILE\n"
"  -qtest CHARDEV       device-test protocol on a back end (tests)\n"
"\n"
"During emulation with -nographic, Ctrl-A h prints the key commands and\n"
"Ctrl-A x quits.\n", EMBER_VERSION);
}

typedef struct Config Config;
typedef bool OptHandler(Config *c, const char *arg, GError **errp);

struct Config {
    uint64_t ram_size;
    char *smp;
    char *cpu;
    GPtrArray *accels;          /* char * */
    char *machine;
    char *kernel, *initrd, *append, *name;
    GPtrArray *serials;         /* char * */
    GPtrArray *chardevs;        /* char * */
    GPtrArray *devices;         /* char * */
    char *debugcon;
    char *qtest;
    char *vga;
    char *rtc_base;
    char *display;
    bool nographic;
    bool nodefaults;
    bool start_paused;
    char *log_items;
    char *log_file;
};

typedef struct Option {
    const char *name;
    bool has_arg;
    OptHandler *handler;
} Option;

static char *pop_arg(GPtrArray *a, const char *s)
{
    g_ptr_array_add(a, g_strdup(s));
    return NULL;
}

static bool opt_m(Config *c, const char *arg, GError **errp)
{
    const char *v = arg;
    g_autofree char *tmp = NULL;

    if (g_str_has_prefix(arg, "size=")) {
        tmp = g_strndup(arg + 5, strcspn(arg + 5, ","));
        v = tmp;
    } else if (strchr(arg, ',')) {
        tmp = g_strndup(arg, strcspn(arg, ","));
        v = tmp;
    }
    if (!parse_size(v, 'M', &c->ram_size)) {
        error_setg(errp, "-m %s: invalid RAM size '%s'", arg, v);
        return false;
    }
    if (c->ram_size < 2 * MiB) {
        error_setg(errp, "-m %s: RAM size too small (at least 2M)", arg);
        return false;
    }
    if (c->ram_size > 1024 * GiB) {
        error_setg(errp, "-m %s: RAM size too large (at most 1T)", arg);
        return false;
    }
    c->ram_size = ROUND_UP(c->ram_size, 4096);
    return true;
}

#define STR_OPT(fn, field)                                            \
    static bool fn(Config *c, const char *arg, GError **errp)         \
    {                                                                 \
        g_free(c->field);                                             \
        c->field = g_strdup(arg);                                     \
        return true;                                                  \
    }
STR_OPT(opt_smp, smp)
STR_OPT(opt_cpu, cpu)
STR_OPT(opt_machine, machine)
STR_OPT(opt_kernel, kernel)
STR_OPT(opt_initrd, initrd)
STR_OPT(opt_append, append)
STR_OPT(opt_debugcon, debugcon)
STR_OPT(opt_qtest, qtest)
STR_OPT(opt_log_items, log_items)
STR_OPT(opt_log_file, log_file)

static bool opt_name(Config *c, const char *arg, GError **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "guest", errp);

    if (!o) {
        return false;
    }
    g_free(c->name);
    c->name = g_strdup(opts_get(o, "guest"));
    opts_get(o, "process");
    opts_get(o, "debug-threads");
    return opts_check_unused(o, errp);
}

static bool opt_accel(Config *c, const char *arg, GError **errp)
{
    pop_arg(c->accels, arg);
    return true;
}

static bool opt_enable_kvm(Config *c, const char *arg, GError **errp)
{
    pop_arg(c->accels, "kvm");
    return true;
}

static bool opt_serial(Config *c, const char *arg, GError **errp)
{
    if (c->serials->len >= MAX_SERIAL_PORTS) {
        error_setg(errp, "-serial %s: too many serial ports (at most %d)",
                   arg, MAX_SERIAL_PORTS);
        return false;
    }
    pop_arg(c->serials, arg);
    return true;
}

static bool opt_chardev(Config *c, const char *arg, GError **errp)
{
    pop_arg(c->chardevs, arg);
    return true;
}

static bool opt_device(Config *c, const char *arg, GError **errp)
{
    pop_arg(c->devices, arg);
    return true;
}

static bool opt_nographic(Config *c, const char *arg, GError **errp)
{
    c->nographic = true;
    return true;
}

static bool opt_nodefaults(Config *c, const char *arg, GError **errp)
{
    c->nodefaults = true;
    return true;
}

/* Display and monitor options: recorded and acted on by ui/display.c
 * and monitor/monitor.c. */
static bool opt_display(Config *c, const char *arg, GError **errp)
{
    return display_opt(arg, errp);
}

static bool opt_full_screen(Config *c, const char *arg, GError **errp)
{
    display_opt_full_screen();
    return true;
}

static bool opt_monitor(Config *c, const char *arg, GError **errp)
{
    return monitor_opt(arg, errp);
}

/*
 * -rtc [base=utc|localtime|DATE][,clock=host|rt|vm][,driftfix=none|slew]
 * as QEMU spells it. Ember's RTC runs on the VM clock, which stops while
 * the VM is paused: clock=host and rt are accepted with a warning; missed
 * periodic interrupts are not re-injected (driftfix=slew: a warning).
 */
static bool opt_rtc(Config *c, const char *arg, GError **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, NULL, errp);
    const char *base, *clock, *drift;

    if (!o) {
        return false;
    }
    base = opts_get(o, "base");
    clock = opts_get(o, "clock");
    drift = opts_get(o, "driftfix");
    if (!opts_check_unused(o, errp)) {
        return false;
    }
    if (clock && strcmp(clock, "host") && strcmp(clock, "rt") &&
        strcmp(clock, "vm")) {
        error_setg(errp, "-rtc clock=%s: expected host, rt or vm", clock);
        return false;
    }
    if (clock && strcmp(clock, "vm")) {
        warn_report("-rtc clock=%s: Ember's RTC follows the VM clock "
                    "(it stops while the VM is paused)", clock);
    }
    if (drift && strcmp(drift, "none") && strcmp(drift, "slew")) {
        error_setg(errp, "-rtc driftfix=%s: expected none or slew", drift);
        return false;
    }
    if (drift && !strcmp(drift, "slew")) {
        warn_report("-rtc driftfix=slew: missed RTC interrupts are not "
                    "re-injected");
    }
    if (base) {
        g_free(c->rtc_base);
        c->rtc_base = g_strdup(base);
    }
    return true;
}

static bool opt_vga(Config *c, const char *arg, GError **errp)
{
    if (!strcmp(arg, "help")) {
        printf("std   standard VGA with Bochs VBE extensions (default)\n"
               "none  no VGA card\n");
        exit(0);
    }
    if (strcmp(arg, "std") && strcmp(arg, "none")) {
        error_setg(errp, "-vga %s: '%s' is not supported (std or none)", arg,
                   arg);
        return false;
    }
    g_free(c->vga);
    c->vga = g_strdup(arg);
    return true;
}

static bool opt_S(Config *c, const char *arg, GError **errp)
{
    c->start_paused = true;
    return true;
}

static bool opt_no_reboot(Config *c, const char *arg, GError **errp)
{
    no_reboot = true;
    return true;
}

static bool opt_no_shutdown(Config *c, const char *arg, GError **errp)
{
    no_shutdown = true;
    return true;
}

static bool opt_ignore(Config *c, const char *arg, GError **errp)
{
    return true;
}

static bool opt_none_only(Config *c, const char *arg, GError **errp)
{
    if (strcmp(arg, "none")) {
        error_setg(errp, "'%s' is not supported in this build (only 'none')",
                   arg);
        return false;
    }
    return true;
}

/* Network options: recorded and acted on by system/netdev.c. */
static bool opt_netdev(Config *c, const char *arg, GError **errp)
{
    return net_opt_netdev(arg, errp);
}

static bool opt_nic(Config *c, const char *arg, GError **errp)
{
    return net_opt_nic(arg, errp);
}

static bool opt_net(Config *c, const char *arg, GError **errp)
{
    return net_opt_net(arg, errp);
}

/* ---- block devices: queued here, opened by system/blockdev.c ---- */
static bool opt_drive(Config *c, const char *arg, GError **errp)
{
    blockdev_queue_drive(arg);
    return true;
}

static bool opt_blockdev(Config *c, const char *arg, GError **errp)
{
    blockdev_queue_blockdev(arg);
    return true;
}

static bool opt_snapshot(Config *c, const char *arg, GError **errp)
{
    blockdev_set_snapshot(true);
    return true;
}

#define OPT_HD(n, idx)                                                  \
    static bool opt_##n(Config *c, const char *arg, GError **errp)     \
    {                                                                   \
        blockdev_queue_hd(idx, arg);                                    \
        return true;                                                    \
    }
OPT_HD(hda, 0)
OPT_HD(hdb, 1)
OPT_HD(hdc, 2)
OPT_HD(hdd, 3)

static bool opt_help(Config *c, const char *arg, GError **errp)
{
    usage(stdout);
    exit(0);
}

static bool opt_version(Config *c, const char *arg, GError **errp)
{
    printf("Ember emulator version %s\n"
           "QEMU-compatible command line; see README.md\n", EMBER_VERSION);
    exit(0);
}

static const Option options[] = {
    { "h", false, opt_help },
    { "help", false, opt_help },
    { "version", false, opt_version },
    { "m", true, opt_m },
    { "smp", true, opt_smp },
    { "cpu", true, opt_cpu },
    { "accel", true, opt_accel },
    { "enable-kvm", false, opt_enable_kvm },
    { "machine", true, opt_machine },
    { "M", true, opt_machine },
    { "kernel", true, opt_kernel },
    { "initrd", true, opt_initrd },
    { "append", true, opt_append },
    { "serial", true, opt_serial },
    { "chardev", true, opt_chardev },
    { "device", true, opt_device },
    { "debugcon", true, opt_debugcon },
    { "nographic", false, opt_nographic },
    { "nodefaults", false, opt_nodefaults },
    { "display", true, opt_display },
    { "vga", true, opt_vga },
    { "rtc", true, opt_rtc },
    { "no-reboot", false, opt_no_reboot },
    { "no-shutdown", false, opt_no_shutdown },
    { "S", false, opt_S },
    { "name", true, opt_name },
    { "d", true, opt_log_items },
    { "D", true, opt_log_file },
    { "qtest", true, opt_qtest },
    { "monitor", true, opt_monitor },
    { "full-screen", false, opt_full_screen },
    { "parallel", true, opt_none_only },
    { "net", true, opt_net },
    { "netdev", true, opt_netdev },
    { "nic", true, opt_nic },
    { "no-user-config", false, opt_ignore },
    { "drive", true, opt_drive },
    { "blockdev", true, opt_blockdev },
    { "snapshot", false, opt_snapshot },
    { "hda", true, opt_hda },
    { "hdb", true, opt_hdb },
    { "hdc", true, opt_hdc },
    { "hdd", true, opt_hdd },
};

static void parse_command_line(Config *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const Option *opt = NULL;
        GError *err = NULL;

        if (a[0] != '-' || !a[1]) {
            /* QEMU treats a bare argument as the disk image (hda). */
            blockdev_queue_hd(0, a);
            continue;
        }
        a += (a[1] == '-') ? 2 : 1;
        for (unsigned k = 0; k < ARRAY_SIZE(options); k++) {
            if (!strcmp(options[k].name, a)) {
                opt = &options[k];
                break;
            }
        }
        if (!opt) {
            error_report("%s: invalid option", argv[i]);
            exit(1);
        }
        if (opt->has_arg && i + 1 >= argc) {
            error_report("%s: requires an argument", argv[i]);
            exit(1);
        }
        if (!opt->handler(c, opt->has_arg ? argv[i + 1] : NULL, &err)) {
            if (!g_str_has_prefix(err->message, "-")) {
                error_prepend(&err, "-%s %s: ", opt->name,
                              opt->has_arg ? argv[i + 1] : "");
            }
            error_exit(err);
        }
        if (opt->has_arg) {
            i++;
        }
    }
}

/* ---- -smp ---------------------------------------------------------------- */

static bool parse_smp(MachineState *ms, const char *arg, GError **errp)
{
    g_autoptr(Opts) o = NULL;
    uint64_t cpus, sockets, cores, threads, maxcpus;
    GError *err = NULL;

    ms->smp_cpus = ms->max_cpus = ms->sockets = ms->cores = ms->threads = 1;
    if (!arg) {
        return true;
    }
    o = opts_parse(arg, "cpus", errp);
    if (!o) {
        return false;
    }
    if (opts_has(o, "cpus") && !strcmp(opts_get(o, "cpus"), "0")) {
        error_setg(errp, "-smp %s: Invalid SMP CPUs 0", arg);
        return false;
    }
    cpus = opts_get_number(o, "cpus", 0, &err);
    sockets = opts_get_number(o, "sockets", 0, &err);
    cores = opts_get_number(o, "cores", 0, &err);
    threads = opts_get_number(o, "threads", 0, &err);
    maxcpus = opts_get_number(o, "maxcpus", 0, &err);
    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    if (!opts_check_unused(o, errp)) {
        return false;
    }
    if (cpus > 1024 || sockets > 1024 || cores > 1024 || threads > 1024) {
        error_setg(errp, "-smp %s: too many CPUs", arg);
        return false;
    }
    threads = threads ? threads : 1;
    if (!cores) {
        cores = 1;
    }
    if (!sockets) {
        uint64_t n = cpus ? cpus : maxcpus;
        sockets = n ? DIV_ROUND_UP(n, cores * threads) : 1;
    }
    if (!cpus) {
        cpus = sockets * cores * threads;
    }
    if (!maxcpus) {
        maxcpus = MAX(cpus, sockets * cores * threads);
    }
    if (cpus == 0 || maxcpus < cpus) {
        error_setg(errp, "-smp %s: invalid CPU count", arg);
        return false;
    }
    if (sockets * cores * threads < maxcpus) {
        error_setg(errp, "-smp %s: sockets (%" PRIu64 ") * cores (%" PRIu64
                   ") * threads (%" PRIu64 ") < maxcpus (%" PRIu64 ")", arg,
                   sockets, cores, threads, maxcpus);
        return false;
    }
    ms->smp_cpus = cpus;
    ms->max_cpus = maxcpus;
    ms->sockets = sockets;
    ms->cores = cores;
    ms->threads = threads;
    return true;
}

/* ---- -machine / -accel ----------------------------------------------------- */

static bool apply_accel_opts(const AccelOps *ops, Opts *o, MachineState *ms,
                             GError **errp)
{
    for (unsigned i = 0; i < o->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(o->entries, i);
        if (!strcmp(e->key, "accel")) {
            continue;
        }
        e->used = true;
        if (!strcmp(e->key, "kernel-irqchip") && !strcmp(ops->name, "kvm")) {
            if (!strcmp(e->value, "split")) {
                error_setg(errp, "kernel-irqchip=split is not supported");
                return false;
            }
            if (!parse_bool(e->value, &ms->kernel_irqchip)) {
                error_setg(errp, "Parameter 'kernel-irqchip' expects on or "
                           "off");
                return false;
            }
        }
        if (!ops->set_option || !ops->set_option(e->key, e->value, errp)) {
            if (errp && !*errp) {
                error_setg(errp, "Invalid parameter '%s' for accelerator "
                           "'%s'", e->key, ops->name);
            }
            return false;
        }
    }
    return true;
}

static const AccelOps *choose_accel(Config *c, MachineState *ms,
                                    Opts *machine_opts)
{
    g_autoptr(GPtrArray) tries = g_ptr_array_new_with_free_func(g_free);
    const char *macc = machine_opts ? opts_get(machine_opts, "accel") : NULL;
    g_autoptr(GString) why = g_string_new(NULL);
    bool defaulted = false;

    for (unsigned i = 0; i < c->accels->len; i++) {
        g_ptr_array_add(tries, g_strdup(g_ptr_array_index(c->accels, i)));
    }
    if (macc) {
        g_auto(GStrv) names = g_strsplit(macc, ":", -1);
        for (char **p = names; *p; p++) {
            g_ptr_array_add(tries, g_strdup(*p));
        }
    }
    if (c->qtest && !tries->len) {
        g_ptr_array_add(tries, g_strdup("qtest"));
    }
    if (!tries->len) {
        g_ptr_array_add(tries, g_strdup("kvm"));
        g_ptr_array_add(tries, g_strdup("tcg"));
        defaulted = true;
    }
    for (unsigned i = 0; i < tries->len; i++) {
        const char *spec = g_ptr_array_index(tries, i);
        g_autoptr(Opts) o = NULL;
        const char *name;
        const AccelOps *ops;
        GError *err = NULL;

        error_set_location("-accel %s", spec);
        o = opts_parse(spec, "accel", &err);
        if (!o) {
            error_exit(err);
        }
        name = opts_get(o, "accel");
        ops = accel_find(name);
        if (!ops && defaulted) {
            continue;   /* not built in */
        }
        if (!ops) {
            if (!strcmp(name, "help")) {
                accel_list(stdout);
                exit(0);
            }
            error_report("invalid accelerator %s", name);
            exit(1);
        }
        accel_set_chosen_explicitly(!defaulted);
        if (ops->available && !ops->available(&err)) {
            g_string_append_printf(why, "%s%s: %s", why->len ? "; " : "",
                                   name, err->message);
            if (!defaulted && tries->len == 1) {
                error_exit(err);
            }
            g_error_free(err);
            continue;
        }
        /* Machine-level accelerator options apply too. */
        if (machine_opts) {
            const char *kic = opts_get(machine_opts, "kernel-irqchip");
            if (kic) {
                opts_set(o, "kernel-irqchip", kic);
            }
        }
        if (!apply_accel_opts(ops, o, ms, &err)) {
            error_exit(err);
        }
        error_clear_location();
        ember_log_mask(LOG_ACCEL, "accel: using %s%s%s%s\n", name,
                       why->len ? " (" : "", why->str, why->len ? ")" : "");
        return ops;
    }
    error_clear_location();
    error_report("no accelerator found (%s)", why->str);
    exit(1);
}

/* ---- start-up -------------------------------------------------------------- */

static gboolean on_signal(gpointer opaque)
{
    int sig = GPOINTER_TO_INT(opaque);

    error_report("terminating on signal %d", sig);
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

static void help_requests(Config *c)
{
    for (unsigned i = 0; i < c->devices->len; i++) {
        const char *d = g_ptr_array_index(c->devices, i);
        if (!strcmp(d, "help") || !strcmp(d, "?")) {
            qdev_print_types(stdout);
            exit(0);
        }
        if (g_str_has_suffix(d, ",help") || g_str_has_suffix(d, ",?")) {
            char *name = g_strndup(d, strcspn(d, ","));
            GError *err = NULL;
            bool ok = qdev_print_props(stdout, name, &err);
            g_free(name);
            if (!ok) {
                error_exit(err);
            }
            exit(0);
        }
    }
    if (c->cpu && (!strcmp(c->cpu, "help") || !strcmp(c->cpu, "?"))) {
        vl_cpu_model_list(stdout);
        exit(0);
    }
    if (c->machine && (!strcmp(c->machine, "help") ||
                       !strcmp(c->machine, "?"))) {
        machine_type_list(stdout);
        exit(0);
    }
    for (unsigned i = 0; i < c->chardevs->len; i++) {
        if (!strcmp(g_ptr_array_index(c->chardevs, i), "help")) {
            chardev_list_backends(stdout);
            exit(0);
        }
    }
    if (c->log_items) {
        bool want_help;
        GError *err = NULL;
        int mask = log_parse_items(c->log_items, &want_help, &err);
        if (want_help) {
            log_print_help(stdout);
            exit(0);
        }
        if (mask < 0) {
            error_set_location("-d %s", c->log_items);
            error_exit(err);
        }
        log_set_mask(mask);
    }
}

static void create_chardevs(Config *c)
{
    GError *err = NULL;

    for (unsigned i = 0; i < c->chardevs->len; i++) {
        const char *arg = g_ptr_array_index(c->chardevs, i);
        g_autoptr(Opts) o = NULL;

        error_set_location("-chardev %s", arg);
        o = opts_parse(arg, "backend", &err);
        if (!o || !chardev_new_from_opts(o, &err)) {
            error_exit(err);
        }
    }
    if (!c->serials->len && !c->nodefaults) {
        /* QEMU's defaults: COM1 on stdio (with Ctrl-A) under -nographic,
         * else on a virtual console, which has nowhere to go here. */
        pop_arg(c->serials, c->nographic ? "mon:stdio" : "vc");
    }
    for (unsigned i = 0; i < c->serials->len; i++) {
        const char *spec = g_ptr_array_index(c->serials, i);
        g_autofree char *label = g_strdup_printf("serial%u", i);
        Chardev *chr;

        error_set_location("-serial %s", spec);
        if (g_str_has_prefix(spec, "chardev:")) {
            chr = chardev_find(spec + 8);
            if (!chr) {
                error_report("chardev '%s' not found", spec + 8);
                exit(1);
            }
        } else {
            chr = chardev_new_legacy(label, spec, &err);
            if (!chr && err) {
                error_exit(err);
            }
        }
        serial_hd_set(i, chr);
    }
    error_clear_location();
}

int ember_main(int argc, char **argv)
{
    /* Static: what the options hold stays reachable until exit. */
    static Config cfg;
    Config *c = &cfg;
    MachineState *ms;
    const MachineType *mt;
    g_autoptr(Opts) machine_opts = NULL;
    GError *err = NULL;
    int status;

    error_set_progname(argv[0]);
    c->accels = g_ptr_array_new_with_free_func(g_free);
    c->serials = g_ptr_array_new_with_free_func(g_free);
    c->chardevs = g_ptr_array_new_with_free_func(g_free);
    c->devices = g_ptr_array_new_with_free_func(g_free);
    c->ram_size = 128 * MiB;
    parse_command_line(c, argc, argv);
    help_requests(c);
    if (c->log_file && !log_set_file(c->log_file, &err)) {
        error_exit(err);
    }

    if (c->machine) {
        machine_opts = opts_parse(c->machine, "type", &err);
        if (!machine_opts) {
            error_set_location("-machine %s", c->machine);
            error_exit(err);
        }
    }
    mt = machine_opts && opts_get(machine_opts, "type")
        ? machine_type_find(opts_get(machine_opts, "type"))
        : machine_type_default();
    if (!mt) {
        error_report("-machine %s: unsupported machine type (try -machine "
                     "help)", c->machine);
        exit(1);
    }

    ms = g_new0(MachineState, 1);
    current_machine = ms;
    ms->type = mt;
    ms->ram_size = c->ram_size;
    ms->cpu_spec = g_strdup(c->cpu);
    ms->kernel = g_strdup(c->kernel);
    ms->initrd = g_strdup(c->initrd);
    ms->append = g_strdup(c->append);
    ms->name = g_strdup(c->name);
    ms->vga = g_strdup(c->vga ? c->vga : (c->nodefaults ? "none" : "std"));
    ms->rtc_base = g_strdup(c->rtc_base);
    ms->nographic = c->nographic;
    ms->start_paused = c->start_paused;
    ms->kernel_irqchip = true;
    ms->acpi = true;
    if (!parse_smp(ms, c->smp, &err)) {
        error_exit(err);
    }
    if (ms->smp_cpus > mt->max_cpus) {
        error_report("Invalid SMP CPUs %u. The max CPUs supported by "
                     "machine '%s' is %u", ms->smp_cpus, mt->name,
                     mt->max_cpus);
        exit(1);
    }
    if (machine_opts) {
        ms->acpi = opts_get_bool(machine_opts, "acpi", true, &err);
        if (err) {
            error_set_location("-machine %s", c->machine);
            error_exit(err);
        }
        opts_get(machine_opts, "type");
        opts_get(machine_opts, "accel");
        opts_get(machine_opts, "kernel-irqchip");
        if (!opts_check_unused(machine_opts, &err)) {
            error_set_location("-machine %s", c->machine);
            error_exit(err);
        }
    }

    main_loop_init();
    memory_map_init();
    create_chardevs(c);
    if (!blockdev_init(&err)) {
        error_exit(err);
    }
    if (!net_init_clients(c->nodefaults, &err)) {
        error_exit(err);
    }
    vl_set_debugcon(c->debugcon);
    vl_set_qtest(c->qtest);
    accel_set_current(choose_accel(c, ms, machine_opts));

    if (current_accel()->init && !current_accel()->init(ms, &err)) {
        error_exit(err);
    }
    if (!mt->init(ms, &err)) {
        error_exit(err);
    }
    if (!net_init_nics(&err)) {
        error_exit(err);
    }
    if (!blockdev_init_devices(&err)) {
        error_exit(err);
    }
    for (unsigned i = 0; i < c->devices->len; i++) {
        const char *arg = g_ptr_array_index(c->devices, i);
        g_autoptr(Opts) o = NULL;

        error_set_location("-device %s", arg);
        o = opts_parse(arg, "driver", &err);
        if (!o || !qdev_device_add(o, &err)) {
            error_exit(err);
        }
    }
    error_clear_location();
    blockdev_check_unclaimed();
    net_check_clients();
    if (current_accel()->machine_done &&
        !current_accel()->machine_done(ms, &err)) {
        error_exit(err);
    }
    /* The window and the monitors, once the devices exist. */
    if (!display_init(ms->name, c->nographic, &err) ||
        !monitor_init_all(&err)) {
        error_exit(err);
    }

    g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGHUP, on_signal, GINT_TO_POINTER(SIGHUP));
    signal(SIGPIPE, SIG_IGN);

    system_reset(SHUTDOWN_CAUSE_NONE);
    cpus_start(ms);
    if (!ms->start_paused) {
        vm_start();
    }
    status = main_loop_run();

    cpus_stop_threads();
    display_cleanup();
    blockdev_close_all();
    chardev_cleanup_all();
    net_cleanup();
    fflush(stdout);
    fflush(log_file());
    return status;
}
