# SPDX-License-Identifier: LGPL-2.1-or-later
"""The schema of data/*.json, read into classes, fields, enums and events.

The schema format:

  objects.json   {"User": {"doc": ..., "source": ..., "fields": [FIELD, ...]}, ...}
  events.json    {"events": {"MESSAGE_CREATE": {"payload": "Message",
                                                "intents": [...], "doc": ...}},
                  "payloads": {same as objects.json, for event-only shapes}}
  enums.json     {"ChannelType": {"doc": ..., "flags": false,
                                  "external": header that declares it already,
                                  "source": page of Discord's documentation,
                                  "strings": Discord sends the nick, such
                                             as "dnd", not the number,
                                  "missing": the value a missing or unknown
                                             string reads as,
                                  "values": [{"name", "value", "doc"}]}}

  FIELD          {"name": JSON key, "type": TYPE, "optional": bool,
                  "nullable": bool, "only_in": [events], "doc": text,
                  "c_name": C name when the key would clash (e.g. "type")}
  TYPE           snowflake | string | int | float | bool | timestamp
                 | unix_time | unix_time_ms (integers, read as times too)
                 | present | json | variant | enum:E | flags:E
                 | object:C | array:C | array:snowflake | array:string
                 | array:int | map:C | map:snowflake
                 | union (with "by": discriminating key, "cases": {value: C})

C may be "Object", the base class, for objects the schema does not describe.
"""

import json
import os
import re

# Field kinds, by how they are read and exposed.
SCALAR_KINDS = {'string', 'snowflake', 'int', 'float', 'bool', 'present',
                'enum', 'flags'}
CACHED_KINDS = {'timestamp', 'object', 'union', 'list', 'strv', 'int_array',
                'variant', 'json', 'map', 'map_string'}

# Getter names a field must not take: they are the class's own functions,
# or GObject's own in GJS and PyGObject (get_data(), get_property(), ...),
# which a getter of ours would hide there.
RESERVED_GETTERS = {'type', 'json', 'data', 'qdata', 'property', 'properties'}
# The same for has_ functions: DGatewayObject has has_member().
RESERVED_HAS = {'member'}
# GJS turns properties into accessors that would hide GObject's methods of
# the same name (tests/bindings/test-api-gjs.js checks the typelib).
RESERVED_PROPERTIES = {'bind_property', 'connect', 'connect_after', 'disconnect', 'emit',
                       'freeze_notify', 'notify', 'ref', 'ref_sink', 'run_dispose',
                       'thaw_notify', 'unref', 'watch_closure', 'steal_data',
                       'set_property', 'set_data'}

# Scalars whose getter cannot say "absent" by itself: 0, FALSE and an enum's
# first value are real values (an accent colour of 0 is black, a position
# of 0 is the top). An optional or nullable one gets a has_ function and a
# has- property rather than a sentinel, because every sentinel is a valid
# value of some field, and a property of type int64 has no room for one that
# GJS and PyGObject could tell apart.
HAS_KINDS = {'int', 'float', 'bool', 'enum', 'flags'}


class SchemaError(Exception):
    pass


def camel_to_snake(name):
    return re.sub(r'(?<=[a-z0-9])(?=[A-Z])', '_', name).lower()


def humanize(name):
    """'GuildMemberUpdate' -> 'guild member update'."""
    return camel_to_snake(name).replace('_', ' ')


class Enum:
    def __init__(self, name, spec):
        self.name = name
        self.doc = spec['doc']
        self.flags = bool(spec.get('flags', False))
        # Declared by hand in that header (and registered by mkenums), for
        # the API that sends it too: the generator only refers to it.
        self.external = spec.get('external')
        self.source = spec.get('source')
        self.strings = bool(spec.get('strings', False))
        self.missing = spec.get('missing')
        self.snake = camel_to_snake(name)
        self.upper = self.snake.upper()
        self.c_type = 'DGateway' + name
        self.gtype = 'DGATEWAY_TYPE_' + self.upper
        self.values = []
        for v in spec['values']:
            if not re.match(r'^[A-Z][A-Z0-9_]*$', v['name']):
                raise SchemaError(f'{name}: bad value name {v["name"]!r}')
            self.values.append((v['name'], int(v['value']), v['doc']))
        self.values.sort(key=lambda v: v[1])
        unknown = set(spec) - {'doc', 'flags', 'external', 'source', 'strings', 'missing', 'values'}
        if unknown:
            raise SchemaError(f'{name}: unknown keys {unknown}')
        if self.missing is not None and self.missing not in (v[0] for v in self.values):
            raise SchemaError(f'{name}: "missing" names no value')
        if self.strings and (self.flags or not self.external):
            # The nicks are mkenums' (lower case, dashes): the enum must be
            # registered by mkenums, and flags have no single nick.
            raise SchemaError(f'{name}: "strings" needs an external enum')

    def value_c_name(self, value_name):
        return f'DGATEWAY_{self.upper}_{value_name}'

    @property
    def default(self):
        """The value a missing member reads as, if the enum has it."""
        if self.missing:
            return self.value_c_name(self.missing)
        if self.flags or any(v[1] == 0 for v in self.values):
            return '0'
        return self.value_c_name(self.values[0][0])


