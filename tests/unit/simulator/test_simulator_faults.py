"""Seeded faults: throttling, unavailability, lost answers, latency, action filters and one-shot failures."""

import threading
import time

import pytest

from alibabacloud_ens20171110 import models as ens_models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from sim_testing import read_outcomes

CALLS = 200


def outcomes(client, count=CALLS):
    """Describe ``count`` times; return the list of error codes (None for success)."""
    return read_outcomes(lambda: client.describe_instances(ens_models.DescribeInstancesRequest(page_size=1)), count)


def test_throttling_rate_is_honoured_and_reproducible(sim, client):
    sim.simulator.reset(fixture='default', faults={'seed': 7, 'throttling_rate': 0.3})
    first = outcomes(client)
    throttled = first.count('Throttling.User')
    assert 35 <= throttled <= 85
    assert set(first) == {None, 'Throttling.User'}
    sim.simulator.reset(fixture='default', faults={'seed': 7, 'throttling_rate': 0.3})
    assert outcomes(client) == first
    sim.simulator.reset(fixture='default', faults={'seed': 8, 'throttling_rate': 0.3})
    third = outcomes(client)
    assert third != first
    summary = sim.control.calls()
    assert summary['counts'] == {'DescribeInstances': CALLS}
    assert summary['codes'] == {'Throttling.User': third.count('Throttling.User')}


def test_throttling_is_a_client_error_without_effect(sim, client):
    sim.control.set_faults({'seed': 1, 'throttling_rate': 1.0})
    with pytest.raises(ClientException) as info:
        client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert info.value.code == 'Throttling.User' and info.value.status_code == 400
    assert sim.model.state()['instances']['i-sim-run-01']['Status'] == 'Running'
    last = sim.control.calls()['calls'][-1]
    assert last['injected'] == 'throttling' and last['effect'] is False


def test_throttling_with_retry_after_header(sim, client):
    sim.control.set_faults({'throttling_rate': 1.0, 'throttling_retry_after_ms': 1500})
    with pytest.raises(ThrottlingException) as info:
        client.describe_instances(ens_models.DescribeInstancesRequest())
    assert info.value.code == 'Throttling.User' and info.value.retry_after == 1500


def test_unavailable_rate(sim, client):
    sim.simulator.reset(fixture='default', faults={'seed': 3, 'unavailable_rate': 0.2})
    result = outcomes(client)
    assert 20 <= result.count('ServiceUnavailable') <= 60
    assert set(result) == {None, 'ServiceUnavailable'}
    sim.control.set_faults({'unavailable_rate': 1.0})
    with pytest.raises(ServerException) as info:
        client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-stop-01'))
    assert info.value.status_code == 503 and info.value.code == 'ServiceUnavailable'
    assert sim.model.state()['instances']['i-sim-stop-01']['Status'] == 'Stopped'


def test_lost_answers_take_effect(sim, client):
    sim.control.set_faults({'seed': 5, 'lost_answer_rate': 1.0})
    with pytest.raises(ServerException) as info:
        client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert info.value.status_code == 500 and info.value.code == 'InternalError'
    assert sim.model.state()['instances']['i-sim-run-01']['Status'] in ('Stopping', 'Stopped')
    with pytest.raises(ServerException):
        client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    assert sim.model.state()['network_interfaces']['eni-sim-free-01']['InstanceId'] == 'i-sim-stop-01'
    # reads are never "lost"
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5
    calls = sim.control.calls()['calls']
    assert [(call['action'], call['status'], call['code'], call['effect'], call['injected']) for call in calls] == [
        ('StopInstance', 500, 'InternalError', True, 'lost_answer'),
        ('AttachNetworkInterface', 500, 'InternalError', True, 'lost_answer'),
        ('DescribeInstances', 200, None, False, None),
    ]


def test_lost_answer_rate_over_many_calls(sim, client):
    sim.simulator.reset(fixture={'generate': {'instances': 100, 'status': 'Running'}}, transition_seconds=0,
                        faults={'seed': 11, 'lost_answer_rate': 0.25})
    lost = 0
    for number in range(1, 101):
        try:
            client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-gen-%04d' % number))
        except ServerException:
            lost += 1
    assert 10 <= lost <= 45
    statuses = {instance['Status'] for instance in sim.model.state()['instances'].values()}
    assert statuses == {'Stopped'}


def test_failed_rule_is_not_turned_into_a_lost_answer(sim, client):
    sim.control.set_faults({'lost_answer_rate': 1.0})
    with pytest.raises(ClientException) as info:
        client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-run-01'))
    assert info.value.code == 'IncorrectInstanceStatus'


def test_faults_apply_only_after_authentication(sim, ens_sdk_client_factory):
    sim.control.set_faults({'throttling_rate': 1.0, 'unavailable_rate': 1.0})
    client = ens_sdk_client_factory(sim, 'LTAIsimulatorKey0001', 'wrong-secret')
    with pytest.raises(ClientException) as info:
        client.describe_instances(ens_models.DescribeInstancesRequest())
    assert info.value.code == 'SignatureDoesNotMatch'


