/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hooks between the command line (vl.c) and the machine. */
#ifndef SYSTEM_VL_H
#define SYSTEM_VL_H

#include "ember/osdep.h"

/* The system emulator's main (system/main.c calls it). */
int ember_main(int argc, char **argv);
/* -cpu help */
void vl_cpu_model_list(FILE *f);
/* -debugcon SPEC: the machine creates isa-debugcon on it. */
void vl_set_debugcon(const char *spec);
const char *vl_get_debugcon(void);
/* -qtest SPEC: the qtest accelerator's back end. */
void vl_set_qtest(const char *spec);
const char *vl_get_qtest(void);

#endif
