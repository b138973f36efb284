#!/usr/bin/env bash
# What the live scenario's tail waits for besides the collector: who holds the two cores while 10,000 clients receive
# 1,000 publishes a second. Runs that scenario (as scale.sh does) and records the kernel's scheduler for 8 s inside the
# measured window (`perf sched record -a`, so root and the perf tool are needed), then prints
#   - the CPU each part used: the server, the load generator, kernel threads, idle;
#   - the bursts of kdamond (the kernel's DAMON memory monitor, when the machine runs one) and the CPU each took;
#   - how often a server thread that woke waited more than 5 ms for a core, and how many of those waits overlapped a burst;
#   - which receipts sent inside the trace took longer than 15 ms (the target's p99) and what each overlapped: a kdamond
#     burst, the server's collector at work (its ".NET Server GC" threads running), or neither. The trace is stamped with
#     CLOCK_MONOTONIC (-k mono), the clock the generator logs each receipt's send time in (--latency-log).
# Usage: benchmarks/scheduling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "needs perf (Debian: apt-get install linux-perf) and root"; exit 1; }
source benchmarks/server.sh
start_server

bench live "http://127.0.0.1:$port" "$key" --connections 10000 --devices 2 --rate 1000 --duration 30 --warmup 10 \
  --server-pid "$server" --latency-log "$data/latency.log" | grep -E "^hub|publish →" &
generator=$! # the pipeline
# The window opens about 25 s after the generator starts (connecting, settling, warming up) and lasts 30 s.
sleep 32
perf sched record -k mono -a -o "$data/sched.data" -- sleep 8 >/dev/null 2>&1
wait $generator

perf sched timehist -i "$data/sched.data" 2>/dev/null | awk -v server="$server" -v intervals="$data" '
  # time cpu name[tid/pid] wait sch-delay run (ms); names may hold spaces
  $1 ~ /^[0-9]+\.[0-9]+$/ && NF >= 6 {
    t = $1; run = $NF; sch = $(NF - 1); name = $3; for (i = 4; i <= NF - 3; i++) name = name " " $i
    pid = 0; if (match(name, /\[[0-9]+(\/[0-9]+)?\]$/)) { ids = substr(name, RSTART + 1, RLENGTH - 2); n = split(ids, id, "/"); pid = id[n]; name = substr(name, 1, RSTART - 1) }
    if (first == "") first = t; last = t
    who = pid == server ? "the server" : name == "<idle>" ? "idle" : name ~ /^kdamond/ ? "kdamond" : "the rest (load generator, kernel, perf)"
    cpu[who] += run
    if (name ~ /^kdamond/) { start = t - run / 1000; if (bursts && start - burst_end[bursts] < 0.005) { burst_end[bursts] = t; burst_cpu[bursts] += run } else { bursts++; burst_start[bursts] = start; burst_end[bursts] = t; burst_cpu[bursts] = run } }
    if (pid == server && name == ".NET Server GC") printf "%.6f %.6f\n", t - run / 1000, t > (intervals "/gc")
    if (pid == server) { wakes++; if (sch > 5) { waits++; wait_from[waits] = t - (run + sch) / 1000; wait_to[waits] = t - run / 1000; if (sch > longest) longest = sch } }
  }
  END {
    span = last - first
    printf "scheduler trace of %.1f s inside the window; CPU used, in %% of one core (two cores: 200%%):\n", span
    for (w in cpu) printf "  %-45s %5.1f%%\n", w, cpu[w] / span / 10
    for (b = 1; b <= bursts; b++) if (burst_cpu[b] > 3) { big++; if (burst_cpu[b] > most) most = burst_cpu[b]; bs[big] = burst_start[b]; be[big] = burst_end[b]; printf "%.6f %.6f\n", bs[big], be[big] > (intervals "/bursts") }
    printf "%.6f %.6f\n", first, last > (intervals "/span")
    printf "kdamond: %d bursts of more than 3 ms of CPU (one every %.2f s), the largest %.1f ms\n", big, big ? span / big : 0, most
    for (i = 1; i <= waits; i++) for (b = 1; b <= big; b++) if (bs[b] < wait_to[i] && be[b] > wait_from[i]) { during++; break }
    printf "server threads woken: %d; waited more than 5 ms for a core: %d (%d of them during a kdamond burst), the longest %.1f ms\n", wakes, waits, during, longest
  }'

# Each slow receipt of a publish sent inside the trace, against the bursts and the collector's runs (both widened by 1 ms).
touch "$data/bursts" "$data/gc"
awk '
  # Whether [s, e] overlaps one of the n intervals [starts[i], ends[i]].
  function overlaps(s, e, n, starts, ends,    i) {
    for (i = 1; i <= n; i++) if (starts[i] < e && ends[i] > s) return 1
    return 0
  }
  BEGIN { srand(1) }
  FILENAME ~ /span$/ { from = $1; to = $2; next }
  FILENAME ~ /bursts$/ { nb++; bs[nb] = $1 - 0.001; be[nb] = $2 + 0.001; covered += be[nb] - bs[nb]; next }
  FILENAME ~ /gc$/ { ng++; gs[ng] = $1 - 0.001; ge[ng] = $2 + 0.001; next }
  $1 >= from && $1 + $2 / 1000 <= to {
    all++; if ($2 <= 15) next
    slow++; s = $1; e = $1 + $2 / 1000
    # The control: the same receipt moved at random by up to 0.5 s either way (two periods of the bursts).
    shift = rand() - 0.5
    chance += overlaps(s + shift, e + shift, nb, bs, be)
    if (overlaps(s, e, nb, bs, be)) burst++
    else if (overlaps(s, e, ng, gs, ge)) gc++
    else other++
  }
  END {
    if (!all) { print "no receipts inside the trace"; exit }
    printf "receipts of publishes sent inside the trace: %d; over 15 ms: %d (%.2f%%), of them\n", all, slow, 100 * slow / all
    printf "  during a kdamond burst (the bursts cover %.1f%% of the time) %d (%.2f%% of all receipts; moved at random, %d would be)\n", 100 * covered / (to - from), burst, 100 * burst / all, chance
    printf "  else while the server collected garbage                   %d (%.2f%%)\n", gc, 100 * gc / all
    printf "  neither                                                    %d (%.2f%%)\n", other, 100 * other / all
  }' "$data/span" "$data/bursts" "$data/gc" "$data/latency.log"
