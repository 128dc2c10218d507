"""Cross-entropy at scale: linear_cross_entropy and its gradients, chunked.

Against ``F.linear_cross_entropy`` and autograd (float64, every option, chunk sizes that
divide N, that do not, and 1), in float32 at extreme logits, on bad input, and for memory:
NumPy's peak allocation (tracemalloc) must stay near one chunk of logits, not N x V.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import frozen
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import helpers

REDUCTIONS = ["none", "mean", "sum"]


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def t(a):
    return torch.from_numpy(np.array(a))  # a writable copy


def check_lce(x, lw, target, options=None, **kw):
    """Value and the three gradients against torch's forward and autograd; inputs unchanged."""
    arrays_kw = {k: v for k, v in kw.items() if isinstance(v, np.ndarray)}
    x, lw, target, *rest = frozen(x, lw, target, *arrays_kw.values())
    kw = {**kw, **dict(zip(arrays_kw, rest, strict=True))}
    before = [a.copy() for a in (x, lw, target, *rest)]

    value = helpers.linear_cross_entropy(x, lw, target, **kw)
    d_x, d_w, d_b = helpers.linear_cross_entropy_grad(x, lw, target, **kw)

    tkw = {k: t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()
           if k != "chunk_size"}
    xt = t(x.copy()).requires_grad_(True)
    wt = t(lw.copy()).requires_grad_(True)
    if "linear_bias" in tkw:
        tkw["linear_bias"].requires_grad_(True)
    ref = F.linear_cross_entropy(xt, wt, t(target), options=options, **tkw)
    ref.sum().backward()

    value = np.asarray(value)
    assert value.shape == tuple(ref.shape) and value.dtype == x.dtype
    torch.testing.assert_close(t(value), ref.detach(), equal_nan=True)
    for mine, theirs, like in [(d_x, xt.grad, x), (d_w, wt.grad, lw)]:
        assert mine.shape == like.shape and mine.dtype == like.dtype
        torch.testing.assert_close(t(mine), theirs, equal_nan=True)
    if "linear_bias" in tkw:
        assert d_b.shape == kw["linear_bias"].shape
        torch.testing.assert_close(t(d_b), tkw["linear_bias"].grad, equal_nan=True)
    else:
        assert d_b is None
    for a, b in zip((x, lw, target, *rest), before, strict=True):
        np.testing.assert_array_equal(a, b)


@st.composite
def lce_problem(draw):
    """States (N, H) or (H,), a (V, H) weight, targets, every option and a chunk size."""
    h, v = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    unbatched = draw(st.booleans())
    n = 1 if unbatched else draw(st.integers(1, 9))
    x = draw(arrays(np.float64, (h,) if unbatched else (n, h), elements=floats(-5, 5)))
    lw = draw(arrays(np.float64, (v, h), elements=floats(-5, 5)))
    t_shape = () if unbatched else (n,)
    target = draw(arrays(np.int64, t_shape, elements=st.integers(0, v - 1)))
    kw = {"reduction": draw(st.sampled_from(REDUCTIONS)),
          "label_smoothing": draw(st.one_of(st.just(0.0), floats(0, 1))),
          "chunk_size": draw(st.sampled_from([None, 1, 2, 3, n, n + 4]))}
    if draw(st.booleans()):
        kw["linear_bias"] = draw(arrays(np.float64, (v,), elements=floats(-5, 5)))
    if draw(st.booleans()):
        kw["weight"] = draw(arrays(np.float64, (v,), elements=floats(0.1, 3)))
    if draw(st.booleans()):  # ignore some targets, with the default or a class index
        ignore = draw(st.sampled_from([-100, draw(st.integers(0, v - 1))]))
        target = np.where(draw(arrays(np.bool_, t_shape)), ignore, target)
        kw["ignore_index"] = ignore
    return x, lw, target, kw


@given(lce_problem())
def test_linear_cross_entropy_against_torch(problem):
    x, lw, target, kw = problem
    check_lce(x, lw, target, **kw)


RNG = np.random.default_rng(0)
N, H, V = 10, 4, 7
X = RNG.normal(size=(N, H))
W = RNG.normal(size=(V, H))
B = RNG.normal(size=V)
CLASS_W = RNG.uniform(0.2, 3, size=V)
TARGET = np.where(np.arange(N) % 4 == 1, -100, RNG.integers(0, V, size=N))


@pytest.mark.parametrize("chunk_size", [1, 3, 4, N, 64, None])  # 3 and 4 do not divide 10
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_every_option_and_chunk_size(chunk_size, reduction, label_smoothing):
    """'mean' with weights and ignored targets divides by the weight of all chunks."""
    check_lce(X, W, TARGET, linear_bias=B, weight=CLASS_W, reduction=reduction,
              label_smoothing=label_smoothing, chunk_size=chunk_size)
    check_lce(X, W, TARGET, reduction=reduction, label_smoothing=label_smoothing,
              chunk_size=chunk_size)


