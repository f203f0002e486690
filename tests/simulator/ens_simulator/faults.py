"""Injected faults: the random fault configuration and its draws, and the queue of one-shot ``fail_next`` failures."""

from .behaviours import BATCH_ACTIONS
from .fleet import refuse_unknown_keys
from .params import named_resources

FAULT_DEFAULTS = {
    'seed': 0,
    'throttling_rate': 0.0,
    'unavailable_rate': 0.0,
    'lost_answer_rate': 0.0,
    'latency_ms': 0.0,
    'latency_jitter_ms': 0.0,
    'actions': None,
    'throttling_retry_after_ms': None,
}
FAIL_NEXT_KEYS = frozenset(('action', 'code', 'status', 'count', 'message', 'resource'))


def normalize_faults(config):
    """Validate a fault configuration and fill in defaults."""
    result = dict(FAULT_DEFAULTS)
    if not config:
        return result
    if not isinstance(config, dict):
        raise ValueError('faults must be an object')
    refuse_unknown_keys(config, FAULT_DEFAULTS, 'fault', ValueError)
    result.update(config)
    for key in ('throttling_rate', 'unavailable_rate', 'lost_answer_rate'):
        value = result[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError('%s must be a number between 0 and 1' % key)
    for key in ('latency_ms', 'latency_jitter_ms'):
        value = result[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError('%s must be a number >= 0' % key)
    if result['actions'] is not None and (not isinstance(result['actions'], list) or not all(isinstance(a, str) for a in result['actions'])):
        raise ValueError('actions must be a list of action names or null')
    if not isinstance(result['seed'], int) or isinstance(result['seed'], bool):
        raise ValueError('seed must be an integer')
    return result


def normalize_fail_next(entry):
    """Validate one ``fail_next`` entry."""
    if not isinstance(entry, dict) or not entry.get('code'):
        raise ValueError('a fail_next entry needs at least "code"')
    refuse_unknown_keys(entry, FAIL_NEXT_KEYS, 'fail_next', ValueError)
    status = int(entry.get('status', 400))
    count = int(entry.get('count', 1))
    if not 400 <= status <= 599 or count < 1:
        raise ValueError('fail_next needs 400 <= status <= 599 and count >= 1')
    resource = entry.get('resource')
    if resource is not None and (not isinstance(resource, str) or not resource):
        raise ValueError('fail_next "resource" must be an instance or ENI id')
    return {
        'action': entry.get('action') or '*',
        'code': str(entry['code']),
        'status': status,
        'count': count,
        'message': entry.get('message') or 'Injected failure %s.' % entry['code'],
        'resource': resource,
    }


def draw_faults(faults, rng, action):
    """Draw this call's random faults (always the same number of draws, for reproducibility)."""
    if faults['actions'] is not None and action not in faults['actions']:
        return {'throttle': False, 'unavailable': False, 'lost': False, 'delay': 0.0}
    throttle = rng.random() < faults['throttling_rate']
    unavailable = rng.random() < faults['unavailable_rate']
    lost = rng.random() < faults['lost_answer_rate']
    jitter = rng.random() * faults['latency_jitter_ms']
    return {'throttle': throttle, 'unavailable': unavailable, 'lost': lost, 'delay': (faults['latency_ms'] + jitter) / 1000.0}


def _consume(queue, entry):
    entry['count'] -= 1
    if entry['count'] <= 0:
        queue.remove(entry)


def pop_fail_next(queue, action, params):
    """Take what fails this call from ``queue``: ``(entry failing the whole call or None, {instance_id: entry} of a batch call)``.

    The first matching entry in queue order decides: one without ``resource``, or with a ``resource`` the call names
    (any action but StopInstances/StartInstances), fails the whole call; one naming an instance of a batch call
    fails that instance's ``InstanceResponses`` entry, and every later entry naming another instance of it joins in.
    """
    batch_ids = None
    if action in BATCH_ACTIONS:
        batch_ids = {part.strip() for part in (params.get('InstanceIds') or '').split(',') if part.strip()}
    named = None
    per_instance = {}
    for entry in list(queue):
        if entry['action'] not in ('*', action):
            continue
        resource = entry['resource']
        if batch_ids is not None and resource is not None:
            if resource in batch_ids and resource not in per_instance:
                _consume(queue, entry)
                per_instance[resource] = entry
            continue
        if per_instance:
            continue
        if resource is not None:
            if named is None:
                named = named_resources(params)
            if resource not in named:
                continue
        _consume(queue, entry)
        return entry, {}
    return None, per_instance
