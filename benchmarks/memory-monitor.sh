# Sourced by the benchmark scripts: pauses and resumes the kernel's DAMON memory monitor (kdamond), which some VMs run to
# page out cold page cache. This one does (docs/BENCHMARKS.md, "the machine's memory monitor"): once it has run for a few
# minutes under load it takes 40–100 ms of CPU a second in bursts that stall every process, and they are most of the live
# tail. Pausing it is a diagnosis, opt-in, never the standard figure. Writing `on` again restarts it with its settings
# (the sysfs files keep them) and a fresh picture of memory, so pause last in a script.
monitors=/sys/kernel/mm/damon/admin/kdamonds
paused_monitors=()

memory_monitor_pause() { # pauses every running kdamond (needs root); fails when it paused none, so no figure is mislabelled
  local state
  for state in "$monitors"/*/state; do
    [ -e "$state" ] && [ "$(cat "$state")" = on ] || continue
    if echo off >"$state" 2>/dev/null; then paused_monitors+=("$state"); else echo "cannot pause $state (needs root)"; fi
  done
  [ ${#paused_monitors[@]} -gt 0 ] || { echo "no memory monitor running, or none could be paused: diagnosis skipped"; return 1; }
  echo "paused the memory monitor: ${paused_monitors[*]}"
}

memory_monitor_resume() { # safe to call twice (an EXIT trap and the script's own call)
  local state
  for state in "${paused_monitors[@]}"; do echo on >"$state" && echo "resumed the memory monitor: $state"; done
  paused_monitors=()
}
