/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-tablet-pci, driven by libqvirtio: PCI identity, the virtio-input
 * configuration space (name, devids, event bits, axis ranges), events for
 * absolute motion, buttons and the wheel as the UI sends them (qtest
 * "input_abs"), events waiting for buffers and dropped whole when too
 * many wait, the status queue, a hostile event buffer, and reset.
 */
#include "libqvirtio.h"
#include "hw/input/virtio-input.h"
#include <linux/input.h>
#include <string.h>

#define NBUF 16

typedef struct Tablet {
    QTestState *s;
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *evt, *sts;
    uint64_t buf[VIRTQUEUE_MAX_SIZE];   /* buffer address by head */
} Tablet;

typedef struct Ev {
    uint16_t type, code;
    int32_t value;
} Ev;

static void tablet_start(Tablet *t, bool driver_ok)
{
    memset(t, 0, sizeof(*t));
    t->s = qtest_start("-device virtio-tablet-pci,addr=6");
    qguest_alloc_init(&t->a, 0x100000, 0x1000000);
    qvirtio_pci_init(&t->d, t->s, VIRTIO_ID_INPUT, -1);
    qvirtio_start(&t->d, 0);
    t->evt = qvirtqueue_setup(&t->d, &t->a, 0, 0, VIRTIO_NO_VECTOR);
    t->sts = qvirtqueue_setup(&t->d, &t->a, 1, 0, VIRTIO_NO_VECTOR);
    if (driver_ok) {
        qvirtio_driver_ok(&t->d);
    }
}

static void tablet_stop(Tablet *t)
{
    qvirtqueue_free(t->evt);
    qvirtqueue_free(t->sts);
    qtest_quit(t->s);
}

static void add_buffers(Tablet *t, int n, uint32_t len)
{
    for (int i = 0; i < n; i++) {
        QVirtBuf b = { qguest_alloc(t->s, &t->a, len, 8), len, true };
        uint16_t head = qvirtqueue_add_chain(t->evt, &b, 1);
        t->buf[head] = b.addr;
        qvirtqueue_make_available(t->evt, head);
    }
    qvirtqueue_notify(t->evt);
}

static Ev next_event(Tablet *t)
{
    uint32_t id, len;
    uint8_t raw[8];
    Ev ev;

    qvirtqueue_wait_used(t->evt, &id, &len);
    g_assert_cmpuint(len, ==, 8);
    qtest_memread(t->s, t->buf[id], raw, 8);
    ev.type = raw[0] | raw[1] << 8;
    ev.code = raw[2] | raw[3] << 8;
    ev.value = raw[4] | raw[5] << 8 | raw[6] << 16 | (uint32_t)raw[7] << 24;
    return ev;
}

static void expect(Tablet *t, uint16_t type, uint16_t code, int32_t value)
{
    Ev ev = next_event(t);

    g_assert_cmpuint(ev.type, ==, type);
    g_assert_cmpuint(ev.code, ==, code);
    g_assert_cmpint(ev.value, ==, value);
}

static bool input_abs(Tablet *t, int x, int y, int w, int h, unsigned b,
                      int dz)
{
    g_autofree char *r = qtest_command(t->s, "input_abs %d %d %d %d %u %d",
                                       x, y, w, h, b, dz);
    return !strcmp(r, "OK 1");
}

static void cfg_select(Tablet *t, uint8_t sel, uint8_t sub)
{
    qvirtio_config_writeb(&t->d, VIRTIO_INPUT_CFG_SELECT, sel);
    qvirtio_config_writeb(&t->d, VIRTIO_INPUT_CFG_SUBSEL, sub);
}

static bool cfg_bit(Tablet *t, unsigned bit)
{
    return qvirtio_config_readb(&t->d, VIRTIO_INPUT_CFG_U + bit / 8) &
           (1u << (bit % 8));
}

