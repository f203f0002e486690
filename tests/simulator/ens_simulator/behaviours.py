"""Switchable "real cloud" behaviours: read-after-write lag, backend errors, flow control, 200s carrying a failure.

One configuration object (``behaviours``, every key optional, unknown keys refused) set from a fixture's
``behaviours`` key, the CLI (``--behaviours``, ``--read-lag``) or the control API. The rule that limits ENI
operations to one at a time per instance lives in the model (``EnsModel.one_eni_operation_per_instance``);
everything else is applied by the HTTP layer through :class:`Behaviours`.
"""

import copy
import math
import random
import time

BEHAVIOUR_DEFAULTS = {
    'read_lag': 0.0,
    'one_eni_operation_per_instance': False,
    'interface_error_rate': 0.0,
    'interface_error_effect_rate': 0.5,
    'interface_error_actions': None,
    'rate_limits': {},
    'nonzero_code_rate': 0.0,
    'seed': 0,
}
RATE_KEYS = ('interface_error_rate', 'interface_error_effect_rate', 'nonzero_code_rate')
NONZERO_CODE_ACTIONS = frozenset(('StopInstance', 'StartInstance', 'RebootInstance'))
NONZERO_CODE = 'IncorrectInstanceStatus'
NONZERO_MESSAGE = 'The operation was not carried out: the instance did not accept it.'
INSTANCE_ACTIONS = frozenset(('StopInstance', 'StartInstance', 'RebootInstance'))
BATCH_ACTIONS = frozenset(('StopInstances', 'StartInstances'))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def normalize_behaviours(config, base=None):
    """Validate ``config`` (a dict or None) and merge it over ``base`` (default: :data:`BEHAVIOUR_DEFAULTS`)."""
    result = copy.deepcopy(BEHAVIOUR_DEFAULTS if base is None else base)
    if config is None:
        return result
    if not isinstance(config, dict):
        raise ValueError('behaviours must be an object')
    unknown = sorted(set(config) - set(BEHAVIOUR_DEFAULTS))
    if unknown:
        raise ValueError('unknown behaviours keys: %s (known: %s)' % (', '.join(unknown), ', '.join(sorted(BEHAVIOUR_DEFAULTS))))
    result.update(copy.deepcopy(config))
    if not _is_number(result['read_lag']) or not 0 <= result['read_lag'] < math.inf:
        raise ValueError('read_lag must be a number of seconds >= 0')
    result['read_lag'] = float(result['read_lag'])
    for key in RATE_KEYS:
        if not _is_number(result[key]) or not 0 <= result[key] <= 1:
            raise ValueError('%s must be a number between 0 and 1' % key)
        result[key] = float(result[key])
    actions = result['interface_error_actions']
    if actions is not None and (not isinstance(actions, list) or not all(isinstance(a, str) and a for a in actions)):
        raise ValueError('interface_error_actions must be null (every action) or a list of action names')
    if not isinstance(result['one_eni_operation_per_instance'], bool):
        raise ValueError('one_eni_operation_per_instance must be true or false')
    if not isinstance(result['seed'], int) or isinstance(result['seed'], bool):
        raise ValueError('seed must be an integer')
    limits = result['rate_limits']
    if limits is None:
        limits = result['rate_limits'] = {}
    if not isinstance(limits, dict):
        raise ValueError('rate_limits must be an object {"<Action>" or "*": calls_per_second}')
    for action, per_second in limits.items():
        if not isinstance(action, str) or not action:
            raise ValueError('rate_limits keys are action names or "*"')
        if not isinstance(per_second, int) or isinstance(per_second, bool) or per_second < 0:
            raise ValueError('rate_limits.%s must be an integer >= 0 (calls per second)' % action)
    return result


class StaleViews:
    """What reads show during read-after-write lag: per resource, the view from before the last accepted change.

    ``enis[id]`` = ``(until, {"Status", "InstanceId"})``; ``instances[id]`` = ``{"Status": (until, value),
    "NetworkInterfaces": (until, [entries])}`` (the instance's status and its attached-ENI list lag independently).
    """

    def __init__(self):
        self.enis = {}
        self.instances = {}

    def clear(self):
        """Forget every stale view (reads show the truth again)."""
        self.enis = {}
        self.instances = {}

    def forget(self, resource_id):
        """Forget the stale views of one resource (its truth was set by the control API)."""
        self.enis.pop(resource_id, None)
        self.instances.pop(resource_id, None)

    def eni_views(self, now):
        """Return ``{eni_id: {"Status", "InstanceId"}}`` for ENIs still read stale at ``now``."""
        self.enis = {key: entry for key, entry in self.enis.items() if entry[0] > now}
        return {key: view for key, (_until, view) in self.enis.items()}

    def instance_views(self, now):
        """Return ``{instance_id: {"Status"?, "NetworkInterfaces"?}}`` for instances still read stale at ``now``."""
        views = {}
        for key, fields in list(self.instances.items()):
            live = {name: entry for name, entry in fields.items() if entry[0] > now}
            if live:
                self.instances[key] = live
                views[key] = {name: value for name, (_until, value) in live.items()}
            else:
                del self.instances[key]
        return views

    def describe(self, now):
        """Return the stale views still active at ``now`` with their end times (for ``GET /_sim/state``)."""
        self.eni_views(now)
        self.instance_views(now)
        return {
            'network_interfaces': {key: dict(view, until=until) for key, (until, view) in self.enis.items()},
            'instances': {key: {name: {'until': until, 'value': copy.deepcopy(value)} for name, (until, value) in fields.items()}
                          for key, fields in self.instances.items()},
        }


