"""Fixture loading for the ENS simulator, plus a generator for big fleets.

A fixture is a JSON object (a file, the name of a file in ``tests/simulator/fixtures``, or an
inline dict) describing credentials, transition times, instances and network interfaces.  See
``tests/simulator/README.md`` for the schema.  This module only resolves, copies and expands
fixtures; :mod:`ens_simulator.resources` fills in per-resource defaults and :mod:`ens_simulator.state` validates consistency.
"""

import copy
import itertools
import json
import os

from .behaviours import normalize_behaviours

FIXTURES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures')

DEFAULT_TRANSITION_SECONDS = {'attach': 0.2, 'detach': 0.2, 'stop': 0.2, 'start': 0.2}

DEFAULT_CREDENTIALS = [
    {
        'AccessKeyId': 'LTAIsimulatorKey0001',
        'AccessKeySecret': 'simSecret-Q7v9Xk2pRt',
        'SecurityToken': None,
        'DeniedActions': {},
    },
    {
        'AccessKeyId': 'STS.simulatorSts0001',
        'AccessKeySecret': 'simStsSecret-H3m8Lw',
        'SecurityToken': 'simStsToken-Zx41Pq',
        'DeniedActions': {},
    },
    {
        'AccessKeyId': 'LTAIsimulatorDenied01',
        'AccessKeySecret': 'simDeniedSecret-B6n2',
        'SecurityToken': None,
        'DeniedActions': {
            'AttachNetworkInterface': 'NoPermission',
            'DetachNetworkInterface': 'Forbidden.RAM',
        },
    },
]

FIXTURE_KEYS = frozenset(('credentials', 'transition_seconds', 'instances', 'network_interfaces', 'generate', 'limits', 'description',
                          'behaviours'))

GENERATE_KEYS = frozenset((
    'instances', 'free_enis_per_instance', 'secondary_enis_per_instance', 'ens_region_id', 'network_id',
    'vswitch_id', 'status', 'prefix', 'start_index',
))


class FixtureError(ValueError):
    """Raised for a fixture that cannot be found or does not follow the schema."""


def refuse_unknown_keys(config, known, what, error=FixtureError):
    """Raise ``error`` naming the keys of ``config`` that are not in ``known``."""
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise error('unknown %s keys: %s' % (what, ', '.join(unknown)))


def fixture_names():
    """Return the names of the fixtures shipped in ``tests/simulator/fixtures``."""
    try:
        entries = os.listdir(FIXTURES_DIR)
    except OSError:
        return []
    return sorted(name[:-5] for name in entries if name.endswith('.json'))


def resolve_fixture_path(name_or_path):
    """Return the path of a fixture given as a path or as the name of a shipped fixture."""
    candidates = [name_or_path]
    if not os.path.isabs(name_or_path):
        candidates.append(os.path.join(FIXTURES_DIR, name_or_path))
        if not name_or_path.endswith('.json'):
            candidates.append(os.path.join(FIXTURES_DIR, name_or_path + '.json'))
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise FixtureError('fixture %r not found (shipped fixtures: %s)' % (name_or_path, ', '.join(fixture_names()) or 'none'))


def load_fixture(fixture=None):
    """Return a deep copy of a fixture given as None (the default fixture), a name, a path or a dict."""
    if fixture is None:
        fixture = 'default'
    if isinstance(fixture, dict):
        data = copy.deepcopy(fixture)
    elif isinstance(fixture, (str, os.PathLike)):
        path = resolve_fixture_path(os.fspath(fixture))
        try:
            with open(path, encoding='utf-8') as handle:
                data = json.load(handle)
        except ValueError as exc:
            raise FixtureError('fixture %s is not valid JSON: %s' % (path, exc)) from exc
    else:
        raise FixtureError('a fixture must be a name, a path or a dict, not %s' % type(fixture).__name__)
    if not isinstance(data, dict):
        raise FixtureError('a fixture must be a JSON object')
    refuse_unknown_keys(data, FIXTURE_KEYS, 'fixture')
    return data


def normalize_transition_seconds(value, base=None):
    """Merge ``value`` (a number for every kind, or a dict per kind) over ``base``."""
    result = dict(DEFAULT_TRANSITION_SECONDS if base is None else base)
    if value is None:
        return result
    if isinstance(value, bool):
        raise FixtureError('transition_seconds must be a number or an object')
    if isinstance(value, (int, float)):
        value = dict.fromkeys(DEFAULT_TRANSITION_SECONDS, value)
    if not isinstance(value, dict):
        raise FixtureError('transition_seconds must be a number or an object')
    for kind, seconds in value.items():
        if kind not in DEFAULT_TRANSITION_SECONDS:
            raise FixtureError('unknown transition kind %r (known: attach, detach, stop, start)' % kind)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise FixtureError('transition_seconds.%s must be a number >= 0' % kind)
        result[kind] = float(seconds)
    return result


