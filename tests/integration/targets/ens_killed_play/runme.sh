#!/usr/bin/env bash
# A play killed right after the instance was stopped, then run again: it converges, instance Running.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
url="$(sed -n 's/^ens_sim_url: *//p' "${config}" | tr -d "\"'")"
journal_dir="${OUTPUT_DIR:-$(mktemp -d)}/journal-$$"
py="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
status() {  # status of a resource in the simulator, by id
    "${py}" sim.py "${url}" GET state | "${py}" -c \
        "import json,sys; s=json.load(sys.stdin); r={**s['instances'], **s['network_interfaces']}['$1']; print(r['Status'], r.get('InstanceId', ''))"
}
"${py}" sim.py "${url}" POST reset fleet.json > /dev/null

run_attach() {
    ansible-playbook alibabacloud.ens.attach -i "${INVENTORY_PATH}" -e "@${config}" \
        -e instance_id=i-kill-1 -e network_interface_ids=eni-kill-new -e "eni_change_journal_dir=${journal_dir}"
}

# First run, in its own process group, killed with SIGKILL as soon as the instance is Stopped.
setsid bash -c "$(declare -f run_attach); INVENTORY_PATH='${INVENTORY_PATH}' config='${config}' journal_dir='${journal_dir}' run_attach" \
    > "${journal_dir}.first.log" 2>&1 &
first=$!
for _ in $(seq 1 300); do
    [ "$(status i-kill-1)" = "Stopped i-kill-1" ] && break
    sleep 0.05
done
kill -9 -- "-${first}"
wait "${first}" || true
[ "$(status i-kill-1)" = "Stopped i-kill-1" ]              # the kill left the instance stopped
[ -f "${journal_dir}/i-kill-1.json" ]                # and the window's journal behind
grep -q '"previous_status": "Running"' "${journal_dir}/i-kill-1.json"

# Wait for anything the killed run's module had already sent to settle, then run again.
sleep 2.5
run_attach
[ "$(status i-kill-1)" = "Running i-kill-1" ]
[ "$(status eni-kill-new)" = "InUse i-kill-1" ]
[ ! -e "${journal_dir}/i-kill-1.json" ]              # closed once the instance was back

# A third run has nothing to do: no stop, no start.
"${py}" sim.py "${url}" POST calls/clear > /dev/null
run_attach
"${py}" sim.py "${url}" GET calls | "${py}" -c "import json,sys; c=json.load(sys.stdin); assert c['mutating'] == 0, c['counts']"
