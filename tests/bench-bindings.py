#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench-bindings.py URL HANDLER [COUNT]: one PyGObject run of
# `dgateway-benchmark --mode bindings`, the twin of bench-bindings.js (see
# there): the same client, the same handlers (`typed` reads two fields of
# the message-create payload, `json` calls get_json() in a dispatch
# handler), no explicit collection, and the same RESULT line at
# BENCHMARK_DONE, or after COUNT MESSAGE_CREATEs.

import resource
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Json', '1.0')
gi.require_version('DGateway', '1')
from gi.repository import DGateway, GLib, Json  # noqa: E402

TIMEOUT_SECONDS = 900


def cpu_us():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1e6)


def rss_kib():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


class Run:
    def __init__(self, url, handler, count):
        self.loop = GLib.MainLoop()
        self.status = 1
        self.checksum = 0
        self.count = count
        self.messages = 0
        self.start = None
        self.client = DGateway.Client(
            token='test-token',
            intents=(DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES
                     | DGateway.Intents.MESSAGE_CONTENT),
            gateway_url=url)
        self.client.connect('dispatch::READY', self.on_ready)
        self.client.connect('dispatch::BENCHMARK_DONE', self.on_done)
        if handler == 'typed':
            self.client.connect('message-create', self.on_message)
        elif handler == 'json':
            self.client.connect('dispatch::MESSAGE_CREATE', self.on_dispatch)
        else:
            raise SystemExit(f'bench-bindings.py: unknown handler "{handler}"')
        self.client.connect('connection-lost', self.on_connection_lost)

    def fail(self, message):
        print(f'bench-bindings.py: {message}', file=sys.stderr)
        self.loop.quit()

    def on_ready(self, client, event):
        self.start = (GLib.get_monotonic_time(), cpu_us(), rss_kib(), client.props.events_received)
        return False

    def finish(self, expected, extra):
        time, cpu = GLib.get_monotonic_time(), cpu_us()
        # The counters include READY, and BENCHMARK_DONE when it ends the run.
        events = self.client.props.events_received - self.start[3] - extra
        print(f'RESULT {events} {time - self.start[0]} {cpu - self.start[1]} '
              f'{self.start[2]} {expected}', flush=True)
        self.status = 0 if self.checksum > 0 else 1
        self.loop.quit()

    def counted(self):
        self.messages += 1
        if self.messages == self.count:
            self.finish(self.count, 0)

    def on_done(self, client, event):
        self.finish(event.get_json().get_object().get_int_member('events'), 1)
        return False

    def on_message(self, client, message):
        self.checksum += len(message.props.content) + len(message.props.author.props.username)
        self.counted()

    def on_dispatch(self, client, event):
        d = event.get_json()
        if d is not None and d.get_node_type() == Json.NodeType.OBJECT:
            self.checksum += len(d.get_object().get_string_member_with_default('content', ''))
        self.counted()
        return False

    def on_connection_lost(self, client, shard, error):
        self.fail(f'connection lost during the run: {error.message}')

    def on_connected(self, client, result):
        try:
            client.connect_finish(result)
        except GLib.Error as error:
            self.fail(f'could not connect: {error.message}')

    def on_timeout(self):
        self.fail(f'no BENCHMARK_DONE after {TIMEOUT_SECONDS} s')
        return GLib.SOURCE_REMOVE

    def run(self):
        self.client.connect_async(None, self.on_connected)
        GLib.timeout_add_seconds(TIMEOUT_SECONDS, self.on_timeout)
        self.loop.run()
        self.client.close()
        return self.status


if __name__ == '__main__':
    if len(sys.argv) not in (3, 4):
        raise SystemExit('usage: bench-bindings.py URL HANDLER [COUNT]')
    sys.exit(Run(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else 0).run())
