"""The embedding losses (helpers/embedding.py) against torch.nn.functional.

Value and every gradient against torch and autograd (float64, property-based over shapes,
labels, norms p, eps, swap, margins and reductions); the kinks and ties, where the
gradient is a choice (torch's autograd picks it); hand-computed values; finite
differences of the helpers' own values; float32 extremes; bad input; inputs unchanged.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import frozen, gradcheck_helper
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import helpers

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])
INF = float("inf")


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def float_array(draw, shape, lo, hi, halves=True):
    """Values in [lo, hi], often small halves, so that ties and kinks are hit exactly.

    Magnitudes below 1e-100 are 0: torch squares the entries of a distance, so between
    1e-162 and 1e-154 its norm loses precision (subnormal squares), and below that it
    underflows to 0 (and its gradient with it); the twin's scaled norm does neither.
    """
    elements = floats(lo, hi).map(lambda v: v if abs(v) > 1e-100 else 0.0)
    if halves:
        elements = st.one_of(elements, st.integers(-4, 4).map(lambda v: v / 2))
    return draw(arrays(np.float64, shape, elements=elements))


def t(a):
    return torch.from_numpy(np.array(a))


def check(name, outputs, target=None, **kw):
    """``helpers.<name>`` and ``<name>_grad`` against ``F.<name>`` and autograd.

    ``outputs`` are the model outputs (differentiated), ``target`` the labels if the loss
    has any. Value, shape and dtype as torch's; one gradient per output, each the shape and
    dtype of its output and equal to autograd's gradient of the (summed) loss; the inputs
    unchanged.
    """
    arrays_ = frozen(*outputs, *([] if target is None else [target]))
    before = [a.copy() for a in arrays_]
    args = arrays_
    value = np.asarray(getattr(helpers, name)(*args, **kw))
    grads = getattr(helpers, name + "_grad")(*args, **kw)

    xs = [torch.from_numpy(a.copy()).requires_grad_(True) for a in arrays_[:len(outputs)]]
    rest = [t(a) for a in arrays_[len(outputs):]]
    ref = getattr(F, name)(*xs, *rest, **kw)
    assert value.shape == tuple(ref.shape)
    assert value.dtype == np.dtype(str(ref.dtype).removeprefix("torch."))
    torch.testing.assert_close(torch.from_numpy(value), ref.detach(), equal_nan=True)
    assert isinstance(grads, tuple) and len(grads) == len(outputs)
    if ref.requires_grad:  # not with p = 0: a count of non-zero entries is constant
        ref.sum().backward()
    for g, x in zip(grads, xs, strict=True):
        assert g.shape == tuple(x.shape) and g.dtype == np.dtype(str(x.dtype)[6:])
        expected = x.grad if x.grad is not None else torch.zeros_like(x)
        torch.testing.assert_close(torch.from_numpy(g), expected, equal_nan=True)
    for a, b in zip(arrays_, before, strict=True):
        np.testing.assert_array_equal(a, b)
    return value, grads


# ---------------------------------------------------------------- margin_ranking_loss

SHAPES = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@st.composite
def labels(draw, shape, values=(-1.0, 1.0, 0.0)):
    """±1 labels (sometimes a 0), as floats or as integers."""
    y = draw(arrays(np.float64, shape, elements=st.sampled_from(values)))
    return y.astype(np.int64) if draw(st.booleans()) else y


@given(data=st.data(), shape=SHAPES, reduction=REDUCTIONS,
       margin=st.one_of(st.sampled_from([0.0, 0.5, 1.0]), floats(-2, 2)))
def test_margin_ranking(data, shape, reduction, margin):
    x1 = float_array(data.draw, shape, -5, 5)
    x2 = float_array(data.draw, shape, -5, 5)
    y = data.draw(labels(shape))
    check("margin_ranking_loss", (x1, x2), y, margin=margin, reduction=reduction)


def test_margin_ranking_by_hand():
    """y = 1: x1 must beat x2 by the margin; y = -1: the other way round."""
    x1, x2, y = np.array([3.0, 1.0, 1.0]), np.array([1.0, 2.0, 2.0]), np.array([1.0, 1.0, -1.0])
    # margin 1: max(0, -(2) + 1) = 0, max(0, -(-1) + 1) = 2, max(0, (-1) + 1) = 0 (a kink)
    np.testing.assert_allclose(helpers.margin_ranking_loss(x1, x2, y, margin=1.0,
                                                           reduction="none"), [0, 2, 0])
    d1, d2 = helpers.margin_ranking_loss_grad(x1, x2, y, margin=1.0, reduction="sum")
    np.testing.assert_allclose(d1, [0, -1, 1])  # the kink passes the gradient (torch)
    np.testing.assert_allclose(d2, [0, 1, -1])


def test_margin_ranking_dtype_follows_a_float64_target():
    """float32 scores with a float64 target: torch's result is float64; grads stay float32."""
    x = np.float32([0.5, -1.0])
    value, (d1, d2) = check("margin_ranking_loss", (x, -x), np.array([1.0, -1.0]),
                            reduction="none")
    assert value.dtype == np.float64 and d1.dtype == d2.dtype == np.float32
    check("margin_ranking_loss", (x, x[::-1].copy()), np.array([1, -1]), margin=0.5)


