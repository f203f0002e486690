# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The exceptions of the collection: every SDK error becomes an EnsApiError with a readable message."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

# Throttling is refused at the gateway, before the service: resending is always safe.
THROTTLING_PREFIX = "Throttling"
# ens.interface.error (HTTP 400) is a backend failure, not a problem with the request: like a 5xx, a
# mutating call hit by it may still have happened.
TRANSIENT_CODES = frozenset(("ServiceUnavailable", "InternalError", "ServiceBusy", "RequestTimeout", "ens.interface.error"))
# Body Code values of an HTTP 200 answer that mean success.
SUCCESS_BODY_CODES = (0, "0", 200, "200", None, "")
# Text that comes from the endpoint (messages, bodies) is cut to this length in our messages, and a whole
# message to MAX_MESSAGE_CHARS: a hostile or broken endpoint must not flood the task result.
MAX_FOREIGN_CHARS = 300
MAX_MESSAGE_CHARS = 1000

# Transport errors, by class name so that no HTTP library is imported to classify them.
UNSENT_TRANSPORT_ERRORS = frozenset(("ConnectTimeout", "NewConnectionError", "ConnectionRefusedError", "ProxyError"))
MAYBE_SENT_TRANSPORT_ERRORS = frozenset((
    "ReadTimeout", "Timeout", "TimeoutError", "ReadTimeoutError", "ConnectionResetError", "RemoteDisconnected",
    "ProtocolError", "ChunkedEncodingError", "BrokenPipeError", "IncompleteRead", "ConnectionError",
))


class EnsError(Exception):
    """Base of every error the modules report; `details` go into the failed result."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}


class EnsInputError(EnsError):
    """Bad input, found before any API call: the message lists every problem after one fixed prefix."""

    PREFIX = "Invalid input, nothing was done: "

    def __init__(self, problems, **details):
        super().__init__(self.PREFIX + "; ".join(problems), **details)
        self.problems = list(problems)


class EnsApiError(EnsError):
    """An ENS API call failed; carries the API error code and request id."""

    def __init__(self, message, code=None, request_id=None, action=None, resource=None, status_code=None,
                 transient=False, maybe_applied=False, retry_after=None):
        message = clip(message, MAX_MESSAGE_CHARS)
        super().__init__(message, error_code=code, request_id=request_id, action=action, resource=resource,
                         http_status=status_code)
        self.code = code
        self.request_id = request_id
        self.action = action
        self.resource = resource
        self.status_code = status_code
        self.transient = transient
        self.maybe_applied = maybe_applied
        self.retry_after = retry_after


class EnsMissingLibrary(Exception):
    """A Python library the modules need is not installed on the managed host."""

    def __init__(self, library, exc=None):
        super().__init__(library)
        self.library = library
        self.exc = exc


def clip(text, limit=MAX_FOREIGN_CHARS):
    """`text` cut to `limit` characters, with a marker saying how much was left out."""
    text = "%s" % (text,)
    if len(text) <= limit:
        return text
    return "%s... [cut: %d more characters]" % (text[:limit], len(text) - limit)


def request_id_of(value):
    """A request id from an answer, or None: only a non-empty string counts (an endpoint may send anything there)."""
    if not isinstance(value, str) or value in ("", "None"):
        return None
    return clip(value, 100)


def is_throttling(code):
    return code is not None and str(code).startswith(THROTTLING_PREFIX)


def classify(code, status):
    """(transient, maybe_applied) for an answer with this error code and HTTP status.

    Throttling is refused at the gateway: transient, never applied. Backend failures (5xx, the transient
    codes, ens.interface.error) are transient and a mutating call hit by one may have happened.
    """
    if is_throttling(code):
        return True, False
    transient = code in TRANSIENT_CODES or (status is not None and int(status) >= 500)
    return transient, transient


def _transport_chain(exc):
    """Yield the exception and its causes, outermost first."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        # urllib3 keeps the cause in .reason, darabonba in .inner_exception, requests in args[0].
        exc = (getattr(exc, "inner_exception", None) or getattr(exc, "reason", None) or exc.__cause__
               or exc.__context__ or (exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None))
        if not isinstance(exc, BaseException):
            exc = None


