/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network options: hostfwd syntax, -netdev/-nic/-net recording and
 * back-end creation in-process (which back ends exist afterwards, the
 * default NIC's back end, warnings about unused ones), and the binary's
 * answers to help requests and bad options (one error line, status 1).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "exec/memory.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/qdev.h"
#include "hw/net/virtio-net.h"
#include "net/net.h"
#include "net/slirp.h"
#include "system/main-loop.h"
#include "system/netdev.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* ---- hostfwd ------------------------------------------------------------- */

#ifdef CONFIG_SLIRP
static void check_fwd(const char *spec, bool udp, const char *haddr,
                      int hport, const char *gaddr, int gport)
{
    struct in_addr def;
    NetHostFwd f;
    GError *err = NULL;
    char h[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

    inet_pton(AF_INET, "10.0.2.15", &def);
    g_assert_true(net_slirp_parse_hostfwd(spec, def, &f, &err));
    g_assert_no_error(err);
    g_assert_cmpint(f.udp, ==, udp);
    inet_ntop(AF_INET, &f.host_addr, h, sizeof(h));
    inet_ntop(AF_INET, &f.guest_addr, g, sizeof(g));
    g_assert_cmpstr(h, ==, haddr);
    g_assert_cmpint(f.host_port, ==, hport);
    g_assert_cmpstr(g, ==, gaddr);
    g_assert_cmpint(f.guest_port, ==, gport);
}

static void check_bad_fwd(const char *spec)
{
    struct in_addr def = { 0 };
    NetHostFwd f;
    GError *err = NULL;

    if (net_slirp_parse_hostfwd(spec, def, &f, &err)) {
        g_error("hostfwd '%s' was accepted", spec);
    }
    g_assert_nonnull(strstr(err->message, "invalid host forwarding rule"));
    g_error_free(err);
}

static void test_hostfwd_syntax(void)
{
    check_fwd("tcp::2222-:22", false, "0.0.0.0", 2222, "10.0.2.15", 22);
    check_fwd("::2222-:22", false, "0.0.0.0", 2222, "10.0.2.15", 22);
    check_fwd("udp:127.0.0.1:5353-10.0.2.20:53", true, "127.0.0.1", 5353,
              "10.0.2.20", 53);
    check_fwd("tcp:127.0.0.1:0-:80", false, "127.0.0.1", 0, "10.0.2.15",
              80);
    check_fwd("tcp::65535-:65535", false, "0.0.0.0", 65535, "10.0.2.15",
              65535);

    check_bad_fwd("");
    check_bad_fwd("tcp");
    check_bad_fwd("tcp::2222");
    check_bad_fwd("tcp::2222-:");
    check_bad_fwd("tcp::2222-22");
    check_bad_fwd("sctp::2222-:22");
    check_bad_fwd("tcp::65536-:22");
    check_bad_fwd("tcp::2222-:0");
    check_bad_fwd("tcp::-1-:22");
    check_bad_fwd("tcp::22x-:22");
    check_bad_fwd("tcp:1.2.3:2222-:22");
    check_bad_fwd("tcp::2222-10.0.2:22");
    check_bad_fwd("tcp::2222-:22:33");
}
#endif

/* ---- in-process: what gets created --------------------------------------- */

static void reset_all(void)
{
    net_cleanup();
    net_options_reset();
}

static bool init_with(const char *const *netdevs, const char *const *nics,
                      const char *const *nets, bool nodefaults,
                      GError **errp)
{
    for (; netdevs && *netdevs; netdevs++) {
        g_assert_true(net_opt_netdev(*netdevs, NULL));
    }
    for (; nics && *nics; nics++) {
        g_assert_true(net_opt_nic(*nics, NULL));
    }
    for (; nets && *nets; nets++) {
        g_assert_true(net_opt_net(*nets, NULL));
    }
    return net_init_clients(nodefaults, errp);
}

#ifdef CONFIG_SLIRP
static void test_netdevs_created(void)
{
    const char *const nd[] = { "user,id=n0", "user,id=n1,restrict=on",
                               NULL };
    GError *err = NULL;
    NetClientState *n0, *n1;

    g_assert_true(init_with(nd, NULL, NULL, false, &err));
    g_assert_no_error(err);
    n0 = net_find_netdev("n0");
    n1 = net_find_netdev("n1");
    g_assert_nonnull(n0);
    g_assert_nonnull(n1);
    g_assert_cmpint(n0->info->type, ==, NET_CLIENT_DRIVER_USER);
    g_assert_true(n0->is_netdev);
    g_assert_nonnull(strstr(n1->info_str, "restrict=on"));
    /* -netdev given: no default back end. */
    g_assert_null(net_find_netdev("user.0"));
    reset_all();
}

static void test_nic_shorthand(void)
{
    const char *const nic[] = { "user,model=virtio-net-pci,mac=52:54:00:"
                                "aa:bb:cc,hostfwd=tcp:127.0.0.1:0-:22",
                                "user,id=mine", NULL };
    GError *err = NULL;

    g_assert_true(init_with(NULL, nic, NULL, false, &err));
    g_assert_no_error(err);
    /* Each -nic made its back end: generated id, or the one given. */
    g_assert_nonnull(net_find_netdev("__nic0"));
    g_assert_nonnull(net_find_netdev("mine"));
    g_assert_null(net_find_netdev("user.0"));
    reset_all();
}

static void test_nic_bad_backend_option(void)
{
    const char *const nic[] = { "user,bogus=1", NULL };
    GError *err = NULL;

    g_assert_false(init_with(NULL, nic, NULL, false, &err));
    g_assert_nonnull(strstr(err->message, "Invalid parameter 'bogus'"));
    g_error_free(err);
    error_clear_location();
    reset_all();
}

static void test_net_legacy(void)
{
    const char *const nets[] = { "nic,model=virtio-net-pci", "user", NULL };
    const char *const two[] = { "user", "user", NULL };
    const char *const vlan[] = { "nic,vlan=1", NULL };
    GError *err = NULL;

    g_assert_true(init_with(NULL, NULL, nets, false, &err));
    g_assert_no_error(err);
    g_assert_nonnull(net_find_netdev("__net1"));
    reset_all();

    g_assert_false(init_with(NULL, NULL, two, false, &err));
    g_assert_nonnull(strstr(err->message, "only one -net back end"));
    g_clear_error(&err);
    reset_all();

    g_assert_false(init_with(NULL, NULL, vlan, false, &err));
    g_assert_nonnull(strstr(err->message, "vlan="));
    g_clear_error(&err);
    error_clear_location();
    reset_all();
}

/* The default NIC's back end exists only without any network option. */
static void test_default_backend(void)
{
    const char *const none[] = { "none", NULL };
    bool have_model = type_find(NET_DEFAULT_NIC_MODEL) != NULL;
    GError *err = NULL;

    g_assert_true(init_with(NULL, NULL, NULL, false, &err));
    g_assert_cmpint(net_find_netdev("user.0") != NULL, ==, have_model);
    reset_all();

    g_assert_true(init_with(NULL, NULL, NULL, true, &err));
    g_assert_null(net_find_netdev("user.0"));
    reset_all();

    g_assert_true(init_with(NULL, NULL, none, false, &err));
    g_assert_null(net_find_netdev("user.0"));
    reset_all();

    g_assert_true(init_with(NULL, none, NULL, false, &err));
    g_assert_null(net_find_netdev("user.0"));
    reset_all();
    g_assert_no_error(err);
}

static void find_nic(NetClientState *nc, void *opaque)
{
    NetClientState **out = opaque;

    if (nc->info->type == NET_CLIENT_DRIVER_NIC && !*out) {
        *out = nc;
    }
}

static void free_nic_device(DeviceState *dev, void *opaque)
{
    GPtrArray *list = opaque;

    if (qdev_is_a(dev, NET_DEFAULT_NIC_MODEL)) {
        g_ptr_array_add(list, dev);
    }
}

/* Remove every NIC device made by a test (their clients go with them). */
static void free_nics(void)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new();

    qdev_foreach(free_nic_device, list);
    for (unsigned i = 0; i < list->len; i++) {
        qdev_free(g_ptr_array_index(list, i));
    }
}

/*
 * The default NIC on a PCI bus: virtio-net-pci, the first MAC of the
 * pool, on user networking; and the NIC of a -nic with its options.
 */
static void test_default_nic(void)
{
    const char *const nic[] = { "user,mac=52:54:00:aa:bb:cc", NULL };
    NetClientState *n = NULL;
    GError *err = NULL;

    if (!type_find(NET_DEFAULT_NIC_MODEL)) {
        g_test_skip("no " NET_DEFAULT_NIC_MODEL " in this build");
        return;
    }
    g_assert_true(init_with(NULL, NULL, NULL, false, &err));
    g_assert_true(net_init_nics(&err));
    g_assert_no_error(err);
    net_client_foreach(find_nic, &n);
    g_assert_nonnull(n);
    g_assert_cmpstr(n->model, ==, NET_DEFAULT_NIC_MODEL);
    g_assert_nonnull(n->peer);
    g_assert_cmpstr(n->peer->name, ==, "user.0");
    g_assert_nonnull(strstr(n->info_str, "macaddr=52:54:00:12:34:56"));
    free_nics();
    reset_all();

    n = NULL;
    g_assert_true(init_with(NULL, nic, NULL, false, &err));
    g_assert_true(net_init_nics(&err));
    g_assert_no_error(err);
    net_client_foreach(find_nic, &n);
    g_assert_nonnull(n);
    g_assert_cmpstr(n->peer->name, ==, "__nic0");
    g_assert_nonnull(strstr(n->info_str, "macaddr=52:54:00:aa:bb:cc"));
    free_nics();
    reset_all();

    /* -nodefaults: no NIC at all. */
    n = NULL;
    g_assert_true(init_with(NULL, NULL, NULL, true, &err));
    g_assert_true(net_init_nics(&err));
    net_client_foreach(find_nic, &n);
    g_assert_null(n);
    reset_all();
}

static void find_nic_device(DeviceState *dev, void *opaque)
{
    DeviceState **out = opaque;

    if (qdev_is_a(dev, TYPE_VIRTIO_NET_PCI) && !*out) {
        *out = dev;
    }
}

/*
 * What a monitor's "info network" and "set_link" would show and do: the
 * NIC and its back end listed, and the link state reaching the
 * device's config space (VIRTIO_NET_S_LINK_UP) both ways.
 */
static void test_info_and_link(void)
{
    const char *const nd[] = { "user,id=n0", "user,id=spare", NULL };
    g_autoptr(GString) info = g_string_new(NULL);
    DeviceState *dev = NULL;
    VirtIODevice *vdev;
    GError *err = NULL;
    g_autoptr(Opts) o = opts_parse("virtio-net-pci,netdev=n0,id=nic0",
                                   "driver", NULL);

    if (!type_find(TYPE_VIRTIO_NET_PCI)) {
        g_test_skip("no virtio-net-pci in this build");
        return;
    }
    g_assert_true(init_with(nd, NULL, NULL, true, &err));
    g_assert_nonnull(qdev_device_add(o, &err));
    g_assert_no_error(err);
    qdev_foreach(find_nic_device, &dev);
    g_assert_nonnull(dev);
    vdev = VIRTIO_PCI(dev)->vdev;

    net_info(info);
    g_assert_nonnull(strstr(info->str, "nic0: type=nic,model=virtio-net-pci,"
                                       "macaddr=52:54:00:12:34:56\n"
                                       " \\ n0: type=user,net=10.0.2.0/24"));
    g_assert_nonnull(strstr(info->str, "\nspare: type=user"));

    g_assert_cmphex(virtio_config_read(vdev, VIRTIO_NET_CFG_STATUS, 2), ==,
                    VIRTIO_NET_S_LINK_UP);
    g_assert_true(net_set_link_by_name("n0", false, &err));
    g_assert_cmphex(virtio_config_read(vdev, VIRTIO_NET_CFG_STATUS, 2), ==,
                    0);
    g_string_truncate(info, 0);
    net_info(info);
    g_assert_nonnull(strstr(info->str, "(link down)"));
    g_assert_true(net_set_link_by_name("nic0", true, &err));
    g_assert_cmphex(virtio_config_read(vdev, VIRTIO_NET_CFG_STATUS, 2), ==,
                    VIRTIO_NET_S_LINK_UP);
    g_assert_false(net_set_link_by_name("nope", true, &err));
    g_assert_nonnull(strstr(err->message, "'nope' not found"));
    g_clear_error(&err);
    qdev_free(dev);
    reset_all();
}

/* A back end nobody uses is a warning, not an error. */
static void test_unused_warning(void)
{
    if (g_test_subprocess()) {
        const char *const nd[] = { "user,id=lonely", NULL };
        GError *err = NULL;

        g_assert_true(init_with(nd, NULL, NULL, false, &err));
        net_check_clients();
        reset_all();
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*warning: netdev lonely has no peer*");
}
#endif

/* ---- the binary ---------------------------------------------------------- */

typedef struct Run {
    int status;
    char *out;
    char *err;
} Run;

static Run run(const char *prefix, const char *args)
{
    g_autofree char *cmd = g_strdup_printf("%s %s %s", prefix ? prefix : "",
                                           g_getenv("EMBER_SYSTEM") ?:
                                           "build/ember-system-x86_64",
                                           args);
    g_auto(GStrv) argv = NULL;
    GError *e = NULL;
    Run r = { 0 };
    int st;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &e));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, &r.out, &r.err, &st, &e));
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

