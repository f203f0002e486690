#!/usr/bin/env bash
# The roles over the simulator: on localhost with vars, then over an inventory of instances with forks, then in batch mode.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
export ANSIBLE_ROLES_PATH=..
# Journal folders of this run's own: one left in ~/.ansible by another run must not steer these cases.
root="${OUTPUT_DIR:-$(mktemp -d)}/roles-$$"
mkdir -p "${root}"
ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "journal_root=${root}" localhost_cases.yml "$@"
ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "journal_root=${root}" rollback_cases.yml "$@"
ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "journal_root=${root}" journal_cases.yml "$@"
ansible-playbook -i fleet_inventory.yml -e "@${config}" -e "eni_change_journal_dir=${root}/fleet" --forks 5 fleet_cases.yml "$@"
ansible-playbook -i batch_inventory.yml -e "@${config}" -e "eni_change_journal_dir=${root}/batch" --forks 5 batch_cases.yml "$@"
# converge.yml needs each host's plan (current and desired sets): the role's batch mode is refused before the role runs.
out="${root}/converge-batch.log"
if ansible-playbook alibabacloud.ens.converge -i fleet_inventory.yml -e "@${config}" -e "eni_change_journal_dir=${root}/converge" \
        -e ens_network_interface_ids=eni-fleet-1-new -e eni_change_batch=true "$@" > "${out}" 2>&1; then
    echo "converge.yml ran with eni_change_batch=true" >&2; exit 1
fi
grep -q "converge.yml runs the eni_change role per host; remove eni_change_batch=true" "${out}"
