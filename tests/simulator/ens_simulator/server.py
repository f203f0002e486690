"""HTTP layer of the ENS simulator: authentication, faults, call log, control API and server thread.

API calls are RPC style: ``POST /`` with every parameter in the URL query and the action and
version in the ``x-acs-action`` / ``x-acs-version`` headers, signed with ACS3-HMAC-SHA256.
Control calls live under ``/_sim/``: they are unsigned JSON and never logged as API calls.
"""

import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import IPPROTO_TCP, SHUT_RDWR, TCP_NODELAY
from urllib.parse import parse_qsl, urlsplit

from . import signature
from .behaviours import BATCH_ACTIONS, NONZERO_CODE, NONZERO_MESSAGE, Behaviours, normalize_behaviours
from .fleet import FixtureError, normalize_credentials
from .model import ApiError, EnsModel

LOG = logging.getLogger('ens_simulator')

API_VERSION = '2017-11-10'
HOST_ID = 'ens.aliyuncs.com'
CONTROL_PREFIX = '/_sim'
TIMESTAMP_TOLERANCE_SECONDS = 900
MUTATING_ACTIONS = frozenset(action for action, (_method, mutating) in EnsModel.ACTIONS.items() if mutating)

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
ERROR_MESSAGES = {
    'ens.interface.error': 'An error occurred while call the API.',
    'Throttling.User': 'Request was denied due to user flow control.',
}


def new_request_id():
    """Return a fresh request ID (upper-case UUID4, like ENS)."""
    return str(uuid.uuid4()).upper()


def error_body(request_id, code, message):
    """Return the JSON error body ENS answers with."""
    return {
        'RequestId': request_id,
        'HostId': HOST_ID,
        'Code': code,
        'Message': message,
        'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=Ens&requestId=%s' % (code, request_id),
    }


def normalize_faults(config):
    """Validate a fault configuration and fill in defaults."""
    result = dict(FAULT_DEFAULTS)
    if not config:
        return result
    if not isinstance(config, dict):
        raise ValueError('faults must be an object')
    unknown = sorted(set(config) - set(FAULT_DEFAULTS))
    if unknown:
        raise ValueError('unknown fault keys: %s' % ', '.join(unknown))
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
    unknown = sorted(set(entry) - FAIL_NEXT_KEYS)
    if unknown:
        raise ValueError('unknown fail_next keys: %s' % ', '.join(unknown))
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


def _parse_acs_date(value):
    return datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc).timestamp()


