/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 8259A pair through its ports: initialization, IRR/ISR reads, poll
 * mode (which acknowledges like INTA), priorities and rotation, masks,
 * EOIs and the ELCR's level mode. Requests are driven through the PC's
 * interrupt router ("set_irq_in pc-gsi N LEVEL" = ISA IRQ N).
 */
#include "libqtest.h"

#define MASTER  0x20
#define SLAVE   0xa0
#define ELCR0   0x4d0
#define ELCR1   0x4d1

static void set_irq(QTestState *s, int irq, int level)
{
    g_free(qtest_command(s, "set_irq_in pc-gsi %d %d", irq, level));
}

/* The usual PC programming: vectors 0x20/0x28, cascade on IR2. */
static void pic_init(QTestState *s, uint8_t icw4)
{
    qtest_outb(s, MASTER, 0x11);
    qtest_outb(s, MASTER + 1, 0x20);
    qtest_outb(s, MASTER + 1, 0x04);
    qtest_outb(s, MASTER + 1, icw4);
    qtest_outb(s, SLAVE, 0x11);
    qtest_outb(s, SLAVE + 1, 0x28);
    qtest_outb(s, SLAVE + 1, 0x02);
    qtest_outb(s, SLAVE + 1, icw4);
    qtest_outb(s, MASTER + 1, 0x00);
    qtest_outb(s, SLAVE + 1, 0x00);
}

static uint8_t read_irr(QTestState *s, uint16_t base)
{
    qtest_outb(s, base, 0x0a);
    return qtest_inb(s, base);
}

static uint8_t read_isr(QTestState *s, uint16_t base)
{
    qtest_outb(s, base, 0x0b);
    return qtest_inb(s, base);
}

static uint8_t poll(QTestState *s, uint16_t base)
{
    qtest_outb(s, base, 0x0c);
    return qtest_inb(s, base);
}

static void test_init_and_imr(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    qtest_outb(s, MASTER + 1, 0xb5);
    qtest_outb(s, SLAVE + 1, 0x3c);
    g_assert_cmphex(qtest_inb(s, MASTER + 1), ==, 0xb5);
    g_assert_cmphex(qtest_inb(s, SLAVE + 1), ==, 0x3c);
    /* ICW1 clears the mask. */
    qtest_outb(s, MASTER, 0x11);
    g_assert_cmphex(qtest_inb(s, MASTER + 1), ==, 0x00);
    qtest_quit(s);
}

static void test_irr_isr_eoi(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    g_assert_cmphex(read_irr(s, MASTER), ==, 0);
    set_irq(s, 3, 1);
    g_assert_cmphex(read_irr(s, MASTER) & 0x08, ==, 0x08);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0);
    /* Poll: "1000 0011" and IR3 goes in service. */
    g_assert_cmphex(poll(s, MASTER), ==, 0x83);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0x08);
    /* Edge mode: the acknowledge cleared the request. */
    g_assert_cmphex(read_irr(s, MASTER) & 0x08, ==, 0);
    /* Nothing else pending. */
    g_assert_cmphex(poll(s, MASTER), ==, 0x00);
    /* Non-specific EOI. */
    qtest_outb(s, MASTER, 0x20);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0);
    /* Still high: no new edge, no new request. */
    g_assert_cmphex(read_irr(s, MASTER) & 0x08, ==, 0);
    set_irq(s, 3, 0);
    set_irq(s, 3, 1);
    g_assert_cmphex(read_irr(s, MASTER) & 0x08, ==, 0x08);
    set_irq(s, 3, 0);
    /* An edge stays latched after the line drops. */
    g_assert_cmphex(read_irr(s, MASTER) & 0x08, ==, 0x08);
    qtest_quit(s);
}

static void test_priority(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    set_irq(s, 5, 1);
    set_irq(s, 3, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x83);
    /* IR5 has a lower priority than IR3 in service: not presented. */
    g_assert_cmphex(poll(s, MASTER), ==, 0x00);
    g_assert_cmphex(read_irr(s, MASTER) & 0x20, ==, 0x20);
    /* IR1 outranks IR3: presented while IR3 is in service. */
    set_irq(s, 1, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x81);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0x0a);
    /* Non-specific EOI ends the highest one (IR1), then IR3. */
    qtest_outb(s, MASTER, 0x20);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0x08);
    qtest_outb(s, MASTER, 0x20);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0x00);
    g_assert_cmphex(poll(s, MASTER), ==, 0x85);
    /* Specific EOI for IR5. */
    qtest_outb(s, MASTER, 0x65);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0x00);
    qtest_quit(s);
}

