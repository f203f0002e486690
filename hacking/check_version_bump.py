#!/usr/bin/env python
"""Check that galaxy.yml's version is the one semantic versioning calls for, given the last release in
changelogs/changelog.yaml and the categories of the unreleased fragments (Ansible's collection policy):
breaking_changes or removed_features -> next major; major_changes, minor_changes, deprecated_features
-> next minor; only bugfixes, security_fixes, known_issues, trivial -> next patch.

Usage: hacking/check_version_bump.py [COLLECTION_ROOT]
"""

import glob
import os
import sys

import yaml

MAJOR = ('breaking_changes', 'removed_features')
MINOR = ('major_changes', 'minor_changes', 'deprecated_features')


def parse(version):
    return tuple(int(part) for part in version.split('.')[:3])


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, 'galaxy.yml')) as f:
        version = yaml.safe_load(f)['version']
    with open(os.path.join(root, 'changelogs', 'changelog.yaml')) as f:
        released = sorted((parse(v) for v in (yaml.safe_load(f).get('releases') or {})), reverse=True)
    categories = {}
    for path in sorted(glob.glob(os.path.join(root, 'changelogs', 'fragments', '*.y*ml'))):
        with open(path) as f:
            for category in yaml.safe_load(f) or {}:
                categories.setdefault(category, []).append(os.path.basename(path))
    if version in ['.'.join(map(str, v)) for v in released]:
        if categories.keys() - {'release_summary', 'trivial'}:
            print('galaxy.yml: version %s is already released, yet fragments are waiting: bump it' % version, file=sys.stderr)
            return 1
        return 0
    last = released[0] if released else (0, 0, 0)
    why = [c for c in MAJOR if c in categories]
    if why:
        expected = (last[0] + 1, 0, 0)
    else:
        why = [c for c in MINOR if c in categories]
        expected = (last[0], last[1] + 1, 0) if why else (last[0], last[1], last[2] + 1)
    expected_text = '.'.join(map(str, expected))
    reason = ', '.join('%s (%s)' % (c, ', '.join(categories[c])) for c in why) or 'fixes only'
    if parse(version) != expected:
        print('galaxy.yml: version %s, but after %s the fragments call for %s: %s' % (
            version, '.'.join(map(str, last)), expected_text, reason), file=sys.stderr)
        return 1
    print('galaxy.yml: version %s follows %s as semver calls for: %s' % (version, '.'.join(map(str, last)), reason))
    return 0


if __name__ == '__main__':
    sys.exit(main())
