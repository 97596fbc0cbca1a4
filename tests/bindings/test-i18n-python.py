#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The uninstalled library finds its translations in the build tree, as
# under `meson devenv`: DGATEWAY_LOCALEDIR points at the built po/, and
# LANGUAGE=fr asks for French.
#
# Environment: GI_TYPELIB_PATH and LD_LIBRARY_PATH as for test-python.py,
# DGATEWAY_LOCALEDIR, LANGUAGE=fr and a locale other than C. Exit status
# 0 = pass.

import locale
import os
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('DGateway', '1')
from gi.repository import DGateway, GLib  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testutils  # noqa: E402
from testutils import check, guarded  # noqa: E402

FRENCH = ('Demandez les membres d’un serveur par une requête ou par des '
          'identifiants d’utilisateurs : aucun des deux n’a été donné')


def main():
    locale.setlocale(locale.LC_ALL, '')
    check(os.environ.get('DGATEWAY_LOCALEDIR'), 'DGATEWAY_LOCALEDIR is not set')
    loop = GLib.MainLoop()
    client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS)
    seen = []

    def on_done(obj, result):
        try:
            obj.request_guild_members_finish(result)
        except GLib.Error as error:
            seen.append(error.message)
        loop.quit()

    client.request_guild_members_async('1', None, None, 0, 0, None, guarded(on_done))
    testutils.fail_after(10000, lambda: 'timed out')
    loop.run()
    check(seen == [FRENCH], f'the error is not in French: {seen}')
    print('PASS')
    return 0


if __name__ == '__main__':
    testutils.run(main)