def describe_sdk_error(exc, action, doing, resource, endpoint, exchange=None):
    """Turn any exception raised by the SDK into an EnsApiError naming what was being done.

    `exchange` (module_utils._transport.Exchange) is what the call saw on the wire: it keeps the HTTP
    status and body that the SDK loses when a body is not the JSON it expects.
    """
    if isinstance(exc, EnsApiError):
        return exc
    what = _doing_what(doing, resource)
    refusal = getattr(exchange, "refusal", None)
    if refusal == "redirect":
        return EnsApiError(
            "Failed to %s: the ENS endpoint %s answered HTTP %s, a redirect to %s; redirects are never followed "
            "(they would carry the signed request and the STS token to another host): check endpoint (action %s)"
            % (what, endpoint, exchange.status, _redirect_target(exchange.location), action),
            code="InvalidResponse.Redirect", action=action, resource=resource, status_code=exchange.status)
    if refusal == "too_large":
        return EnsApiError(
            "Failed to %s: the ENS endpoint %s answered HTTP %s with a body over %d bytes: not an ENS answer "
            "(action %s)" % (what, endpoint, exchange.status, exchange.body_limit, action),
            code="InvalidResponse.TooLarge", action=action, resource=resource, status_code=exchange.status,
            transient=False)
    code = getattr(exc, "code", None)
    if code in ("None", ""):
        code = None
    status = getattr(exc, "status_code", None)
    data = getattr(exc, "data", None)
    if code is not None and (status is not None or isinstance(data, dict)):
        return _api_error(exc, code, status, data if isinstance(data, dict) else {}, action, doing, resource)
    if code is None and status is not None:
        # An HTTP error whose body is JSON without a Code: keep the status, classify by it.
        return _unreadable_answer(action, what, resource, endpoint, status, data if isinstance(data, dict) else {},
                                  "no error code in the answer", None)

    names = [type(link).__name__ for link in _transport_chain(exc)]
    if type(exc).__name__ == "CredentialException" or "CredentialException" in names:
        return EnsApiError(
            "Failed to %s: no usable credentials: %s. Set access_key_id and access_key_secret, or "
            "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET." % (what, clip(exc)),
            code="MissingCredentials", action=action, resource=resource)
    unsent = any(name in UNSENT_TRANSPORT_ERRORS for name in names)
    maybe_sent = any(name in MAYBE_SENT_TRANSPORT_ERRORS for name in names)
    if unsent or maybe_sent:
        innermost = list(_transport_chain(exc))[-1]
        return EnsApiError(
            "Failed to %s: cannot reach the ENS endpoint %s: %s: %s"
            % (what, endpoint, type(innermost).__name__, clip(innermost)),
            code="ConnectionError", action=action, resource=resource,
            transient=True, maybe_applied=maybe_sent and not unsent)
    if exchange is not None and exchange.status is not None:
        # An answer came but the SDK could not read it: not JSON, or JSON of the wrong shape.
        return _unreadable_answer(action, what, resource, endpoint, exchange.status, _json_object(exchange.body) or {},
                                  _body_problem(exchange), exc)
    return EnsApiError("Failed to %s: %s: %s" % (what, type(exc).__name__, clip(exc)), action=action, resource=resource)


def timeout_error(action, doing, resource, endpoint, exchange):
    """The call outlasted its wall-clock bound: like a read timeout, the request may have been received."""
    received = "" if exchange.status is None else " (HTTP %s received, body incomplete)" % exchange.status
    return EnsApiError(
        "Failed to %s: the ENS endpoint %s gave no complete answer within %g s%s: see connect_timeout and "
        "read_timeout (action %s)" % (_doing_what(doing, resource), endpoint, exchange.seconds, received, action),
        code="ConnectionError.Timeout", action=action, resource=resource, status_code=exchange.status,
        transient=True, maybe_applied=True)


def body_code_error(body, action, doing, resource):
    """An HTTP 200 answer whose body Code is not a success: an error carrying that code."""
    code = str(body.get("Code"))
    request_id = request_id_of(body.get("RequestId"))
    transient, maybe_applied = classify(code, None)
    message = "Failed to %s: %s: %s (action %s, HTTP 200 with a non-zero Code, request id %s)" % (
        _doing_what(doing, resource), clip(code), clip(body.get("Message") or "no message").rstrip("."),
        action, request_id or "none")
    return EnsApiError(message, code=code, request_id=request_id, action=action, resource=resource, status_code=200,
                       transient=transient, maybe_applied=maybe_applied)


