"""Behaviours of a real cloud: one ENI operation at a time, ens.interface.error, flow control, 200s carrying a failure,
and how behaviours are switched (fixture key, control API, reset defaults)."""

import time

import pytest

from alibabacloud_ens20171110 import models as ens_models
from alibabacloud_tea_openapi.exceptions import ClientException
from Tea.exceptions import TeaException
from sim_testing import HandClock, error_of, read_outcomes

LONG = 30.0
SIM_TRANSITION_SECONDS = LONG


def truth(sim, kind, resource_id):
    return sim.control.state()[kind][resource_id]


def attach_request(instance_id, eni_id):
    return ens_models.AttachNetworkInterfaceRequest(instance_id=instance_id, network_interface_id=eni_id)


# ----------------------------------------------------------------------------- one ENI operation per instance

def test_one_eni_operation_per_instance(sim, client):
    sim.control.set_behaviours({'one_eni_operation_per_instance': True})
    client.attach_network_interface(attach_request('i-sim-stop-01', 'eni-sim-free-01'))
    assert truth(sim, 'network_interfaces', 'eni-sim-free-01')['Status'] == 'Attaching'
    before = sim.control.state()
    error = error_of(client.attach_network_interface, attach_request('i-sim-stop-01', 'eni-sim-free-02'))
    assert error.code == 'InvalidOperation.InvalidEnsStatus' and error.status_code == 400 and 'eni-sim-free-01' in error.message
    error = error_of(client.detach_network_interface, ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert error.code == 'InvalidOperation.InvalidEnsStatus'
    after = sim.control.state()
    assert after['network_interfaces'] == before['network_interfaces']
    # the default fixture's mid-attach ENI blocks its instance too; other instances are free
    error = error_of(client.attach_network_interface, attach_request('i-sim-stop-02', 'eni-sim-free-03'))
    assert error.code == 'InvalidOperation.InvalidEnsStatus'
    client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-full-01-s1'))
    # once the first attach is done, the next operation is accepted
    sim.control.set_status('eni-sim-free-01', 'InUse')
    client.attach_network_interface(attach_request('i-sim-stop-01', 'eni-sim-free-02'))
    assert [(call['action'], call['code']) for call in sim.control.calls()['calls']] == [
        ('AttachNetworkInterface', None), ('AttachNetworkInterface', 'InvalidOperation.InvalidEnsStatus'),
        ('DetachNetworkInterface', 'InvalidOperation.InvalidEnsStatus'), ('AttachNetworkInterface', 'InvalidOperation.InvalidEnsStatus'),
        ('DetachNetworkInterface', None), ('AttachNetworkInterface', None)]


def test_several_eni_operations_per_instance_by_default(sim, client):
    client.attach_network_interface(attach_request('i-sim-stop-01', 'eni-sim-free-01'))
    client.attach_network_interface(attach_request('i-sim-stop-01', 'eni-sim-free-02'))
    client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert sim.control.calls()['effects'] == 3


# ----------------------------------------------------------------------------- ens.interface.error

@pytest.mark.parametrize('effect_rate, effect, injected, status', [
    (1.0, True, 'interface_error_applied', 'Stopping'),
    (0.0, False, 'interface_error', 'Running'),
])
def test_interface_error_on_a_mutating_call(sim, client, effect_rate, effect, injected, status):
    sim.control.set_behaviours({'interface_error_rate': 1.0, 'interface_error_effect_rate': effect_rate})
    error = error_of(client.stop_instance, ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert isinstance(error, ClientException) and error.status_code == 400 and error.code == 'ens.interface.error'
    assert error.data['RequestId'] == error.request_id and error.data['Message'] == 'An error occurred while call the API.'
    assert truth(sim, 'instances', 'i-sim-run-01')['Status'] == status
    last = sim.control.calls()['calls'][-1]
    assert (last['status'], last['code'], last['effect'], last['injected']) == (400, 'ens.interface.error', effect, injected)


def test_interface_error_applied_to_attach_and_batch(sim, client):
    sim.control.set_behaviours({'interface_error_rate': 1.0, 'interface_error_effect_rate': 1.0})
    assert error_of(client.attach_network_interface, attach_request('i-sim-stop-01', 'eni-sim-free-01')).code == 'ens.interface.error'
    assert truth(sim, 'network_interfaces', 'eni-sim-free-01')['InstanceId'] == 'i-sim-stop-01'
    assert error_of(client.start_instances, ens_models.StartInstancesRequest(instance_ids=['i-sim-stop-02'])).code == 'ens.interface.error'
    assert truth(sim, 'instances', 'i-sim-stop-02')['Status'] == 'Starting'
    # a call the rules refuse hides behind the error and changes nothing
    assert error_of(client.start_instance, ens_models.StartInstanceRequest(instance_id='i-sim-run-01')).code == 'ens.interface.error'
    assert [(call['effect'], call['injected']) for call in sim.control.calls()['calls']] == [
        (True, 'interface_error_applied'), (True, 'interface_error_applied'), (False, 'interface_error')]


def test_interface_error_on_reads_is_seeded(sim, client):
    def outcomes():
        return read_outcomes(lambda: client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(page_size=1)), 100)

    sim.simulator.reset(fixture='default', behaviours={'interface_error_rate': 0.3, 'seed': 9})
    first = outcomes()
    assert set(first) == {None, 'ens.interface.error'} and 10 <= first.count('ens.interface.error') <= 50
    sim.simulator.reset(fixture='default', behaviours={'interface_error_rate': 0.3, 'seed': 9})
    assert outcomes() == first
    calls = sim.control.calls()['calls']
    assert [call['injected'] for call in calls] == ['interface_error' if code else None for code in first]
    assert not any(call['effect'] for call in calls)


# ----------------------------------------------------------------------------- flow control

@pytest.fixture
def clocked(ens_simulator_factory, ens_sdk_client_factory):
    """A simulator on a hand-moved clock (rate windows are then exact) and its SDK client."""
    clock = HandClock(float(int(time.time())) + 0.25)
    handle = ens_simulator_factory('default', transition_seconds=LONG, clock=clock)
    return handle, ens_sdk_client_factory(handle), clock


def test_rate_limit_per_action(clocked):
    sim, client, clock = clocked
    sim.control.set_behaviours({'rate_limits': {'StopInstance': 1, 'DescribeInstances': 3}})
    outcomes = []
    for _call in range(4):
        try:
            client.describe_instances(ens_models.DescribeInstancesRequest(page_size=1))
            outcomes.append(None)
        except TeaException as exc:
            outcomes.append((exc.code, exc.status_code))
    assert outcomes == [None, None, None, ('Throttling.User', 400)]
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01')).body.code == 0
    error = error_of(client.stop_instance, ens_models.StopInstanceRequest(instance_id='i-sim-run-02'))
    assert isinstance(error, ClientException) and error.code == 'Throttling.User' and error.status_code == 400
    assert truth(sim, 'instances', 'i-sim-run-02')['Status'] == 'Running'
    # actions without a limit are not counted; the next 1-second window starts afresh
    client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest())
    clock.now += 1.0
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-02')).body.code == 0
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5
    calls = sim.control.calls()['calls']
    assert [(call['action'], call['code'], call['effect'], call['injected']) for call in calls] == [
        ('DescribeInstances', None, False, None), ('DescribeInstances', None, False, None), ('DescribeInstances', None, False, None),
        ('DescribeInstances', 'Throttling.User', False, 'rate_limit'),
        ('StopInstance', None, True, None), ('StopInstance', 'Throttling.User', False, 'rate_limit'),
        ('DescribeNetworkInterfaces', None, False, None), ('StopInstance', None, True, None), ('DescribeInstances', None, False, None)]


