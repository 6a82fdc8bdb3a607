#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the x86 decoder table from insns.txt (see the file's header).

Output: a C fragment with
  - prototypes of the gen_* functions the table names,
  - x86_insn_table[]: one X86OpEntry per line, grouped by (map, opcode)
    with the most specific entries first,
  - x86_insn_index[map][opcode] = { first, count }.
"""
import sys

MAPS = {'': 0, '0f': 1, '0f38': 2, '0f3a': 3}
PREFIXES = {'np': 'PFX_NP', '66': 'PFX_66', 'f3': 'PFX_F3', 'f2': 'PFX_F2'}

# Operand letters (Intel SDM vol. 2, appendix A.2) -> kind.
KINDS = {
    'E': 'OPK_E', 'G': 'OPK_G', 'M': 'OPK_M', 'R': 'OPK_R', 'I': 'OPK_I',
    'J': 'OPK_J', 'O': 'OPK_O', 'Z': 'OPK_Z', 'V': 'OPK_V', 'W': 'OPK_W',
    'U': 'OPK_U', 'H': 'OPK_H', 'B': 'OPK_B', 'N': 'OPK_N', 'P': 'OPK_P',
    'Q': 'OPK_Q', 'S': 'OPK_S', 'C': 'OPK_C', 'D': 'OPK_D', 'X': 'OPK_X',
    'Y': 'OPK_Y', 'L': 'OPK_L',
}
SIZES = {
    'b': 'SZ_B', 'w': 'SZ_W', 'd': 'SZ_D', 'q': 'SZ_Q', 'v': 'SZ_V',
    'z': 'SZ_Z', 'y': 'SZ_Y', 'x': 'SZ_X', 'dq': 'SZ_DQ', 'ss': 'SZ_D',
    'sd': 'SZ_Q', 'ps': 'SZ_X', 'pd': 'SZ_X', 'p': 'SZ_P', '': 'SZ_NONE',
    'qq': 'SZ_QQ', 'a': 'SZ_A',
}
# Fixed registers: name -> (register number, size).
FIXED = {
    'AL': (0, 'b'), 'CL': (1, 'b'), 'DL': (2, 'b'), 'AX': (0, 'w'),
    'DX': (2, 'w'), 'eAX': (0, 'v'), 'rAX': (0, 'v'), 'rCX': (1, 'v'),
    'rDX': (2, 'v'), 'EAX': (0, 'd'), 'ECX': (1, 'd'), 'EDX': (2, 'd'),
    'XMM0': (0, 'x'),
}
FEATURES = {
    'sse': ('FEAT_1_EDX', 'CPUID_SSE'),
    'sse2': ('FEAT_1_EDX', 'CPUID_SSE2'),
    'mmx': ('FEAT_1_EDX', 'CPUID_MMX'),
    'cmov': ('FEAT_1_EDX', 'CPUID_CMOV'),
    'cx8': ('FEAT_1_EDX', 'CPUID_CX8'),
    'fxsr': ('FEAT_1_EDX', 'CPUID_FXSR'),
    'clflush': ('FEAT_1_EDX', 'CPUID_CLFLUSH'),
    'sse3': ('FEAT_1_ECX', 'CPUID_EXT_SSE3'),
    'ssse3': ('FEAT_1_ECX', 'CPUID_EXT_SSSE3'),
    'sse41': ('FEAT_1_ECX', 'CPUID_EXT_SSE41'),
    'sse42': ('FEAT_1_ECX', 'CPUID_EXT_SSE42'),
    'pclmulqdq': ('FEAT_1_ECX', 'CPUID_EXT_PCLMULQDQ'),
    'aes': ('FEAT_1_ECX', 'CPUID_EXT_AES'),
    'cx16': ('FEAT_1_ECX', 'CPUID_EXT_CX16'),
    'movbe': ('FEAT_1_ECX', 'CPUID_EXT_MOVBE'),
    'popcnt': ('FEAT_1_ECX', 'CPUID_EXT_POPCNT'),
    'rdrand': ('FEAT_1_ECX', 'CPUID_EXT_RDRAND'),
    'xsave': ('FEAT_1_ECX', 'CPUID_EXT_XSAVE'),
    'bmi1': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_BMI1'),
    'bmi2': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_BMI2'),
    'adx': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_ADX'),
    'rdseed': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_RDSEED'),
    'fsgsbase': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_FSGSBASE'),
    'clflushopt': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_CLFLUSHOPT'),
    'sha': ('FEAT_7_0_EBX', 'CPUID_7_0_EBX_SHA_NI'),
    'rdpid': ('FEAT_7_0_ECX', 'CPUID_7_0_ECX_RDPID'),
    'lzcnt': ('FEAT_8000_0001_ECX', 'CPUID_EXT3_ABM'),
    'lahf': ('FEAT_8000_0001_ECX', 'CPUID_EXT3_LAHF_LM'),
    'rdtscp': ('FEAT_8000_0001_EDX', 'CPUID_EXT2_RDTSCP'),
    'prefetchw': ('FEAT_8000_0001_ECX', 'CPUID_EXT3_3DNOWPREFETCH'),
}
FLAGS = {
    'lock': 'F_LOCKOK', 'd64': 'F_D64', 'f64': 'F_F64', 'i64': 'F_I64',
    'rep': 'F_REP', 'nomodrm': 'F_NOMODRM', 'vex': 'F_VEX',
    'vexonly': 'F_VEX_ONLY', 'l0': 'F_L0', 'w0': 'F_W0', 'w1': 'F_W1',
    'end': 'F_END', 'noseg': 'F_NOSEG', 'modrm': 'F_MODRM',
    'sys': 'F_SYS', 'o64': 'F_O64',
}
MODRM_KINDS = set('EGMRVWUNPQSCDL')


def die(lineno, msg):
    sys.stderr.write('insns.txt:%d: %s\n' % (lineno, msg))
    sys.exit(1)


def parse_operand(tok, lineno):
    if tok in FIXED:
        reg, size = FIXED[tok]
        return ('OPK_FIXREG', SIZES[size], reg)
    if tok == '1':
        return ('OPK_ONE', 'SZ_B', 0)
    if tok[0] in KINDS:
        size = tok[1:]
        if size not in SIZES:
            die(lineno, 'unknown operand size in %r' % tok)
        return (KINDS[tok[0]], SIZES[size], 0)
    die(lineno, 'unknown operand %r' % tok)


def main():
    src, out = sys.argv[1], sys.argv[2]
    entries = []
    handlers = set()
    with open(src) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) < 4:
                die(lineno, 'need: opcode mnemonic operands handler')
            opc, name, ops, handler = fields[:4]
            attrs = fields[4:]
            # opcode: [map.]XX[/N][@mem|@reg][+N]
            mapname = ''
            if '.' in opc:
                mapname, opc = opc.split('.', 1)
            if mapname not in MAPS:
                die(lineno, 'unknown map %r' % mapname)
            rm = -1
            if '+' in opc:
                opc, rms = opc.split('+', 1)
                rm = int(rms)
            mod = 'MOD_ANY'
            if '@' in opc:
                opc, m = opc.split('@', 1)
                mod = {'mem': 'MOD_MEM', 'reg': 'MOD_REG'}[m]
            reg = -1
            if '/' in opc:
                opc, r = opc.split('/', 1)
                reg = int(r)
            opcode = int(opc, 16)
            if rm >= 0:
                mod = 'MOD_REG'
            operands = [] if ops == '-' else \
                [parse_operand(t, lineno) for t in ops.split(',')]
            if len(operands) > 4:
                die(lineno, 'too many operands')
            gen, _, arg = handler.partition(':')
            handlers.add(gen)
            prefix = 'PFX_ANY'
            flags = []
            feat = ('0', '0')
            helper = 'NULL'
            for a in attrs:
                if a in PREFIXES:
                    prefix = PREFIXES[a]
                elif a in FLAGS:
                    flags.append(FLAGS[a])
                elif a.startswith('feat='):
                    fn = a[5:]
                    if fn not in FEATURES:
                        die(lineno, 'unknown feature %r' % fn)
                    feat = FEATURES[fn]
                elif a.startswith('h='):
                    helper = '&hinfo_' + a[2:]
                else:
                    die(lineno, 'unknown attribute %r' % a)
            needs_modrm = (reg >= 0 or any(k[0][4:] in MODRM_KINDS
                                         for k in operands)) \
                and 'F_NOMODRM' not in flags
            if needs_modrm and 'F_MODRM' not in flags:
                flags.append('F_MODRM')
            entries.append(dict(map=MAPS[mapname], opcode=opcode, reg=reg,
                                rm=rm, mod=mod, prefix=prefix, name=name,
                                operands=operands, gen=gen,
                                arg=arg or '0', flags=flags, feat=feat,
                                helper=helper, lineno=lineno))

    # Most specific first: mandatory prefix, then rm, then reg, then mod.
    def key(e):
        return (e['map'], e['opcode'], e['prefix'] == 'PFX_ANY',
                e['rm'] < 0, e['reg'] < 0, e['mod'] == 'MOD_ANY',
                'F_W0' not in e['flags'] and 'F_W1' not in e['flags'],
                e['lineno'])
    entries.sort(key=key)

    with open(out, 'w') as f:
        f.write('/* Generated by gen-decode.py from insns.txt. */\n')
        for h in sorted(handlers):
            f.write('void gen_%s(DisasContext *s, X86Insn *d);\n' % h)
        f.write('\nstatic const X86OpEntry x86_insn_table[] = {\n')
        for e in entries:
            ops = list(e['operands']) + [('OPK_NONE', 'SZ_NONE', 0)] * \
                (4 - len(e['operands']))
            f.write('    { "%s", gen_%s, %s, %s,\n' %
                    (e['name'], e['gen'], e['arg'], e['helper']))
            f.write('      { %s }, { %s }, { %s },\n' % (
                ', '.join(o[0] for o in ops), ', '.join(o[1] for o in ops),
                ', '.join(str(o[2]) for o in ops)))
            f.write('      %d, 0x%02x, %s, %d, %d, %s, %s, %s, %s },\n' % (
                e['map'], e['opcode'], e['prefix'], e['reg'], e['rm'],
                e['mod'], e['feat'][0], e['feat'][1],
                ' | '.join(e['flags']) if e['flags'] else '0'))
        f.write('};\n\n')
        index = {}
        for i, e in enumerate(entries):
            k = (e['map'], e['opcode'])
            if k not in index:
                index[k] = [i, 0]
            index[k][1] += 1
        f.write('static const uint16_t x86_insn_index[4][256][2] = {\n')
        for (m, o), (first, n) in sorted(index.items()):
            f.write('    [%d][0x%02x] = { %d, %d },\n' % (m, o, first, n))
        f.write('};\n')


if __name__ == '__main__':
    main()
