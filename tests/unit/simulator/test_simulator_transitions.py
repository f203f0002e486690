"""Timed transitions: lazily resolved, configurable per kind, mid-transition fixture entries, histories."""

import time

import pytest

from alibabacloud_ens20171110 import models as ens_models
from sim_testing import eni_read, wait_for

MID_TRANSITION_FLEET = {
    'transition_seconds': {'attach': 0.3, 'detach': 0.3, 'stop': 0.3, 'start': 0.3},
    'instances': [
        {'InstanceId': 'i-a', 'Status': 'Stopped', 'EnsRegionId': 'r-1', 'NetworkId': 'n-1'},
        {'InstanceId': 'i-stopping', 'Status': 'Stopping', 'TransitionRemaining': 0.1, 'EnsRegionId': 'r-1', 'NetworkId': 'n-1'},
        {'InstanceId': 'i-starting', 'Status': 'Starting', 'TransitionRemaining': 0.15, 'EnsRegionId': 'r-1', 'NetworkId': 'n-1'},
    ],
    'network_interfaces': [
        {'NetworkInterfaceId': 'eni-attaching', 'Status': 'Attaching', 'InstanceId': 'i-a', 'TransitionRemaining': 0.1},
        {'NetworkInterfaceId': 'eni-detaching', 'Status': 'Detaching', 'InstanceId': 'i-a', 'TransitionRemaining': 0.05},
        {'NetworkInterfaceId': 'eni-default-time', 'Status': 'Attaching', 'InstanceId': 'i-a'},
        {'NetworkInterfaceId': 'eni-stuck', 'Status': 'Detaching', 'InstanceId': 'i-a', 'TransitionRemaining': -1},
    ],
}


def instance_status(client, instance_id):
    body = client.describe_instances(ens_models.DescribeInstancesRequest(instance_id=instance_id)).body
    return body.instances.instance[0].status


def history(sim, kind, resource_id):
    return sim.model.state()[kind][resource_id]['history']


def test_attach_is_attaching_then_in_use_after_the_configured_time(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds={'attach': 0.5})
    started = time.time()
    client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    finished = time.time()
    attaching_since = history(sim, 'network_interfaces', 'eni-sim-free-01')[-1][1]
    assert started <= attaching_since <= finished
    seen = []
    while time.time() < attaching_since + 0.3:
        seen.append(eni_read(client, 'eni-sim-free-01'))
        time.sleep(0.02)
    assert seen and all(answer[1] == 'i-sim-stop-01' for answer in seen)
    assert wait_for(lambda: eni_read(client, 'eni-sim-free-01') == ('InUse', 'i-sim-stop-01'))
    assert time.time() >= attaching_since + 0.5
    (first, _loaded), (second, since), (third, in_use_since) = history(sim, 'network_interfaces', 'eni-sim-free-01')
    assert (first, second, third) == ('Available', 'Attaching', 'InUse') and since == attaching_since
    assert in_use_since - attaching_since == pytest.approx(0.5, abs=1e-6)
    # each answer matches the time the server handled it: Attaching before the due time, InUse from then on
    calls = [call for call in sim.control.calls()['calls'] if call['action'] == 'DescribeNetworkInterfaces']
    for call, answer in zip(calls, seen):
        if answer[0] == 'Attaching':
            assert call['time'] < in_use_since + 0.01
        else:
            assert answer[0] == 'InUse' and call['time'] >= in_use_since
    assert seen[0][0] == 'Attaching' or calls[0]['time'] >= in_use_since


def test_detach_timing_and_instance_id_cleared(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds={'detach': 0.1})
    client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert wait_for(lambda: eni_read(client, 'eni-sim-stop-01-s1') == ('Available', ''))
    (first, _t1), (second, detaching_since), (third, available_since) = history(sim, 'network_interfaces', 'eni-sim-stop-01-s1')
    assert (first, second, third) == ('InUse', 'Detaching', 'Available')
    assert available_since - detaching_since == pytest.approx(0.1, abs=1e-6)


