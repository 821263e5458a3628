#!/usr/bin/env bash
# Creates (or refreshes) the project's Python virtualenv in .venv with the pinned requirements:
#   infra/local-aws/requirements.txt  the local AWS (moto) used by `make test` and `make run`
#   infra/tooling/requirements.txt    cfn-lint and the SAM CLI (`make lint-template`, `make sam-build`)
# Idempotent: a stamp file records the requirements it was built from.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.venv"
reqs=("$root/infra/local-aws/requirements.txt" "$root/infra/tooling/requirements.txt")
py=${PYTHON:-python3}
command -v "$py" >/dev/null || { echo "python3 is required to run the local AWS (moto). Install it (apt-get install python3 python3-venv)." >&2; exit 1; }
stamp="$venv/.requirements.sha"
want=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "Creating $venv with $(cat "${reqs[@]}" | grep -v -e "^#" -e "^$" | tr "\n" " ")" >&2
"$py" -m venv "$venv" || { echo "python3 -m venv failed: install the venv module (apt-get install python3-venv)." >&2; exit 1; }
args=()
for r in "${reqs[@]}"; do args+=(-r "$r"); done
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${args[@]}"
echo "$want" > "$stamp"
