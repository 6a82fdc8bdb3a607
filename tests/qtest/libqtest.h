/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device tests: drive a machine under the qtest accelerator from a test
 * program, over a line protocol on a UNIX socket (see docs/qtest.md).
 *
 *   QTestState *s = qtest_start("-serial file:/tmp/out");
 *   qtest_outb(s, 0x43, 0x34);
 *   qtest_clock_step(s, 1000000);
 *   g_assert_true(qtest_get_irq(s, 0));
 *   qtest_quit(s);
 *
 * The machine runs with "-accel qtest -nodefaults -display none" plus the
 * arguments given; the virtual clock moves only through clock_step/set.
 * The emulator binary is $EMBER_SYSTEM or build/ember-system-x86_64
 * relative to the current directory.
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <glib.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct QTestState QTestState;

/* Start a machine with extra command-line arguments (printf-style). */
QTestState *qtest_startf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
QTestState *qtest_start(const char *args);
/* Stop it and wait for the process; returns its exit status. */
int qtest_quit(QTestState *s);
/* Wait for the process to exit by itself; its exit status. */
int qtest_wait_exit(QTestState *s, int timeout_ms);

void qtest_outb(QTestState *s, uint16_t port, uint8_t v);
void qtest_outw(QTestState *s, uint16_t port, uint16_t v);
void qtest_outl(QTestState *s, uint16_t port, uint32_t v);
uint8_t qtest_inb(QTestState *s, uint16_t port);
uint16_t qtest_inw(QTestState *s, uint16_t port);
uint32_t qtest_inl(QTestState *s, uint16_t port);

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t v);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t v);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t v);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t v);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t len);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t len);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t v, size_t len);

/* Advance the virtual clock by ns (running due timers); new time. */
int64_t qtest_clock_step(QTestState *s, int64_t ns);
/* Advance to the next pending timer's deadline; new time. */
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_set(QTestState *s, int64_t ns);

/*
 * Watch the input pins of a device (by -device id or by type name, e.g.
 * "ioapic"): after this, qtest_get_irq(s, n) tells whether pin n is
 * high. For the PC, intercepting "ioapic" shows the 24 GSIs.
 */
void qtest_irq_intercept_in(QTestState *s, const char *device);
bool qtest_get_irq(QTestState *s, int n);
/* How many raise events pin n has seen since interception. */
int qtest_get_irq_raise_count(QTestState *s, int n);

/* Raw protocol access: send a command line, get the reply ("OK ..."). */
char *qtest_command(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Path of the emulator binary used. */
const char *qtest_binary(void);

#endif
