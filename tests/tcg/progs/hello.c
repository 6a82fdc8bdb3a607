/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The smallest test: arguments in, a line and an exit status out. */
#include <stdio.h>
int main(int argc, char **argv) { printf("hello %d %s\n", argc, argv[0]); return 3; }
