"""How fast and how lean the helpers are next to torch: `make bench`.

Prints, for the same float32 input, the time of the helper's value + gradient over the
time of torch's forward + backward (torch held to one thread, as NumPy's elementwise
code is), best of several runs; and the peak memory NumPy allocates inside
cross_entropy_grad, as a multiple of the input's size. These are measurements, not tests:
they vary with the machine, so they are printed here and never asserted in `make test`.
"""

import os
import timeit
import tracemalloc

import numpy as np
import torch
import torch.nn.functional as F

import helpers

torch.set_num_threads(1)
RNG = np.random.default_rng(0)
AIMS = {"cross_entropy": 1.5, "binary_cross_entropy_with_logits": 3.0}


def best_time(fn, repeat=15):
    fn()  # warm up
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def ratio(name, x, t):
    """Seconds of helpers.<name> + <name>_grad over seconds of torch forward + backward."""
    mine = best_time(lambda: (getattr(helpers, name)(x, t), getattr(helpers, name + "_grad")(x, t)))
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def torch_step():
        v = xt.detach().requires_grad_(True)
        getattr(F, name)(v, tt).backward()

    theirs = best_time(torch_step)
    return mine, theirs


def peak_memory(fn, *args):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    print(f"numpy {np.__version__}, torch {torch.__version__} (1 thread); "
          f"load average {os.getloadavg()[0]:.1f} (ratios are meaningful only near 0)\n")
    logits = RNG.normal(scale=3, size=(8192, 1000)).astype(np.float32)
    labels = RNG.integers(0, 1000, size=8192)
    z = RNG.normal(scale=3, size=4 * 1024 * 1024).astype(np.float32)
    y = RNG.integers(0, 2, size=z.size).astype(np.float32)

    print(f"{'value + gradient':<36}{'helpers':>10}{'torch':>10}{'ratio':>8}{'aim':>8}")
    for name, x, t, shape in [("cross_entropy", logits, labels, "(8192, 1000)"),
                              ("binary_cross_entropy_with_logits", z, y, "4M")]:
        mine, theirs = ratio(name, x, t)
        label = f"{name.replace('binary_cross_entropy', 'bce')} {shape}"
        print(f"{label:<36}{mine * 1e3:>8.1f}ms{theirs * 1e3:>8.1f}ms"
              f"{mine / theirs:>7.2f}x{'<= ' + str(AIMS[name]) + 'x':>8}")

    # The floor under the cross-entropy ratio: value and gradient are two calls, so the
    # helpers take two float32 exponentials of the whole (N, C) array; torch fuses the
    # other passes (max, subtract, sum, scale) into its kernels, NumPy makes each one a pass.
    shifted = logits - logits.max(axis=1, keepdims=True)
    buf, shifted_t = np.empty_like(shifted), torch.from_numpy(shifted)
    t_np = best_time(lambda: np.exp(shifted, out=buf))
    t_torch = best_time(lambda: torch.exp(shifted_t, out=torch.from_numpy(buf)))
    print(f"\none exp over the (8192, 1000) logits: numpy {t_np * 1e3:.1f}ms, "
          f"torch {t_torch * 1e3:.1f}ms")

    peak = peak_memory(helpers.cross_entropy_grad, logits, labels)
    print(f"peak memory in cross_entropy_grad: {peak / logits.nbytes:.2f}x the input "
          f"({peak / 2**20:.0f} MiB for {logits.nbytes / 2**20:.0f} MiB; aim <= 3x)")


if __name__ == "__main__":
    main()
