#!/usr/bin/python3
# unrolled-peer.py: the PyTorch side of `atomscope-cli bench unrolled --peer DIR`.
#
# Runs adopty's Lista module (Ablin et al. 2019; PyTorch) on the dictionary and
# the batch written by the benchmark (D.npy: n × m, X.npy: B × n), with the
# same λ, depth and parametrisations, and prints one line per parametrisation:
#   <kind> <seconds per forward> <seconds per forward + backward + Adam step>
# Usage: unrolled-peer.py FOLDER LAYERS LAMBDA DTYPE THREADS SECONDS KIND...
# (DTYPE float64 or float32; KIND lista, lista-cp, alista or slista).
#
# Copyright 2026 The Atomscope developers
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys
import time

import numpy as np
import torch

PARAMETRIZATION = {"lista": "lista", "lista-cp": "coupled",
                   "alista": "alista", "slista": "step"}


def timed(fn, seconds):
    """Median time of one call over repeated blocks lasting about @seconds."""
    t0 = time.perf_counter()
    fn()
    if time.perf_counter() - t0 > seconds / 2:
        # Very slow calls (oversubscribed threads on a busy machine): the
        # median of three single calls keeps the run short.
        single = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            single.append(time.perf_counter() - t0)
        return sorted(single)[1]
    start = time.perf_counter()
    reps = 0
    while True:
        fn()
        reps += 1
        if time.perf_counter() - start > seconds / 4:
            break
    per_block = max(1, reps)
    samples = []
    for _ in range(4):
        t0 = time.perf_counter()
        for _ in range(per_block):
            fn()
        samples.append((time.perf_counter() - t0) / per_block)
    samples.sort()
    return 0.5 * (samples[1] + samples[2])


def main():
    folder, layers, lmbd, dtype_name, threads, seconds = sys.argv[1:7]
    kinds = sys.argv[7:]
    torch.set_num_threads(int(threads))
    dtype = torch.float64 if dtype_name == "float64" else torch.float32

    # adopty imports matplotlib for its plotting helpers only; the benchmark
    # does not plot, so an empty stand-in is enough when it is not installed.
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        import types
        for name in ("matplotlib", "matplotlib.pyplot"):
            sys.modules[name] = types.ModuleType(name)
    import adopty.lista as lista_module
    from adopty.lista import Lista

    # adopty converts every input to float64; follow the requested precision.
    def check_tensor(x, device=None):
        if isinstance(x, np.ndarray) or type(x) in [int, float]:
            x = torch.as_tensor(np.asarray(x, dtype=np.float64))
        if isinstance(x, torch.Tensor):
            return x.to(device=device, dtype=dtype)
        return x
    lista_module.check_tensor = check_tensor

    D = np.load(os.path.join(folder, "D.npy"))      # n × m, unit-norm columns
    X = np.load(os.path.join(folder, "X.npy"))      # B × n
    lmbd = float(lmbd)
    x = torch.as_tensor(X).to(dtype)
    n_samples = x.shape[0]

    for kind in kinds:
        net = Lista(D.T.copy(), int(layers), parametrization=PARAMETRIZATION[kind],
                    verbose=0)
        params = [p for lp in net.layers_parameters for p in lp.values()]
        optimizer = torch.optim.Adam(params, lr=1e-6)
        Dt = net.D_

        def forward():
            with torch.no_grad():
                net(x, lmbd)

        def train_step():
            optimizer.zero_grad()
            z = net(x, lmbd)
            res = z.matmul(Dt) - x
            loss = (0.5 * (res * res).sum() + lmbd * z.abs().sum()) / n_samples
            loss.backward()
            optimizer.step()

        t_forward = timed(forward, float(seconds))
        t_step = timed(train_step, float(seconds))
        print(kind, repr(t_forward), repr(t_step), flush=True)


if __name__ == "__main__":
    main()