def normalize_credentials(credentials):
    """Validate a credential list; ``None`` gives the default credentials."""
    if credentials is None:
        credentials = copy.deepcopy(DEFAULT_CREDENTIALS)
    if not isinstance(credentials, list):
        raise FixtureError('credentials must be a list')
    result = []
    for entry in credentials:
        if not isinstance(entry, dict) or not entry.get('AccessKeyId') or not entry.get('AccessKeySecret'):
            raise FixtureError('every credential needs AccessKeyId and AccessKeySecret')
        denied = entry.get('DeniedActions') or {}
        if not isinstance(denied, dict):
            raise FixtureError('DeniedActions must be an object {action: code}')
        for action, code in denied.items():
            if code not in ('NoPermission', 'Forbidden.RAM'):
                raise FixtureError('DeniedActions.%s must be NoPermission or Forbidden.RAM' % action)
        result.append({
            'AccessKeyId': str(entry['AccessKeyId']),
            'AccessKeySecret': str(entry['AccessKeySecret']),
            'SecurityToken': entry.get('SecurityToken'),
            'DeniedActions': dict(denied),
            'ExpiresAt': entry.get('ExpiresAt'),
        })
    return result


def letter_suffix(index):
    """Return ``a``, ``b``, ... ``z``, ``aa``, ``ab``, ... for index 0, 1, ..."""
    letters = ''
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord('a') + rest) + letters
    return letters


def free_suffixes(count):
    """Return ``count`` suffixes for free ENIs: ``a``, ``b``, ... skipping ``p`` (the primary ENI's suffix)."""
    suffixes = []
    index = 0
    while len(suffixes) < count:
        suffix = letter_suffix(index)
        index += 1
        if suffix != 'p':
            suffixes.append(suffix)
    return suffixes


def sequential_ip(counter, second_octet):
    """Return the ``counter``-th address of ``10.<second_octet>.0.0/16`` (skipping .0 and .1)."""
    third, fourth = divmod(counter, 250)
    return '10.%d.%d.%d' % (second_octet + third // 256, third % 256, fourth + 2)


def generate_fleet(spec):
    """Return ``(instances, network_interfaces)`` for a ``generate`` block.

    IDs are predictable: instances ``i-<prefix>-0001``..., their primary ENIs ``eni-<prefix>-0001-p``,
    attached secondary ENIs ``eni-<prefix>-0001-s1``... and free ENIs ``eni-<prefix>-0001-a``, ``-b``...
    (``-p`` is skipped: after ``-o`` comes ``-q``; after ``-z`` come ``-aa``, ``-ab``...).
    """
    if not isinstance(spec, dict):
        raise FixtureError('generate must be an object')
    refuse_unknown_keys(spec, GENERATE_KEYS, 'generate')
    count = int(spec.get('instances', 0))
    free = int(spec.get('free_enis_per_instance', 0))
    secondary = int(spec.get('secondary_enis_per_instance', 0))
    if count < 0 or free < 0 or secondary < 0:
        raise FixtureError('generate counts must be >= 0')
    prefix = spec.get('prefix', 'gen')
    region = spec.get('ens_region_id', 'cn-tianjin-cmcc')
    network = spec.get('network_id', 'n-%s' % prefix)
    vswitch = spec.get('vswitch_id', 'vsw-%s' % prefix)
    status = spec.get('status', 'Running')
    start = int(spec.get('start_index', 1))
    instances = []
    enis = []
    addresses = (sequential_ip(number, 64) for number in itertools.count())

    def eni(eni_id, name, eni_type, eni_status, instance_id):
        return {'NetworkInterfaceId': eni_id, 'NetworkInterfaceName': name, 'Type': eni_type, 'Status': eni_status, 'InstanceId': instance_id,
                'EnsRegionId': region, 'NetworkId': network, 'VSwitchId': vswitch, 'PrimaryIp': next(addresses)}

    for number in range(start, start + count):
        tag = '%s-%04d' % (prefix, number)
        instance_id = 'i-%s' % tag
        instances.append({
            'InstanceId': instance_id,
            'InstanceName': tag,
            'Status': status,
            'EnsRegionId': region,
            'NetworkId': network,
            'VSwitchId': vswitch,
        })
        enis.append(eni('eni-%s-p' % tag, '%s-primary' % tag, 'Primary', 'InUse', instance_id))
        enis.extend(eni('eni-%s-s%d' % (tag, index), '%s-s%d' % (tag, index), 'Secondary', 'InUse', instance_id) for index in range(1, secondary + 1))
        enis.extend(eni('eni-%s-%s' % (tag, suffix), '%s-%s' % (tag, suffix), 'Secondary', 'Available', '') for suffix in free_suffixes(free))
    return instances, enis


def expand_fixture(fixture=None):
    """Load a fixture and return it normalized: credentials, transition_seconds, limits, instances, network_interfaces."""
    data = load_fixture(fixture)
    instances = list(data.get('instances') or [])
    enis = list(data.get('network_interfaces') or [])
    if not all(isinstance(item, dict) for item in instances + enis):
        raise FixtureError('instances and network_interfaces must be lists of objects')
    if data.get('generate'):
        gen_instances, gen_enis = generate_fleet(data['generate'])
        instances.extend(gen_instances)
        enis.extend(gen_enis)
    limits = {'enis_per_instance': 10}
    limits.update(data.get('limits') or {})
    behaviours = data.get('behaviours')
    try:
        normalize_behaviours(behaviours)
    except ValueError as exc:
        raise FixtureError('fixture behaviours: %s' % exc) from exc
    return {
        'behaviours': copy.deepcopy(behaviours),
        'credentials': normalize_credentials(data.get('credentials')),
        'transition_seconds': normalize_transition_seconds(data.get('transition_seconds')),
        'limits': limits,
        'instances': instances,
        'network_interfaces': enis,
    }
