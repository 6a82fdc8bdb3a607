/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 16550A UART (isa-serial, COM1 at 0x3f8): registers, loopback,
 * FIFO trigger levels and the character timeout, interrupt priorities
 * in IIR, the THRE interrupt as Linux's 8250 driver probes it, output to
 * a file, input and output over a socket chardev (with flow control and
 * reconnection), and IRQ 4.
 */
#include "libqtest.h"
#include <sys/wait.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define COM1 0x3f8
#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define COM1_GSI 4

/* 115200 8N1: ten bits of 8.68 us. */
#define CHAR_NS 86805

static QTestState *start_com1(const char *extra)
{
    QTestState *s = qtest_startf("-serial null %s", extra ? extra : "");

    qtest_outb(s, COM1 + LCR, 0x83);
    qtest_outb(s, COM1 + 0, 1);         /* divisor 1: 115200 baud */
    qtest_outb(s, COM1 + 1, 0);
    qtest_outb(s, COM1 + LCR, 0x03);    /* 8N1 */
    return s;
}

static uint8_t com_in(QTestState *s, int reg)
{
    return qtest_inb(s, COM1 + reg);
}

static void com_out(QTestState *s, int reg, uint8_t v)
{
    qtest_outb(s, COM1 + reg, v);
}

static void test_registers(void)
{
    QTestState *s = start_com1(NULL);

    /* Reset state: THR and transmitter empty, no interrupt. */
    g_assert_cmphex(com_in(s, LSR), ==, 0x60);
    g_assert_cmphex(com_in(s, IIR), ==, 0x01);
    com_out(s, SCR, 0x5a);
    g_assert_cmphex(com_in(s, SCR), ==, 0x5a);
    /* The divisor latch hides RBR/IER while DLAB is set. */
    com_out(s, LCR, 0x80);
    com_out(s, 0, 0x34);
    com_out(s, 1, 0x12);
    g_assert_cmphex(com_in(s, 0), ==, 0x34);
    g_assert_cmphex(com_in(s, 1), ==, 0x12);
    com_out(s, LCR, 0x03);
    g_assert_cmphex(com_in(s, LCR), ==, 0x03);
    /* IER keeps only its four bits (Linux's XScale probe). */
    com_out(s, IER, 0xf0);
    g_assert_cmphex(com_in(s, IER), ==, 0x00);
    /* FCR bit 0 shows in IIR bits 7-6. */
    com_out(s, FCR, 0x01);
    g_assert_cmphex(com_in(s, IIR), ==, 0xc1);
    com_out(s, FCR, 0x00);
    g_assert_cmphex(com_in(s, IIR), ==, 0x01);
    qtest_quit(s);
}

static void test_loopback_msr(void)
{
    QTestState *s = start_com1(NULL);

    /* Not looped: an attached line shows DCD, DSR and CTS. */
    g_assert_cmphex(com_in(s, MSR) & 0xf0, ==, 0xb0);
    /* Linux's existence test: loop + RTS + OUT2 -> CTS + DCD. */
    com_out(s, MCR, 0x1a);
    g_assert_cmphex(com_in(s, MSR) & 0xf0, ==, 0x90);
    com_out(s, MCR, 0x1f);
    g_assert_cmphex(com_in(s, MSR), ==, 0xf0 | 0x02);   /* DDSR */
    g_assert_cmphex(com_in(s, MSR), ==, 0xf0);          /* deltas read */
    /* RI falling: trailing-edge RI; DTR off: DDSR. */
    com_out(s, MCR, 0x1a);
    g_assert_cmphex(com_in(s, MSR), ==, 0x90 | 0x04 | 0x02);
    qtest_quit(s);
}

static void test_loopback_data(void)
{
    QTestState *s = start_com1(NULL);

    com_out(s, MCR, 0x10);
    com_out(s, THR, 'A');
    g_assert_cmphex(com_in(s, LSR), ==, 0x61);
    g_assert_cmphex(com_in(s, RBR), ==, 'A');
    g_assert_cmphex(com_in(s, LSR), ==, 0x60);
    /* Without a FIFO a second byte overruns the first. */
    com_out(s, THR, 'B');
    com_out(s, THR, 'C');
    g_assert_cmphex(com_in(s, LSR), ==, 0x63);
    g_assert_cmphex(com_in(s, LSR), ==, 0x61);      /* OE read-cleared */
    g_assert_cmphex(com_in(s, RBR), ==, 'C');
    qtest_quit(s);
}

