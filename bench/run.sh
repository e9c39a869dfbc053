#!/usr/bin/env bash
# Gozar's performance run (issue 4), loopback only, bounded to under 10 minutes.
#
# Builds the proxy (Native AOT when the ILCompiler package can be restored, else the JIT build), the load generator
# and the crypto-free C relay (the ceiling), then runs every scenario through the relay and through Gozar with the
# load side (load generator + fake DC) pinned to one core and the relay or proxy to the other, and prints markdown
# tables: results, ratios to the ceiling and the issue's targets. The relay runs twice: with plain bytes end to end
# ("ceiling"), and carrying an obfuscated2 stream from the load client to the fake DC ("ceiling-e2e"), where the load
# side does the same AES work as through Gozar; both ratios are reported.
#
#   bench/run.sh                 full run
#   BENCH_QUICK=1 bench/run.sh   smaller transfers and shorter runs (a smoke test, not for the record)
#   BENCH_NICE=-15 bench/run.sh  run the measured processes at a higher priority on a machine shared with other work
#   BENCH_OUT=DIR bench/run.sh   keep builds, logs and results.tsv in DIR (default: a fresh temporary directory)
#   BENCH_REPEAT=N bench/run.sh  run each bulk transfer N times (default 3); the tables take the median
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${BENCH_OUT:-$(mktemp -d /tmp/gozar-bench.XXXXXX)}
mkdir -p "$out"
results="$out/results.tsv"
: > "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Fixed loopback ports, far from Gozar's default 8443.
dc_port=19701
dc_plain_port=19702
relay_port=19710
proxy_port=19720
key=0123456789abcdef0123456789abcdef
domain=bench.example

if [ "$(nproc)" -ge 2 ]; then load_cpu=0; target_cpu=1; else load_cpu=0; target_cpu=0; fi
nice_prefix=()
if [ -n "${BENCH_NICE:-}" ]; then nice_prefix=(nice -n "$BENCH_NICE"); fi

repeat=${BENCH_REPEAT:-3}
if [ -n "${BENCH_QUICK:-}" ]; then
  bulk_bytes=$((128 << 20)); duplex_bytes=$((8 << 20)); echo_seconds=2; handshake_seconds=3; idle_hold=2
  idle_counts=(500 2000)
else
  bulk_bytes=$((1 << 30)); duplex_bytes=$((64 << 20)); echo_seconds=5; handshake_seconds=10; idle_hold=5
  idle_counts=(2000 8000)
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- build
started=$SECONDS
log "building into $out (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
source bench/lib.sh
build_proxy "$out"
build_load "$out" aot
cc -O2 -o "$out/relay" bench/ceiling/relay.c
log "built in $((SECONDS - started)) s; proxy: $proxy_kind"

# ---------------------------------------------------------------- helpers
write_config() { # $1 = file, $2 = fast_mode
  cat > "$1" <<EOF
listen = ["127.0.0.1:$proxy_port"]
log_level = "warning"

[modes]
classic = true
secure = true
tls = true

[tls]
domains = ["$domain"]
# Nothing listens here: the bench never sends a bad handshake.
mask_host = "127.0.0.1:9"

[users]
bench = "$key"

[limits]
# Every load connection comes from 127.0.0.1: the per-address rate (default 20/s) would mask most of them.
per_ip_rate = 0

[upstream]
fast_mode = $2

[upstream.dc_overrides]
"*" = "127.0.0.1:$dc_port"
EOF
}
write_config "$out/gozar.toml" true
write_config "$out/gozar-slow.toml" false

wait_port() { # $1 = port; prints the milliseconds it took
  local from; from=$(date +%s%N)
  for _ in $(seq 1 500); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      echo $(( ($(date +%s%N) - from) / 1000000 )); return 0
    fi
    sleep 0.01
  done
  log "nothing listens on port $1"; return 1
}

target_pid=0
start_relay() { # $1 = the fake DC's port it relays to
  taskset -c "$target_cpu" "${nice_prefix[@]}" "$out/relay" "$relay_port" "$1" > "$out/relay.log" 2>&1 &
  target_pid=$!; pids+=("$target_pid")
  wait_port "$relay_port" > /dev/null
}

start_proxy() { # $1 = config, $2 = inline completions (0/1); sets target_pid and startup_ms
  local from; from=$(date +%s%N)
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="$2" \
    taskset -c "$target_cpu" "${nice_prefix[@]}" "${proxy[@]}" run --config "$1" > "$out/proxy.log" 2>&1 &
  target_pid=$!; pids+=("$target_pid")
  wait_port "$proxy_port" > /dev/null
  startup_ms=$(( ($(date +%s%N) - from) / 1000000 ))
}

stop_target() {
  kill "$target_pid" 2>/dev/null || true
  wait "$target_pid" 2>/dev/null || true
  target_pid=0
}

run() { # $1 = label, $2 = transport, $3 = port, rest = scenario arguments
  local label=$1 transport=$2 port=$3; shift 3
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c "$load_cpu" "${nice_prefix[@]}" "${load[@]}" run \
    --target "127.0.0.1:$port" --transport "$transport" --key "$key" --domain "$domain" --label "$label" \
    --dc-pid "$dc_pid" --target-pid "$target_pid" --results "$results" "$@" >&2 || log "FAILED: $label $*"
}

