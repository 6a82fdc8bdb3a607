/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 front end's helpers: prototypes (helper_NAME) and call
 * descriptions (hinfo_NAME) from the list in helper.def.
 */
#ifndef TARGET_X86_TCG_HELPER_H
#define TARGET_X86_TCG_HELPER_H

#include "ember/osdep.h"
#include "tcg/tcg.h"

#define HRET_R uint64_t
#define HRET_V void
#define DEF_HELPER(NAME, FLAGS, RET, NIN, PROTO) \
    HRET_##RET helper_##NAME PROTO;              \
    extern const TCGHelperInfo hinfo_##NAME;
#include "helper.def"
#undef DEF_HELPER

#endif
