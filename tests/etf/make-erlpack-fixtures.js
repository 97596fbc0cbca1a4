// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Writes the erlpack fixtures of tests/test-etf.c with discord/erlpack, the
// encoder that Discord's own JavaScript clients use (npm "erlpack", a
// native addon):
//
//   erlpack-NAME.etf, erlpack-NAME.json  a payload packed by erlpack, and
//                                        what the library must read it as
//   command-NAME.etf, command-NAME.json  a command {op, d} packed by
//                                        erlpack: dgateway_etf_serialize_command()
//                                        must write the same bytes
//
//   npm install erlpack    (in a scratch directory)
//   NODE_PATH=SCRATCH/node_modules node tests/etf/make-erlpack-fixtures.js [DIRECTORY]

'use strict';

const fs = require('fs');
const path = require('path');
const erlpack = require('erlpack');

const dir = process.argv[2] || __dirname;

// The expected reading, by the rules of dgateway-etf-private.h applied to
// what erlpack writes: numbers that are 32-bit integers become integers
// (small integer, integer, or a 4-byte big integer), every other number
// a float.
function expected(value) {
  if (value === null || value === undefined)
    return 'null';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 32)
      return String(value);
    const text = String(value);
    return /[.e]/.test(text) ? text : text + '.0';
  }
  if (typeof value === 'string' || typeof value === 'boolean')
    return JSON.stringify(value);
  if (Array.isArray(value))
    return '[' + value.map(expected).join(',') + ']';
  return '{' + Object.keys(value).map((k) => JSON.stringify(k) + ':' + expected(value[k])).join(',') + '}';
}

function write(name, value, json) {
  fs.writeFileSync(path.join(dir, name + '.etf'), erlpack.pack(value));
  fs.writeFileSync(path.join(dir, name + '.json'), json + '\n');
}

const payloads = {
  'dispatch': {
    op: 0, s: 3, t: 'MESSAGE_CREATE',
    d: {
      id: '1228395092483751936', channel_id: '175928847299117063', content: 'héllo 🎉',
      tts: false, pinned: true, edited_timestamp: null, nonce: undefined, embeds: [],
      mentions: [{ id: '41771983423143937', username: 'Nelly', bot: true }],
      type: 19, flags: 4096, position: -5, big: 4000000000, ratio: 0.25,
      timestamp_ms: 1714557630456,
    },
  },
  'numbers': [0, 255, 256, -1, 2147483647, -2147483648, 2147483648, 4294967295,
              4294967296, 1.5, -0.125, 1e21, 9007199254740991, 1e-7],
};

for (const [name, value] of Object.entries(payloads))
  write('erlpack-' + name, value, expected(value));

// Commands as a client sends them: no floats, no integers past 32 bits, so
// that erlpack's bytes and the library's agree.
const commands = {
  'heartbeat': { op: 1, d: 251 },
  'heartbeat-null': { op: 1, d: null },
  'identify': {
    op: 2,
    d: {
      token: 'not-a-token', intents: 33281, compress: false, large_threshold: 250,
      shard: [0, 2],
      properties: { os: 'linux', browser: 'libdgateway', device: 'libdgateway' },
      presence: { since: null, activities: [{ name: 'ETF ✓', type: 0 }], status: 'online', afk: false },
    },
  },
  'request-guild-members': {
    op: 8,
    d: { guild_id: '41771983423143937', query: '', limit: 0, presences: true,
         user_ids: ['175928847299117063', '1228395092483751936'], nonce: 'n1' },
  },
  'voice-state-update': {
    op: 4, d: { guild_id: '41771983423143937', channel_id: null, self_mute: true, self_deaf: false },
  },
  'resume': { op: 6, d: { token: 'not-a-token', session_id: 'd5b7af1cbf0a1a4d', seq: 1337 } },
  'empty': { op: 3, d: { activities: [], status: 'idle', since: 100000, afk: true } },
};

for (const [name, value] of Object.entries(commands))
  write('command-' + name, value, JSON.stringify(value));
