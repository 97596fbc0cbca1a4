// SPDX-License-Identifier: LGPL-2.1-or-later
//
// DGateway.Cache through the typelib, as a GJS application uses it: walks
// the guild → channel models (and the channel tree) and sees a property of
// a cached channel change in place after a CHANNEL_UPDATE. The gateway is a
// minimal one written here on Soup.Server.
//
// Environment: GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the built
// library. Exit status 0 = pass.

imports.gi.versions.DGateway = '1';
imports.gi.versions.Soup = '3.0';
const {DGateway, GLib, Gio, Soup} = imports.gi;
imports.searchPath.unshift(GLib.path_get_dirname(imports.system.programPath));
const TestUtils = imports.testutils;
const {check, guarded} = TestUtils;

const TIMEOUT_MS = 15000;
const GUILD_ID = '1100000000000000100';
const ALICE = '80351110224678912';

const user = (id, name) => ({id, username: name, discriminator: '0', global_name: null, avatar: null});

const GUILD = {
    id: GUILD_ID, name: 'Test guild', icon: null, owner_id: ALICE, large: false, member_count: 1,
    channels: [
        {id: '1100000000000000300', type: 4, name: 'Text', position: 0},
        {id: '1100000000000000201', type: 0, name: 'random', position: 1, parent_id: '1100000000000000300'},
        {id: '1100000000000000200', type: 0, name: 'general', position: 0, parent_id: '1100000000000000300'},
    ],
    roles: [{id: GUILD_ID, name: '@everyone', permissions: '0', position: 0, color: 0},
        {id: '1100000000000000500', name: 'red', permissions: '0', position: 1, color: 0xff0000}],
    members: [{user: user(ALICE, 'alice'), nick: 'Al', roles: ['1100000000000000500']}],
    threads: [], presences: [], voice_states: [], emojis: [], stickers: [],
};

let loop = new GLib.MainLoop(null, false);

function startGateway() {
    const server = new Soup.Server();
    const decoder = new TextDecoder();
    const gateway = {server, send: null};

    server.add_websocket_handler('/gateway', null, null, (_server, _msg, _path, connection) => {
        let seq = 0;
        const send = (op, d, t = null) => {
            if (op === 0)
                seq++;
            connection.send_text(JSON.stringify({op, d, s: op === 0 ? seq : null, t}));
        };
        gateway.send = send;
        connection.connect('message', guarded((_c, _type, bytes) => {
            const frame = JSON.parse(decoder.decode(bytes.toArray()));
            if (frame.op === 1) {
                send(11, null);
            } else if (frame.op === 2) {
                send(0, {
                    v: 10, user: user('1100000000000000001', 'bot'),
                    guilds: [{id: GUILD_ID, unavailable: true}],
                    session_id: 'session', resume_gateway_url: 'ws://127.0.0.1:1/gateway',
                    application: {id: '1100000000000000001', flags: 0},
                }, 'READY');
                send(0, GUILD, 'GUILD_CREATE');
            }
        }));
        send(10, {heartbeat_interval: 45000});
    });
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    gateway.url = `ws://127.0.0.1:${server.get_uris()[0].get_port()}/gateway`;
    return gateway;
}

function names(model) {
    check(model instanceof Gio.ListModel, `${model} is not a list model`);
    const out = [];
    for (let i = 0; i < model.get_n_items(); i++)
        out.push(model.get_item(i).name);
    return out.join();
}

function main() {
    const gateway = startGateway();
    const client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS);
    client.gateway_url = gateway.url;
    client.compression = DGateway.Compression.NONE;
    const cache = DGateway.Cache.new(client, DGateway.CacheFlags.ALL);
    check(cache.max_messages === 10, `max-messages: ${cache.max_messages}`);
    const guilds = cache.get_guilds();
    check(guilds.get_item_type() === DGateway.CachedGuild.$gtype, 'guilds item type');
    const steps = [];
    let general = null;

    const checkGuild = guild => {
        check(guild.name === 'Test guild' && guild.id === GUILD_ID, `guild ${guild.name} ${guild.id}`);
        check(names(guild.get_channels()) === 'general,Text,random',
            `channels: ${names(guild.get_channels())}`);
        const tree = guild.get_channel_tree();
        check(names(tree) === 'Text', `tree: ${names(tree)}`);
        const category = tree.get_item(0);
        check(category.channel_type === DGateway.ChannelType.GUILD_CATEGORY, 'category type');
        check(names(category.get_children()) === 'general,random', 'children');
        general = cache.lookup_channel('1100000000000000200');
        check(general === guild.get_channels().get_item(0), 'lookup_channel is the model item');
        const member = cache.lookup_member(GUILD_ID, ALICE);
        check(member.get_display_name() === 'Al' && member.get_color() === 0xff0000, 'member');
        check(member.user.username === 'alice', 'member.user');
        check(cache.render_content(guild, `<@${ALICE}> in <#${general.id}>`) === '@Al in #general',
            'render_content');

        general.connect('notify::name', guarded(() => {
            check(general.name === 'chat', `name: ${general.name}`);
            check(guild.get_channels().get_item(0) === general, 'not the same object');
            steps.push('renamed');
            loop.quit();
        }));
        gateway.send(0, {id: '1100000000000000200', guild_id: GUILD_ID, type: 0, name: 'chat',
            position: 0, parent_id: '1100000000000000300'}, 'CHANNEL_UPDATE');
    };

    guilds.connect('items-changed', guarded((_model, position, removed, added) => {
        check(position === 0 && removed === 0 && added === 1, 'items-changed');
        const guild = guilds.get_item(0);
        check(guild.unavailable, 'a guild from READY is unavailable');
        steps.push('ready');
        guild.connect('notify::unavailable', guarded(() => {
            check(!guild.unavailable, 'still unavailable');
            steps.push('available');
            checkGuild(guild);
        }));
    }));

    client.connect_async(null, guarded((_client, result) => client.connect_finish(result)));
    TestUtils.failAfter(TIMEOUT_MS, () => `timed out; steps ${steps}`);
    loop.run();

    check(steps.join() === 'ready,available,renamed', `steps: ${steps}`);
    client.close();
    gateway.server.disconnect();
    print(`PASS: ${steps.join(', ')}`);
}

TestUtils.runMain(main);
