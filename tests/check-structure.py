#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Calls go down, news goes up: a shard is made from its configuration and
# reports through its signals, so dgateway-shard.c includes no client header
# and calls no function of the client. This keeps it so.

import pathlib
import re
import sys

source_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
failures = []

for name in ('dgateway-shard.c', 'dgateway-shard-private.h', 'dgateway-shard-config.c',
             'dgateway-shard-config-private.h', 'dgateway-policy.c'):
    # Comments may name the client; code may not.
    text = re.sub(r'/\*.*?\*/', '', (source_dir / 'dgateway' / name).read_text(), flags=re.S)
    for include in re.findall(r'#include\s+[<"]([^>"]+)[>"]', text):
        if 'dgateway-client' in include:
            failures.append(f'{name} includes {include}')
    for call in sorted(set(re.findall(r'\bdgateway_client_\w+', text))):
        failures.append(f'{name} uses {call}')

for failure in failures:
    print(f'FAIL: {failure}', file=sys.stderr)
print(f'{len(failures)} structure violations')
sys.exit(1 if failures else 0)
