#!/usr/bin/env python3
"""Atomscope's learning and alphacsc's BatchCDL on the same array at the same λ.

Atomscope prepares the recording with its defaults (or the learn options given after --) and
writes the array it learns from (--save-data).  λ is alphacsc's default for that array:
reg × λ_max of alphacsc's random starting dictionary (BatchCDL's lmbd_max="scaled", reg = 0.1
unless REG is given).  Atomscope then learns at that absolute λ (--lambda-absolute) and
alphacsc's BatchCDL (LGCD z-step, the same random start, rank-1 atoms, the same number of
atoms, atom length and iterations) on the same array.  Both final objectives
½‖X − Σ z * D‖² + λ‖z‖₁ and CPU times are printed.

Usage: compare-alphacsc-cdl.py CLI RECORDING PEERS_DIR [REG] [-- extra learn options]
(PEERS_DIR holds the alphacsc package; needs numpy, scipy, numba, joblib.)  Not used by the
tests: a peer is run beside us on demand only.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

cli, recording, peers = sys.argv[1:4]
extra = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
reg = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] != "--" else 0.1
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
work = tempfile.mkdtemp()
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(work, "numba"))
sys.path.insert(0, peers)

import numpy as np  # noqa: E402
from alphacsc import BatchCDL  # noqa: E402
from alphacsc.init_dict import init_dictionary  # noqa: E402
from alphacsc.utils.dictionary import get_lambda_max  # noqa: E402


def learn(out, options):
    r = subprocess.run([cli, "learn", recording, "--out", os.path.join(work, out), "-q",
                        "--threads", "1"] + extra + options, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return r.stdout.strip(), json.load(open(os.path.join(work, out, "run.json")))


# The array Atomscope learns from, and alphacsc's λ for it.
_, first = learn("prepare", ["--save-data", os.path.join(work, "x.npy"), "--iterations", "1"])
X = np.load(os.path.join(work, "x.npy"))
K, L, n_iter = first["n_atoms"], first["atom_width"], first["params"]["max_iter"]
n_iter = int(extra[extra.index("--iterations") + 1]) if "--iterations" in extra else n_iter
D0 = init_dictionary(X, K, L, uv_constraint="separate", rank1=True, D_init="random",
                     random_state=0)
std = X.std()
# alphacsc works on X / std(X); λ_max of its start on that array, times reg, is its λ there.
lam_scaled = reg * get_lambda_max(X / std, D0).max()
lam = lam_scaled * std

before = resource.getrusage(resource.RUSAGE_CHILDREN)
text, ours_run = learn("ours", ["--lambda-absolute", repr(lam)])
after = resource.getrusage(resource.RUSAGE_CHILDREN)
ours_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
ours = ours_run["trace"][-1]["objective"]
print(text)

t0 = time.process_time()
cdl = BatchCDL(K, L, reg=lam_scaled, n_iter=n_iter, solver_z="lgcd", rank1=True,
               uv_constraint="separate", lmbd_max="fixed", D_init=D0, verbose=0,
               random_state=0)
cdl.fit(X)
peer_cpu = time.process_time() - t0
peer = cdl.pobj_[-1] * std ** 2
print("array %s (std %.6g); λ = %.6g = %g × alphacsc's λ_max of its random start = %.4g × "
      "Atomscope's λ_max (%.6g)" % ("×".join(map(str, X.shape)), std, lam, reg,
                                    lam / ours_run["lambda_max"], ours_run["lambda_max"]))
print("final objective: Atomscope %.8g (%s, %d iterations), alphacsc %.8g (%d iterations)"
      % (ours, ours_run.get("end_state", "?"), ours_run["iterations"], peer, n_iter))
print("Atomscope − alphacsc = %+.3f%% of alphacsc's objective" % (100 * (ours - peer) / peer))
print("CPU time: Atomscope %.2f s, alphacsc %.2f s" % (ours_cpu, peer_cpu))
