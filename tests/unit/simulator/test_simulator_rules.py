"""Attach / detach / stop / start / reboot rules and error codes, through the official SDK."""

import pytest

from alibabacloud_ens20171110 import models as ens_models
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions
from sim_testing import error_of, snapshot, wait_for

# Long transitions keep intermediate states stable however slow the machine is; tests that need a transition to
# complete reset with FAST and check the exact timing in the history, which does not depend on load.
LONG = 30.0
FAST = 0.1
# the sim fixture (conftest.py): the default fixture with long transitions, the mid-attach ENI held in Attaching
SIM_TRANSITION_SECONDS = LONG
SIM_HOLD_ATTACHING = True


def assert_fails_without_effect(sim, func, request, code, status=400):
    before = snapshot(sim)
    error = error_of(func, request)
    assert error.code == code
    assert error.status_code == status
    assert isinstance(error, ClientException)
    assert error.data['Code'] == code and error.data['RequestId'] == error.request_id
    assert set(error.data) >= {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}
    assert snapshot(sim) == before
    last = sim.control.calls()['calls'][-1]
    assert last['code'] == code and last['status'] == status and last['effect'] is False
    return error


def eni(sim, eni_id):
    return sim.model.state()['network_interfaces'][eni_id]


def instance(sim, instance_id):
    return sim.model.state()['instances'][instance_id]


def statuses(sim, kind, resource_id):
    return [status for status, _since in sim.model.state()[kind][resource_id]['history']]


def fast(sim):
    sim.simulator.reset(fixture='default', transition_seconds=FAST)
    sim.control.set_status('eni-sim-attaching-01', 'Attaching', -1)


# ----------------------------------------------------------------------------- attach

@pytest.mark.parametrize('eni_id, instance_id, code', [
    ('eni-nope', 'i-sim-stop-01', 'InvalidEniId.NotFound'),
    ('eni-nope', 'i-nope', 'InvalidEniId.NotFound'),
    ('eni-sim-free-01', 'i-nope', 'InstanceNotFound'),
    ('eni-sim-stop-02-p', 'i-sim-stop-01', 'InvalidOperation.InvalidEniType'),
    ('eni-sim-run-02-s1', 'i-sim-stop-01', 'InvalidOperation.InvalidEniStatus'),
    ('eni-sim-attaching-01', 'i-sim-stop-01', 'InvalidOperation.InvalidEniStatus'),
    ('eni-sim-free-01', 'i-sim-run-01', 'InvalidOperation.InvalidEnsStatus'),
    ('eni-sim-othernet-01', 'i-sim-stop-01', 'InvalidOperation.NetworkMismatch'),
    ('eni-sim-otherregion-01', 'i-sim-stop-01', 'InvalidOperation.NetworkMismatch'),
    ('eni-sim-free-01', 'i-sim-full-01', 'EniPerInstanceLimitExceeded'),
])
def test_attach_errors(sim, client, eni_id, instance_id, code):
    request = ens_models.AttachNetworkInterfaceRequest(instance_id=instance_id, network_interface_id=eni_id)
    assert_fails_without_effect(sim, client.attach_network_interface, request, code)


def test_attach_to_a_stopping_instance_fails(sim, client):
    sim.control.set_status('i-sim-stop-01', 'Stopping', -1)
    request = ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01')
    assert_fails_without_effect(sim, client.attach_network_interface, request, 'InvalidOperation.InvalidEnsStatus')


def test_attach_success(sim, client):
    fast(sim)
    response = client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    assert response.status_code == 200 and set(response.body.to_map()) == {'RequestId'}
    state = eni(sim, 'eni-sim-free-01')
    assert state['Status'] in ('Attaching', 'InUse') and state['InstanceId'] == 'i-sim-stop-01'
    attached = [item['NetworkInterfaceId'] for item in instance(sim, 'i-sim-stop-01')['NetworkInterfaces']['NetworkInterfaces']]
    assert 'eni-sim-free-01' in attached
    assert wait_for(lambda: eni(sim, 'eni-sim-free-01')['Status'] == 'InUse')
    assert statuses(sim, 'network_interfaces', 'eni-sim-free-01') == ['Available', 'Attaching', 'InUse']
    last = sim.control.calls()['calls'][-1]
    assert last['action'] == 'AttachNetworkInterface' and last['effect'] is True and last['status'] == 200 and last['code'] is None


