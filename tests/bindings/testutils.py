# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers shared by the PyGObject binding tests. A script imports this module
# with
#
#     sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
#     import testutils
#
# Every failure prints "FAIL: <message>" and leaves with status 1, killing
# the mock gateway if one was started.

import os
import sys
import traceback

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

# The mock gateway subprocess started by start_mock(), if any.
mock = None


def fail(message):
    print(f'FAIL: {message}', file=sys.stderr, flush=True)
    if mock is not None:
        mock.force_exit()
    # A plain exception would be printed and swallowed by the signal
    # machinery: leave at once instead.
    os._exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def guarded(func):
    def wrapper(*args):
        try:
            return func(*args)
        except Exception:
            fail(traceback.format_exc())
    return wrapper


def start_mock(*args):
    """Starts the program in MOCK_GATEWAY with args (it is told to exit when
    its stdin closes: see stop_mock()) and returns the ws:// URL it prints
    first."""
    global mock
    path = os.environ.get('MOCK_GATEWAY')
    check(path, 'MOCK_GATEWAY is not set')
    mock = Gio.Subprocess.new(
        [path, *args, '--exit-on-stdin-eof'],
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDIN_PIPE)
    lines = Gio.DataInputStream.new(mock.get_stdout_pipe())
    url, _length = lines.read_line_utf8(None)
    check(url and url.startswith('ws://'), f'the mock printed no URL: {url!r}')
    return url


def stop_mock():
    """Closes the mock's stdin, which makes it exit, and waits for it."""
    mock.get_stdin_pipe().close(None)
    mock.wait(None)


def fail_after(ms, describe):
    """Fails the test if the main loop still runs after ms milliseconds;
    describe() gives the message, when it fires."""
    return GLib.timeout_add(ms, guarded(lambda: fail(describe())))


def run(main):
    """Exits with main()'s status; an exception fails the test."""
    try:
        sys.exit(main())
    except Exception:
        fail(traceback.format_exc())
