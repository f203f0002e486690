"""Authentication of API calls: signature, timestamp, nonce, security token, version and per-credential denials."""

from datetime import datetime, timezone

from . import signature
from .errors import ApiError

API_VERSION = '2017-11-10'
TIMESTAMP_TOLERANCE_SECONDS = 900


def _parse_acs_date(value):
    return datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc).timestamp()


class Authenticator:
    """Checks each call's credentials against ``credentials()`` (the model's current list) and remembers used nonces."""

    def __init__(self, credentials, clock):
        self.credentials = credentials
        self.clock = clock
        self._nonces = {}

    def forget_nonces(self):
        """Forget every nonce seen (a reset)."""
        self._nonces = {}

    def _credential(self, access_key_id):
        for credential in self.credentials():
            if credential['AccessKeyId'] == access_key_id:
                return credential
        return None

    def authenticate(self, method, path, params, headers, body):
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


def check_action(action, headers, credential, actions):
    """Refuse a call without an action, of another API version, of an unknown action or one the credential may not call."""
    version = ','.join(headers.get('x-acs-version', []))
    if not action:
        raise ApiError('MissingParameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.')
    if version != API_VERSION:
        raise ApiError('InvalidVersion', 'Specified parameter Version is not valid (this endpoint serves %s).' % API_VERSION)
    if action not in actions:
        raise ApiError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
    denied = credential.get('DeniedActions', {}).get(action)
    if denied == 'Forbidden.RAM':
        raise ApiError('Forbidden.RAM', 'User not authorized to operate on the specified resource, or this API does not support RAM.', 403)
    if denied:
        raise ApiError(denied, 'Permission denied.', 400)