static void test_identity_config(void)
{
    Tablet t;
    char name[64] = "";
    uint8_t size;

    tablet_start(&t, false);
    g_assert_cmphex(qpci_config_readw(t.s, t.d.devfn, 0), ==, 0x1af4);
    g_assert_cmphex(qpci_config_readw(t.s, t.d.devfn, 2), ==,
                    0x1040 + VIRTIO_ID_INPUT);
    g_assert_cmphex(qpci_config_readw(t.s, t.d.devfn, 0x0a), ==, 0x0980);

    cfg_select(&t, VIRTIO_INPUT_CFG_ID_NAME, 0);
    size = qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE);
    g_assert_cmpuint(size, ==, strlen(VIRTIO_TABLET_NAME));
    for (int i = 0; i < size; i++) {
        name[i] = qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_U + i);
    }
    g_assert_cmpstr(name, ==, VIRTIO_TABLET_NAME);

    cfg_select(&t, VIRTIO_INPUT_CFG_ID_DEVIDS, 0);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), ==,
                     8);
    g_assert_cmphex(qvirtio_config_readw(&t.d, VIRTIO_INPUT_CFG_U), ==,
                    BUS_VIRTUAL);

    cfg_select(&t, VIRTIO_INPUT_CFG_EV_BITS, EV_ABS);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), >,
                     0);
    g_assert_true(cfg_bit(&t, ABS_X) && cfg_bit(&t, ABS_Y));
    g_assert_false(cfg_bit(&t, ABS_Z));
    cfg_select(&t, VIRTIO_INPUT_CFG_EV_BITS, EV_KEY);
    g_assert_true(cfg_bit(&t, BTN_LEFT) && cfg_bit(&t, BTN_RIGHT) &&
                  cfg_bit(&t, BTN_MIDDLE));
    g_assert_false(cfg_bit(&t, KEY_A));
    cfg_select(&t, VIRTIO_INPUT_CFG_EV_BITS, EV_REL);
    g_assert_true(cfg_bit(&t, REL_WHEEL));
    g_assert_false(cfg_bit(&t, REL_X));
    /* A tablet has no keys of the keyboard kind and no LEDs. */
    cfg_select(&t, VIRTIO_INPUT_CFG_EV_BITS, EV_LED);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), ==,
                     0);

    cfg_select(&t, VIRTIO_INPUT_CFG_ABS_INFO, ABS_Y);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), ==,
                     20);
    g_assert_cmpuint(qvirtio_config_readl(&t.d, VIRTIO_INPUT_CFG_U), ==, 0);
    g_assert_cmpuint(qvirtio_config_readl(&t.d, VIRTIO_INPUT_CFG_U + 4), ==,
                     VIRTIO_TABLET_ABS_MAX);
    cfg_select(&t, VIRTIO_INPUT_CFG_ABS_INFO, ABS_PRESSURE);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), ==,
                     0);
    cfg_select(&t, 0x77, 0x99);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), ==,
                     0);
    /* The driver cannot write the answer. */
    qvirtio_config_writeb(&t.d, VIRTIO_INPUT_CFG_SIZE, 0x55);
    g_assert_cmpuint(qvirtio_config_readb(&t.d, VIRTIO_INPUT_CFG_SIZE), ==,
                     0);
    tablet_stop(&t);
}

static void test_events(void)
{
    Tablet t;

    tablet_start(&t, false);
    /* Until DRIVER_OK the UI sees no absolute pointer. */
    g_assert_false(input_abs(&t, 1, 1, 10, 10, 0, 0));
    qvirtio_driver_ok(&t.d);
    add_buffers(&t, NBUF, 8);

    /* Position (100, 50) of a 200x100 window, left button down. */
    g_assert_true(input_abs(&t, 100, 50, 200, 100, 1, 0));
    expect(&t, EV_ABS, ABS_X, 100 * 0x7fff / 199);
    expect(&t, EV_ABS, ABS_Y, 50 * 0x7fff / 99);
    expect(&t, EV_KEY, BTN_LEFT, 1);
    expect(&t, EV_SYN, SYN_REPORT, 0);
    /* Same place, button up: no motion events. */
    input_abs(&t, 100, 50, 200, 100, 0, 0);
    expect(&t, EV_KEY, BTN_LEFT, 0);
    expect(&t, EV_SYN, SYN_REPORT, 0);
    /* The far corner is the axis maximum; the wheel counts away from
     * the user (dz 2 towards the user: -2). */
    input_abs(&t, 199, 99, 200, 100, 4, 2);
    expect(&t, EV_ABS, ABS_X, 0x7fff);
    expect(&t, EV_ABS, ABS_Y, 0x7fff);
    expect(&t, EV_KEY, BTN_MIDDLE, 1);
    expect(&t, EV_REL, REL_WHEEL, -2);
    expect(&t, EV_SYN, SYN_REPORT, 0);
    /* Outside the window: clamped. */
    input_abs(&t, -50, 5000, 200, 100, 4, 0);
    expect(&t, EV_ABS, ABS_X, 0);
    expect(&t, EV_ABS, ABS_Y, 0x7fff);
    expect(&t, EV_SYN, SYN_REPORT, 0);
    tablet_stop(&t);
}

