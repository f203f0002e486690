#!/usr/bin/env bash
# The roles over the simulator: on localhost with vars, then over an inventory of instances with forks.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
export ANSIBLE_ROLES_PATH=..
# A journal folder of this run's own: one left in ~/.ansible by another run must not steer these cases.
journal="eni_change_journal_dir=${OUTPUT_DIR:-$(mktemp -d)}/journal-$$"
ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "${journal}" localhost_cases.yml "$@"
ansible-playbook -i fleet_inventory.yml -e "@${config}" -e "${journal}" --forks 5 fleet_cases.yml "$@"
