// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The typed signals and payloads through the DGateway typelib, as a GJS
// application uses them. The gateway is a minimal one written here on
// Soup.Server (HELLO, READY after IDENTIFY, then the dispatches under
// test), so that any event can be sent over a real WebSocket.
//
// Environment: GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the built
// library. Exit status 0 = pass.

imports.gi.versions.DGateway = '1';
imports.gi.versions.Soup = '3.0';
const {DGateway, GLib, Gio, Soup} = imports.gi;
// The shared helpers, testutils.js, are next to this script.
imports.searchPath.unshift(GLib.path_get_dirname(imports.system.programPath));
const TestUtils = imports.testutils;
const {check, guarded} = TestUtils;

const TIMEOUT_MS = 15000;
// Beyond 2^53: a JavaScript number would not hold it exactly.
const MESSAGE_ID = '1234567890123456789';
const AUTHOR_ID = '80351110224678912';

let loop = new GLib.MainLoop(null, false);

const user = (id, name) => ({
    id, username: name, discriminator: '0', global_name: name.toUpperCase(), avatar: null,
});

const MESSAGE = {
    id: MESSAGE_ID,
    channel_id: '1100000000000000200',
    guild_id: '1100000000000000100',
    author: user(AUTHOR_ID, 'nelly'),
    member: {roles: ['41771983423143936'], nick: 'Nells', joined_at: '2021-03-04T05:06:07.000000+00:00'},
    content: 'hello from GJS \u2728',
    timestamp: '2024-05-01T12:34:56.789000+00:00',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [Object.assign(user('80351110224678913', 'bob'), {member: {roles: [], nick: 'Bobby'}})],
    mention_roles: ['41771983423143936'],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    channel_type: 0,
};

const GUILD = {
    id: '1100000000000000100',
    name: 'Test guild',
    icon: null,
    owner_id: AUTHOR_ID,
    joined_at: '2023-01-02T03:04:05.000000+00:00',
    large: false,
    member_count: 2,
    channels: [
        {id: '1100000000000000200', type: 0, name: 'general', position: 0},
        {id: '1100000000000000201', type: 2, name: 'Voice', position: 1, bitrate: 64000},
        {id: '1100000000000000202', type: 4, name: 'Category', position: 2},
    ],
    members: [{user: user(AUTHOR_ID, 'nelly'), roles: [], joined_at: '2021-03-04T05:06:07.000000+00:00'}],
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    roles: [{id: '1100000000000000100', name: '@everyone', permissions: '104324673', position: 0}],
};

const PRESENCE = {
    user: {id: AUTHOR_ID},
    guild_id: '1100000000000000100',
    status: 'online',
    activities: [{name: 'Celeste', type: 0, created_at: 1714560000000}],
    client_status: {desktop: 'online', mobile: 'idle'},
};

const INTERACTION = {
    id: '1250000000000000001',
    application_id: '1100000000000000001',
    type: 2,
    token: 'interaction-token',
    version: 1,
    guild_id: '1100000000000000100',
    channel_id: '1100000000000000200',
    member: {user: user(AUTHOR_ID, 'nelly'), roles: [], permissions: '2147483647'},
    data: {
        id: '1250000000000000002',
        name: 'roll',
        type: 1,
        options: [{name: 'sides', type: 4, value: 20}, {name: 'who', type: 6, value: AUTHOR_ID}],
        resolved: {users: {[AUTHOR_ID]: user(AUTHOR_ID, 'nelly')}},
    },
    locale: 'en-GB',
    entitlements: [],
    authorizing_integration_owners: {'0': '1100000000000000100'},
    context: 0,
};

// A partial update, as MESSAGE_UPDATE may be: no author, no arrays.
const MESSAGE_UPDATE = {id: MESSAGE_ID, channel_id: '1100000000000000200', content: 'edited', flags: 0};