def test_margin_ranking_empty_batch():
    x = np.zeros(0)
    check("margin_ranking_loss", (x, x), x, reduction="mean")  # NaN, as torch
    check("margin_ranking_loss", (x, x), x, reduction="none")


# ---------------------------------------------------------------- cosine_embedding_loss


@st.composite
def cosine_problem(draw):
    d = draw(st.integers(0, 5))
    if draw(st.booleans()):
        shape, t_shape = (d,), ()
    else:
        shape = (draw(st.integers(1, 5)), d)
        t_shape = shape[:1]
    x1 = float_array(draw, shape, -5, 5)
    if draw(st.booleans()):  # zero vectors: only the eps keeps the cosine finite
        x1 = x1 * draw(arrays(np.float64, shape[:-1] + (1,), elements=st.sampled_from([0.0, 1.0])))
    kind = draw(st.sampled_from(["independent", "scaled", "same"]))
    if kind == "independent":
        x2 = float_array(draw, shape, -5, 5)
    else:  # cosine exactly ±1 (or nearly): margins and kinks of the hinge
        x2 = x1 * draw(st.sampled_from([1.0, -1.0, 2.0, 0.5])) if kind == "scaled" else x1
    y = draw(labels(t_shape))
    kw = {"reduction": draw(REDUCTIONS),
          "margin": draw(st.one_of(st.sampled_from([0.0, 0.5, -1.0, 1.0]), floats(-1, 1)))}
    return x1, x2, y, kw


@given(cosine_problem())
def test_cosine_embedding(problem):
    x1, x2, y, kw = problem
    check("cosine_embedding_loss", (x1, x2), y, **kw)


def test_cosine_embedding_by_hand():
    """Orthogonal, parallel and opposite pairs: cosines 0, 1, -1 (up to the 1e-12 eps)."""
    x1 = np.array([[1.0, 0.0], [2.0, 2.0], [1.0, 1.0]])
    x2 = np.array([[0.0, 3.0], [1.0, 1.0], [-1.0, -1.0]])
    np.testing.assert_allclose(
        helpers.cosine_embedding_loss(x1, x2, np.array([1, 1, 1]), reduction="none"),
        [1.0, 0.0, 2.0], atol=1e-11)
    np.testing.assert_allclose(  # dissimilar pairs: max(0, cos - 0.5)
        helpers.cosine_embedding_loss(x1, x2, np.array([-1, -1, -1]), margin=0.5,
                                      reduction="none"), [0.0, 0.5, 0.0], atol=1e-11)
    # orthogonal pair, y = 1 (cos = 0): d(1 - cos)/dx1 = -x2 / (|x1| |x2|) = -[0, 3] / 3
    d1, _ = helpers.cosine_embedding_loss_grad(x1[:1], x2[:1], np.array([1]))
    np.testing.assert_allclose(d1, [[0.0, -1.0]], rtol=1e-9)  # = [0, -1]


def test_cosine_embedding_zero_vector_and_label_zero():
    """A zero vector has cosine 0 (loss 1 if similar) and a finite gradient; a 0 label
    gives loss 0 and no gradient, silently, as in torch."""
    x1, x2 = np.zeros((2, 3)), np.array([[1.0, 2.0, 3.0], [1.0, 0.0, 0.0]])
    value, (d1, d2) = check("cosine_embedding_loss", (x1, x2), np.array([1, 0]),
                            reduction="none")
    np.testing.assert_array_equal(value, [1.0, 0.0])
    assert np.isfinite(d1).all() and not d1[1].any() and not d2.any()


