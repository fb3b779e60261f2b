#!/usr/bin/env python3
"""Peer benchmark: hotspot's Gi* against PySAL esda on a county-sized H3 grid.

1. Fill a Hampshire-sized polygon (about 50 km × 40 km around Southampton and Portsmouth) with
   H3 resolution-9 cells (h3-py `polygon_to_cells`): about 20,000 cells.
2. Give each cell a seeded count (negative binomial, mean 1.5) and write `cell,count` CSV.
3. esda: build libpysal weights from the same k-ring (restricted to the cells, self added by
   `star=True`) and run `G_Local(y, w, transform="B", star=True, permutations=0)`; then again
   with 999 permutations (seed 1, n_jobs=1 after a numba warm-up). Best of `--repeats`.
4. hotspot: run the release example `peer_gi` on the same CSV (weights + z, and 999
   permutations on 2 threads; best of `--repeats`), read back its z.
5. Check the z-scores agree (max |Δz| < 1e-9) and print both times and the ratios.

Needs a venv with esda 2.9.0, libpysal 4.14.1, h3 4.5.0 (see fixtures/golden/make_golden.py);
never run in CI. Usage (from the repo root):

    cargo build --release --example peer_gi
    /tmp/esda-venv/bin/python benches/peer_esda.py [--k 1] [--repeats 3]

On a shared machine without a release build of the dependencies, the dev profile (whose
dependencies are already built at opt-level 2) with the crate itself optimised is equivalent:

    cargo build --example peer_gi --config 'profile.dev.package.hotspot.opt-level=3' \
        --config 'profile.dev.package.hotspot.debug-assertions=false' \
        --config 'profile.dev.package.hotspot.overflow-checks=false'
    /tmp/esda-venv/bin/python benches/peer_esda.py --exe target/debug/examples/peer_gi
"""

import argparse
import csv
import json
import os
import subprocess
import tempfile
import time
import warnings

import esda
import h3
import libpysal
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A rectangle over south Hampshire (lat, lng), about 50 km × 40 km: 20,099 res-9 cells.
POLYGON = [(50.76, -1.62), (50.76, -0.93), (51.12, -0.93), (51.12, -1.62)]


def build_grid(seed: int) -> tuple[list[str], np.ndarray]:
    cells = sorted(h3.polygon_to_cells(h3.LatLngPoly(POLYGON), 9))
    rng = np.random.default_rng(seed)
    counts = rng.negative_binomial(2, 2 / (2 + 1.5), size=len(cells)).astype(float)
    return cells, counts


def kring_w(cells: list[str], k: int) -> libpysal.weights.W:
    index = {c: i for i, c in enumerate(cells)}
    neighbours = {
        i: [index[d] for d in h3.grid_disk(c, k) if d in index and d != c]
        for i, c in enumerate(cells)
    }
    return libpysal.weights.W(neighbours, silence_warnings=True)


def best(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--exe", default=os.path.join(ROOT, "target", "release", "examples", "peer_gi"),
                    help="the built peer_gi example (default: the release build)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    cells, y = build_grid(args.seed)
    tmp = tempfile.mkdtemp(prefix="peer_esda_")
    src = os.path.join(tmp, "cells.csv")
    with open(src, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cell", "count"])
        for c, v in zip(cells, y):
            w.writerow([c, int(v)])

    # esda, analytic: weights + z.
    def esda_analytic():
        w = kring_w(cells, args.k)
        return esda.G_Local(y, w, transform="B", star=True, permutations=0)

    esda_analytic_ms, g = best(esda_analytic, args.repeats)
    w = kring_w(cells, args.k)
    z_only_ms, _ = best(lambda: esda.G_Local(y, w, transform="B", star=True, permutations=0), args.repeats)
    # Warm up numba before timing permutations.
    esda.G_Local(y[:200], kring_w(cells[:200], args.k), transform="B", star=True, permutations=9, seed=1, n_jobs=1)
    esda_perm_ms, gp = best(
        lambda: esda.G_Local(y, w, transform="B", star=True, permutations=999, seed=1, n_jobs=1),
        1,
    )

    # hotspot.
    exe = args.exe
    out_csv = os.path.join(tmp, "ours.csv")
    run = subprocess.run(
        [exe, src, out_csv, str(args.k), "999", "1", str(args.repeats)],
        check=True, capture_output=True, text=True,
    )
    ours = json.loads(run.stdout.strip().splitlines()[-1])
    with open(out_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    z_ours = np.array([float(r["z"]) for r in rows])
    p_ours = np.array([float(r["p_sim"]) for r in rows])
    max_dz = float(np.max(np.abs(z_ours - g.Zs)))
    assert max_dz < 1e-9, f"z disagree: max |dz| = {max_dz}"

    print(f"cells: {len(cells)}  k: {args.k}  counts: {int(y.sum())}")
    print(f"z agree: max |dz| = {max_dz:.2e}")
    hot, cold = g.Zs > 0, g.Zs < 0
    print(f"share p_sim < 0.05: esda {np.mean(gp.p_sim < 0.05):.4f}  hotspot {np.mean(p_ours < 0.05):.4f}"
          f"  (z > 0: esda {np.mean(hot & (gp.p_sim < 0.05)):.4f} hotspot {np.mean(hot & (p_ours < 0.05)):.4f};"
          f" z < 0: esda {np.mean(cold & (gp.p_sim < 0.05)):.4f} hotspot {np.mean(cold & (p_ours < 0.05)):.4f})")
    lonely = cold & (gp.p_sim <= 0.001 + 1e-9)
    print(f"cells esda puts at the minimum p_sim = 0.001 with z < 0: {int(lonely.sum())}"
          f" (ties: its fold counts sim == obs as extreme only on the high side)")
    print(f"analytic (weights + z): esda {esda_analytic_ms:.1f} ms   hotspot {ours['analytic_ms']:.3f} ms"
          f"   ratio {esda_analytic_ms / ours['analytic_ms']:.0f}x")
    print(f"  of which z only:      esda {z_only_ms:.1f} ms   hotspot {ours['z_ms']:.3f} ms"
          f"   ratio {z_only_ms / ours['z_ms']:.0f}x")
    print(f"999 permutations:       esda {esda_perm_ms:.0f} ms (1 thread)   hotspot {ours['permutations_ms']:.1f} ms (2 threads)"
          f"   ratio {esda_perm_ms / ours['permutations_ms']:.0f}x")
    if ours.get("permutations_cpu_ms") is not None:
        print(f"  hotspot CPU time per 999-permutation run (both threads): {ours['permutations_cpu_ms']:.0f} ms")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
