# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generates the typed payload classes and signals from data/*.json.

model.py reads and checks the schema, cgen.py writes the library's C code,
fixtures.py writes the test fixtures. gen-typed.py is the command line.
"""
