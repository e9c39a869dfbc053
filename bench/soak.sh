#!/usr/bin/env bash
# Gozar's soak (issue 5): one proxy process under a mixed load, loopback only; its managed heap and open descriptors
# (the leak indicators) must stay flat, its RSS is reported beside them. Not part of CI.
#
# Builds the proxy (Native AOT when the ILCompiler package can be restored, else the JIT build; bench/lib.sh) and the
# load generator, starts the fake DC and the proxy with a generated config on 127.0.0.1 (admin listener on, for its
# /metrics), and runs the soak scenario (bench/Gozar.Load/Scenarios/SoakScenario.cs), which also runs the mask site
# stand-in and samples every 10 s the proxy's RSS, anonymous RSS, descriptors and threads from /proc and its managed
# heap (dotnet_gc_last_collection_heap_size_bytes, ..._memory_committed_size_bytes) from /metrics. Prints a markdown
# report; exits non-zero when a check failed. Everything started here is stopped on exit.
#
#   bench/soak.sh                    600 s (about 11 minutes plus the build)
#   SOAK_SECONDS=1800 bench/soak.sh  30 minutes: the run that tells a warming-up heap from a slow leak
#   SOAK_SECONDS=120 bench/soak.sh   a smoke run (windows of 30 s instead of a minute)
#   SOAK_OUT=DIR bench/soak.sh       keep builds, logs and soak.md in DIR (default: a fresh temporary directory)
#   SOAK_REUSE=1 bench/soak.sh       with SOAK_OUT: skip the build when DIR already holds one
#   SOAK_PORT_BASE=19900 bench/soak.sh  loopback ports from this base (default 19800)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${SOAK_OUT:-$(mktemp -d /tmp/gozar-soak.XXXXXX)}
seconds=${SOAK_SECONDS:-600}
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Fixed loopback ports, apart from bench/run.sh's 197xx so that both can run at once; SOAK_PORT_BASE moves them so
# that two soaks (two GC settings, say) can run side by side.
base=${SOAK_PORT_BASE:-19800}
dc_port=$((base + 1))
dc_plain_port=$((base + 2))
proxy_port=$((base + 20))
mask_port=$((base + 30))
admin_port=$((base + 40))
admin_token=soak-metrics-token-0123456789
key=0123456789abcdef0123456789abcdef
domain=bench.example

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { echo "soak: $*" >&2; }

# ---------------------------------------------------------------- build
started=$SECONDS
source bench/lib.sh
if [ -n "${SOAK_REUSE:-}" ] && [ -f "$out/proxy-kind" ] && [ -f "$out/load-jit/gozar-load.dll" ]; then
  proxy_kind=$(cat "$out/proxy-kind")
  proxy_command "$out" "$proxy_kind"
  load=(dotnet "$out/load-jit/gozar-load.dll")
  log "reusing the build in $out ($proxy_kind)"
else
  log "building into $out (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  # What is built, recorded before the build: the report is written half an hour later, when HEAD may have moved on.
  built=$(git log -1 --format='%h %s' 2>/dev/null || echo 'unknown commit')
  if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then built="$built (with uncommitted changes)"; fi
  echo "$built" > "$out/proxy-commit"
  build_proxy "$out"
  # The load side's speed does not matter here, only its correctness: the JIT build saves minutes of AOT compilation.
  build_load "$out" jit
  echo "$proxy_kind" > "$out/proxy-kind"
  log "built in $((SECONDS - started)) s; proxy: $proxy_kind"
fi

# ---------------------------------------------------------------- config
cat > "$out/gozar.toml" <<TOML
listen = ["127.0.0.1:$proxy_port"]
log_level = "warning"

[modes]
classic = true
secure = true
tls = true

[tls]
domains = ["$domain"]
# The soak scenario's mask site stand-in.
mask_host = "127.0.0.1:$mask_port"
# The replay cache keeps every handshake digest for the 30 min clock-skew window, up to this many; with the default
# 1,000,000 it would grow through the whole soak by design (bounded, but not flat). About 60 handshakes a second
# authenticate here, so 2,000 is reached within the warm-up minute and every window the checks compare sees the cache
# at its bound, rotating generations every half minute. (20,000, used before, filled only after five minutes and
# showed as heap growth after the warm-up window.)
replay_cache_entries = 2000

[users]
soak = "$key"

[upstream.dc_overrides]
"*" = "127.0.0.1:$dc_port"

[limits]
# Every legitimate client comes from 127.0.0.1, far above the default 20 a second; probes come from random
# 127.x.y.z addresses, so the limiter's table still fills and is swept (loopback, exempt by default, counts here).
per_ip_rate = 100000
per_ip_burst = 100000
per_ip_exempt = []

# For /metrics: the soak samples the proxy's managed heap there (the runtime's System.Runtime meter).
[admin]
listen = "127.0.0.1:$admin_port"
token = "$admin_token"
TOML

wait_port() { # $1 = port
  for _ in $(seq 1 1000); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  log "nothing listens on port $1"; return 1
}

# ---------------------------------------------------------------- run
"${load[@]}" dc --port "$dc_port" --plain-port "$dc_plain_port" > "$out/dc.log" 2>&1 &
dc_pid=$!; pids+=("$dc_pid")
wait_port "$dc_port"

"${proxy[@]}" run --config "$out/gozar.toml" > "$out/proxy.log" 2>&1 &
proxy_pid=$!; pids+=("$proxy_pid")
wait_port "$proxy_port"
wait_port "$admin_port"
# The port check above was one connection; let the proxy settle before the "before" sample.
sleep 2

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "soaking for $seconds s (proxy pid $proxy_pid, load average $load_before)"
status=0
"${load[@]}" run --scenario soak --seconds "$seconds" --timeout $((seconds + 300)) \
  --target "127.0.0.1:$proxy_port" --transport tls --key "$key" --domain "$domain" --label soak \
  --dc-pid "$dc_pid" --target-pid "$proxy_pid" --mask-port "$mask_port" --report "$out/report.md" \
  --metrics-url "http://127.0.0.1:$admin_port/metrics" --metrics-token "$admin_token" \
  > "$out/soak.out" 2> "$out/soak.err" || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if ! kill -0 "$proxy_pid" 2>/dev/null; then log "the proxy exited during the soak (see $out/proxy.log)"; status=1; fi

{
  echo "### Soak, $seconds s"
  echo
  echo "- proxy: $proxy_kind, $(cat "$out/proxy-commit" 2>/dev/null || echo 'unknown commit')"
  echo "- machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r), .NET SDK $(dotnet --version)"
  echo "- load average (1, 5, 15 min): $load_before before, $load_after after"
  echo "- command: \`SOAK_SECONDS=$seconds bench/soak.sh\`"
  echo
  cat "$out/report.md" 2>/dev/null || echo "(no report: see $out/soak.err)"
  echo
  echo "Result row: \`$(tail -1 "$out/soak.out" 2>/dev/null)\`"
} > "$out/soak.md"
cat "$out/soak.md"
if [ -s "$out/soak.err" ]; then log "load generator stderr:"; head -20 "$out/soak.err" >&2; fi
log "done in $((SECONDS - started)) s; logs and soak.md in $out"
exit "$status"
