#!/usr/bin/env bash
# Creates (or refreshes) the project's Python virtualenv in .venv with the pinned requirements.
# Idempotent: a stamp file records the requirements it was built from.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.venv"
req="$root/infra/local-aws/requirements.txt"
py=${PYTHON:-python3}
command -v "$py" >/dev/null || { echo "python3 is required to run the local AWS (moto). Install it (apt-get install python3 python3-venv)." >&2; exit 1; }
stamp="$venv/.requirements.sha"
want=$(cat "$req" | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "Creating $venv with $(grep -v "^#" "$req" | tr "\n" " ")" >&2
"$py" -m venv "$venv" || { echo "python3 -m venv failed: install the venv module (apt-get install python3-venv)." >&2; exit 1; }
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
