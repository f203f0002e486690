"""ACS3-HMAC-SHA256 verification, credentials, STS tokens and denied actions."""

import http.client
import json
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from alibabacloud_ens20171110 import models as ens_models
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest
from ens_simulator import signature
from sim_testing import error_of

KEY = ('LTAIsimulatorKey0001', 'simSecret-Q7v9Xk2pRt')
STS = ('STS.simulatorSts0001', 'simStsSecret-H3m8Lw', 'simStsToken-Zx41Pq')
DENIED = ('LTAIsimulatorDenied01', 'simDeniedSecret-B6n2')
ATTACH = ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01')


def acs_date(offset=0):
    return datetime.fromtimestamp(time.time() + offset, tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def sdk_like_headers(sim, action, body=b''):
    return {
        'host': sim.endpoint,
        'x-acs-version': '2017-11-10',
        'x-acs-action': action,
        'user-agent': 'simulator-test',
        'x-acs-date': acs_date(),
        'x-acs-signature-nonce': uuid.uuid4().hex,
        'accept': 'application/json',
        'x-acs-content-sha256': signature.hex_sha256(body),
    }


def send(sim, query, headers, body=b''):
    """Send a hand-made request; return (status, json body)."""
    host, port = sim.endpoint.rsplit(':', 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest('POST', '/?' + urlencode(query), skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader('Content-Length', str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read().decode('utf-8'))
    finally:
        connection.close()


def signed(sim, action, query, key=KEY, body=b'', headers=None):
    all_headers = sdk_like_headers(sim, action, body)
    all_headers.update(headers or {})
    all_headers['Authorization'] = signature.authorization('POST', '/', query, all_headers, key[0], key[1], signature.hex_sha256(body))
    return all_headers


def test_hand_signed_request_is_accepted(sim):
    query = {'NetworkInterfaceName': 'a b+c/&=~*\u00e9', 'PageSize': '5'}
    status, body = send(sim, query, signed(sim, 'DescribeNetworkInterfaces', query))
    assert status == 200 and body['TotalCount'] == 0 and body['PageSize'] == 5
    assert sim.control.calls()['calls'][-1]['params'] == query


def test_signature_helper_matches_the_sdk():
    request = DaraRequest()
    request.method = 'POST'
    request.pathname = '/'
    request.query = {'InstanceIds': '["i-1","i-2"]', 'Name': 'a b+c*~/\u00fc', 'Empty': '', 'NetworkInterfaceIds.1': 'eni-1'}
    request.headers = {'host': '127.0.0.1:1234', 'x-acs-action': 'DescribeInstances', 'x-acs-version': '2017-11-10', 'user-agent': 'UA/1 (x)',
                       'x-acs-date': '2025-01-01T00:00:00Z', 'x-acs-signature-nonce': 'abc', 'accept': 'application/json',
                       'x-acs-content-sha256': signature.hex_sha256(b'')}
    payload = signature.hex_sha256(b'')
    expected = Utils.get_authorization(request, 'ACS3-HMAC-SHA256', payload, 'AK', 'SECRET')
    assert signature.authorization('POST', '/', request.query, request.headers, 'AK', 'SECRET', payload) == expected


def test_wrong_secret(sim, ens_sdk_client_factory):
    client = ens_sdk_client_factory(sim, KEY[0], 'not-the-secret')
    error = error_of(client.attach_network_interface, ATTACH)
    assert error.code == 'SignatureDoesNotMatch' and error.status_code == 400
    assert KEY[1] not in json.dumps(error.data) and 'not-the-secret' not in json.dumps(error.data)
    assert sim.model.state()['network_interfaces']['eni-sim-free-01']['Status'] == 'Available'
    last = sim.control.calls()['calls'][-1]
    assert last['code'] == 'SignatureDoesNotMatch' and last['mutating'] is True and last['effect'] is False


def test_unknown_access_key(sim, ens_sdk_client_factory):
    client = ens_sdk_client_factory(sim, 'LTAIunknownKey', KEY[1])
    error = error_of(client.describe_instances, ens_models.DescribeInstancesRequest())
    assert error.code == 'InvalidAccessKeyId.NotFound' and error.status_code == 404


def test_sts_credentials(sim, ens_sdk_client_factory):
    client = ens_sdk_client_factory(sim, STS[0], STS[1], security_token=STS[2])
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5
    client.attach_network_interface(ATTACH)
    assert sim.model.state()['network_interfaces']['eni-sim-free-01']['InstanceId'] == 'i-sim-stop-01'


@pytest.mark.parametrize('token', ['wrong-token', None])
def test_sts_token_mismatch(sim, ens_sdk_client_factory, token):
    client = ens_sdk_client_factory(sim, STS[0], STS[1], security_token=token)
    error = error_of(client.attach_network_interface, ATTACH)
    assert error.code == 'InvalidSecurityToken.Mismatch' and error.status_code == 400
    assert sim.model.state()['network_interfaces']['eni-sim-free-01']['Status'] == 'Available'


def test_expired_sts_token(sim, ens_sdk_client_factory):
    status, _body = sim.control.call('POST', 'credentials', {'credentials': [
        {'AccessKeyId': STS[0], 'AccessKeySecret': STS[1], 'SecurityToken': STS[2], 'ExpiresAt': time.time() - 1}]})
    assert status == 200
    client = ens_sdk_client_factory(sim, STS[0], STS[1], security_token=STS[2])
    assert error_of(client.describe_instances, ens_models.DescribeInstancesRequest()).code == 'InvalidSecurityToken.Expired'


def test_denied_actions(sim, ens_sdk_client_factory):
    client = ens_sdk_client_factory(sim, *DENIED)
    before = sim.model.state()['network_interfaces']
    error = error_of(client.attach_network_interface, ATTACH)
    assert error.code == 'NoPermission' and error.status_code == 400
    error = error_of(client.detach_network_interface, ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert error.code == 'Forbidden.RAM' and error.status_code == 403
    assert sim.model.state()['network_interfaces'] == before
    assert client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest()).body.total_count == 22
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01')).body.code == 0


def test_missing_authorization(sim):
    headers = sdk_like_headers(sim, 'DescribeInstances')
    status, body = send(sim, {}, headers)
    assert status == 400 and body['Code'] == 'IncompleteSignature'
    assert set(body) == {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}


@pytest.mark.parametrize('value', ['garbage', 'ACS3-HMAC-SHA256 Credential=LTAIsimulatorKey0001', 'Bearer abc',
                                   'ACS3-HMAC-SHA256 Credential=LTAIsimulatorKey0001,SignedHeaders=Host;x-acs-date,Signature=00'])
def test_garbled_authorization(sim, value):
    headers = sdk_like_headers(sim, 'DescribeInstances')
    headers['Authorization'] = value
    status, body = send(sim, {}, headers)
    assert status == 400 and body['Code'] == 'IncompleteSignature'


def test_required_headers_must_be_signed(sim):
    headers = sdk_like_headers(sim, 'DescribeInstances')
    unsigned_host = {name: value for name, value in headers.items() if name != 'host'}
    unsigned_host['Authorization'] = signature.authorization('POST', '/', {}, unsigned_host, KEY[0], KEY[1])
    unsigned_host['host'] = headers['host']
    status, body = send(sim, {}, unsigned_host)
    assert status == 400 and body['Code'] == 'IncompleteSignature' and 'host' in body['Message']


def test_other_algorithm_is_rejected(sim):
    headers = signed(sim, 'DescribeInstances', {})
    headers['Authorization'] = headers['Authorization'].replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3')
    status, body = send(sim, {}, headers)
    assert status == 400 and body['Code'] == 'IncompleteSignature'


def test_tampered_query(sim):
    headers = signed(sim, 'StopInstance', {'InstanceId': 'i-sim-run-01'})
    status, body = send(sim, {'InstanceId': 'i-sim-run-02'}, headers)
    assert status == 400 and body['Code'] == 'SignatureDoesNotMatch'
    assert sim.model.state()['instances']['i-sim-run-02']['Status'] == 'Running'


def test_tampered_signed_header(sim):
    headers = signed(sim, 'DescribeInstances', {})
    headers['user-agent'] = 'someone-else'
    status, body = send(sim, {}, headers)
    assert status == 400 and body['Code'] == 'SignatureDoesNotMatch'


def test_content_hash_must_match_body(sim):
    headers = signed(sim, 'DescribeInstances', {})
    status, body = send(sim, {}, headers, body=b'{"smuggled": true}')
    assert status == 400 and body['Code'] == 'SignatureDoesNotMatch' and 'x-acs-content-sha256' in body['Message']


def test_signed_body_is_accepted(sim):
    status, body = send(sim, {}, signed(sim, 'DescribeInstances', {}, body=b'a=b'), body=b'a=b')
    assert status == 200 and body['TotalCount'] == 5


@pytest.mark.parametrize('date, code', [(-3600, 'InvalidTimeStamp.Expired'), (3600, 'InvalidTimeStamp.Expired'),
                                        ('Mon, 01 Jan 2024 00:00:00 GMT', 'InvalidTimeStamp.Format')])
def test_timestamp_checks(sim, date, code):
    if isinstance(date, int):
        date = acs_date(date)
    status, body = send(sim, {}, signed(sim, 'DescribeInstances', {}, headers={'x-acs-date': date}))
    assert status == 400 and body['Code'] == code


def test_nonce_reuse(sim):
    headers = signed(sim, 'DescribeInstances', {})
    assert send(sim, {}, headers)[0] == 200
    status, body = send(sim, {}, headers)
    assert status == 400 and body['Code'] == 'SignatureNonceUsed'


def test_sts_token_header_is_checked_on_hand_made_requests(sim):
    good = signed(sim, 'DescribeInstances', {}, key=STS, headers={'x-acs-security-token': STS[2]})
    assert send(sim, {}, good)[0] == 200
    bad = signed(sim, 'DescribeInstances', {}, key=STS, headers={'x-acs-security-token': 'other'})
    status, body = send(sim, {}, bad)
    assert status == 400 and body['Code'] == 'InvalidSecurityToken.Mismatch'


def test_missing_action(sim):
    headers = signed(sim, 'DescribeInstances', {})
    del headers['x-acs-action']
    headers['Authorization'] = signature.authorization('POST', '/', {}, {k: v for k, v in headers.items() if k != 'Authorization'}, *KEY)
    status, body = send(sim, {}, headers)
    assert status == 400 and body['Code'] == 'IncompleteSignature' and 'x-acs-action' in body['Message']
