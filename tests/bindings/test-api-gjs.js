// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The API as GJS shows it: no method of ours hides one of GObject's, and
// client.disconnect(handlerId) is GObject's: it removes a handler and
// leaves the bot connected.

imports.gi.versions.DGateway = '1';
const {GLib, GObject, DGateway, GIRepository} = imports.gi;
imports.searchPath.unshift(GLib.path_get_dirname(imports.system.programPath));
const TestUtils = imports.testutils;
const {check, guarded} = TestUtils;

const N_EVENTS = 6;
const TIMEOUT_MS = 20000;

// The methods of our classes, from the typelib: GJS resolves methods
// lazily, so the prototype does not list them.
function checkNames() {
    const base = new Set();
    for (let p = GObject.Object.prototype; p !== null; p = Object.getPrototypeOf(p))
        for (const key of Object.getOwnPropertyNames(p))
            base.add(key);
    const clashes = [];
    let classes = 0;
    const repo = GIRepository.Repository.get_default();
    for (let i = 0; i < repo.get_n_infos('DGateway'); i++) {
        const info = repo.get_info('DGateway', i);
        if (info.get_type() !== GIRepository.InfoType.OBJECT)
            continue;
        classes++;
        for (let m = 0; m < GIRepository.object_info_get_n_methods(info); m++) {
            const method = GIRepository.object_info_get_method(info, m);
            const name = method.get_name();
            if (base.has(name))
                clashes.push(`DGateway.${info.get_name()}.${name}`);
        }
        // GJS makes properties accessors, in snake_case and camelCase, that
        // would hide a method of the same name: has-flags is fine beside
        // has_flags(), which returns the same, but not beside notify().
        for (let p = 0; p < GIRepository.object_info_get_n_properties(info); p++) {
            const name = GIRepository.object_info_get_property(info, p).get_name();
            const snake = name.replace(/-/g, '_');
            const camel = snake.replace(/_([a-z0-9])/g, (_m, c) => c.toUpperCase());
            if (base.has(snake) || base.has(camel))
                clashes.push(`DGateway.${info.get_name()}:${name}`);
        }
    }
    check(classes > 100, `only ${classes} classes found in DGateway`);
    check(base.has('disconnect') && base.has('connect') && base.has('get_data'),
        'GObject.Object has no disconnect/connect/get_data?');
    check(clashes.length === 0, `methods or properties that hide GObject.Object's: ${clashes}`);
}

function checkDisconnectHandler() {
    const url = TestUtils.startMock(['--events', String(N_EVENTS), '--rate', '20',
        '--interval', '1000']);
    const loop = new GLib.MainLoop(null, false);
    const client = DGateway.Client.new('test-token', DGateway.Intents.GUILD_MESSAGES);
    client.gateway_url = url;
    let removed = 0, kept = 0;

    const removedId = client.connect('dispatch::MESSAGE_CREATE', guarded(() => {
        removed++;
        return false;
    }));
    client.connect('dispatch::MESSAGE_CREATE', guarded(() => {
        kept++;
        if (kept === 1) {
            // GObject's disconnect(): the handler goes, the bot stays.
            client.disconnect(removedId);
            check(!GObject.signal_handler_is_connected(client, removedId),
                'disconnect(handlerId) left the handler connected');
        }
        if (kept === N_EVENTS)
            GLib.idle_add(GLib.PRIORITY_DEFAULT, () => loop.quit());
        return false;
    }));
    client.connect_async(null, null);
    TestUtils.failAfter(TIMEOUT_MS, () => `timed out: removed ${removed}, kept ${kept}`);
    loop.run();

    check(removed === 1, `the removed handler ran ${removed} times`);
    check(client.state === DGateway.State.CONNECTED,
        `state after disconnect(handlerId) is ${client.state}`);
    client.close();
    check(client.state === DGateway.State.DISCONNECTED, `state after close() is ${client.state}`);
    TestUtils.stopMock();
}

function main() {
    checkNames();
    checkDisconnectHandler();
    print('PASS');
    return 0;
}

TestUtils.runMain(main);
