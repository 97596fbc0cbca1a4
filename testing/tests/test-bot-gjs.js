// SPDX-License-Identifier: LGPL-2.1-or-later
//
// How an app author tests handlers with GJS: a handler that counts the
// messages of a channel, as it would be in the app's own code, tested
// against a mock gateway from libdgateway-testing through the DGateway-1
// and DGatewayTesting-1 typelibs.  Each test gets a fresh mock and client.

imports.gi.versions.DGateway = '1';
imports.gi.versions.DGatewayTesting = '1';
const {DGateway, DGatewayTesting, GLib} = imports.gi;
const System = imports.system;

const OP_IDENTIFY = 2;
const OP_PRESENCE_UPDATE = 3;

// The code under test: counts MESSAGE_CREATEs per channel, and shows the
// count in the bot's status every `every` messages.
class MessageCounter {
    constructor(client, every) {
        this.counts = new Map();
        this.total = 0;
        client.connect('message-create', (c, message) => {
            const channel = message.channel_id;
            this.counts.set(channel, (this.counts.get(channel) ?? 0) + 1);
            this.total++;
            if (this.total % every === 0) {
                const presence = DGateway.Presence.new(DGateway.Status.IDLE);
                presence.add_activity(DGateway.ActivityType.WATCHING,
                    `${this.total} messages`, null, null);
                c.update_presence(presence);
            }
        });
    }
}

function waitUntil(condition, what, timeoutMs = 5000) {
    let timedOut = false;
    const source = GLib.timeout_add(GLib.PRIORITY_DEFAULT, timeoutMs, () => {
        timedOut = true;
        return GLib.SOURCE_REMOVE;
    });
    const context = GLib.MainContext.default();
    while (!condition() && !timedOut)
        context.iteration(true);
    if (!timedOut)
        GLib.source_remove(source);
    if (!condition())
        throw new Error(`timed out waiting for ${what}`);
}

function assertEqual(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

function setUp() {
    const mock = DGatewayTesting.MockGateway.new();
    const client = DGateway.Client.new('test-token',
        DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES);
    client.gateway_url = mock.get_url();
    let connected = false;
    client.connect_async(null, (c, result) => {
        connected = c.connect_finish(result);
    });
    waitUntil(() => connected, 'the client to connect');
    return {mock, client};
}

function tearDown({client}) {
    client.close();
    const context = GLib.MainContext.default();
    while (context.iteration(false))
        ;
}

const tests = {
    'counts the messages of each channel'() {
        const t = setUp();
        const counter = new MessageCounter(t.client, 100);
        t.mock.send_messages(3);
        const other = JSON.parse(DGatewayTesting.MockGateway.build_message_create(3));
        other.channel_id = '1100000000000000999';
        t.mock.send_dispatch('MESSAGE_CREATE', JSON.stringify(other));
        waitUntil(() => counter.total === 4, 'four messages');
        assertEqual(counter.counts.get(DGatewayTesting.MOCK_GATEWAY_CHANNEL_ID), 3,
            'messages in the mock channel');
        assertEqual(counter.counts.get(other.channel_id), 1, 'messages in the other');
        tearDown(t);
    },

    'shows the count in its status'() {
        const t = setUp();
        const frames = [];
        t.mock.connect('frame-received', (mock, frame) => {
            // The frame belongs to the mock: keep what is needed.
            if (frame.op === OP_PRESENCE_UPDATE)
                frames.push(JSON.parse(frame.dup_d_json()));
        });
        new MessageCounter(t.client, 5);
        t.mock.send_messages(12);
        waitUntil(() => frames.length === 2, 'two presence updates');
        assertEqual(frames[1].status, 'idle', 'status');
        assertEqual(frames[1].activities[0].name, '10 messages', 'activity');
        assertEqual(t.mock.count_frames(OP_PRESENCE_UPDATE), 2, 'recorded updates');
        tearDown(t);
    },

    'identifies with the intents it was given'() {
        const t = setUp();
        const identify = t.mock.get_last_frame(OP_IDENTIFY);
        assertEqual(identify.get_connection(), 1, 'connection of IDENTIFY');
        const d = JSON.parse(identify.dup_d_json());
        assertEqual(d.intents,
            DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES, 'intents');
        assertEqual(d.token, 'test-token', 'token');
        tearDown(t);
    },
};

let failed = 0;
for (const [name, test] of Object.entries(tests)) {
    try {
        test();
        print(`ok - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok - ${name}: ${e}\n${e.stack}`);
    }
}
System.exit(failed > 0 ? 1 : 0);
