#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Register ember-x86_64 with the kernel's binfmt_misc, so that x86-64
# ELF programs run under it when executed directly (useful on a
# non-x86-64 host, or to run x86-64 programs under the translator in a
# chroot). Needs root.
#
#   scripts/binfmt-register.sh [--ember PATH] [--name NAME] [--remove]
#
# The entry matches the ELF header of an x86-64 executable (ELFCLASS64,
# little-endian, ET_EXEC or ET_DYN, EM_X86_64). Flag F opens the
# interpreter at registration time, so it also works inside chroots and
# containers; P keeps argv[0] as the program gave it (ember-x86_64 is
# then called with the full path and the original argv[0]).
#
# On an x86-64 host, registering this makes every x86-64 program run
# under the translator, including this script's own shell: do that only
# in a throw-away environment.
set -e

ember=$(command -v ember-x86_64 || true)
name=ember-x86_64
remove=0

while [ $# -gt 0 ]; do
    case "$1" in
    --ember) ember=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --remove) remove=1; shift ;;
    -h|--help)
        sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'
        exit 0 ;;
    *) echo "binfmt-register.sh: unknown argument '$1'" >&2; exit 1 ;;
    esac
done

dir=/proc/sys/fs/binfmt_misc
if [ ! -w "$dir/register" ]; then
    if ! mount | grep -q "$dir"; then
        mount binfmt_misc -t binfmt_misc "$dir" 2>/dev/null || true
    fi
fi
if [ ! -w "$dir/register" ]; then
    echo "binfmt-register.sh: $dir/register is not writable (root?)" >&2
    exit 1
fi

if [ -e "$dir/$name" ]; then
    echo -1 > "$dir/$name"
fi
if [ "$remove" = 1 ]; then
    echo "removed $name"
    exit 0
fi

if [ -z "$ember" ] || [ ! -x "$ember" ]; then
    echo "binfmt-register.sh: no ember-x86_64 (use --ember PATH)" >&2
    exit 1
fi
ember=$(readlink -f "$ember")

# e_ident[0..6], e_type (2 or 3, low byte masked to accept both), e_machine 62
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
printf ':%s:M::%s:%s:%s:FP\n' "$name" "$magic" "$mask" "$ember" \
    > "$dir/register"
echo "registered $name -> $ember"
cat "$dir/$name"