def test_eni_limit_counts_detaching_and_attaching_enis(sim, client):
    client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-full-01-s9'))
    assert eni(sim, 'eni-sim-full-01-s9')['Status'] == 'Detaching'
    request = ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-full-01', network_interface_id='eni-sim-free-01')
    assert_fails_without_effect(sim, client.attach_network_interface, request, 'EniPerInstanceLimitExceeded')
    sim.control.set_status('eni-sim-full-01-s9', 'Detaching', FAST)
    assert wait_for(lambda: eni(sim, 'eni-sim-full-01-s9')['Status'] == 'Available')
    client.attach_network_interface(request)
    assert eni(sim, 'eni-sim-free-01')['Status'] == 'Attaching'
    # the Attaching one counts too: the instance is full again
    again = ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-full-01', network_interface_id='eni-sim-full-01-s9')
    assert_fails_without_effect(sim, client.attach_network_interface, again, 'EniPerInstanceLimitExceeded')


@pytest.mark.parametrize('missing', ['InstanceId', 'NetworkInterfaceId'])
def test_attach_missing_parameter(sim, client, missing):
    kwargs = {'instance_id': 'i-sim-stop-01', 'network_interface_id': 'eni-sim-free-01'}
    kwargs['instance_id' if missing == 'InstanceId' else 'network_interface_id'] = None
    error = assert_fails_without_effect(sim, client.attach_network_interface, ens_models.AttachNetworkInterfaceRequest(**kwargs), 'MissingParameter')
    assert missing in error.data['Message']


# ----------------------------------------------------------------------------- detach

@pytest.mark.parametrize('eni_id, code', [
    ('eni-nope', 'InvalidEniId.NotFound'),
    ('eni-sim-stop-01-p', 'InvalidOperation.InvalidEniType'),
    ('eni-sim-free-01', 'InvalidOperation.InvalidEniStatus'),
    ('eni-sim-attaching-01', 'InvalidOperation.InvalidEniStatus'),
    ('eni-sim-run-02-s1', 'InvalidOperation.InvalidEnsStatus'),
])
def test_detach_errors(sim, client, eni_id, code):
    request = ens_models.DetachNetworkInterfaceRequest(network_interface_id=eni_id)
    assert_fails_without_effect(sim, client.detach_network_interface, request, code)


def test_detach_missing_parameter(sim, client):
    error = assert_fails_without_effect(sim, client.detach_network_interface, ens_models.DetachNetworkInterfaceRequest(), 'MissingParameter')
    assert 'NetworkInterfaceId' in error.data['Message']


def test_detach_success(sim, client):
    fast(sim)
    response = client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert response.status_code == 200 and response.body.request_id
    assert wait_for(lambda: eni(sim, 'eni-sim-stop-01-s1')['Status'] == 'Available')
    assert statuses(sim, 'network_interfaces', 'eni-sim-stop-01-s1') == ['InUse', 'Detaching', 'Available']
    assert eni(sim, 'eni-sim-stop-01-s1')['InstanceId'] == ''
    attached = [item['NetworkInterfaceId'] for item in instance(sim, 'i-sim-stop-01')['NetworkInterfaces']['NetworkInterfaces']]
    assert attached == ['eni-sim-stop-01-p']


# ----------------------------------------------------------------------------- stop / start / reboot

def test_stop_instance(sim, client):
    body = client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01', force_stop='true')).body
    assert body.code == 0 and body.request_id
    assert instance(sim, 'i-sim-run-01')['Status'] == 'Stopping'
    sim.control.set_status('i-sim-run-01', 'Stopping', FAST)
    assert wait_for(lambda: instance(sim, 'i-sim-run-01')['Status'] == 'Stopped')


@pytest.mark.parametrize('instance_id, force, code', [
    ('i-nope', None, 'InstanceIdNotFound'),
    ('i-sim-stop-01', None, 'IncorrectInstanceStatus'),
    ('i-sim-run-01', 'True', 'InvalidParameter.ForceStop'),
    ('i-sim-run-01', 'yes', 'InvalidParameter.ForceStop'),
    (None, 'false', 'MissingParameter'),
])
def test_stop_instance_errors(sim, client, instance_id, force, code):
    request = ens_models.StopInstanceRequest(instance_id=instance_id, force_stop=force)
    assert_fails_without_effect(sim, client.stop_instance, request, code)


def test_stop_instance_force_false(sim, client):
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-02', force_stop='false')).body.code == 0
    assert instance(sim, 'i-sim-run-02')['Status'] == 'Stopping'


def test_start_instance(sim, client):
    body = client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-stop-01')).body
    assert body.code == 0 and body.request_id
    assert instance(sim, 'i-sim-stop-01')['Status'] == 'Starting'
    sim.control.set_status('i-sim-stop-01', 'Starting', FAST)
    assert wait_for(lambda: instance(sim, 'i-sim-stop-01')['Status'] == 'Running')


@pytest.mark.parametrize('instance_id, code', [
    ('i-nope', 'InstanceNotFound'),
    ('i-sim-run-01', 'IncorrectInstanceStatus'),
    (None, 'MissingParameter'),
])
def test_start_instance_errors(sim, client, instance_id, code):
    assert_fails_without_effect(sim, client.start_instance, ens_models.StartInstanceRequest(instance_id=instance_id), code)


