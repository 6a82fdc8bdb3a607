/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The smallest guest: it runs, prints, and exits with a verdict. */
#include "guest.h"

void guest_main(void)
{
    printf("Hello from a %d-bit Ember guest\n", guest_is_64bit() ? 64 : 32);
    report(true, "hello");
}