def test_action_filter(sim, client):
    sim.control.set_faults({'throttling_rate': 1.0, 'actions': ['AttachNetworkInterface']})
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01')).body.code == 0
    with pytest.raises(ClientException) as info:
        client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    assert info.value.code == 'Throttling.User'


def test_latency(sim, client):
    sim.control.set_faults({'latency_ms': 120, 'latency_jitter_ms': 30, 'seed': 2})
    started = time.time()
    client.describe_instances(ens_models.DescribeInstancesRequest())
    elapsed = time.time() - started
    assert elapsed >= 0.12  # a lower bound only: a slow machine adds time, never removes it
    latency = sim.control.calls()['calls'][-1]['latency_ms']
    assert 120 <= latency <= 150


def test_latency_does_not_block_other_callers(sim, client, ens_sdk_client_factory):
    sim.control.set_faults({'latency_ms': 1000, 'actions': ['StopInstance']})
    worker = threading.Thread(target=lambda: ens_sdk_client_factory(sim).stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01')))
    worker.start()
    time.sleep(0.05)
    client.describe_instances(ens_models.DescribeInstancesRequest())
    worker.join()
    calls = sim.control.calls()['calls']
    # the describe call was answered while the delayed stop call was still sleeping
    assert [call['action'] for call in calls] == ['DescribeInstances', 'StopInstance']
    assert calls[1]['latency_ms'] == 1000 and calls[1]['time'] - calls[0]['time'] > 0.3


def test_fail_next(sim, client):
    sim.control.fail_next({'action': 'StopInstance', 'code': 'IncorrectInstanceStatus', 'count': 2, 'message': 'injected after stop'})
    sim.control.fail_next({'action': 'StartInstance', 'code': 'ServiceUnavailable', 'status': 503})
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5
    for _attempt in range(2):
        with pytest.raises(ClientException) as info:
            client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
        assert info.value.code == 'IncorrectInstanceStatus' and 'injected after stop' in info.value.message
        assert sim.model.state()['instances']['i-sim-run-01']['Status'] == 'Running'
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01')).body.code == 0
    with pytest.raises(ServerException) as info:
        client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-stop-01'))
    assert info.value.status_code == 503
    assert sim.model.state()['instances']['i-sim-stop-01']['Status'] == 'Stopped'
    assert sim.control.call('GET', 'fail_next')[1] == {'fail_next': []}
    injected = [call['injected'] for call in sim.control.calls()['calls']]
    assert injected == [None, 'fail_next', 'fail_next', None, 'fail_next']


def test_fail_next_for_any_action(sim, client):
    sim.control.fail_next({'code': 'Throttling.Api'})
    with pytest.raises(ClientException) as info:
        client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest())
    assert info.value.code == 'Throttling.Api'
    assert client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest()).body.total_count == 22


@pytest.mark.parametrize('faults', [{'throttling_rate': 2}, {'latency_ms': -1}, {'seed': 'x'}, {'typo_rate': 0.1}, {'actions': 'StopInstance'}])
def test_invalid_fault_config_is_rejected(sim, faults):
    status, body = sim.control.call('POST', 'faults', faults)
    assert status == 400 and body['error']
    assert sim.control.call('GET', 'faults')[1]['faults']['throttling_rate'] == 0.0


@pytest.mark.parametrize('entry', [{'action': 'StopInstance'}, {'code': 'X', 'status': 200}, {'code': 'X', 'count': 0}, {'code': 'X', 'when': 1}])
def test_invalid_fail_next_is_rejected(sim, entry):
    status, _body = sim.control.call('POST', 'fail_next', entry)
    assert status == 400


def test_fail_next_with_resource_hits_only_calls_naming_it(sim, client):
    sim.control.fail_next({'action': 'AttachNetworkInterface', 'code': 'ens.interface.error', 'resource': 'i-sim-stop-02'})
    # a call for another instance passes untouched and leaves the entry queued
    client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    assert [entry['resource'] for entry in sim.control.call('GET', 'fail_next')[1]['fail_next']] == ['i-sim-stop-02']
    with pytest.raises(ClientException) as info:
        client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-02', network_interface_id='eni-sim-free-02'))
    assert info.value.code == 'ens.interface.error'
    enis = sim.model.state()['network_interfaces']
    assert enis['eni-sim-free-01']['InstanceId'] == 'i-sim-stop-01' and enis['eni-sim-free-02']['Status'] == 'Available'
    assert sim.control.call('GET', 'fail_next')[1] == {'fail_next': []}
    injected = [(call['params'].get('InstanceId'), call['injected'], call['effect']) for call in sim.control.calls()['calls']]
    assert injected == [('i-sim-stop-01', None, True), ('i-sim-stop-02', 'fail_next', False)]