def test_per_kind_times_for_stop_start_and_reboot(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds={'stop': 0.05, 'start': 0.15})
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    client.reboot_instance(ens_models.RebootInstanceRequest(instance_id='i-sim-run-02'))
    assert wait_for(lambda: instance_status(client, 'i-sim-run-01') == 'Stopped')
    client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-run-01'))
    assert wait_for(lambda: instance_status(client, 'i-sim-run-01') == 'Running')
    assert wait_for(lambda: instance_status(client, 'i-sim-run-02') == 'Running')
    steps = history(sim, 'instances', 'i-sim-run-02')
    assert [status for status, _since in steps] == ['Running', 'Starting', 'Running']
    assert steps[2][1] - steps[1][1] == pytest.approx(0.15, abs=1e-6)
    steps = history(sim, 'instances', 'i-sim-run-01')
    assert [status for status, _since in steps] == ['Running', 'Stopping', 'Stopped', 'Starting', 'Running']
    assert steps[2][1] - steps[1][1] == pytest.approx(0.05, abs=1e-6)
    assert steps[4][1] - steps[3][1] == pytest.approx(0.15, abs=1e-6)


def test_mid_transition_fixture_entries(sim, client):
    sim.simulator.reset(fleet=MID_TRANSITION_FLEET)
    state = sim.model.state()
    loaded = state['instances']['i-a']['history'][0][1]
    expected = {
        'eni-attaching': ('Attaching', 'InUse', 0.1),
        'eni-detaching': ('Detaching', 'Available', 0.05),
        'eni-default-time': ('Attaching', 'InUse', 0.3),
    }
    for eni_id, (initial, target, delay) in expected.items():
        assert state['network_interfaces'][eni_id]['history'][0] == [initial, loaded]
        assert state['network_interfaces'][eni_id]['pending'] == [[pytest.approx(loaded + delay, abs=1e-6), target]] or \
            state['network_interfaces'][eni_id]['Status'] == target
    assert state['instances']['i-stopping']['history'][0] == ['Stopping', loaded]
    assert state['instances']['i-starting']['history'][0] == ['Starting', loaded]
    assert wait_for(lambda: eni_read(client, 'eni-default-time') == ('InUse', 'i-a'))
    assert eni_read(client, 'eni-attaching') == ('InUse', 'i-a')
    assert eni_read(client, 'eni-detaching') == ('Available', '')
    assert instance_status(client, 'i-stopping') == 'Stopped'
    assert instance_status(client, 'i-starting') == 'Running'
    final = sim.model.state()
    for eni_id, (initial, target, delay) in expected.items():
        assert final['network_interfaces'][eni_id]['history'] == [[initial, loaded], [target, pytest.approx(loaded + delay, abs=1e-6)]]
    assert final['instances']['i-stopping']['history'] == [['Stopping', loaded], ['Stopped', pytest.approx(loaded + 0.1, abs=1e-6)]]
    assert final['instances']['i-starting']['history'] == [['Starting', loaded], ['Running', pytest.approx(loaded + 0.15, abs=1e-6)]]
    assert eni_read(client, 'eni-stuck') == ('Detaching', 'i-a')
    assert final['network_interfaces']['eni-stuck']['pending'] == [[None, 'Available']]


def test_default_fixture_mid_attach_entry(sim):
    state = sim.model.state()['network_interfaces']['eni-sim-attaching-01']
    assert state['InstanceId'] == 'i-sim-stop-02'
    assert state['history'][0][0] == 'Attaching'
    due = state['history'][0][1] + 1.0
    assert state['pending'] == [[pytest.approx(due, abs=1e-6), 'InUse']] or state['history'][1] == ['InUse', pytest.approx(due, abs=1e-6)]


def test_zero_transition_time_completes_on_next_read(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds=0)
    client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-02'))
    assert eni_read(client, 'eni-sim-free-02') == ('InUse', 'i-sim-stop-01')
    assert [status for status, _since in history(sim, 'network_interfaces', 'eni-sim-free-02')] == ['Available', 'Attaching', 'InUse']


