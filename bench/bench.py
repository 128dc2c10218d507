"""How fast and how lean the helpers are next to torch: `make bench`.

Prints, for the same float32 input, the time of the helper's value + gradient over the
time of torch's forward + backward (torch held to one thread, as NumPy's elementwise
code is), best of several runs; and the peak memory NumPy allocates inside
cross_entropy_grad, as a multiple of the input's size. These are measurements, not tests:
they vary with the machine, so they are printed here and never asserted in `make test`.

linear_cross_entropy (issue 14): the helper's value + gradients on (4096 x 256) float32
states and a (16000 x 256) weight, against torch's forward + backward (reference path,
options=None, and the chunked path), and peak memories as multiples of the full (N, V)
logits. The helper's peak is NumPy's (tracemalloc, allocations made inside the call).
torch's CPU allocations are not seen by tracemalloc and torch.cuda's counters are
CUDA-only, so torch's peak comes from the profiler's memory timeline
(``profile(profile_memory=True, record_shapes=True, with_stack=True)`` then
``export_memory_timeline(... .json, device="cpu")``, deprecated but the CPU tool torch
offers): the largest total of live tensor bytes minus the bytes alive at the start.
"""

import json
import os
import tempfile
import timeit
import tracemalloc
import warnings

# NumPy's BLAS on one thread too, as torch is below (set before NumPy loads OpenBLAS): the
# matrix products of linear_cross_entropy would otherwise compare two threads with one
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import helpers  # noqa: E402

torch.set_num_threads(1)
RNG = np.random.default_rng(0)
AIMS = {"cross_entropy": 1.5, "binary_cross_entropy_with_logits": 3.0}
LCE_AIM_TIME, LCE_AIM_PEAK = 2.0, 0.25  # x torch's time, x the full logits


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


def peak_memory(fn, *args, **kwargs):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn(*args, **kwargs)
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
    linear_cross_entropy_rows()


def torch_peak_memory(fn):
    """Peak bytes of tensors torch allocates during fn() on the CPU (profiler timeline)."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True,
                 with_stack=True) as prof:
        fn()
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # export_memory_timeline: deprecated
        path = os.path.join(tmp, "timeline.json")
        prof.export_memory_timeline(path, device="cpu")
        with open(path) as f:
            _, sizes = json.load(f)
    totals = np.sum(sizes, axis=1)  # live bytes over time, all categories
    return float(totals.max() - totals[0])


def linear_cross_entropy_rows():
    """Issue 14: helpers.linear_cross_entropy + _grad against torch, time and peak memory."""
    n, h, v = 4096, 256, 16000
    x = RNG.normal(size=(n, h)).astype(np.float32)
    w = (RNG.normal(size=(v, h)) / np.sqrt(h)).astype(np.float32)
    b = RNG.normal(scale=0.1, size=v).astype(np.float32)
    t = RNG.integers(0, v, size=n)
    full = n * v * x.itemsize  # bytes of the full logits
    chunk = helpers.LOGITS_BUDGET // (v * x.itemsize)

    def mine():
        helpers.linear_cross_entropy(x, w, t, linear_bias=b)
        helpers.linear_cross_entropy_grad(x, w, t, linear_bias=b)

    xt, wt, bt, tt = (torch.from_numpy(a) for a in (x, w, b, t))

    def torch_step(options=None):
        xv, wv, bv = (a.detach().requires_grad_(True) for a in (xt, wt, bt))
        F.linear_cross_entropy(xv, wv, tt, linear_bias=bv, options=options).backward()

    chunked = torch.nn.LinearCrossEntropyOptions()
    t_mine = best_time(mine, repeat=3)
    t_ref = best_time(torch_step, repeat=3)
    t_chunked = best_time(lambda: torch_step(chunked), repeat=3)
    p_value = peak_memory(helpers.linear_cross_entropy, x, w, t, linear_bias=b)
    p_grad = peak_memory(helpers.linear_cross_entropy_grad, x, w, t, linear_bias=b)
    p_ref = torch_peak_memory(torch_step)
    p_chunked = torch_peak_memory(lambda: torch_step(chunked))

    print(f"\nlinear_cross_entropy value + gradients, ({n} x {h}) states, ({v} x {h}) weight, "
          f"float32; full logits {full / 2**20:.0f} MiB; helper chunk_size={chunk} (default); "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"{'':<36}{'time':>10}{'ratio':>8}{'aim':>8}{'peak':>10}{'aim':>8}")
    print(f"{'helpers (value; grad)':<36}{t_mine * 1e3:>8.0f}ms{t_mine / t_ref:>7.2f}x"
          f"{'<= ' + str(LCE_AIM_TIME) + 'x':>8}"
          f"{max(p_value, p_grad) / full:>9.3f}x{'<= ' + str(LCE_AIM_PEAK) + 'x':>8}")
    print(f"{'  value / grad alone':<36}{'':>26}{p_value / full:>9.3f}x / {p_grad / full:.3f}x")
    print(f"{'torch, options=None (reference)':<36}{t_ref * 1e3:>8.0f}ms{1:>7.2f}x{'':>8}"
          f"{p_ref / full:>9.3f}x")
    print(f"{'torch, LinearCrossEntropyOptions()':<36}{t_chunked * 1e3:>8.0f}ms"
          f"{t_chunked / t_ref:>7.2f}x{'':>8}{p_chunked / full:>9.3f}x")


if __name__ == "__main__":
    main()