const DISPATCHES = [
    ['GUILD_CREATE', GUILD],
    ['MESSAGE_CREATE', MESSAGE],
    ['PRESENCE_UPDATE', PRESENCE],
    ['INTERACTION_CREATE', INTERACTION],
    ['MESSAGE_UPDATE', MESSAGE_UPDATE],
];

// A gateway: HELLO on open, READY after IDENTIFY, then the dispatches.
function startGateway() {
    const server = new Soup.Server();
    const connections = [];
    const decoder = new TextDecoder();

    server.add_websocket_handler('/gateway', null, null, (_server, _msg, _path, connection) => {
        connections.push(connection);
        let seq = 0;
        const send = (op, d, t = null) => {
            if (op === 0)
                seq++;
            connection.send_text(JSON.stringify({op, d, s: op === 0 ? seq : null, t}));
        };
        connection.connect('message', guarded((_c, _type, bytes) => {
            const frame = JSON.parse(decoder.decode(bytes.toArray()));
            if (frame.op === 1) {
                send(11, null);
            } else if (frame.op === 2) {
                check(frame.d.token === 'test-token', 'IDENTIFY without the token');
                send(0, {
                    v: 10, user: user('1100000000000000001', 'bot'), guilds: [],
                    session_id: 'session', resume_gateway_url: 'ws://127.0.0.1:1/gateway',
                    application: {id: '1100000000000000001', flags: 0},
                }, 'READY');
                for (const [name, d] of DISPATCHES)
                    send(0, d, name);
            }
        }));
        send(10, {heartbeat_interval: 45000});
    });
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    return [server, `ws://127.0.0.1:${server.get_uris()[0].get_port()}/gateway`];
}

function items(model) {
    const out = [];
    for (let i = 0; i < model.get_n_items(); i++)
        out.push(model.get_item(i));
    return out;
}

function checkMessage(msg) {
    check(msg instanceof DGateway.Message, `message-create gave ${msg}`);
    check(msg.content === MESSAGE.content, `content: ${msg.content}`);
    check(msg.get_content() === MESSAGE.content, 'get_content()');
    check(msg.author.username === 'nelly', `author.username: ${msg.author.username}`);
    check(msg.author === msg.author, 'author is not the same object twice');
    check(msg.author instanceof DGateway.User, 'author is not a DGateway.User');
    // Snowflakes are strings, and round-trip exactly.
    check(msg.id === MESSAGE_ID, `id: ${msg.id}`);
    check(typeof msg.id === 'string', 'id is not a string');
    const [parsed, id] = DGateway.snowflake_parse('80351110224678912');
    check(parsed && id === 80351110224678912, `snowflake_parse: ${parsed}, ${id}`);
    check(DGateway.snowflake_parse('abc')[0] === false, 'snowflake_parse of a malformed id');
    check(DGateway.snowflake_get_created_at(msg.author.id).to_unix() === 1439227597,
        'snowflake_get_created_at');
    check(msg.timestamp.get_year() === 2024 && msg.timestamp.get_microsecond() === 789000,
        `timestamp: ${msg.timestamp.format_iso8601()}`);
    check(msg.edited_timestamp === null, 'edited_timestamp is not null');
    check(msg.has_member('edited_timestamp') && !msg.has_member('webhook_id'), 'has_member');
    check(msg.guild_id === MESSAGE.guild_id && msg.member.nick === 'Nells', 'MESSAGE_CREATE extras');
    check(msg.channel_type === DGateway.ChannelType.GUILD_TEXT, `channel_type: ${msg.channel_type}`);
    check(JSON.stringify(msg.mention_roles) === JSON.stringify(MESSAGE.mention_roles),
        `mention_roles: ${msg.mention_roles}`);
    const mentions = items(msg.mentions);
    check(mentions.length === 1 && mentions[0].username === 'bob' &&
        mentions[0].member.nick === 'Bobby', 'mentions');
    check(msg.embeds.get_n_items() === 0, 'embeds');
    check(msg.poll === null, 'poll is not null');
    // Fields the schema does not know stay reachable through the JSON.
    check(msg.json.get_object().get_string_member('content') === MESSAGE.content, 'json');
}

