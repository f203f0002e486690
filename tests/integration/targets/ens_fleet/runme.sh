#!/usr/bin/env bash
# playbooks/swap.yml over a generated inventory of 12 simulated instances, in batch mode (its default over an
# inventory): a swap and its idempotent rerun, refused hosts, a host failing after its stop, check mode, a killed
# play finished by its rerun, flow control on in the simulator, power_state=stopped; detach.yml then attach.yml.
# fleet.py holds the fleet and the checks.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
url="$(sed -n 's/^ens_sim_url: *//p' "${config}" | tr -d "\"'")"
work="${OUTPUT_DIR:-$(mktemp -d)}/ens_fleet-$$"
mkdir -p "${work}"
py="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
export ANSIBLE_NOCOLOR=1
"${py}" fleet.py inventory "${work}/inventory.yml"

swap() {  # swap CASE JOURNAL [ansible-playbook options]: the run's exit code, output and outcomes in WORK/CASE.*
    local case="$1" journal="$2" rc=0
    shift 2
    ansible-playbook -i "${work}/inventory.yml" -e "@${config}" -e "eni_change_journal_dir=${work}/journal-${journal}" \
        -e "outcomes_path=${work}/${case}.json" "$@" run.yml > "${work}/${case}.log" 2>&1 || rc=$?
    cat "${work}/${case}.log"
    echo "${rc}" > "${work}/${case}.rc"
}
check() { "${py}" fleet.py check "${url}" "$1" "${work}"; }
clear_calls() { "${py}" -c "import fleet, sys; fleet.control(sys.argv[1], 'POST', 'calls/clear')" "${url}"; }

# 1. A swap over every host, then the same swap again: nothing to do.
"${py}" fleet.py reset "${url}" swap
swap swap swap
check swap
clear_calls
swap rerun swap
check rerun

# 2. Two refused hosts (a new ENI in another network, an Expired instance): they alone fail, never stopped.
"${py}" fleet.py reset "${url}" refused
swap refused refused
check refused

# 3. One host's attach fails with a final error after its stop: it alone fails, rolled back and restarted.
"${py}" fleet.py reset "${url}" failing
swap failing failing
check failing

# 4. Check mode with diff: nothing changes, every host reports changed.
"${py}" fleet.py reset "${url}" check
"${py}" fleet.py snapshot "${url}" "${work}/check.before.json"
swap check check --check --diff
check check

# 5. A play killed once every instance is Stopped, then a rerun that finishes every window from the journals.
"${py}" fleet.py reset "${url}" killed
setsid bash -c "$(declare -f swap); work='${work}' config='${config}' swap killed killed" > /dev/null 2>&1 &
first=$!
"${py}" fleet.py wait-stopped "${url}"
# ansible-playbook, its workers (each in a session of its own) and the ens_eni_batch module process, all at once:
# a module left running would finish the window by itself.
"${py}" fleet.py kill-tree "${first}"
wait "${first}" || true
echo 137 > "${work}/killed.rc"
sleep 3  # let the transitions of the calls the killed run had made settle
check killed
clear_calls
swap killed_rerun killed
check killed_rerun

# 6. Flow control on: the simulator allows 8 calls/s. With the default ceiling (40/s) Throttling.User answers
# come and slow the run down without failing it; with a ceiling of 6/s none comes.
"${py}" fleet.py reset "${url}" throttled
swap throttled throttled
check throttled
"${py}" fleet.py reset "${url}" paced
swap paced paced -e eni_change_max_calls_per_second=6
check paced

# 7. detach.yml, then attach.yml over the same inventory: batch mode there too.
"${py}" fleet.py reset "${url}" detach
swap detach detach -e fleet_playbook=detach
check detach
clear_calls
swap attach attach -e fleet_playbook=attach
check attach

# 8. power_state=stopped leaves every changed instance Stopped; the host with nothing to change is not stopped.
"${py}" fleet.py reset "${url}" stopped
swap stopped stopped -e power_state=stopped
check stopped
