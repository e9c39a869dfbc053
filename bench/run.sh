#!/usr/bin/env bash
# Gozar's performance run (issue 4), loopback only, bounded to under 10 minutes.
#
# Builds the proxy (Native AOT when the ILCompiler package can be restored, else the JIT build), the load generator
# and the crypto-free C relay (the ceiling), then runs every scenario through the relay and through Gozar with the
# load side (load generator + fake DC) pinned to one core and the relays and proxies to the other, and prints markdown
# tables: results, ratios to the ceiling, ee against the ceiling round by round, and the issue's targets. The relay runs twice: with plain bytes end to end
# ("ceiling"), and carrying an obfuscated2 stream from the load client to the fake DC ("ceiling-e2e"), where the load
# side does the same AES work as through Gozar; both ratios are reported. Every relay and proxy stays up (idle when
# not measured) and each scenario's runs go round them in turn, so a machine that speeds up or slows down during the
# run moves the ceiling and Gozar alike instead of skewing their ratio. In the handshake rounds the plain relay also
# runs on .NET's sockets (bench/ceiling/DotnetRelay, "dotnet-relay"): the runtime's share of a connection's cost; and
# relay.c's loop in C# on raw system calls (bench/ceiling/EpollRelay, "epoll-relay"): the runtime without its sockets.
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
relay_e2e_port=19711
dotnet_relay_port=19712
epoll_relay_port=19713
proxy_port=19720
proxy_pool_port=19721
proxy_slow_port=19722
key=0123456789abcdef0123456789abcdef
domain=bench.example

if [ "$(nproc)" -ge 2 ]; then load_cpu=0; target_cpu=1; else load_cpu=0; target_cpu=0; fi
nice_prefix=()
if [ -n "${BENCH_NICE:-}" ]; then nice_prefix=(nice -n "$BENCH_NICE"); fi

repeat=${BENCH_REPEAT:-3}
# The idle hold outlasts Gozar's memory trim after the last new connection (timeouts.memory_trim, 2-3 s), as the
# scenario's settle before its baseline does, so both readings are taken in the same state.
if [ -n "${BENCH_QUICK:-}" ]; then
  bulk_bytes=$((128 << 20)); duplex_bytes=$((8 << 20)); echo_seconds=2; handshake_seconds=3; idle_hold=4
  idle_counts=(500 2000); rate_rounds=1
else
  bulk_bytes=$((1 << 30)); duplex_bytes=$((64 << 20)); echo_seconds=5; handshake_seconds=10; idle_hold=5
  idle_counts=(2000 8000); rate_rounds=2
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
build_dotnet_relay "$out"
build_epoll_relay "$out"
log "built in $((SECONDS - started)) s; proxy: $proxy_kind"

# ---------------------------------------------------------------- helpers
write_config() { # $1 = file, $2 = fast_mode, $3 = port
  cat > "$1" <<EOF
listen = ["127.0.0.1:$3"]
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
# Every load connection comes from 127.0.0.1, which the per-address rate exempts by default; off, it stays out of the measured path.
per_ip_rate = 0

[upstream]
fast_mode = $2

[upstream.dc_overrides]
"*" = "127.0.0.1:$dc_port"
EOF
}
write_config "$out/gozar.toml" true "$proxy_port"
write_config "$out/gozar-pool.toml" true "$proxy_pool_port"
write_config "$out/gozar-slow.toml" false "$proxy_slow_port"

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

# Each label names a target (a relay or proxy process: its port and pid) and the transport the load client speaks to it.
declare -A target_port target_pid label_target label_transport

start_relay() { # $1 = target, $2 = port, $3 = the fake DC's port it relays to
  taskset -c "$target_cpu" "${nice_prefix[@]}" "$out/relay" "$2" "$3" > "$out/$1.log" 2>&1 &
  target_pid[$1]=$!; target_port[$1]=$2; pids+=("$!")
  wait_port "$2" > /dev/null
}

start_proxy() { # $1 = target, $2 = config, $3 = inline completions (0/1), $4 = port; sets startup_ms
  local from; from=$(date +%s%N)
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="$3" \
    taskset -c "$target_cpu" "${nice_prefix[@]}" "${proxy[@]}" run --config "$2" > "$out/$1.log" 2>&1 &
  target_pid[$1]=$!; target_port[$1]=$4; pids+=("$!")
  wait_port "$4" > /dev/null
  startup_ms=$(( ($(date +%s%N) - from) / 1000000 ))
}

stop_target() { # $1 = target
  kill "${target_pid[$1]}" 2>/dev/null || true
  wait "${target_pid[$1]}" 2>/dev/null || true
}

label() { # $1 = label, $2 = target, $3 = transport
  label_target[$1]=$2; label_transport[$1]=$3
}

run() { # $1 = label, rest = scenario arguments
  local label=$1 target=${label_target[$1]}; shift
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c "$load_cpu" "${nice_prefix[@]}" "${load[@]}" run \
    --target "127.0.0.1:${target_port[$target]}" --transport "${label_transport[$label]}" --key "$key" --domain "$domain" \
    --label "$label" --dc-pid "$dc_pid" --target-pid "${target_pid[$target]}" --results "$results" "$@" >&2 \
    || log "FAILED: $label $*"
}

rounds() { # $1 = how many, $2 = "label label ...", rest = scenario arguments: each round runs every label once, in turn
  local count=$1 labels=$2; shift 2
  for _ in $(seq 1 "$count"); do
    for label in $labels; do run "$label" "$@"; done
  done
}

