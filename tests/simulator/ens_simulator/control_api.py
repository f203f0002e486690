"""The simulator's control API: the ``/_sim/...`` routes a test uses to reset, inspect and steer the simulator."""

import json
from urllib.parse import parse_qsl

from .control_client import CONTROL_PREFIX
from .fleet import FixtureError, normalize_credentials
from .state import AT_NEXT_CALL


class ControlApi:
    """The control routes of :class:`~.simulator.Simulator` (a mixin: it uses the simulator's state and lock)."""

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
            resource = self.model.set_status(payload['id'], payload.get('Status'), payload.get('TransitionRemaining'), payload.get('InstanceId'),
                                             bool(payload.get(AT_NEXT_CALL)))
            return 200, {'ok': True, 'resource': resource}
        if route == '/credentials' and method == 'POST':
            credentials = normalize_credentials(payload.get('credentials') if isinstance(payload, dict) else payload)
            with self.lock:
                self.model.credentials = credentials
            return 200, {'ok': True, 'credentials': len(credentials)}
        return 404, {'error': 'no control endpoint %s %s%s' % (method, CONTROL_PREFIX, route)}
