# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Guards around the SDK's HTTP exchanges: a wall-clock bound per call, no redirects, bounded bodies.

The SDK (darabonba-core) sends every request through a cached `requests.Session` and exposes no hook:
redirects are followed (forwarding `x-acs-security-token` to the new host) and a body trickled one byte
at a time never trips the per-read socket timeout. `install()` wraps the transport adapters of the
sessions the SDK builds; the wrappers act only inside `run_bounded()` (a thread-local marks our calls)
and pass every other request through untouched.

Private to the collection: no compatibility promise outside it.
"""

from __future__ import annotations

import json
import threading
import time

# A real ENS answer (one page of at most 100 items) is a few hundred kB at most.
MAX_BODY_BYTES = 16 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024

_local = threading.local()
_install_lock = threading.Lock()


class Exchange:
    """What one bounded call saw on the wire (the last HTTP answer), filled in by the guarded adapter."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.status = None
        self.content_type = None
        self.body = None
        self.location = None
        self.refusal = None  # "redirect", "too_large" or "deadline"
        self.abandoned = False
        self.result = None
        self.error = None
        self.body_limit = None

    def remaining(self):
        return self.deadline - time.monotonic()


class TransportRefused(Exception):
    """Raised inside the SDK's send by the guarded adapter; the caller reads the Exchange, not this."""


class CallTimedOut(Exception):
    """The whole call outlasted its wall-clock bound; the request may have been received."""

    def __init__(self, exchange):
        super().__init__("no complete answer within %g s" % exchange.seconds)
        self.exchange = exchange


class GuardedAdapter:
    """Wraps one `requests` transport adapter; inert outside run_bounded()."""

    def __init__(self, inner):
        self.inner = inner

    def close(self):
        self.inner.close()

    def send(self, request, **kwargs):
        exchange = getattr(_local, "exchange", None)
        if exchange is None:
            return self.inner.send(request, **kwargs)
        remaining = exchange.remaining()
        if remaining <= 0 or exchange.abandoned:
            exchange.refusal = exchange.refusal or "deadline"
            raise TransportRefused("deadline")
        kwargs["timeout"] = _bounded_timeout(kwargs.get("timeout"), remaining)
        kwargs["stream"] = True
        response = self.inner.send(request, **kwargs)
        exchange.status = response.status_code
        exchange.content_type = response.headers.get("content-type")
        if 300 <= response.status_code < 400:
            # Never followed: requests would resend the signed request and the STS token to the new host.
            exchange.location = response.headers.get("location")
            exchange.refusal = "redirect"
            response.close()
            raise TransportRefused("redirect")
        body = _read_body(response, exchange)
        exchange.body = body
        response._content = body  # pylint: disable=protected-access
        response._content_consumed = True  # pylint: disable=protected-access
        return response


def _bounded_timeout(timeout, remaining):
    if isinstance(timeout, tuple):
        return tuple(remaining if value is None else min(value, remaining) for value in timeout)
    return remaining if timeout is None else min(timeout, remaining)


def _read_body(response, exchange):
    """The whole body, read in pieces so that the deadline and the size cap are checked between them."""
    raw = response.raw
    read = getattr(raw, "read1", None) or raw.read  # read1 (urllib3 2) returns after one socket read
    chunks = []
    size = 0
    try:
        while True:
            if exchange.remaining() <= 0 or exchange.abandoned:
                exchange.refusal = exchange.refusal or "deadline"
                raise TransportRefused("deadline")
            chunk = read(READ_CHUNK_BYTES, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                exchange.refusal = "too_large"
                exchange.body_limit = MAX_BODY_BYTES
                exchange.body = b"".join(chunks)
                raise TransportRefused("too_large")
            chunks.append(chunk)
    except BaseException:
        response.close()
        raise
    raw.release_conn()
    return b"".join(chunks)


def json_body(body):
    """A raw body parsed as JSON; None when there is none or it is not JSON."""
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None


def install():
    """Wrap the adapters of every session the SDK builds from now on (idempotent); False if impossible."""
    try:
        from darabonba.core import DaraCore
    except ImportError:
        return False
    with _install_lock:
        original = DaraCore.__dict__.get("_get_session")
        if original is None or not isinstance(original, staticmethod):
            return False
        original = original.__func__
        if getattr(original, "ens_guarded", False):
            return True

        def guarded_get_session(*args, **kwargs):
            session = original(*args, **kwargs)
            for prefix, adapter in list(session.adapters.items()):
                if not isinstance(adapter, GuardedAdapter):
                    session.adapters[prefix] = GuardedAdapter(adapter)
            return session

        guarded_get_session.ens_guarded = True
        DaraCore._get_session = staticmethod(guarded_get_session)  # pylint: disable=protected-access
        return True


def run_bounded(call, seconds):
    """Run `call()` with a wall-clock bound; returns the Exchange, with `.result` or `.error` set.

    The call runs in a daemon thread: past the bound the caller gets CallTimedOut whatever the socket
    does (a trickled header or body), and the abandoned thread stops at its next read.
    """
    exchange = Exchange(seconds)

    def work():
        _local.exchange = exchange
        try:
            exchange.result = call()
        except Exception as exc:  # handed to the caller, who reads it with the exchange
            exchange.error = exc
        finally:
            _local.exchange = None

    worker = threading.Thread(target=work, name="ens-api-call", daemon=True)
    worker.start()
    worker.join(max(0.0, exchange.remaining()))
    if worker.is_alive() or exchange.refusal == "deadline":
        exchange.abandoned = True
        raise CallTimedOut(exchange)
    return exchange
