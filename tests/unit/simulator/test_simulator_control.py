"""Control API (/_sim/...), call log, fixtures and the demo scenario."""

import json
import time
import urllib.error
import urllib.request

import pytest

from alibabacloud_ens20171110 import models as ens_models
from ens_simulator import FIXTURES_DIR
from Tea.exceptions import TeaException

CALL_KEYS = {'seq', 'time', 'action', 'params', 'status', 'code', 'request_id', 'mutating', 'effect'}


def test_function_scoped_fixtures(ens_simulator, ens_sdk_client):
    assert ens_simulator.url == 'http://' + ens_simulator.endpoint
    assert ens_simulator.endpoint.startswith('127.0.0.1:') and int(ens_simulator.endpoint.rsplit(':', 1)[1]) > 0
    assert ens_sdk_client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5
    assert 'i-sim-run-01' in ens_simulator.model.instances


def test_health(sim):
    assert sim.control.call('GET', 'health') == (200, {'ok': True})


def test_unknown_control_endpoint(sim):
    assert sim.control.call('GET', 'nothing-here')[0] == 404
    assert sim.control.call('GET', 'reset')[0] == 404
    assert sim.control.call('POST', 'health', {})[0] == 404


def test_control_body_must_be_json(sim):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(sim.url + '/_sim/faults', data=b'{not json', method='POST')
    with pytest.raises(urllib.error.HTTPError) as info:
        opener.open(request, timeout=5)
    assert info.value.code == 400


def test_call_log(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds=30)
    client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_ids=['eni-sim-free-01', 'eni-sim-free-02']))
    client.describe_instances(ens_models.DescribeInstancesRequest(instance_ids='["i-sim-run-01"]'))
    client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-01', 'i-sim-run-02']))
    with pytest.raises(TeaException):
        client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-run-01', network_interface_id='eni-sim-free-01'))
    sim.control.state()
    sim.control.call('GET', 'health')
    summary = sim.control.calls()
    calls = summary['calls']
    assert [call['seq'] for call in calls] == [1, 2, 3, 4]
    assert all(set(call) >= CALL_KEYS for call in calls)
    assert calls[0]['params'] == {'NetworkInterfaceIds.1': 'eni-sim-free-01', 'NetworkInterfaceIds.2': 'eni-sim-free-02'}
    assert calls[1]['params'] == {'InstanceIds': '["i-sim-run-01"]'}
    assert calls[2]['params'] == {'InstanceIds': 'i-sim-run-01,i-sim-run-02'}
    assert [(call['action'], call['status'], call['code'], call['mutating'], call['effect']) for call in calls] == [
        ('DescribeNetworkInterfaces', 200, None, False, False),
        ('DescribeInstances', 200, None, False, False),
        ('StopInstances', 200, None, True, True),
        ('AttachNetworkInterface', 400, 'InvalidOperation.InvalidEnsStatus', True, False),
    ]
    assert len({call['request_id'] for call in calls}) == 4
    assert all(calls[i]['time'] <= calls[i + 1]['time'] for i in range(3))
    assert summary['counts'] == {'DescribeNetworkInterfaces': 1, 'DescribeInstances': 1, 'StopInstances': 1, 'AttachNetworkInterface': 1}
    assert summary['mutating'] == 2 and summary['effects'] == 1
    assert sim.control.call('GET', '/_sim/calls?action=StopInstances')[1]['counts'] == {'StopInstances': 1}
    assert [call['seq'] for call in sim.control.call('GET', '/_sim/calls?since=2')[1]['calls']] == [3, 4]
    sim.control.clear_calls()
    assert sim.control.calls() == {'calls': [], 'counts': {}, 'codes': {}, 'mutating': 0, 'effects': 0}


def test_call_log_request_id_matches_response(sim, client):
    response = client.describe_instances(ens_models.DescribeInstancesRequest())
    assert sim.control.calls()['calls'][-1]['request_id'] == response.body.request_id == response.headers['x-acs-request-id']


def test_call_log_file(ens_simulator_factory, ens_sdk_client_factory, tmp_path):
    path = tmp_path / 'calls.jsonl'
    handle = ens_simulator_factory('default', call_log=str(path))
    client = ens_sdk_client_factory(handle)
    client.describe_instances(ens_models.DescribeInstancesRequest())
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line['action'] for line in lines] == ['DescribeInstances', 'StopInstance']
    assert lines[1]['effect'] is True and lines[1]['params'] == {'InstanceId': 'i-sim-run-01'}


