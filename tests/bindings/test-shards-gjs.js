// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A sharded client from GJS: the shards are a GListModel of DGateway.Shard,
// each with its own id, count and state.

imports.gi.versions.DGateway = '1';
const {GLib, DGateway} = imports.gi;
// The shared helpers, testutils.js, are next to this script.
imports.searchPath.unshift(GLib.path_get_dirname(imports.system.programPath));
const TestUtils = imports.testutils;
const {check, guarded} = TestUtils;

const N_SHARDS = 3;
const TIMEOUT_MS = 20000;

function main() {
    const loop = new GLib.MainLoop(null, false);
    const client = DGateway.Client.new('test-token', DGateway.Intents.GUILDS);
    const queue = DGateway.LocalIdentifyQueue.new(N_SHARDS);
    queue.interval = 0;
    client.gateway_url = TestUtils.startMock(['--interval', '1000']);
    client.shard_count = N_SHARDS;
    client.identify_queue = queue;

    const shards = client.get_shards();
    let added = 0;
    shards.connect('items-changed', (_model, _position, _removed, count) => {
        added += count;
    });

    client.connect_async(null, guarded((_client, result) => {
        check(client.connect_finish(result), 'connect_finish failed');
        check(added === N_SHARDS, `items-changed announced ${added} shards`);
        check(shards.get_n_items() === N_SHARDS, `${shards.get_n_items()} shards`);
        for (let i = 0; i < shards.get_n_items(); i++) {
            const shard = shards.get_item(i);
            check(shard instanceof DGateway.Shard, `item ${i} is not a Shard`);
            check(shard.shard_id === i, `item ${i} has id ${shard.shard_id}`);
            check(shard.shard_count === N_SHARDS, `shard ${i} count ${shard.shard_count}`);
            check(shard.state === DGateway.State.CONNECTED, `shard ${i} state ${shard.state}`);
            check(typeof shard.session_id === 'string' && shard.session_id.length > 0,
                `shard ${i} has no session id`);
        }
        client.close();
        check(shards.get_item(0).state === DGateway.State.DISCONNECTED,
            'shard 0 did not disconnect');
        loop.quit();
    }));

    TestUtils.failAfter(TIMEOUT_MS, () => 'timed out');
    loop.run();
    TestUtils.stopMock();
    print(`PASS: ${N_SHARDS} shards listed and connected`);
}

main();
