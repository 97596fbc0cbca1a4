# SPDX-License-Identifier: LGPL-2.1-or-later
#
# DGateway.Cache through the typelib, as a PyGObject application uses it:
# walks the guild -> channel models (and the channel tree) and sees a
# property of a cached channel change in place after a CHANNEL_UPDATE. The
# gateway is a minimal one written here on Soup.Server.
#
# Environment: GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the built
# library. Exit status 0 = pass.

import json
import os
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('DGateway', '1')
from gi.repository import DGateway, Gio, GLib, Soup  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testutils  # noqa: E402
from testutils import check, guarded  # noqa: E402

TIMEOUT_MS = 15000
GUILD_ID = '1100000000000000100'
ALICE = '80351110224678912'


def user(id, name):
    return {'id': id, 'username': name, 'discriminator': '0', 'global_name': None, 'avatar': None}


GUILD = {
    'id': GUILD_ID, 'name': 'Test guild', 'icon': None, 'owner_id': ALICE, 'large': False,
    'member_count': 1,
    'channels': [
        {'id': '1100000000000000300', 'type': 4, 'name': 'Text', 'position': 0},
        {'id': '1100000000000000201', 'type': 0, 'name': 'random', 'position': 1,
         'parent_id': '1100000000000000300'},
        {'id': '1100000000000000200', 'type': 0, 'name': 'general', 'position': 0,
         'parent_id': '1100000000000000300'},
    ],
    'roles': [{'id': GUILD_ID, 'name': '@everyone', 'permissions': '0', 'position': 0, 'color': 0},
              {'id': '1100000000000000500', 'name': 'red', 'permissions': '0', 'position': 1,
               'color': 0xff0000}],
    'members': [{'user': user(ALICE, 'alice'), 'nick': 'Al', 'roles': ['1100000000000000500']}],
    'threads': [], 'presences': [], 'voice_states': [], 'emojis': [], 'stickers': [],
}


class Gateway:
    def __init__(self):
        self.server = Soup.Server()
        self.server.add_websocket_handler('/gateway', None, None, guarded(self.on_websocket))
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.url = f'ws://127.0.0.1:{self.server.get_uris()[0].get_port()}/gateway'
        self.connection = None

    def on_websocket(self, server, msg, path, connection):
        self.connection = connection
        connection.seq = 0
        connection.connect('message', guarded(self.on_message))
        self.send(10, {'heartbeat_interval': 45000})

    def send(self, op, d, t=None):
        connection = self.connection
        if op == 0:
            connection.seq += 1
        connection.send_text(json.dumps({'op': op, 'd': d, 's': connection.seq if op == 0 else None,
                                         't': t}))

    def on_message(self, connection, kind, data):
        frame = json.loads(data.get_data().decode())
        if frame['op'] == 1:
            self.send(11, None)
        elif frame['op'] == 2:
            self.send(0, {
                'v': 10, 'user': user('1100000000000000001', 'bot'),
                'guilds': [{'id': GUILD_ID, 'unavailable': True}],
                'session_id': 'session', 'resume_gateway_url': 'ws://127.0.0.1:1/gateway',
                'application': {'id': '1100000000000000001', 'flags': 0}}, 'READY')
            self.send(0, GUILD, 'GUILD_CREATE')


def names(model):
    check(isinstance(model, Gio.ListModel), f'{model!r} is not a list model')
    return [item.props.name for item in model]


def main():
    gateway = Gateway()
    loop = GLib.MainLoop()
    client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS)
    client.props.gateway_url = gateway.url
    client.props.compression = DGateway.Compression.NONE
    cache = DGateway.Cache.new(client, DGateway.CacheFlags.ALL)
    guilds = cache.get_guilds()
    check(guilds.get_item_type() == DGateway.CachedGuild.__gtype__, 'guilds item type')
    steps = []

    def on_renamed(channel, pspec, guild):
        check(channel.props.name == 'chat', f'name: {channel.props.name}')
        check(guild.get_channels()[0] is channel, 'not the same object')
        steps.append('renamed')
        loop.quit()

    def check_guild(guild):
        check(guild.props.name == 'Test guild' and guild.props.id == GUILD_ID, 'guild')
        check(names(guild.get_channels()) == ['general', 'Text', 'random'],
              f'channels: {names(guild.get_channels())}')
        tree = guild.get_channel_tree()
        check(names(tree) == ['Text'], f'tree: {names(tree)}')
        category = tree[0]
        check(category.props.channel_type == DGateway.ChannelType.GUILD_CATEGORY, 'category type')
        check(names(category.get_children()) == ['general', 'random'], 'children')
        general = cache.lookup_channel('1100000000000000200')
        check(general is guild.get_channels()[0], 'lookup_channel is the model item')
        member = cache.lookup_member(GUILD_ID, ALICE)
        check(member.get_display_name() == 'Al' and member.get_color() == 0xff0000, 'member')
        check(member.props.user.props.username == 'alice', 'member.user')
        check(member.props.role_ids == ['1100000000000000500'], f'role_ids: {member.props.role_ids}')
        rendered = cache.render_content(guild, f'<@{ALICE}> in <#{general.props.id}>')
        check(rendered == '@Al in #general', f'render_content: {rendered}')
        general.connect('notify::name', guarded(on_renamed), guild)
        gateway.send(0, {'id': '1100000000000000200', 'guild_id': GUILD_ID, 'type': 0,
                         'name': 'chat', 'position': 0, 'parent_id': '1100000000000000300'},
                     'CHANNEL_UPDATE')

    def on_available(guild, pspec):
        check(not guild.props.unavailable, 'still unavailable')
        steps.append('available')
        check_guild(guild)

    def on_guilds_changed(model, position, removed, added):
        check((position, removed, added) == (0, 0, 1), 'items-changed')
        guild = model[0]
        check(guild.props.unavailable, 'a guild from READY is unavailable')
        steps.append('ready')
        guild.connect('notify::unavailable', guarded(on_available))

    guilds.connect('items-changed', guarded(on_guilds_changed))
    client.connect_async(None, guarded(lambda c, r: c.connect_finish(r)))
    testutils.fail_after(TIMEOUT_MS, lambda: f'timed out; steps {steps}')
    loop.run()

    check(steps == ['ready', 'available', 'renamed'], f'steps: {steps}')
    client.close()
    print(f'PASS: {", ".join(steps)}')
    return 0


if __name__ == '__main__':
    testutils.run(main)
