#!/usr/bin/env bash
# make demo: swap ENIs on a small fleet of edge instances, against the local ENS API simulator.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
venv="$src/.venv/bin"
build="$src/.build/demo"
mkdir -p "$build/collections/ansible_collections/alibabacloud"
# Each demo starts a fresh simulator, so a maintenance-window journal from an earlier demo means nothing.
rm -rf "$build/journal"
ln -sfn "$src" "$build/collections/ansible_collections/alibabacloud/ens"

cat <<'TEXT'
== alibabacloud.ens demo ==========================================================================
An ENS (Edge Node Service) instance is a virtual machine at the network edge. Its elastic network
interfaces (ENIs) are its network cards: one primary, plus secondary ones you can move around.
ENS only attaches or detaches an ENI while the instance is stopped, so a change means downtime.

This demo runs playbooks/swap.yml over three running web servers. Each swaps its "old" secondary
ENI for a "new" one, in one stop/start window per server, all three in parallel. web-3 asks for an
ENI of another network: the role refuses that change before it stops anything.
Everything runs against the local ENS API simulator (tests/simulator), nothing reaches the cloud.
TEXT

# shellcheck disable=SC2016  # the inner script expands its own variables
"$src/hacking/with_simulator.sh" --fixture demo --state-dir "$build" -- bash -c '
set -euo pipefail
src="$1"; venv="$2"; build="$3"
# Transitions a little closer to the real cloud than the tests use.
"$venv/python" -c "import sys; sys.path.insert(0, sys.argv[1]); from ens_simulator import ControlClient
ControlClient(sys.argv[2]).set_transition({\"attach\": 1.0, \"detach\": 1.0, \"stop\": 2.0, \"start\": 3.0})" \
    "$src/tests/simulator" "$ENS_SIM_URL"
echo; echo "== Before ======================================================================================"
"$venv/python" "$src/hacking/demo/report.py" "$ENS_SIM_URL" before
echo; echo "== Running: ansible-playbook playbooks/swap.yml -i hacking/demo/inventory.yml -e target_hosts=ens_demo --forks 3 -e eni_change_journal_dir=.build/demo/journal"
set +e
ANSIBLE_COLLECTIONS_PATH="$build/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIsimulatorKey0001 ALIBABA_CLOUD_ACCESS_KEY_SECRET=simSecret-Q7v9Xk2pRt \
ALIBABA_CLOUD_ENS_ENDPOINT="$ENS_SIM_URL" ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
    "$venv/ansible-playbook" "$src/playbooks/swap.yml" -i "$src/hacking/demo/inventory.yml" \
    -e target_hosts=ens_demo -e ansible_python_interpreter="$venv/python" --forks 3 \
    -e eni_change_journal_dir="$build/journal" > "$build/playbook.log" 2>&1
rc=$?
set -e
grep -E "^(TASK|PLAY RECAP)|^(changed|ok|fatal|failed): \[|^(web-[0-9]) +:" "$build/playbook.log" | grep -v "Validating arguments" | sed "s/^/   /" | cut -c1-220
echo; echo "== After ======================================================================================="
"$venv/python" "$src/hacking/demo/report.py" "$ENS_SIM_URL" after
echo
if [ "$rc" -ne 0 ] && grep -q "InvalidOperation.NetworkMismatch" "$build/playbook.log" && ! grep -Eq "^web-[12] .*failed=[1-9]" "$build/playbook.log"; then
    echo "As expected, web-3 was refused (InvalidOperation.NetworkMismatch) and never stopped; web-1 and web-2 were swapped."
    echo "Full playbook output: $build/playbook.log"
    exit 0
fi
echo "Unexpected outcome (playbook exit $rc); see $build/playbook.log" >&2
exit 1
' demo "$src" "$venv" "$build"