# ---------------------------------------------------------------- triplet_margin_loss

NORMS = st.one_of(st.sampled_from([2.0, 1.0, 3.0, 0.5, INF, -INF, -1.0, 0.0]),
                  floats(0.3, 6))


@st.composite
def triplet_problem(draw):
    shape = draw(st.sampled_from(["0-d", "unbatched", "batched", "extra"]))
    d = draw(st.integers(1, 4))
    shape = {"0-d": (), "unbatched": (d,), "batched": (draw(st.integers(1, 4)), d),
             "extra": (2, draw(st.integers(1, 3)), d)}[shape]
    norm = draw(NORMS)
    # exact kinks (halves) only for the norms without a fractional power: for p = 0.3 the
    # side of a kink depends on the last bit of pow, which NumPy and torch round apart
    halves = norm in (0.0, 1.0, 2.0, INF, -INF)
    a = float_array(draw, shape, -3, 3, halves)
    kind = draw(st.sampled_from(["independent", "positive = anchor", "negative = anchor"]))
    p = a if kind == "positive = anchor" else float_array(draw, shape, -3, 3, halves)
    n = a if kind == "negative = anchor" else float_array(draw, shape, -3, 3, halves)
    kw = {"reduction": draw(REDUCTIONS), "swap": draw(st.booleans()), "p": norm,
          "eps": draw(st.sampled_from([1e-6, 0.0, 0.25])),
          "margin": draw(st.one_of(st.sampled_from([1.0, 0.5]), floats(1e-3, 4)))}
    return a, p, n, kw


@given(triplet_problem())
def test_triplet_margin(problem):
    a, p, n, kw = problem
    check("triplet_margin_loss", (a, p, n), **kw)


@given(triplet_problem())
def test_triplet_margin_with_default_distance(problem):
    a, p, n, kw = problem
    kw = {k: kw[k] for k in ("margin", "swap", "reduction")}
    check("triplet_margin_with_distance_loss", (a, p, n), **kw)


def test_triplet_distance_adds_eps_to_the_difference():
    """d(x, x) = ||eps 1||_p = eps D^(1/p), not 0; d(x, y) = ||x - y + eps||_p."""
    a = np.array([[1.0, 2.0, 3.0, 4.0]])
    for p, expected in [(2.0, 0.5 * 2.0), (1.0, 0.5 * 4), (INF, 0.5)]:
        # margin + d(a, a) - d(a, a + 10): the first distance is the eps-only one
        loss = helpers.triplet_margin_loss(a, a, a + 10, margin=100.0, p=p, eps=0.5,
                                           reduction="none")
        d_neg = np.linalg.norm(np.full(4, -9.5), ord=p)
        np.testing.assert_allclose(loss, [100.0 + expected - d_neg])


def test_triplet_swap_uses_the_nearer_and_splits_a_tie():
    """swap: the negative's distance to the nearer of anchor and positive; a tie (anchor
    = positive) splits the gradient between them, as torch's min does."""
    a, p, n = np.zeros((1, 2)), np.array([[0.0, 2.0]]), np.array([[0.0, 3.0]])
    np.testing.assert_allclose(helpers.triplet_margin_loss(a, p, n, eps=0.0, swap=True),
                               1.0 + 2.0 - 1.0)
    _, (da, dp, dn) = check("triplet_margin_loss", (a, a, np.array([[3.0, 4.0]])),
                            margin=10.0, eps=0.0, swap=True)
    np.testing.assert_allclose(da, [[0.3, 0.4]])  # -1/2 of -(3, 4)/5
    np.testing.assert_allclose(dn, [[-0.6, -0.8]])


def test_triplet_kink_passes_the_gradient():
    """margin + d_ap - d_an = 0 exactly: loss 0, but torch's clamp_min passes the gradient."""
    a, p, n = np.zeros((1, 2)), np.array([[0.0, 1.0]]), np.array([[0.0, 6.0]])
    value, (da, dp, dn) = check("triplet_margin_loss", (a, p, n), margin=5.0, eps=0.0)
    assert value == 0
    np.testing.assert_allclose(dp, [[0.0, 1.0]])
    np.testing.assert_allclose(dn, [[0.0, -1.0]])