static void test_masks_and_special_mask(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    qtest_outb(s, MASTER + 1, 0x10);        /* mask IR4 */
    set_irq(s, 4, 1);
    g_assert_cmphex(read_irr(s, MASTER) & 0x10, ==, 0x10);
    g_assert_cmphex(poll(s, MASTER), ==, 0x00);
    qtest_outb(s, MASTER + 1, 0x00);
    g_assert_cmphex(poll(s, MASTER), ==, 0x84);
    /* IR4 in service blocks IR6 ... */
    set_irq(s, 6, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x00);
    /* ... unless IR4 is masked in special mask mode. */
    qtest_outb(s, MASTER + 1, 0x10);
    qtest_outb(s, MASTER, 0x68);            /* OCW3: set SMM */
    g_assert_cmphex(poll(s, MASTER), ==, 0x86);
    qtest_outb(s, MASTER, 0x48);            /* reset SMM */
    qtest_quit(s);
}

static void test_rotation(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    /* Set priority: IR4 lowest, so IR5 is highest. */
    qtest_outb(s, MASTER, 0xc4);
    set_irq(s, 1, 1);
    set_irq(s, 6, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x86);
    /* Rotate on non-specific EOI: IR6 becomes the lowest. */
    qtest_outb(s, MASTER, 0xa0);
    g_assert_cmphex(poll(s, MASTER), ==, 0x81);
    qtest_outb(s, MASTER, 0x20);
    qtest_quit(s);
}

static void test_auto_eoi(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x03);                      /* 8086 mode + AEOI */
    set_irq(s, 7, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x87);
    g_assert_cmphex(read_isr(s, MASTER), ==, 0x00);
    qtest_quit(s);
}

static void test_cascade(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    set_irq(s, 10, 1);
    /* The slave requests IR2 (its IRQ 10) and drives master IR2. */
    g_assert_cmphex(read_irr(s, SLAVE), ==, 0x04);
    g_assert_cmphex(read_irr(s, MASTER) & 0x04, ==, 0x04);
    g_assert_cmphex(poll(s, MASTER), ==, 0x82);
    g_assert_cmphex(poll(s, SLAVE), ==, 0x82);
    /* The slave's INT dropped when its request was acknowledged. */
    g_assert_cmphex(read_irr(s, MASTER) & 0x04, ==, 0x00);
    /* Masking the cascade input hides the slave. */
    qtest_outb(s, SLAVE, 0x20);
    qtest_outb(s, MASTER, 0x20);
    qtest_outb(s, MASTER + 1, 0x04);
    set_irq(s, 12, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x00);
    qtest_quit(s);
}

static void test_elcr_level(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    /* IRQ 0, 1, 2 are edge-only; IRQ 8 and 13 too. */
    qtest_outb(s, ELCR0, 0xff);
    g_assert_cmphex(qtest_inb(s, ELCR0), ==, 0xf8);
    qtest_outb(s, ELCR1, 0xff);
    g_assert_cmphex(qtest_inb(s, ELCR1), ==, 0xde);
    qtest_outb(s, ELCR0, 0x20);             /* IRQ 5 level */
    qtest_outb(s, ELCR1, 0x00);
    set_irq(s, 5, 1);
    g_assert_cmphex(poll(s, MASTER), ==, 0x85);
    /* Level: the request stays while the line is high ... */
    g_assert_cmphex(read_irr(s, MASTER) & 0x20, ==, 0x20);
    qtest_outb(s, MASTER, 0x20);
    g_assert_cmphex(poll(s, MASTER), ==, 0x85);
    qtest_outb(s, MASTER, 0x20);
    /* ... and goes when it drops, without any acknowledge. */
    set_irq(s, 5, 0);
    g_assert_cmphex(read_irr(s, MASTER) & 0x20, ==, 0x00);
    g_assert_cmphex(poll(s, MASTER), ==, 0x00);
    /* An edge IRQ 3 pulse, by contrast, is kept. */
    set_irq(s, 3, 1);
    set_irq(s, 3, 0);
    g_assert_cmphex(poll(s, MASTER), ==, 0x83);
    qtest_quit(s);
}

static void test_reset(void)
{
    QTestState *s = qtest_start(NULL);

    pic_init(s, 0x01);
    qtest_outb(s, MASTER + 1, 0xaa);
    qtest_outb(s, ELCR0, 0x20);
    g_free(qtest_command(s, "system_reset"));
    g_assert_cmphex(qtest_inb(s, MASTER + 1), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, ELCR0), ==, 0x00);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8259/init-imr", test_init_and_imr);
    g_test_add_func("/i8259/irr-isr-eoi", test_irr_isr_eoi);
    g_test_add_func("/i8259/priority", test_priority);
    g_test_add_func("/i8259/masks", test_masks_and_special_mask);
    g_test_add_func("/i8259/rotation", test_rotation);
    g_test_add_func("/i8259/auto-eoi", test_auto_eoi);
    g_test_add_func("/i8259/cascade", test_cascade);
    g_test_add_func("/i8259/elcr-level", test_elcr_level);
    g_test_add_func("/i8259/reset", test_reset);
    return g_test_run();
}
