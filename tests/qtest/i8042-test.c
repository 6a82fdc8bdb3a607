/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i8042 keyboard controller (ports 0x60/0x64) with its PS/2
 * keyboard and mouse: controller commands as Linux's i8042 driver issues
 * them, the keyboard's replies with and without set 2 -> set 1
 * translation, the mouse behind 0xD4, A20 through the output port, the
 * reset line, and IRQ 1 / IRQ 12.
 */
#include "libqtest.h"

#define DATA 0x60
#define CMD 0x64
#define ST_OBF 0x01
#define ST_AUX 0x20

static uint8_t kbc_status(QTestState *s)
{
    return qtest_inb(s, CMD);
}

/* The next byte; it must be there, from the keyboard side. */
static uint8_t kbc_read(QTestState *s)
{
    g_assert_cmphex(kbc_status(s) & (ST_OBF | ST_AUX), ==, ST_OBF);
    return qtest_inb(s, DATA);
}

static uint8_t kbc_read_aux(QTestState *s)
{
    g_assert_cmphex(kbc_status(s) & (ST_OBF | ST_AUX), ==, ST_OBF | ST_AUX);
    return qtest_inb(s, DATA);
}

static void kbc_empty(QTestState *s)
{
    g_assert_cmphex(kbc_status(s) & ST_OBF, ==, 0);
}

static uint8_t kbc_command(QTestState *s, uint8_t cmd)
{
    qtest_outb(s, CMD, cmd);
    return kbc_read(s);
}

static void kbc_set_ctr(QTestState *s, uint8_t ctr)
{
    qtest_outb(s, CMD, 0x60);
    qtest_outb(s, DATA, ctr);
}

static void mouse_send(QTestState *s, uint8_t b)
{
    qtest_outb(s, CMD, 0xd4);
    qtest_outb(s, DATA, b);
}

static void test_self_test(void)
{
    QTestState *s = qtest_start(NULL);

    /* System flag set (POST passed), keyboard not inhibited. */
    g_assert_cmphex(kbc_status(s), ==, 0x14);
    qtest_outb(s, CMD, 0xaa);
    /* OBF, and bit 3: the last write went to the command port. */
    g_assert_cmphex(kbc_status(s), ==, 0x1d);
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0x55);
    kbc_empty(s);
    g_assert_cmphex(kbc_command(s, 0xab), ==, 0x00);    /* kbd iface */
    g_assert_cmphex(kbc_command(s, 0xa9), ==, 0x00);    /* aux iface */
    g_assert_cmphex(kbc_command(s, 0xa4), ==, 0xf1);    /* no password */
    g_assert_cmphex(kbc_command(s, 0xe0), ==, 0x00);
    qtest_quit(s);
}

static void test_command_byte(void)
{
    QTestState *s = qtest_start(NULL);

    /* As a BIOS leaves it: XLATE, aux off, SYS, keyboard IRQ. */
    g_assert_cmphex(kbc_command(s, 0x20), ==, 0x65);
    kbc_set_ctr(s, 0x47);
    g_assert_cmphex(kbc_command(s, 0x20), ==, 0x47);
    /* Other controller RAM bytes. */
    qtest_outb(s, CMD, 0x61);
    qtest_outb(s, DATA, 0xab);
    g_assert_cmphex(kbc_command(s, 0x21), ==, 0xab);
    /* Port disable/enable commands flip bits 4 and 5. */
    qtest_outb(s, CMD, 0xa8);
    qtest_outb(s, CMD, 0xad);
    g_assert_cmphex(kbc_command(s, 0x20), ==, 0x57);
    qtest_outb(s, CMD, 0xa7);
    qtest_outb(s, CMD, 0xae);
    g_assert_cmphex(kbc_command(s, 0x20), ==, 0x67);
    /* A controller reset restores the power-on state. */
    g_free(qtest_command(s, "system_reset"));
    g_assert_cmphex(kbc_command(s, 0x20), ==, 0x65);
    qtest_quit(s);
}

