# Sourced by the benchmark scripts: puts each server's managed heap on huge pages (hugetlbfs), as deploy/README.md
# recommends for latency. This VM's DAMON memory monitor (kdamond, benchmarks/memory-monitor.sh) samples pages on the
# kernel's LRU lists, and the processes whose pages it samples stall in its bursts; hugetlb pages are on no LRU list, so it
# passes the heap over (docs/BENCHMARKS.md, session of 2026-12-05, later). Huge pages are reserved system-wide, which needs
# root: without it, or with HUGE_PAGES=0, the servers run on ordinary pages and the script says so.
# Every server gets the same setting (the service and the bare hub alike), one server at a time; PostgreSQL, at its default
# huge_pages = try, its shared memory.
huge_heap_bytes=$((2 << 30)) # the heap's hard limit; also its address range, so the GC reserves no more pages than that
huge_heap_env=()             # environment for a server process: empty when the heap stays on ordinary pages
huge_pages_saved=""

huge_pages_reserve() { # adds one heap's pages, a little for the GC's bookkeeping and PostgreSQL's to vm.nr_hugepages
  local file=/proc/sys/vm/nr_hugepages page_kib pages
  [ "${HUGE_PAGES:-1}" = 1 ] || { echo "huge pages: off (HUGE_PAGES=0), the servers' heaps on ordinary pages"; return 0; }
  page_kib="$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)"
  # PostgreSQL's default (huge_pages = try) takes its shared memory from the pool too: 72 pages at its default 128 MiB of
  # shared buffers. Left to it, its backends' page tables are spared the monitor as well (+4–15% publishes/s in five of
  # six A/B pairs, docs/BENCHMARKS.md).
  pages=$((huge_heap_bytes / 1024 / page_kib + 16 + 128))
  huge_pages_saved="$(cat "$file")"
  if echo $((huge_pages_saved + pages)) 2>/dev/null >"$file" && [ "$(cat "$file")" -ge $((huge_pages_saved + pages)) ]; then
    huge_heap_env=(DOTNET_GCLargePages=1 "DOTNET_GCHeapHardLimit=$(printf '0x%x' "$huge_heap_bytes")"
      "DOTNET_GCRegionRange=$(printf '0x%x' "$huge_heap_bytes")")
    echo "huge pages: $pages of $page_kib KiB for each server's managed heap (hard limit $((huge_heap_bytes >> 20)) MiB) and PostgreSQL"
  else
    huge_pages_release
    echo "huge pages: could not reserve $pages pages (needs root and free memory), the servers' heaps on ordinary pages"
  fi
}

huge_pages_release() { # safe to call twice (an EXIT trap and the script's own call)
  [ -n "$huge_pages_saved" ] && echo "$huge_pages_saved" >/proc/sys/vm/nr_hugepages
  huge_pages_saved=""
}