class Field:
    def __init__(self, owner, spec):
        self.owner = owner
        self.name = spec['name']
        self.c_name = spec.get('c_name', self.name)
        self.prop_name = self.name.replace('_', '-')
        self.optional = bool(spec.get('optional', False))
        self.nullable = bool(spec.get('nullable', False))
        self.only_in = list(spec.get('only_in', []))
        self.doc = spec.get('doc')
        self.type = spec['type']
        self.by = spec.get('by')
        self.cases = spec.get('cases')
        self.ref = None          # name of the class or enum it refers to
        self.unit = None         # of a timestamp: None (ISO 8601), 's' or 'ms'
        self.slot = None         # cache slot, for the kinds in CACHED_KINDS
        self.kind = self._parse_type(self.type)
        if not re.match(r'^[a-z][a-z0-9_]*$', self.name):
            raise SchemaError(f'{owner.name}.{self.name}: bad field name')
        if self.c_name in RESERVED_GETTERS or (self.has_function and self.c_name in RESERVED_HAS):
            raise SchemaError(f'{owner.name}.{self.name}: give it a "c_name"')
        if self.name in RESERVED_PROPERTIES:
            raise SchemaError(f'{owner.name}.{self.name}: its property would hide '
                              'GObject\'s method in GJS')
        unknown = set(spec) - {'name', 'c_name', 'type', 'optional', 'nullable',
                               'only_in', 'doc', 'by', 'cases'}
        if unknown:
            raise SchemaError(f'{owner.name}.{self.name}: unknown keys {unknown}')

    def _parse_type(self, t):
        if t in ('snowflake', 'string', 'int', 'float', 'bool', 'timestamp',
                 'present', 'json', 'variant'):
            return t
        if t in ('unix_time', 'unix_time_ms'):
            self.unit = 'ms' if t == 'unix_time_ms' else 's'
            return 'timestamp'
        if t == 'union':
            if not self.by or not self.cases:
                raise SchemaError(f'{self.owner.name}.{self.name}: a union needs "by" and "cases"')
            return 'union'
        prefix, _, arg = t.partition(':')
        if not arg:
            raise SchemaError(f'{self.owner.name}.{self.name}: unknown type {t!r}')
        self.ref = arg
        if prefix in ('enum', 'flags', 'object'):
            return prefix
        if prefix == 'array':
            if arg in ('snowflake', 'string'):
                return 'strv'
            if arg == 'int':
                return 'int_array'
            return 'list'
        if prefix == 'map':
            return 'map_string' if arg in ('snowflake', 'string') else 'map'
        raise SchemaError(f'{self.owner.name}.{self.name}: unknown type {t!r}')

    @property
    def may_be_absent(self):
        """Whether a well-formed payload may leave the member out: an
        optional one, or one that only some events carry."""
        return self.optional or bool(self.only_in)

    @property
    def has_function(self):
        """Whether the field gets a has_ function and a has- property."""
        return self.kind in HAS_KINDS and (self.may_be_absent or self.nullable)

    @property
    def can_be_null(self):
        """Whether the getter may return NULL. A member Discord always
        sends reads as "" (a string) or an empty view (an object) when a
        malformed payload lacks it, so that the GIR can call it not
        nullable; arrays read as empty, whatever Discord says."""
        if self.kind in ('string', 'snowflake', 'object'):
            return self.may_be_absent or self.nullable
        return self.kind in ('timestamp', 'union', 'variant', 'json', 'map', 'map_string')

    @property
    def json_type(self):
        """What the schema says the member holds, for documentation."""
        return self.type


class Class:
    def __init__(self, name, spec, is_payload=False):
        if not re.match(r'^[A-Z][A-Za-z0-9]*$', name) or name == 'Object':
            raise SchemaError(f'bad class name {name!r}')
        self.name = name
        self.doc = spec['doc']
        self.source = spec.get('source')
        self.is_payload = is_payload
        self.snake = camel_to_snake(name)
        self.upper = self.snake.upper()
        self.c_type = 'DGateway' + name
        self.gtype = 'DGATEWAY_TYPE_' + self.upper
        self.human = humanize(name)
        self.fields = [Field(self, f) for f in spec['fields']]
        self.events = []          # names of the events whose payload it is
        self.n_slots = 0
        seen = set()
        for f in self.fields:
            if f.name in seen or f.c_name in seen:
                raise SchemaError(f'{name}.{f.name}: defined twice')
            seen.update({f.name, f.c_name})
            if f.kind in CACHED_KINDS:
                f.slot = self.n_slots
                # A map keeps its JSON node and a table of looked-up views.
                self.n_slots += 2 if f.kind == 'map' else 1
        unknown = set(spec) - {'doc', 'source', 'fields'}
        if unknown:
            raise SchemaError(f'{name}: unknown keys {unknown}')


