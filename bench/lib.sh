# Shared by bench/run.sh and bench/soak.sh (sourced, not run): building what they measure. Both scripts run from the
# repository root and define log() before calling these.

# build_proxy OUT: publishes the proxy with Native AOT into OUT/gozar or, when that fails (no ILCompiler package to
# restore, say), the JIT build into OUT/gozar-jit. Sets proxy_kind and proxy (the command, as an array).
build_proxy() {
  local out=$1
  proxy_kind="Native AOT"
  if dotnet publish src/Gozar -c Release -r linux-x64 -p:PublishAot=true -o "$out/gozar" > "$out/build-gozar.log" 2>&1; then
    proxy=("$out/gozar/gozar")
  else
    log "Native AOT publish failed (see $out/build-gozar.log); using the JIT build"
    proxy_kind="JIT (AOT publish failed)"
    dotnet publish src/Gozar -c Release -o "$out/gozar-jit" > "$out/build-gozar-jit.log" 2>&1
    proxy=(dotnet "$out/gozar-jit/gozar.dll")
  fi
}

# proxy_command OUT KIND: sets proxy for a build that build_proxy left in OUT earlier with proxy_kind KIND.
proxy_command() {
  if [ "$2" = "Native AOT" ]; then proxy=("$1/gozar/gozar"); else proxy=(dotnet "$1/gozar-jit/gozar.dll"); fi
}

# build_load OUT aot|jit: publishes the load generator; aot tries Native AOT into OUT/load first (its speed matters in
# bench/run.sh), jit goes straight to the JIT build in OUT/load-jit. Sets load (the command, as an array).
build_load() {
  local out=$1
  if [ "$2" = aot ] && dotnet publish bench/Gozar.Load -c Release -r linux-x64 -p:PublishAot=true -o "$out/load" > "$out/build-load.log" 2>&1; then
    load=("$out/load/gozar-load")
  else
    dotnet publish bench/Gozar.Load -c Release -o "$out/load-jit" > "$out/build-load-jit.log" 2>&1
    load=(dotnet "$out/load-jit/gozar-load.dll")
  fi
}

# build_dotnet_relay OUT: publishes bench/ceiling/DotnetRelay, Native AOT as the proxy is, else the JIT build. Sets
# dotnet_relay (the command, as an array), left empty when neither builds: run.sh then leaves its rows out.
build_dotnet_relay() {
  local out=$1
  dotnet_relay=()
  if dotnet publish bench/ceiling/DotnetRelay -c Release -r linux-x64 -p:PublishAot=true -o "$out/dotnet-relay" > "$out/build-dotnet-relay.log" 2>&1; then
    dotnet_relay=("$out/dotnet-relay/dotnet-relay")
  elif dotnet publish bench/ceiling/DotnetRelay -c Release -o "$out/dotnet-relay-jit" >> "$out/build-dotnet-relay.log" 2>&1; then
    dotnet_relay=(dotnet "$out/dotnet-relay-jit/dotnet-relay.dll")
  else
    log "the .NET relay did not build (see $out/build-dotnet-relay.log); its rows are left out"
  fi
}

# build_epoll_relay OUT: publishes bench/ceiling/EpollRelay (Native AOT only: it measures the runtime without its
# socket layer, which the JIT's warm-up would blur). Sets epoll_relay, left empty when it does not build.
build_epoll_relay() {
  local out=$1
  epoll_relay=()
  if dotnet publish bench/ceiling/EpollRelay -c Release -r linux-x64 -p:PublishAot=true -o "$out/epoll-relay" > "$out/build-epoll-relay.log" 2>&1; then
    epoll_relay=("$out/epoll-relay/epoll-relay")
  else
    log "the epoll relay did not build (see $out/build-epoll-relay.log); its rows are left out"
  fi
}
