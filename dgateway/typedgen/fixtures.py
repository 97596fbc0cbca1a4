# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the fixtures of tests/test-typed.c from the schema, so that no
event and no field can be left out of the tests.

For every event, three payloads:
  full    every member set, with a realistic value of its documented type
  sparse  optional members left out, nullable ones null, the rest set
  wrong   every member of another JSON type than documented
and for every class the table of its fields: JSON name, property, kind and
C getter, which the test walks to compare each getter with the JSON sent.
"""

import json

from .cgen import BANNER

MAX_DEPTH = 3
COMPOSITE = {'object', 'union', 'list', 'map'}

# One letter per kind, as tests/test-typed.c switches on them.
KIND_CODES = {
    'string': 's', 'snowflake': 'S', 'int': 'i', 'float': 'f', 'bool': 'b',
    'present': 'p', 'enum': 'e', 'flags': 'F', 'timestamp': 't',
    'object': 'o', 'union': 'u', 'list': 'l', 'strv': 'v', 'int_array': 'a',
    'variant': 'V', 'json': 'j', 'map': 'm', 'map_string': 'M',
}
# Kinds read another way than their code says: an enum sent as its nick,
# a timestamp sent as a Unix time.
NICK_ENUM_CODE = 'n'
UNIX_TIME_CODE = 'T'


def c_string(text):
    """A C string literal, split in lines of reasonable length."""
    escaped = (text.replace('\\', '\\\\').replace('"', '\\"')
               .replace('\n', '\\n'))
    chunks = [escaped[i:i + 96] for i in range(0, len(escaped), 96)] or ['']
    # Never split an escape sequence between two literals.
    fixed = []
    carry = ''
    for chunk in chunks:
        chunk = carry + chunk
        carry = ''
        trailing = len(chunk) - len(chunk.rstrip('\\'))
        if trailing % 2:
            carry, chunk = '\\', chunk[:-1]
        fixed.append(chunk)
    if carry:
        fixed[-1] += carry
    return '\n    '.join(f'"{c}"' for c in fixed)


class Values:
    """Deterministic, realistic values: each call gives a new one."""

    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return self.n

    def snowflake(self):
        # Ids of 2023-2024, with worker, process and increment bits.
        n = self.next()
        ms = 1_700_000_000_000 - 1_420_070_400_000 + n * 86_400_123
        return str((ms << 22) | (n % 31) << 17 | (n % 4096))

    def string(self, name):
        n = self.next()
        if n % 4 == 0:
            # Escapes and non-ASCII text must read back exactly too.
            return f'{name} {n}: caf\u00e9 \u2728 "quoted" \\ back\nslash'
        return f'{name} {n}'

    def timestamp(self):
        n = self.next()
        return f'2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}.{n % 1000:03d}000+00:00'


class FixtureWriter:
    def __init__(self, schema):
        self.schema = schema
        self.values = Values()
        self.covered = set()
        self.force_case = None

    # Payloads

    def value(self, f, depth, flavour):
        v, k = self.values, f.kind
        if k == 'snowflake':
            return v.snowflake()
        if k == 'string':
            return v.string(f.name)
        if k == 'int':
            return v.next() * (1 if flavour == 'full' else 0)
        if k == 'float':
            return v.next() + 0.25
        if k == 'bool':
            return flavour == 'full'
        if k == 'present':
            return None
        if k == 'enum' and self.schema.enums[f.ref].strings:
            values = self.schema.enums[f.ref].values
            return values[v.next() % len(values)][0].lower().replace('_', '-')
        if k == 'enum':
            values = self.schema.enums[f.ref].values
            return values[v.next() % len(values)][1] or values[-1][1]
        if k == 'flags':
            values = self.schema.enums[f.ref].values
            return values[0][1] | values[-1][1]
        if k == 'timestamp' and f.unit:
            # Seconds or milliseconds of 2024, with a fraction for the latter.
            n = 1_704_067_200 + v.next() * 86_401
            return n * 1000 + v.n % 1000 if f.unit == 'ms' else n
        if k == 'timestamp':
            return v.timestamp()
        if k == 'object':
            return self.payload(f.ref, depth + 1, flavour)
        if k == 'list':
            n = 2 if depth == 0 else (1 if depth < MAX_DEPTH else 0)
            return [self.payload(f.ref, depth + 1, flavour) for _ in range(n)]
        if k == 'strv':
            make = v.snowflake if f.ref == 'snowflake' else (lambda: v.string(f.name))
            return [make(), make()]
        if k == 'int_array':
            n = v.next()
            return [n, n + 1]
        if k == 'variant':
            n = v.next()
            return [f'{f.name} {n}', n, n + 0.5, True][n % 4]
        if k == 'json':
            n = v.next()
            return [{'name': f'value {n}', 'list': [n, None, True]}, f'value {n}', n][n % 3]
        if k == 'map':
            return {v.snowflake(): self.payload(f.ref, depth + 1, flavour) for _ in range(2)}
        if k == 'map_string':
            return {'0': v.snowflake(), '1': v.snowflake()}
        raise AssertionError(k)

    def wanted(self, f, depth):
        """Whether a full payload sets an optional nested member: always
        at the top, deeper only for classes no payload has shown yet, to
        cover every class without payloads of hundreds of kilobytes."""
        if depth < 1:
            return True
        refs = f.cases.values() if f.kind == 'union' else [f.ref]
        return depth < MAX_DEPTH and any(r not in self.covered for r in refs)

    def payload(self, class_name, depth, flavour):
        """The JSON object of a class, as a dict."""
        if class_name == 'Object':
            n = self.values.next()
            return {'type': 1 + n % 4, 'id': self.values.snowflake(), 'label': f'component {n}'}
        c = self.schema.classes[class_name]
        out = {}
        if depth > MAX_DEPTH:
            return out
        # At the last level nested members are empty: not covered yet.
        if depth < MAX_DEPTH or not any(f.kind in COMPOSITE for f in c.fields):
            self.covered.add(class_name)
        union = None
        for f in c.fields:
            if flavour == 'sparse' and f.optional:
                continue
            if flavour == 'sparse' and f.nullable:
                out[f.name] = None
            elif f.kind in COMPOSITE and f.optional and not self.wanted(f, depth):
                continue
            elif f.kind == 'union':
                union = f
            else:
                out[f.name] = self.value(f, depth, flavour)
        if union is not None:
            # The discriminator picks the class of the union.
            cases = sorted(union.cases, key=lambda v: (union.cases[v] in self.covered, int(v)))
            case = self.force_case if depth == 0 and self.force_case else cases[0]
            out[union.by] = int(case)
            out[union.name] = self.payload(union.cases[case], depth + 1, flavour)
        return out

    def wrong_value(self, f, index):
        """A value of another JSON type than the field's."""
        k = f.kind
        if k == 'enum' and self.schema.enums[f.ref].strings:
            # A string it does not know reads as the default, as the rest.
            return [12345, 'sleeping', True, [1]][index % 4]
        if k == 'timestamp' and f.unit:
            return ['1704067200', 1.5e9, True, [1]][index % 4]
        if k in ('string', 'snowflake', 'timestamp'):
            return [12345, {'not': 'a string'}, ['x'], True][index % 4]
        if k in ('int', 'enum', 'flags'):
            return ['12', 1.5, True, [1]][index % 4]
        if k == 'float':
            return ['1.5', False, {}][index % 3]
        if k == 'bool':
            return ['true', 1, None][index % 3]
        if k in ('object', 'union', 'map', 'map_string'):
            return ['object', [1, 2], 42, None][index % 4]
        if k == 'list':
            # An array whose elements are not objects still makes a list,
            # of views that read as defaults.
            return [{'an': 'object'}, 'list', [1, 'two', None]][index % 3]
        if k in ('strv', 'int_array'):
            return [{'an': 'object'}, 'list', [{'x': 1}, [2]]][index % 3]
        if k == 'variant':
            return [[1], {'a': 1}, None][index % 3]
        if k in ('json', 'present'):
            return ['anything', None][index % 2]
        raise AssertionError(k)

    def wrong_payload(self, class_name):
        if class_name == 'Object':
            return {'type': 'wrong'}
        c = self.schema.classes[class_name]
        return {f.name: self.wrong_value(f, i) for i, f in enumerate(c.fields)}

    def payloads(self, class_name):
        full = self.payload(class_name, 0, 'full')
        sparse = self.payload(class_name, 0, 'sparse')
        return [json.dumps(p, ensure_ascii=False, separators=(',', ':'))
                for p in (full, sparse, self.wrong_payload(class_name))]

    # The C source

    def class_table(self, c):
        rows = []
        for f in c.fields:
            if f.kind in ('object', 'list', 'map'):
                ref = 'DGatewayObject' if f.ref == 'Object' else f'DGateway{f.ref}'
            elif f.kind == 'union':
                ref = f.by + ':' + ','.join(f'{k}=DGateway{v}' for k, v in sorted(f.cases.items()))
            elif f.kind in ('enum', 'flags'):
                ref = f'DGateway{f.ref}'
            elif f.unit:
                ref = f.unit
            else:
                ref = ''
            code = KIND_CODES[f.kind]
            if f.kind == 'enum' and self.schema.enums[f.ref].strings:
                code = NICK_ENUM_CODE
            elif f.unit:
                code = UNIX_TIME_CODE
            lookup = (f'(GCallback) dgateway_{c.snake}_lookup_{f.c_name}'
                      if f.kind in ('map', 'map_string') else 'NULL')
            has = f'(GCallback) dgateway_{c.snake}_has_{f.c_name}' if f.has_function else 'NULL'
            nullable = 'TRUE' if f.can_be_null else 'FALSE'
            rows.append(f'  {{ "{f.name}", "{f.prop_name}", \'{code}\', "{ref}",\n'
                        f'    (GCallback) dgateway_{c.snake}_get_{f.c_name}, {lookup},\n'
                        f'    {has}, {nullable} }},')
        return (f'static const FixtureField fields_{c.snake}[] = {{\n' + '\n'.join(rows)
                + '\n};\n')

    def source(self):
        s = self.schema
        out = [BANNER, '#pragma once\n', '#include <dgateway/dgateway.h>\n',
               '''typedef struct {
  const char *name;       /* the JSON member */
  const char *property;   /* its property */
  char        kind;       /* see KIND_CODES in dgateway/typedgen/fixtures.py */
  const char *ref;        /* the class or enum it holds; for a union "by:value=class,..." */
  GCallback   getter;     /* its C getter */
  GCallback   lookup;     /* the lookup function of a map */
  GCallback   has;        /* its has_ function, for an optional or nullable scalar */
  gboolean    nullable;   /* whether the getter may return NULL */
} FixtureField;

typedef struct {
  const char         *type_name;
  GType             (*get_type) (void);
  const FixtureField *fields;
  guint               n_fields;
  const char         *full;      /* every member set */
  const char         *sparse;    /* optional members left out, nullable ones null */
  const char         *wrong;     /* every member of another JSON type */
} FixtureClass;

typedef struct {
  const char *event;
  const char *signal;
  const char *type_name;  /* the class of its payload */
  const char *full;       /* every member set */
  const char *sparse;     /* optional members left out, nullable ones null */
  const char *wrong;      /* every member of another JSON type */
} FixtureEvent;
''']
        for c in s.classes.values():
            out.append(self.class_table(c))
        out.append('/* Sorted by type name; a payload of each kind for each class. */')
        out.append('static const FixtureClass fixture_classes[] = {')
        for c in sorted(s.classes.values(), key=lambda c: c.c_type):
            out.append(f'  {{ "{c.c_type}", dgateway_{c.snake}_get_type,')
            out.append(f'    fields_{c.snake}, G_N_ELEMENTS (fields_{c.snake}),')
            out.append('    ' + ',\n    '.join(c_string(p) for p in self.payloads(c.name)) + ' },')
        out.append('};\n')
        out.append('/* Every event; one more for each other class a union can hold. */')
        out.append('static const FixtureEvent fixture_events[] = {')
        for e in s.events:
            name = e.payload.name if e.payload else 'Object'
            unions = [f for f in e.payload.fields if f.kind == 'union'] if e.payload else []
            # One payload per class a union can hold, or one.
            forced = []
            for f in unions:
                seen = set()
                for value, case in sorted(f.cases.items(), key=lambda kv: int(kv[0])):
                    if case not in seen:
                        seen.add(case)
                        forced.append(value)
            forced = forced or [None]
            for force in forced:
                self.force_case = force
                out.append(f'  {{ "{e.name}", "{e.signal}", "DGateway{name}",')
                out.append('    ' + ',\n    '.join(c_string(p) for p in self.payloads(name)) + ' },')
            self.force_case = None
        out.append('};\n')
        return '\n'.join(out)