class Behaviours:
    """The behaviours of one run: configuration, seeded draws, 1-second rate windows and stale read views.

    Callers hold the simulator's lock.  ``clock`` is used for rate windows and lag deadlines.
    """

    def __init__(self, config=None, clock=time.time):
        self.clock = clock
        self.stale = StaleViews()
        self.configure(config)

    def configure(self, config):
        """Replace the configuration (already normalized or partial); re-seed, empty the windows and stale views."""
        self.config = normalize_behaviours(config)
        self.rng = random.Random(self.config['seed'])
        self.lag_rng = random.Random('read_lag-%d' % self.config['seed'])
        self.windows = {}
        self.stale.clear()
        return copy.deepcopy(self.config)

    # ------------------------------------------------------------- draws

    def draw(self, action):
        """Draw this call's random behaviours (always 3 numbers, so a seeded run is reproducible)."""
        actions = self.config['interface_error_actions']
        interface_error = self.rng.random() < self.config['interface_error_rate'] and (actions is None or action in actions)
        applied = self.rng.random() < self.config['interface_error_effect_rate']
        nonzero = self.rng.random() < self.config['nonzero_code_rate']
        return {
            'interface_error': interface_error,
            'interface_error_applied': interface_error and applied,
            'nonzero_code': nonzero and action in NONZERO_CODE_ACTIONS,
        }

    def over_rate_limit(self, action):
        """Count this call in its 1-second window (per action and ``"*"``); return True if it is past a limit."""
        limits = self.config['rate_limits']
        if not limits:
            return False
        second = math.floor(self.clock())
        over = False
        for key in (action, '*'):
            if key not in limits:
                continue
            window, count = self.windows.get(key, (second, 0))
            if window != second:
                window, count = second, 0
            count += 1
            self.windows[key] = (window, count)
            if count > limits[key]:
                over = True
        return over

    # ------------------------------------------------------------- read-after-write lag

    def capture(self, model, action, params):
        """Return the views a mutating call may change, read from the truth just before it runs (None = no lag)."""
        if self.config['read_lag'] <= 0:
            return None
        model.advance()
        enis, statuses, lists = {}, {}, {}
        if action in ('AttachNetworkInterface', 'DetachNetworkInterface'):
            eni = model.enis.get(params.get('NetworkInterfaceId') or '')
            if eni is not None:
                enis[eni.id] = {'Status': eni.status, 'InstanceId': eni.attrs['InstanceId']}
            for instance_id in sorted({params.get('InstanceId') or '', eni.attrs['InstanceId'] if eni else ''}):
                if instance_id in model.instances:
                    lists[instance_id] = model.render_instance(model.instances[instance_id])['NetworkInterfaces']['NetworkInterfaces']
        elif action in INSTANCE_ACTIONS or action in BATCH_ACTIONS:
            ids = [params.get('InstanceId')] if action in INSTANCE_ACTIONS else (params.get('InstanceIds') or '').split(',')
            for instance_id in ids:
                instance = model.instances.get((instance_id or '').strip())
                if instance is not None:
                    statuses[instance.id] = instance.status
        return {'enis': enis, 'statuses': statuses, 'lists': lists}

    def record(self, model, before, now):
        """After an accepted call: reads of every view it changed show ``before`` for a random time in [0, read_lag]."""
        if not before:
            return
        lag = self.config['read_lag']
        for eni_id, view in sorted(before['enis'].items()):
            eni = model.enis.get(eni_id)
            if eni is not None and (eni.status, eni.attrs['InstanceId']) != (view['Status'], view['InstanceId']):
                self.stale.enis[eni_id] = (now + self.lag_rng.uniform(0, lag), dict(view))
        for instance_id, status in sorted(before['statuses'].items()):
            instance = model.instances.get(instance_id)
            if instance is not None and instance.status != status:
                self.stale.instances.setdefault(instance_id, {})['Status'] = (now + self.lag_rng.uniform(0, lag), status)
        for instance_id, entries in sorted(before['lists'].items()):
            instance = model.instances.get(instance_id)
            if instance is not None and model.render_instance(instance)['NetworkInterfaces']['NetworkInterfaces'] != entries:
                self.stale.instances.setdefault(instance_id, {})['NetworkInterfaces'] = (now + self.lag_rng.uniform(0, lag), entries)
