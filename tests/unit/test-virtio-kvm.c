/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio under KVM, where /dev/kvm opens: the eventfd helpers of
 * accel/kvm/kvm-eventfd.c against the real kernel (MSI routes kept
 * beside the PC's pin routes, irqfd and ioeventfd assignment), and a
 * virtio-blk-pci on a PCI bus of its own driven by a real vCPU: its
 * notification write is caught by the ioeventfd (no MMIO exit), the main
 * loop serves the queue, and the completion's MSI-X message arrives in
 * the vCPU's local APIC through an irqfd. BAR moves and decoding follow
 * the ioeventfd; a reset drops routes and eventfds.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "accel/kvm/kvm-int.h"
#include "block/block-backend.h"
#include "exec/memory.h"
#include "hw/block/virtio-blk.h"
#include "hw/boards.h"
#include "hw/i386/x86.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/msix.h"
#include "system/accel.h"
#include "system/blockdev.h"
#include "system/kvm.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>

#define BAR4        0xe0000000ULL
#define BAR4_MOVED  0xe0100000ULL
#define BAR1        0xe0200000ULL
#define STOP_PORT   0x1234
#define CODE        0x1000
#define DESC        0x10000
#define AVAIL       0x11000
#define USED        0x12000
#define HDR         0x13000
#define STATUS      0x13100
#define MSI_VECTOR  0x45

static MachineState *machine;
static CPUState *cpu;
static char *disk;

static bool have_kvm(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static bool kvm_up(void)
{
    const AccelOps *ops = accel_find("kvm");
    GError *err = NULL;

    if (machine) {
        return true;
    }
    if (!have_kvm()) {
        return false;
    }
    machine = g_new0(MachineState, 1);
    machine->smp_cpus = 1;
    machine->kernel_irqchip = true;
    accel_set_chosen_explicitly(true);
    g_assert_true(ops->available(&err));
    g_assert_true(ops->init(machine, &err));
    g_assert_no_error(err);
    g_assert_true(ops->machine_done(machine, &err));
    g_assert_no_error(err);
    accel_set_current(ops);
    return true;
}

/* ---- the helpers --------------------------------------------------------- */

static const struct kvm_irq_routing_entry *route_of(int gsi)
{
    for (unsigned i = 0; i < kvm_state->nr_routes; i++) {
        if (kvm_state->routes->entries[i].gsi == (uint32_t)gsi) {
            return &kvm_state->routes->entries[i];
        }
    }
    return NULL;
}

static void test_helpers(void)
{
    enum { N = 300 };
    int gsi[N];
    unsigned nr0;
    struct kvm_irq_routing_entry *pins;
    int fd, r;

    if (!kvm_up()) {
        g_test_skip("/dev/kvm does not open");
        return;
    }
    g_assert_true(kvm_ioeventfds_enabled());
    if (!kvm_irqfds_enabled()) {
        g_test_skip("no irqfd with KVM_CAP_SIGNAL_MSI here");
        return;
    }
    nr0 = kvm_state->nr_routes;
    pins = g_memdup2(kvm_state->routes->entries, nr0 * sizeof(*pins));

    /* More routes than the table first had room for: it grows. */
    for (int i = 0; i < N; i++) {
        gsi[i] = kvm_irqchip_add_msi_route(0xfee00000, 0x40 + i);
        g_assert_cmpint(gsi[i], >=, 1024);
        for (int j = 0; j < i; j++) {
            g_assert_cmpint(gsi[i], !=, gsi[j]);
        }
    }
    g_assert_cmpuint(kvm_state->nr_routes, ==, nr0 + N);
    g_assert_cmpuint(route_of(gsi[7])->type, ==, KVM_IRQ_ROUTING_MSI);
    g_assert_cmphex(route_of(gsi[7])->u.msi.data, ==, 0x47);
    g_assert_cmpint(kvm_irqchip_update_msi_route(gsi[7], 0xfee01000, 0x99),
                    ==, 0);
    g_assert_cmphex(route_of(gsi[7])->u.msi.data, ==, 0x99);
    g_assert_cmphex(route_of(gsi[7])->u.msi.address_lo, ==, 0xfee01000);
    /* Only our own GSIs can be changed or dropped. */
    g_assert_cmpint(kvm_irqchip_update_msi_route(5, 0xfee00000, 1), ==,
                    -EINVAL);
    kvm_irqchip_release_msi_route(5);
    kvm_irqchip_release_msi_route(4000);

    /* irqfd: bind, a second bind is refused, unbind. */
    fd = eventfd(0, EFD_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(kvm_irqchip_set_irqfd(fd, gsi[0], true), ==, 0);
    r = kvm_irqchip_set_irqfd(fd, gsi[0], true);
    g_assert_cmpint(r, <, 0);
    g_assert_cmpint(kvm_irqchip_set_irqfd(fd, gsi[0], false), ==, 0);

    /* ioeventfd: assign, the same again is refused, deassign. */
    g_assert_cmpint(kvm_set_ioeventfd_mmio(fd, 0xe0003000, 2, true), ==, 0);
    g_assert_cmpint(kvm_set_ioeventfd_mmio(fd, 0xe0003000, 2, true), <, 0);
    g_assert_cmpint(kvm_set_ioeventfd_mmio(fd, 0xe0003000, 2, false), ==, 0);
    g_assert_cmpint(kvm_set_ioeventfd_mmio(fd, 0xe0003000, 2, false), <, 0);
    close(fd);

    for (int i = 0; i < N; i++) {
        kvm_irqchip_release_msi_route(gsi[i]);
        g_assert_null(route_of(gsi[i]));
    }
    /* The PC's pin routes are all still there, unchanged. */
    g_assert_cmpuint(kvm_state->nr_routes, ==, nr0);
    for (unsigned i = 0; i < nr0; i++) {
        const struct kvm_irq_routing_entry *e = route_of(pins[i].gsi);
        bool found = false;

        g_assert_nonnull(e);
        for (unsigned k = 0; k < nr0; k++) {
            found |= !memcmp(&kvm_state->routes->entries[k], &pins[i],
                             sizeof(pins[i]));
        }
        g_assert_true(found);
    }
    /* A machine reset keeps them too (kvm-irq.c rebuilds only its own). */
    gsi[0] = kvm_irqchip_add_msi_route(0xfee00000, 0x40);
    kvm_irqchip_reset(kvm_state);
    g_assert_nonnull(route_of(gsi[0]));
    kvm_irqchip_release_msi_route(gsi[0]);
    g_free(pins);
}

/* ---- a virtio-blk-pci under a real vCPU ---------------------------------- */

static int stop_count;

static uint64_t stop_read(void *opaque, hwaddr off, unsigned size)
{
    return 0;
}

static void stop_write(void *opaque, hwaddr off, uint64_t v, unsigned size)
{
    stop_count++;
    cpu->stop = true;               /* vcpu_exec returns */
}

static const MemoryRegionOps stop_ops = {
    .read = stop_read,
    .write = stop_write,
};

static void flat_seg(CPUX86State *env, int seg, bool code)
{
    cpu_x86_load_seg_cache(env, seg, code ? 0x08 : 0x10, 0, 0xffffffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_A_MASK |
                           DESC_G_MASK | DESC_B_MASK |
                           (code ? DESC_CS_MASK | DESC_R_MASK
                                 : DESC_W_MASK));
}

/*
 * Run "mov word [addr], 0; out STOP_PORT, al; jmp $" in flat 32-bit
 * protected mode (SDM 3A, 9.9) until the OUT.
 */
static void vcpu_write16(uint8_t *ram, uint32_t addr)
{
    const AccelOps *ops = current_accel();
    CPUX86State *env = cpu_env(cpu);
    uint8_t code[] = {
        0x66, 0xc7, 0x05, 0, 0, 0, 0, 0, 0,     /* mov word [addr], 0 */
        0x66, 0xba, STOP_PORT & 0xff, STOP_PORT >> 8,   /* mov dx, port */
        0xee,                                   /* out dx, al */
        0xeb, 0xfe,                             /* jmp $ */
    };
    int before = stop_count;

    stl_le_p(code + 3, addr);
    memcpy(ram + CODE, code, sizeof(code));
    env->cr[0] = CR0_PE_MASK | CR0_ET_MASK;
    for (int i = 0; i < 6; i++) {
        flat_seg(env, i, i == R_CS);
    }
    env->rip = CODE;
    cpu_load_eflags(env, 0x2, ~0ULL);
    cpu->vcpu_dirty = true;
    cpu->stop = false;
    g_assert_cmpint(ops->vcpu_exec(cpu), ==, VCPU_EXIT_KICKED);
    g_assert_cmpint(stop_count, ==, before + 1);
}

static void cfgw(PCIDevice *d, uint32_t off, uint32_t v, unsigned len)
{
    pci_config_write(d, off, v, len);
}

static uint64_t common(uint32_t off)
{
    return BAR4 + VIRTIO_PCI_COMMON_OFFSET + off;
}

static bool eventfd_readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    return poll(&p, 1, 0) == 1;
}

/* Run the main loop's sources (eventfd reads, block completions) until
 * the used index moves. */
static void wait_used(uint16_t want)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    while (address_space_lduw(&address_space_memory, USED + 2) != want) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, FALSE);
        blk_poll_completions();
        g_usleep(100);
    }
}

