"""Each role's README.md documents exactly the options of its meta/argument_specs.yml, with their defaults."""

import json
import os
import re

import pytest
import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES_DIR = os.path.join(COLLECTION_ROOT, 'roles')
ROLE_NAMES = sorted(name for name in os.listdir(ROLES_DIR) if os.path.isfile(os.path.join(ROLES_DIR, name, 'meta', 'argument_specs.yml')))

ENTRY_POINT_LINE = re.compile(r'^Entry point `([A-Za-z0-9_]+)`')
TABLE_ROW = re.compile(r'^\|\s*`([A-Za-z0-9_]+)`\s*\|\s*(.*?)\s*\|')


def documented_options(readme_text):
    """Return {entry point: {variable: default cell}} from the README's "## Variables" section."""
    options = {}
    entry_point = None
    in_variables = False
    for line in readme_text.splitlines():
        if line.startswith('## '):
            in_variables = line.strip() == '## Variables'
            entry_point = None
            continue
        if not in_variables:
            continue
        match = ENTRY_POINT_LINE.match(line)
        if match:
            entry_point = match.group(1)
            options.setdefault(entry_point, {})
            continue
        match = TABLE_ROW.match(line)
        if match:
            assert entry_point is not None, 'variable %s listed before any "Entry point `name`:" line' % match.group(1)
            assert match.group(1) not in options[entry_point], 'variable %s listed twice' % match.group(1)
            options[entry_point][match.group(1)] = match.group(2)
    return options


def expected_default_cell(spec):
    """The README's default cell for an argument spec: (required), (none...) or the default in backticks."""
    if spec.get('required'):
        return '(required)'
    if 'default' not in spec:
        return '(none)'  # also matches a cell that says more, such as "(none: eni_change's default)"
    default = spec['default']
    return '`%s`' % (default if isinstance(default, str) else json.dumps(default))


def test_every_role_is_checked():
    assert ROLE_NAMES, 'no role with meta/argument_specs.yml under %s' % ROLES_DIR


@pytest.mark.parametrize('role', ROLE_NAMES)
def test_readme_lists_exactly_the_argument_specs(role):
    with open(os.path.join(ROLES_DIR, role, 'meta', 'argument_specs.yml')) as f:
        specs = yaml.safe_load(f)['argument_specs']
    readme_path = os.path.join(ROLES_DIR, role, 'README.md')
    assert os.path.isfile(readme_path), 'roles/%s has no README.md' % role
    with open(readme_path) as f:
        documented = documented_options(f.read())

    expected = {
        entry_point: {name: expected_default_cell(spec) for name, spec in (entry.get('options') or {}).items()}
        for entry_point, entry in specs.items()
    }
    # A cell may explain an option without a default after "(none": compare its start only.
    documented = {
        entry_point: {name: '(none)' if cell.startswith('(none') else cell for name, cell in options.items()}
        for entry_point, options in documented.items()
    }
    assert sorted(documented) == sorted(expected), 'roles/%s/README.md: entry points differ from argument_specs' % role
    for entry_point, options in expected.items():
        missing = sorted(set(options) - set(documented[entry_point]))
        extra = sorted(set(documented[entry_point]) - set(options))
        assert not missing and not extra, (
            'roles/%s/README.md, entry point %s: undocumented %s, not in argument_specs %s' % (role, entry_point, missing, extra))
        assert documented[entry_point] == options, 'roles/%s/README.md, entry point %s: defaults differ' % (role, entry_point)


def test_a_missing_or_extra_option_is_caught():
    readme = ('## Variables\n\nEntry point `main`:\n\n| Variable | Default | Description |\n|---|---|---|\n| `a_x` | `1` | x |\n\n'
              '## Example\n| `b_y` | `2` | y |\n')
    assert documented_options(readme) == {'main': {'a_x': '`1`'}}
    assert expected_default_cell({'type': 'list', 'default': []}) == '`[]`'
    assert expected_default_cell({'type': 'bool', 'default': False}) == '`false`'
    assert expected_default_cell({'type': 'str', 'required': True}) == '(required)'
    assert expected_default_cell({'type': 'bool'}) == '(none)'