static void test_keyboard_reset_and_id(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_outb(s, DATA, 0xff);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    g_assert_cmphex(kbc_read(s), ==, 0xaa);
    kbc_empty(s);
    /* Identify: 0xAB 0x83, which translation turns into 0xAB 0x41. */
    qtest_outb(s, DATA, 0xf2);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    g_assert_cmphex(kbc_read(s), ==, 0xab);
    g_assert_cmphex(kbc_read(s), ==, 0x41);
    kbc_set_ctr(s, 0x25);
    qtest_outb(s, DATA, 0xf2);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    g_assert_cmphex(kbc_read(s), ==, 0xab);
    g_assert_cmphex(kbc_read(s), ==, 0x83);
    /* Echo, then resend repeats the last byte. */
    qtest_outb(s, DATA, 0xee);
    g_assert_cmphex(kbc_read(s), ==, 0xee);
    qtest_outb(s, DATA, 0xfe);
    g_assert_cmphex(kbc_read(s), ==, 0xee);
    /* An unknown command asks for a resend. */
    qtest_outb(s, DATA, 0xe0);
    g_assert_cmphex(kbc_read(s), ==, 0xfe);
    qtest_quit(s);
}

static void test_keyboard_settings(void)
{
    QTestState *s = qtest_start(NULL);

    kbc_set_ctr(s, 0x25);                       /* no translation */
    qtest_outb(s, DATA, 0xf0);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0x00);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    g_assert_cmphex(kbc_read(s), ==, 0x02);     /* set 2 */
    qtest_outb(s, DATA, 0xf0);
    kbc_read(s);
    qtest_outb(s, DATA, 0x01);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0xf0);
    kbc_read(s);
    qtest_outb(s, DATA, 0x00);
    kbc_read(s);
    g_assert_cmphex(kbc_read(s), ==, 0x01);     /* set 1 now */
    /* LEDs and typematic take an argument each. */
    qtest_outb(s, DATA, 0xed);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0x07);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0xf3);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0x20);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    /* Disable and enable scanning. */
    qtest_outb(s, DATA, 0xf5);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0xf4);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    kbc_empty(s);
    qtest_quit(s);
}

static void test_keyboard_port(void)
{
    QTestState *s = qtest_start(NULL);

    /* Pass-through bytes of 0xD2 come out as keyboard data. */
    qtest_outb(s, CMD, 0xd2);
    qtest_outb(s, DATA, 0x1c);
    g_assert_cmphex(kbc_read(s), ==, 0x1c);
    /* The controller's own replies pass a disabled keyboard port. */
    qtest_outb(s, CMD, 0xad);
    qtest_outb(s, CMD, 0x20);
    g_assert_cmphex(kbc_read(s), ==, 0x75);
    /* Writing to the keyboard enables its port again (8042). */
    qtest_outb(s, DATA, 0xee);
    g_assert_cmphex(kbc_read(s), ==, 0xee);
    qtest_outb(s, CMD, 0x20);
    g_assert_cmphex(kbc_read(s), ==, 0x65);
    qtest_quit(s);
}

static void test_aux_loop_and_mouse(void)
{
    QTestState *s = qtest_start(NULL);

    /* Linux's AUX loopback probe: the byte comes back as aux data. */
    qtest_outb(s, CMD, 0xd3);
    qtest_outb(s, DATA, 0x5a);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x5a);
    /* Mouse commands wait while the aux port is disabled. */
    mouse_send(s, 0xf2);
    kbc_empty(s);
    qtest_outb(s, CMD, 0xa8);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);
    mouse_send(s, 0xff);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xaa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);
    /* The IntelliMouse knock: rates 200, 100, 80 -> ID 3. */
    for (int i = 0; i < 3; i++) {
        static const uint8_t rate[3] = { 200, 100, 80 };
        mouse_send(s, 0xf3);
        g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
        mouse_send(s, rate[i]);
        g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    }
    mouse_send(s, 0xf2);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x03);
    /* Status: stream mode, disabled, 1:1; resolution 2, rate 80. */
    mouse_send(s, 0xe8);
    kbc_read_aux(s);
    mouse_send(s, 0x03);
    kbc_read_aux(s);
    mouse_send(s, 0xe7);
    kbc_read_aux(s);
    mouse_send(s, 0xf4);
    kbc_read_aux(s);
    mouse_send(s, 0xe9);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x30);  /* enabled, 2:1 */
    g_assert_cmphex(kbc_read_aux(s), ==, 0x03);
    g_assert_cmphex(kbc_read_aux(s), ==, 80);
    /* Remote mode read: a packet with no motion. */
    mouse_send(s, 0xf0);
    kbc_read_aux(s);
    mouse_send(s, 0xeb);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x08);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);  /* the wheel byte */
    /* Wrap mode echoes. */
    mouse_send(s, 0xee);
    kbc_read_aux(s);
    mouse_send(s, 0x42);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x42);
    mouse_send(s, 0xec);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    kbc_empty(s);
    qtest_quit(s);
}