def test_fail_next_resource_matches_eni_ids_and_id_lists_of_reads(sim, client):
    sim.control.fail_next([{'action': 'DetachNetworkInterface', 'code': 'InvalidOperation.InvalidEniStatus', 'resource': 'eni-sim-stop-01-s1'},
                           {'action': 'DescribeNetworkInterfaces', 'code': 'Throttling.User', 'resource': 'eni-sim-free-03'},
                           {'action': 'DescribeInstances', 'code': 'ServiceUnavailable', 'status': 503, 'resource': 'i-sim-run-02'}])
    with pytest.raises(ClientException) as info:
        client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert info.value.code == 'InvalidOperation.InvalidEniStatus'
    assert sim.model.state()['network_interfaces']['eni-sim-stop-01-s1']['Status'] == 'InUse'
    # a read of other ids passes; a read whose id list names the resource fails as a whole
    assert client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_ids=['eni-sim-free-01'])).body.total_count == 1
    with pytest.raises(ClientException) as info:
        client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_ids=['eni-sim-free-01', 'eni-sim-free-03']))
    assert info.value.code == 'Throttling.User'
    assert client.describe_instances(ens_models.DescribeInstancesRequest(instance_ids='["i-sim-run-01"]')).body.total_count == 1
    with pytest.raises(ServerException) as info:
        client.describe_instances(ens_models.DescribeInstancesRequest(instance_ids='["i-sim-run-01","i-sim-run-02"]'))
    assert info.value.status_code == 503
    assert sim.control.call('GET', 'fail_next')[1] == {'fail_next': []}


def test_fail_next_resource_in_a_batch_call_fails_only_that_instance(sim, client):
    sim.control.fail_next([{'action': 'StopInstances', 'code': 'IncorrectInstanceStatus', 'message': 'injected for run-02', 'resource': 'i-sim-run-02'},
                           {'action': 'StartInstances', 'code': 'InstanceNotFound', 'resource': 'i-sim-stop-01'}])
    responses = client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01', 'i-sim-run-02'])).body.instance_responses
    assert [(r.instance_id, r.code, r.message) for r in responses] == [
        ('i-sim-run-01', '0', 'success'), ('i-sim-run-02', 'IncorrectInstanceStatus', 'injected for run-02')]
    instances = sim.model.state()['instances']
    assert instances['i-sim-run-01']['Status'] == 'Stopping' and instances['i-sim-run-02']['Status'] == 'Running'
    responses = client.start_instances(ens_models.StartInstancesRequest(instance_ids=['i-sim-stop-01', 'i-sim-stop-02'])).body.instance_responses
    assert [(r.instance_id, r.code) for r in responses] == [('i-sim-stop-01', 'InstanceNotFound'), ('i-sim-stop-02', '0')]
    instances = sim.model.state()['instances']
    assert instances['i-sim-stop-01']['Status'] == 'Stopped' and instances['i-sim-stop-02']['Status'] == 'Starting'
    calls = sim.control.calls()['calls']
    assert [(call['status'], call['code'], call['injected'], call['effect']) for call in calls] == [(200, None, 'fail_next', True)] * 2
    assert sim.control.call('GET', 'fail_next')[1] == {'fail_next': []}


def test_fail_next_resource_entries_for_several_instances_of_one_batch_call(sim, client):
    sim.control.fail_next([{'action': 'StopInstances', 'code': 'IncorrectInstanceStatus', 'resource': 'i-sim-run-01'},
                           {'code': 'Throttling.Api'},
                           {'action': 'StopInstances', 'code': 'InstanceIdNotFound', 'resource': 'i-sim-run-02', 'count': 2}])
    responses = client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01', 'i-sim-run-02'])).body.instance_responses
    assert [(r.instance_id, r.code) for r in responses] == [('i-sim-run-01', 'IncorrectInstanceStatus'), ('i-sim-run-02', 'InstanceIdNotFound')]
    assert sim.control.calls()['calls'][-1]['effect'] is False
    # the whole-call entry queued between them was kept for the next call; run-02's second count too
    assert [(entry['code'], entry['count']) for entry in sim.control.call('GET', 'fail_next')[1]['fail_next']] == [
        ('Throttling.Api', 1), ('InstanceIdNotFound', 1)]
    with pytest.raises(ClientException) as info:
        client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01']))
    assert info.value.code == 'Throttling.Api'
    # a batch call not naming run-02 leaves its entry queued
    responses = client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01'])).body.instance_responses
    assert [(r.instance_id, r.code) for r in responses] == [('i-sim-run-01', '0')]
    assert [entry['resource'] for entry in sim.control.call('GET', 'fail_next')[1]['fail_next']] == ['i-sim-run-02']


@pytest.mark.parametrize('resource', ['', 7, ['i-sim-run-01']])
def test_invalid_fail_next_resource_is_rejected(sim, resource):
    status, body = sim.control.call('POST', 'fail_next', {'code': 'X', 'resource': resource})
    assert status == 400 and 'resource' in body['error']