class Simulator:
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
        self._nonces = {}
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
            self._nonces = {}
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

    def _credential(self, access_key_id):
        for credential in self.model.credentials:
            if credential['AccessKeyId'] == access_key_id:
                return credential
        return None

    def _authenticate(self, method, path, params, headers, body):
        """Verify the signature, timestamp, nonce and security token; return the credential."""
        authorization = ','.join(headers.get('authorization', []))
        if not authorization:
            raise ApiError('IncompleteSignature', 'The request has no Authorization header.', 400)
        try:
            parsed = signature.parse_authorization(authorization)
            credential = self._credential(parsed['access_key_id'])
            if credential is None:
                raise ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404)
            signature.verify(method, path, params, headers, body, parsed, credential['AccessKeySecret'])
        except signature.SignatureError as exc:
            raise ApiError(exc.code, exc.message, exc.status) from exc
        date = ','.join(headers.get('x-acs-date', []))
        try:
            stamp = _parse_acs_date(date)
        except ValueError as exc:
            raise ApiError('InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.') from exc
        now = self.clock()
        if abs(now - stamp) > TIMESTAMP_TOLERANCE_SECONDS:
            raise ApiError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.')
        nonce = ','.join(headers.get('x-acs-signature-nonce', []))
        if nonce in self._nonces:
            raise ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.')
        if len(self._nonces) > 100000:
            self._nonces = {key: seen for key, seen in self._nonces.items() if now - seen <= TIMESTAMP_TOLERANCE_SECONDS}
        self._nonces[nonce] = now
        token = ','.join(headers.get('x-acs-security-token', []))
        if credential.get('SecurityToken') or credential['AccessKeyId'].startswith('STS.'):
            expected = credential.get('SecurityToken')
            if not token or (expected and token != expected):
                raise ApiError('InvalidSecurityToken.Mismatch', 'Specified SecurityToken mismatch with the AccessKey.')
            expires = credential.get('ExpiresAt')
            if expires is not None and now >= float(expires):
                raise ApiError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.')
        return credential

    def _check_action(self, action, headers, credential):
        version = ','.join(headers.get('x-acs-version', []))
        if not action:
            raise ApiError('MissingParameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.')
        if version != API_VERSION:
            raise ApiError('InvalidVersion', 'Specified parameter Version is not valid (this endpoint serves %s).' % API_VERSION)
        if action not in EnsModel.ACTIONS:
            raise ApiError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
        denied = credential.get('DeniedActions', {}).get(action)
        if denied == 'Forbidden.RAM':
            raise ApiError('Forbidden.RAM', 'User not authorized to operate on the specified resource, or this API does not support RAM.', 403)
        if denied:
            raise ApiError(denied, 'Permission denied.', 400)

    def _draw_faults(self, action):
        """Draw this call's random faults (always the same number of draws, for reproducibility)."""
        faults = self.faults
        if faults['actions'] is not None and action not in faults['actions']:
            return {'throttle': False, 'unavailable': False, 'lost': False, 'delay': 0.0}
        throttle = self.rng.random() < faults['throttling_rate']
        unavailable = self.rng.random() < faults['unavailable_rate']
        lost = self.rng.random() < faults['lost_answer_rate']
        jitter = self.rng.random() * faults['latency_jitter_ms']
        return {'throttle': throttle, 'unavailable': unavailable, 'lost': lost, 'delay': (faults['latency_ms'] + jitter) / 1000.0}

    def _consume_fail_next(self, entry):
        entry['count'] -= 1
        if entry['count'] <= 0:
            self.fail_next.remove(entry)

    def _pop_fail_next(self, action, params):
        """Return ``(entry failing the whole call or None, {instance_id: entry} failing single instances of a batch call)``.

        The first matching entry in queue order decides: one without ``resource``, or with a ``resource`` the call names
        (any action but StopInstances/StartInstances), fails the whole call; one naming an instance of a batch call
        fails that instance's ``InstanceResponses`` entry, and every later entry naming another instance of it joins in.
        """
        batch_ids = None
        if action in BATCH_ACTIONS:
            batch_ids = {part.strip() for part in (params.get('InstanceIds') or '').split(',') if part.strip()}
        named = None
        per_instance = {}
        for entry in list(self.fail_next):
            if entry['action'] not in ('*', action):
                continue
            resource = entry['resource']
            if batch_ids is not None and resource is not None:
                if resource in batch_ids and resource not in per_instance:
                    self._consume_fail_next(entry)
                    per_instance[resource] = entry
                continue
            if per_instance:
                continue
            if resource is not None:
                if named is None:
                    named = named_resources(params)
                if resource not in named:
                    continue
            self._consume_fail_next(entry)
            return entry, {}
        return None, per_instance

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
                credential = self._authenticate(method, path, params, headers, body)
                state['credential'] = credential['AccessKeyId']
                self._check_action(action, headers, credential)
                fault = self._draw_faults(action)
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
            raise ApiError('Throttling.User', ERROR_MESSAGES['Throttling.User'], 400)
        injected, instance_failures = self._pop_fail_next(action, params)
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
                raise ApiError('ens.interface.error', ERROR_MESSAGES['ens.interface.error'], 400)
        before = self.behaviours.capture(self.model, action, params) if mutating else None
        try:
            body, effect = self.model.dispatch(action, params, instance_failures=instance_failures)
        except ApiError:
            if behaviour['interface_error']:
                raise ApiError('ens.interface.error', ERROR_MESSAGES['ens.interface.error'], 400) from None
            raise
        except Exception as exc:
            LOG.exception('simulator failure in %s', action)
            raise ApiError('InternalError', 'The simulator failed: %s: %s' % (type(exc).__name__, exc), 500) from exc
        if effect:
            self.behaviours.record(self.model, before, self.clock())
        if behaviour['interface_error']:
            state['injected'] = 'interface_error_applied' if effect else 'interface_error'
            self._log(action, params, 400, 'ens.interface.error', request_id, mutating, effect, state)
            return 400, error_body(request_id, 'ens.interface.error', ERROR_MESSAGES['ens.interface.error']), extra_headers
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

    # ------------------------------------------------------------- control API

    def handle_control(self, method, path, query, body):
        """Answer a control call under ``/_sim/``; return ``(http_status, body_dict, after)``.

        ``after`` is None or a callable to run once the answer has been sent (used by shutdown).
        """
        route = path[len(CONTROL_PREFIX):].rstrip('/') or '/'
        if route == '/shutdown' and method == 'POST':
            return 200, {'ok': True}, self.on_shutdown
        try:
            payload = json.loads(body.decode('utf-8')) if body and body.strip() else {}
        except ValueError as exc:
            return 400, {'error': 'the body is not valid JSON: %s' % exc}, None
        args = dict(parse_qsl(query or ''))
        try:
            status, answer = self._route_control(method, route, payload, args)
        except (ValueError, FixtureError, TypeError) as exc:
            return 400, {'error': str(exc)}, None
        except KeyError as exc:
            return 404, {'error': 'unknown resource %s' % exc}, None
        return status, answer, None

    def _route_control(self, method, route, payload, args):
        if route == '/health' and method == 'GET':
            return 200, {'ok': True}
        if route == '/reset' and method == 'POST':
            if not isinstance(payload, dict):
                raise ValueError('reset takes an object')
            self.reset(fixture=payload.get('fixture'), fleet=payload.get('fleet'), faults=payload.get('faults'),
                       transition_seconds=payload.get('transition_seconds'), behaviours=payload.get('behaviours'))
            return 200, {'ok': True, 'transition_seconds': dict(self.model.transition_seconds),
                         'instances': len(self.model.instances), 'network_interfaces': len(self.model.enis),
                         'behaviours': dict(self.behaviours.config)}
        if route == '/calls' and method == 'GET':
            since = int(args['since']) if 'since' in args else None
            return 200, self.calls_summary(action=args.get('action'), since=since)
        if route == '/calls/clear' and method == 'POST':
            self.clear_calls()
            return 200, {'ok': True}
        if route == '/state' and method == 'GET':
            with self.lock:
                answer = self.model.state()
                answer['stale_views'] = self.behaviours.stale.describe(answer['now'])
            return 200, answer
        if route == '/behaviours':
            if method == 'POST':
                return 200, {'ok': True, 'behaviours': self.set_behaviours(payload)}
            if method == 'GET':
                with self.lock:
                    return 200, {'behaviours': dict(self.behaviours.config), 'defaults': self.default_behaviours()}
        if route == '/faults':
            if method == 'POST':
                return 200, {'ok': True, 'faults': self.set_faults(payload)}
            if method == 'GET':
                with self.lock:
                    return 200, {'faults': dict(self.faults), 'fail_next': [dict(entry) for entry in self.fail_next]}
        if route == '/transition':
            if method == 'POST':
                value = payload.get('transition_seconds', payload) if isinstance(payload, dict) else payload
                return 200, {'ok': True, 'transition_seconds': self.model.set_transition_seconds(value)}
            if method == 'GET':
                return 200, {'transition_seconds': dict(self.model.transition_seconds)}
        if route == '/fail_next':
            if method == 'POST':
                return 200, {'ok': True, 'fail_next': self.add_fail_next(payload)}
            if method == 'GET':
                with self.lock:
                    return 200, {'fail_next': [dict(entry) for entry in self.fail_next]}
        if route == '/set_status' and method == 'POST':
            if not isinstance(payload, dict) or not payload.get('id'):
                raise ValueError('set_status needs "id" and "Status"')
            resource = self.model.set_status(payload['id'], payload.get('Status'), payload.get('TransitionRemaining'), payload.get('InstanceId'))
            return 200, {'ok': True, 'resource': resource}
        if route == '/credentials' and method == 'POST':
            credentials = normalize_credentials(payload.get('credentials') if isinstance(payload, dict) else payload)
            with self.lock:
                self.model.credentials = credentials
            return 200, {'ok': True, 'credentials': len(credentials)}
        return 404, {'error': 'no control endpoint %s %s%s' % (method, CONTROL_PREFIX, route)}


