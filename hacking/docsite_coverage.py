#!/usr/bin/env python
"""Check that the built docs site has a page for every module, inventory plugin and role of the
collection, every role entry point with each of its options, and every guide of extra-docs.yml.

Usage: hacking/docsite_coverage.py COLLECTION_ROOT HTML_DIR
"""

import os
import sys

import yaml


def main():
    root, html = sys.argv[1], sys.argv[2]
    pages = os.path.join(html, 'collections', 'alibabacloud', 'ens')
    problems, count = [], 0

    def page(name):
        path = os.path.join(pages, name)
        if not os.path.isfile(path):
            problems.append('no page %s' % os.path.relpath(path, html))
            return ''
        with open(path, encoding='utf-8') as f:
            return f.read()

    for kind, folder in (('module', 'modules'), ('inventory', 'inventory')):
        for file_name in sorted(os.listdir(os.path.join(root, 'plugins', folder))):
            if file_name.endswith('.py') and not file_name.startswith('_'):
                page('%s_%s.html' % (file_name[:-3], kind))
                count += 1
    for role in sorted(os.listdir(os.path.join(root, 'roles'))):
        specs_path = os.path.join(root, 'roles', role, 'meta', 'argument_specs.yml')
        if not os.path.isfile(specs_path):
            continue
        with open(specs_path) as f:
            specs = yaml.safe_load(f)['argument_specs']
        text = page('%s_role.html' % role)
        count += 1
        for entry_point, spec in specs.items():
            if text and 'entrypoint-%s"' % entry_point.replace('_', '-') not in text:
                problems.append('role %s: no entry point %s' % (role, entry_point))
            for option in spec.get('options') or {}:
                if text and 'id="parameter-%s--%s"' % (entry_point, option) not in text:
                    problems.append('role %s, entry point %s: no option %s' % (role, entry_point, option))
    with open(os.path.join(root, 'docs', 'docsite', 'extra-docs.yml')) as f:
        for section in yaml.safe_load(f)['sections']:
            for guide in section['toctree']:
                page(os.path.join('docsite', guide + '.html'))
                count += 1
    if problems:
        print('docs site incomplete:\n  ' + '\n  '.join(problems), file=sys.stderr)
        return 1
    print('docs site: %d pages checked (modules, inventory plugins, roles with every entry point and option, guides)' % count)
    return 0


if __name__ == '__main__':
    sys.exit(main())
