#!/usr/bin/env bash
# Run a command while the local ENS API simulator (tests/simulator) is serving.
#
# Usage: hacking/with_simulator.sh [--fixture NAME] [--state-dir DIR] -- COMMAND [ARGS...]
#        hacking/with_simulator.sh [--fixture NAME] [--port N] --foreground
#
# Starts `python -m ens_simulator --port 0 --fixture NAME --read-lag S --url-file DIR/sim.url
# --pid-file DIR/sim.pid` in the background, waits for the URL file, exports
# ENS_SIM_URL=<url> and runs COMMAND.  The simulator is always stopped afterwards and
# COMMAND's exit status is returned.  --foreground prints the URL and keeps serving until
# interrupted.  Proxy variables are cleared so loopback traffic never goes through a proxy.
# The simulator runs with a read-after-write lag of ENS_SIM_READ_LAG seconds (default 0.5, as a real
# cloud's reads lag its writes); ENS_SIM_READ_LAG=0 turns it off.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
py="${ENS_PYTHON:-$src/.venv/bin/python}"
fixture=default
port=0
state_dir="${ENS_BUILD_DIR:-$src/.build}"
foreground=false
read_lag="${ENS_SIM_READ_LAG:-0.5}"

while [ $# -gt 0 ]; do
    case "$1" in
        --fixture) fixture="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --state-dir) state_dir="$2"; shift 2 ;;
        --foreground) foreground=true; shift ;;
        --) shift; break ;;
        *) echo "with_simulator.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

if ! $foreground && [ $# -eq 0 ]; then
    echo "with_simulator.sh: no command given" >&2
    exit 2
fi
if [ ! -d "$src/tests/simulator/ens_simulator" ]; then
    echo "with_simulator.sh: the simulator package tests/simulator/ens_simulator is missing" >&2
    exit 1
fi

unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

mkdir -p "$state_dir"
url_file="$state_dir/sim.url"
pid_file="$state_dir/sim.pid"
log_file="$state_dir/sim.log"
rm -f "$url_file" "$pid_file"

PYTHONPATH="$src/tests/simulator${PYTHONPATH:+:$PYTHONPATH}" \
    "$py" -m ens_simulator --port "$port" --fixture "$fixture" --read-lag "$read_lag" \
    --url-file "$url_file" --pid-file "$pid_file" >"$log_file" 2>&1 </dev/null &
sim_pid=$!

# shellcheck disable=SC2329  # called from the EXIT trap
stop_simulator() {
    if kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$sim_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$sim_pid" 2>/dev/null || true
    fi
    wait "$sim_pid" 2>/dev/null || true
    rm -f "$url_file" "$pid_file"
}
trap 'rc=$?; stop_simulator; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ready=false
for _ in $(seq 1 300); do
    if [ -s "$url_file" ] && grep -qE '^(https?://)?[^[:space:]]+:[0-9]+' "$url_file"; then
        ready=true
        break
    fi
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "with_simulator.sh: the simulator exited before writing $url_file; its log:" >&2
        cat "$log_file" >&2
        exit 1
    fi
    sleep 0.1
done
if ! $ready; then
    echo "with_simulator.sh: the simulator did not write $url_file within 30 s; its log:" >&2
    cat "$log_file" >&2
    exit 1
fi
# The URL file may be written without a trailing newline; read the first line either way.
IFS= read -r ENS_SIM_URL < "$url_file" || true
export ENS_SIM_URL

if $foreground; then
    echo "ENS simulator (fixture '$fixture', read lag ${read_lag}s) serving at $ENS_SIM_URL  (pid $sim_pid, log $log_file)"
    echo "Press Ctrl-C to stop."
    # tail in the background: `wait` returns at once when a trapped signal arrives.
    tail -n +1 -f "$log_file" --pid="$sim_pid" &
    set +e
    wait "$sim_pid"
    rc=$?
    set -e
    exit $rc
fi

echo "ENS simulator (fixture '$fixture', read lag ${read_lag}s) serving at $ENS_SIM_URL (pid $sim_pid)"
set +e
"$@"
rc=$?
set -e
exit $rc