class SimulatorRequestHandler(BaseHTTPRequestHandler):
    """Routes requests to the :class:`Simulator` of the server."""

    protocol_version = 'HTTP/1.1'
    server_version = 'EnsSimulator/1.0'
    timeout = 120

    def setup(self):
        super().setup()
        # headers and body go out in one write; disable Nagle anyway so small answers are not delayed
        self.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)

    def do_POST(self):
        """Handle POST (API and control calls)."""
        self._handle()

    def do_GET(self):
        """Handle GET (API and control calls)."""
        self._handle()

    def _handle(self):
        split = urlsplit(self.path)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length > 0 else b''
        simulator = self.server.simulator
        if split.path == CONTROL_PREFIX or split.path.startswith(CONTROL_PREFIX + '/'):
            status, payload, after = simulator.handle_control(self.command, split.path, split.query, body)
            self._send(status, payload, {}, 'application/json')
            if after is not None:
                self.wfile.flush()
                self.close_connection = True
                after()
            return
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        status, payload, extra = simulator.handle_api(self.command, split.path, split.query, headers, body)
        self._send(status, payload, extra, 'application/json;charset=utf-8')

    def _send(self, status, payload, extra_headers, content_type):
        data = json.dumps(payload).encode('utf-8')
        self.log_request(status)
        lines = ['%s %d %s' % (self.protocol_version, status, self.responses.get(status, ('',))[0]),
                 'Server: %s' % self.version_string(), 'Date: %s' % self.date_time_string(),
                 'Content-Type: %s' % content_type, 'Content-Length: %d' % len(data)]
        lines.extend('%s: %s' % item for item in extra_headers.items())
        self.wfile.write(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + data)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Send the access log to the ``ens_simulator`` logger (debug level)."""
        LOG.debug('%s - %s', self.address_string(), format % args)


class SimulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server bound to a :class:`Simulator`; closes open connections on stop."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, simulator):
        self.simulator = simulator
        self.stop_requested = threading.Event()
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SimulatorRequestHandler)
        simulator.on_shutdown = self.request_shutdown

    @property
    def endpoint(self):
        """``host:port`` as the SDK's ``Config(endpoint=...)`` wants it."""
        host, port = self.server_address[:2]
        return '%s:%d' % (host, port)

    @property
    def url(self):
        """``http://host:port``."""
        return 'http://%s' % self.endpoint

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def request_shutdown(self):
        """Ask the serving loop to stop (safe from a request handler)."""
        self.stop_requested.set()
        threading.Thread(target=self.shutdown, name='ens-simulator-shutdown', daemon=True).start()

    def close_connections(self):
        """Close every connection still open (idle keep-alive connections included)."""
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            try:
                connection.shutdown(SHUT_RDWR)
            except OSError:
                pass