static void test_fifo_trigger_levels(void)
{
    static const struct { uint8_t fcr; int level; } t[] = {
        { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
    };
    QTestState *s = start_com1(NULL);

    com_out(s, MCR, 0x10);
    com_out(s, IER, 0x01);
    for (int i = 0; i < 4; i++) {
        com_out(s, FCR, t[i].fcr | 0x06);       /* clear both FIFOs */
        for (int n = 1; n < t[i].level; n++) {
            com_out(s, THR, n);
        }
        g_assert_cmphex(com_in(s, IIR), ==, 0xc1);
        com_out(s, THR, 0x55);
        g_assert_cmphex(com_in(s, IIR), ==, 0xc4);
        for (int n = 1; n < t[i].level; n++) {
            g_assert_cmphex(com_in(s, RBR), ==, n);
        }
        g_assert_cmphex(com_in(s, RBR), ==, 0x55);
        g_assert_cmphex(com_in(s, LSR) & 0x01, ==, 0);
    }
    /* 16 bytes fit; the 17th overruns and is lost. */
    com_out(s, FCR, 0xc7);
    for (int n = 0; n < 17; n++) {
        com_out(s, THR, 0x30 + n);
    }
    g_assert_cmphex(com_in(s, LSR) & 0x03, ==, 0x03);
    for (int n = 0; n < 16; n++) {
        g_assert_cmphex(com_in(s, RBR), ==, 0x30 + n);
    }
    g_assert_cmphex(com_in(s, LSR) & 0x01, ==, 0);
    qtest_quit(s);
}

static void test_char_timeout(void)
{
    QTestState *s = start_com1(NULL);

    com_out(s, MCR, 0x10);
    com_out(s, FCR, 0x87);                      /* trigger level 8 */
    com_out(s, IER, 0x01);
    com_out(s, THR, 'x');
    com_out(s, THR, 'y');
    g_assert_cmphex(com_in(s, IIR), ==, 0xc1);
    /* Four character times without activity: timeout interrupt. */
    qtest_clock_step(s, 4 * CHAR_NS - 1000);
    g_assert_cmphex(com_in(s, IIR), ==, 0xc1);
    qtest_clock_step(s, 2000);
    g_assert_cmphex(com_in(s, IIR), ==, 0xcc);
    /* Reading a byte clears it and restarts the wait. */
    g_assert_cmphex(com_in(s, RBR), ==, 'x');
    g_assert_cmphex(com_in(s, IIR), ==, 0xc1);
    qtest_clock_step(s, 4 * CHAR_NS + 1000);
    g_assert_cmphex(com_in(s, IIR), ==, 0xcc);
    g_assert_cmphex(com_in(s, RBR), ==, 'y');
    qtest_clock_step(s, 10 * CHAR_NS);
    g_assert_cmphex(com_in(s, IIR), ==, 0xc1);   /* empty: no timeout */
    qtest_quit(s);
}

static void test_iir_priorities(void)
{
    QTestState *s = start_com1(NULL);

    com_out(s, MCR, 0x10);          /* loop: CTS/DSR/DCD drop (deltas) */
    com_out(s, FCR, 0x07);          /* FIFO, trigger 1 */
    for (int n = 0; n < 17; n++) {  /* one too many: overrun */
        com_out(s, THR, n);
    }
    com_out(s, IER, 0x0f);
    /* Line status first, then data, then THRE, then modem status. */
    g_assert_cmphex(com_in(s, IIR), ==, 0xc6);
    g_assert_cmphex(com_in(s, LSR) & 0x02, ==, 0x02);
    g_assert_cmphex(com_in(s, IIR), ==, 0xc4);
    for (int n = 0; n < 16; n++) {
        com_in(s, RBR);
    }
    g_assert_cmphex(com_in(s, IIR), ==, 0xc2);
    /* Reading IIR while it shows THRE clears THRE. */
    g_assert_cmphex(com_in(s, IIR), ==, 0xc0);
    com_in(s, MSR);
    g_assert_cmphex(com_in(s, IIR), ==, 0xc1);
    qtest_quit(s);
}

static void test_thre_interrupt(void)
{
    QTestState *s = start_com1(NULL);

    /*
     * Linux's 8250 start-up: set ETBEI, read IIR, clear, set again and
     * expect a THRE interrupt at once (else it assumes a buggy UART).
     */
    com_out(s, IER, 0x02);
    g_assert_cmphex(com_in(s, IIR), ==, 0x02);
    g_assert_cmphex(com_in(s, IIR), ==, 0x01);
    com_out(s, IER, 0x00);
    com_out(s, IER, 0x02);
    g_assert_cmphex(com_in(s, IIR), ==, 0x02);
    /* Re-writing IER with ETBEI already set does not re-arm it. */
    com_out(s, IER, 0x02);
    g_assert_cmphex(com_in(s, IIR), ==, 0x01);
    /* Each transmitted byte empties THR again: THRE pending. */
    com_out(s, THR, 'z');
    g_assert_cmphex(com_in(s, LSR) & 0x60, ==, 0x60);
    g_assert_cmphex(com_in(s, IIR), ==, 0x02);
    /* The TX-enable probe: ETBEI with TEMT must show an interrupt. */
    com_out(s, IER, 0x00);
    com_out(s, IER, 0x02);
    g_assert_cmphex(com_in(s, LSR) & 0x40, ==, 0x40);
    g_assert_cmphex(com_in(s, IIR) & 0x01, ==, 0x00);
    qtest_quit(s);
}

static void test_output_to_file(void)
{
    g_autofree char *path = g_strdup_printf("%s/ember-serial-%d.out",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *data = NULL;
    QTestState *s = qtest_startf("-serial file:%s", path);
    const char *msg = "Hello, COM1\r\n";

    for (const char *p = msg; *p; p++) {
        while (!(qtest_inb(s, COM1 + LSR) & 0x20)) {
        }
        qtest_outb(s, COM1 + THR, *p);
    }
    /* COM2 is not there without a second -serial. */
    g_assert_cmphex(qtest_inb(s, 0x2f8 + LSR), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, msg);
    unlink(path);
}

/* ---- over a socket ------------------------------------------------------- */

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* Read n bytes from COM1 as a polling driver would (bounded wait). */
static void com_receive(QTestState *s, uint8_t *buf, int n)
{
    int got = 0;

    for (int spins = 0; got < n && spins < 20000; spins++) {
        if (qtest_inb(s, COM1 + LSR) & 0x01) {
            buf[got++] = qtest_inb(s, COM1 + RBR);
            spins = 0;
        } else {
            g_usleep(500);
        }
    }
    g_assert_cmpint(got, ==, n);
}

static void sock_read_all(int fd, uint8_t *buf, int n)
{
    int got = 0;

    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        g_assert_cmpint(r, >, 0);
        got += r;
    }
}

static void test_socket_chardev(void)
{
    g_autofree char *path = g_strdup_printf("%s/ember-serial-%d.sock",
                                            g_get_tmp_dir(), getpid());
    QTestState *s = qtest_startf("-chardev socket,id=c0,path=%s,server=on,"
                                 "wait=off -serial chardev:c0", path);
    uint8_t big[300], back[300];
    char line[16];
    int fd;

    qtest_outb(s, COM1 + FCR, 0x07);
    fd = unix_connect(path);
    g_assert_cmpint(write(fd, "hello", 5), ==, 5);
    com_receive(s, back, 5);
    g_assert_cmpmem(back, 5, "hello", 5);
    /* More than the FIFO holds: flow control, nothing lost. */
    for (int i = 0; i < (int)sizeof(big); i++) {
        big[i] = i * 7 + 1;
    }
    g_assert_cmpint(write(fd, big, sizeof(big)), ==, sizeof(big));
    com_receive(s, back, sizeof(big));
    g_assert_cmpmem(back, sizeof(big), big, sizeof(big));
    /* Output reaches the client. */
    for (const char *p = "to-host"; *p; p++) {
        qtest_outb(s, COM1 + THR, *p);
    }
    sock_read_all(fd, (uint8_t *)line, 7);
    g_assert_cmpmem(line, 7, "to-host", 7);
    /* The client leaves; the next one is served. */
    close(fd);
    qtest_clock_step(s, 0);
    fd = unix_connect(path);
    g_assert_cmpint(write(fd, "again", 5), ==, 5);
    com_receive(s, back, 5);
    g_assert_cmpmem(back, 5, "again", 5);
    close(fd);
    qtest_quit(s);
}

static void test_irq_line(void)
{
    QTestState *s = start_com1(NULL);

    qtest_irq_intercept_in(s, "ioapic");
    com_out(s, MCR, 0x10);
    com_out(s, IER, 0x01);
    g_assert_false(qtest_get_irq(s, COM1_GSI));
    com_out(s, THR, 'q');
    g_assert_true(qtest_get_irq(s, COM1_GSI));
    com_in(s, RBR);
    g_assert_false(qtest_get_irq(s, COM1_GSI));
    /* THRE: raised by enabling ETBEI, dropped by reading IIR. */
    com_out(s, IER, 0x02);
    g_assert_true(qtest_get_irq(s, COM1_GSI));
    com_in(s, IIR);
    g_assert_false(qtest_get_irq(s, COM1_GSI));
    qtest_quit(s);
}

/*
 * The UART type probe of Linux's 8250 driver (autoconfig and
 * autoconfig_16550a), step by step: it must find a 16550A and nothing
 * fancier (no EFR, no 64-byte FIFO, no XScale UUE bit, no NatSemi bank).
 */
static const char *linux_probe_uart(QTestState *s)
{
    uint8_t mcr, st1, st2, ier;

    /* IER test: bits clear, then all four low bits set. */
    com_out(s, IER, 0);
    if (com_in(s, IER) & 0x0f) {
        return "none";
    }
    com_out(s, IER, 0x0f);
    if ((com_in(s, IER) & 0x0f) != 0x0f) {
        return "none";
    }
    com_out(s, IER, 0);
    /* Loopback with RTS and OUT2: MSR shows CTS and DCD. */
    mcr = com_in(s, MCR);
    com_out(s, MCR, 0x1a);
    st1 = com_in(s, MSR) & 0xf0;
    com_out(s, MCR, mcr);
    if (st1 != 0x90) {
        return "no-loopback";
    }
    /* EFR := 0 in configuration mode B, then the FIFO type in IIR. */
    com_out(s, LCR, 0xbf);
    com_out(s, 2, 0);
    com_out(s, LCR, 0);
    com_out(s, FCR, 0x01);
    if ((com_in(s, IIR) >> 6) != 3) {
        return "16450";
    }
    /* An EFR behind DLAB (ST16C650V1) or behind 0xBF (650V2/752). */
    com_out(s, LCR, 0x80);
    if (com_in(s, 2) == 0) {
        return "16650";
    }
    com_out(s, LCR, 0xbf);
    if (com_in(s, 2) == 0) {
        return "16650V2";
    }
    /* National Semiconductor bank switch: EXCR1 mirrors MCR LOOP. */
    com_out(s, LCR, 0);
    st1 = com_in(s, MCR);
    com_out(s, LCR, 0xe0);
    st2 = com_in(s, 2);
    com_out(s, LCR, 0);
    if (!((st1 ^ st2) & 0x10)) {
        com_out(s, MCR, st1 ^ 0x10);
        com_out(s, LCR, 0xe0);
        st2 = com_in(s, 2);
        com_out(s, LCR, 0);
        com_out(s, MCR, st1);
        if ((st1 ^ st2) & 0x10) {
            return "NS16550A";
        }
    }
    /* TI16750: IIR bit 5 set with the 64-byte FIFO bit and DLAB. */
    com_out(s, FCR, 0x21);
    st1 = com_in(s, IIR) >> 5;
    com_out(s, FCR, 0x01);
    com_out(s, LCR, 0x80);
    com_out(s, FCR, 0x21);
    st2 = com_in(s, IIR) >> 5;
    com_out(s, FCR, 0x01);
    com_out(s, LCR, 0);
    if (st1 == 6 && st2 == 7) {
        return "16750";
    }
    /* XScale: the UUE bit (IER bit 6) sticks. */
    ier = com_in(s, IER);
    com_out(s, IER, ier | 0x40);
    if (com_in(s, IER) & 0x40) {
        return "XScale";
    }
    com_out(s, IER, ier);
    return "16550A";
}

static void test_linux_probe(void)
{
    QTestState *s = start_com1(NULL);

    g_assert_cmpstr(linux_probe_uart(s), ==, "16550A");
    /* Afterwards the port works as a plain 16550A with FIFOs. */
    com_out(s, LCR, 0x03);
    com_out(s, FCR, 0x07);
    com_out(s, MCR, 0x10);
    com_out(s, THR, 'L');
    g_assert_cmphex(com_in(s, RBR), ==, 'L');
    qtest_quit(s);
}

static void test_com2_and_device(void)
{
    /* COM2 from a second -serial; an isa-serial device takes COM3. */
    QTestState *s = qtest_start("-serial null -serial null "
                                "-device isa-serial,id=com3");

    qtest_irq_intercept_in(s, "ioapic");
    for (int i = 0; i < 2; i++) {
        uint16_t base = i ? 0x3e8 : 0x2f8;
        int gsi = i ? 4 : 3;
        qtest_outb(s, base + MCR, 0x10);
        qtest_outb(s, base + IER, 0x01);
        qtest_outb(s, base + THR, 0x33);
        g_assert_true(qtest_get_irq(s, gsi));
        g_assert_cmphex(qtest_inb(s, base + RBR), ==, 0x33);
        g_assert_false(qtest_get_irq(s, gsi));
    }
    /* No COM4. */
    g_assert_cmphex(qtest_inb(s, 0x2e8 + LSR), ==, 0xff);
    qtest_quit(s);
}

/* Start-up errors: one line on stderr and exit status 1. */
static void assert_startup_error(const char *args, const char *msg)
{
    g_autofree char *cmd = g_strdup_printf("%s -accel qtest -nodefaults "
                                           "-display none %s",
                                           qtest_binary(), args);
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status,
                                            NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, msg));
    /* One line. */
    g_assert_cmpint(strchr(err, '\n') - err + 1, ==, strlen(err));
}

