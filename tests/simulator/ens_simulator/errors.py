"""The simulator's API errors: :class:`ApiError`, the messages ENS answers with and the JSON error body."""

import uuid

HOST_ID = 'ens.aliyuncs.com'

ERROR_MESSAGES = {
    'InvalidEniId.NotFound': 'The specified NetworkInterfaceId does not exist.',
    'InstanceNotFound': 'The input parameter instancdId that is not found.',
    'InstanceIdNotFound': 'The specified InstanceId does not exist.',
    'InvalidOperation.InvalidEniType': 'The type of eni does not support this operation.',
    'InvalidOperation.InvalidEniStatus': 'Current eni status does not support this operation.',
    'InvalidOperation.InvalidEnsStatus': 'Current instance status does not support this operation.',
    'InvalidOperation.NetworkMismatch': 'Specified eni and instance are not in the same network.',
    'EniPerInstanceLimitExceeded': 'EniPerInstanceLimitExceeded.',
    'IncorrectInstanceStatus': 'The current status of the resource does not support this operation.',
}


# errors the simulator injects (faults and behaviours) rather than the model's rules
INJECTED_MESSAGES = {
    'ens.interface.error': 'An error occurred while call the API.',
    'Throttling.User': 'Request was denied due to user flow control.',
}


class ApiError(Exception):
    """An ENS API error: answered with ``status`` and a body naming ``code``."""

    def __init__(self, code, message=None, status=400):
        super().__init__(code)
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, code)
        self.status = status


def missing_parameter(name):
    """Return the error for a missing required parameter."""
    return ApiError('MissingParameter', 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid_parameter(name, detail=None):
    """Return the error for an invalid parameter value."""
    message = 'The specified field %s invalid. Please check it again.' % name
    if detail:
        message = '%s %s' % (message, detail)
    return ApiError('InvalidParameter.%s' % name, message)


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
