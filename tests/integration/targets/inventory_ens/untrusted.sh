#!/usr/bin/env bash
# API data is data, never a template, on the ansible-core on PATH (2.19 under `make integration`, 2.16 under
# `make security-compat`): instances named like `{{ lookup('pipe', 'touch ...') }}`, one named localhost, two
# sharing a name, one named like another's id. Usage: untrusted.sh INTEGRATION_CONFIG WORK_DIR
# (the ALIBABA_CLOUD_* environment of runme.sh set).
set -eux
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="$1"
work="$2"
check() { python "${here}/check.py" "${config}" "$@"; }

# Each payload would create a file named after the value it hides in; the folder must stay empty.
export ENS_PWNED_DIR="${work}/pwned"
rm -rf "${ENS_PWNED_DIR}"
mkdir -p "${ENS_PWNED_DIR}"
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true

ansible --version | sed -n 1p
# Control: the same payload written by the user (a trusted template) does run, so the checks below can fail.
ansible localhost -i localhost, -c local -m ansible.builtin.debug -a "msg=$(check payload control)"
test -e "${ENS_PWNED_DIR}/control"
rm "${ENS_PWNED_DIR}/control"

check reset-untrusted
ansible-inventory -i "${here}/sources/untrusted.ens.yml" --list --output "${work}/untrusted.json" 2> "${work}/untrusted-inventory.err"
cat "${work}/untrusted-inventory.err" >&2
check list-untrusted "${work}/untrusted.json" "${work}/untrusted-inventory.err"
check untrusted-after "${ENS_PWNED_DIR}"

ansible-playbook -i "${here}/sources/untrusted.ens.yml" "${here}/untrusted.yml" > "${work}/untrusted-play.out"
cat "${work}/untrusted-play.out"
check untrusted-after "${ENS_PWNED_DIR}" "${work}/untrusted-play.out"
