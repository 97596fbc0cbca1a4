#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The typed signals and payloads through the DGateway typelib, as a
# PyGObject application uses them. The gateway is a minimal one written
# here on Soup.Server (HELLO, READY after IDENTIFY, then the dispatches
# under test), so that any event can be sent over a real WebSocket.
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

# The shared helpers, next to this script; no bytecode in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testutils  # noqa: E402
from testutils import check, guarded  # noqa: E402

TIMEOUT_MS = 15000
# Beyond 2**53, as snowflakes are: it must come back exactly.
MESSAGE_ID = '1234567890123456789'
AUTHOR_ID = '80351110224678912'
GUILD_ID = '1100000000000000100'


def user(id, name):
    return {'id': id, 'username': name, 'discriminator': '0',
            'global_name': name.upper(), 'avatar': None}


MESSAGE = {
    'id': MESSAGE_ID, 'channel_id': '1100000000000000200', 'guild_id': GUILD_ID,
    'author': user(AUTHOR_ID, 'nelly'),
    'member': {'roles': ['41771983423143936'], 'nick': 'Nells'},
    'content': 'hello from Python \u2728', 'timestamp': '2024-05-01T12:34:56.789000+00:00',
    'edited_timestamp': None, 'tts': False, 'mention_everyone': False,
    'mentions': [dict(user('80351110224678913', 'bob'), member={'roles': [], 'nick': 'Bobby'})],
    'mention_roles': ['41771983423143936'], 'attachments': [], 'embeds': [],
    'pinned': False, 'type': 0, 'nonce': 42,
}

GUILD = {
    'id': GUILD_ID, 'name': 'Test guild', 'icon': None, 'owner_id': AUTHOR_ID,
    'joined_at': '2023-01-02T03:04:05.000000+00:00', 'large': True, 'member_count': 2,
    'channels': [
        {'id': '1100000000000000200', 'type': 0, 'name': 'general', 'position': 0},
        {'id': '1100000000000000201', 'type': 2, 'name': 'Voice', 'position': 1},
    ],
    'members': [{'user': user(AUTHOR_ID, 'nelly'), 'roles': [], 'nick': None}],
    'threads': [], 'presences': [], 'voice_states': [], 'stage_instances': [],
    'guild_scheduled_events': [], 'soundboard_sounds': [],
}

PRESENCE = {
    'user': {'id': AUTHOR_ID}, 'guild_id': GUILD_ID, 'status': 'dnd',
    'activities': [{'name': 'Spotify', 'type': 2, 'created_at': 1714560000000,
                    'flags': 48, 'party': {'id': 'party', 'size': [1, 4]}}],
    'client_status': {'mobile': 'dnd'},
}

INTERACTION = {
    'id': '1250000000000000001', 'application_id': '1100000000000000001', 'type': 3,
    'token': 'interaction-token', 'version': 1, 'guild_id': GUILD_ID,
    'channel_id': '1100000000000000200',
    'member': {'user': user(AUTHOR_ID, 'nelly'), 'roles': [], 'permissions': '2147483647'},
    'data': {'custom_id': 'vote', 'component_type': 3, 'values': ['yes', 'no']},
    'message': {'id': MESSAGE_ID, 'channel_id': '1100000000000000200', 'content': 'Vote!',
                'author': user('1100000000000000001', 'bot')},
    'locale': 'fr', 'entitlements': [], 'authorizing_integration_owners': {'1': AUTHOR_ID},
}

# A partial update, as MESSAGE_UPDATE may be: no author, no arrays.
MESSAGE_UPDATE = {'id': MESSAGE_ID, 'channel_id': '1100000000000000200', 'content': 'edited',
                  'flags': 0}

DISPATCHES = [('GUILD_CREATE', GUILD), ('MESSAGE_CREATE', MESSAGE),
              ('PRESENCE_UPDATE', PRESENCE), ('INTERACTION_CREATE', INTERACTION),
              ('MESSAGE_UPDATE', MESSAGE_UPDATE)]


class Gateway:
    """HELLO on open, READY after IDENTIFY, then the dispatches."""

    def __init__(self):
        self.server = Soup.Server()
        self.connections = []
        self.server.add_websocket_handler('/gateway', None, None, self.on_websocket)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        port = self.server.get_uris()[0].get_port()
        self.url = f'ws://127.0.0.1:{port}/gateway'

    def on_websocket(self, server, msg, path, connection):
        self.connections.append(connection)
        connection.seq = 0
        connection.connect('message', guarded(self.on_message))
        self.send(connection, 10, {'heartbeat_interval': 45000})

    def send(self, connection, op, d, t=None):
        if op == 0:
            connection.seq += 1
        connection.send_text(json.dumps({'op': op, 'd': d, 's': connection.seq if op == 0 else None,
                                         't': t}))

    def on_message(self, connection, kind, data):
        frame = json.loads(data.get_data().decode())
        if frame['op'] == 1:
            self.send(connection, 11, None)
        elif frame['op'] == 2:
            check(frame['d']['token'] == 'test-token', 'IDENTIFY without the token')
            self.send(connection, 0, {
                'v': 10, 'user': user('1100000000000000001', 'bot'), 'guilds': [],
                'session_id': 'session', 'resume_gateway_url': 'ws://127.0.0.1:1/gateway',
                'application': {'id': '1100000000000000001', 'flags': 0}}, 'READY')
            for name, d in DISPATCHES:
                self.send(connection, 0, d, name)