static void test_waiting_and_overflow(void)
{
    Tablet t;
    Ev ev;

    tablet_start(&t, true);
    /* No buffers yet: the report waits, then arrives whole. */
    input_abs(&t, 10, 20, 100, 100, 0, 0);
    g_assert_cmpuint(qvirtqueue_used_idx(t.evt), ==, 0);
    add_buffers(&t, 3, 8);
    expect(&t, EV_ABS, ABS_X, 10 * 0x7fff / 99);
    expect(&t, EV_ABS, ABS_Y, 20 * 0x7fff / 99);
    expect(&t, EV_SYN, SYN_REPORT, 0);

    /* Far more reports (both axes when one moves, and SYN) than are
     * kept: the oldest go, whole, so the first one delivered is a
     * complete late one. */
    for (int i = 0; i < 300; i++) {
        input_abs(&t, i % 100, 20, 100, 100, 0, 0);
    }
    add_buffers(&t, 60, 8);
    for (int g = 0; g < 2; g++) {
        ev = next_event(&t);
        g_assert_cmpuint(ev.type, ==, EV_ABS);
        g_assert_cmpuint(ev.code, ==, ABS_X);
        g_assert_cmpint(ev.value, !=, 0);   /* not the first report */
        expect(&t, EV_ABS, ABS_Y, 20 * 0x7fff / 99);
        expect(&t, EV_SYN, SYN_REPORT, 0);
    }
    tablet_stop(&t);
}

static void test_status_queue_and_hostile(void)
{
    Tablet t;
    QVirtBuf b;
    uint16_t head;
    uint32_t id, len;

    tablet_start(&t, true);
    /* A LED event from the driver is taken and returned. */
    b = (QVirtBuf){ qguest_alloc(t.s, &t.a, 8, 8), 8, false };
    qtest_memwrite(t.s, b.addr, "\x11\x00\x01\x00\x01\x00\x00\x00", 8);
    head = qvirtqueue_add_chain(t.sts, &b, 1);
    qvirtqueue_kick(t.sts, head);
    qvirtqueue_wait_used(t.sts, &id, &len);
    g_assert_cmpuint(id, ==, head);
    g_assert_cmpuint(len, ==, 0);

    /* An event buffer too small for an event: the device needs a
     * reset, and says so; nothing is written. */
    add_buffers(&t, 1, 4);
    input_abs(&t, 3, 3, 10, 10, 0, 0);
    g_assert_cmphex(qvirtio_get_status(&t.d) & VIRTIO_CONFIG_S_NEEDS_RESET,
                    ==, VIRTIO_CONFIG_S_NEEDS_RESET);
    /* A reset takes the pointer away until the driver is back. */
    qvirtio_reset(&t.d);
    g_assert_false(input_abs(&t, 1, 1, 10, 10, 0, 0));
    tablet_stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-tablet/identity-config", test_identity_config);
    g_test_add_func("/virtio-tablet/events", test_events);
    g_test_add_func("/virtio-tablet/waiting-overflow",
                    test_waiting_and_overflow);
    g_test_add_func("/virtio-tablet/status-queue-hostile",
                    test_status_queue_and_hostile);
    return g_test_run();
}