@pytest.mark.parametrize("chunk_size", [1, 3, N])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_against_torch_chunked_path(chunk_size, reduction):
    """torch's own chunked path (options given; it has no label smoothing) agrees too."""
    options = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=chunk_size)
    check_lce(X, W, TARGET, options=options, linear_bias=B, weight=CLASS_W,
              reduction=reduction, chunk_size=chunk_size)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_every_target_ignored_and_empty_batch(reduction):
    """torch: 'mean' of nothing is NaN, its gradients 0; an empty batch likewise."""
    check_lce(X, W, np.full(N, -100), weight=CLASS_W, reduction=reduction, chunk_size=3)
    check_lce(X[:0], W, TARGET[:0], linear_bias=B, reduction=reduction, chunk_size=3)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("target", [[1, 1, 1], [1, -100, 1]])
def test_every_kept_target_has_class_weight_zero(label_smoothing, target):
    """torch: the mean divides by a zero weight sum: NaN, not inf (smoothing adds a finite
    term); gradients NaN (0 on an ignored row of d_input), and no RuntimeWarning."""
    x, lw = X[:3], W
    weight = np.ones(lw.shape[0])
    weight[1] = 0.0
    check_lce(x, lw, np.array(target), linear_bias=B, weight=weight,
              label_smoothing=label_smoothing, chunk_size=2)
    assert np.isnan(helpers.linear_cross_entropy(x, lw, np.array(target), weight=weight,
                                                 label_smoothing=label_smoothing))


@pytest.mark.parametrize("bias", [{}, {"linear_bias": B}], ids=["no bias", "bias"])
def test_empty_feature_axis(bias):
    """H = 0: the logits are the bias (or 0), as torch; gradients of shapes (N, 0), (V, 0)."""
    check_lce(np.zeros((3, 0)), np.zeros((W.shape[0], 0)), TARGET[:3], chunk_size=2, **bias)
    check_lce(np.zeros(0), np.zeros((W.shape[0], 0)), np.int64(1), reduction="none", **bias)


def test_unbatched_input():
    check_lce(X[0], W, np.int64(2), linear_bias=B, reduction="none", chunk_size=None)
    check_lce(X[0], W, np.int64(-100), reduction="mean")