def check_message(msg):
    check(isinstance(msg, DGateway.Message), f'message-create gave {msg!r}')
    check(msg.get_content() == MESSAGE['content'], 'get_content()')
    check(msg.props.content == MESSAGE['content'], 'props.content')
    author = msg.props.author
    check(author.props.username == 'nelly', 'props.author.props.username')
    check(msg.get_author().get_username() == 'nelly', 'get_author().get_username()')
    check(msg.get_author() is author, 'author is not the same object twice')
    # Snowflakes are strings, and round-trip exactly.
    check(msg.props.id == MESSAGE_ID, f'id: {msg.props.id!r}')
    check(DGateway.snowflake_to_uint64(msg.props.id) == int(MESSAGE_ID), 'snowflake_to_uint64')
    check(DGateway.snowflake_from_uint64(int(MESSAGE_ID)) == MESSAGE_ID, 'snowflake_from_uint64')
    check(DGateway.snowflake_parse(MESSAGE_ID) == (True, int(MESSAGE_ID)), 'snowflake_parse')
    check(DGateway.snowflake_parse('abc') == (False, 0), 'snowflake_parse of a malformed id')
    check(DGateway.snowflake_get_created_at(AUTHOR_ID).to_unix() == 1439227597, 'created_at')
    check(msg.props.timestamp.get_microsecond() == 789000, 'timestamp')
    check(msg.props.edited_timestamp is None, 'edited_timestamp')
    check(msg.has_member('edited_timestamp') and not msg.has_member('webhook_id'), 'has_member')
    check(msg.props.guild_id == GUILD_ID and msg.props.member.props.nick == 'Nells', 'extras')
    check(msg.props.mention_roles == ['41771983423143936'], f'mention_roles: {msg.props.mention_roles}')
    check([u.props.member.props.nick for u in msg.props.mentions] == ['Bobby'], 'mentions')
    check(msg.props.nonce.unpack() == 42, 'nonce')
    check(len(msg.props.embeds) == 0 and msg.props.poll is None, 'embeds/poll')
    check(msg.props.json.get_object().get_string_member('content') == MESSAGE['content'], 'json')


def check_message_update(msg):
    """Absent and empty: arrays are empty lists, never None; a member
    Discord always sends but this partial payload lacks reads as '' or an
    empty view; an optional scalar says whether it is there."""
    check(isinstance(msg, DGateway.Message) and msg.props.content == 'edited', 'message-update')
    check([r for r in msg.props.reactions] == [], 'reactions is not an empty list')
    check(len(msg.get_attachments()) == 0 and msg.props.mention_roles == [], 'empty arrays')
    author = msg.props.author
    check(isinstance(author, DGateway.User) and author.props.id == '', f'author: {author!r}')
    check(not msg.has_member('author'), 'has_member(author)')
    check(msg.props.guild_id is None and msg.props.member is None, 'optional members')
    check(msg.props.flags == 0 and msg.props.has_flags and msg.has_flags(), 'flags 0 is not there')
    check(isinstance(msg.props.flags, DGateway.MessageFlags), f'flags: {msg.props.flags!r}')
    check(msg.props.type == DGateway.MessageType.DEFAULT, f'type: {msg.props.type!r}')
    check(msg.props.position == 0 and not msg.props.has_position, 'absent position')


def check_nullability():
    """The GIR says NULL only where a getter can return it."""
    for method, nullable in [('get_id', False), ('get_author', False), ('get_content', False),
                             ('get_reactions', False), ('get_mention_roles', False),
                             ('get_guild_id', True), ('get_poll', True),
                             ('get_edited_timestamp', True)]:
        check(getattr(DGateway.Message, method).may_return_null() == nullable,
              f'Message.{method}: may_return_null is not {nullable}')
    check(not DGateway.User.get_username.may_return_null(), 'User.get_username')
    check(DGateway.User.get_global_name.may_return_null(), 'User.get_global_name')


def check_guild(guild):
    check(isinstance(guild, DGateway.Guild), f'guild-create gave {guild!r}')
    channels = guild.props.channels
    check(isinstance(channels, Gio.ListModel), 'channels is not a list model')
    check(channels.get_item_type() == DGateway.Channel.__gtype__, 'channels item type')
    check([c.props.name for c in channels] == ['general', 'Voice'], 'channel names')
    check(channels[1].get_channel_type() == DGateway.ChannelType.GUILD_VOICE, 'channel type')
    check(channels[1].props.type == DGateway.ChannelType.GUILD_VOICE, 'type property')
    check(channels[0] is channels[0], 'items are not kept')
    member = guild.props.members[0]
    check(member.props.user.props.id == AUTHOR_ID and member.props.nick is None, 'members')
    check(guild.props.large is True and guild.props.member_count == 2, 'GUILD_CREATE extras')
    check(guild.props.joined_at.get_year() == 2023, 'joined_at')


