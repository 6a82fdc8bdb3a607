/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "system/vl.h"

int main(int argc, char **argv)
{
    return ember_main(argc, argv);
}