static void test_startup_errors(void)
{
    assert_startup_error("-serial null -serial null -serial null "
                         "-serial null -device isa-serial",
                         "Max. supported number of ISA serial ports is 4.");
    assert_startup_error("-device isa-serial,chardev=nope",
                         "Chardev 'nope' not found");
    assert_startup_error("-chardev null,id=c0 -device isa-serial,chardev=c0 "
                         "-device isa-serial,chardev=c0",
                         "is in use");
    assert_startup_error("-device isa-serial,index=1,irq=16",
                         "irq 16 out of range");
    assert_startup_error("-serial tcp:localhost", "no port given");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/registers", test_registers);
    g_test_add_func("/serial/loopback-msr", test_loopback_msr);
    g_test_add_func("/serial/loopback-data", test_loopback_data);
    g_test_add_func("/serial/fifo-trigger-levels", test_fifo_trigger_levels);
    g_test_add_func("/serial/char-timeout", test_char_timeout);
    g_test_add_func("/serial/iir-priorities", test_iir_priorities);
    g_test_add_func("/serial/thre-interrupt", test_thre_interrupt);
    g_test_add_func("/serial/output-to-file", test_output_to_file);
    g_test_add_func("/serial/socket-chardev", test_socket_chardev);
    g_test_add_func("/serial/irq-line", test_irq_line);
    g_test_add_func("/serial/linux-probe", test_linux_probe);
    g_test_add_func("/serial/com2-and-device", test_com2_and_device);
    g_test_add_func("/serial/startup-errors", test_startup_errors);
    return g_test_run();
}