class ControlClient:
    """A small stdlib client for the control API (no proxy)."""

    def __init__(self, url, timeout=10):
        self.url = url.rstrip('/')
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method, path, body=None):
        """Call ``/_sim/<path>``; return ``(status, json_body)``."""
        if not path.startswith(CONTROL_PREFIX):
            path = CONTROL_PREFIX + '/' + path.lstrip('/')
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={'Content-Type': 'application/json'})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read().decode('utf-8'))
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read().decode('utf-8') or '{}')

    def _ok(self, method, path, body=None):
        status, payload = self.call(method, path, body)
        if status != 200:
            raise RuntimeError('control call %s %s failed with %s: %s' % (method, path, status, payload))
        return payload

    def health(self):
        """GET /_sim/health."""
        return self._ok('GET', 'health')

    def reset(self, fixture=None, fleet=None, faults=None, transition_seconds=None, behaviours=None):
        """POST /_sim/reset (``behaviours`` None: back to the server's default behaviours)."""
        body = {key: value for key, value in (('fixture', fixture), ('fleet', fleet), ('faults', faults),
                                              ('transition_seconds', transition_seconds), ('behaviours', behaviours)) if value is not None}
        return self._ok('POST', 'reset', body)

    def set_behaviours(self, behaviours):
        """POST /_sim/behaviours (replaces them: unset keys take their defaults)."""
        return self._ok('POST', 'behaviours', behaviours)

    def behaviours(self):
        """GET /_sim/behaviours."""
        return self._ok('GET', 'behaviours')

    def state(self):
        """GET /_sim/state."""
        return self._ok('GET', 'state')

    def calls(self):
        """GET /_sim/calls."""
        return self._ok('GET', 'calls')

    def clear_calls(self):
        """POST /_sim/calls/clear."""
        return self._ok('POST', 'calls/clear', {})

    def set_faults(self, faults):
        """POST /_sim/faults."""
        return self._ok('POST', 'faults', faults)

    def set_transition(self, transition_seconds):
        """POST /_sim/transition."""
        return self._ok('POST', 'transition', {'transition_seconds': transition_seconds})

    def fail_next(self, entry):
        """POST /_sim/fail_next."""
        return self._ok('POST', 'fail_next', entry)

    def set_status(self, resource_id, status, transition_remaining=None, instance_id=None):
        """POST /_sim/set_status."""
        body = {'id': resource_id, 'Status': status, 'TransitionRemaining': transition_remaining}
        if instance_id is not None:
            body['InstanceId'] = instance_id
        return self._ok('POST', 'set_status', body)

    def shutdown(self):
        """POST /_sim/shutdown."""
        return self._ok('POST', 'shutdown', {})


