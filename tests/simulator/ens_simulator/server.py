"""HTTP layer of the ENS simulator: the request handler, the threading server and a simulator serving in a thread.

The simulator itself is :class:`~.simulator.Simulator`; its control client is :class:`~.control_client.ControlClient`
(both kept importable from here).
"""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import IPPROTO_TCP, SHUT_RDWR, TCP_NODELAY
from urllib.parse import urlsplit

from .control_client import CONTROL_PREFIX, ControlClient
from .simulator import Simulator

__all__ = ['ControlClient', 'Simulator', 'SimulatorHTTPServer', 'SimulatorHandle', 'SimulatorRequestHandler', 'make_server', 'start_in_thread']

LOG = logging.getLogger('ens_simulator')


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
