# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How a bot author tests handlers with PyGObject and unittest: the bot, as
# it would be in the bot's own code, and its tests against a mock gateway
# from libdgateway-testing, through the DGateway-1 and DGatewayTesting-1
# typelibs.  No Discord, no token, no network: the mock listens on
# 127.0.0.1 and runs on the test's main context.

import json
import unittest

import gi

gi.require_version('DGateway', '1')
gi.require_version('DGatewayTesting', '1')
from gi.repository import DGateway, DGatewayTesting, GLib  # noqa: E402

OP_PRESENCE_UPDATE = 3
OP_REQUEST_GUILD_MEMBERS = 8


class PingBot:
    """The code under test: answers "!ping" by setting the bot's custom
    status to "pong #N", and asks for a guild's members on "!members"."""

    def __init__(self, client):
        self.client = client
        self.pongs = 0
        self.members = []
        client.connect('message-create', self.on_message)
        client.connect('guild-members-chunk', self.on_members_chunk)

    def on_message(self, client, message):
        author = message.props.author
        if author is None or author.props.bot:
            return
        content = (message.props.content or '').strip()
        if content == '!ping':
            self.pongs += 1
            presence = DGateway.Presence.new(DGateway.Status.ONLINE)
            presence.add_activity(DGateway.ActivityType.CUSTOM, 'Custom Status',
                                  f'pong #{self.pongs}', None)
            client.update_presence(presence)
        elif content == '!members':
            client.request_guild_members(message.props.guild_id, '', None, 0,
                                         False, 'members')

    def on_members_chunk(self, client, chunk):
        self.members += [m.props.user.props.username for m in chunk.props.members]


def message(content, bot=False):
    """A MESSAGE_CREATE payload: a generated one with our content."""
    d = json.loads(DGatewayTesting.MockGateway.build_message_create(0))
    d['content'] = content
    d['author']['bot'] = bot
    return json.dumps(d)


class PingBotTest(unittest.TestCase):
    def setUp(self):
        self.mock = DGatewayTesting.MockGateway.new()
        self.client = DGateway.Client.new('test-token',
                                          DGateway.Intents.GUILDS
                                          | DGateway.Intents.GUILD_MESSAGES
                                          | DGateway.Intents.MESSAGE_CONTENT)
        self.client.props.gateway_url = self.mock.get_url()
        self.bot = PingBot(self.client)
        self.presences = []
        self.mock.connect('frame-received', self.on_frame)

    def tearDown(self):
        self.client.close()
        self.iterate_pending()
        del self.client, self.bot, self.mock

    def on_frame(self, mock, frame):
        # The frame belongs to the mock: take what is needed now.
        if frame.get_op() == OP_PRESENCE_UPDATE:
            self.presences.append(json.loads(frame.dup_d_json()))

    def iterate_pending(self):
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass

    def wait_until(self, condition, what, timeout_ms=5000):
        timed_out = []
        source = GLib.timeout_add(timeout_ms, lambda: timed_out.append(True))
        context = GLib.MainContext.default()
        while not condition() and not timed_out:
            context.iteration(True)
        if not timed_out:
            GLib.source_remove(source)
        self.assertTrue(condition(), f'timed out waiting for {what}')

    def connect_client(self):
        done = []
        self.client.connect_async(None, lambda client, result: done.append(
            client.connect_finish(result)))
        self.wait_until(lambda: done, 'the client to connect')
        self.assertEqual(self.client.props.state, DGateway.State.CONNECTED)

    def test_ping_sets_presence(self):
        self.connect_client()
        self.mock.send_dispatch('MESSAGE_CREATE', message('!ping'))
        self.mock.send_dispatch('MESSAGE_CREATE', message('!ping'))
        self.wait_until(lambda: len(self.presences) == 2, 'two presence updates')
        self.assertEqual(self.presences[-1]['status'], 'online')
        self.assertEqual(self.presences[-1]['activities'][0]['state'], 'pong #2')
        self.assertEqual(self.mock.count_frames(OP_PRESENCE_UPDATE), 2)

    def test_ignores_other_messages_and_bots(self):
        self.connect_client()
        self.mock.send_dispatch('MESSAGE_CREATE', message('hello'))
        self.mock.send_dispatch('MESSAGE_CREATE', message('!ping', bot=True))
        # The last one is answered: when it is, the others were seen too.
        self.mock.send_dispatch('MESSAGE_CREATE', message('!ping'))
        self.wait_until(lambda: self.presences, 'a presence update')
        self.assertEqual(self.bot.pongs, 1)
        self.assertEqual(self.mock.count_frames(OP_PRESENCE_UPDATE), 1)

    def test_members_from_the_guilds_the_mock_holds(self):
        guild = json.loads(DGatewayTesting.MockGateway.build_guild_create(0, 3, 2))
        guild['id'] = DGatewayTesting.MOCK_GATEWAY_GUILD_ID
        self.mock.add_guild(json.dumps(guild))
        guilds = []
        self.client.connect('guild-create', lambda client, g: guilds.append(g.props.id))
        self.connect_client()
        self.wait_until(lambda: guilds, 'the GUILD_CREATE after READY')
        self.assertEqual(guilds, [DGatewayTesting.MOCK_GATEWAY_GUILD_ID])

        self.mock.send_dispatch('MESSAGE_CREATE', message('!members'))
        self.wait_until(lambda: self.bot.members, 'the members chunk')
        self.assertEqual(self.bot.members, ['user0', 'user1', 'user2'])
        request = json.loads(self.mock.get_last_frame(OP_REQUEST_GUILD_MEMBERS).dup_d_json())
        self.assertEqual(request['guild_id'], DGatewayTesting.MOCK_GATEWAY_GUILD_ID)

    def test_resumes_after_a_close(self):
        resumed = []
        self.client.connect('reconnected', lambda client, shard, r: resumed.append(r))
        self.connect_client()
        self.mock.close(4000, None)
        self.wait_until(lambda: resumed, 'the client to come back')
        self.assertEqual(resumed, [True])
        self.assertTrue(self.mock.connection_on_resume_path(2))
        self.mock.send_dispatch('MESSAGE_CREATE', message('!ping'))
        self.wait_until(lambda: self.presences, 'a presence update after resuming')

    def test_constructor_error(self):
        with self.assertRaises(GLib.Error):
            DGatewayTesting.MockGateway.new_with_port(self.mock.get_port())


if __name__ == '__main__':
    unittest.main(verbosity=2)