static void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

static void assert_error_line(const char *prefix, const char *args,
                              const char *needle)
{
    Run r = run(prefix, args);
    const char *nl = strchr(r.err, '\n');

    if (r.status != 1 || !nl || nl[1] || !strstr(r.err, needle) ||
        !g_str_has_prefix(r.err, "ember-system-x86_64: ")) {
        g_error("'%s': status %d, stderr '%s', wanted one line with '%s'",
                args, r.status, r.err, needle);
    }
    run_free(&r);
}

static void test_help(void)
{
    Run r = run(NULL, "-netdev help");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "Available netdev backend types"));
    g_assert_nonnull(strstr(r.out, "\ntap "));
#ifdef CONFIG_SLIRP
    g_assert_nonnull(strstr(r.out, "\nuser "));
#endif
    run_free(&r);

    r = run(NULL, "-netdev tap,help");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "vnet_hdr=on|off"));
    run_free(&r);

    r = run(NULL, "-nic model=help");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "Available NIC models"));
    run_free(&r);
}

static void test_bad_options(void)
{
    assert_error_line(NULL, "-accel qtest -netdev user",
                      "-netdev user: Parameter 'id' is missing");
    assert_error_line(NULL, "-accel qtest -netdev nope,id=x",
                      "'nope' is not one (try -netdev help)");
    assert_error_line(NULL, "-accel qtest -netdev tap,id=1x",
                      "expects an identifier");
    assert_error_line(NULL, "-accel qtest -netdev tap,id=t0,"
                      "ifname=aninterfacenamewaytoolong", "at most 15");
    assert_error_line(NULL, "-accel qtest -netdev tap,id=t0,vhost=on",
                      "vhost= is not supported");
    assert_error_line(NULL, "-accel qtest -netdev tap,id=t0,queues=4",
                      "multiqueue");
    assert_error_line(NULL, "-accel qtest -nic nope", "'nope' is not one");
    assert_error_line(NULL, "-accel qtest -nic none,model=x",
                      "'none' takes no options");
    assert_error_line(NULL, "-accel qtest -net nic,vlan=2", "vlan=");
#ifdef CONFIG_SLIRP
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0 "
                      "-netdev user,id=n0", "Duplicate ID 'n0' for netdev");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "hostfwd=tcp::99999-:22",
                      "invalid host forwarding rule 'tcp::99999-:22'");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,bogus=1",
                      "Invalid parameter 'bogus'");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "net=10.0.2.0/33", "prefix length");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "net=10.0.2.0/255.0.255.0", "not contiguous");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "dns=10.0.3.3", "dns=10.0.3.3 is not in the guest");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "host=10.0.2.255", "broadcast");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "dhcpstart=10.0.2.2", "dhcpstart= must differ");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "ipv4=off,ipv6=off", "cannot both be disabled");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,"
                      "restrict=maybe", "restrict");
    assert_error_line(NULL, "-accel qtest -netdev user,id=n0,smb=/tmp",
                      "smb= is not supported");
    assert_error_line(NULL, "-accel qtest -nic user,model=isa-serial",
                      "'isa-serial' is not a NIC model");
    assert_error_line(NULL, "-accel qtest -net user -net user",
                      "only one -net back end");
