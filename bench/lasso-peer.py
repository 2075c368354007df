#!/usr/bin/python3
# lasso-peer.py: the scikit-learn side of `atomscope-cli bench lasso --peer DIR`.
#
# Solves the Lasso min_z ½‖x − Dz‖² + λ‖z‖₁ of every signal written by the
# benchmark (D.npy: n × m, X.npy: N × n) with scikit-learn's Lasso (cyclic
# coordinate descent), one signal at a time as its users do, to a duality gap
# of TOL in these units, and prints one line per signal:
#   <signal> <seconds of fit> <duality gap reached> <epochs>
# scikit-learn minimises (1/(2n))‖x − Dz‖² + α‖z‖₁, so α = λ/n, and stops
# when its gap (in the units above) falls below tol·‖x‖², so tol = TOL/‖x‖².
# The gap printed is recomputed here with the dual point θ = ρ·min(1, λ/‖Dᵀρ‖_∞).
# Usage: lasso-peer.py FOLDER LAMBDA TOL
#
# Copyright 2026 The Atomscope developers
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso


def duality_gap(D, x, z, lmbd):
    rho = x - D @ z
    primal = 0.5 * rho @ rho + lmbd * np.abs(z).sum()
    theta = rho * min(1.0, lmbd / max(np.abs(D.T @ rho).max(), 1e-300))
    dual = 0.5 * x @ x - 0.5 * (x - theta) @ (x - theta)
    return primal - dual


def main():
    folder, lmbd, tol = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    D = np.asfortranarray(np.load(os.path.join(folder, "D.npy")))   # n × m
    X = np.load(os.path.join(folder, "X.npy"))                      # N × n
    n = D.shape[0]
    warnings.simplefilter("ignore", ConvergenceWarning)
    for i, x in enumerate(X):
        x = np.ascontiguousarray(x)
        model = Lasso(alpha=lmbd / n, fit_intercept=False, tol=tol / (x @ x),
                      max_iter=100000, selection="cyclic", precompute=False)
        t0 = time.perf_counter()
        model.fit(D, x, check_input=False)
        elapsed = time.perf_counter() - t0
        gap = duality_gap(D, x, model.coef_, lmbd)
        print(i, repr(elapsed), repr(gap), model.n_iter_, flush=True)


if __name__ == "__main__":
    main()
