#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ping-bot.py: a bot that answers "!ping" without the REST API.

Each "!ping" message is answered by a presence update on the Gateway: the
bot's custom status becomes "pong #N · LATENCY ms", which everyone in the
channel's member list sees at once.

The token comes from DISCORD_TOKEN. Without it the bot talks to the example
gateway of the build tree (DGATEWAY_EXAMPLE_GATEWAY, which `meson devenv`
sets), whose conversation has a "!ping" in it:

    meson devenv -C _build /usr/bin/python3 ../examples/ping-bot.py
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version('DGateway', '1')
from gi.repository import DGateway, Gio, GLib  # noqa: E402

INTENTS = (DGateway.Intents.GUILDS
           | DGateway.Intents.GUILD_MESSAGES
           | DGateway.Intents.DIRECT_MESSAGES
           | DGateway.Intents.MESSAGE_CONTENT)
EXAMPLE_TOKEN = 'test-token'


class PingBot:
    def __init__(self, client, loop, count):
        self.client = client
        self.loop = loop
        self.count = count
        self.pongs = 0
        self.bot_id = None
        self.status = 0

        # Typed events: a DGateway.Ready, a DGateway.Message.
        client.connect('ready', self.on_ready)
        client.connect('message-create', self.on_message)
        client.connect('notify::state', self.on_state)

    def on_ready(self, client, ready):
        self.bot_id = ready.props.user.props.id

    def on_state(self, client, pspec):
        print('state:', client.props.state.value_nick, flush=True)

    def on_message(self, client, message):
        # Never None: a payload without an author reads as an empty User.
        author = message.props.author
        if not author.props.id or author.props.id == self.bot_id or author.props.bot:
            return
        if message.props.content.strip() != '!ping':
            return

        self.pongs += 1
        text = f'pong #{self.pongs}'
        if client.props.latency >= 0:
            text += f' · {client.props.latency / 1000:.1f} ms'

        presence = DGateway.Presence.new(DGateway.Status.ONLINE)
        presence.add_activity(DGateway.ActivityType.CUSTOM, 'Custom Status', text, None)
        try:
            client.update_presence(presence)
        except GLib.Error as error:
            print(f'could not answer: {error.message}', file=sys.stderr)
            return

        print(f'!ping from {author.props.username}: status set to “{text}”', flush=True)
        if self.count and self.pongs >= self.count:
            self.loop.quit()

    def on_connected(self, client, result):
        try:
            client.connect_finish(result)
        except GLib.Error as error:
            if not error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                print(f'could not connect: {error.message}', file=sys.stderr)
                self.status = 1
                self.loop.quit()


def start_example_gateway():
    path = os.environ.get('DGATEWAY_EXAMPLE_GATEWAY')
    if not path:
        sys.exit('no token: set DISCORD_TOKEN, or DGATEWAY_EXAMPLE_GATEWAY to '
                 'the example gateway (meson devenv does)')
    mock = Gio.Subprocess.new([path, '--exit-on-stdin-eof'],
                              Gio.SubprocessFlags.STDOUT_PIPE
                              | Gio.SubprocessFlags.STDIN_PIPE)
    url, _ = Gio.DataInputStream.new(mock.get_stdout_pipe()).read_line_utf8(None)
    if not url:
        sys.exit('the example gateway printed no URL')
    return mock, url


def main():
    parser = argparse.ArgumentParser(description='Answer !ping with a presence update.')
    parser.add_argument('--gateway-url', help='connect to this gateway instead of Discord’s')
    parser.add_argument('--count', type=int, default=0, help='quit after N answers')
    parser.add_argument('--timeout', type=int, default=0, help='quit after SECONDS seconds')
    args = parser.parse_args()

    mock = None
    url = args.gateway_url
    token = os.environ.get('DISCORD_TOKEN')
    if not token:
        token = EXAMPLE_TOKEN
        if not url:
            mock, url = start_example_gateway()
        print(f'no DISCORD_TOKEN: using the gateway at {url}', flush=True)

    loop = GLib.MainLoop()
    client = DGateway.Client.new(token, INTENTS)
    if url:
        client.props.gateway_url = url
    bot = PingBot(client, loop, args.count)

    def give_up():
        print(f'timed out after {bot.pongs} answers', file=sys.stderr)
        bot.status = 1 if args.count else 0
        loop.quit()
        return GLib.SOURCE_REMOVE

    if args.timeout > 0:
        GLib.timeout_add_seconds(args.timeout, give_up)
    for signum in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)

    cancellable = Gio.Cancellable()
    client.connect_async(cancellable, bot.on_connected)
    loop.run()

    cancellable.cancel()
    client.close()
    if mock is not None:
        # Closing its stdin asks the example gateway to exit.
        mock.get_stdin_pipe().close(None)
        mock.wait(None)
    return bot.status


if __name__ == '__main__':
    sys.exit(main())