# Downloads where nothing between the fake DC and the client re-encrypts (the relay; Gozar in fast mode) are checked as
# ciphertext after a decrypted first MiB (DownloadCheck in bench/Gozar.Load/Wire/Command.cs): two AES passes on the
# load core made it, not the proxy, the bottleneck. Fast mode off re-encrypts, so its download is decrypted throughout.
fast_check=ciphertext

# ---------------------------------------------------------------- run
env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c "$load_cpu" "${nice_prefix[@]}" "${load[@]}" dc \
  --port "$dc_port" --plain-port "$dc_plain_port" > "$out/dc.log" 2>&1 &
dc_pid=$!; pids+=("$dc_pid")
wait_port "$dc_port" > /dev/null

log "starting the targets: the relay twice, Gozar three times"
# The relay with plain bytes end to end, and carrying an obfuscated2 stream from the load client to the fake DC: there
# the load side encrypts and decrypts every byte as it does through Gozar, so where the load core is the bottleneck
# (bulk), both runs pay for it alike.
start_relay relay "$relay_port" "$dc_plain_port"
start_relay relay-e2e "$relay_e2e_port" "$dc_port"
# The plain relay once more on .NET's sockets, with inline completions as Gozar runs: its handshake rate is the
# runtime's floor under Gozar's.
floor=""
if [ ${#dotnet_relay[@]} -gt 0 ]; then
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c "$target_cpu" "${nice_prefix[@]}" "${dotnet_relay[@]}" \
    "$dotnet_relay_port" "$dc_plain_port" > "$out/dotnet-relay.log" 2>&1 &
  target_pid[dotnet-relay]=$!; target_port[dotnet-relay]=$dotnet_relay_port; pids+=("$!")
  wait_port "$dotnet_relay_port" > /dev/null
  floor=" dotnet-relay"
fi
# And on raw system calls without .NET's socket layer: what a transport of Gozar's own could come down to.
if [ ${#epoll_relay[@]} -gt 0 ]; then
  taskset -c "$target_cpu" "${nice_prefix[@]}" "${epoll_relay[@]}" "$epoll_relay_port" "$dc_plain_port" > "$out/epoll-relay.log" 2>&1 &
  target_pid[epoll-relay]=$!; target_port[epoll-relay]=$epoll_relay_port; pids+=("$!")
  wait_port "$epoll_relay_port" > /dev/null
  floor="$floor epoll-relay"
fi
start_proxy gozar "$out/gozar.toml" 1 "$proxy_port"
baseline_rss=$(awk '/VmRSS/ {print $2}' "/proc/${target_pid[gozar]}/status")
printf 'gozar\tstartup\t%s\tms\t0\t0\t0\t0\t0\t%s, until the port accepts; RSS then %s KiB\n' \
  "$startup_ms" "$proxy_kind" "$baseline_rss" >> "$results"
# Socket completions on the thread pool (the .NET default), and fast mode off.
start_proxy gozar-pool "$out/gozar-pool.toml" 0 "$proxy_pool_port"
start_proxy gozar-slow "$out/gozar-slow.toml" 1 "$proxy_slow_port"

label ceiling relay plain
label ceiling-e2e relay-e2e upstream
label ee gozar tls
label dd gozar secure
label classic gozar classic
label ee-pool gozar-pool tls
label ee-nofast gozar-slow tls
label dotnet-relay dotnet-relay plain
label epoll-relay epoll-relay plain
all="ceiling ceiling-e2e ee dd classic ee-pool"
core="ceiling ceiling-e2e ee"

log "bulk upload and download, $repeat rounds (the tables take medians)"
rounds "$repeat" "$all" --scenario upload --bytes "$bulk_bytes"
rounds "$repeat" "$all" --scenario download --bytes "$bulk_bytes" --download-check "$fast_check"
rounds "$repeat" ee-nofast --scenario download --bytes "$bulk_bytes"
log "duplex over 10 connections, $repeat rounds"
rounds "$repeat" "$core" --scenario duplex --connections 10 --bytes "$duplex_bytes"
# The targets' labels (ceiling, ceiling-e2e, ee) run one round more, so that the tables take the middle of three for
# them: with two, the lower of each label set the ratio, and one slow round of either core decided the row (this host's
# speed moves by a quarter within minutes). A third round of every label would not fit in ten minutes.
log "echo and handshakes, $rate_rounds rounds and one more of $core"
rounds 1 "$core" --scenario echo --connections 1 --seconds "$echo_seconds"
rounds "$rate_rounds" "$all" --scenario echo --connections 100 --seconds "$echo_seconds"
rounds 1 "$core" --scenario echo --connections 100 --seconds "$echo_seconds"
rounds "$rate_rounds" "$all$floor" --scenario handshakes --connections 50 --seconds "$handshake_seconds"
rounds 1 "$core" --scenario handshakes --connections 50 --seconds "$handshake_seconds"
for target in relay relay-e2e gozar gozar-pool gozar-slow$floor; do stop_target "$target"; done

for count in "${idle_counts[@]}"; do
  log "gozar, $count idle connections (fresh process)"
  start_proxy gozar "$out/gozar.toml" 1 "$proxy_port"
  run ee --scenario idle --connections "$count" --seconds "$idle_hold" --timeout 300
  stop_target gozar
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
