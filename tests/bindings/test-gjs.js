// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Connects to the mock gateway through the DGateway typelib, as a GJS
// application would, and checks events, signals and states.
//
// Environment: MOCK_GATEWAY (path of dgateway-mock-gateway), GI_TYPELIB_PATH
// and LD_LIBRARY_PATH pointing at the built library. Exit status 0 = pass.

imports.gi.versions.DGateway = '1';
const {GLib, DGateway} = imports.gi;
// The shared helpers, testutils.js, are next to this script.
imports.searchPath.unshift(GLib.path_get_dirname(imports.system.programPath));
const TestUtils = imports.testutils;
const {check, guarded} = TestUtils;

const N_EVENTS = 5;
const STOPPED_INDEX = 2;
const TIMEOUT_MS = 20000;

let loop = new GLib.MainLoop(null, false);

function eventContent(event) {
    const fromNode = event.get_json().get_object().get_string_member('content');
    const fromJson = JSON.parse(event.dup_data_json()).content;
    check(typeof fromNode === 'string' && fromNode.length > 0,
        `event ${event.get_sequence()}: no content in get_json()`);
    check(fromNode === fromJson,
        `get_json() content "${fromNode}" != dup_data_json() "${fromJson}"`);
    return fromNode;
}

function main() {
    const url = TestUtils.startMock(
        ['--events', String(N_EVENTS), '--interval', '1000']);
    const client = DGateway.Client.new('test-token',
        DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES |
        DGateway.Intents.MESSAGE_CONTENT);
    client.gateway_url = url;
    client.compression = DGateway.Compression.ZLIB_STREAM;
    check(client.gateway_url === url, 'gateway-url did not stick');
    check(client.state === DGateway.State.DISCONNECTED,
        `initial state is ${client.state}`);

    const states = [];
    const seen = [];          // {seq, content} from the first handler
    const secondSeen = [];    // sequences seen by the second handler
    const catchAll = [];      // names seen by the undetailed handler
    let readyStopped = 0;
    let connected = false;
    let finishing = false;

    client.connect('notify::state', guarded(() => {
        states.push(client.state);
        maybeFinish();
    }));

    // The first handler stops one of the events: the second must not see it.
    client.connect('dispatch::MESSAGE_CREATE', guarded((_client, event) => {
        check(event.get_name() === 'MESSAGE_CREATE',
            `dispatch::MESSAGE_CREATE got ${event.get_name()}`);
        seen.push({seq: event.get_sequence(), content: eventContent(event)});
        maybeFinish();
        return seen.length - 1 === STOPPED_INDEX;
    }));
    client.connect('dispatch::MESSAGE_CREATE', guarded((_client, event) => {
        secondSeen.push(event.get_sequence());
        return false;
    }));
    client.connect('dispatch::READY', guarded(() => {
        readyStopped++;
        return true;
    }));
    client.connect('dispatch', guarded((_client, event) => {
        catchAll.push(event.get_name());
        return false;
    }));

    function maybeFinish() {
        if (finishing || !connected || seen.length < N_EVENTS ||
            client.state !== DGateway.State.CONNECTED)
            return;
        finishing = true;
        GLib.idle_add(GLib.PRIORITY_DEFAULT, guarded(() => {
            verify();
            client.close();
            loop.quit();
            return GLib.SOURCE_REMOVE;
        }));
    }

    function verify() {
        for (let i = 1; i < seen.length; i++) {
            check(seen[i].seq > seen[i - 1].seq,
                `events out of order: ${seen.map(e => e.seq)}`);
        }
        // The mock numbers its messages from 0 in their content.
        seen.forEach((e, i) => check(new RegExp(`\\b${i}\\b`).test(e.content),
            `event ${i} does not mention its index: ${e.content}`));
        const expected = seen.map(e => e.seq)
            .filter((_seq, i) => i !== STOPPED_INDEX);
        check(JSON.stringify(secondSeen) === JSON.stringify(expected),
            `second handler saw ${secondSeen}, expected ${expected}`);
        check(readyStopped === 1, `dispatch::READY ran ${readyStopped} times`);
        check(!catchAll.includes('READY'),
            'a handler returning TRUE for READY did not stop it');
        check(catchAll.filter(n => n === 'MESSAGE_CREATE').length ===
            N_EVENTS - 1, `undetailed handler saw ${catchAll}`);
        check(states.includes(DGateway.State.CONNECTING),
            `notify::state never said CONNECTING: ${states}`);
        check(states.includes(DGateway.State.CONNECTED),
            `notify::state never said CONNECTED: ${states}`);
    }

    client.connect_async(null, guarded((_client, result) => {
        check(client.connect_finish(result) === true,
            'connect_finish did not return true');
        check(client.state === DGateway.State.CONNECTED,
            `state after connect_finish is ${client.state}`);
        connected = true;
        maybeFinish();
    }));

    TestUtils.failAfter(TIMEOUT_MS, () =>
        `timed out after ${TIMEOUT_MS} ms: connected=${connected}, ` +
        `states=${states}, events=${JSON.stringify(seen)}`);

    loop.run();

    check(client.state === DGateway.State.DISCONNECTED,
        `state after disconnect is ${client.state}`);
    TestUtils.stopMock();
    const names = states.map(v => Object.keys(DGateway.State).find(k => DGateway.State[k] === v));
    print(`PASS: ${seen.length} events, states ${names}`);
}

TestUtils.runMain(main);
