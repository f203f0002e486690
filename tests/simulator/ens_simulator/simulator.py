"""The simulator behind the HTTP server: model, credentials, faults, behaviours and call log.

API calls are RPC style: ``POST /`` with every parameter in the URL query and the action and
version in the ``x-acs-action`` / ``x-acs-version`` headers, signed with ACS3-HMAC-SHA256.
Control calls live under ``/_sim/`` (:mod:`.control_api`): they are unsigned JSON and never logged as API calls.
"""

import json
import logging
import random
import threading
import time
from urllib.parse import parse_qsl

from .auth import Authenticator, check_action
from .behaviours import NONZERO_CODE, NONZERO_MESSAGE, Behaviours, normalize_behaviours
from .control_api import ControlApi
from .errors import INJECTED_MESSAGES, ApiError, error_body, new_request_id
from .faults import draw_faults, normalize_fail_next, normalize_faults, pop_fail_next
from .model import EnsModel

LOG = logging.getLogger('ens_simulator')

MUTATING_ACTIONS = frozenset(action for action, (_method, mutating) in EnsModel.ACTIONS.items() if mutating)


class Simulator(ControlApi):
    """The simulator state behind the HTTP server: model, credentials, faults, behaviours and call log.

    One re-entrant lock (``self.lock``, shared with the model) guards everything.  ``behaviours`` (partial) are the
    server's own: with the fixture's ``behaviours`` under them they are what a reset without ``behaviours`` returns to.
    """

    def __init__(self, fixture='default', transition_seconds=None, faults=None, call_log_path=None, clock=time.time, behaviours=None):
        self.lock = threading.RLock()
        self.clock = clock
        self.fixture = fixture
        self.call_log_path = call_log_path
        self.on_shutdown = None
        self.model = EnsModel(fixture, transition_seconds, clock=clock, lock=self.lock)
        self.faults = normalize_faults(faults)
        self.rng = random.Random(self.faults['seed'])
        normalize_behaviours(behaviours)
        self.server_behaviours = dict(behaviours or {})
        self.behaviours = Behaviours(self.default_behaviours(), clock=clock)
        self.model.stale_views = self.behaviours.stale
        self.model.one_eni_operation_per_instance = self.behaviours.config['one_eni_operation_per_instance']
        self.fail_next = []
        self.calls = []
        self.auth = Authenticator(lambda: self.model.credentials, clock)
        self._seq = 0

    # ------------------------------------------------------------- state management

    def default_behaviours(self):
        """The behaviours a reset without ``behaviours`` returns to: the fixture's key, overridden by the server's own."""
        merged = dict(self.model.fixture_behaviours or {})
        merged.update(self.server_behaviours)
        return normalize_behaviours(merged)

    def set_behaviours(self, behaviours):
        """Replace the behaviours (unset keys take their defaults); re-seed, empty rate windows and stale read views."""
        new_behaviours = normalize_behaviours(behaviours)
        with self.lock:
            config = self.behaviours.configure(new_behaviours)
            self.model.one_eni_operation_per_instance = config['one_eni_operation_per_instance']
            return config

    def reset(self, fixture=None, fleet=None, faults=None, transition_seconds=None, behaviours=None):
        """Reload a fixture (name/path, inline ``fleet`` dict, or the current one) and clear faults and the call log.

        ``behaviours`` None returns to the server's default behaviours (see :meth:`default_behaviours`).
        """
        source = fleet if fleet is not None else (fixture if fixture is not None else self.fixture)
        new_faults = normalize_faults(faults)
        new_behaviours = None if behaviours is None else normalize_behaviours(behaviours)
        with self.lock:
            self.model.load(source, transition_seconds)
            self.set_behaviours(self.default_behaviours() if new_behaviours is None else new_behaviours)
            self.fixture = source
            self.faults = new_faults
            self.rng = random.Random(new_faults['seed'])
            self.fail_next = []
            self.calls = []
            self.auth.forget_nonces()
            self._seq = 0

    def set_faults(self, faults):
        """Replace the fault configuration (and re-seed the random generator)."""
        new_faults = normalize_faults(faults)
        with self.lock:
            self.faults = new_faults
            self.rng = random.Random(new_faults['seed'])
            return dict(self.faults)

    def add_fail_next(self, entries):
        """Queue one-shot failures (a dict or a list of dicts)."""
        if isinstance(entries, dict) and 'entries' in entries:
            entries = entries['entries']
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            raise ValueError('fail_next takes an entry or a list of entries')
        normalized = [normalize_fail_next(entry) for entry in entries]
        with self.lock:
            self.fail_next.extend(normalized)
            return [dict(entry) for entry in self.fail_next]

    def clear_calls(self):
        """Forget the call log."""
        with self.lock:
            self.calls = []

    def calls_summary(self, action=None, since=None):
        """Return the call log with per-action counts (optionally filtered by action / seq > since)."""
        with self.lock:
            calls = [dict(call) for call in self.calls
                     if (action is None or call['action'] == action) and (since is None or call['seq'] > since)]
        counts = {}
        codes = {}
        for call in calls:
            counts[call['action']] = counts.get(call['action'], 0) + 1
            if call['code']:
                codes[call['code']] = codes.get(call['code'], 0) + 1
        return {
            'calls': calls,
            'counts': counts,
            'codes': codes,
            'mutating': sum(1 for call in calls if call['mutating']),
            'effects': sum(1 for call in calls if call['effect']),
        }

    # ------------------------------------------------------------- API calls

    def handle_api(self, method, path, query, headers, body):
        """Answer one API call; return ``(http_status, body_dict, extra_headers)``.

        ``headers`` maps lower-case header names to lists of values.
        """
        request_id = new_request_id()
        params = dict(parse_qsl(query or '', keep_blank_values=True))
        action = ','.join(headers.get('x-acs-action', [])) or params.get('Action', '')
        mutating = action in MUTATING_ACTIONS
        state = {'credential': None, 'injected': None, 'delay': 0.0}
        extra_headers = {'x-acs-request-id': request_id}
        try:
            with self.lock:
                credential = self.auth.authenticate(method, path, params, headers, body)
                self.model.start_countdowns()
                state['credential'] = credential['AccessKeyId']
                check_action(action, headers, credential, EnsModel.ACTIONS)
                fault = draw_faults(self.faults, self.rng, action)
            if fault['delay'] > 0:
                state['delay'] = fault['delay']
                time.sleep(fault['delay'])
            with self.lock:
                return self._execute(action, params, fault, state, request_id, extra_headers, mutating)
        except ApiError as exc:
            with self.lock:
                self._log(action, params, exc.status, exc.code, request_id, mutating, False, state)
            return exc.status, error_body(request_id, exc.code, exc.message), extra_headers

    def _execute(self, action, params, fault, state, request_id, extra_headers, mutating):
        behaviour = self.behaviours.draw(action)
        if self.behaviours.over_rate_limit(action):
            state['injected'] = 'rate_limit'
            raise ApiError('Throttling.User', INJECTED_MESSAGES['Throttling.User'], 400)
        injected, instance_failures = pop_fail_next(self.fail_next, action, params)
        if injected:
            state['injected'] = 'fail_next'
            raise ApiError(injected['code'], injected['message'], injected['status'])
        if instance_failures:
            state['injected'] = 'fail_next'
        if fault['throttle']:
            state['injected'] = 'throttling'
            if self.faults['throttling_retry_after_ms']:
                extra_headers['x-acs-retry-after'] = str(int(self.faults['throttling_retry_after_ms']))
            raise ApiError('Throttling.User', 'Request was denied due to user flow control.', 400)
        if fault['unavailable']:
            state['injected'] = 'unavailable'
            raise ApiError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503)
        if behaviour['nonzero_code']:
            state['injected'] = 'nonzero_code'
            self._log(action, params, 200, NONZERO_CODE, request_id, mutating, False, state)
            return 200, {'RequestId': request_id, 'Code': NONZERO_CODE, 'Message': NONZERO_MESSAGE}, extra_headers
        if behaviour['interface_error']:
            state['injected'] = 'interface_error'
            if not (mutating and behaviour['interface_error_applied']):
                raise ApiError('ens.interface.error', INJECTED_MESSAGES['ens.interface.error'], 400)
        before = self.behaviours.capture(self.model, action, params) if mutating else None
        try:
            body, effect = self.model.dispatch(action, params, instance_failures=instance_failures)
        except ApiError:
            if behaviour['interface_error']:
                raise ApiError('ens.interface.error', INJECTED_MESSAGES['ens.interface.error'], 400) from None
            raise
        except Exception as exc:
            LOG.exception('simulator failure in %s', action)
            raise ApiError('InternalError', 'The simulator failed: %s: %s' % (type(exc).__name__, exc), 500) from exc
        if effect:
            self.behaviours.record(self.model, before, self.clock())
        if behaviour['interface_error']:
            state['injected'] = 'interface_error_applied' if effect else 'interface_error'
            self._log(action, params, 400, 'ens.interface.error', request_id, mutating, effect, state)
            return 400, error_body(request_id, 'ens.interface.error', INJECTED_MESSAGES['ens.interface.error']), extra_headers
        if mutating and fault['lost']:
            state['injected'] = 'lost_answer'
            self._log(action, params, 500, 'InternalError', request_id, mutating, effect, state)
            message = 'The request processing has failed due to some unknown error, exception or failure.'
            return 500, error_body(request_id, 'InternalError', message), extra_headers
        self._log(action, params, 200, None, request_id, mutating, effect, state)
        result = {'RequestId': request_id}
        result.update(body)
        return 200, result, extra_headers

    def _log(self, action, params, status, code, request_id, mutating, effect, state):
        self._seq += 1
        entry = {
            'seq': self._seq,
            'time': time.time(),
            'action': action,
            'params': params,
            'status': status,
            'code': code,
            'request_id': request_id,
            'mutating': mutating,
            'effect': bool(effect),
            'access_key_id': state['credential'],
            'injected': state['injected'],
            'latency_ms': round(state['delay'] * 1000.0, 3),
        }
        self.calls.append(entry)
        LOG.info('%s %s -> %s %s', action, json.dumps(params, sort_keys=True), status, code or 'OK')
        if self.call_log_path:
            with open(self.call_log_path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(entry, sort_keys=True) + '\n')