def test_triplet_kink_on_torchs_side_of_the_rounding():
    """A kink reached through torch's rounding: margin + sqrt(x^2 + y^2) - 5 is exactly 0
    when the norm is rounded as torch's sum of squares is (a norm scaled by the largest
    entry lands an ulp away, on the other side of the kink, with another gradient)."""
    a, p, n = np.zeros((1, 2)), np.array([[1.004, 1.328]]), np.array([[0.0, 5.0]])
    margin = 5.0 - float(torch.linalg.vector_norm(t(p[0])))
    value, (da, dp, dn) = check("triplet_margin_loss", (a, p, n), margin=margin, eps=0.0)
    assert value == 0 and dp.any()


@pytest.mark.parametrize("p", [0.5, -1.0, 1.5, 3.0])
def test_triplet_difference_with_a_zero_entry(p):
    """An entry of the difference exactly 0 (anchor and positive share a coordinate): for
    p < 1 the power |0|^(p - 1) is infinite and torch's backward masks it to 0; for p < 0
    the zero entry makes the whole distance 0 (and its gradient 0)."""
    a = np.array([[1.0, 2.0, -1.0], [0.5, 0.5, 0.5]])
    pos = np.array([[1.0, 2.5, -2.0], [0.5, 1.0, 0.0]])
    neg = np.array([[1.2, 2.6, -1.4], [0.7, 0.4, 0.3]])
    _, grads = check("triplet_margin_loss", (a, pos, neg), margin=3.0, p=p, eps=0.0,
                     reduction="sum")
    assert all(np.isfinite(g).all() for g in grads) and grads[1].any() == (p > 0)


def test_triplet_easy_triplets_have_no_gradient():
    a, p, n = np.zeros((2, 2)), np.full((2, 2), 0.1), np.full((2, 2), 5.0)
    for g in helpers.triplet_margin_loss_grad(a, p, n):
        assert not g.any()


def test_triplet_empty_embedding():
    """D = 0: every distance is 0 for p >= 0 (loss = margin); torch raises for ±inf, p < 0."""
    e = np.zeros((2, 0))
    for p in [2.0, 1.0, 0.5, 0.0]:
        check("triplet_margin_loss", (e, e, e), p=p, reduction="none")
    for p in [INF, -INF, -1.0]:
        with pytest.raises(ValueError, match="empty"):
            helpers.triplet_margin_loss(e, e, e, p=p)
        with pytest.raises(RuntimeError):
            F.triplet_margin_loss(t(e), t(e), t(e), p=p)


# ---------------------------------------------------------------- with a distance function


def cosine_distance_np(x1, x2):
    return 1 - (x1 * x2).sum(-1) / (np.linalg.norm(x1, axis=-1) * np.linalg.norm(x2, axis=-1))


def cosine_distance_torch(x1, x2):
    return 1 - F.cosine_similarity(x1, x2, dim=-1, eps=0.0)


@given(data=st.data(), n=st.integers(1, 4), d=st.integers(2, 4), swap=st.booleans(),
       reduction=REDUCTIONS, margin=floats(1e-3, 2))
def test_triplet_with_custom_distance(data, n, d, swap, reduction, margin):
    a, p, neg = (data.draw(arrays(np.float64, (n, d), elements=floats(0.5, 3)))
                 for _ in range(3))  # positive entries: no zero vector
    kw = {"margin": margin, "swap": swap, "reduction": reduction}
    value = helpers.triplet_margin_with_distance_loss(
        *frozen(a, p, neg), distance_function=cosine_distance_np, **kw)
    ref = F.triplet_margin_with_distance_loss(t(a), t(p), t(neg),
                                              distance_function=cosine_distance_torch, **kw)
    torch.testing.assert_close(torch.from_numpy(np.asarray(value)), ref)


def test_custom_distance_has_no_gradient_here():
    a = np.ones((2, 3))
    with pytest.raises(ValueError, match="cannot differentiate a custom distance_function"):
        helpers.triplet_margin_with_distance_loss_grad(a, a, a,
                                                       distance_function=cosine_distance_np)