class SimulatorHandle:
    """A simulator serving in a background thread (see :func:`start_in_thread`)."""

    def __init__(self, server, thread):
        self.server = server
        self.thread = thread
        self.simulator = server.simulator
        self.control = ControlClient(server.url)

    @property
    def url(self):
        """``http://127.0.0.1:PORT``."""
        return self.server.url

    @property
    def endpoint(self):
        """``127.0.0.1:PORT`` for ``Config(endpoint=...)``."""
        return self.server.endpoint

    @property
    def model(self):
        """The :class:`EnsModel` (hold ``model.lock`` when changing it directly)."""
        return self.simulator.model

    def stop(self):
        """Stop serving, close connections and wait for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()
        self.thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def make_server(simulator, host='127.0.0.1', port=0):
    """Bind a :class:`SimulatorHTTPServer` for ``simulator`` (port 0 picks a free port)."""
    return SimulatorHTTPServer((host, port), simulator)


def start_in_thread(fixture='default', host='127.0.0.1', port=0, transition_seconds=None, faults=None, call_log=None, behaviours=None,
                    clock=time.time):
    """Start a simulator in a daemon thread and return its :class:`SimulatorHandle` (``clock``: a test's own time source)."""
    simulator = Simulator(fixture=fixture, transition_seconds=transition_seconds, faults=faults, call_log_path=call_log, clock=clock,
                          behaviours=behaviours)
    server = make_server(simulator, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.02}, name='ens-simulator', daemon=True)
    thread.start()
    return SimulatorHandle(server, thread)
