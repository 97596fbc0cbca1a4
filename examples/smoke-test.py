#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Smoke tests of the examples (meson test --suite examples).

    smoke-test.py NAME -- COMMAND [ARGUMENT...]

runs the example COMMAND for a few seconds against the example gateway
(EXAMPLE_GATEWAY), the mock gateway (MOCK_GATEWAY) for the monitor, or its
own mock for the demo, and checks what it printed, its exit status and what
the gateway received:

  demo      prints MESSAGE_CREATE events as JSON lines
  ping-bot  answers each "!ping" with a presence update (opcode 3)
  notifier  sends a notification for each direct message and mention, to a
            fake notification server on the session bus (run it under
            dbus-run-session), and exports its status there
  monitor   shows the state, the latency and the guilds of its cache with
            their channels, and why it failed when the gateway refuses its
            token (run it under xvfb-run); with SMOKE_SCREENSHOT=FILE.png,
            takes a screenshot before it quits

DISCORD_TOKEN is removed from the examples' environment: they never reach
Discord from here.
"""

import json
import os
import shutil
import sys

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

TIMEOUT_S = 40

NOTIFICATIONS_XML = '''
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/>
      <arg type="u" direction="in"/>
      <arg type="s" direction="in"/>
      <arg type="s" direction="in"/>
      <arg type="s" direction="in"/>
      <arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/>
      <arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification">
      <arg type="u" direction="in"/>
    </method>
    <method name="GetCapabilities">
      <arg type="as" direction="out"/>
    </method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/>
      <arg type="s" direction="out"/>
      <arg type="s" direction="out"/>
      <arg type="s" direction="out"/>
    </method>
  </interface>
</node>
'''

NOTIFIER_NAME = 'org.gnome.DGateway.Example.Notifier'
NOTIFIER_STATUS_PATH = '/org/gnome/DGateway/Example/Notifier/Gateway'


def fail(message):
    print(f'FAIL: {message}', file=sys.stderr)
    sys.exit(1)


class Smoke:
    def __init__(self, name, command):
        self.name = name
        self.command = command
        self.loop = GLib.MainLoop()
        self.gateway = None
        self.gateway_lines = None
        self.commands = []          # JSON commands the gateway received
        self.status = None
        self.stdout = ''
        self.timed_out = False

    # The example gateway, logging the commands clients send.

    def start_gateway(self, *options, variable='EXAMPLE_GATEWAY'):
        path = os.environ.get(variable)
        if not path:
            fail(f'{variable} is not set')
        # Only the example gateway logs commands; the mock prints its URL only.
        log = ['--log-commands'] if variable == 'EXAMPLE_GATEWAY' else []
        self.gateway = Gio.Subprocess.new(
            [path, *log, '--exit-on-stdin-eof', *options],
            Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDIN_PIPE)
        self.gateway_lines = Gio.DataInputStream.new(self.gateway.get_stdout_pipe())
        url, _ = self.gateway_lines.read_line_utf8(None)
        if not url or not url.startswith('ws://'):
            fail(f'the gateway printed no URL: {url!r}')
        self.gateway_lines.read_line_async(GLib.PRIORITY_DEFAULT, None, self.on_gateway_line)
        return url

    def on_gateway_line(self, stream, result):
        try:
            line, _ = stream.read_line_finish_utf8(result)
        except GLib.Error:
            return
        if line is None:
            return
        self.commands.append(json.loads(line))
        stream.read_line_async(GLib.PRIORITY_DEFAULT, None, self.on_gateway_line)

    def stop_gateway(self):
        if self.gateway is not None:
            self.gateway.get_stdin_pipe().close(None)
            self.gateway.wait(None)

    # The example.

    def run(self, arguments, expected_status=0):
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDOUT_PIPE)
        launcher.unsetenv('DISCORD_TOKEN')
        argv = [*self.command, *arguments]
        print('running:', ' '.join(argv), flush=True)
        process = launcher.spawnv(argv)
        process.communicate_utf8_async(None, None, self.on_exited)

        def give_up():
            self.timed_out = True
            process.force_exit()
            return GLib.SOURCE_REMOVE

        timeout = GLib.timeout_add_seconds(TIMEOUT_S, give_up)
        self.loop.run()
        if not self.timed_out:
            GLib.source_remove(timeout)
        # Let the gateway's last lines arrive.
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass

        print(self.stdout, end='', flush=True)
        if self.timed_out:
            fail(f'{self.name} did not exit within {TIMEOUT_S} s')
        if self.status != expected_status:
            fail(f'{self.name} exited with status {self.status}, not {expected_status}')

    def on_exited(self, process, result):
        _, self.stdout, _ = process.communicate_utf8_finish(result)
        self.status = process.get_exit_status() if process.get_if_exited() else -1
        self.loop.quit()

    def lines(self, prefix):
        return [line for line in self.stdout.splitlines() if line.startswith(prefix)]


def smoke_demo(smoke):
    smoke.run(['--count', '5', '--timeout', '30'])
    messages = [line for line in smoke.stdout.splitlines() if '"t":"MESSAGE_CREATE"' in line]
    for line in messages:
        json.loads(line)
    if len(messages) < 3:
        fail(f'expected at least 3 MESSAGE_CREATE lines, got {len(messages)}')


def smoke_ping_bot(smoke):
    url = smoke.start_gateway('--period', '200', '--interval', '1000')
    smoke.run(['--gateway-url', url, '--count', '2', '--timeout', '30'])
    smoke.stop_gateway()

    answers = smoke.lines('!ping from dave')
    if len(answers) != 2:
        fail(f'expected 2 answers, got {len(answers)}')
    presences = [c['d'] for c in smoke.commands if c['op'] == 3]
    states = [p['activities'][0].get('state', '') for p in presences if p['activities']]
    print('presence updates seen by the gateway:', states)
    if len(presences) != 2 or not all(s.startswith('pong #') for s in states):
        fail(f'expected 2 presence updates with "pong #N", got {presences}')
    if any(p['status'] != 'online' for p in presences):
        fail(f'expected status "online": {presences}')


class FakeNotifications:
    """org.freedesktop.Notifications on the session bus, recording Notify."""

    def __init__(self, connection, on_notify):
        self.calls = []
        self.on_notify = on_notify
        info = Gio.DBusNodeInfo.new_for_xml(NOTIFICATIONS_XML).interfaces[0]
        connection.register_object('/org/freedesktop/Notifications', info,
                                   self.on_method_call, None, None)
        Gio.bus_own_name_on_connection(connection, 'org.freedesktop.Notifications',
                                       Gio.BusNameOwnerFlags.NONE, None, None)

    def on_method_call(self, connection, sender, path, interface, method,
                       parameters, invocation):
        if method == 'Notify':
            app, _replaces, _icon, summary, body, _actions, _hints, _timeout = \
                parameters.unpack()
            self.calls.append((summary, body))
            print(f'Notify: {summary}: {body}', flush=True)
            invocation.return_value(GLib.Variant('(u)', (len(self.calls),)))
            self.on_notify()
        elif method == 'GetCapabilities':
            invocation.return_value(GLib.Variant('(as)', (['body', 'actions'],)))
        elif method == 'GetServerInformation':
            invocation.return_value(GLib.Variant('(ssss)', ('smoke', 'libdgateway', '1', '1.2')))
        else:
            invocation.return_value(None)


def smoke_notifier(smoke):
    if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        fail('no session bus: run this under dbus-run-session')
    connection = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    statuses = []

    def read_status():
        # The notifier exports its client's status; read it while it runs.
        def done(connection, result):
            try:
                reply = connection.call_finish(result)
                statuses.append(reply.unpack()[0])
            except GLib.Error as error:
                statuses.append(error.message)

        connection.call(NOTIFIER_NAME, NOTIFIER_STATUS_PATH,
                        'org.freedesktop.DBus.Properties', 'GetAll',
                        GLib.Variant('(s)', ('org.gnome.DGateway1.Status',)),
                        GLib.VariantType('(a{sv})'), Gio.DBusCallFlags.NONE, 5000,
                        None, done)

    fake = FakeNotifications(connection, read_status)
    url = smoke.start_gateway('--period', '200', '--interval', '1000')
    smoke.run(['--gateway-url', url, '--quit-after', '3', '--timeout', '30'])
    smoke.stop_gateway()

    summaries = [summary for summary, _ in fake.calls]
    if len(summaries) != 3:
        fail(f'expected 3 notifications, got {summaries}')
    if 'Message from bob' not in summaries:
        fail(f'no notification for the direct message: {summaries}')
    # The cache knows carol's nick, the channel and the guild.
    if 'Carol in #general (Example guild)' not in summaries:
        fail(f'no notification for the mention: {summaries}')
    bodies = [body for _, body in fake.calls]
    if '@Mock Bot can you check the build?' not in bodies:
        fail(f'the mention of the bot is not shown by name: {bodies}')
    if len(smoke.lines('notification: ')) != 3:
        fail('the notifier did not print its 3 notifications')
    if not statuses or not isinstance(statuses[0], dict):
        fail(f'could not read the exported status: {statuses}')
    print('exported status:', statuses[0])
    if statuses[0].get('State') != 'connected':
        fail(f'the exported state is not "connected": {statuses[0]}')


def smoke_monitor(smoke):
    if not os.environ.get('DISPLAY'):
        fail('no display: run this under xvfb-run')
    screenshot = os.environ.get('SMOKE_SCREENSHOT')
    if screenshot:
        def take():
            os.system(f'import -window root {screenshot}')
            print('screenshot:', screenshot, flush=True)
            return GLib.SOURCE_REMOVE
        if shutil.which('import'):
            GLib.timeout_add(4500, take)

    # Three guilds for the sidebar, and a connection closed after 80
    # messages (every 2 s) for a reconnection.
    url = smoke.start_gateway('--interval', '250', '--forever-events', '--rate', '40',
                              '--close-after', '80', '--guilds', '3', '--members', '5',
                              variable='MOCK_GATEWAY')
    smoke.run(['--gateway-url', url, '--timeout', '5'])
    smoke.stop_gateway()

    states = [line.split(': ', 1)[1] for line in smoke.lines('state: ')]
    if 'connected' not in states:
        fail(f'the monitor never showed "connected": {states}')
    if states.index('connected') == len(states) - 1 or \
            'connected' not in states[states.index('connected') + 1:]:
        fail(f'the monitor did not show a reconnection: {states}')
    if len(smoke.lines('latency: ')) < 3:
        fail('expected at least 3 latency samples')

    # What the sidebar's models held: the guilds, and the channel tree of
    # the guild selected (10 channels in the mock's guilds).
    guilds = [int(line.split(': ', 1)[1]) for line in smoke.lines('guilds: ')]
    if not guilds or guilds[-1] != 3:
        fail(f'expected the sidebar to list 3 guilds: {guilds}')
    channels = [int(line.split(': ', 1)[1]) for line in smoke.lines('channels: ')]
    if not channels or channels[-1] < 10:
        fail(f'expected the channel tree of the selected guild: {channels}')
    if smoke.lines('reason: '):
        fail('the monitor showed a failure while connected')

    smoke_monitor_failed(Smoke(smoke.name, smoke.command))


def smoke_monitor_failed(smoke):
    """A gateway that refuses the token: the monitor fails and says why."""
    url = smoke.start_gateway('--token', 'another-token', variable='MOCK_GATEWAY')
    smoke.run(['--gateway-url', url, '--timeout', '3'], expected_status=1)
    smoke.stop_gateway()

    # Quitting closes the client: "disconnected" comes last.
    states = [line.split(': ', 1)[1] for line in smoke.lines('state: ')]
    if 'failed' not in states or 'connected' in states:
        fail(f'the monitor did not fail: {states}')
    reasons = smoke.lines('reason: ')
    if len(reasons) != 1 or 'authentication' not in reasons[0].lower():
        fail(f'expected the reason of the failure once: {reasons}')


def main():
    if len(sys.argv) < 4 or sys.argv[2] != '--':
        fail(f'usage: {sys.argv[0]} NAME -- COMMAND [ARGUMENT...]')
    name, command = sys.argv[1], sys.argv[3:]
    checks = {
        'demo': smoke_demo,
        'ping-bot': smoke_ping_bot,
        'notifier': smoke_notifier,
        'monitor': smoke_monitor,
    }
    if name not in checks:
        fail(f'unknown example {name}')
    checks[name](Smoke(name, command))
    print(f'{name}: ok')


if __name__ == '__main__':
    main()
