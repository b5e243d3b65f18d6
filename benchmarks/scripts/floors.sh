#!/usr/bin/env bash
# What the gateway's stack allows, beside the gateway itself: in one interleaved sequence, each server pinned to core
# 0 (the nginx mock and wrk on core 1, as ../shared/bench/run.sh pins them), 64 connections, WARM seconds of load and
# then DURATION measured:
#   direct     wrk to the mock (both on core 1): the harness's "direct"
#   answer     Helidon SE reading the body and answering a fixed completion (ProxyFloor.java): one hop
#   forward    Helidon SE and a blocking JDK socket to the mock (ProxyFloor.java): a proxy that does nothing else
#   gateway    the gateway, records on (its defaults)
#   no-records the gateway with records: { enabled: false }
# For each: requests a second, × direct (the round's own direct run) and the server's CPU per request (/proc). See
# docs/benchmark.md, twenty-third pass.
#
#   benchmarks/scripts/floors.sh [ROUNDS]
#
# Environment: JAR (default bootstrap/target/token-proxy.jar), JVM_FILE (default its token-proxy.jvm), BENCH (default
# ../shared/bench), OUT (default /tmp/token-proxy-floors), WARM (30), DURATION (10), BENCH_BODY_FILE (a request body
# file, as run.sh takes it), SERVERS (default "direct answer forward gateway no-records").
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
root=$PWD
bench=${BENCH:-$root/../shared/bench}
jar=${JAR:-$root/bootstrap/target/token-proxy.jar}
jvm_file=${JVM_FILE:-$(dirname "$jar")/token-proxy.jvm}
out=${OUT:-/tmp/token-proxy-floors}
warm=${WARM:-30}
duration=${DURATION:-10}
servers=${SERVERS:-direct answer forward gateway no-records}
java_bin=$(bash "$root/.ci/with-jdk" bash -c 'command -v java')
[[ -f "$jar" && -f "$jvm_file" ]] || { echo "build first: bash .ci/with-jdk mvn -B -q -DskipTests package" >&2; exit 2; }
for tool in nginx wrk taskset; do
  command -v "$tool" > /dev/null || { echo "$tool is needed (../shared/bench/setup.sh)" >&2; exit 2; }
done

rm -rf "$out"; mkdir -p "$out/nginx/logs" "$out/nginx/tmp"
modules=$(nginx -V 2>&1 | tr ' ' '\n' | sed -n 's/^--modules-path=//p')
ln -sfn "$modules" "$out/nginx/modules"
sed -e "s|@PORT@|18080|g" -e "s|@API_KEY@|sk-bench-key|g" -e "s|@SSE_CHUNKS@|20|g" -e "s|@SSE_DELAY_S@|0.010|g" \
  "$bench/mock/nginx.conf.tmpl" > "$out/nginx/nginx.conf"
taskset -c 1 nginx -p "$out/nginx/" -e "$out/nginx/logs/error.log" -c nginx.conf > /dev/null 2>&1 &
server=
stop() {
  [[ -n $server ]] && { kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; }
  pkill -f "nginx -p $out/nginx" 2> /dev/null || true
}
trap stop EXIT

# Requests and non-2xx answers of one wrk run (the RESULT line of wrk_post.lua).
load() { # seconds url
  BENCH_HEADERS="Authorization: Bearer sk-bench-key" taskset -c 1 wrk -t1 -c64 -d"$1s" -s "$bench/wrk_post.lua" "$2" \
    | sed -n 's/^RESULT requests=\([0-9]*\).* err_connect=\([0-9]*\).*err_status=\([0-9]*\).*/\1 \2 \3/p'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
start() { # name command...
  local name=$1; shift
  taskset -c 0 "$@" > "$out/$name.out" 2> "$out/$name.err" &
  server=$!
  for _ in $(seq 300); do grep -q listening "$out/$name.out" 2> /dev/null && return; sleep 0.1; done
  echo "$name did not start: $out/$name.err" >&2; exit 1
}
gateway_config() { # extra yaml line
  rm -rf "$out/data"
  printf '%s\n' 'listen: { host: 127.0.0.1, port: 18090 }' "data_dir: $out/data" 'upstreams:' \
    '  - { id: bench, provider: openai, base_url: "http://127.0.0.1:18080/v1", api_keys: ["sk-bench-key"] }' \
    "$1" > "$out/gateway.yaml"
}

sleep 1
hz=$(getconf CLK_TCK)
printf '%-6s %-11s %9s %9s %14s %s\n' round server "req/s" "x direct" "CPU/request" "errors"
for round in $(seq "$rounds"); do
  direct_rps=
  for name in $servers; do
    url=http://127.0.0.1:18090/v1/chat/completions
    case $name in
      direct) url=http://127.0.0.1:18080/v1/chat/completions ;;
      answer) start "$name" "$java_bin" @"$jvm_file" -cp "$jar" benchmarks/scripts/ProxyFloor.java answer 18090 ;;
      forward) start "$name" "$java_bin" @"$jvm_file" -cp "$jar" benchmarks/scripts/ProxyFloor.java forward 18090 18080 ;;
      gateway) gateway_config ''; start "$name" "$java_bin" @"$jvm_file" -jar "$jar" --config "$out/gateway.yaml" ;;
      no-records) gateway_config 'records: { enabled: false }'
        start "$name" "$java_bin" @"$jvm_file" -jar "$jar" --config "$out/gateway.yaml" ;;
      *) echo "unknown server: $name" >&2; exit 2 ;;
    esac
    load "$([[ $name == direct ]] && echo 5 || echo "$warm")" "$url" > /dev/null
    [[ -n $server ]] && ticks0=$(cpu_ticks "$server")
    read -r requests connect_errors status_errors <<< "$(load "$duration" "$url")"
    rps=$(( requests / duration ))
    cpu=-
    if [[ -n $server ]]; then
      cpu="$(( ($(cpu_ticks "$server") - ticks0) * 1000000 / hz / requests )) us"
      kill "$server"; wait "$server" 2> /dev/null || true; server=
    fi
    [[ $name == direct ]] && direct_rps=$rps
    ratio=$([[ -n $direct_rps ]] && awk -v a="$rps" -v b="$direct_rps" 'BEGIN {printf "%.2f", a / b}' || echo -)
    printf '%-6s %-11s %9s %9s %14s %s\n' "$round" "$name" "$rps" "$ratio" "$cpu" "$((connect_errors + status_errors))"
  done
done
