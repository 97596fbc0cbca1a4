// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The parts of DGatewayClient's API made for bindings, as GJS shows them:
// last-error (a GError property), the presence as a DGateway.Presence with
// its activities, and request_guild_members_async().
//
// Environment: MOCK_GATEWAY, GI_TYPELIB_PATH and LD_LIBRARY_PATH, as for
// test-gjs.js. Exit status 0 = pass.

imports.gi.versions.DGateway = '1';
const {GLib, DGateway} = imports.gi;
imports.searchPath.unshift(GLib.path_get_dirname(imports.system.programPath));
const TestUtils = imports.testutils;
const {check, guarded} = TestUtils;

const TIMEOUT_MS = 20000;

function checkLastError() {
    const url = TestUtils.startMock(['--token', 'another-token']);
    const loop = new GLib.MainLoop(null, false);
    const client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS);
    client.gateway_url = url;
    let notified = 0;

    check(client.last_error === null, 'last-error is set before connecting');
    client.connect('notify::last-error', () => notified++);
    client.connect_async(null, guarded((obj, result) => {
        try {
            obj.connect_finish(result);
        } catch {
            // The reason is checked below, through the property.
        }
        loop.quit();
    }));
    TestUtils.failAfter(TIMEOUT_MS, () => 'timed out connecting');
    loop.run();

    const error = client.last_error;
    check(error instanceof GLib.Error, `last-error is ${error}`);
    check(error.matches(DGateway.error_quark(), DGateway.Error.AUTHENTICATION_FAILED),
        `last-error is ${error}`);
    check(notified === 1, `notify::last-error came ${notified} times`);
    check(client.state === DGateway.State.FAILED, `state is ${client.state}`);
    client.close();
    TestUtils.stopMock();
}

function checkPresence() {
    const presence = DGateway.Presence.new(DGateway.Status.IDLE);
    presence.add_activity(DGateway.ActivityType.STREAMING, 'the build', null,
        'https://twitch.tv/example');
    const activities = presence.activities;
    check(activities.get_n_items() === 1, `${activities.get_n_items()} activities`);
    const activity = activities.get_item(0);
    check(activity instanceof DGateway.Activity, `${activity} is not a DGateway.Activity`);
    check(activity.name === 'the build' && activity.url === 'https://twitch.tv/example' &&
        activity.get_activity_type() === DGateway.ActivityType.STREAMING &&
        activity.state === null, 'the activity reads back wrong');

    const client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS);
    client.presence = presence;
    check(client.presence === presence, 'presence is not the object set');
}

function checkRequestMembers() {
    const url = TestUtils.startMock(['--guilds', '1', '--members', '1200']);
    const loop = new GLib.MainLoop(null, false);
    const client = DGateway.Client.new('test-token',
        DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MEMBERS);
    client.gateway_url = url;
    let members = null, notFound = null;

    client.connect('dispatch::GUILD_CREATE', guarded((_client, event) => {
        const guildId = event.get_json().get_object().get_string_member('id');
        client.request_guild_members_async(guildId, '', null, 0, 10000, null,
            guarded((obj, result) => {
                [members, notFound] = obj.request_guild_members_finish(result);
                loop.quit();
            }));
        return false;
    }));
    client.connect_async(null, null);
    TestUtils.failAfter(TIMEOUT_MS, () => 'timed out waiting for members');
    loop.run();

    check(members.get_n_items() === 1200, `${members.get_n_items()} members`);
    check(members.get_item(0) instanceof DGateway.GuildMember, 'not a DGateway.GuildMember');
    check(Array.isArray(notFound) && notFound.length === 0, `not found: ${notFound}`);
    client.close();
    TestUtils.stopMock();
}

function main() {
    checkLastError();
    checkPresence();
    checkRequestMembers();
    print('PASS');
    return 0;
}

TestUtils.runMain(main);