static void test_a20_output_port(void)
{
    QTestState *s = qtest_start(NULL);
    uint8_t out;

    out = kbc_command(s, 0xd0);
    g_assert_cmphex(out & 0x03, ==, 0x03);      /* not in reset, A20 on */
    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xdd);                  /* A20 off */
    g_assert_cmphex(kbc_command(s, 0xd0) & 0x02, ==, 0);
    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xdf);
    g_assert_cmphex(kbc_command(s, 0xd0) & 0x02, ==, 0x02);
    qtest_outb(s, CMD, 0xdd);
    g_assert_cmphex(kbc_command(s, 0xd0) & 0x02, ==, 0);
    qtest_outb(s, CMD, 0xdf);
    g_assert_cmphex(kbc_command(s, 0xd0) & 0x02, ==, 0x02);
    qtest_quit(s);
}

static void test_reset_pulse(void)
{
    QTestState *s = qtest_start("-no-reboot");

    /* Pulsing only other lines (0xFF) changes nothing. */
    qtest_outb(s, CMD, 0xff);
    g_assert_cmphex(kbc_command(s, 0xaa), ==, 0x55);
    /* 0xFE pulses the reset line; -no-reboot turns it into an exit. */
    qtest_outb(s, CMD, 0xfe);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0);
    qtest_quit(s);
}

static void test_reset_output_port(void)
{
    QTestState *s = qtest_start("-no-reboot");

    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0x02);                  /* bit 0 low: reset */
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0);
    qtest_quit(s);
}

/* ---- IRQ 1 and IRQ 12 ---------------------------------------------------- */

static void test_irqs(void)
{
    QTestState *s = qtest_start(NULL);
    int n;

    qtest_irq_intercept_in(s, "ioapic");
    qtest_outb(s, CMD, 0xaa);
    g_assert_true(qtest_get_irq(s, 1));
    qtest_inb(s, DATA);
    g_assert_false(qtest_get_irq(s, 1));
    /* Every byte of a reply is its own edge. */
    n = qtest_get_irq_raise_count(s, 1);
    qtest_outb(s, DATA, 0xff);
    qtest_inb(s, DATA);
    qtest_inb(s, DATA);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 1), ==, n + 2);
    g_assert_false(qtest_get_irq(s, 1));
    /* Aux data on IRQ 12 once its interrupt is enabled. */
    kbc_set_ctr(s, 0x47);
    qtest_outb(s, CMD, 0xd3);
    qtest_outb(s, DATA, 0xa5);
    g_assert_true(qtest_get_irq(s, 12));
    g_assert_false(qtest_get_irq(s, 1));
    qtest_inb(s, DATA);
    g_assert_false(qtest_get_irq(s, 12));
    /* Keyboard interrupt disabled: data, but no IRQ 1. */
    kbc_set_ctr(s, 0x46);
    qtest_outb(s, CMD, 0xaa);
    g_assert_false(qtest_get_irq(s, 1));
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0x55);
    qtest_quit(s);
}

/*
 * What Linux's i8042, atkbd and psmouse drivers do at boot, in order,
 * with interrupts watched as the drivers rely on them.
 */