def test_transition_control_changes_later_operations(sim, client):
    sim.simulator.reset(fixture='default', transition_seconds=30)
    answer = sim.control.set_transition({'stop': 0.05})
    assert answer['transition_seconds'] == {'attach': 30.0, 'detach': 30.0, 'stop': 0.05, 'start': 30.0}
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert wait_for(lambda: instance_status(client, 'i-sim-run-01') == 'Stopped')
    client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-run-01'))
    assert instance_status(client, 'i-sim-run-01') == 'Starting'
    steps = history(sim, 'instances', 'i-sim-run-01')
    assert steps[2][1] - steps[1][1] == pytest.approx(0.05, abs=1e-6)
    assert sim.model.state()['instances']['i-sim-run-01']['pending'][0][0] - steps[3][1] == pytest.approx(30.0, abs=1e-6)


def test_set_status_puts_resources_mid_transition(sim, client):
    sim.control.set_status('i-sim-run-01', 'Stopping', 0.05)
    sim.control.set_status('eni-sim-free-03', 'Attaching', 0.05, instance_id='i-sim-stop-01')
    sim.control.set_status('i-sim-run-02', 'Expired')
    sim.control.set_status('i-sim-stop-01', 'Starting', 30)
    assert instance_status(client, 'i-sim-stop-01') == 'Starting'
    assert wait_for(lambda: instance_status(client, 'i-sim-run-01') == 'Stopped')
    assert wait_for(lambda: eni_read(client, 'eni-sim-free-03') == ('InUse', 'i-sim-stop-01'))
    assert instance_status(client, 'i-sim-run-02') == 'Expired'
    steps = history(sim, 'instances', 'i-sim-run-01')
    assert [status for status, _since in steps] == ['Running', 'Stopping', 'Stopped']
    assert steps[2][1] - steps[1][1] == pytest.approx(0.05, abs=1e-6)
    assert [status for status, _since in history(sim, 'network_interfaces', 'eni-sim-free-03')] == ['Available', 'Attaching', 'InUse']
    sim.control.set_status('eni-sim-free-03', 'Available')
    assert eni_read(client, 'eni-sim-free-03') == ('Available', '')


def test_set_status_rejects_inconsistent_requests(sim):
    status, body = sim.control.call('POST', 'set_status', {'id': 'eni-sim-free-01', 'Status': 'InUse'})
    assert status == 400 and 'InstanceId' in body['error']
    status, body = sim.control.call('POST', 'set_status', {'id': 'eni-sim-free-01', 'Status': 'InUse', 'InstanceId': 'i-nope'})
    assert status == 400
    status, body = sim.control.call('POST', 'set_status', {'id': 'i-nope', 'Status': 'Running'})
    assert status == 404
    assert sim.model.state()['network_interfaces']['eni-sim-free-01']['Status'] == 'Available'


def test_a_countdown_that_starts_at_the_next_api_call_waits_for_it_however_late_it_comes(sim, client):
    sim.simulator.reset(fixture='default')
    sim.control.set_status('i-sim-run-01', 'Stopping', 0.3, at_next_call=True)
    set_at = history(sim, 'instances', 'i-sim-run-01')[-1][1]
    time.sleep(0.5)  # longer than the countdown: with no API call yet, the instance must still be Stopping
    assert sim.model.state()['instances']['i-sim-run-01']['Status'] == 'Stopping'
    first_read = time.time()
    assert instance_status(client, 'i-sim-run-01') == 'Stopping'
    assert wait_for(lambda: instance_status(client, 'i-sim-run-01') == 'Stopped')
    (status, stopped_at) = history(sim, 'instances', 'i-sim-run-01')[-1]
    assert status == 'Stopped' and stopped_at - first_read == pytest.approx(0.3, abs=0.1) and stopped_at - set_at > 0.75