def test_with_distance_arguments_are_keyword_only():
    a = np.ones((2, 3))
    with pytest.raises(TypeError):
        helpers.triplet_margin_with_distance_loss(a, a, a, None)


# ---------------------------------------------------------------- finite differences


RNG = np.random.default_rng(0)
E = RNG.normal(size=(3, 4, 5))  # three embeddings (N = 4, D = 5), away from every kink
FD_CASES = {
    "margin_ranking_loss": ((E[0, :, 0], E[1, :, 0]), (np.array([1.0, -1, 1, -1]),),
                            {"margin": 3.0}),
    "cosine_embedding_loss": ((E[0], E[1]), (np.array([1, -1, 1, -1]),), {"margin": -0.99}),
    "triplet_margin_loss": ((E[0], E[1], E[2]), (), {"margin": 20.0}),
    "triplet_margin_loss p=1.5 swap": ((E[0], E[1], E[2]), (),
                                       {"margin": 20.0, "p": 1.5, "swap": True}),
    "triplet_margin_loss p=3": ((E[0], E[1], E[2]), (), {"margin": 20.0, "p": 3.0}),
    "triplet_margin_with_distance_loss": ((E[0], E[1], E[2]), (), {"margin": 20.0}),
}


@pytest.mark.parametrize("case", FD_CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradient_matches_finite_differences(case, reduction):
    name = case.split()[0]
    xs, extra, kw = FD_CASES[case]
    kw = {**kw, "reduction": reduction}
    ts = tuple(torch.tensor(x, requires_grad=True) for x in xs)
    assert gradcheck_helper(name, (*ts, *extra), kw, eps=1e-6, atol=1e-6, rtol=1e-5)


# ---------------------------------------------------------------- float32 extremes


def _no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


BIG = np.float32([[3e4, -4e4, 1e-30], [1e9, 1e-20, -5e8], [1e-30, 0.0, -1e-30]])
F32_CASES = [
    ("margin_ranking_loss", (BIG.ravel(), -BIG.ravel()[::-1].copy()),
     (np.float32([1, -1, 1, -1, 1, -1, 1, -1, 1]),), {"margin": 1.0}),
    ("cosine_embedding_loss", (BIG, BIG[::-1].copy()), (np.float32([1, -1, 1]),),
     {"margin": 0.1}),
    ("triplet_margin_loss", (BIG, 0.5 * BIG, -BIG), (), {"margin": 1e9}),
    ("triplet_margin_loss", (BIG, 0.5 * BIG, -BIG), (), {"margin": 1e9, "p": 1.0,
                                                          "swap": True}),
    ("triplet_margin_loss", (BIG, 0.5 * BIG, -BIG), (), {"margin": 1e9, "p": INF}),
]


@pytest.mark.parametrize("name,xs,extra,kw", F32_CASES,
                         ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_float32_extremes_agree_with_torch(name, xs, extra, kw, reduction):
    value = _no_warnings(getattr(helpers, name), *xs, *extra, reduction=reduction, **kw)
    grads = _no_warnings(getattr(helpers, name + "_grad"), *xs, *extra, reduction=reduction,
                         **kw)
    assert np.asarray(value).dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    assert np.isfinite(value).all() and all(np.isfinite(g).all() for g in grads)
    ts = [torch.from_numpy(x.copy()).requires_grad_(True) for x in xs]
    ref = getattr(F, name)(*ts, *(t(e) for e in extra), reduction=reduction, **kw)
    ref.sum().backward()
    torch.testing.assert_close(torch.from_numpy(np.asarray(value)), ref.detach())
    for g, x in zip(grads, ts, strict=True):
        torch.testing.assert_close(torch.from_numpy(g), x.grad)


def test_float32_huge_distance_is_finite_where_torch_overflows():
    """A float32 difference of 1e20: torch squares it into inf (NaN loss); the scaled norm
    gives the distance. The cosine's denominator: torch's a * b overflows near 1e10."""
    a = np.float32([[1e20, 0.0]])
    value = _no_warnings(helpers.triplet_margin_loss, a, -a, np.zeros_like(a), eps=0.0,
                         reduction="none")
    np.testing.assert_allclose(value, [1.0 + 2e20 - 1e20], rtol=1e-6)
    assert torch.isnan(F.triplet_margin_loss(t(a), t(-a), t(np.zeros_like(a)), eps=0.0,
                                             reduction="none")).all()
    x = np.float32([[1e10, 2e10]])
    assert _no_warnings(helpers.cosine_embedding_loss, x, x, np.float32([1])) < 1e-6
    assert F.cosine_embedding_loss(t(x), t(x), t(np.float32([1]))) == 1  # torch: cos = 0


# ---------------------------------------------------------------- NaN propagates

NAN = float("nan")


def test_nan_propagates_in_ranking_and_cosine():
    """torch's clamp_min passes NaN through: a NaN score is a NaN loss, not 0."""
    for reduction in ("none", "mean"):
        check("margin_ranking_loss", (np.array([NAN, 1.0]), np.array([0.0, 0.0])),
              np.array([1.0, 1.0]), reduction=reduction)
        check("cosine_embedding_loss", (np.array([[NAN, 1.0], [1.0, 2.0]]),
                                        np.array([[1.0, 1.0], [1.0, 1.0]])),
              np.array([-1.0, -1.0]), reduction=reduction)
    value = helpers.margin_ranking_loss(np.array([NAN]), np.array([0.0]), np.array([1.0]),
                                        reduction="none")
    assert np.isnan(value).all()


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 0.5, -1.0, INF, -INF])
@pytest.mark.parametrize("swap", [False, True])
def test_nan_propagates_in_triplet(p, swap):
    """A NaN entry makes its distance NaN (torch's vector_norm), so the loss NaN (not the
    margin); the gradients are torch's: NaN for a p-norm's whole row, 0 for p = 1 and
    p = ±inf (torch's sign(NaN) is 0)."""
    a = np.array([[NAN, 1.0], [2.0, 1.0]])
    pos = np.array([[1.0, 1.0], [1.0, NAN]])
    neg = np.array([[3.0, 3.0], [3.0, 3.0]])
    value, _ = check("triplet_margin_loss", (a, pos, neg), p=p, swap=swap, reduction="none")
    assert np.isnan(value).all()


