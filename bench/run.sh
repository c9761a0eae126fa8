#!/usr/bin/env bash
# bench/run.sh: the performance harness of issue 6. `make bench` runs it.
#
# Builds preflight once, generates corpora in a temp dir, measures the five
# scenarios (medians of RUNS runs, alternating where two tools compete),
# prints one table and writes it to bench/RESULTS.md.
#
# Environment:
#   RUNS=5          repetitions per timed scenario (median reported)
#   NET_RUNS=$RUNS  repetitions of the network runs (each takes 6-25 s)
#   SKIP_AJV=1      skip the ajv-cli comparison (also skipped without npm)
#   SKIP_NET=1      skip the network scenario
#   SKIP_1M=1       skip the 1,000,000-line RSS run
#   KEEP=1          keep the temp dir
#   RESULTS=path    where to write the table (default bench/RESULTS.md)
#
# Only loopback is used at run time; npm install of ajv-cli is the one
# download (into a temp prefix). Every step is bounded.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}
RUNS=${RUNS:-5}
NET_RUNS=${NET_RUNS:-$RUNS}
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/preflight-bench.XXXXXX")
LAT_PID=""

cleanup() {
	if [[ -n $LAT_PID ]]; then kill "$LAT_PID" 2>/dev/null || true; fi
	if [[ ${KEEP:-0} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

log() { printf '>> %s\n' "$*" >&2; }

# now prints the wall clock in microseconds without forking.
now() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# median reads numbers, one per line, and prints the median.
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# timed CMD...: runs CMD, prints its wall time in seconds. Exit codes 0 and
# 1 (findings) are fine; anything else is a tool failure.
timed() {
	local t0 t1 rc=0
	t0=$(now)
	"$@" >/dev/null || rc=$?
	t1=$(now)
	if ((rc > 1)); then
		echo "command failed with exit code $rc: $*" >&2
		return 1
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f\n", (b-a)/1e6}'
}

# peak_rss CMD...: runs CMD under /usr/bin/time, prints peak RSS in MB.
peak_rss() {
	local rc=0
	/usr/bin/time -f '%M' -o "$TMP/rss" "$@" || rc=$?
	if ((rc > 1)); then
		echo "command failed with exit code $rc: $*" >&2
		return 1
	fi
	awk '/^[0-9]+$/ {printf "%.1f\n", $1/1024}' "$TMP/rss" | tail -1
}

ROWS=()
# row SCENARIO PREFLIGHT PEER RATIO TARGET PASS
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
passfail() { if awk "BEGIN {exit !($1)}"; then echo pass; else echo FAIL; fi; }

# ---------------------------------------------------------------- build
log "building preflight and the bench tools into $TMP"
$GO build -o "$TMP/preflight" ./cmd/preflight
$GO build -o "$TMP/corpus" ./bench/corpus
$GO build -o "$TMP/latency" ./bench/latency
$GO build -o "$TMP/agree" ./bench/agree
PF=$TMP/preflight

log "generating corpora"
"$TMP/corpus" -n 10000 -out "$TMP/dir" -manifest "$TMP/manifest.tsv"
"$TMP/corpus" -n 100000 -jsonl "$TMP/100k.jsonl"
cp "$TMP/dir/req-0000000.json" "$TMP/one.json"

# -------------------------------------------- 1. 10,000 files vs ajv-cli
AJV=""
if [[ ${SKIP_AJV:-0} == 1 ]]; then
	log "SKIP_AJV=1: skipping the ajv-cli comparison"
elif ! command -v npm >/dev/null; then
	log "npm not found: skipping the ajv-cli comparison (install Node.js + npm to run it)"
elif ! $PF schema --help >/dev/null 2>&1; then
	log "this preflight has no 'schema' command: skipping the ajv-cli comparison"
else
	log "installing ajv-cli@5 and ajv-formats@2 into $TMP/ajv"
	if timeout 300 npm install --silent --no-audit --no-fund --prefix "$TMP/ajv" ajv-cli@5 ajv-formats@2 >"$TMP/npm.log" 2>&1; then
		AJV=$TMP/ajv/node_modules/.bin/ajv
	else
		log "npm install failed (see below): skipping the ajv-cli comparison"
		tail -5 "$TMP/npm.log" >&2
	fi
fi

pf_dir() { $PF lint --offline --format json "$TMP/dir" >"$TMP/pf-dir.json"; }
ajv_dir() { "$AJV" validate --spec=draft2020 -c ajv-formats -s "$TMP/schema.json" -d "$TMP/dir/*.json" >"$TMP/ajv.log" 2>&1; }

log "1. offline lint of 10,000 files (x$RUNS, alternating with ajv-cli)"
pf_dir || true # warm the page cache
if [[ -n $AJV ]]; then
	$PF schema >"$TMP/schema.json"
	ajv_dir || true
fi
: >"$TMP/t-pf-dir"
: >"$TMP/t-ajv"
for ((i = 0; i < RUNS; i++)); do
	timed pf_dir >>"$TMP/t-pf-dir"
	if [[ -n $AJV ]]; then timed ajv_dir >>"$TMP/t-ajv"; fi
done
T_PF_DIR=$(median <"$TMP/t-pf-dir")
FPS=$(awk -v t="$T_PF_DIR" 'BEGIN {printf "%.0f", 10000/t}')
if [[ -n $AJV ]]; then
	T_AJV=$(median <"$TMP/t-ajv")
	RATIO=$(awk -v a="$T_AJV" -v b="$T_PF_DIR" 'BEGIN {printf "%.1f", a/b}')
	row "1. lint 10,000 files offline (wall, median of $RUNS)" "$(printf '%.3f s (%s files/s)' "$T_PF_DIR" "$FPS")" \
		"$(printf 'ajv-cli 5: %.3f s' "$T_AJV")" "${RATIO}x" ">= 10x" "$(passfail "$RATIO >= 10")"
	$PF schema --help | sed -n '/cannot express/,/^$/p' >"$TMP/skip.txt"
	"$TMP/agree" -preflight "$TMP/pf-dir.json" -ajv "$TMP/ajv.log" -skip "$TMP/skip.txt" -n 10000 >"$TMP/agree.txt"
	read -r AGREE N BOTH ONLY_PF ONLY_AJV AJV_SEEN <"$TMP/agree.txt"
	row "1b. same files flagged structurally invalid" "$((BOTH + ONLY_PF)) flagged" "$((BOTH + ONLY_AJV)) flagged" \
		"agree on $AGREE/$N" "all agree" "$(passfail "$AGREE == $N && $AJV_SEEN == $N")"
	if ((ONLY_PF + ONLY_AJV > 0)); then
		log "disagreements:"
		tail -n +2 "$TMP/agree.txt" >&2
	fi
else
	row "1. lint 10,000 files offline (wall, median of $RUNS)" "$(printf '%.3f s (%s files/s)' "$T_PF_DIR" "$FPS")" \
		"ajv-cli: skipped" "-" ">= 10x" "skipped"
fi

# ------------------------------------------ 2. 100,000-line JSONL, RSS
log "2. offline lint of a 100,000-line JSONL (x$RUNS)"
pf_jsonl() { $PF lint --offline --format json "$1" >"$TMP/pf-jsonl.json"; }
pf_jsonl "$TMP/100k.jsonl" || true
: >"$TMP/t-jsonl"
for ((i = 0; i < RUNS; i++)); do
	timed pf_jsonl "$TMP/100k.jsonl" >>"$TMP/t-jsonl"
done
T_JSONL=$(median <"$TMP/t-jsonl")
RPS=$(awk -v t="$T_JSONL" 'BEGIN {printf "%.0f", 100000/t}')
ORDER=$("$TMP/agree" -order "$TMP/pf-jsonl.json" 2>&1) || ORDER="NOT IN ORDER: $ORDER"
log "   $ORDER"
row "2. lint 100,000-line JSONL offline, JSON to a file" "$(printf '%.3f s = %s req/s' "$T_JSONL" "$RPS")" "-" "-" \
	">= 100,000 req/s" "$(passfail "$RPS >= 100000")"

RSS_100K=$(peak_rss sh -c "exec $PF lint --offline --format json $TMP/100k.jsonl >$TMP/rss-out.json")
row "2b. peak RSS, 100,000 lines" "$RSS_100K MB" "-" "-" "< 64 MB" "$(passfail "$RSS_100K < 64")"
if [[ ${SKIP_1M:-0} == 1 ]]; then
	row "2c. peak RSS, 1,000,000 lines" "skipped" "-" "-" "< 64 MB, within 20% of 100k" "skipped"
else
	log "   building the 1,000,000-line file (the 100k corpus 10 times)"
	for ((i = 0; i < 10; i++)); do cat "$TMP/100k.jsonl"; done >"$TMP/1m.jsonl"
	T0=$(now)
	RSS_1M=$(peak_rss sh -c "exec $PF lint --offline --format json $TMP/1m.jsonl >$TMP/rss-out.json")
	T1=$(now)
	rm -f "$TMP/1m.jsonl"
	RPS_1M=$(awk -v a="$T0" -v b="$T1" 'BEGIN {printf "%.0f", 1e6/((b-a)/1e6)}')
	GROWTH=$(awk -v a="$RSS_1M" -v b="$RSS_100K" 'BEGIN {printf "%.2f", a/b}')
	row "2c. peak RSS, 1,000,000 lines ($RPS_1M req/s)" "$RSS_1M MB" "-" "${GROWTH}x of 100k" \
		"< 64 MB, <= 1.2x" "$(passfail "$RSS_1M < 64 && $GROWTH <= 1.2")"
fi

# ----------------------------------------------------------- 3. start-up
log "3. start-up: lint --offline one.json"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 5 --runs $((RUNS * 10)) -i --export-json "$TMP/hf.json" \
		"$PF lint --offline $TMP/one.json" >/dev/null 2>&1
	T_START=$(grep -o '"median": *[0-9.e-]*' "$TMP/hf.json" | head -1 | awk '{printf "%.2f", $2*1000}')
	HOW="hyperfine median of $((RUNS * 10))"
else
	: >"$TMP/t-start"
	for ((i = 0; i < RUNS * 10; i++)); do timed "$PF" lint --offline "$TMP/one.json" >>"$TMP/t-start"; done
	T_START=$(median <"$TMP/t-start" | awk '{printf "%.2f", $1*1000}')
	HOW="shell-timed median of $((RUNS * 10))"
fi
row "3. start-up: lint --offline one.json ($HOW)" "$T_START ms" "-" "-" "< 15 ms" "$(passfail "$T_START < 15")"

# ------------------------------------------------------------ 4. library
log "4. library benchmarks (-count $RUNS)"
# bench_median FILE NAME COLUMN-UNIT: median of the value before UNIT on
# lines of benchmark NAME (exact name, -N GOMAXPROCS suffix stripped).
bench_median() {
	awk -v name="$2" -v unit="$3" '{n=$1; sub(/-[0-9]+$/, "", n)} n==name {for (i=2;i<=NF;i++) if ($i==unit) print $(i-1)}' "$1" | median
}
$GO test -run '^$' -bench 'BenchmarkRequest|BenchmarkTransport|BenchmarkParse$' -benchmem -count "$RUNS" ./validate/ >"$TMP/bench-validate.txt"
REQ_NS=$(bench_median "$TMP/bench-validate.txt" BenchmarkRequestTypical/valid-1KB ns/op)
REQ_AL=$(bench_median "$TMP/bench-validate.txt" BenchmarkRequestTypical/valid-1KB allocs/op)
SMALL_AL=$(bench_median "$TMP/bench-validate.txt" BenchmarkRequest allocs/op)
RT_AL=$(bench_median "$TMP/bench-validate.txt" BenchmarkTransport allocs/op)
RT_NS=$(bench_median "$TMP/bench-validate.txt" BenchmarkTransport ns/op)
SMALL_NS=$(bench_median "$TMP/bench-validate.txt" BenchmarkRequest ns/op)
PEER="-"
PRATIO="-"
if (cd bench/peer && $GO test -run '^$' -bench . -benchmem -count "$RUNS" >"$TMP/bench-peer.txt" 2>&1); then
	KIN_NS=$(bench_median "$TMP/bench-peer.txt" BenchmarkPeer/kin-openapi ns/op)
	KIN_AL=$(bench_median "$TMP/bench-peer.txt" BenchmarkPeer/kin-openapi allocs/op)
	PF_NS=$(bench_median "$TMP/bench-peer.txt" BenchmarkPeer/preflight ns/op)
	PEER=$(awk -v n="$KIN_NS" -v a="$KIN_AL" 'BEGIN {printf "kin-openapi: %.2f us, %d allocs", n/1000, a}')
	PRATIO=$(awk -v a="$KIN_NS" -v b="$PF_NS" 'BEGIN {printf "%.1fx", a/b}')
else
	log "bench/peer failed (kin-openapi needs the Go module proxy):"
	tail -5 "$TMP/bench-peer.txt" >&2
fi
row "4. validate.Request, typical 1 KB valid" "$(awk -v n="$REQ_NS" -v a="$REQ_AL" 'BEGIN {printf "%.2f us, %d allocs", n/1000, a}')" \
	"$PEER" "$PRATIO" "< 5 us, < 10 allocs" "$(passfail "$REQ_NS < 5000 && $REQ_AL < 10")"
RT_EXTRA=$(awk -v a="$RT_AL" -v b="$SMALL_AL" 'BEGIN {print a-b}')
row "4b. NewTransport RoundTrip over validate.Request" \
	"$(awk -v n="$RT_NS" -v s="$SMALL_NS" -v x="$RT_EXTRA" 'BEGIN {printf "+%d allocs (+%.2f us)", x, (n-s)/1000}')" \
	"-" "-" "< 2 more allocs" "$(passfail "$RT_EXTRA < 2")"

# ------------------------------------------------------------ 5. network
if [[ ${SKIP_NET:-0} == 1 ]]; then
	log "SKIP_NET=1: skipping the network scenario"
else
	log "5. network: 1,000 unique URLs on a loopback server with 100 ms delay"
	"$TMP/latency" -addr 127.0.0.1:0 -hosts 4 -delay 100ms -max 10m -addr-file "$TMP/lat.addr" >"$TMP/latency.log" 2>&1 &
	LAT_PID=$!
	for ((i = 0; i < 100; i++)); do [[ -s $TMP/lat.addr ]] && break; sleep 0.05; done
	ADDR=$(cat "$TMP/lat.addr")
	reset() { curl -fsS "http://$ADDR/__reset" >/dev/null; }
	awk -v a="$ADDR" 'BEGIN {for (i = 1; i <= 1000; i++) printf "{\"model\":\"nano-banana\",\"input\":{\"mode\":\"image-to-image\",\"prompt\":\"a red fox in fresh snow, reference %d\",\"image_urls\":[\"http://%s/ref/%05d.jpg\"]}}\n", i, a, i}' >"$TMP/net1k.jsonl"
	# Every URL named 10 times: 2,000 requests of 5 URLs each.
	awk -v a="$ADDR" 'BEGIN {for (r = 0; r < 10; r++) for (i = 0; i < 200; i++) { printf "{\"model\":\"nano-banana\",\"input\":{\"mode\":\"image-to-image\",\"prompt\":\"a red fox\",\"image_urls\":["; for (k = 1; k <= 5; k++) printf "%s\"http://%s/ref/%05d.jpg\"", (k>1?",":""), a, i*5+k; print "]}}" }}' >"$TMP/net10x.jsonl"
	PORT=${ADDR##*:}
	# The same 1,000 URLs spread over 4 loopback hosts (250 each).
	awk -v p="$PORT" 'BEGIN {for (i = 1; i <= 1000; i++) printf "{\"model\":\"nano-banana\",\"input\":{\"mode\":\"image-to-image\",\"prompt\":\"a red fox in fresh snow, reference %d\",\"image_urls\":[\"http://127.0.0.%d:%s/ref/%05d.jpg\"]}}\n", i, 1 + i % 4, p, i}' >"$TMP/net1k-4hosts.jsonl"
	NET=("$PF" lint --format json --network required --allow-host "$ADDR")
	NET4=("$PF" lint --format json --network required)
	for ((k = 1; k <= 4; k++)); do NET4+=(--allow-host "127.0.0.$k:$PORT"); done
	: >"$TMP/t-net"
	: >"$TMP/t-net4"
	NET_REQS=()
	for ((i = 0; i < NET_RUNS; i++)); do
		reset
		timed "${NET[@]}" --no-cache "$TMP/net1k.jsonl" >>"$TMP/t-net" 2>/dev/null
		NET_REQS+=("$(curl -fsS "http://$ADDR/__reset")")
		timed "${NET4[@]}" --no-cache "$TMP/net1k-4hosts.jsonl" >>"$TMP/t-net4" 2>/dev/null
	done
	T_NET4=$(median <"$TMP/t-net4")
	T_NET=$(median <"$TMP/t-net")
	LIMIT=$(awk 'BEGIN {printf "%.3f", 1.5*1000*0.1/16}')
	row "5. network: 1,000 unique URLs, 100 ms each, default concurrency" "$(printf '%.2f s (%s requests)' "$T_NET" "${NET_REQS[0]}")" \
		"-" "-" "< $LIMIT s" "$(passfail "$T_NET < $LIMIT")"
	row "5a. the same 1,000 URLs spread over 4 loopback hosts" "$(printf '%.2f s' "$T_NET4")" "-" "-" "< $LIMIT s" "$(passfail "$T_NET4 < $LIMIT")"
	reset
	"${NET[@]}" --no-cache "$TMP/net10x.jsonl" >"$TMP/net10x.json" 2>/dev/null || true
	N10=$(curl -fsS "http://$ADDR/__count")
	row "5b. same URLs each named 10 times: requests at server" "$N10" "-" "-" "<= ${NET_REQS[0]} (no more than once each)" \
		"$(passfail "$N10 <= ${NET_REQS[0]}")"
	reset
	"${NET[@]}" --cache "$TMP/cache" "$TMP/net1k.jsonl" >/dev/null 2>&1 || true
	FIRST=$(curl -fsS "http://$ADDR/__reset")
	"${NET[@]}" --cache "$TMP/cache" "$TMP/net1k.jsonl" >/dev/null 2>&1 || true
	SECOND=$(curl -fsS "http://$ADDR/__count")
	row "5c. second run with --cache DIR: requests at server" "$SECOND (first run: $FIRST)" "-" "-" "0" "$(passfail "$SECOND == 0")"
	kill "$LAT_PID" 2>/dev/null || true
	wait "$LAT_PID" 2>/dev/null || true
	LAT_PID=""
fi

# ------------------------------------------------------------- report
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
MEM=$(awk '/^MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo 2>/dev/null || echo unknown)
NODE=$(node --version 2>/dev/null || echo "none")
{
	echo "# Benchmark results"
	echo
	echo "Measured by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')."
	echo "Machine: $(nproc) CPUs ($CPU), $MEM RAM, $(uname -sr); $($GO version | awk '{print $3}'); node $NODE."
	echo "Timed scenarios are medians of $RUNS runs (start-up: $((RUNS * 10)) runs); scenario 1 alternates preflight and ajv-cli in the same run."
	echo
	echo "| scenario | preflight | peer | ratio | target | pass/fail |"
	echo "|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Corpus: \`go run ./bench/corpus\` (seed 1): 10,000 files of every catalog model, about 10% invalid (enum case, too-long prompt,"
	echo "missing required field, wrong type, too many references, out of range), prompts 20-2000 characters incl. CJK, accents and emoji, ~1 KB per body."
	echo "The JSONL scenario uses 100,000 requests of the same generator; the 1,000,000-line file is that file 10 times."
	echo "Scenario 5 puts all 1,000 URLs on one host (the per-host limit defaults to --concurrency, so one host gets the whole pool);"
	echo "5a spreads the same URLs over 4 loopback hosts (127.0.0.1-4)."
	echo "Peer of scenario 4: kin-openapi \`openapi3filter.ValidateRequest\` on the same body (bench/peer, its own module)."
} >"$RESULTS"
echo
cat "$RESULTS"
