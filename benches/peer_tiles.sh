#!/usr/bin/env bash
# Peer comparison of hotspot's tile pipeline with geojson-vt + vt-pbf (npm), on the same
# 1,000,000 seeded points (Portsmouth's extent) and the same list of tiles (every tile that
# meets the extent at zooms 10-16). Extent 4096, buffer 64, no clustering on either side;
# tolerance 3 px on both (points are not simplified by either). Each side runs once, cold:
# one index build, one pass over the tile list (cut + MVT encode). Prints both and the ratios,
# in wall time and in CPU time (user + system; on a shared, loaded machine wall time also
# measures the neighbours, CPU time much less so).
#
# Needs: cargo, node >= 18, npm. Usage: benches/peer_tiles.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root/benches/peer-tiles" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$root" && cargo bench --bench tiles --no-run --quiet)
ours=$(cd "$root" && HOTSPOT_PEER_DIR="$work" cargo bench --bench tiles --quiet 2>/dev/null | tail -n 1)
theirs=$(cd "$root/benches/peer-tiles" && node --max-old-space-size=8192 peer.mjs "$work")

echo "ours:  $ours"
echo "peer:  $theirs"
node -e '
const [a, b] = process.argv.slice(1).map(JSON.parse);
const f = (x) => x.toFixed(1).padStart(9);
console.log(`points ${a.points}, tiles ${a.tiles} (non-empty: ours ${a.nonempty}, peer ${b.nonempty}),`
    + ` features ours ${a.features} / peer ${b.features}, MVT bytes ours ${a.bytes} / peer ${b.bytes}`);
const row = (label, x, y) =>
    console.log(`${label.padEnd(20)} ours ${f(x)} ms   peer ${f(y)} ms   peer/ours ${(y / x).toFixed(2)}x`);
row("index build, wall", a.build_ms, b.build_ms);
row("index build, CPU", a.build_cpu_ms, b.build_cpu_ms);
row("tile list, wall", a.tiles_ms, b.tiles_ms);
row("tile list, CPU", a.tiles_cpu_ms, b.tiles_cpu_ms);
' "$ours" "$theirs"