def test_nan_propagates_with_a_distance_function():
    a, pos, neg = np.array([[NAN, 1.0]]), np.array([[1.0, 1.0]]), np.array([[3.0, 3.0]])
    value = helpers.triplet_margin_with_distance_loss(a, pos, neg, reduction="none")
    assert np.isnan(value).all()
    value = helpers.triplet_margin_with_distance_loss(
        a, pos, neg, distance_function=cosine_distance_np, reduction="none")
    ref = F.triplet_margin_with_distance_loss(t(a), t(pos), t(neg), reduction="none",
                                              distance_function=cosine_distance_torch)
    torch.testing.assert_close(t(value), ref, equal_nan=True)
    assert np.isnan(value).all()


def test_one_hinge_and_one_label_check_shared_with_margin():
    """The embedding and margin families share one hinge and one ±1-label check (in
    helpers._checks), so a fix to one cannot miss the other."""
    from helpers import _checks, embedding, margin
    assert embedding._hinge is margin._hinge is _checks._hinge
    assert embedding._sign_labels is margin._sign_labels is _checks._sign_labels
    assert embedding._same_shape is _checks._same_shape
    assert "_same_shapes" not in vars(embedding) and "_labels" not in vars(embedding)


# ---------------------------------------------------------------- bad input

X, Y = np.zeros((2, 3)), np.ones(2)