def test_start_a_stopping_instance_fails(sim, client):
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert_fails_without_effect(sim, client.start_instance, ens_models.StartInstanceRequest(instance_id='i-sim-run-01'), 'IncorrectInstanceStatus')


def test_reboot_instance(sim, client):
    fast(sim)
    body = client.reboot_instance(ens_models.RebootInstanceRequest(instance_id='i-sim-run-01', force_stop='false')).body
    assert body.code == 0
    assert wait_for(lambda: instance(sim, 'i-sim-run-01')['Status'] == 'Running' and len(statuses(sim, 'instances', 'i-sim-run-01')) > 1)
    history = [status for status, _since in instance(sim, 'i-sim-run-01')['history']]
    assert history == ['Running', 'Starting', 'Running']


@pytest.mark.parametrize('instance_id, code', [
    ('i-nope', 'InstanceNotFound'),
    ('i-sim-stop-01', 'IncorrectInstanceStatus'),
    (None, 'MissingParameter'),
])
def test_reboot_instance_errors(sim, client, instance_id, code):
    assert_fails_without_effect(sim, client.reboot_instance, ens_models.RebootInstanceRequest(instance_id=instance_id), code)


def test_stop_instances_batch(sim, client):
    response = client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01', 'i-nope', 'i-sim-stop-01', 'i-sim-run-02']))
    assert response.status_code == 200
    results = {item.instance_id: (item.code, item.message) for item in response.body.instance_responses}
    assert results['i-sim-run-01'][0] == '0' and results['i-sim-run-02'][0] == '0'
    assert results['i-nope'][0] == 'InstanceIdNotFound' and results['i-sim-stop-01'][0] == 'IncorrectInstanceStatus'
    assert [item.instance_id for item in response.body.instance_responses] == ['i-sim-run-01', 'i-nope', 'i-sim-stop-01', 'i-sim-run-02']
    assert instance(sim, 'i-sim-run-01')['Status'] == 'Stopping' and instance(sim, 'i-sim-run-02')['Status'] == 'Stopping'
    assert instance(sim, 'i-sim-stop-01')['history'] == [['Stopped', instance(sim, 'i-sim-stop-01')['history'][0][1]]]
    last = sim.control.calls()['calls'][-1]
    assert last['params'] == {'InstanceIds': 'i-sim-run-01,i-nope,i-sim-stop-01,i-sim-run-02'} and last['effect'] is True


def test_start_instances_batch(sim, client):
    response = client.start_instances(ens_models.StartInstancesRequest(instance_ids=['i-sim-stop-01', 'i-sim-run-01', 'i-nope']))
    codes = [(item.instance_id, item.code) for item in response.body.instance_responses]
    assert codes == [('i-sim-stop-01', '0'), ('i-sim-run-01', 'IncorrectInstanceStatus'), ('i-nope', 'InstanceNotFound')]
    assert instance(sim, 'i-sim-stop-01')['Status'] == 'Starting'


def test_batch_with_only_failures_has_no_effect(sim, client):
    before = snapshot(sim)
    response = client.start_instances(ens_models.StartInstancesRequest(instance_ids=['i-sim-run-01', 'i-nope']))
    assert [item.code for item in response.body.instance_responses] == ['IncorrectInstanceStatus', 'InstanceNotFound']
    assert snapshot(sim) == before
    assert sim.control.calls()['calls'][-1]['effect'] is False


@pytest.mark.parametrize('method, request_class', [('stop_instances', ens_models.StopInstancesRequest), ('start_instances', ens_models.StartInstancesRequest)])
def test_batch_missing_parameter(sim, client, method, request_class):
    assert_fails_without_effect(sim, getattr(client, method), request_class(), 'MissingParameter')


def _raw(client, action, version='2017-11-10'):
    params = utils_models.Params(action=action, version=version, protocol='HTTPS', pathname='/', method='POST', auth_type='AK',
                                 style='RPC', req_body_type='formData', body_type='json')
    return client.call_api(params, utils_models.OpenApiRequest(query={}), RuntimeOptions())


def test_unknown_action(sim, client):
    error = error_of(_raw, client, 'DeleteNetworkInterface')
    assert error.code == 'InvalidAction.NotFound' and error.status_code == 400
    assert sim.control.calls()['calls'][-1]['code'] == 'InvalidAction.NotFound'


def test_wrong_version(client):
    error = error_of(_raw, client, 'DescribeInstances', '2014-05-26')
    assert error.code == 'InvalidVersion' and error.status_code == 400


def test_request_ids_are_unique(client):
    ids = {client.describe_instances(ens_models.DescribeInstancesRequest()).body.request_id for _attempt in range(20)}
    assert len(ids) == 20 and all(rid == rid.upper() and len(rid) == 36 for rid in ids)
