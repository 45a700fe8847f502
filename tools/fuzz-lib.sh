# Shared by tools/fuzz.sh and tools/fuzz-ffmpeg.sh (sourced, not run): one libFuzzer run
# with the project's caps and its one-line summary.
#   fuzz_run LABEL BINARY WORK SECONDS [LIBFUZZER OPTIONS...] CORPUS [SEED DIRS...]
# WORK must hold artifacts/; the log goes to WORK/log.txt. Prints "LABEL: ..., no crash"
# or "LABEL: FAILED ..." (tools/test.sh counts those) and returns 0 or 1.
fuzz_run() {
  local label=$1 bin=$2 work=$3 secs=$4 rc=0 execs rss cov
  shift 4
  "$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" >"$work/log.txt" 2>&1 || rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/log.txt")
  rss=$(awk '/stat::peak_rss_mb/ {print $2}' "$work/log.txt")
  cov=$(grep -oE 'cov: [0-9]+' "$work/log.txt" | tail -1 || true)
  if [ $rc -eq 0 ]; then
    echo "$label: ${secs} s, ${execs:-?} runs, $cov, peak RSS ${rss:-?} MB, no crash"
    return 0
  fi
  echo "$label: FAILED (exit $rc), see $work/log.txt and $work/artifacts/"
  grep -E 'ERROR|SUMMARY|runtime error|Timeout' "$work/log.txt" | head -5 || true
  return 1
}
