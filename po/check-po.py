#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the translations (meson test --suite po).

    check-po.py SOURCE_ROOT

Fails if POTFILES.in misses a source file with translatable strings, or
lists one without any, or if a translation of LINGUAS is not valid for the
current sources (msgfmt --check: broken format strings, bad header).
Reports, without failing, the messages each translation has yet to
translate, as translators catch up after the code changes.
"""

import os
import re
import subprocess
import sys
import tempfile

# The gettext calls the library uses (meson's "glib" preset knows them).
CALL = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|g_dgettext|g_dngettext)\s*\(\s*"')
SOURCE_DIRS = ['dgateway']
XGETTEXT_KEYWORDS = ['--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
                     '--keyword=g_dngettext:2,3']


def read_list(path):
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip() and not line.startswith('#')]


def translatable_sources(root):
    found = set()
    for directory in SOURCE_DIRS:
        for name in sorted(os.listdir(os.path.join(root, directory))):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(directory, name)
            with open(os.path.join(root, path), encoding='utf-8') as f:
                if CALL.search(f.read()):
                    found.add(path)
    return found


def check_potfiles(root):
    listed = read_list(os.path.join(root, 'po', 'POTFILES.in'))
    found = translatable_sources(root)
    errors = []
    for path in sorted(found - set(listed)):
        errors.append(f'{path} has translatable strings but is not in po/POTFILES.in')
    for path in listed:
        if not os.path.exists(os.path.join(root, path)):
            errors.append(f'po/POTFILES.in lists {path}, which does not exist')
        elif path not in found:
            errors.append(f'po/POTFILES.in lists {path}, which has no translatable string')
    return listed, errors


def check_translation(root, language, pot, workdir):
    po = os.path.join(root, 'po', f'{language}.po')
    if not os.path.exists(po):
        return [f'LINGUAS lists {language}, but po/{language}.po does not exist']

    merged = os.path.join(workdir, f'{language}.po')
    subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot],
                   check=True)
    check = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                           capture_output=True, text=True)
    if check.returncode != 0:
        return [f'po/{language}.po: {check.stderr.strip()}']

    stats = subprocess.run(['msgfmt', '--statistics', '-o', os.devnull, merged],
                           capture_output=True, text=True).stderr.strip()
    print(f'{language}: against the current sources, {stats}')
    untranslated = subprocess.run(['msgattrib', '--untranslated', merged],
                                  capture_output=True, text=True).stdout
    fuzzy = subprocess.run(['msgattrib', '--only-fuzzy', merged],
                           capture_output=True, text=True).stdout
    for kind, text in (('untranslated', untranslated), ('fuzzy', fuzzy)):
        for msgid in re.findall(r'^msgid "(.+)"$', text, re.MULTILINE):
            print(f'  {kind}: {msgid}')
    return []


def main():
    root = sys.argv[1]
    listed, errors = check_potfiles(root)

    with tempfile.TemporaryDirectory() as workdir:
        pot = os.path.join(workdir, 'messages.pot')
        subprocess.run(['xgettext', '--from-code=UTF-8', '--language=C', '-o', pot,
                        '--directory', root, *XGETTEXT_KEYWORDS, *listed], check=True)
        for language in read_list(os.path.join(root, 'po', 'LINGUAS')):
            errors += check_translation(root, language, pot, workdir)

    for error in errors:
        print(f'FAIL: {error}', file=sys.stderr)
    print(f'{len(read_list(os.path.join(root, "po", "LINGUAS")))} translations, '
          f'{len(listed)} source files: {"ok" if not errors else "errors"}')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
