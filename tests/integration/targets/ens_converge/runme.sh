#!/usr/bin/env bash
# playbooks/converge.yml over an inventory of simulated instances: drift in check mode (reads only, exact
# report), converge, a rerun with nothing to do, a hand-attached ENI removed, the empty-set guard, the role's
# refusals, and the inventory plugin's compose example.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
work="${OUTPUT_DIR:-$(mktemp -d)}/ens_converge-$$"
mkdir -p "${work}"
export ANSIBLE_ROLES_PATH=..
export ANSIBLE_NOCOLOR=1
# A journal folder of this run's own: one left in ~/.ansible by another run must not steer these cases.
journal="eni_change_journal_dir=${work}/journal"
step() { ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "step=$1" ${2:+-e "report_path=$2"} check.yml; }
converge() { ansible-playbook alibabacloud.ens.converge -e "@${config}" -e "${journal}" --forks 5 "$@"; }

# 1. Drift in check mode: every host shows its current and desired sets, one summary, the JSON report.
step reset
converge -i inventory.yml -e target_hosts=converge_fleet -e "converge_report=${work}/drift.json" --check --diff \
    | tee "${work}/drift.out"
step drift "${work}/drift.json"
grep -F 'edge-1 (i-conv-1): current [eni-conv-1-a, eni-conv-1-x], desired [eni-conv-1-a, eni-conv-1-b]: detach [eni-conv-1-x], attach [eni-conv-1-b] (check mode: nothing changed)' "${work}/drift.out"
grep -F 'edge-2 (i-conv-2): current [eni-conv-2-a], desired [eni-conv-2-a]: in line' "${work}/drift.out"
grep -F 'edge-3 (i-conv-3): current [eni-conv-3-a], desired [eni-conv-3-a, eni-conv-3-b]: detach [], attach [eni-conv-3-b]' "${work}/drift.out"
grep -F 'edge-4: left alone: no host var ens_network_interface_ids' "${work}/drift.out"
grep -F 'Drift (check mode, nothing changed): 1 host(s) in line, 2 drifted, 1 skipped, 0 failed' "${work}/drift.out"
grep -F 'skipped edge-4: no host var ens_network_interface_ids' "${work}/drift.out"

# 2. Converge in batches of two, then a rerun: no mutating call and changed=0 on every host.
step clear
converge -i inventory.yml -e target_hosts=converge_fleet -e "converge_report=${work}/converge.json" -e batch_size=2
step converged "${work}/converge.json"
step clear
converge -i inventory.yml -e target_hosts=converge_fleet -e "converge_report=${work}/rerun.json" | tee "${work}/rerun.out"
step rerun "${work}/rerun.json"
grep -E '^edge-[1-4] +: ok=' "${work}/rerun.out"
if grep -E ': ok=.* changed=[1-9]' "${work}/rerun.out"; then echo "the rerun changed something" >&2; exit 1; fi

# 3. An ENI attached by hand to the stopped instance is detected and detached.
step hand_attach
step clear
converge -i inventory.yml -e target_hosts=converge_fleet -e "converge_report=${work}/hand.json"
step hand_removed "${work}/hand.json"

# 4. The empty-set guard: a blank declared set is refused (the run fails, the report says why), then allowed.
step clear
if converge -i inventory.yml -e target_hosts=converge_empty -e "converge_report=${work}/empty.json" \
        > "${work}/empty.out"; then
    echo "a blank declared set without allow_empty did not fail the run" >&2; exit 1
fi
grep -F '2 host(s) failed: edge-5, edge-6' "${work}/empty.out"
step empty_refused "${work}/empty.json"
# In batches of one, the first batch failing whole stops the later ones, as in the other playbooks.
if converge -i inventory.yml -e target_hosts=converge_empty -e batch_size=1 -e "converge_report=${work}/stopped.json" \
        > "${work}/stopped.out"; then
    echo "a blank declared set without allow_empty did not fail the run" >&2; exit 1
fi
step batch_stopped "${work}/stopped.json"
converge -i inventory.yml -e target_hosts=converge_empty -e allow_empty=true -e "converge_report=${work}/allowed.json"
step empty_allowed "${work}/allowed.json"

# A role option given as an extra var that would override the declared set is refused, before any API call.
step clear
if converge -i inventory.yml -e target_hosts=edge-2 -e eni_change_exclusive=false -e "converge_report=${work}/override.json" \
        > "${work}/override.out"; then
    echo "eni_change_exclusive=false as an extra var did not fail the run" >&2; exit 1
fi
step override_refused "${work}/override.json"

# 5. The role refuses exclusive mode with eni_change_detach, and an unconfirmed empty set, before any API call.
ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "${journal}" role_cases.yml

# 6. The README's compose example: the plugin declares each instance's current set, sources/host_vars/conv-1.yml
# declares another set for conv-1, which drifts.
eval "$(python - "${config}" <<'PY'
import shlex, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for name, key in (("ALIBABA_CLOUD_ENS_ENDPOINT", "ens_endpoint"), ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ens_access_key_id"),
                  ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ens_access_key_secret")):
    print("export %s=%s" % (name, shlex.quote(c[key])))
PY
)"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true ANSIBLE_INVENTORY_UNPARSED_FAILED=true
step clear
converge -i sources/baseline.ens.yml -e "converge_report=${work}/baseline.json" --check
step baseline "${work}/baseline.json"
