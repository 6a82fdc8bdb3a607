/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prototypes and call descriptions of the system helpers. */
#ifndef TARGET_X86_TCG_SYSEMU_SYS_HELPER_H
#define TARGET_X86_TCG_SYSEMU_SYS_HELPER_H

#include "ember/osdep.h"
#include "tcg/tcg.h"

#define HRET_R uint64_t
#define HRET_V void
#define DEF_HELPER(NAME, FLAGS, RET, NIN, PROTO) \
    HRET_##RET helper_##NAME PROTO;              \
    extern const TCGHelperInfo hinfo_##NAME;
#include "sys-helper.def"
#undef DEF_HELPER
#undef HRET_R
#undef HRET_V

#endif
