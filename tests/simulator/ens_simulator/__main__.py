"""Command line entry point: ``PYTHONPATH=tests/simulator python -m ens_simulator [options]``.

Binds, prints exactly one line ``http://HOST:PORT`` to stdout (and writes it to ``--url-file``),
then serves until SIGTERM/SIGINT or ``POST /_sim/shutdown`` and exits 0, removing the pid and
URL files.
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading

from .fleet import FixtureError
from .server import make_server
from .simulator import Simulator


def _json_option(value):
    """Parse an option given as inline JSON or as the path of a JSON file."""
    if value is None:
        return None
    if os.path.isfile(value):
        with open(value, encoding='utf-8') as handle:
            return json.load(handle)
    return json.loads(value)


def _write_atomically(path, text):
    temporary = '%s.tmp.%d' % (path, os.getpid())
    with open(temporary, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.replace(temporary, path)


def _remove(path):
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def build_parser():
    """Return the argument parser of the CLI."""
    parser = argparse.ArgumentParser(prog='python -m ens_simulator', description='Local Alibaba Cloud ENS API simulator.')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to bind; 0 picks a free one (default)')
    parser.add_argument('--fixture', default='default', help='fixture file path or name in tests/simulator/fixtures (default: default)')
    parser.add_argument('--transition-seconds', type=float, default=None, help='attach/detach/stop/start transition time in seconds')
    parser.add_argument('--faults', default=None, help='fault configuration as inline JSON or a JSON file')
    parser.add_argument('--behaviours', default=None, help='real-cloud behaviours (read_lag, rate_limits, ...) as inline JSON or a JSON file')
    parser.add_argument('--read-lag', type=float, default=None, help='read-after-write lag in seconds (overrides behaviours.read_lag)')
    parser.add_argument('--url-file', default=None, help='write the URL to this file once listening')
    parser.add_argument('--pid-file', default=None, help='write the process ID to this file')
    parser.add_argument('--call-log', default=None, help='append every API call as a JSON line to this file')
    parser.add_argument('-v', '--verbose', action='store_true', help='log every API call to stderr')
    return parser


def main(argv=None):
    """Run the simulator until told to stop; return the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format='%(asctime)s ens_simulator %(message)s')
    try:
        behaviours = _json_option(args.behaviours)
        if args.read_lag is not None:
            behaviours = dict(behaviours or {}, read_lag=args.read_lag)
        simulator = Simulator(fixture=args.fixture, transition_seconds=args.transition_seconds,
                              faults=_json_option(args.faults), call_log_path=args.call_log, behaviours=behaviours)
    except (FixtureError, ValueError, OSError) as exc:
        sys.stderr.write('ens_simulator: %s\n' % exc)
        return 2
    try:
        server = make_server(simulator, args.host, args.port)
    except OSError as exc:
        sys.stderr.write('ens_simulator: cannot bind %s:%s: %s\n' % (args.host, args.port, exc))
        return 1

    stop = server.stop_requested

    def _on_signal(_signum, _frame):
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, name='ens-simulator', daemon=True)
    thread.start()
    try:
        if args.pid_file:
            _write_atomically(args.pid_file, '%d\n' % os.getpid())
        if args.url_file:
            _write_atomically(args.url_file, server.url + '\n')
        print(server.url, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)
        _remove(args.url_file)
        _remove(args.pid_file)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == '__main__':
    sys.exit(main())