def test_rate_limit_for_every_action(clocked):
    sim, client, clock = clocked
    sim.control.set_behaviours({'rate_limits': {'*': 2}})
    client.describe_instances(ens_models.DescribeInstancesRequest())
    client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest())
    assert error_of(client.attach_network_interface, attach_request('i-sim-stop-01', 'eni-sim-free-01')).code == 'Throttling.User'
    assert truth(sim, 'network_interfaces', 'eni-sim-free-01')['Status'] == 'Available'
    clock.now += 1.0
    client.attach_network_interface(attach_request('i-sim-stop-01', 'eni-sim-free-01'))
    assert truth(sim, 'network_interfaces', 'eni-sim-free-01')['Status'] == 'Attaching'


def test_rate_limit_with_the_real_clock(sim, client):
    """Past the limit within one second a call is refused (which one depends on where the second starts)."""
    sim.control.set_behaviours({'rate_limits': {'DescribeInstances': 1}})
    codes = []
    while 'Throttling.User' not in codes and len(codes) < 1000:
        try:
            client.describe_instances(ens_models.DescribeInstancesRequest(page_size=1))
            codes.append(None)
        except TeaException as exc:
            codes.append(exc.code)
    calls = sim.control.calls()['calls']
    assert codes[0] is None and calls[-1]['injected'] == 'rate_limit' and calls[-1]['status'] == 400


# ----------------------------------------------------------------------------- HTTP 200 with a non-zero Code

@pytest.mark.parametrize('method, request_obj, instance_id, status', [
    ('stop_instance', ens_models.StopInstanceRequest(instance_id='i-sim-run-01'), 'i-sim-run-01', 'Running'),
    ('start_instance', ens_models.StartInstanceRequest(instance_id='i-sim-stop-01'), 'i-sim-stop-01', 'Stopped'),
    ('reboot_instance', ens_models.RebootInstanceRequest(instance_id='i-sim-run-01'), 'i-sim-run-01', 'Running'),
])
def test_nonzero_code_in_a_200_answer(sim, client, method, request_obj, instance_id, status):
    sim.control.set_behaviours({'nonzero_code_rate': 1.0})
    response = getattr(client, method)(request_obj)
    assert response.status_code == 200
    assert response.body.code == 'IncorrectInstanceStatus' and response.body.request_id
    assert truth(sim, 'instances', instance_id)['Status'] == status
    last = sim.control.calls()['calls'][-1]
    assert (last['status'], last['code'], last['effect'], last['injected']) == (200, 'IncorrectInstanceStatus', False, 'nonzero_code')


