#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpora of the fuzz targets (corpus-document/ and
corpus-inflater/ next to this script). Run by hand when they need to change;
the output is committed.

The Discord payloads come from the mock gateway's generators: give the
directory of files made with mock_gateway_build_message_create() and the
others (message-create-*.json, presence-update.json, typing-start.json,
message-reaction-add.json, guild-create.json, each a "d" text) as the
first argument.

Needs the zstd program for the zstd-stream seeds.
"""

import json
import os
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def envelope(name, seq, d):
    return '{"t":"%s","s":%d,"op":0,"d":%s}' % (name, seq, d)


def nested(depth):
    text = ''.join('{"a":' if i % 2 else '[' for i in range(depth)) + '1'
    return text + ''.join('}' if (i - 1) % 2 else ']' for i in range(depth, 0, -1))


def document_seeds(mock_dir):
    seeds = {}
    for name in sorted(os.listdir(mock_dir)):
        with open(os.path.join(mock_dir, name), encoding='latin-1') as f:
            d = f.read()
        event = os.path.splitext(name)[0].rsplit('-', 1)
        event = event[0] if event[-1].isdigit() else '-'.join(event)
        seeds['dispatch-' + os.path.splitext(name)[0]] = envelope(event.upper().replace('-', '_'), 7, d)

    seeds.update({
        'hello': '{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250,"_trace":["[\\"gateway-prd-us-east1-b-0568\\",{\\"micros\\":0.0}]"]}}',
        'heartbeat-ack': '{"op":11}',
        'heartbeat': '{"op":1,"d":null}',
        'reconnect': '{"t":null,"s":null,"op":7,"d":null}',
        'invalid-session': '{"t":null,"s":null,"op":9,"d":false}',
        'ready': envelope('READY', 1, '{"v":10,"user":{"id":"1100000000000000001","username":"bot","bot":true},'
                          '"session_id":"abc","resume_gateway_url":"wss://gateway-us-east1-b.discord.gg",'
                          '"guilds":[{"id":"1","unavailable":true},{"id":"2","unavailable":true}],'
                          '"shard":[0,1],"application":{"id":"1100000000000000001","flags":0}}'),
        'resumed': '{"t":"RESUMED","s":9,"op":0,"d":{"_trace":[]}}',
        'envelope-order': '{"d":{"x":[1,{"op":2}]},"op":0,"t":"X","s":3}',
        'envelope-pretty': '{\n  "op": 0,\n  "s": 4,\r\n  "t": "X",\n\t"d": { "a" : [ 1 , 2 ] }\n}\n',
        'envelope-duplicates': '{"op":1,"s":1,"t":"A","d":1,"op":0,"s":2,"t":"B","d":{"k":1,"k":2}}',
        'envelope-types': '{"op":0,"s":"12","t":12,"d":[true,false,null]}',
        'envelope-big-seq': '{"op":0,"s":9223372036854775807,"t":"X","d":{}}',
        'escapes': '["\\" \\\\ \\/ \\b \\f \\n \\r \\t","\\u0041\\u00e9\\u20AC\\uffff","\\ud83d\\ude00","a\\u0000b",'
                   '"\\u0001\\u001f"]',
        'utf8': '["caf\u00e9 \u65e5\u672c \U0001F600 \u2028","\u00ff\ufffe"]'.encode('utf-8').decode('latin-1'),
        'numbers': '[0,-0,1,-1,1.5,-0.25,1e5,1E+5,1e-5,0.1,1.0,9223372036854775807,-9223372036854775808,'
                   '9223372036854775808,123456789012345678901234567890,1e400,4.9e-324,1.7976931348623157e308]',
        'literals': '[true,false,null,{},[],""]',
        'duplicates': '{"a":1,"b":2,"a":3,"\\u0061":4,"c":{"a":5,"a":6}}',
        'long-array': '[' + ','.join('{"id":"%d","v":[%d]}' % (i, i) for i in range(20)) + ']',
        'depth-64': nested(64),
        'depth-65': nested(65),
        'empty-names': '{"":{"":[""]}}',
        # Invalid, each for a reason of its own.
        'bad-truncated': '{"op":0,"s":1,"t":"READY","d":{',
        'bad-trailing-comma': '{"op":0,"d":[1,2,],}',
        'bad-comment': '/*c*/{"op":0}',
        'bad-single-quotes': "{'op':0}",
        'bad-leading-zero': '{"op":00}',
        'bad-lone-surrogate': '{"op":0,"d":"\\ud800"}',
        'bad-control': '{"op":0,"d":"a\tb"}',
        'bad-escape': '{"op":0,"d":"\\x41"}',
        'bad-utf8': '{"op":0,"d":"\xc3\x28"}',
        'bad-overlong': '{"op":0,"d":"\xc0\xaf"}',
        'bad-trailing': '{"op":0}{"op":1}',
        'bad-bom-late': ' \xef\xbb\xbf{"op":0}',
        'bom': '\xef\xbb\xbf{"op":0,"d":null}',
        'bad-nan': '{"op":0,"d":NaN}',
    })
    return {name: text.encode('latin-1') for name, text in seeds.items()}


def zlib_messages(payloads):
    """One zlib stream, Z_SYNC_FLUSH after each payload."""
    compressor = zlib.compressobj()
    return [compressor.compress(p) + compressor.flush(zlib.Z_SYNC_FLUSH) for p in payloads]


def zstd_messages(payloads):
    """One zstd frame per payload, which a zstd stream decoder reads in turn."""
    return [subprocess.run(['zstd', '-q', '-c', '--no-check'], input=p, check=True,
                           stdout=subprocess.PIPE).stdout for p in payloads]


def framed(messages):
    """Raw mode: each message as a length byte and that many bytes."""
    out = b''
    for message in messages:
        while True:
            out += bytes([min(len(message), 255)]) + message[:255]
            if len(message) <= 255:
                break
            message = message[255:]
    return out


def inflater_seeds(documents):
    events = [documents[name] for name in sorted(documents) if name.startswith('dispatch-message')]
    small = [documents['hello'], documents['heartbeat-ack'], documents['ready']]
    z = zlib_messages(small)
    seeds = {
        # Raw streams: first byte mode (bit 0 zstd), second the cap.
        'raw-zlib-small': b'\x00\xc8' + framed(z),
        'raw-zlib-messages': b'\x00\xc8' + framed(zlib_messages(events)),
        'raw-zstd-small': b'\x01\xc8' + framed(zstd_messages(small)),
        'raw-zstd-messages': b'\x01\xc8' + framed(zstd_messages(events)),
        'raw-zlib-cap': b'\x00\x02' + framed(zlib_messages(events)),
        'raw-zstd-cap': b'\x01\x02' + framed(zstd_messages(events)),
        'raw-zlib-corrupt': b'\x00\xc8' + framed([z[0][:5] + b'\xde\xad\xbe\xef' + z[0][9:]] + z[1:]),
        'raw-zstd-corrupt': b'\x01\xc8' + framed([b'\x28\xb5\x2f\xfd\x00\x00\xff\xff']),
        'raw-zlib-suffix-only': b'\x00\xc8' + framed([b'\x00\x00\xff\xff']),
        # Round trips: mode bit 1, payloads separated by newlines; for zlib
        # the two bytes after each newline choose where to split.
        'trip-zlib': b'\x02\xc8' + b'\nAB'.join(small),
        'trip-zlib-messages': b'\x02\xc8' + b'\n\x10\x90'.join(events),
        'trip-zstd': b'\x03\xc8' + b'\n'.join(small),
        'trip-zstd-messages': b'\x03\xc8' + b'\n'.join(events),
        'trip-zlib-cap': b'\x02\x05' + b'\n\x01\x02'.join(events),
        'trip-zstd-cap': b'\x03\x05' + b'\n'.join(events),
        'trip-empty': b'\x02\xc8\n\x00\x00\nxy',
    }
    return seeds


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    for name, data in seeds.items():
        with open(os.path.join(directory, name), 'wb') as f:
            f.write(data)


def main():
    documents = document_seeds(sys.argv[1])
    write(os.path.join(HERE, 'corpus-document'), documents)
    write(os.path.join(HERE, 'corpus-inflater'), inflater_seeds(documents))


if __name__ == '__main__':
    main()
