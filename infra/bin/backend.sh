#!/usr/bin/env bash
# Installs what a local AWS backend other than moto needs, in a virtualenv of its own (the project's .venv keeps
# moto and the SAM tooling only):
#   infra/bin/backend.sh moto        nothing to do (.venv, made by infra/bin/venv.sh, has moto)
#   infra/bin/backend.sh ministack   .venv-ministack with infra/local-aws/requirements-ministack.txt
# Idempotent: a stamp file records the requirements the virtualenv was built from.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
backend=${1:-moto}
case "$backend" in
  moto) exit 0 ;;
  ministack) venv="$root/.venv-ministack"; reqs="$root/infra/local-aws/requirements-ministack.txt" ;;
  *) echo "unknown backend '$backend': use moto or ministack" >&2; exit 2 ;;
esac
py=${PYTHON:-python3}
command -v "$py" >/dev/null || { echo "python3 is required to run $backend. Install it (apt-get install python3 python3-venv)." >&2; exit 1; }
stamp="$venv/.requirements.sha"
want=$(sha256sum "$reqs" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "Creating $venv with $(grep -v -e '^#' -e '^$' "$reqs" | tr '\n' ' ')" >&2
"$py" -m venv "$venv" || { echo "python3 -m venv failed: install the venv module (apt-get install python3-venv)." >&2; exit 1; }
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs"
echo "$want" > "$stamp"