static void test_linux_probe(void)
{
    QTestState *s = qtest_start(NULL);
    uint8_t ctr, a, b;
    int n;

    qtest_irq_intercept_in(s, "ioapic");
    /* i8042_controller_check: flush; a present controller. */
    for (int i = 0; i < 16 && (kbc_status(s) & ST_OBF); i++) {
        qtest_inb(s, DATA);
    }
    g_assert_cmphex(kbc_status(s), !=, 0xff);
    /* i8042_controller_selftest. */
    g_assert_cmphex(kbc_command(s, 0xaa), ==, 0x55);
    /* i8042_controller_init: CTR read until stable, keylock, then
     * keyboard port disabled while probing. */
    a = kbc_command(s, 0x20);
    b = kbc_command(s, 0x20);
    g_assert_cmphex(a, ==, b);
    g_assert_cmphex(kbc_status(s) & 0x10, ==, 0x10);
    ctr = (a | 0x10) & ~0x01;
    kbc_set_ctr(s, ctr);
    g_assert_cmphex(kbc_command(s, 0x20), ==, ctr);
    g_assert_true(ctr & 0x40);              /* translation kept */
    /* i8042_check_aux: loopback, then the port enable bit works. */
    qtest_outb(s, CMD, 0xd3);
    qtest_outb(s, DATA, 0x5a);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x5a);
    qtest_outb(s, CMD, 0xa7);
    g_assert_cmphex(kbc_command(s, 0x20) & 0x20, ==, 0x20);
    qtest_outb(s, CMD, 0xa8);
    g_assert_cmphex(kbc_command(s, 0x20) & 0x20, ==, 0);
    /* ... and the AUX interrupt is delivered. */
    ctr = (ctr & ~0x20) | 0x02;
    kbc_set_ctr(s, ctr);
    n = qtest_get_irq_raise_count(s, 12);
    qtest_outb(s, CMD, 0xd3);
    qtest_outb(s, DATA, 0xa5);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 12), ==, n + 1);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xa5);
    /* Ports on, interrupts on. */
    ctr = (ctr & ~0x30) | 0x03;
    kbc_set_ctr(s, ctr);
    /* atkbd: identify (translated), reset, LEDs, typematic, enable. */
    n = qtest_get_irq_raise_count(s, 1);
    qtest_outb(s, DATA, 0xf2);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    g_assert_cmphex(kbc_read(s), ==, 0xab);
    g_assert_cmphex(kbc_read(s), ==, 0x41);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 1), ==, n + 3);
    qtest_outb(s, DATA, 0xff);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    g_assert_cmphex(kbc_read(s), ==, 0xaa);
    qtest_outb(s, DATA, 0xed);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0x00);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0xf3);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0x00);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    qtest_outb(s, DATA, 0xf4);
    g_assert_cmphex(kbc_read(s), ==, 0xfa);
    /* psmouse: identify, reset, the IntelliMouse Explorer knocks. */
    mouse_send(s, 0xf2);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);
    mouse_send(s, 0xff);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xaa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x00);
    for (int i = 0; i < 6; i++) {
        static const uint8_t rate[6] = { 200, 100, 80, 200, 200, 80 };
        mouse_send(s, 0xf3);
        g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
        mouse_send(s, rate[i]);
        g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    }
    mouse_send(s, 0xf2);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    g_assert_cmphex(kbc_read_aux(s), ==, 0x04);
    /* Synaptics/Elantech/TrackPoint probes: no false positives. */
    for (int i = 0; i < 4; i++) {
        mouse_send(s, 0xe8);
        kbc_read_aux(s);
        mouse_send(s, 0x00);
        kbc_read_aux(s);
    }
    mouse_send(s, 0xe9);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    kbc_read_aux(s);
    g_assert_cmphex(kbc_read_aux(s), !=, 0x47);   /* not Synaptics */
    kbc_read_aux(s);
    mouse_send(s, 0xe1);                           /* TrackPoint ID */
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfe);
    mouse_send(s, 0xf4);
    g_assert_cmphex(kbc_read_aux(s), ==, 0xfa);
    kbc_empty(s);
    g_assert_false(qtest_get_irq(s, 1));
    g_assert_false(qtest_get_irq(s, 12));
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8042/self-test", test_self_test);
    g_test_add_func("/i8042/command-byte", test_command_byte);
    g_test_add_func("/i8042/keyboard-reset-and-id",
                    test_keyboard_reset_and_id);
    g_test_add_func("/i8042/keyboard-settings", test_keyboard_settings);
    g_test_add_func("/i8042/keyboard-port",
                    test_keyboard_port);
    g_test_add_func("/i8042/aux-and-mouse", test_aux_loop_and_mouse);
    g_test_add_func("/i8042/a20", test_a20_output_port);
    g_test_add_func("/i8042/reset-pulse", test_reset_pulse);
    g_test_add_func("/i8042/reset-output-port", test_reset_output_port);
    g_test_add_func("/i8042/irqs", test_irqs);
    g_test_add_func("/i8042/linux-probe", test_linux_probe);
    return g_test_run();
}