def check_presence(presence):
    check(isinstance(presence, DGateway.PresenceUpdate), f'presence-update gave {presence!r}')
    check(presence.props.user.props.id == AUTHOR_ID, 'user')
    check(presence.props.status == DGateway.Status.DND, f'status: {presence.props.status!r}')
    check(presence.props.user.props.username == '', 'username of a partial user')
    activity = presence.props.activities[0]
    check(activity.props.type == DGateway.ActivityType.LISTENING, 'activity type')
    check(activity.get_flags() == DGateway.ActivityFlags.SYNC | DGateway.ActivityFlags.PLAY,
          f'activity flags: {activity.get_flags()!r}')
    check(activity.props.party.props.size.unpack() == [1, 4], 'party size')
    # Unix milliseconds, as a GLib.DateTime in UTC.
    check(activity.props.created_at.to_unix() == 1714560000, 'created_at')
    client_status = presence.props.client_status
    check(client_status.props.mobile == DGateway.Status.DND and client_status.props.has_mobile,
          'client_status')
    check(client_status.props.desktop == DGateway.Status.OFFLINE
          and not client_status.has_desktop(), 'client_status.desktop')


def check_interaction(interaction):
    check(isinstance(interaction, DGateway.Interaction), f'interaction-create gave {interaction!r}')
    check(interaction.get_interaction_type() == DGateway.InteractionType.MESSAGE_COMPONENT, 'type')
    data = interaction.props.data
    check(isinstance(data, DGateway.MessageComponentData), f'data: {data!r}')
    check(data.props.custom_id == 'vote' and data.props.values == ['yes', 'no'], 'data')
    check(interaction.props.message.props.content == 'Vote!', 'message')
    check(interaction.props.member.props.user.props.username == 'nelly', 'member.user')
    check(interaction.lookup_authorizing_integration_owners('1') == AUTHOR_ID, 'owners')
    check(interaction.props.locale == 'fr', 'locale')


def check_lifetime(kept_message, late_presence):
    """Once the emission is over, a kept view reads as it did; one that
    was not kept reads its defaults, and the first such read warns."""
    check(kept_message.props.content == MESSAGE['content'], 'kept content')
    check(kept_message.props.author.props.username == 'nelly', 'kept author')

    GLib.test_expect_message('DGateway', GLib.LogLevelFlags.LEVEL_WARNING,
                             '*was read after the signal emission*dgateway_object_keep()*')
    check(late_presence.props.user.props.id == '', 'released user id')
    GLib.test_assert_expected_messages_internal('DGateway', 'test-typed-python.py', 0,
                                                'check_lifetime')
    check(late_presence.props.guild_id == '' and late_presence.get_json() is None,
          'released presence')
    activities = late_presence.props.activities
    check(len(activities) == 1 and activities[0].props.name == '', 'a released list')


def main():
    check_nullability()
    gateway = Gateway()
    loop = GLib.MainLoop()
    client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS
                                 | DGateway.Intents.GUILD_MESSAGES | DGateway.Intents.MESSAGE_CONTENT)
    client.props.gateway_url = gateway.url
    client.props.compression = DGateway.Compression.NONE
    seen = []
    dispatched = {}
    held = {}

    def record(name, checker):
        def handler(client, payload):
            checker(payload)
            seen.append(name)
            if len(seen) == len(DISPATCHES):
                client.close()
                loop.quit()
        return guarded(handler)

    def on_message(message):
        check_message(message)
        # Read after the emission: kept, which returns the same object.
        held['message'] = message.keep()
        check(held['message'] is message, 'keep() returned another object')

    def on_presence(presence):
        check_presence(presence)
        # Not kept: released when the emission ends.
        held['presence'] = presence

    def on_dispatch(client, event):
        # READY is read after the main loop returns: kept, as an application
        # must. The others are not, so that the presence is released.
        if event.get_name() == 'READY':
            dispatched['READY'] = event.get_object().keep()
        return False

    client.connect('dispatch', guarded(on_dispatch))
    client.connect('message-create', record('message-create', on_message))
    client.connect('guild-create', record('guild-create', check_guild))
    client.connect('presence-update', record('presence-update', on_presence))
    client.connect('interaction-create', record('interaction-create', check_interaction))
    client.connect('message-update', record('message-update', check_message_update))
    client.connect_async(None, guarded(lambda c, r: c.connect_finish(r)))
    testutils.fail_after(TIMEOUT_MS, lambda: f'timed out; saw {seen}')
    loop.run()

    check(seen == ['guild-create', 'message-create', 'presence-update', 'interaction-create',
                   'message-update'], f'signals: {seen}')
    check(isinstance(dispatched['READY'], DGateway.Ready), 'READY object')
    check(dispatched['READY'].props.session_id == 'session', 'READY session_id')
    check_lifetime(held['message'], held['presence'])
    print(f'PASS: {", ".join(seen)}')
    return 0


if __name__ == '__main__':
    testutils.run(main)
