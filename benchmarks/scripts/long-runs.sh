#!/usr/bin/env bash
# The runs ../shared/bench/run.sh has no phase for, built from its pieces (the nginx mock, wrk with wrk_post.lua,
# sse_client.mjs): the gateway pinned to core 0, the load and the mock to core 1, the settings file beside the jar,
# records on, a GC log. See docs/benchmark.md, "Soak and slow streams" and "Second pass".
#
#   benchmarks/scripts/long-runs.sh soak     [SECONDS]  64 connections; full GCs forced at 1 min, 5 min and 10 s
#                                                        before the end; heap after each, RSS, CPU per request
#   benchmarks/scripts/long-runs.sh streams  [N]        N slow streams at once (20 chunks 1 s apart); RSS per stream
#                                                        (STREAMS_WARMUP streams at once before, default 20: 1000
#                                                        leaves the JIT's compilation of the streaming path out)
#   benchmarks/scripts/long-runs.sh latency  [SECONDS]  one connection, warm: p50/p90/p99 beside direct's (the
#                                                        one to compare p99s with: sched's is inflated by its trace)
#   benchmarks/scripts/long-runs.sh threads  [SECONDS]  64 connections after 15 s of them: CPU per request by thread
#                                                        (request carriers, the collector's VM Thread, the JIT, the
#                                                        record writer...), read from /proc: what this machine
#                                                        measures best when the host steals or the JIT is still busy;
#                                                        also wrk's latency, the peak RSS and the full collections
#   benchmarks/scripts/long-runs.sh sched    [SECONDS]  one connection after 60 s of it (the JIT done), with the
#                                                        kernel's scheduler trace of core 0 (perf sched): how often
#                                                        the request carrier waited for the core, and which threads ran;
#                                                        recording the trace doubles the p99 it prints (0.8-1.1 ms
#                                                        against 0.3-0.5 ms without, twentieth pass)
#
# Environment: JAR (default bootstrap/target/token-proxy.jar), JVM_FILE (default its token-proxy.jvm), EXTRA (more
# JVM options, e.g. a JFR recording), BENCH (default ../shared/bench), OUT (default /tmp/token-proxy-long-runs),
# BENCH_BODY_FILE (a request body file for soak, threads and latency, as run.sh takes it), GATEWAY_YAML (more top-level lines
# for the gateway's config, e.g. 'records: { enabled: false }').
# Every mode also prints the share of CPU time the host stole while it measured (/proc/stat): on a shared virtual
# machine, runs with much of it are not comparable with runs without.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:?usage: long-runs.sh soak|streams|threads|latency|sched [SECONDS|N]}
arg=${2:-}
root=$PWD
bench=${BENCH:-$root/../shared/bench}
jar=${JAR:-$root/bootstrap/target/token-proxy.jar}
jvm_file=${JVM_FILE:-$(dirname "$jar")/token-proxy.jvm}
out=${OUT:-/tmp/token-proxy-long-runs}/$mode
java_bin=$(bash "$root/.ci/with-jdk" bash -c 'command -v java')
[[ -f "$jar" && -f "$jvm_file" ]] || { echo "build first: bash .ci/with-jdk mvn -B -q -DskipTests package" >&2; exit 2; }
for tool in nginx wrk node taskset; do
  command -v "$tool" > /dev/null || { echo "$tool is needed (../shared/bench/setup.sh)" >&2; exit 2; }
done

rm -rf "$out"; mkdir -p "$out/nginx/logs" "$out/nginx/tmp"
chunk_delay=0.010
[[ $mode == streams ]] && chunk_delay=1.000
modules=$(nginx -V 2>&1 | tr ' ' '\n' | sed -n 's/^--modules-path=//p')
ln -sfn "$modules" "$out/nginx/modules"
sed -e "s|@PORT@|18080|g" -e "s|@API_KEY@|sk-bench-key|g" -e "s|@SSE_CHUNKS@|20|g" -e "s|@SSE_DELAY_S@|$chunk_delay|g" \
  "$bench/mock/nginx.conf.tmpl" > "$out/nginx/nginx.conf"
taskset -c 1 nginx -p "$out/nginx/" -e "$out/nginx/logs/error.log" -c nginx.conf > /dev/null 2>&1 &
printf '%s\n' 'listen: { host: 127.0.0.1, port: 18090 }' "data_dir: $out/data" 'upstreams:' \
  '  - { id: bench, provider: openai, base_url: "http://127.0.0.1:18080/v1", api_keys: ["sk-bench-key"] }' \
  "${GATEWAY_YAML:-}" > "$out/gateway.yaml"
# shellcheck disable=SC2086 # EXTRA is a list of options
taskset -c 0 "$java_bin" @"$jvm_file" ${EXTRA:-} -Xlog:gc:file="$out/gc.log" -jar "$jar" --config "$out/gateway.yaml" \
  > "$out/gateway.out" 2> "$out/gateway.err" &
