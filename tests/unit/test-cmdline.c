/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line as a user meets it: help and listing options exit 0,
 * every bad option or value gives one error line and exit status 1.
 */
#include "ember/osdep.h"
#include <sys/wait.h>

typedef struct Run {
    int status;
    char *out;
    char *err;
} Run;

static Run run(const char *args)
{
    g_autofree char *cmd = g_strdup_printf("%s %s", g_getenv("EMBER_SYSTEM")
                                           ?: "build/ember-system-x86_64",
                                           args);
    g_auto(GStrv) argv = NULL;
    GError *e = NULL;
    Run r = { 0 };
    int st;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &e));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r.out, &r.err, &st, &e));
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

static void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* Exactly one line on stderr, starting with the program name. */
static void assert_one_error(const char *args, const char *needle)
{
    Run r = run(args);
    const char *nl;

    if (r.status != 1) {
        g_printerr("'%s': status %d, stderr: %s\n", args, r.status, r.err);
    }
    g_assert_cmpint(r.status, ==, 1);
    g_assert_true(g_str_has_prefix(r.err, "ember-system-x86_64: "));
    nl = strchr(r.err, '\n');
    g_assert_nonnull(nl);
    g_assert_cmpstr(nl + 1, ==, "");
    if (!strstr(r.err, needle)) {
        g_printerr("'%s': stderr '%s' lacks '%s'\n", args, r.err, needle);
    }
    g_assert_nonnull(strstr(r.err, needle));
    run_free(&r);
}

static void test_bad_options(void)
{
    assert_one_error("-no-such-option", "-no-such-option: invalid option");
    assert_one_error("-m", "requires an argument");
    assert_one_error("-m 12x", "invalid RAM size");
    assert_one_error("-m 1k", "too small");
    assert_one_error("-smp 0", "-smp 0");
    assert_one_error("-smp 4,maxcpus=2", "-smp");
    assert_one_error("-smp 2,sockets=1,cores=1,threads=1", "-smp");
    assert_one_error("-smp 999", "max CPUs");
    assert_one_error("-smp 2,bogus=1", "Invalid parameter 'bogus'");
    assert_one_error("-accel nope", "invalid accelerator nope");
    assert_one_error("-machine nope", "unsupported machine type");
    assert_one_error("-machine pc,bogus=on", "Invalid parameter 'bogus'");
    assert_one_error("-machine pc,acpi=maybe", "acpi");
    assert_one_error("-cpu nope -accel qtest", "unable to find CPU model");
    assert_one_error("-cpu qemu64,+nosuchflag -accel qtest",
                     "'nosuchflag' not found");
    assert_one_error("-d nosuchitem", "unknown log item");
    assert_one_error("-serial nosuch:thing", "not a valid char driver");
    assert_one_error("-chardev nosuch,id=x", "not a valid char driver");
    assert_one_error("-chardev file,id=x", "no filename");
    assert_one_error("-accel qtest -device nosuchdevice",
                     "'nosuchdevice' is not a valid device model name");
    assert_one_error("-display gtk", "-display gtk");
    assert_one_error("-D /nonexistent/dir/log", "cannot open log file");
    assert_one_error("-accel nope -accel qtest", "invalid accelerator nope");
    assert_one_error("-accel tcg,thread=many", "expects single or multi");
    assert_one_error("-rtc clock=foo", "-rtc clock=foo: expected host");
    assert_one_error("-rtc driftfix=x", "expected none or slew");
    assert_one_error("-rtc base=utc,bogus=1", "Invalid parameter 'bogus'");
    assert_one_error("-accel qtest -rtc base=2020-13-01",
                     "invalid RTC base '2020-13-01'");
}

static void test_help(void)
{
    struct {
        const char *args;
        const char *needle;
    } cases[] = {
        { "-h", "Usage:" },
        { "--help", "-kernel" },
        { "-version", "Ember emulator version" },
        { "-machine help", "pc" },
        { "-cpu help", "qemu64" },
        { "-d help", "guest_errors" },
        { "-device help", "Available devices" },
        { "-chardev help", "stdio" },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        Run r = run(cases[i].args);
        g_assert_cmpint(r.status, ==, 0);
        if (!strstr(r.out, cases[i].needle)) {
            g_printerr("'%s' output lacks '%s'\n", cases[i].args,
                       cases[i].needle);
        }
        g_assert_nonnull(strstr(r.out, cases[i].needle));
        run_free(&r);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/bad-options", test_bad_options);
    g_test_add_func("/cmdline/help", test_help);
    return g_test_run();
}
