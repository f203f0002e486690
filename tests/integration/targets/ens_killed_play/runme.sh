#!/usr/bin/env bash
# A swap killed right after its detach, then run again: the rerun finishes it from the journal, instance Running.
# Then a swap killed the same way, rerun asking only for the attach: the rerun puts the detached ENI back.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
url="$(sed -n 's/^ens_sim_url: *//p' "${config}" | tr -d "\"'")"
journal_dir="${OUTPUT_DIR:-$(mktemp -d)}/journal-$$"
py="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
# The simulator's control client, from the collection under test (ansible-test runs a copy of this target).
IFS=: read -r -a collection_paths <<< "${ANSIBLE_COLLECTIONS_PATH:-}"
sim_path="$(printf '%s/ansible_collections/alibabacloud/ens/tests/simulator:' "${collection_paths[@]}")"
sim() { PYTHONPATH="${sim_path}${PYTHONPATH:-}" "${py}" -m ens_simulator.control_client "${url}" "$@"; }
status() {  # status of a resource in the simulator, by id
    sim GET state | "${py}" -c \
        "import json,sys; s=json.load(sys.stdin); r={**s['instances'], **s['network_interfaces']}['$1']; print(r['Status'], r.get('InstanceId', ''))"
}

run_swap() {  # run_swap DETACH ATTACH
    ansible-playbook alibabacloud.ens.swap -i "${INVENTORY_PATH}" -e "@${config}" -e instance_id=i-kill-1 \
        -e "detach_network_interface_ids=$1" -e "attach_network_interface_ids=$2" -e "eni_change_journal_dir=${journal_dir}"
}

# Swap eni-kill-old for eni-kill-new in its own process group, killed with SIGKILL as soon as the detach is done.
kill_after_detach() {
    setsid bash -c "$(declare -f run_swap); INVENTORY_PATH='${INVENTORY_PATH}' config='${config}' journal_dir='${journal_dir}' \
        run_swap eni-kill-old eni-kill-new" > "${journal_dir}.$1.log" 2>&1 &
    local first=$!
    for _ in $(seq 1 600); do
        [ "$(status eni-kill-old)" = "Available " ] && break
        sleep 0.05
    done
    kill -9 -- "-${first}"
    wait "${first}" || true
    [ "$(status eni-kill-old)" = "Available " ]              # the kill came after the detach
    [ "$(status i-kill-1)" = "Stopped i-kill-1" ]             # and left the instance stopped
    [ "$(status eni-kill-new)" != "InUse i-kill-1" ]          # before the attach was done
    # The window's journal is behind, with what the rerun needs.
    "${py}" -c "import json,sys; j=json.load(open(sys.argv[1])); assert j == {'instance_id': 'i-kill-1', 'previous_status': 'Running',
        'to_detach': ['eni-kill-old'], 'to_attach': ['eni-kill-new']}, j" "${journal_dir}/i-kill-1.json"
    # Wait for anything the killed run's module had already sent to settle.
    sleep 2.5
}

# 1. The rerun asks for the same swap: it finishes it.
sim POST reset fleet.json > /dev/null
kill_after_detach first
run_swap eni-kill-old eni-kill-new
[ "$(status i-kill-1)" = "Running i-kill-1" ]
[ "$(status eni-kill-new)" = "InUse i-kill-1" ]
[ "$(status eni-kill-old)" = "Available " ]
[ ! -e "${journal_dir}/i-kill-1.json" ]              # closed once the instance was back

# A third run has nothing to do: no stop, no start.
sim POST calls/clear > /dev/null
run_swap eni-kill-old eni-kill-new
sim GET calls | "${py}" -c "import json,sys; c=json.load(sys.stdin); assert c['mutating'] == 0, c['counts']"

# 2. The rerun asks only to attach eni-kill-new: the ENI the killed window detached is attached again.
sim POST reset fleet.json > /dev/null
kill_after_detach second
run_swap "" eni-kill-new
[ "$(status i-kill-1)" = "Running i-kill-1" ]
[ "$(status eni-kill-new)" = "InUse i-kill-1" ]
[ "$(status eni-kill-old)" = "InUse i-kill-1" ]
[ ! -e "${journal_dir}/i-kill-1.json" ]
