#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generates the typed payload classes and signals of libdgateway from the
schema in data/, as gdbus-codegen does from D-Bus XML.

  gen-typed.py --data DIR --output-dir DIR --sources N
      dgateway-typed.h, dgateway-typed-private.h, dgateway-typed-events.c
      and dgateway-typed-classes-0.c ... (N sources, to compile in parallel)
  gen-typed.py --data DIR --fixtures FILE
      the test fixtures: a payload for every event, in three flavours
"""

import argparse
import os
import sys

# Build time only: leave no __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from typedgen.model import Schema, SchemaError  # noqa: E402
from typedgen.cgen import CWriter  # noqa: E402


def write(path, text):
    """Writes only when the text changed, so that ninja rebuilds no more
    than it must."""
    try:
        with open(path, encoding='utf-8') as fp:
            if fp.read() == text:
                return
    except OSError:
        pass
    with open(path, 'w', encoding='utf-8') as fp:
        fp.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', required=True, help='the directory of the schema')
    parser.add_argument('--output-dir', help='where the library sources go')
    parser.add_argument('--sources', type=int, default=4,
                        help='how many sources the classes are split in')
    parser.add_argument('--fixtures', help='where the test fixtures go')
    args = parser.parse_args()

    try:
        schema = Schema(args.data)
    except SchemaError as e:
        print(f'gen-typed.py: {e}', file=sys.stderr)
        return 1

    if args.output_dir:
        c = CWriter(schema)
        out = args.output_dir
        write(os.path.join(out, 'dgateway-typed.h'), c.header())
        write(os.path.join(out, 'dgateway-typed-private.h'), c.private_header())
        write(os.path.join(out, 'dgateway-typed-events.c'), c.events_source())
        for i, classes in enumerate(c.chunks(args.sources)):
            write(os.path.join(out, f'dgateway-typed-classes-{i}.c'), c.source(classes))

    if args.fixtures:
        from typedgen.fixtures import FixtureWriter
        write(args.fixtures, FixtureWriter(schema).source())

    return 0


if __name__ == '__main__':
    sys.exit(main())
