#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The API as PyGObject shows it: no method of ours hides one of GObject's,
# and client.disconnect(handler_id) is GObject's: it removes a handler and
# leaves the bot connected.
#
# Environment: MOCK_GATEWAY, GI_TYPELIB_PATH and LD_LIBRARY_PATH, as for
# test-python.py. Exit status 0 = pass.

import inspect
import os
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('DGateway', '1')
from gi.repository import DGateway, GLib, GObject  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testutils  # noqa: E402
from testutils import check, guarded  # noqa: E402

N_EVENTS = 6
TIMEOUT_MS = 20000


def check_names():
    gobject_names = {name for name in dir(GObject.Object) if not name.startswith('_')}
    clashes = []
    classes = 0
    for name in dir(DGateway):
        cls = getattr(DGateway, name)
        if not (inspect.isclass(cls) and issubclass(cls, GObject.Object)):
            continue
        classes += 1
        for attr in vars(cls):
            if attr in gobject_names and callable(getattr(cls, attr)):
                clashes.append(f'DGateway.{name}.{attr}')
    check(classes > 100, f'only {classes} classes found in DGateway')
    check(not clashes, f'methods that hide GObject.Object\'s: {clashes}')


def check_disconnect_handler():
    url = testutils.start_mock('--events', str(N_EVENTS), '--rate', '20',
                               '--interval', '1000')
    loop = GLib.MainLoop()
    client = DGateway.Client.new('test-token', DGateway.Intents.GUILD_MESSAGES)
    client.props.gateway_url = url
    counts = {'removed': 0, 'kept': 0}

    def on_removed(_client, _event):
        counts['removed'] += 1
        return False

    def on_kept(_client, _event):
        counts['kept'] += 1
        if counts['kept'] == 1:
            # GObject's disconnect(): the handler goes, the bot stays.
            client.disconnect(removed_id)
            check(not GObject.signal_handler_is_connected(client, removed_id),
                  'disconnect(handler_id) left the handler connected')
        if counts['kept'] == N_EVENTS:
            GLib.idle_add(loop.quit)
        return False

    removed_id = client.connect('dispatch::MESSAGE_CREATE', guarded(on_removed))
    client.connect('dispatch::MESSAGE_CREATE', guarded(on_kept))
    client.connect_async(None, None)
    testutils.fail_after(TIMEOUT_MS, lambda: f'timed out: {counts}')
    loop.run()

    check(counts['removed'] == 1, f'the removed handler ran {counts["removed"]} times')
    check(client.props.state == DGateway.State.CONNECTED,
          f'state after disconnect(handler_id) is {client.props.state}')
    client.close()
    check(client.props.state == DGateway.State.DISCONNECTED,
          f'state after close() is {client.props.state}')
    testutils.stop_mock()


def main():
    check_names()
    check_disconnect_handler()
    print('PASS')
    return 0


if __name__ == '__main__':
    testutils.run(main)
