"""Read-after-write lag (behaviour ``read_lag``): reads of what an accepted call touched lag behind the truth.

Most tests drive the simulator with a hand-moved clock (near the real time, so signatures stay valid): the lag
windows are then exact and the tests deterministic whatever the machine's load.
"""

import time

import pytest

from alibabacloud_ens20171110 import models as ens_models
from Tea.exceptions import TeaException
from sim_testing import HandClock, eni_read

LONG = 30.0
LAG = 2.0


@pytest.fixture
def clock():
    return HandClock()


@pytest.fixture
def sim(ens_simulator_factory, clock):
    return ens_simulator_factory('default', transition_seconds=LONG, behaviours={'read_lag': LAG, 'seed': 4}, clock=clock)


def instance_read(client, instance_id):
    item = client.describe_instances(ens_models.DescribeInstancesRequest(instance_id=instance_id)).body.instances.instance[0]
    return item.status, [eni.network_interface_id for eni in item.network_interfaces.network_interfaces]


def stale(sim):
    return sim.control.state()['stale_views']


def test_attach_is_read_stale_then_true(sim, client, clock):
    started = clock.now
    client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    truth = sim.control.state()
    assert truth['network_interfaces']['eni-sim-free-01']['Status'] == 'Attaching'
    assert truth['network_interfaces']['eni-sim-free-01']['InstanceId'] == 'i-sim-stop-01'
    views = truth['stale_views']
    eni_until = views['network_interfaces']['eni-sim-free-01']['until']
    list_until = views['instances']['i-sim-stop-01']['NetworkInterfaces']['until']
    assert started < eni_until <= started + LAG and started < list_until <= started + LAG
    assert eni_until != list_until  # each touched view lags for its own random time
    assert views['network_interfaces']['eni-sim-free-01']['Status'] == 'Available'
    assert 'Status' not in views['instances']['i-sim-stop-01']  # the instance's status did not change

    # right after the call: the previous view, for the ENI, the filters and the instance's ENI list
    assert eni_read(client, 'eni-sim-free-01') == ('Available', '')
    by_instance = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(instance_id='i-sim-stop-01')).body
    assert 'eni-sim-free-01' not in [eni.network_interface_id for eni in by_instance.network_interface_sets.network_interface_set]
    by_status = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(status='Available')).body
    assert 'eni-sim-free-01' in [eni.network_interface_id for eni in by_status.network_interface_sets.network_interface_set]
    assert instance_read(client, 'i-sim-stop-01') == ('Stopped', ['eni-sim-stop-01-p', 'eni-sim-stop-01-s1'])

    # the rules use the truth: the ENI reads Available but a second attach is refused
    with pytest.raises(TeaException) as info:
        client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-01'))
    assert info.value.code == 'InvalidOperation.InvalidEniStatus'

    clock.now = min(eni_until, list_until) - 0.001
    assert eni_read(client, 'eni-sim-free-01') == ('Available', '')
    clock.now = max(eni_until, list_until)
    assert eni_read(client, 'eni-sim-free-01') == ('Attaching', 'i-sim-stop-01')
    assert instance_read(client, 'i-sim-stop-01') == ('Stopped', ['eni-sim-stop-01-p', 'eni-sim-stop-01-s1', 'eni-sim-free-01'])
    clock.now = started + LONG
    assert eni_read(client, 'eni-sim-free-01') == ('InUse', 'i-sim-stop-01')
    assert stale(sim) == {'network_interfaces': {}, 'instances': {}}


def test_detach_is_read_stale(sim, client, clock):
    client.detach_network_interface(ens_models.DetachNetworkInterfaceRequest(network_interface_id='eni-sim-stop-01-s1'))
    assert sim.control.state()['network_interfaces']['eni-sim-stop-01-s1']['Status'] == 'Detaching'
    assert eni_read(client, 'eni-sim-stop-01-s1') == ('InUse', 'i-sim-stop-01')
    clock.now += LAG
    assert eni_read(client, 'eni-sim-stop-01-s1') == ('Detaching', 'i-sim-stop-01')
    clock.now += LONG
    assert eni_read(client, 'eni-sim-stop-01-s1') == ('Available', '')
    assert instance_read(client, 'i-sim-stop-01')[1] == ['eni-sim-stop-01-p']