function checkGuild(guild) {
    check(guild instanceof DGateway.Guild, `guild-create gave ${guild}`);
    check(guild.name === 'Test guild' && guild.id === GUILD.id, 'guild name/id');
    check(guild.channels instanceof Gio.ListModel, 'channels is not a list model');
    check(guild.channels.get_item_type() === DGateway.Channel.$gtype, 'channels item type');
    const channels = items(guild.channels);
    check(channels.map(c => c.name).join() === 'general,Voice,Category',
        `channels: ${channels.map(c => c.name)}`);
    check(channels[1].get_channel_type() === DGateway.ChannelType.GUILD_VOICE, 'channel type');
    check(channels[1].type === DGateway.ChannelType.GUILD_VOICE, 'channel type property');
    check(channels[1].bitrate === 64000, `bitrate: ${channels[1].bitrate}`);
    check(guild.channels.get_item(0) === guild.channels.get_item(0), 'items are not kept');
    check(items(guild.members)[0].user.username === 'nelly', 'members');
    check(guild.joined_at.get_year() === 2023 && guild.member_count === 2 && guild.large === false,
        'GUILD_CREATE extras');
    check(guild.icon === null, 'icon is not null');
}

// Absent and empty: arrays are empty lists, never null; a member Discord
// always sends but this partial payload lacks reads as '' or an empty view;
// an optional scalar says whether it is there.
function checkMessageUpdate(msg) {
    check(msg instanceof DGateway.Message && msg.content === 'edited', 'message-update');
    // GJS 1.74 cannot iterate a GListModel with for...of: count by index.
    let n = 0;
    for (let i = 0; i < msg.reactions.get_n_items(); i++)
        n++;
    check(n === 0 && msg.reactions instanceof Gio.ListModel, 'reactions is not an empty list');
    check(msg.mentions.get_item_type() === DGateway.User.$gtype, 'mentions item type');
    check(Array.isArray(msg.mention_roles) && msg.mention_roles.length === 0, 'mention_roles');
    check(msg.author instanceof DGateway.User && msg.author.id === '' && msg.author.username === '',
        `author of a partial update: ${msg.author}`);
    check(!msg.has_member('author'), 'has_member(author)');
    check(msg.guild_id === null && msg.member === null, 'optional members are not null');
    // The has- property hides the has_ method of the same name in GJS, as
    // GTK's has-focus property hides gtk_widget_has_focus(): same value.
    check(msg.flags === 0 && msg.has_flags === true && msg.hasFlags === true, 'flags 0 is not there');
    check(msg.position === 0 && msg.has_position === false, 'absent position');
    check(msg.type === DGateway.MessageType.DEFAULT, `type: ${msg.type}`);
}

function checkPresence(presence) {
    check(presence instanceof DGateway.PresenceUpdate, `presence-update gave ${presence}`);
    check(presence.user.id === AUTHOR_ID && presence.status === DGateway.Status.ONLINE, 'user/status');
    check(presence.user.username === '' && presence.user.global_name === null, 'partial user');
    const [activity] = items(presence.activities);
    check(activity.name === 'Celeste' && activity.type === DGateway.ActivityType.PLAYING,
        'activity');
    // Unix milliseconds, as a GLib.DateTime in UTC.
    check(activity.created_at.to_unix() === 1714560000, `created_at: ${activity.created_at}`);
    const clientStatus = presence.client_status;
    check(clientStatus.desktop === DGateway.Status.ONLINE && clientStatus.has_desktop &&
        clientStatus.web === DGateway.Status.OFFLINE && !clientStatus.has_web, 'client_status');
}