#endif
}

#ifdef CONFIG_SLIRP
/* A host port that is taken: the forwarding rule cannot be set up. */
static void test_hostfwd_port_taken(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_autofree char *args = NULL;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
    args = g_strdup_printf("-accel qtest -netdev user,id=n0,hostfwd=tcp:"
                           "127.0.0.1:%d-:22", ntohs(a.sin_port));
    assert_error_line(NULL, args, "could not set up host forwarding rule");
    close(fd);
}
#endif

/* Without CAP_NET_ADMIN, TUNSETIFF fails: QEMU's wording of it. */
static void test_tap_no_permission(void)
{
    g_autofree char *setpriv = g_find_program_in_path("setpriv");

    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) || !setpriv) {
        g_test_skip("needs root, /dev/net/tun and setpriv");
        return;
    }
    assert_error_line("setpriv --inh-caps=-net_admin "
                      "--bounding-set=-net_admin",
                      "-accel qtest -netdev tap,id=t0,ifname=tap0,script=no",
                      "could not configure /dev/net/tun (tap0): Operation "
                      "not permitted");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    /* A PCI bus for the NICs, as the PC machine has. */
    memory_map_init();
    qdev_realize_or_die(qdev_new(TYPE_I440FX_PCI_HOST), NULL);
#ifdef CONFIG_SLIRP
    g_test_add_func("/net/options/hostfwd-syntax", test_hostfwd_syntax);
    g_test_add_func("/net/options/netdevs", test_netdevs_created);
    g_test_add_func("/net/options/nic-shorthand", test_nic_shorthand);
    g_test_add_func("/net/options/nic-bad-option",
                    test_nic_bad_backend_option);
    g_test_add_func("/net/options/net-legacy", test_net_legacy);
    g_test_add_func("/net/options/default-backend", test_default_backend);
    g_test_add_func("/net/options/unused-warning", test_unused_warning);
    g_test_add_func("/net/options/default-nic", test_default_nic);
    g_test_add_func("/net/options/info-and-link", test_info_and_link);
    g_test_add_func("/net/options/hostfwd-port-taken",
                    test_hostfwd_port_taken);
#endif
    g_test_add_func("/net/options/help", test_help);
    g_test_add_func("/net/options/bad", test_bad_options);
    g_test_add_func("/net/options/tap-no-permission", test_tap_no_permission);
    return g_test_run();
}