class Event:
    def __init__(self, name, spec):
        if not re.match(r'^[A-Z][A-Z0-9_]*$', name):
            raise SchemaError(f'bad event name {name!r}')
        self.name = name
        self.signal = name.lower().replace('_', '-')
        self.payload_name = spec['payload']
        self.payload = None       # the Class, or None for the base class
        self.intents = list(spec.get('intents', []))
        self.doc = spec['doc']


class Schema:
    def __init__(self, data_dir):
        objects = self._load(data_dir, 'objects.json')
        events = self._load(data_dir, 'events.json')
        enums = self._load(data_dir, 'enums.json')

        self.enums = {n: Enum(n, s) for n, s in sorted(enums.items())}
        self.classes = {}
        for n, s in objects.items():
            self._add_class(Class(n, s))
        for n, s in events.get('payloads', {}).items():
            self._add_class(Class(n, s, is_payload=True))
        self.classes = dict(sorted(self.classes.items()))
        self.events = [Event(n, s) for n, s in sorted(events['events'].items())]
        self._resolve()

    @staticmethod
    def _load(data_dir, name):
        path = os.path.join(data_dir, name)
        try:
            with open(path, encoding='utf-8') as fp:
                return json.load(fp)
        except (OSError, ValueError) as e:
            raise SchemaError(f'{path}: {e}')

    def _add_class(self, cls):
        if cls.name in self.classes or cls.name in self.enums:
            raise SchemaError(f'{cls.name} is defined twice')
        self.classes[cls.name] = cls

    def _class(self, name, where):
        if name == 'Object':
            return None
        if name not in self.classes:
            raise SchemaError(f'{where}: unknown class {name!r}')
        return self.classes[name]

    def _resolve(self):
        event_names = {e.name for e in self.events}
        for e in self.events:
            e.payload = self._class(e.payload_name, e.name)
            if e.payload:
                e.payload.events.append(e.name)
        for c in self.classes.values():
            for f in c.fields:
                where = f'{c.name}.{f.name}'
                if f.kind in ('enum', 'flags'):
                    en = self.enums.get(f.ref)
                    if en is None or en.flags != (f.kind == 'flags'):
                        raise SchemaError(f'{where}: unknown {f.kind} {f.ref!r}')
                elif f.kind in ('object', 'list', 'map'):
                    self._class(f.ref, where)
                elif f.kind == 'union':
                    for value, name in f.cases.items():
                        self._class(name, where)
                    if not any(g.name == f.by and g.kind in ('int', 'enum')
                               for g in c.fields):
                        raise SchemaError(f'{where}: "by" names no integer field')
                for ev in f.only_in:
                    if ev not in event_names:
                        raise SchemaError(f'{where}: unknown event {ev!r}')
        self._check_symbols()

    def _check_symbols(self):
        """Every C symbol must be unique, or the compiler (or worse, the
        GIR) finds out."""
        symbols = {}

        def add(sym, what):
            if sym in symbols:
                raise SchemaError(f'{what} and {symbols[sym]} both make {sym}')
            symbols[sym] = what

        for en in self.enums.values():
            if not en.external:
                add(f'dgateway_{en.snake}_get_type', en.name)
        for c in self.classes.values():
            add(f'dgateway_{c.snake}_get_type', c.name)
            properties = {}
            for f in c.fields:
                names = [f.prop_name] + ([f'has-{f.prop_name}'] if f.has_function else [])
                for name in names:
                    if name in properties:
                        raise SchemaError(f'{c.name}.{f.name} and {properties[name]} '
                                          f'both make the property {name}')
                    properties[name] = f'{c.name}.{f.name}'
                add(f'dgateway_{c.snake}_get_{f.c_name}', f'{c.name}.{f.name}')
                if f.has_function:
                    add(f'dgateway_{c.snake}_has_{f.c_name}', f'{c.name}.{f.name}')
                if f.kind in ('map', 'map_string'):
                    add(f'dgateway_{c.snake}_lookup_{f.c_name}', f'{c.name}.{f.name}')

    def class_or_base(self, name):
        return self.classes.get(name)

    def reachable_from_events(self):
        return [c for c in self.classes.values() if c.events]