def test_value_does_not_depend_on_the_chunk_size():
    """The same numbers (to rounding) whether the rows come 1, 3 or all at a time."""
    kw = {"linear_bias": B, "weight": CLASS_W, "label_smoothing": 0.1}
    ref = helpers.linear_cross_entropy(X, W, TARGET, chunk_size=N, **kw)
    ref_g = helpers.linear_cross_entropy_grad(X, W, TARGET, chunk_size=N, **kw)
    for cs in [1, 3]:
        np.testing.assert_allclose(helpers.linear_cross_entropy(X, W, TARGET, chunk_size=cs,
                                                                **kw), ref, rtol=1e-13)
        g = helpers.linear_cross_entropy_grad(X, W, TARGET, chunk_size=cs, **kw)
        for a, b in zip(g, ref_g, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_float32_at_extreme_logits():
    """Logits of about ±1e4 in float32: finite, float32, and torch's answer; no warnings."""
    x = np.float32([[100.0, -100.0], [-100.0, 100.0], [0.0, 50.0], [1.0, 1.0]])
    lw = np.float32([[100.0, 0.0], [-100.0, 0.0], [0.0, 100.0]])
    target = np.array([1, 2, 0, -100])
    for reduction in REDUCTIONS:
        kw = {"reduction": reduction, "label_smoothing": 0.1, "chunk_size": 3,
              "linear_bias": np.float32([0.0, 1.0, -1.0])}
        with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
            warnings.simplefilter("error")
            value = helpers.linear_cross_entropy(x, lw, target, **kw)
            grads = helpers.linear_cross_entropy_grad(x, lw, target, **kw)
        assert np.asarray(value).dtype == np.float32
        assert np.isfinite(value).all()
        assert all(g.dtype == np.float32 and np.isfinite(g).all() for g in grads)
        check_lce(x, lw, target, **kw)


# ---------------------------------------------------------------- bad input

XB, WB, TB = np.zeros((2, 3)), np.zeros((4, 3)), np.array([0, 1])

# (id, arguments of both calls (x, w, target, keyword arguments), what the message must say)
BAD = [
    ("H mismatch", (XB, np.zeros((4, 2)), TB, {}), "last sizes"),
    ("3-d input", (np.zeros((2, 2, 3)), WB, np.zeros((2, 2), dtype=np.int64), {}),
     r"shape \(H,\) or \(N, H\)"),
    ("bias of the wrong shape", (XB, WB, TB, {"linear_bias": np.zeros(3)}), "linear_bias"),
    ("weight dtype differs", (XB, WB.astype(np.float32), TB, {}), "dtype"),
    ("bias dtype differs", (XB, WB, TB, {"linear_bias": np.zeros(4, np.float32)}), "dtype"),
    ("target batch differs", (XB, WB, np.array([0, 1, 2]), {}), "shape"),
    ("class index too large", (XB, WB, np.array([0, 4]), {}), "out of range"),
    ("class index negative", (XB, WB, np.array([-1, 0]), {}), "out of range"),
    ("class weight of the wrong length", (XB, WB, TB, {"weight": np.ones(3)}),
     "one entry per class"),
    ("label_smoothing above 1", (XB, WB, TB, {"label_smoothing": 1.5}), "label_smoothing"),
    ("unknown reduction", (XB, WB, TB, {"reduction": "avg"}), "reduction must be one of"),
    ("integer input", (XB.astype(np.int32), WB.astype(np.int32), TB, {}), "floating-point"),
    ("unbatched input, batched target", (XB[0], WB, TB, {}), "shape"),
    ("no class (V = 0)", (XB, np.zeros((0, 3)), TB, {}), r"at least one class \(V >= 1\)"),
    ("no class, H = 0", (np.zeros((2, 0)), np.zeros((0, 0)), TB, {}), "at least one class"),
]


@pytest.mark.parametrize("args,match", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
@pytest.mark.parametrize("fn", ["linear_cross_entropy", "linear_cross_entropy_grad"])
def test_bad_input_raises_value_error(fn, args, match):
    x, lw, target, kw = args
    with pytest.raises(ValueError, match=match):
        getattr(helpers, fn)(x, lw, target, **kw)
    tkw = {k: t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    with pytest.raises((RuntimeError, ValueError, IndexError, NotImplementedError)):
        F.linear_cross_entropy(t(x), t(lw), t(target), **tkw)


def test_probability_targets_are_refused_by_name():
    """torch takes (N, V) float targets; this twin says it does not."""
    q = np.full((2, 4), 0.25)
    F.linear_cross_entropy(t(XB), t(WB), t(q))  # torch accepts them
    for fn in (helpers.linear_cross_entropy, helpers.linear_cross_entropy_grad):
        with pytest.raises(ValueError, match="probability targets"):
            fn(XB, WB, q)


def test_k_dimensional_weight_is_refused_by_name():
    """torch takes a (V, d1, H) weight for a K-dimensional loss; this twin says it does not."""
    lw = np.zeros((4, 2, 3))
    F.linear_cross_entropy(t(XB), t(lw), t(np.zeros((2, 2), dtype=np.int64)))
    with pytest.raises(ValueError, match="K-dimensional"):
        helpers.linear_cross_entropy(XB, lw, np.zeros((2, 2), dtype=np.int64))


@pytest.mark.parametrize("chunk_size", [0, -3, 2.5, True])
def test_bad_chunk_size(chunk_size):
    for fn in (helpers.linear_cross_entropy, helpers.linear_cross_entropy_grad):
        with pytest.raises(ValueError, match="chunk_size"):
            fn(XB, WB, TB, chunk_size=chunk_size)


# ---------------------------------------------------------------- memory

MN, MH, MV, CHUNK = 2048, 8, 2000, 16  # float64: full logits 32 MB, one chunk 256 KB


def _peak(fn, *args, **kwargs):
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def big_problem():
    rng = np.random.default_rng(1)
    return (rng.normal(size=(MN, MH)), rng.normal(size=(MV, MH)) / 4,
            rng.integers(0, MV, size=MN), {"linear_bias": rng.normal(size=MV),
                                           "weight": rng.uniform(0.5, 2, size=MV),
                                           "label_smoothing": 0.1})


@pytest.mark.parametrize("fn", ["linear_cross_entropy", "linear_cross_entropy_grad"])
def test_peak_memory_is_a_few_chunks_not_the_logits(big_problem, fn):
    """Peak NumPy allocation within 4 chunks of logits + 3x the inputs, far below N x V.

    Allocation sizes are deterministic, so this needs no timing. The same measurement with
    a single chunk of all N rows exceeds the full logits: the bound can fail.
    """
    x, lw, target, kw = big_problem
    item = x.itemsize
    logits_bytes = MN * MV * item
    inputs_bytes = x.nbytes + lw.nbytes + kw["linear_bias"].nbytes + kw["weight"].nbytes
    bound = 4 * CHUNK * MV * item + 3 * inputs_bytes + MN * 64  # + O(N) bookkeeping
    peak = _peak(getattr(helpers, fn), x, lw, target, chunk_size=CHUNK, **kw)
    assert peak <= bound, (peak, bound)
    assert peak < logits_bytes / 10
    unchunked = _peak(getattr(helpers, fn), x, lw, target, chunk_size=MN, **kw)
    assert unchunked > logits_bytes > bound  # the test would catch a materialised (N, V)


def test_default_chunk_size_follows_the_budget(big_problem, monkeypatch):
    """chunk_size=None: LOGITS_BUDGET bytes of logits per chunk, a few of them alive at once."""
    x, lw, target, kw = big_problem
    monkeypatch.setattr(helpers.scale, "LOGITS_BUDGET", CHUNK * MV * x.itemsize)
    inputs_bytes = x.nbytes + lw.nbytes + kw["linear_bias"].nbytes + kw["weight"].nbytes
    bound = 4 * helpers.scale.LOGITS_BUDGET + 3 * inputs_bytes + MN * 64
    for fn in (helpers.linear_cross_entropy, helpers.linear_cross_entropy_grad):
        assert _peak(fn, x, lw, target, **kw) <= bound < MN * MV * x.itemsize