# (id, the helper's call, the same call in torch, what the message must say)
CASES = [
    ("ranking: dimensions differ", lambda: helpers.margin_ranking_loss(Y, Y, np.float64(1)),
     lambda: F.margin_ranking_loss(t(Y), t(Y), t(np.float64(1))), "shapes differ"),
    ("ranking: grad too", lambda: helpers.margin_ranking_loss_grad(X, Y, Y),
     lambda: F.margin_ranking_loss(t(X), t(Y), t(Y)), "shapes differ"),
    ("ranking: bad reduction", lambda: helpers.margin_ranking_loss(Y, Y, Y, reduction="avg"),
     lambda: F.margin_ranking_loss(t(Y), t(Y), t(Y), reduction="avg"), "reduction"),
    ("cosine: 1-d target for 1-d inputs",
     lambda: helpers.cosine_embedding_loss(X[0], X[0], Y[:1]),
     lambda: F.cosine_embedding_loss(t(X[0]), t(X[0]), t(Y[:1])), "0-d target"),
    ("cosine: 0-d target for 2-d inputs",
     lambda: helpers.cosine_embedding_loss_grad(X, X, np.float64(1)),
     lambda: F.cosine_embedding_loss(t(X), t(X), t(np.float64(1))), r"\(N,\)"),
    ("cosine: 3-d inputs", lambda: helpers.cosine_embedding_loss(X[None], X[None], Y),
     lambda: F.cosine_embedding_loss(t(X[None]), t(X[None]), t(Y)), "inputs must be"),
    ("cosine: D differs", lambda: helpers.cosine_embedding_loss(X, np.zeros((2, 4)), Y),
     lambda: F.cosine_embedding_loss(t(X), t(np.zeros((2, 4))), t(Y)), "shapes differ"),
    ("cosine: target length", lambda: helpers.cosine_embedding_loss(X, X, np.ones(3)),
     lambda: F.cosine_embedding_loss(t(X), t(X), t(np.ones(3))), "target of shape"),
    ("triplet: dimensions differ", lambda: helpers.triplet_margin_loss(X, X[0], X),
     lambda: F.triplet_margin_loss(t(X), t(X[0]), t(X)), "shapes differ"),
    ("triplet: margin 0", lambda: helpers.triplet_margin_loss_grad(X, X, X, margin=0.0),
     lambda: F.triplet_margin_loss(t(X), t(X), t(X), margin=0.0), "margin must be greater"),
    ("triplet: bad reduction", lambda: helpers.triplet_margin_loss(X, X, X, reduction="avg"),
     lambda: F.triplet_margin_loss(t(X), t(X), t(X), reduction="avg"), "reduction"),
    ("with distance: negative margin",
     lambda: helpers.triplet_margin_with_distance_loss(X, X, X, margin=-1.0),
     lambda: F.triplet_margin_with_distance_loss(t(X), t(X), t(X), margin=-1.0),
     "margin must be greater"),
    ("with distance: custom, margin 0",
     lambda: helpers.triplet_margin_with_distance_loss(
         X, X, X, margin=0.0, distance_function=cosine_distance_np),
     lambda: F.triplet_margin_with_distance_loss(
         t(X), t(X), t(X), margin=0.0, distance_function=cosine_distance_torch),
     "margin must be greater"),
    ("with distance: custom, dimensions differ",
     lambda: helpers.triplet_margin_with_distance_loss(
         X, X[0], X, distance_function=cosine_distance_np),
     lambda: F.triplet_margin_with_distance_loss(
         t(X), t(X[0]), t(X), distance_function=cosine_distance_torch), "dimensions"),
    ("triplet: inf norm of D = 0",
     lambda: helpers.triplet_margin_loss(np.zeros((2, 0)), np.zeros((2, 0)),
                                         np.zeros((2, 0)), p=INF),
     lambda: F.triplet_margin_loss(t(np.zeros((2, 0))), t(np.zeros((2, 0))),
                                   t(np.zeros((2, 0))), p=INF), "empty"),
]


@pytest.mark.parametrize("helper_call,torch_call,match", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_value_error(helper_call, torch_call, match):
    with pytest.raises(ValueError, match=match):
        helper_call()
    with pytest.raises((RuntimeError, ValueError)):
        torch_call()


@pytest.mark.parametrize("call", [
    lambda: helpers.margin_ranking_loss(np.zeros(3, dtype=int), np.zeros(3), np.ones(3)),
    lambda: helpers.margin_ranking_loss(np.zeros(3), np.zeros(1), np.ones(3)),  # broadcast
    lambda: helpers.margin_ranking_loss(np.zeros(3), np.zeros(3), np.array(["a"] * 3)),
    lambda: helpers.cosine_embedding_loss(X, X[:1], Y),  # torch broadcasts
    lambda: helpers.triplet_margin_loss(X, X[:1], X),  # torch broadcasts
    lambda: helpers.triplet_margin_loss(X.astype(int), X, X),
], ids=["integer scores", "broadcast scores", "string labels", "broadcast embeddings",
        "broadcast triplet", "integer embeddings"])
def test_stricter_than_torch(call):
    """Where torch broadcasts or computes in integers, the twin asks for the same shape and
    floating-point numbers."""
    with pytest.raises(ValueError):
        call()
