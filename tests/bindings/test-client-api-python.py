#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The parts of DGatewayClient's API made for bindings, as PyGObject shows
# them: last-error, which a UI binds to say why the client failed, and the
# presence as a DGateway.Presence whose activities read back, and
# request_guild_members_async(), which returns the members.
#
# Environment: MOCK_GATEWAY, GI_TYPELIB_PATH and LD_LIBRARY_PATH, as for
# test-python.py. Exit status 0 = pass.

import os
import sys

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
gi.require_version('DGateway', '1')
from gi.repository import DGateway, Gio, GLib  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testutils  # noqa: E402
from testutils import check, guarded  # noqa: E402

TIMEOUT_MS = 20000


def check_last_error():
    """A refused token: the client is FAILED and last-error says why."""
    url = testutils.start_mock('--token', 'another-token')
    loop = GLib.MainLoop()
    client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS)
    client.props.gateway_url = url
    seen = []

    check(client.props.last_error is None, 'last-error is set before connecting')
    check(client.get_last_error() is None, 'get_last_error() is not None before connecting')

    def on_last_error(obj, _pspec):
        seen.append(obj.props.last_error)

    def on_done(obj, result):
        try:
            obj.connect_finish(result)
            seen.append('connected')
        except GLib.Error as error:
            seen.append(error)
        loop.quit()

    client.connect('notify::last-error', guarded(on_last_error))
    client.connect_async(None, guarded(on_done))
    testutils.fail_after(TIMEOUT_MS, lambda: f'timed out: {seen}')
    loop.run()

    check(client.props.state == DGateway.State.FAILED, f'state is {client.props.state}')
    error = client.props.last_error
    check(isinstance(error, GLib.Error), f'last-error is {error!r}')
    check(error.matches(DGateway.error_quark(), DGateway.Error.AUTHENTICATION_FAILED),
          f'last-error is {error.domain} {error.code}: {error.message}')
    check(client.get_last_error().code == DGateway.Error.AUTHENTICATION_FAILED,
          'get_last_error() differs from the property')
    check(len(seen) == 2 and isinstance(seen[0], GLib.Error),
          f'notify::last-error did not come before the connect callback: {seen}')
    client.close()
    testutils.stop_mock()


def check_presence():
    """presence is a DGateway.Presence, and IDENTIFY carries it."""
    presence = DGateway.Presence.new(DGateway.Status.IDLE)
    presence.add_activity(DGateway.ActivityType.WATCHING, 'the build', None, None)
    presence.add_activity(DGateway.ActivityType.CUSTOM, 'Custom Status', 'héllo', None)
    activities = list(presence.props.activities)
    check([(a.get_name(), a.get_activity_type(), a.get_state(), a.get_url()) for a in activities]
          == [('the build', DGateway.ActivityType.WATCHING, None, None),
              ('Custom Status', DGateway.ActivityType.CUSTOM, 'héllo', None)],
          f'activities read back wrong: {activities}')
    check(activities[1].props.state == 'héllo', 'Activity:state is not the state given')

    client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS)
    client.props.presence = presence
    check(client.props.presence is presence, 'presence is not the object set')
    check(client.get_presence() is presence, 'get_presence() is not the object set')
    client.props.presence = None
    check(client.props.presence is None, 'presence could not be unset')


def check_request_members():
    """1500 members arrive in two chunks and come back as one list."""
    url = testutils.start_mock('--guilds', '1', '--members', '1500')
    loop = GLib.MainLoop()
    client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MEMBERS)
    client.props.gateway_url = url
    result = {}

    def on_members(obj, res):
        result['members'], result['not_found'] = obj.request_guild_members_finish(res)
        loop.quit()

    def on_guild(_client, event):
        guild_id = event.get_json().get_object().get_string_member('id')
        result['guild_id'] = guild_id
        client.request_guild_members_async(guild_id, '', None, 0, 10000, None,
                                           guarded(on_members))
        return False

    client.connect('dispatch::GUILD_CREATE', guarded(on_guild))
    client.connect_async(None, None)
    testutils.fail_after(TIMEOUT_MS, lambda: f'timed out: {result}')
    loop.run()

    members = result['members']
    check(len(members) == 1500, f'{len(members)} members')
    check(all(isinstance(m, DGateway.GuildMember) for m in members), 'not GuildMember objects')
    check(members[0].props.user.props.id, 'a member without a user id')
    check(result['not_found'] == [], f'not found: {result["not_found"]!r}')

    def on_refused(obj, res):
        try:
            obj.request_guild_members_finish(res)
        except GLib.Error as error:
            result['refused'] = error
        loop.quit()

    client.request_guild_members_async(result['guild_id'], None, None, 0, 0, None,
                                       guarded(on_refused))
    loop.run()
    error = result.get('refused')
    check(error is not None and error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT),
          f'no query and no user ids gave {error!r}')
    client.close()
    testutils.stop_mock()


def main():
    check_last_error()
    check_presence()
    check_request_members()
    print('PASS')
    return 0


if __name__ == '__main__':
    testutils.run(main)
