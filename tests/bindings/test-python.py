#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Connects to the mock gateway through the DGateway typelib, as a PyGObject
# application would, and checks events, signals and states.
#
# Environment: MOCK_GATEWAY (path of dgateway-mock-gateway), GI_TYPELIB_PATH
# and LD_LIBRARY_PATH pointing at the built library. Exit status 0 = pass.

import json
import os
import re
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('DGateway', '1')
from gi.repository import DGateway, GLib  # noqa: E402

# The shared helpers, next to this script; no bytecode in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testutils  # noqa: E402
from testutils import check, guarded  # noqa: E402

N_EVENTS = 5
STOPPED_INDEX = 2
TIMEOUT_MS = 20000


def event_content(event):
    from_node = event.get_json().get_object().get_string_member('content')
    from_json = json.loads(event.dup_data_json())['content']
    check(isinstance(from_node, str) and from_node,
          f'event {event.get_sequence()}: no content in get_json()')
    check(from_node == from_json,
          f'get_json() content {from_node!r} != dup_data_json() {from_json!r}')
    return from_node


class Test:
    def __init__(self, url):
        self.loop = GLib.MainLoop()
        self.states = []
        self.seen = []          # (sequence, content) from the first handler
        self.second_seen = []   # sequences seen by the second handler
        self.catch_all = []     # names seen by the undetailed handler
        self.ready_stopped = 0
        self.connected = False
        self.finishing = False

        self.client = DGateway.Client.new(
            'test-token',
            DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES
            | DGateway.Intents.MESSAGE_CONTENT)
        self.client.props.gateway_url = url
        self.client.props.compression = DGateway.Compression.ZSTD_STREAM
        check(self.client.props.gateway_url == url, 'gateway-url did not stick')
        check(self.client.props.state == DGateway.State.DISCONNECTED,
              f'initial state is {self.client.props.state}')

        self.client.connect('notify::state', guarded(self.on_state))
        # The first handler stops one of the events: the second must not
        # see it.
        self.client.connect('dispatch::MESSAGE_CREATE', guarded(self.on_first))
        self.client.connect('dispatch::MESSAGE_CREATE', guarded(self.on_second))
        self.client.connect('dispatch::READY', guarded(self.on_ready))
        self.client.connect('dispatch', guarded(self.on_any))

    def on_state(self, client, pspec):
        self.states.append(client.props.state)
        self.maybe_finish()

    def on_first(self, client, event):
        check(event.get_name() == 'MESSAGE_CREATE',
              f'dispatch::MESSAGE_CREATE got {event.get_name()}')
        self.seen.append((event.get_sequence(), event_content(event)))
        self.maybe_finish()
        return len(self.seen) - 1 == STOPPED_INDEX

    def on_second(self, client, event):
        self.second_seen.append(event.get_sequence())
        return False

    def on_ready(self, client, event):
        self.ready_stopped += 1
        return True

    def on_any(self, client, event):
        self.catch_all.append(event.get_name())
        return False

    def on_connected(self, client, result):
        check(client.connect_finish(result) is True,
              'connect_finish did not return True')
        check(client.props.state == DGateway.State.CONNECTED,
              f'state after connect_finish is {client.props.state}')
        self.connected = True
        self.maybe_finish()

    def timeout_message(self):
        states = [state.value_nick for state in self.states]
        return (f'timed out after {TIMEOUT_MS} ms: connected={self.connected}, '
                f'states={states}, events={self.seen}')

    def maybe_finish(self):
        if (self.finishing or not self.connected or len(self.seen) < N_EVENTS
                or self.client.props.state != DGateway.State.CONNECTED):
            return
        self.finishing = True
        GLib.idle_add(guarded(self.finish))

    def finish(self):
        self.verify()
        self.client.close()
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def verify(self):
        sequences = [seq for seq, _content in self.seen]
        check(sequences == sorted(set(sequences)),
              f'events out of order: {sequences}')
        # The mock numbers its messages from 0 in their content.
        for i, (_seq, content) in enumerate(self.seen):
            check(re.search(rf'\b{i}\b', content),
                  f'event {i} does not mention its index: {content!r}')
        expected = [seq for i, seq in enumerate(sequences) if i != STOPPED_INDEX]
        check(self.second_seen == expected,
              f'second handler saw {self.second_seen}, expected {expected}')
        check(self.ready_stopped == 1,
              f'dispatch::READY ran {self.ready_stopped} times')
        check('READY' not in self.catch_all,
              'a handler returning True for READY did not stop it')
        check(self.catch_all.count('MESSAGE_CREATE') == N_EVENTS - 1,
              f'undetailed handler saw {self.catch_all}')
        check(DGateway.State.CONNECTING in self.states,
              f'notify::state never said CONNECTING: {self.states}')
        check(DGateway.State.CONNECTED in self.states,
              f'notify::state never said CONNECTED: {self.states}')

    def run(self):
        self.client.connect_async(None, guarded(self.on_connected))
        testutils.fail_after(TIMEOUT_MS, self.timeout_message)
        self.loop.run()
        check(self.client.props.state == DGateway.State.DISCONNECTED,
              f'state after disconnect is {self.client.props.state}')


def main():
    test = Test(testutils.start_mock('--events', str(N_EVENTS), '--interval', '1000'))
    test.run()
    testutils.stop_mock()
    states = [state.value_nick for state in test.states]
    print(f'PASS: {len(test.seen)} events, states {states}')
    return 0


if __name__ == '__main__':
    testutils.run(main)
