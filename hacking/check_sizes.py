#!/usr/bin/env python
"""Report Python files over 450 lines and functions over 80 lines (issue #13's size rule).

Usage: check_sizes.py [--report-only DIR]... DIR...
Every DIR is searched for *.py files; an offender under a DIR given with --report-only is printed
but does not fail the run. Exits 1 when an enforced DIR has an offender.
"""

import argparse
import ast
import os
import sys

MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 80


def python_files(folder):
    """Every *.py file below ``folder``, sorted, skipping caches."""
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if name not in ('__pycache__', '.pytest_cache'))
        for name in sorted(files):
            if name.endswith('.py'):
                yield os.path.join(base, name)


def offences(path):
    """Return a line per breach of the size rule in ``path``."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    found = []
    lines = len(text.splitlines())
    if lines > MAX_FILE_LINES:
        found.append('%s: %d lines (at most %d)' % (path, lines, MAX_FILE_LINES))
    for node in ast.walk(ast.parse(text, filename=path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append('%s:%d: function %s has %d lines (at most %d)' % (path, node.lineno, node.name, length, MAX_FUNCTION_LINES))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--report-only', action='append', default=[], metavar='DIR', help='report offenders under DIR without failing')
    parser.add_argument('folders', nargs='*', metavar='DIR', help='folders whose offenders fail the run')
    args = parser.parse_args(argv)
    failed = False
    for folder, enforced in [(folder, True) for folder in args.folders] + [(folder, False) for folder in args.report_only]:
        for path in python_files(folder):
            for line in offences(path):
                print(('' if enforced else '(report only) ') + line)
                failed = failed or enforced
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