function checkInteraction(interaction) {
    check(interaction instanceof DGateway.Interaction, `interaction-create gave ${interaction}`);
    check(interaction.type === DGateway.InteractionType.APPLICATION_COMMAND, 'type');
    check(interaction.data instanceof DGateway.ApplicationCommandData, `data: ${interaction.data}`);
    check(interaction.data.name === 'roll', 'data.name');
    const options = items(interaction.data.options);
    check(options[0].name === 'sides' && options[0].value.unpack() === 20, 'option value');
    check(options[1].value.unpack() === AUTHOR_ID, 'option snowflake value');
    check(interaction.data.resolved.lookup_users(AUTHOR_ID).username === 'nelly', 'resolved');
    check(interaction.data.resolved.lookup_users('1') === null, 'resolved lookup miss');
    check(interaction.member.user.username === 'nelly', 'member.user');
    check(interaction.lookup_authorizing_integration_owners('0') === GUILD.id, 'owners');
    check(interaction.token === 'interaction-token', 'token');
}

// Once the emission is over, a kept view reads as it did; one that was not
// kept reads its defaults, and the first such read warns.
function checkLifetime(keptMessage, latePresence) {
    check(keptMessage.content === MESSAGE.content, `kept content: ${keptMessage.content}`);
    check(keptMessage.author.username === 'nelly', 'kept author');

    GLib.test_expect_message('DGateway', GLib.LogLevelFlags.LEVEL_WARNING,
        '*was read after the signal emission*dgateway_object_keep()*');
    check(latePresence.user.id === '', `released user id: ${latePresence.user.id}`);
    GLib.test_assert_expected_messages_internal('DGateway', 'test-typed-gjs.js', 0, 'checkLifetime');
    check(latePresence.guild_id === '' && latePresence.get_json() === null, 'released presence');
    check(latePresence.activities.get_n_items() === 1, 'a released list keeps its length');
    check(latePresence.activities.get_item(0).name === '', 'a released list item');
}

function main() {
    const [server, url] = startGateway();
    const client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS |
        DGateway.Intents.GUILD_MESSAGES | DGateway.Intents.MESSAGE_CONTENT);
    client.gateway_url = url;
    client.compression = DGateway.Compression.NONE;

    const seen = [];
    let dispatchedGuild = null;
    let keptMessage = null;
    let latePresence = null;
    const done = () => {
        if (seen.length === DISPATCHES.length) {
            client.close();
            loop.quit();
        }
    };

    // Middleware first: it sees the same typed object through the event.
    client.connect('dispatch::GUILD_CREATE', guarded((_client, event) => {
        dispatchedGuild = event.get_object();
        return false;
    }));
    client.connect('message-create', guarded((_client, msg) => {
        checkMessage(msg);
        // Read after the emission: kept, which returns the same object.
        keptMessage = msg.keep();
        check(keptMessage === msg, 'keep() returned another object');
        seen.push('message-create');
        done();
    }));
    client.connect('guild-create', guarded((_client, guild) => {
        check(guild === dispatchedGuild, 'dispatch and guild-create saw different objects');
        checkGuild(guild);
        seen.push('guild-create');
        done();
    }));
    client.connect('presence-update', guarded((_client, presence) => {
        checkPresence(presence);
        // Not kept: released when the emission ends.
        latePresence = presence;
        seen.push('presence-update');
        done();
    }));
    client.connect('interaction-create', guarded((_client, interaction) => {
        checkInteraction(interaction);
        seen.push('interaction-create');
        done();
    }));
    client.connect('message-update', guarded((_client, msg) => {
        checkMessageUpdate(msg);
        seen.push('message-update');
        done();
    }));

    client.connect_async(null, guarded((_client, result) => client.connect_finish(result)));
    TestUtils.failAfter(TIMEOUT_MS, () => `timed out after ${TIMEOUT_MS} ms; saw ${seen}`);
    loop.run();

    check(seen.join() === 'guild-create,message-create,presence-update,interaction-create,message-update',
        `signals: ${seen}`);
    checkLifetime(keptMessage, latePresence);
    server.disconnect();
    print(`PASS: ${seen.join(', ')}`);
}

TestUtils.runMain(main);
