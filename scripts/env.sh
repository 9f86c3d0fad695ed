# Sourced by every entry script: puts a Node >= 24 and pnpm on PATH, installing them into .tools/
# from the npm registry when the machine's own are missing or older, then installs the workspace.
# Idempotent and quiet when everything is already in place.
EDDY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EDDY_ROOT
_eddy_tools="$EDDY_ROOT/.tools"
_eddy_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_eddy_tools/node_modules/.bin/node" ]; then
  export PATH="$_eddy_tools/node_modules/.bin:$PATH"
fi
if [ "$(_eddy_node_major)" -lt 24 ] || ! command -v pnpm >/dev/null 2>&1; then
  echo "eddy: installing Node 24 and pnpm into .tools/ (once)" >&2
  mkdir -p "$_eddy_tools"
  [ -f "$_eddy_tools/package.json" ] || echo '{"private":true}' >"$_eddy_tools/package.json"
  (cd "$_eddy_tools" && npm install --silent --no-audit --no-fund --foreground-scripts node@24 pnpm@10.33.0 >&2) || {
    echo "eddy: could not install Node 24 from the npm registry" >&2
    exit 1
  }
  export PATH="$_eddy_tools/node_modules/.bin:$PATH"
fi
# The workspace is installed when the lockfile is newer than the install marker.
_eddy_marker="$EDDY_ROOT/node_modules/.modules.yaml"
if [ ! -f "$_eddy_marker" ] || [ "$EDDY_ROOT/pnpm-lock.yaml" -nt "$_eddy_marker" ] || [ "$EDDY_ROOT/package.json" -nt "$_eddy_marker" ]; then
  echo "eddy: installing packages (pnpm install)" >&2
  (cd "$EDDY_ROOT" && CI=true pnpm install --frozen-lockfile=${EDDY_FROZEN_LOCKFILE:-true} --reporter=silent >&2) || {
    echo "eddy: pnpm install failed" >&2
    exit 1
  }
  touch "$_eddy_marker"
fi
