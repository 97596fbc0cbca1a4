// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Helpers shared by the GJS binding tests. A script loads this module with
//
//     imports.searchPath.unshift(GLib.path_get_dirname(System.programPath));
//     const TestUtils = imports.testutils;
//
// Every failure prints "FAIL: <message>" and leaves with status 1, killing
// the mock gateway if one was started.

const {GLib, Gio} = imports.gi;
const System = imports.system;

// The mock gateway subprocess started by startMock(), if any.
let mock = null;

function fail(message) {
    printerr(`FAIL: ${message}`);
    if (mock)
        mock.force_exit();
    System.exit(1);
}

function check(condition, message) {
    if (!condition)
        fail(message);
}

// Runs a signal handler; an exception fails the test instead of being
// logged and swallowed by GJS.
function guarded(func) {
    return (...args) => {
        try {
            return func(...args);
        } catch (e) {
            fail(`${e}\n${e.stack}`);
            return false;
        }
    };
}

// Starts the program in MOCK_GATEWAY with args (it is told to exit when its
// stdin closes: see stopMock()) and returns the ws:// URL it prints first.
function startMock(args) {
    const path = GLib.getenv('MOCK_GATEWAY');
    check(path, 'MOCK_GATEWAY is not set');
    mock = Gio.Subprocess.new([path, ...args, '--exit-on-stdin-eof'],
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDIN_PIPE);
    const lines = Gio.DataInputStream.new(mock.get_stdout_pipe());
    const [url] = lines.read_line_utf8(null);
    check(url && url.startsWith('ws://'), `the mock printed no URL: ${url}`);
    return url;
}

// Closes the mock's stdin, which makes it exit, and waits for it.
function stopMock() {
    mock.get_stdin_pipe().close(null);
    mock.wait(null);
}

// Fails the test if the main loop still runs after ms milliseconds;
// describe() gives the message, when it fires.
function failAfter(ms, describe) {
    return GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        fail(describe());
        return GLib.SOURCE_REMOVE;
    });
}

// Runs main(); an exception fails the test.
function runMain(main) {
    try {
        main();
    } catch (e) {
        fail(`${e}\n${e.stack}`);
    }
}
