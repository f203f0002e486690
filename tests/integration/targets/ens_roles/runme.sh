#!/usr/bin/env bash
# The roles over the simulator: on localhost with vars, then over an inventory of instances with forks.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
export ANSIBLE_ROLES_PATH=..
ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" localhost_cases.yml "$@"
ansible-playbook -i fleet_inventory.yml -e "@${config}" --forks 5 fleet_cases.yml "$@"