def shape_error(problem, action, doing, resource, request_id):
    """An answer that is JSON but not the shape the action documents: never taken as a result."""
    return EnsApiError(
        "Failed to %s: the answer does not have the documented shape: %s (action %s, HTTP 200, request id %s)"
        % (_doing_what(doing, resource), clip(problem), action, request_id or "none"),
        code="InvalidResponse.Shape", request_id=request_id, action=action, resource=resource, status_code=200)


def _unreadable_answer(action, what, resource, endpoint, status, data, problem, exc):
    request_id = request_id_of(data.get("RequestId"))
    transient, maybe_applied = classify(None, status)
    # A body that is not JSON is described above; the SDK's own words would only repeat it.
    detail = "" if exc is None or "not JSON" in problem else ": %s" % clip(exc)
    return EnsApiError(
        "Failed to %s: the ENS endpoint %s answered HTTP %s with %s%s (action %s, HTTP %s, request id %s)"
        % (what, endpoint, status, problem, detail, action, status, request_id or "none"),
        code="InvalidResponse", request_id=request_id, action=action, resource=resource, status_code=status,
        transient=transient, maybe_applied=maybe_applied)


def _body_problem(exchange):
    body = exchange.body or b""
    kind = (exchange.content_type or "no content type").split(";")[0].strip()
    if _json_object(body) is None:
        try:
            json.loads(body.decode("utf-8", "replace"))
        except ValueError:
            return "a body that is not JSON (%s, %d bytes, starting %r)" % (
                clip(kind, 60), len(body), clip(body[:120].decode("utf-8", "replace"), 100))
        return "a JSON body that is not an object (%d bytes)" % len(body)
    return "a JSON body the SDK could not read (%s)" % clip(kind, 60)


def _json_object(body):
    """The body as a dict when it is a JSON object, else None (never raises)."""
    if not body:
        return None
    try:
        value = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _redirect_target(location):
    """Where a redirect pointed, as scheme://host:port only: a path or user info is never echoed."""
    if not location:
        return "no Location"
    try:
        parts = urlsplit(location)
        host = parts.hostname or ""
        port = ":%d" % parts.port if parts.port else ""
    except ValueError:
        return "an invalid Location"
    if not host:
        return "a path on the same host"
    return clip("%s://%s%s" % (parts.scheme, host, port), 120)


def _doing_what(doing, resource):
    """"attach ENI eni-a to instance i-1" already names its resource; "describe ENIs" gets it added."""
    if not resource or resource in doing:
        return doing
    return "%s (%s)" % (doing, resource)


def _api_error(exc, code, status, data, action, doing, resource):
    code = str(code)
    request_id = request_id_of(data.get("RequestId")) or request_id_of(getattr(exc, "request_id", None))
    text = data.get("Message") or getattr(exc, "message", None) or ""
    status = status or data.get("statusCode")
    transient, maybe_applied = classify(code, status)
    retry_after = getattr(exc, "retry_after", None)
    recommend = data.get("Recommend")
    message = "Failed to %s: %s: %s (action %s, HTTP %s, request id %s)" % (
        _doing_what(doing, resource), clip(code), clip(text).rstrip(".") or "no message", action, status,
        request_id or "none")
    if code == "SignatureDoesNotMatch":
        message += ". Check access_key_secret: the request was signed with a secret the API does not accept"
    elif code.startswith("InvalidAccessKeyId"):
        message += ". Check access_key_id: the API does not know this AccessKey"
    elif code in ("NoPermission", "Forbidden.RAM"):
        message += ". The credentials lack the RAM permission ens:%s" % action
    elif recommend:
        message += ". See %s" % clip(recommend)
    return EnsApiError(
        message, code=code, request_id=request_id, action=action, resource=resource, status_code=status,
        transient=transient, maybe_applied=maybe_applied,
        retry_after=(retry_after / 1000.0) if isinstance(retry_after, (int, float)) and retry_after > 0 else None)
