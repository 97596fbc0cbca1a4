// SPDX-License-Identifier: LGPL-2.1-or-later
//
// bench-bindings.js URL HANDLER [COUNT]: one GJS run of `dgateway-benchmark
// --mode bindings` (tests/bench-bindings.c starts it, with GI_TYPELIB_PATH
// and LD_LIBRARY_PATH pointing at the build tree).
//
// It connects to the mock gateway at URL, handles its MESSAGE_CREATEs as a
// notifier would, and never calls System.gc(): what the process's peak RSS
// reaches is what an application that does not think about its collector
// gets. HANDLER is `typed` (a message-create handler that reads two fields
// of the typed payload), `json` (a dispatch handler that calls get_json()
// and reads one member), `json-text` (the same through JSON.parse() of
// dup_data_json()), or, for reference, `typed-gc` (`typed` with a
// System.gc() every 5,000 events). At BENCHMARK_DONE, or with COUNT after
// COUNT MESSAGE_CREATEs (a paced gateway sends no BENCHMARK_DONE), it
// prints
//
//   RESULT EVENTS WALL_US CPU_US RSS_AT_READY_KIB EXPECTED
//
// from READY to the end; the parent reads the peak RSS from wait4().

imports.gi.versions.DGateway = '1';
imports.gi.versions.Json = '1.0';
const {DGateway, GLib, Json} = imports.gi;
const System = imports.system;

const TIMEOUT_SECONDS = 900;
const GC_EVERY = 5000;
// /proc reports CPU time in USER_HZ ticks, 100 a second on Linux.
const TICKS_PER_SECOND = 100;

const [url, handler, countArg] = ARGV;
const count = Number(countArg ?? 0);
const loop = new GLib.MainLoop(null, false);
let status = 1;
let checksum = 0;
let messages = 0;
let start = null;

function procFile(name) {
    const [, bytes] = GLib.file_get_contents(`/proc/self/${name}`);
    return new TextDecoder().decode(bytes);
}

// User + system CPU time of this process, in µs.
function cpuUs() {
    const stat = procFile('stat');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 1e6 / TICKS_PER_SECOND;
}

function rssKib() {
    return Number(/^VmRSS:\s+(\d+)/m.exec(procFile('status'))[1]);
}

function fail(message) {
    printerr(`bench-bindings.js: ${message}`);
    loop.quit();
}

const client = new DGateway.Client({
    token: 'test-token',
    intents: DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES |
        DGateway.Intents.MESSAGE_CONTENT,
    gateway_url: url,
});

client.connect('dispatch::READY', (_client, event) => {
    start = {time: GLib.get_monotonic_time(), cpu: cpuUs(), rss: rssKib(),
        events: client.events_received, sequence: event.sequence};
    return false;
});

// The counters include READY, and BENCHMARK_DONE when it ends the run.
function finish(expected, extra) {
    const time = GLib.get_monotonic_time(), cpu = cpuUs();
    const events = client.events_received - start.events - extra;

    print(`RESULT ${events} ${time - start.time} ${cpu - start.cpu} ${start.rss} ${expected}`);
    status = checksum > 0 ? 0 : 1;
    loop.quit();
}

// Every handler calls this once per MESSAGE_CREATE.
function counted() {
    if (++messages === count)
        finish(count, 0);
}

client.connect('dispatch::BENCHMARK_DONE', (_client, event) => {
    finish(event.get_json().get_object().get_int_member('events'), 1);
    return false;
});

if (handler === 'typed' || handler === 'typed-gc') {
    let n = 0;
    client.connect('message-create', (_client, message) => {
        checksum += message.content.length + message.author.username.length;
        if (handler === 'typed-gc' && ++n % GC_EVERY === 0)
            System.gc();
        counted();
    });
} else if (handler === 'json-text') {
    client.connect('dispatch::MESSAGE_CREATE', (_client, event) => {
        checksum += JSON.parse(event.dup_data_json())?.content?.length ?? 0;
        counted();
        return false;
    });
} else if (handler === 'json') {
    client.connect('dispatch::MESSAGE_CREATE', (_client, event) => {
        const d = event.get_json();
        if (d?.get_node_type() === Json.NodeType.OBJECT)
            checksum += d.get_object().get_string_member_with_default('content', '').length;
        counted();
        return false;
    });
} else {
    printerr(`bench-bindings.js: unknown handler "${handler}"`);
    System.exit(2);
}

client.connect('connection-lost', (_client, _shard, error) => {
    fail(`connection lost during the run: ${error.message}`);
});

client.connect_async(null, (_client, result) => {
    try {
        client.connect_finish(result);
    } catch (e) {
        fail(`could not connect: ${e.message}`);
    }
});

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, TIMEOUT_SECONDS, () => {
    fail(`no BENCHMARK_DONE after ${TIMEOUT_SECONDS} s`);
    return GLib.SOURCE_REMOVE;
});

loop.run();
client.close();
System.exit(status);