def test_stop_start_and_batch_are_read_stale(sim, client, clock):
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    client.stop_instances(ens_models.StopInstancesRequest(instance_ids=['i-sim-run-02', 'i-sim-stop-01']))
    assert instance_read(client, 'i-sim-run-01')[0] == 'Running'
    assert instance_read(client, 'i-sim-run-02')[0] == 'Running'
    running = client.describe_instances(ens_models.DescribeInstancesRequest(status='Running')).body
    assert [item.instance_id for item in running.instances.instance] == ['i-sim-run-01', 'i-sim-run-02']
    views = stale(sim)['instances']
    assert set(views) == {'i-sim-run-01', 'i-sim-run-02'}  # the refused stop of i-sim-stop-01 touched nothing
    # the truth refuses a start (Stopping), however the instance reads
    with pytest.raises(TeaException) as info:
        client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-run-01'))
    assert info.value.code == 'IncorrectInstanceStatus'
    clock.now += LAG
    assert instance_read(client, 'i-sim-run-01')[0] == 'Stopping'
    clock.now += LONG
    assert instance_read(client, 'i-sim-run-01')[0] == 'Stopped'
    client.start_instance(ens_models.StartInstanceRequest(instance_id='i-sim-run-01'))
    assert instance_read(client, 'i-sim-run-01')[0] == 'Stopped'
    clock.now += LAG
    assert instance_read(client, 'i-sim-run-01')[0] == 'Starting'


def test_reboot_is_read_stale(sim, client, clock):
    client.reboot_instance(ens_models.RebootInstanceRequest(instance_id='i-sim-run-01'))
    assert sim.control.state()['instances']['i-sim-run-01']['Status'] == 'Starting'
    assert instance_read(client, 'i-sim-run-01')[0] == 'Running'
    clock.now += LAG
    assert instance_read(client, 'i-sim-run-01')[0] == 'Starting'


def test_lag_draws_are_seeded(ens_simulator_factory, ens_sdk_client_factory, clock):
    windows = []
    for seed in (4, 4, 5):
        handle = ens_simulator_factory('default', transition_seconds=LONG, behaviours={'read_lag': LAG, 'seed': seed}, clock=clock)
        ens_sdk_client_factory(handle).stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
        windows.append(handle.control.state()['stale_views']['instances']['i-sim-run-01']['Status']['until'] - clock.now)
    assert windows[0] == windows[1] != windows[2]
    assert all(0 < window <= LAG for window in windows)


def test_no_lag_by_default(ens_simulator_fresh, ens_sdk_client_factory):
    client = ens_sdk_client_factory(ens_simulator_fresh)
    ens_simulator_fresh.simulator.reset(fixture='default', transition_seconds=LONG)
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert instance_read(client, 'i-sim-run-01')[0] == 'Stopping'
    assert ens_simulator_fresh.control.state()['stale_views'] == {'network_interfaces': {}, 'instances': {}}


def test_lost_answer_still_lags(sim, client):
    sim.control.set_faults({'lost_answer_rate': 1.0})
    with pytest.raises(TeaException) as info:
        client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert info.value.code == 'InternalError'
    assert instance_read(client, 'i-sim-run-01')[0] == 'Running'
    assert sim.control.state()['instances']['i-sim-run-01']['Status'] == 'Stopping'


def test_set_status_shows_its_truth_at_once(sim, client):
    client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-run-01'))
    assert instance_read(client, 'i-sim-run-01')[0] == 'Running'
    sim.control.set_status('i-sim-run-01', 'Stopped')
    assert instance_read(client, 'i-sim-run-01')[0] == 'Stopped'


def test_lag_with_the_real_clock(ens_simulator_factory, ens_sdk_client_factory):
    """Stale answers come first, the truth only after the window's end, and the truth shows in the end."""
    handle = ens_simulator_factory('default', transition_seconds={'attach': 0.2}, behaviours={'read_lag': 0.4, 'seed': 2})
    client = ens_sdk_client_factory(handle)
    client.attach_network_interface(ens_models.AttachNetworkInterfaceRequest(instance_id='i-sim-stop-01', network_interface_id='eni-sim-free-02'))
    until = handle.control.state()['stale_views']['network_interfaces']['eni-sim-free-02']['until']
    answers = [eni_read(client, 'eni-sim-free-02')]
    while answers[-1][0] != 'InUse':
        time.sleep(0.02)
        answers.append(eni_read(client, 'eni-sim-free-02'))
    calls = [call for call in handle.control.calls()['calls'] if call['action'] == 'DescribeNetworkInterfaces']
    assert len(calls) == len(answers)
    stale_answers = [answer for answer in answers if answer == ('Available', '')]
    # stale answers first, then the truth; an answer showing the truth was handled after the window's end
    assert answers[:len(stale_answers)] == stale_answers
    for call, answer in zip(calls[len(stale_answers):], answers[len(stale_answers):]):
        assert call['time'] >= until and answer[1] == 'i-sim-stop-01' and answer[0] in ('Attaching', 'InUse')
