#!/usr/bin/env bash
# Run `ansible-test integration` in the staged collection against the simulator at $ENS_SIM_URL.
# Meant to be wrapped by hacking/with_simulator.sh (see `make integration`).
#
# Usage: ENS_SIM_URL=http://127.0.0.1:PORT hacking/run_integration.sh [TARGET...] [-- ansible-test options]
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
staged="${ENS_BUILD_DIR:-$src/.build}/ansible_collections/alibabacloud/ens"

: "${ENS_SIM_URL:?ENS_SIM_URL is not set: run this through hacking/with_simulator.sh}"

if [ ! -f "$staged/galaxy.yml" ]; then
    echo "run_integration.sh: no staged collection at $staged (run hacking/stage_collection.sh)" >&2
    exit 1
fi

# ansible-test strips the environment: settings reach the targets as extra vars from this file.
cat > "$staged/tests/integration/integration_config.yml" <<EOF
---
ens_endpoint: "$ENS_SIM_URL"
ens_sim_url: "$ENS_SIM_URL"
ens_access_key_id: LTAIsimulatorKey0001
ens_access_key_secret: simSecret-Q7v9Xk2pRt
ens_region_id: cn-tianjin-cmcc
EOF

cd "$staged"
# ansible-test's local inventory already sets ansible_python_interpreter to the python running
# it (the venv's, via the ansible-test entry point), so the modules find the SDK.
exec "${ENS_ANSIBLE_TEST:-$src/.venv/bin/ansible-test}" integration --local --python 3.11 "$@"