gateway=$!
stop() {
  kill "$gateway" 2> /dev/null || true
  wait "$gateway" 2> /dev/null || true
  pkill -f "nginx -p $out/nginx" 2> /dev/null || true
}
trap stop EXIT
for _ in $(seq 300); do grep -q listening "$out/gateway.out" 2> /dev/null && break; sleep 0.1; done
grep -q listening "$out/gateway.out" || { echo "the gateway did not start: $out/gateway.err" >&2; exit 1; }

proxy=http://127.0.0.1:18090/v1/chat/completions
direct=http://127.0.0.1:18080/v1/chat/completions
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$gateway/status"; }
cpu_ticks() { awk '{print $14 + $15, $14}' "/proc/$gateway/stat"; }
host_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9}' /proc/stat; }
stolen_since() { local now; read -ra now <<< "$(host_ticks)"; echo "$(( (now[1] - $2) * 100 / (now[0] - $1 + 1) ))%"; }
load() { taskset -c 1 wrk -t1 "$@" -s "$bench/wrk_post.lua"; }
streams() { taskset -c 1 node "$bench/sse_client.mjs" --warmup 0 --timeout-ms 120000 "$@"; }
# CPU ticks of the gateway's threads, summed by name without its number ("C2 CompilerThre", "ForkJoinPool-1-").
thread_ticks() {
  for task in /proc/"$gateway"/task/*; do
    local name fields
    name=$(tr ' ' '_' < "$task/comm")
    read -ra fields <<< "$(cut -d')' -f2 "$task/stat")"
    echo "$name $(( fields[11] + fields[12] ))"
  done | awk '{sub(/[#0-9]+$/, "", $1); ticks[$1] += $2} END {for (name in ticks) print name, ticks[name]}' | sort
}

case $mode in
  soak)
    seconds=${arg:-600}
    load -c64 -d20s "$proxy" > "$out/warm-up.txt"
    echo "RSS after warm-up: $(rss) MB"
    read -ra cpu0 <<< "$(cpu_ticks)"; read -ra host0 <<< "$(host_ticks)"
    load -c64 -d"${seconds}s" "$proxy" > "$out/wrk.txt" &
    loader=$!
    t=0
    while kill -0 "$loader" 2> /dev/null; do
      sleep 10; t=$((t + 10))
      echo "t=$t rss=$(rss)MB" >> "$out/rss.txt"
      if (( t == 60 || t == 300 || t == seconds - 10 )); then
        bash "$root/.ci/with-jdk" jcmd "$gateway" GC.run > /dev/null 2>&1 || true
      fi
    done
    read -ra cpu1 <<< "$(cpu_ticks)"
    requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
    ticks=$(( cpu1[0] - cpu0[0] ))
    hz=$(getconf CLK_TCK)
    echo "requests: $requests, $(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt") per second"
    grep -E "Non-2xx|Socket errors" "$out/wrk.txt" || echo "errors: none"
    echo "CPU per request: $(( ticks * 1000000 / hz / requests )) us ($(( (cpu1[1] - cpu0[1]) * 100 / (ticks + 1) ))% user)"
    echo "heap after each forced full GC: $(grep -E 'Diagnostic Command|System.gc' "$out/gc.log" | sed -E 's/.*->([0-9]+M).*/\1/' | paste -sd' ')"
    echo "collections: $(grep -c 'Pause Young' "$out/gc.log") young, $(grep -c 'Pause Full' "$out/gc.log") full"
    echo "RSS while loaded: $(sed -E 's/.*rss=([0-9]+)MB/\1/' "$out/rss.txt" | sort -n | sed -n '1p;$p' | paste -sd'-') MB"
    echo "CPU stolen by the host: $(stolen_since "${host0[@]}")"
    ;;
  streams)
    n=${arg:-1000}
    warm=${STREAMS_WARMUP:-20}
    streams --url "$proxy" --n "$warm" --concurrency "$warm" > "$out/warm-up.txt"
    # A full collection and the native-heap trim's interval: idle means what a quiet gateway holds, not the warm-up's
    # garbage or the JIT compiler's arenas.
    bash "$root/.ci/with-jdk" jcmd "$gateway" GC.run > /dev/null 2>&1 || true
    sleep 3
    idle=$(rss)
    read -ra host0 <<< "$(host_ticks)"
    streams --url "$proxy" --n "$n" --concurrency "$n" > "$out/streams.txt" &
    client=$!
    peak=$idle
    while kill -0 "$client" 2> /dev/null; do
      r=$(rss); (( r > peak )) && peak=$r
      sleep 0.5
    done
    tail -1 "$out/streams.txt"
    echo "RSS idle $idle MB, peak $peak MB: $(( (peak - idle) * 1024 / n )) KB per stream"
    echo "CPU stolen by the host: $(stolen_since "${host0[@]}")"
    ;;
  threads)
    seconds=${arg:-30}
    load -c64 -d15s "$proxy" > "$out/warm-up.txt"
    thread_ticks > "$out/threads-before.txt"
    read -ra host0 <<< "$(host_ticks)"
    full0=$(grep -c 'Pause Full' "$out/gc.log" || true)
    load -c64 -d"${seconds}s" "$proxy" > "$out/wrk.txt" &
    loader=$!
    peak=0
    while kill -0 "$loader" 2> /dev/null; do
      r=$(rss); (( r > peak )) && peak=$r
      sleep 0.5
    done
    wait "$loader"
    thread_ticks > "$out/threads-after.txt"
    requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
    echo "requests: $requests, $(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt") per second"
    echo "latency (wrk: mean, stdev, max): $(awk '/Latency/ {print $2", "$3", "$4}' "$out/wrk.txt"); peak RSS $peak MB"
    grep -E "Non-2xx|Socket errors" "$out/wrk.txt" || echo "errors: none"
    echo "CPU per request by thread (threads under 1 us left out):"
    join "$out/threads-before.txt" "$out/threads-after.txt" | awk -v n="$requests" -v hz="$(getconf CLK_TCK)" '
      { us = ($3 - $2) * 1000000 / hz / n; total += us; if (us >= 1) printf "  %-24s %8.0f us\n", $1, us }
      END { printf "  %-24s %8.0f us\n", "total", total }'
    echo "collections: $(grep -c 'Pause Young' "$out/gc.log") young, $(grep -c 'Pause Full' "$out/gc.log") full (warm-up included), $(( $(grep -c 'Pause Full' "$out/gc.log") - full0 )) full while measured"
    echo "CPU stolen by the host: $(stolen_since "${host0[@]}")"
    ;;
  latency)
    seconds=${arg:-20}
    load -c32 -d20s "$proxy" > "$out/warm-up.txt"
    read -ra host0 <<< "$(host_ticks)"
    BENCH_HEADERS="Authorization: Bearer sk-bench-key" load -c1 -d"${seconds}s" --latency "$direct" > "$out/direct.txt"
    direct_stolen=$(stolen_since "${host0[@]}")
    # A minute at one connection first, as sched does: measured right after the direct run, the gateway's p99 was
    # 1.9-2.4 ms, its one-connection paths still being compiled, against 0.31-0.50 ms after (benchmark.md, twentieth
    # pass).
    load -c1 -d60s "$proxy" > /dev/null
    read -ra host0 <<< "$(host_ticks)"
    load -c1 -d"${seconds}s" --latency "$proxy" > "$out/proxy.txt"
    proxy_stolen=$(stolen_since "${host0[@]}")
    for target in direct proxy; do
      echo "$target: $(grep -E '^ +(50|90|99)%' "$out/$target.txt" | awk '{printf "p%s %s  ", $1, $2}' | tr -d '%')"
    done
    echo "CPU stolen by the host: $direct_stolen while direct ran, $proxy_stolen while the proxy ran"
    ;;
  sched)
    seconds=${arg:-20}
    command -v perf > /dev/null || { echo "perf is needed for sched" >&2; exit 2; }
    load -c32 -d20s "$proxy" > "$out/warm-up.txt"
    load -c1 -d60s "$proxy" > /dev/null # the idle paths of the scheduler get compiled (docs/benchmark.md, fourth pass)
    read -ra host0 <<< "$(host_ticks)"
    load -c1 -d"${seconds}s" --latency "$proxy" > "$out/proxy.txt" &
    loader=$!
    sleep 2
    perf sched record -C 0 -o "$out/sched.data" -- sleep 5 > /dev/null 2>&1
    wait "$loader"
    echo "proxy: $(grep -E '^ +(50|90|99)%' "$out/proxy.txt" | awk '{printf "p%s %s  ", $1, $2}' | tr -d '%')"
    # timehist columns: time, cpu, task, wait, scheduling delay, run time (ms); task names may hold spaces. On JDK 25
    # the scheduler's timer thread is a "ForkJoinPool-1-" too (delayScheduler): the carrier is the one that ran most.
    perf sched timehist -i "$out/sched.data" -C 0 2> /dev/null | awk 'NR > 3 {
        task = substr($0, 25, 30); name = task; sub(/\[.*/, "", name); gsub(/ +$/, "", name); run[name] += $NF
        if (name ~ /^ForkJoinPool/) { tid = task; sub(/.*\[/, "", tid); sub(/[\/\]].*/, "", tid)
          ran[tid] += $NF; if ($(NF - 1) > 1) { waits[tid]++; if ($(NF - 1) > 2) long[tid]++ } } }
      END { for (t in ran) if (ran[t] > most) { most = ran[t]; carrier = t }
        for (t in ran) if (t != carrier) { timer_waits += waits[t] }
        printf "in 5 s: the request carrier waited > 1 ms for the core %d times (> 2 ms: %d); the scheduler'"'"'s timer %d times\n",
          waits[carrier], long[carrier], timer_waits
        printf "run time (ms):"; for (n in run) if (run[n] >= 5) printf " %s=%.0f", n, run[n]; print "" }'
    echo "CPU stolen by the host: $(stolen_since "${host0[@]}")"
    ;;
  *)
    echo "usage: long-runs.sh soak|streams|threads|latency|sched [SECONDS|N]" >&2
    exit 2
    ;;
esac
echo "files: $out"
