"""ACS3-HMAC-SHA256 request signatures, mirroring ``alibabacloud_tea_openapi.utils``.

The SDK signs ``POST\\n/\\n<query>\\n<headers>\\n<signed header names>\\n<hex sha256(body)>`` where
the query is ``k=quote(v, safe='~')`` over sorted keys and the headers are ``name:value\\n`` for
every header it set, lower-cased and sorted (``get_canonicalized_headers``).  The server rebuilds
the same canonical request from what it received and compares signatures.
"""

import hashlib
import hmac
import re
from urllib.parse import quote

ALGORITHM = 'ACS3-HMAC-SHA256'

# headers a request must sign (the SDK signs every header it sets, these included)
REQUIRED_SIGNED_HEADERS = ('host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version')

_AUTH_RE = re.compile(
    r'^(?P<algorithm>[A-Z0-9-]+)\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$'
)


class SignatureError(Exception):
    """A request whose signature cannot be accepted (``code`` and HTTP ``status`` for the answer)."""

    def __init__(self, code, message, status=400):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


def hex_sha256(data):
    """Return the hex SHA-256 of bytes or text."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    return hashlib.sha256(data).hexdigest()


def parse_authorization(value):
    """Split an ``Authorization`` header into algorithm, access key ID, signed header names and signature."""
    match = _AUTH_RE.match(value or '')
    if not match:
        raise SignatureError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.')
    signed = match.group('signed').split(';')
    if any(not name or name != name.lower() for name in signed):
        raise SignatureError('IncompleteSignature', 'SignedHeaders must be lower-case header names separated by ";".')
    return {
        'algorithm': match.group('algorithm'),
        'access_key_id': match.group('credential'),
        'signed_headers': signed,
        'signature': match.group('signature').lower(),
    }


def canonical_query(params):
    """Return the canonical query string for a dict of decoded query parameters."""
    parts = []
    for key in sorted(key for key, value in params.items() if value is not None):
        parts.append('%s=%s' % (key, quote(params[key], safe='~', encoding='utf-8')))
    return '&'.join(parts)


def canonical_headers(headers, signed_headers):
    """Return ``name:value\\n`` lines for the signed headers.

    ``headers`` maps lower-case names to a list of values (several values are sorted and joined
    with "," like the SDK does).
    """
    lines = []
    for name in sorted(signed_headers):
        values = sorted(str(value).strip() for value in headers.get(name, []))
        lines.append('%s:%s\n' % (name, ','.join(values)))
    return ''.join(lines)


def canonical_request(method, path, params, headers, signed_headers, payload_hash):
    """Return the canonical request the signature covers."""
    return '%s\n%s\n%s\n%s\n%s\n%s' % (
        method, path or '/', canonical_query(params), canonical_headers(headers, signed_headers), ';'.join(sorted(signed_headers)), payload_hash,
    )


def string_to_sign(request_text):
    """Return the string to sign for a canonical request."""
    return '%s\n%s' % (ALGORITHM, hex_sha256(request_text))


def signature(secret, text):
    """Return the hex HMAC-SHA256 of ``text`` keyed with ``secret``."""
    return hmac.new(secret.encode('utf-8'), text.encode('utf-8'), hashlib.sha256).hexdigest()


def authorization(method, path, params, headers, access_key_id, secret, payload_hash=None):
    """Return an ``Authorization`` value signing every header in ``headers`` (a client-side helper for tests).

    ``headers`` maps header names to single values, like the SDK's request headers.
    """
    lowered = {}
    for name, value in headers.items():
        lowered.setdefault(name.lower(), []).append(value)
    signed = sorted(lowered)
    if payload_hash is None:
        payload_hash = hex_sha256(b'')
    text = canonical_request(method, path, params, lowered, signed, payload_hash)
    return '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (ALGORITHM, access_key_id, ';'.join(signed), signature(secret, string_to_sign(text)))


def verify(method, path, params, headers, body, parsed, secret):
    """Check a request against its parsed ``Authorization`` header; raise :class:`SignatureError` if it fails.

    ``headers`` maps lower-case names to lists of received values; ``params`` is the decoded query.
    """
    if parsed['algorithm'] != ALGORITHM:
        raise SignatureError('IncompleteSignature', 'Unsupported signature algorithm %s; use %s.' % (parsed['algorithm'], ALGORITHM))
    signed = parsed['signed_headers']
    missing = [name for name in REQUIRED_SIGNED_HEADERS if name not in signed]
    if missing:
        raise SignatureError('IncompleteSignature', 'SignedHeaders must include %s.' % ', '.join(missing))
    absent = [name for name in signed if name not in headers]
    if absent:
        raise SignatureError('IncompleteSignature', 'Signed headers are missing from the request: %s.' % ', '.join(absent))
    body_hash = hex_sha256(body or b'')
    declared = ','.join(headers.get('x-acs-content-sha256', []))
    if declared != body_hash:
        raise SignatureError('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the SHA-256 of the request body.')
    text = canonical_request(method, path, params, headers, signed, body_hash)
    expected_string = string_to_sign(text)
    if not hmac.compare_digest(signature(secret, expected_string), parsed['signature']):
        raise SignatureError(
            'SignatureDoesNotMatch',
            'Specified signature does not match our calculation. server string to sign is:%s' % expected_string.replace('\n', '\\n'),
        )
