"""A small stdlib client for the simulator's control API (``/_sim/...``), never through a proxy.

Every user imports this one client: the unit tests, the benchmark, the demo and the integration targets' helpers
(ansible-test runs those from a copy of the target: they find this package in the collection under test, on
``ANSIBLE_COLLECTIONS_PATH``).  It imports nothing from the rest of the package.

From a shell: ``python -m ens_simulator.control_client URL GET|POST PATH [JSON_FILE]`` prints the JSON answer.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

CONTROL_PREFIX = '/_sim'


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

    def calls(self, action=None, since=None):
        """GET /_sim/calls (only ``action``'s calls / those after sequence number ``since`` when given)."""
        query = urllib.parse.urlencode([(key, value) for key, value in (('action', action), ('since', since)) if value is not None])
        return self._ok('GET', 'calls?' + query if query else 'calls')

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

    def set_status(self, resource_id, status, transition_remaining=None, instance_id=None, at_next_call=False):
        """POST /_sim/set_status (``at_next_call``: the countdown starts at the next API call)."""
        body = {'id': resource_id, 'Status': status, 'TransitionRemaining': transition_remaining}
        if instance_id is not None:
            body['InstanceId'] = instance_id
        if at_next_call:
            body['TransitionStartsAtNextCall'] = True
        return self._ok('POST', 'set_status', body)

    def shutdown(self):
        """POST /_sim/shutdown."""
        return self._ok('POST', 'shutdown', {})


def main(argv=None):
    """``URL GET|POST PATH [JSON_FILE]``: print the answer of one control call; exit 1 when it is not 200."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (3, 4):
        sys.stderr.write('usage: python -m ens_simulator.control_client URL GET|POST PATH [JSON_FILE]\n')
        return 2
    url, method, path = argv[:3]
    body = None
    if len(argv) == 4:
        with open(argv[3], encoding='utf-8') as handle:
            body = json.load(handle)
    elif method == 'POST':
        body = {}
    status, payload = ControlClient(url, timeout=30).call(method, path, body)
    sys.stdout.write(json.dumps(payload) + '\n')
    return 0 if status == 200 else 1


if __name__ == '__main__':
    sys.exit(main())
