#!/usr/bin/env bash
# Fuzzes Gozar's pre-authentication parsers with AFL++ and SharpFuzz, starting from fuzz/corpus/<target>.
#
#   fuzz/afl.sh [TARGET|all] [SECONDS]     TARGET: clienthello | obfuscated2 | proxyprotocol (default: all, 60 s each)
#
# Needs Debian's AFL++ (apt-get install afl++) and SharpFuzz's instrumenter
# (dotnet tool install --global SharpFuzz.CommandLine). Findings go to $GOZAR_FUZZ_OUT (default /tmp/gozar-fuzz).
# Exit codes: 0 no crash, 1 a target crashed (inputs are in <out>/findings/<target>/default/crashes), 3 setup failed.
# A crash worth keeping goes into fuzz/corpus/<target>/ once fixed: the corpus test then runs it on every build.
set -uo pipefail
cd "$(dirname "$0")"

target=${1:-all}
seconds=${2:-60}
out=${GOZAR_FUZZ_OUT:-/tmp/gozar-fuzz}
targets=(clienthello obfuscated2 proxyprotocol)
if [ "$target" != all ]; then targets=("$target"); fi
export PATH="$PATH:$HOME/.dotnet/tools"

for tool in afl-fuzz sharpfuzz dotnet; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "afl.sh: $tool not found (see the header of this script)" >&2
    exit 3
  fi
done

rm -rf "$out"
mkdir -p "$out/findings"
if ! dotnet publish Gozar.Fuzz -c Release -o "$out/bin" --nologo -v q >"$out/publish.log" 2>&1; then
  cat "$out/publish.log" >&2
  exit 3
fi

# Only the library under test is instrumented: AFL's coverage map then shows paths through the parsers alone.
if ! sharpfuzz "$out/bin/Gozar.Protocol.dll" >"$out/instrument.log" 2>&1; then
  cat "$out/instrument.log" >&2
  exit 3
fi

# dotnet itself is not instrumented (SharpFuzz reports coverage), there is no core dump handler to wait for, and the
# cores are shared with other work.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1

status=0
for name in "${targets[@]}"; do
  if [ ! -d "corpus/$name" ]; then
    echo "afl.sh: unknown target '$name' (no fuzz/corpus/$name)" >&2
    exit 3
  fi

  afl-fuzz -i "corpus/$name" -o "$out/findings/$name" -t 5000 -m none -V "$seconds" -- dotnet "$out/bin/Gozar.Fuzz.dll" "$name" \
    >"$out/$name.log" 2>&1
  rc=$?
  stats="$out/findings/$name/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "afl.sh: afl-fuzz did not run for $name (exit $rc):" >&2
    tail -n 20 "$out/$name.log" >&2
    exit 3
  fi

  crashes=$(find "$out/findings/$name/default/crashes" -type f ! -name README.txt 2>/dev/null | wc -l)
  execs=$(awk -F': *' '$1 ~ /^execs_done/ { print $2 }' "$stats")
  paths=$(awk -F': *' '$1 ~ /^corpus_count/ { print $2 }' "$stats")
  echo "fuzz $name: ${seconds}s, $execs executions, $paths inputs in the queue, $crashes crashes"
  if [ "$crashes" -gt 0 ]; then
    status=1
  fi
done

exit "$status"
