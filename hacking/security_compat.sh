#!/usr/bin/env bash
# The security checks of the inventory plugin on an older ansible-core (default: the oldest the collection
# claims, 2.16), where a string that is not marked unsafe runs as a template:
#   1. the inventory unit tests (tests/unit/plugins/inventory) under that core's ansible-test;
#   2. tests/integration/targets/inventory_ens/untrusted.sh: ansible-inventory and ansible-playbook of that
#      core against the simulator, with instances whose names are templates that would create files.
#
# Usage: hacking/security_compat.sh [ANSIBLE_CORE_SPEC]     (default "ansible-core>=2.16,<2.17")
# The core gets its own venv in $ENS_BUILD_DIR/core-<version> (made once, from PyPI, with requirements.txt),
# and the collection its own staged copy, so this runs beside `make units` or `make integration`.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
build="${ENS_BUILD_DIR:-$src/.build}"
spec="${1:-ansible-core>=2.16,<2.17}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
name="$(printf '%s' "$spec" | sed -e 's/[^0-9.,<>=]//g' -e 's/[^0-9.]\{1,\}/_/g' -e 's/^_//' -e 's/_$//')"
venv="$build/core-$name"
stage="$build/security-compat-$name"

# A venv per core spec; rebuilt when requirements.txt changes (the stamp holds its checksum).
stamp="$venv/.security-compat"
want="$spec $(sha256sum "$src/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/ansible" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "security-compat: creating $venv with $spec"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$spec" -r "$src/requirements.txt" pytest pytest-xdist pytest-mock
    printf '%s' "$want" > "$stamp"
fi
"$venv/bin/ansible" --version | sed -n 1p

"$src/hacking/stage_collection.sh" "$stage"
staged="$stage/ansible_collections/alibabacloud/ens"

echo "--- security-compat: inventory unit tests"
(cd "$staged" && "$venv/bin/ansible-test" units --local --python 3.11 tests/unit/plugins/inventory/)

echo "--- security-compat: untrusted API data through ansible-inventory and ansible-playbook"
work="$stage/untrusted"
rm -rf "$work"
mkdir -p "$work"
# shellcheck disable=SC2016  # expanded by the inner shell, once the simulator is up
ENS_BUILD_DIR="$stage" "$src/hacking/with_simulator.sh" --state-dir "$stage/sim" -- env \
    PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$stage" ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
    ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIsimulatorKey0001 ALIBABA_CLOUD_ACCESS_KEY_SECRET=simSecret-Q7v9Xk2pRt \
    bash -c 'set -eu
        export ALIBABA_CLOUD_ENS_ENDPOINT="$ENS_SIM_URL"
        printf "ens_sim_url: \"%s\"\n" "$ENS_SIM_URL" > "$1/config.yml"
        bash "$2/tests/integration/targets/inventory_ens/untrusted.sh" "$1/config.yml" "$1"' \
    security-compat "$work" "$staged"
echo "security-compat: $("$venv/bin/ansible" --version | sed -n 1p): API data stayed data"
