#!/usr/bin/env bash
# Load test of `hotspot serve` on loopback (issue: map server targets).
#
# 1. Builds the release binaries, generates 1,000,000 police.uk rows over the synthetic city
#    (make-fixtures --police-uk-rows) and ingests them into a fresh store with the fixture wards.
# 2. Starts the release server on 127.0.0.1 and a fixed list of tiles at zooms 10-16 around the
#    city (incidents, hotspots and wards layers, MVT).
# 3. Cold: with a fresh parameter set (a new permutation seed, so every analysis is computed
#    again), requests each tile once in turn and reports p50/p99 (analysis included).
# 4. Warm: every tile requested once already; wrk (Debian package), 2 threads, 32 connections,
#    15 s over the tile list, then the same on /health; prints requests/s, p50/p99, errors and
#    the tiles/health throughput ratio.
# Loopback only; bounded in time; stops the server at the end.
# Targets: warm >= 20,000 req/s, p99 < 5 ms, >= 0.7 x /health; cold p99 < 20 ms; zero errors.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
DURATION=${DURATION:-15s}
PORT=${PORT:-18089}
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin hotspot --bin make-fixtures
bin=target/release/hotspot
store="$work/load.gpkg"
echo "generating and ingesting 1,000,000 rows..."
target/release/make-fixtures --police-uk-rows 1000000 --seed 7 > "$work/1m.csv"
$bin --quiet --store "$store" import wards fixtures/wards.geojson --population fixtures/ward-population.csv
/usr/bin/time -f "ingest: %e s" $bin --quiet --store "$store" ingest police-uk "$work/1m.csv"

$bin --quiet --store "$store" serve --addr "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do grep -q "Serving the map" "$work/serve.log" && break; sleep 0.1; done
grep -q "Serving the map" "$work/serve.log" || { cat "$work/serve.log"; exit 1; }

python3 - "$PORT" "$work" <<'PY'
import http.client, math, statistics, sys, time
port, work = int(sys.argv[1]), sys.argv[2]
def tiles(z, lon0, lat0, lon1, lat1):
    def xy(lon, lat):
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return x, y
    (x0, y1), (x1, y0) = xy(lon0, lat0), xy(lon1, lat1)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
coords = []
for z in range(10, 14):
    coords += tiles(z, -1.12, 50.77, -1.02, 50.87)
for z in range(14, 17):  # the city centre (Guildhall, Commercial Road, Gunwharf)
    coords += tiles(z, -1.11, 50.79, -1.08, 50.81)
paths = [f"/tiles/{layer}/{z}/{x}/{y}.mvt" for (z, x, y) in coords for layer in ("incidents", "hotspots", "wards")]
def run(fresh):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times, errors = [], 0
    for p in paths:
        # A fresh parameter set per layer: a new permutation seed for hot spots, a new end
        # date for incidents; wards take no parameters (built once per snapshot).
        suffix = ""
        if fresh and "/hotspots/" in p:
            suffix = f"?seed={fresh}"
        elif fresh and "/incidents/" in p:
            suffix = f"?from=2023-01-01&to=2024-12-{1 + fresh % 28:02d}"
        t = time.perf_counter()
        conn.request("GET", p + suffix)
        r = conn.getresponse(); r.read()
        times.append((time.perf_counter() - t) * 1000)
        errors += r.status >= 400
    times.sort()
    return times, errors
cold, err = run(int(time.time()) % 100000 + 2)
q = lambda ts, f: ts[min(len(ts) - 1, int(f * len(ts)))]
print(f"tiles: {len(paths)} ({len(coords)} tiles x 3 layers, z10-16)")
print(f"cold (fresh parameters, analysis included): p50 {q(cold, .5):.2f} ms, p99 {q(cold, .99):.2f} ms, max {cold[-1]:.1f} ms, errors {err}")
warm, err = run(0)  # prime the default parameter set
with open(f"{work}/paths.txt", "w") as f:
    f.write("\n".join(paths) + "\n")
PY

# The requests are formatted once per wrk thread, so the load generator (on the same two cores)
# spends no more per tile request than per /health request.
cat > "$work/tiles.lua" <<LUA
local requests = {}
init = function(args)
  for line in io.lines("$work/paths.txt") do requests[#requests + 1] = wrk.format("GET", line) end
end
local i = 0
request = function()
  i = i % #requests + 1
  return requests[i]
end
LUA
echo "warm tiles:"
wrk -t2 -c32 -d"$DURATION" --latency -s "$work/tiles.lua" "http://127.0.0.1:$PORT" | tee "$work/wrk-tiles.txt" | grep -E "Requests/sec|  50%|  99%|Non-2xx|errors"
echo "/health:"
wrk -t2 -c32 -d"$DURATION" --latency "http://127.0.0.1:$PORT/health" | tee "$work/wrk-health.txt" | grep -E "Requests/sec|  50%|  99%|Non-2xx|errors"
t=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-tiles.txt")
h=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-health.txt")
python3 -c "print(f'tiles / health throughput: {$t / $h:.2f}')"
