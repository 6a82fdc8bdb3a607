/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Several CPUs: start the APs with INIT-SIPI-SIPI (lib/smp.c); each
 * records its APIC ID. Run with "-smp N -append cpus=N"; "nopause=1"
 * sends the IPIs back to back.
 */
#include "guest.h"

static volatile unsigned seen[GUEST_MAX_CPUS];

static void ap_main(unsigned index)
{
    seen[index] = cpu_apic_id() + 1;
}

void guest_main(void)
{
    unsigned n = cmdline_int("cpus", 2);
    unsigned got;

    smp_no_pause = cmdline_int("nopause", 0);
    got = smp_start_aps(n, ap_main);
    bool distinct = true;

    report(got == n - 1, "%u application processors started", n - 1);
    seen[0] = cpu_apic_id() + 1;
    for (unsigned i = 0; i < n && i < GUEST_MAX_CPUS; i++) {
        for (unsigned j = 0; j < i; j++) {
            distinct &= seen[i] != seen[j];
        }
        distinct &= seen[i] != 0;
        report_info("cpu %u: APIC ID %d", i, (int)seen[i] - 1);
    }
    report(distinct, "every CPU has its own APIC ID");
}
