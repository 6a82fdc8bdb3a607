/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
int ember_main(int argc, char **argv);
int ember_main(int argc, char **argv)
{
    return 0;
}
