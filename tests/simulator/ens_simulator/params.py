"""Decoding of API parameters: scalars, the three list encodings ENS uses, and paging."""

import json
import re

from .errors import invalid_parameter, missing_parameter

MAX_IDS_PER_FILTER = 100
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def str_param(params, name):
    """Return a parameter's value, None when it is absent or empty."""
    value = params.get(name)
    if value is None or value == '':
        return None
    return value


def required_param(params, name):
    """Return a parameter's value; MissingParameter when it is absent or empty."""
    value = str_param(params, name)
    if value is None:
        raise missing_parameter(name)
    return value


def int_param(params, name, default):
    """Return a positive integer parameter (``default`` when absent)."""
    value = str_param(params, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise invalid_parameter(name, '%r is not an integer.' % value) from exc
    if number < 1:
        raise invalid_parameter(name, 'It must be >= 1.')
    return number


def repeat_list(params, name):
    """Decode a repeat-list parameter ``Name.1=a&Name.2=b`` (in index order)."""
    if name in params:
        raise invalid_parameter(name, 'Give it as a repeat list: %s.1, %s.2, ...' % (name, name))
    pattern = re.compile(r'^%s\.(\d+)$' % re.escape(name))
    items = []
    for key, value in params.items():
        match = pattern.match(key)
        if match:
            items.append((int(match.group(1)), value))
    return [value for _index, value in sorted(items) if value != '']


def json_list(params, name):
    """Decode a JSON-string list parameter ``Name=["a","b"]``."""
    if any(key.startswith(name + '.') for key in params):
        raise invalid_parameter(name, 'Give it as a JSON string list, e.g. ["i-1","i-2"].')
    value = str_param(params, name)
    if value is None:
        return []
    try:
        items = json.loads(value)
    except ValueError as exc:
        raise invalid_parameter(name, 'It is not a JSON list.') from exc
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise invalid_parameter(name, 'It must be a JSON list of strings.')
    return items


def comma_list(params, name):
    """Decode a comma-separated list parameter ``Name=a,b``."""
    value = str_param(params, name)
    if value is None:
        return []
    return [item.strip() for item in value.split(',') if item.strip()]


def paginate(items, params):
    """Return ``(page_items, page_number, page_size)`` for PageNumber/PageSize parameters."""
    page_number = int_param(params, 'PageNumber', 1)
    page_size = min(int_param(params, 'PageSize', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    start = (page_number - 1) * page_size
    return items[start:start + page_size], page_number, page_size


def named_resources(params):
    """Return the set of resource ids a call's parameters name (InstanceId, NetworkInterfaceId, InstanceIds, NetworkInterfaceIds.N)."""
    named = {params[key] for key in ('InstanceId', 'NetworkInterfaceId') if params.get(key)}
    named.update(value for key, value in params.items() if key.startswith('NetworkInterfaceIds.') and value)
    raw = params.get('InstanceIds') or ''
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        named.update(str(item) for item in parsed)
    else:
        named.update(part.strip() for part in raw.split(',') if part.strip())
    return named