def test_state(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds=30)
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    state = sim.control.state()
    assert set(state) >= {'instances', 'network_interfaces', 'now'}
    assert len(state['instances']) == 5 and len(state['network_interfaces']) == 22
    run01 = state['instances']['i-sim-run-01']
    assert run01['Status'] == 'Stopping' and [entry[0] for entry in run01['history']] == ['Running', 'Stopping']
    assert run01['pending'][0][1] == 'Stopped'
    assert state['network_interfaces']['eni-sim-free-01']['InstanceId'] == ''


def test_reset_variants(sim, client):
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    sim.control.fail_next({'code': 'Throttling.User'})
    answer = sim.control.reset(fixture='demo', transition_seconds=0.05, faults={'seed': 1, 'latency_ms': 1})
    assert answer['instances'] == 3 and answer['network_interfaces'] == 10
    assert answer['transition_seconds'] == {'attach': 0.05, 'detach': 0.05, 'stop': 0.05, 'start': 0.05}
    assert sim.control.calls()['calls'] == [] and sim.control.call('GET', 'fail_next')[1] == {'fail_next': []}
    assert sim.control.call('GET', 'faults')[1]['faults']['latency_ms'] == 1
    assert [i.instance_name for i in client.describe_instances(ens_models.DescribeInstancesRequest()).body.instances.instance] == ['web-1', 'web-2', 'web-3']
    sim.control.reset(fleet={'generate': {'instances': 20, 'free_enis_per_instance': 2, 'ens_region_id': 'cn-hangzhou-telecom',
                                          'network_id': 'n-gen', 'status': 'Stopped'}})
    body = client.describe_instances(ens_models.DescribeInstancesRequest(page_size=100)).body
    assert [i.instance_id for i in body.instances.instance] == ['i-gen-%04d' % k for k in range(1, 21)]
    assert {i.status for i in body.instances.instance} == {'Stopped'}
    assert sim.control.call('GET', 'faults')[1]['faults']['latency_ms'] == 0
    sim.control.reset(fixture=FIXTURES_DIR + '/default.json')
    assert client.describe_instances(ens_models.DescribeInstancesRequest()).body.total_count == 5


@pytest.mark.parametrize('body', [{'fixture': 'no-such-fixture'}, {'fleet': {'instances': [{'InstanceId': 'i-1'}]}}, {'fleet': []},
                                  {'fixture': 'default', 'faults': {'throttling_rate': 5}}, {'fixture': 'default', 'transition_seconds': {'x': 1}}])
def test_bad_reset_keeps_state(sim, body):
    status, answer = sim.control.call('POST', 'reset', body)
    assert status == 400 and answer['error']
    assert len(sim.model.instances) == 5


def test_shutdown_endpoint(ens_simulator_factory):
    handle = ens_simulator_factory('default')
    assert handle.control.shutdown() == {'ok': True}
    handle.thread.join(timeout=5)
    assert not handle.thread.is_alive()


def test_demo_scenario(sim, client):
    """Replace each web instance's old ENI with its new one; the ENI of another network is refused."""
    sim.simulator.reset(fixture='demo', transition_seconds=0.05)

    def wait(check):
        deadline = time.time() + 10
        while not check():
            assert time.time() < deadline
            time.sleep(0.02)

    def eni_status(eni_id):
        body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_id=eni_id)).body
        return body.network_interface_sets.network_interface_set[0].status

    def instance_status(instance_id):
        return client.describe_instances(ens_models.DescribeInstancesRequest(instance_id=instance_id)).body.instances.instance[0].status

    for number in (1, 2, 3):
        instance_id = 'i-demo-web-%d' % number
        client.stop_instance(ens_models.StopInstanceRequest(instance_id=instance_id))
        wait(lambda: instance_status(instance_id) == 'Stopped')
        if number == 1:
            with pytest.raises(TeaException) as info:
                client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id=instance_id, network_interface_id='eni-demo-wrongnet'))
            assert info.value.code == 'InvalidOperation.NetworkMismatch'
        client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-demo-web-%d-old' % number))
        wait(lambda: eni_status('eni-demo-web-%d-old' % number) == 'Available')
        client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id=instance_id, network_interface_id='eni-demo-web-%d-new' % number))
        wait(lambda: eni_status('eni-demo-web-%d-new' % number) == 'InUse')
        client.start_instance(ens_models.StartInstanceRequest(instance_id=instance_id))
        wait(lambda: instance_status(instance_id) == 'Running')
        enis = client.describe_instances(ens_models.DescribeInstancesRequest(instance_id=instance_id)).body.instances.instance[0].network_interfaces
        assert [eni.network_interface_id for eni in enis.network_interfaces] == ['eni-demo-web-%d-primary' % number, 'eni-demo-web-%d-new' % number]
    assert eni_status('eni-demo-wrongnet') == 'Available'