bulk() { # the same arguments as run: repeated, since one transfer's rate varies by about ±10 % here
  for _ in $(seq 1 "$repeat"); do run "$@"; done
}

# Downloads where nothing between the fake DC and the client re-encrypts (the relay; Gozar in fast mode) are checked as
# ciphertext after a decrypted first MiB (DownloadCheck in bench/Gozar.Load/Wire/Command.cs): two AES passes on the
# load core made it, not the proxy, the bottleneck. Fast mode off re-encrypts, so its download is decrypted throughout.
fast_check=ciphertext

core_scenarios() { # $1 = label, $2 = transport, $3 = port
  bulk "$1" "$2" "$3" --scenario upload --bytes "$bulk_bytes"
  bulk "$1" "$2" "$3" --scenario download --bytes "$bulk_bytes" --download-check "$fast_check"
  bulk "$1" "$2" "$3" --scenario duplex --connections 10 --bytes "$duplex_bytes"
  run "$1" "$2" "$3" --scenario echo --connections 1 --seconds "$echo_seconds"
  run "$1" "$2" "$3" --scenario echo --connections 100 --seconds "$echo_seconds"
  run "$1" "$2" "$3" --scenario handshakes --connections 50 --seconds "$handshake_seconds"
}

# ---------------------------------------------------------------- run
env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c "$load_cpu" "${nice_prefix[@]}" "${load[@]}" dc \
  --port "$dc_port" --plain-port "$dc_plain_port" > "$out/dc.log" 2>&1 &
dc_pid=$!; pids+=("$dc_pid")
wait_port "$dc_port" > /dev/null

log "ceiling: crypto-free relay, plain bytes end to end"
start_relay "$dc_plain_port"
core_scenarios ceiling plain "$relay_port"
stop_target

# The same relay carrying an obfuscated2 stream from the load client to the fake DC: the load side encrypts and decrypts
# every byte as it does through Gozar, so where the load core is the bottleneck (bulk), both runs pay for it alike.
log "ceiling: crypto-free relay, the load side's crypto end to end"
start_relay "$dc_port"
core_scenarios ceiling-e2e upstream "$relay_port"
stop_target

log "gozar, inline socket completions"
start_proxy "$out/gozar.toml" 1
baseline_rss=$(awk '/VmRSS/ {print $2}' "/proc/$target_pid/status")
printf 'gozar\tstartup\t%s\tms\t0\t0\t0\t0\t0\t%s, until the port accepts; RSS then %s KiB\n' \
  "$startup_ms" "$proxy_kind" "$baseline_rss" >> "$results"
core_scenarios ee tls "$proxy_port"
for transport in secure classic; do
  label=$([ "$transport" = secure ] && echo dd || echo classic)
  bulk "$label" "$transport" "$proxy_port" --scenario upload --bytes "$bulk_bytes"
  bulk "$label" "$transport" "$proxy_port" --scenario download --bytes "$bulk_bytes" --download-check "$fast_check"
  run "$label" "$transport" "$proxy_port" --scenario echo --connections 100 --seconds "$echo_seconds"
  run "$label" "$transport" "$proxy_port" --scenario handshakes --connections 50 --seconds "$handshake_seconds"
done
stop_target

log "gozar, socket completions on the thread pool (the .NET default)"
start_proxy "$out/gozar.toml" 0
label=ee-pool
bulk "$label" tls "$proxy_port" --scenario upload --bytes "$bulk_bytes"
bulk "$label" tls "$proxy_port" --scenario download --bytes "$bulk_bytes" --download-check "$fast_check"
run "$label" tls "$proxy_port" --scenario echo --connections 100 --seconds "$echo_seconds"
run "$label" tls "$proxy_port" --scenario handshakes --connections 50 --seconds "$handshake_seconds"
stop_target

log "gozar, fast mode off"
start_proxy "$out/gozar-slow.toml" 1
bulk ee-nofast tls "$proxy_port" --scenario download --bytes "$bulk_bytes"
stop_target

for count in "${idle_counts[@]}"; do
  log "gozar, $count idle connections (fresh process)"
  start_proxy "$out/gozar.toml" 1
  run ee tls "$proxy_port" --scenario idle --connections "$count" --seconds "$idle_hold" --timeout 300
  stop_target
done

log "AES-256-CTR and allocations per chunk"
# Inline completions as Gozar runs by default: on the thread pool, the pool's own bookkeeping (queue segments, thread
# starts) lands in the pump's allocation count at random.
env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c "$load_cpu" "${nice_prefix[@]}" "${load[@]}" cpu --seconds 2 \
  --results "$results" >&2
# -elapsed: wall-clock time like the managed measurement; openssl's default (CPU time) flatters it on a busy machine.
openssl_kbs=$(taskset -c "$load_cpu" "${nice_prefix[@]}" openssl speed -elapsed -evp aes-256-ctr -bytes 16384 -seconds 2 2>/dev/null \
  | awk '/^AES-256-CTR/ {sub("k", "", $2); print $2}')
if [ -n "$openssl_kbs" ]; then
  awk -v k="$openssl_kbs" 'BEGIN { printf "aes\topenssl-16KiB\t%.3f\tMB/s\t0\t0\t0\t0\t0\topenssl speed -elapsed -evp aes-256-ctr -bytes 16384\n", k / 1000 }' >> "$results"
fi

log "done in $((SECONDS - started)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); rows in $results"
"${load[@]}" table "$results"
