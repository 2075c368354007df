#!/usr/bin/env python3
"""Atomscope's learning and alphacsc's BatchCDL on the same array at the same λ.

Atomscope learns with its defaults for the recording (or the options given after --) and writes
the data it learned from (--save-data); alphacsc's BatchCDL (LGCD z-step, random start, rank-1
atoms, the same number of atoms, atom length and iterations) then learns on that array at the
same absolute λ.  Both final objectives ½‖X − Σ z * D‖² + λ‖z‖₁ and CPU times are printed.

Usage: compare-alphacsc-cdl.py CLI RECORDING PEERS_DIR [-- extra learn options]
(PEERS_DIR holds the alphacsc package; needs numpy, scipy, numba, joblib.)  Not used by the
tests: a peer is run beside us on demand only.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

cli, recording, peers = sys.argv[1:4]
extra = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
work = tempfile.mkdtemp()
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(work, "numba"))
sys.path.insert(0, peers)

import numpy as np  # noqa: E402

t0 = time.process_time()
r = subprocess.run([cli, "learn", recording, "--out", os.path.join(work, "ours"), "-q",
                    "--save-data", os.path.join(work, "x.npy"), "--threads", "1"] + extra,
                   capture_output=True, text=True)
print(r.stdout.strip())
if r.returncode != 0:
    sys.exit(r.stderr)
ours_cpu = sum(os.times()[2:4])
run = json.load(open(os.path.join(work, "ours", "run.json")))
lam = run["lambda"]
ours = run["trace"][-1]["objective"]
X = np.load(os.path.join(work, "x.npy"))
K, L, n_iter = run["n_atoms"], run["atom_width"], run["params"]["max_iter"]

from alphacsc import BatchCDL  # noqa: E402
from alphacsc.init_dict import init_dictionary  # noqa: E402
from alphacsc.utils.dictionary import get_lambda_max  # noqa: E402

D0 = init_dictionary(X, K, L, uv_constraint="separate", rank1=True, D_init="random",
                     random_state=0)
lmax_init = get_lambda_max(X, D0).max()
# alphacsc divides X by its standard deviation and, with lmbd_max="fixed", uses reg as the
# absolute λ on that scaled problem: λ / std(X) there is λ here, and its objective times
# std(X)² is ours.
std = X.std()
t0 = time.process_time()
cdl = BatchCDL(K, L, reg=lam / std, n_iter=n_iter, solver_z="lgcd", rank1=True,
               uv_constraint="separate", lmbd_max="fixed", D_init=D0, verbose=0,
               random_state=0)
cdl.fit(X)
peer_cpu = time.process_time() - t0
peer = cdl.pobj_[-1] * std ** 2
print("array %s (std %.6g), λ = %.6g (Atomscope λ_max %.6g; alphacsc's λ_max of its random start %.6g)"
      % ("×".join(map(str, X.shape)), std, lam, run["lambda_max"], lmax_init * std))
print("final objective: Atomscope %.8g (%s, %d iterations), alphacsc %.8g (%d iterations)"
      % (ours, run.get("end_state", "?"), run["iterations"], peer, n_iter))
print("Atomscope − alphacsc = %+.3f%% of alphacsc's objective" % (100 * (ours - peer) / peer))
print("CPU time: Atomscope %.2f s, alphacsc %.2f s" % (ours_cpu, peer_cpu))
