#!/usr/bin/env bash
# The roles over the simulator: on localhost with vars, then over an inventory of instances with forks.
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
