# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The exceptions of the collection: every SDK error becomes an EnsApiError with a readable message."""

from __future__ import annotations

# Throttling is refused at the gateway, before the service: resending is always safe.
THROTTLING_PREFIX = "Throttling"
TRANSIENT_CODES = frozenset(("ServiceUnavailable", "InternalError", "ServiceBusy", "RequestTimeout"))

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


class EnsApiError(EnsError):
    """An ENS API call failed; carries the API error code and request id."""

    def __init__(self, message, code=None, request_id=None, action=None, resource=None, status_code=None,
                 transient=False, maybe_applied=False, retry_after=None):
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


def describe_sdk_error(exc, action, doing, resource, endpoint):
    """Turn any exception raised by the SDK into an EnsApiError naming what was being done."""
    if isinstance(exc, EnsApiError):
        return exc
    code = getattr(exc, "code", None)
    status = getattr(exc, "status_code", None)
    data = getattr(exc, "data", None)
    if code is not None and (status is not None or isinstance(data, dict)):
        return _api_error(exc, code, status, data if isinstance(data, dict) else {}, action, doing, resource)

    names = [type(link).__name__ for link in _transport_chain(exc)]
    if type(exc).__name__ == "CredentialException" or "CredentialException" in names:
        return EnsApiError(
            "Failed to %s: no usable credentials: %s. Set access_key_id and access_key_secret, or "
            "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET." % (_doing_what(doing, resource), exc),
            code="MissingCredentials", action=action, resource=resource)
    unsent = any(name in UNSENT_TRANSPORT_ERRORS for name in names)
    maybe_sent = any(name in MAYBE_SENT_TRANSPORT_ERRORS for name in names)
    if unsent or maybe_sent:
        innermost = list(_transport_chain(exc))[-1]
        return EnsApiError(
            "Failed to %s: cannot reach the ENS endpoint %s: %s: %s"
            % (_doing_what(doing, resource), endpoint, type(innermost).__name__, innermost),
            code="ConnectionError", action=action, resource=resource,
            transient=True, maybe_applied=maybe_sent and not unsent)
    return EnsApiError("Failed to %s: %s: %s" % (_doing_what(doing, resource), type(exc).__name__, exc),
                       action=action, resource=resource)


def _doing_what(doing, resource):
    """"attach ENI eni-a to instance i-1" already names its resource; "describe ENIs" gets it added."""
    if not resource or resource in doing:
        return doing
    return "%s (%s)" % (doing, resource)


def _api_error(exc, code, status, data, action, doing, resource):
    code = str(code)
    request_id = data.get("RequestId") or getattr(exc, "request_id", None)
    if request_id in ("None", ""):
        request_id = None
    text = data.get("Message") or getattr(exc, "message", None) or ""
    status = status or data.get("statusCode")
    throttled = code.startswith(THROTTLING_PREFIX)
    transient = throttled or code in TRANSIENT_CODES or (status is not None and int(status) >= 500)
    retry_after = getattr(exc, "retry_after", None)
    recommend = data.get("Recommend")
    message = "Failed to %s: %s: %s (action %s, HTTP %s, request id %s)" % (
        _doing_what(doing, resource), code, text.rstrip(".") or "no message", action, status, request_id or "none")
    if code == "SignatureDoesNotMatch":
        message += ". Check access_key_secret: the request was signed with a secret the API does not accept"
    elif code.startswith("InvalidAccessKeyId"):
        message += ". Check access_key_id: the API does not know this AccessKey"
    elif code in ("NoPermission", "Forbidden.RAM"):
        message += ". The credentials lack the RAM permission ens:%s" % action
    elif recommend:
        message += ". See %s" % recommend
    return EnsApiError(
        message, code=code, request_id=request_id, action=action, resource=resource, status_code=status,
        transient=transient, maybe_applied=transient and not throttled,
        retry_after=(retry_after / 1000.0) if isinstance(retry_after, (int, float)) and retry_after > 0 else None)