/* Is vector set in the local APIC's IRR (the kernel's LAPIC page)? */
static bool lapic_irr(uint8_t vector)
{
    struct kvm_lapic_state st;

    g_assert_cmpint(kvm_vcpu_ioctl(cpu, KVM_GET_LAPIC, &st), ==, 0);
    return ldl_le_p(st.regs + 0x200 + (vector / 32) * 0x10) &
           (1u << (vector % 32));
}

static void test_virtio_blk(void)
{
    const AccelOps *ops;
    MemoryRegion *ram, *stop;
    DeviceState *host, *dev;
    PCIBus *bus;
    PCIDevice *d;
    VirtIOPCIProxy *p;
    VirtQueue *vq;
    GError *err = NULL;
    struct kvm_lapic_state st;
    uint8_t *mem;
    uint8_t hdr[16] = { VIRTIO_BLK_T_FLUSH };
    g_autofree char *drive_spec = NULL;
    gint64 deadline;

    if (!kvm_up()) {
        g_test_skip("/dev/kvm does not open");
        return;
    }
    if (!kvm_irqfds_enabled()) {
        g_test_skip("no irqfd with KVM_CAP_SIGNAL_MSI here");
        return;
    }
    ops = current_accel();
    bql_lock();
    ram = g_new0(MemoryRegion, 1);
    g_assert_true(memory_region_init_ram(ram, NULL, "t.ram", 2 * MiB, NULL));
    memory_region_add_subregion(get_system_memory(), 0, ram);
    mem = memory_region_get_ram_ptr(ram);
    stop = g_new0(MemoryRegion, 1);
    memory_region_init_io(stop, NULL, &stop_ops, NULL, "t.stop", 1);
    memory_region_add_subregion(get_system_io(), STOP_PORT, stop);

    host = qdev_new(TYPE_I440FX_PCI_HOST);
    qdev_realize_or_die(host, NULL);
    bus = i440fx_host_bus(host);
    drive_spec = g_strdup_printf("if=none,id=kd0,format=raw,file=%s", disk);
    g_assert_nonnull(drive_new(drive_spec, &err));
    g_assert_no_error(err);
    dev = qdev_new(TYPE_VIRTIO_BLK_PCI);
    g_assert_true(qdev_prop_parse(dev, "drive", "kd0", &err));
    g_assert_true(qdev_prop_parse(dev, "addr", "3", &err));
    g_assert_true(qdev_realize(dev, &bus->qbus, &err));
    g_assert_no_error(err);
    d = PCI_DEVICE(dev);
    p = VIRTIO_PCI(dev);
    vq = &p->vdev->vq[0];
    g_assert_true(p->listener_registered);

    /* Firmware's job: BARs, decoding, bus mastering. */
    cfgw(d, PCI_BASE_ADDRESS_0 + 4 * 4, (uint32_t)BAR4, 4);
    cfgw(d, PCI_BASE_ADDRESS_0 + 4 * 5, BAR4 >> 32, 4);
    cfgw(d, PCI_BASE_ADDRESS_0 + 4 * 1, (uint32_t)BAR1, 4);
    cfgw(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 4), ==, BAR4);

    /* MSI-X vector 0 to APIC ID 0, vector MSI_VECTOR, fixed, edge. */
    address_space_stl(&address_space_memory, BAR1, 0xfee00000);
    address_space_stl(&address_space_memory, BAR1 + 4, 0);
    address_space_stl(&address_space_memory, BAR1 + 8, MSI_VECTOR);
    address_space_stl(&address_space_memory, BAR1 + 12, 0);
    cfgw(d, d->msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_true(msix_enabled(d));

    /* The driver: features, queue 0 (size 16) in RAM, DRIVER_OK. */
    address_space_stb(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_STATUS), 3);
    address_space_stl(&address_space_memory, common(VIRTIO_PCI_COMMON_GFSELECT),
                      1);
    address_space_stl(&address_space_memory, common(VIRTIO_PCI_COMMON_GF), 1);
    address_space_stb(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_STATUS), 11);
    address_space_stw(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_Q_SELECT), 0);
    address_space_stw(&address_space_memory, common(VIRTIO_PCI_COMMON_Q_SIZE),
                      16);
    address_space_stw(&address_space_memory, common(VIRTIO_PCI_COMMON_Q_MSIX),
                      0);
    address_space_stl(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_Q_DESCLO), DESC);
    address_space_stl(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_Q_AVAILLO), AVAIL);
    address_space_stl(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_Q_USEDLO), USED);
    g_assert_cmphex(p->qfd[0].notify_addr, ==, HWADDR_MAX);
    address_space_stw(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_Q_ENABLE), 1);
    address_space_stb(&address_space_memory,
                      common(VIRTIO_PCI_COMMON_STATUS), 15);
    g_assert_true(vq->enabled);
    g_assert_true(virtio_driver_ok(p->vdev));

    /* Enabled: the notify address is an ioeventfd, and follows the BAR. */
    g_assert_cmphex(p->qfd[0].notify_addr, ==, BAR4 + 0x3000);
    g_assert_cmpint(p->qfd[0].notify_fd, >=, 0);
    cfgw(d, PCI_BASE_ADDRESS_0 + 4 * 4, (uint32_t)BAR4_MOVED, 4);
    g_assert_cmphex(p->qfd[0].notify_addr, ==, BAR4_MOVED + 0x3000);
    cfgw(d, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    g_assert_cmphex(p->qfd[0].notify_addr, ==, HWADDR_MAX);
    cfgw(d, PCI_BASE_ADDRESS_0 + 4 * 4, (uint32_t)BAR4, 4);
    cfgw(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    g_assert_cmphex(p->qfd[0].notify_addr, ==, BAR4 + 0x3000);

    /* A FLUSH request: header, status. */
    memcpy(mem + HDR, hdr, sizeof(hdr));
    mem[STATUS] = 0xff;
    stq_le_p(mem + DESC, HDR);
    stl_le_p(mem + DESC + 8, 16);
    stw_le_p(mem + DESC + 12, VRING_DESC_F_NEXT);
    stw_le_p(mem + DESC + 14, 1);
    stq_le_p(mem + DESC + 16, STATUS);
    stl_le_p(mem + DESC + 24, 1);
    stw_le_p(mem + DESC + 28, VRING_DESC_F_WRITE);
    stw_le_p(mem + AVAIL + 4, 0);
    stw_le_p(mem + AVAIL + 2, 1);

    /* The vCPU with its local APIC software-enabled (SVR bit 8). */
    cpu = x86_cpu_create(machine, 0, &err);
    g_assert_no_error(err);
    g_assert_true(ops->vcpu_init(cpu, &err));
    g_assert_no_error(err);
    vm_start();
    g_assert_cmpint(kvm_vcpu_ioctl(cpu, KVM_GET_LAPIC, &st), ==, 0);
    stl_le_p(st.regs + 0xf0, ldl_le_p(st.regs + 0xf0) | 0x1ff);
    g_assert_cmpint(kvm_vcpu_ioctl(cpu, KVM_SET_LAPIC, &st), ==, 0);
    g_assert_false(lapic_irr(MSI_VECTOR));

    /* The guest's notification: no exit to Ember, the eventfd fires. */
    vcpu_write16(mem, BAR4 + 0x3000);
    g_assert_cmpuint(vq->last_avail_idx, ==, 0);
    g_assert_true(eventfd_readable(p->qfd[0].notify_fd));
    /* The main loop reads it and serves the queue; the completion's
     * MSI-X message goes through an irqfd into the LAPIC. */
    wait_used(1);
    g_assert_cmpuint(mem[STATUS], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(p->vfd[0].fd, >=, 0);
    g_assert_cmpint(p->vfd[0].gsi, >=, 1024);
    g_assert_nonnull(route_of(p->vfd[0].gsi));
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!lapic_irr(MSI_VECTOR)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }

    /* The guest changes the message: the route follows. */
    address_space_stl(&address_space_memory, BAR1 + 8, MSI_VECTOR + 1);
    mem[STATUS] = 0xff;
    stw_le_p(mem + AVAIL + 4 + 2, 0);
    stw_le_p(mem + AVAIL + 2, 2);
    vcpu_write16(mem, BAR4 + 0x3000);
    wait_used(2);
    g_assert_cmphex(route_of(p->vfd[0].gsi)->u.msi.data, ==,
                    MSI_VECTOR + 1);

    /* A driver rewriting the message at every interrupt: after a bound,
     * that vector leaves the irqfd path (each rewrite costs the kernel an
     * RCU grace period). */
    for (uint16_t i = 2; p->vfd[0].fd >= 0; i++) {
        g_assert_cmpuint(i, <, 200);
        address_space_stl(&address_space_memory, BAR1 + 8,
                          MSI_VECTOR + (i & 1));
        stw_le_p(mem + AVAIL + 4 + 2 * (i % 16), 0);
        stw_le_p(mem + AVAIL + 2, i + 1);
        vcpu_write16(mem, BAR4 + 0x3000);
        wait_used(i + 1);
    }
    g_assert_cmpuint(p->vfd[0].updates, >, 60);

    /* A reset drops the irqfd's route and the ioeventfd. */
    {
        int gsi;

        address_space_stl(&address_space_memory, BAR1 + 8, MSI_VECTOR);
        address_space_stb(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_STATUS), 0);
        g_assert_cmpuint(p->vfd[0].updates, ==, 0);
        /* Up again for one request, so there is a route to drop. */
        address_space_stb(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_STATUS), 3);
        address_space_stl(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_GFSELECT), 1);
        address_space_stl(&address_space_memory, common(VIRTIO_PCI_COMMON_GF),
                          1);
        address_space_stb(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_STATUS), 11);
        address_space_stw(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_Q_SIZE), 16);
        address_space_stw(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_Q_MSIX), 0);
        address_space_stl(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_Q_DESCLO), DESC);
        address_space_stl(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_Q_AVAILLO), AVAIL);
        address_space_stl(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_Q_USEDLO), USED);
        memset(mem + AVAIL, 0, 0x2000);
        stw_le_p(mem + AVAIL + 2, 1);
        address_space_stw(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_Q_ENABLE), 1);
        address_space_stb(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_STATUS), 15);
        vcpu_write16(mem, BAR4 + 0x3000);
        wait_used(1);
        g_assert_cmpint(p->vfd[0].fd, >=, 0);
        gsi = p->vfd[0].gsi;

        address_space_stb(&address_space_memory,
                          common(VIRTIO_PCI_COMMON_STATUS), 0);
        g_assert_cmpint(p->vfd[0].fd, ==, -1);
        g_assert_null(route_of(gsi));
        g_assert_cmphex(p->qfd[0].notify_addr, ==, HWADDR_MAX);
    }
    /* Without the ioeventfd the write is an MMIO exit again; the
     * disabled queue ignores it. */
    vcpu_write16(mem, BAR4 + 0x3000);
    g_assert_false(eventfd_readable(p->qfd[0].notify_fd));
    bql_unlock();
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    memory_map_init();
    fd = g_file_open_tmp("virtio-kvm-XXXXXX.raw", &disk, &err);
    g_assert_no_error(err);
    g_assert_cmpint(ftruncate(fd, 1 * MiB), ==, 0);
    close(fd);
    g_test_add_func("/virtio-kvm/helpers", test_helpers);
    g_test_add_func("/virtio-kvm/virtio-blk", test_virtio_blk);
    ret = g_test_run();
    unlink(disk);
    g_free(disk);
    return ret;
}