def test_nonzero_code_spares_other_actions(sim, client):
    sim.control.set_behaviours({'nonzero_code_rate': 1.0})
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.code == 0
    batch = client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01'])).body.instance_responses
    assert [item.code for item in batch] == ['0']
    client.attach_network_interface(attach_request('i-sim-stop-01', 'eni-sim-free-01'))
    assert sim.control.calls()['effects'] == 2


def test_nonzero_code_rate_is_seeded(sim, ens_sdk_client_factory):
    def run(seed):
        sim.simulator.reset(fleet={'generate': {'instances': 40, 'status': 'Running'}}, transition_seconds=LONG,
                            behaviours={'nonzero_code_rate': 0.5, 'seed': seed})
        client = ens_sdk_client_factory(sim)
        return [client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-gen-%04d' % number)).body.code for number in range(1, 41)]

    first = run(3)
    assert first == run(3) != run(4)
    assert set(first) == {0, 'IncorrectInstanceStatus'}
    stopped = [status['Status'] for status in sim.control.state()['instances'].values()]
    assert 0 < stopped.count('Stopping') < 40


# ----------------------------------------------------------------------------- switching behaviours

def test_behaviours_control_api(sim):
    answer = sim.control.set_behaviours({'read_lag': 1.5, 'rate_limits': {'*': 10}})
    assert answer['behaviours'] == {'read_lag': 1.5, 'one_eni_operation_per_instance': False, 'interface_error_rate': 0.0,
                                    'interface_error_effect_rate': 0.5, 'interface_error_actions': None, 'rate_limits': {'*': 10},
                                    'nonzero_code_rate': 0.0, 'seed': 0}
    assert sim.control.behaviours()['behaviours']['read_lag'] == 1.5
    # a POST replaces them: unset keys take their defaults
    assert sim.control.set_behaviours({'seed': 3})['behaviours']['read_lag'] == 0.0
    # a reset without behaviours returns to the server's defaults (none for this simulator)
    sim.control.set_behaviours({'read_lag': 1.5})
    sim.control.reset(fixture='default')
    assert sim.control.behaviours()['behaviours']['read_lag'] == 0.0
    assert sim.control.reset(fixture='default', behaviours={'nonzero_code_rate': 0.25})['behaviours']['nonzero_code_rate'] == 0.25


@pytest.mark.parametrize('config', [{'read_lags': 1}, {'read_lag': -1}, {'interface_error_rate': 2}, {'rate_limits': {'*': 1.5}},
                                    {'rate_limits': [1]}, {'one_eni_operation_per_instance': 'yes'}, {'seed': 'x'}, [1]])
def test_bad_behaviours_are_refused(sim, config):
    sim.control.set_behaviours({'read_lag': 0.25})
    status, body = sim.control.call('POST', 'behaviours', config)
    assert status == 400 and body['error']
    status, body = sim.control.call('POST', 'reset', {'fixture': 'demo', 'behaviours': config})
    assert status == 400 and body['error']
    assert sim.control.behaviours()['behaviours']['read_lag'] == 0.25 and len(sim.model.instances) == 5


def test_server_defaults_over_the_fixture_key(ens_simulator_factory):
    fleet = {'instances': [{'InstanceId': 'i-1', 'Status': 'Stopped', 'EnsRegionId': 'r', 'NetworkId': 'n'}],
             'behaviours': {'one_eni_operation_per_instance': True, 'read_lag': 3}}
    handle = ens_simulator_factory(fleet, behaviours={'read_lag': 0.5})
    config = handle.control.behaviours()
    assert config['behaviours']['one_eni_operation_per_instance'] is True and config['behaviours']['read_lag'] == 0.5
    assert config['defaults'] == config['behaviours']
    handle.control.set_behaviours({})
    assert handle.control.behaviours()['behaviours']['one_eni_operation_per_instance'] is False
    handle.control.reset()
    assert handle.control.behaviours()['behaviours'] == config['behaviours']
    # another fixture without the key: only the server's own behaviours remain
    handle.control.reset(fixture='default')
    behaviours = handle.control.behaviours()['behaviours']
    assert behaviours['read_lag'] == 0.5 and behaviours['one_eni_operation_per_instance'] is False


def test_bad_fixture_behaviours_are_refused(sim):
    status, body = sim.control.call('POST', 'reset', {'fleet': {'instances': [], 'behaviours': {'lag': 1}}})
    assert status == 400 and 'behaviours' in body['error']
    assert len(sim.model.instances) == 5


def test_interface_errors_can_be_limited_to_some_actions():
    from ens_simulator.behaviours import Behaviours, normalize_behaviours  # pylint: disable=import-outside-toplevel
    behaviours = Behaviours({'interface_error_rate': 1.0, 'interface_error_actions': ['StopInstance']})
    assert behaviours.draw('StopInstance')['interface_error'] is True
    assert behaviours.draw('DescribeInstances')['interface_error'] is False
    with pytest.raises(ValueError):
        normalize_behaviours({'interface_error_actions': 'StopInstance'})
