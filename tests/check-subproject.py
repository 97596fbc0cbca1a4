#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that libdgateway used as a meson subproject builds only itself.

    check-subproject.py SOURCE_ROOT

Configures a parent project that takes a copy of the source tree as
subprojects/libdgateway, and fails if the library registered any test, or
defined an example, test or documentation target in the parent.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

PARENT = """project('parent', 'c', meson_version: '>= 1.0.0')
dgateway_dep = dependency('libdgateway-1', fallback: ['libdgateway', 'dgateway_dep'])
"""


def main():
    source = sys.argv[1]
    with tempfile.TemporaryDirectory() as parent:
        with open(os.path.join(parent, 'meson.build'), 'w', encoding='utf-8') as f:
            f.write(PARENT)
        shutil.copytree(source, os.path.join(parent, 'subprojects', 'libdgateway'),
                        ignore=shutil.ignore_patterns('.git', '_build*', 'build*', '__pycache__'))
        build = os.path.join(parent, '_build')
        setup = subprocess.run(['meson', 'setup', build, parent,
                                '--force-fallback-for=libdgateway-1'],
                               capture_output=True, text=True)
        if setup.returncode != 0:
            print(setup.stdout[-4000:], setup.stderr[-4000:], sep='\n')
            return 1
        tests = json.loads(subprocess.run(['meson', 'introspect', build, '--tests'],
                                          capture_output=True, text=True, check=True).stdout)
        targets = json.loads(subprocess.run(['meson', 'introspect', build, '--targets'],
                                            capture_output=True, text=True, check=True).stdout)
    problems = [f'test {t["name"]}' for t in tests]
    for target in targets:
        where = target['defined_in'].replace(os.sep, '/')
        if any(f'/libdgateway/{d}/' in where for d in ('tests', 'examples', 'docs')):
            problems.append(f'target {target["name"]} ({where})')
    if problems:
        print('the subproject builds or registers:', *problems, sep='\n  ')
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
