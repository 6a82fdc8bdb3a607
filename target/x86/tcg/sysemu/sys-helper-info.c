/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The call descriptions of the helpers listed in sys-helper.def. */
#include "ember/osdep.h"
#include "sys-helper.h"

#define HOUT_R true
#define HOUT_V false
#define DEF_HELPER(NAME, FLAGS, RET, NIN, PROTO)                         \
    const TCGHelperInfo hinfo_##NAME = {                                 \
        .func = (void *)helper_##NAME, .name = #NAME, .flags = (FLAGS),  \
        .nb_in = (NIN), .has_out = HOUT_##RET,                           \
    };
#include "sys-helper.def"
