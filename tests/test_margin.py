"""The margin and multi-label losses (helpers/margin.py) against torch.nn.functional.

Value and gradient against torch and autograd (float64, property-based over shapes,
targets, options and reductions); the kinks, where the gradient is a choice (torch's
autograd picks it); torch's target formats (-1 padding, repeated labels); independent
identities and hand-computed values; float32 extremes; finite differences; bad input.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import check_against_torch, frozen
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import helpers

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])
PM1 = np.float32([[1, -1, 1], [1, -1, -1], [-1, 1, 1]])  # ±1 labels, float32


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def float_array(draw, shape, lo, hi):
    return draw(arrays(np.float64, shape, elements=floats(lo, hi)))


def t(a):
    return torch.from_numpy(np.array(a))


def grad_of(name, x, target, **kw):
    """autograd's gradient of the (summed) torch loss, as NumPy."""
    xt = torch.tensor(x, requires_grad=True)
    kw = {k: t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    getattr(F, name)(xt, t(target), **kw).sum().backward()
    return xt.grad.numpy()


# ---------------------------------------------------------------- multi_margin_loss


@st.composite
def multi_margin_problem(draw):
    """Scores (C,), (N, C) or 0-d, integer targets of each shape torch accepts, options."""
    c = draw(st.integers(1, 6))
    layout = draw(st.sampled_from(["scalar", "unbatched", "batched"]))
    if layout == "scalar":
        shape, c, t_shape = (), 1, draw(st.sampled_from([(), (1,)]))
    elif layout == "unbatched":
        shape, t_shape = (c,), draw(st.sampled_from([(), (1,)]))
    else:
        n = draw(st.integers(1, 5))
        shape, t_shape = (n, c), ((n,) if n > 1 else draw(st.sampled_from([(), (1,)])))
    # small integers and halves make exact ties at the margin likely: torch's choice counts
    x = draw(arrays(np.float64, shape, elements=st.one_of(
        floats(-5, 5), st.integers(-3, 3).map(lambda v: v / 2))))
    target = draw(arrays(np.int64, t_shape, elements=st.integers(0, c - 1)))
    kw = {"reduction": draw(REDUCTIONS), "p": draw(st.sampled_from([1, 2])),
          "margin": draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0]), floats(-2, 3)))}
    if draw(st.booleans()):
        kw["weight"] = float_array(draw, (c,), 0, 3)
    return x, target, kw


@given(multi_margin_problem())
def test_multi_margin(problem):
    x, target, kw = problem
    check_against_torch("multi_margin_loss", x, target, **kw)


def test_multi_margin_by_hand():
    """One row, C = 4, target 3: (1 - 0.8 + 0.1) + (1 - 0.8 + 0.2) + (1 - 0.8 + 0.4), / 4."""
    x = np.array([[0.1, 0.2, 0.4, 0.8]])
    np.testing.assert_allclose(helpers.multi_margin_loss(x, np.array([3])), 1.3 / 4)
    np.testing.assert_allclose(helpers.multi_margin_loss_grad(x, np.array([3])),
                               [[0.25, 0.25, 0.25, -0.75]])
    # p = 2 squares each violation; the weight of the *target* class scales the row
    np.testing.assert_allclose(
        helpers.multi_margin_loss(x, np.array([3]), p=2, weight=np.array([9.0, 9, 9, 2])),
        2 * (0.3**2 + 0.4**2 + 0.6**2) / 4)


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_tie_at_the_margin(p):
    """z = margin - x_y + x_j = 0 exactly: no loss, and the subgradient 0 that torch picks."""
    x = np.array([[0.0, 1.0, 0.5], [2.0, 1.0, 1.0]])
    target = np.array([1, 0])  # row 0: class 0 exactly at the margin; row 1: both at it
    for reduction in ["none", "mean", "sum"]:
        check_against_torch("multi_margin_loss", x, target, p=p, reduction=reduction)
    g = helpers.multi_margin_loss_grad(x, target, p=p, reduction="sum")
    assert g[0, 0] == 0 and not g[1].any()
    assert helpers.multi_margin_loss(x[1:], target[1:]) == 0


def test_multi_margin_empty_batch():
    """N = 0: torch's 'none' is empty (its 'mean' and 'sum' are uninitialised memory)."""
    x, target = np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    check_against_torch("multi_margin_loss", x, target, reduction="none")
    assert helpers.multi_margin_loss(x, target, reduction="sum") == 0
    assert np.isnan(helpers.multi_margin_loss(x, target))
    assert helpers.multi_margin_loss_grad(x, target).shape == (0, 3)


# ---------------------------------------------------------------- multilabel_margin_loss


@st.composite
def multilabel_problem(draw):
    """Scores (C,), (N, C) or 0-d; targets anywhere in [-1, C - 1]: -1 first, repeats, ..."""
    c = draw(st.integers(1, 6))
    layout = draw(st.sampled_from(["scalar", "unbatched", "batched"]))
    if layout == "scalar":
        shape, c, t_shape = (), 1, draw(st.sampled_from([(), (1,)]))
    elif layout == "unbatched":
        shape, t_shape = (c,), (c,)
    else:
        shape = t_shape = (draw(st.integers(1, 5)), c)
    x = draw(arrays(np.float64, shape, elements=st.one_of(
        floats(-5, 5), st.integers(-3, 3).map(lambda v: v / 2))))
    target = draw(arrays(np.int64, t_shape, elements=st.integers(-1, c - 1)))
    return x, target, {"reduction": draw(REDUCTIONS)}


@given(multilabel_problem())
def test_multilabel_margin(problem):
    x, target, kw = problem
    check_against_torch("multilabel_margin_loss", x, target, **kw)


def test_multilabel_margin_documented_example():
    """torch's docs: scores [0.1, 0.2, 0.4, 0.8], classes 3 and 0 -> loss 0.85."""
    x, y = np.array([[0.1, 0.2, 0.4, 0.8]]), np.array([[3, 0, -1, 1]])
    np.testing.assert_allclose(helpers.multilabel_margin_loss(x, y), 0.85)
    # pairs (3,1) (3,2) (0,1) (0,2) all active: x1, x2 get +2/4, x3, x0 get -2/4
    np.testing.assert_allclose(helpers.multilabel_margin_loss_grad(x, y),
                               [[-0.5, 0.5, 0.5, -0.5]])


def test_multilabel_margin_minus_one_first_lists_nothing():
    """A -1 at the start of a row ends its list at once: loss 0, gradient 0, any scores."""
    x = np.array([[3.0, -2.0, 7.0], [0.0, 1.0, 2.0]])
    y = np.array([[-1, 0, 1], [2, -1, 0]])  # row 0 lists nothing; row 1 lists class 2 only
    check_against_torch("multilabel_margin_loss", x, y, reduction="none")
    assert helpers.multilabel_margin_loss(x, y, reduction="none")[0] == 0
    assert not helpers.multilabel_margin_loss_grad(x, y)[0].any()
    # what follows the first -1 is ignored: row 1 is the same as [2, -1, -1]
    np.testing.assert_array_equal(
        helpers.multilabel_margin_loss(x, y, reduction="none"),
        helpers.multilabel_margin_loss(x, np.array([[-1, -1, -1], [2, -1, -1]]),
                                       reduction="none"))


def test_multilabel_margin_repeated_label_counts_twice():
    """torch loops over the listed entries: a class listed twice has its hinges twice."""
    x = np.array([[0.3, 0.1, -0.2, 0.6]])
    once, twice = np.array([[0, -1, 0, 0]]), np.array([[0, 0, -1, 0]])
    check_against_torch("multilabel_margin_loss", x, twice, reduction="sum")
    np.testing.assert_allclose(helpers.multilabel_margin_loss(x, twice),
                               2 * helpers.multilabel_margin_loss(x, once))
    np.testing.assert_allclose(helpers.multilabel_margin_loss_grad(x, twice),
                               2 * helpers.multilabel_margin_loss_grad(x, once))
    # and by hand: class 0 against 1, 2, 3: hinges 0.8, 0.5, 1.3, twice, / C = 4
    np.testing.assert_allclose(helpers.multilabel_margin_loss(x, twice), 2 * 2.6 / 4)


def test_multilabel_margin_tie_at_the_margin():
    """x_j - x_k = 1 exactly: the pair is inactive (0), as torch's backward has it."""
    x = np.array([[1.0, 0.0, 0.25]])
    y = np.array([[0, -1, -1]])  # pair (0, 1) exactly at the margin, (0, 2) active
    check_against_torch("multilabel_margin_loss", x, y, reduction="sum")
    np.testing.assert_allclose(helpers.multilabel_margin_loss_grad(x, y, reduction="sum"),
                               [[-1 / 3, 0.0, 1 / 3]])


def test_multilabel_margin_every_class_listed():
    """No negative class, no pair: loss 0 (torch agrees)."""
    x, y = np.array([[5.0, -5.0]]), np.array([[1, 0]])
    check_against_torch("multilabel_margin_loss", x, y)
    assert helpers.multilabel_margin_loss(x, y) == 0


# ---------------------------------------------------------------- soft margins

ELEMENTWISE_SHAPES = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@st.composite
def sign_targets(draw, shape, kinds=("pm1", "any", "int")):
    kind = draw(st.sampled_from(kinds))
    if kind == "pm1":
        return draw(arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    if kind == "int":
        return draw(arrays(np.int64, shape, elements=st.sampled_from([-1, 0, 1])))
    return float_array(draw, shape, -2, 2)


@given(data=st.data(), shape=ELEMENTWISE_SHAPES, reduction=REDUCTIONS)
def test_soft_margin(data, shape, reduction):
    x = float_array(data.draw, shape, -40, 40)
    y = data.draw(sign_targets(shape))
    check_against_torch("soft_margin_loss", x, y, reduction=reduction)


@given(data=st.data(), shape=ELEMENTWISE_SHAPES, reduction=REDUCTIONS)
def test_soft_margin_is_bce_with_logits_on_pm1_labels(data, shape, reduction):
    """log(1 + e^{-y x}) = BCE-with-logits(x, (y + 1) / 2) for y = ±1 (another helper)."""
    x = float_array(data.draw, shape, -800, 800)
    y = data.draw(arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    for name in ["", "_grad"]:
        np.testing.assert_allclose(
            getattr(helpers, "soft_margin_loss" + name)(x, y, reduction=reduction),
            getattr(helpers, "binary_cross_entropy_with_logits" + name)(
                x, (y + 1) / 2, reduction=reduction), rtol=1e-12, atol=1e-15)


@st.composite
def multilabel_soft_problem(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = float_array(draw, shape, -40, 40)
    kind = draw(st.sampled_from(["01", "soft", "int"]))
    if kind == "01":
        y = draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    elif kind == "soft":
        y = float_array(draw, shape, 0, 1)
    else:
        y = draw(arrays(np.int64, shape, elements=st.integers(0, 1)))
    kw = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):  # a weight that broadcasts to the input: (C,), (N, 1), ...
        k = draw(st.integers(0, len(shape)))
        w_shape = tuple(draw(st.sampled_from([n, 1])) for n in shape[len(shape) - k:])
        kw["weight"] = float_array(draw, w_shape, 0, 3)
    return x, y, kw


@given(multilabel_soft_problem())
def test_multilabel_soft_margin(problem):
    x, y, kw = problem
    check_against_torch("multilabel_soft_margin_loss", x, y, **kw)


@given(multilabel_soft_problem())
def test_multilabel_soft_margin_is_the_class_mean_of_bce(problem):
    """The per-example loss is BCE-with-logits (reduction='none') averaged over the last axis."""
    x, y, kw = problem
    y = y.astype(float)
    bce = helpers.binary_cross_entropy_with_logits(x, y, weight=kw.get("weight"),
                                                   reduction="none")
    per_example = bce.mean(axis=-1)
    np.testing.assert_allclose(
        helpers.multilabel_soft_margin_loss(x, y, weight=kw.get("weight"), reduction="none"),
        per_example, rtol=1e-12)
    np.testing.assert_allclose(
        helpers.multilabel_soft_margin_loss(x, y, weight=kw.get("weight"), reduction="sum"),
        per_example.sum(), rtol=1e-12)


# ---------------------------------------------------------------- hinge_embedding_loss


@given(data=st.data(), shape=ELEMENTWISE_SHAPES, reduction=REDUCTIONS,
       margin=st.one_of(st.sampled_from([0.0, 1.0, 2.0]), floats(-1, 3)))
def test_hinge_embedding(data, shape, reduction, margin):
    x = data.draw(arrays(np.float64, shape, elements=st.one_of(
        floats(-3, 4), st.sampled_from([0.0, 1.0, 2.0, margin]))))  # ties at the margin
    y = data.draw(sign_targets(shape, kinds=("pm1", "int")))
    check_against_torch("hinge_embedding_loss", x, y, margin=margin, reduction=reduction)


def test_hinge_embedding_by_hand_and_at_the_margin():
    """y = 1: x, gradient 1. y = -1: max(0, m - x), gradient -1 up to x = m *included*."""
    x = np.array([0.5, 0.5, 1.0, 1.5, 1.0])
    y = np.array([1.0, -1.0, -1.0, -1.0, 0.0])  # a 0 label gets x + max(0, 1 - x)
    check_against_torch("hinge_embedding_loss", x, y, reduction="none")
    np.testing.assert_allclose(helpers.hinge_embedding_loss(x, y, reduction="none"),
                               [0.5, 0.5, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(helpers.hinge_embedding_loss_grad(x, y, reduction="sum"),
                                  [1.0, -1.0, -1.0, 0.0, 0.0])


@pytest.mark.parametrize("name,y,kw", [
    ("soft_margin_loss", PM1.astype(np.float64), {}),  # torch: the input's dtype, float32
    ("hinge_embedding_loss", PM1.astype(np.float64), {}),
    ("multilabel_soft_margin_loss", (PM1 > 0).astype(np.float64), {}),  # promoted: float64
    ("multilabel_soft_margin_loss", (PM1 > 0).astype(np.int64), {}),  # int target: float32
    ("multilabel_soft_margin_loss", (PM1 > 0).astype(np.float32), {"weight": np.ones(3)}),
], ids=["soft_margin", "hinge", "multilabel_soft f64 target", "int target", "f64 weight"])
def test_result_dtype_is_torchs(name, y, kw):
    """float32 scores with float64 or int targets and weights: the result dtype torch gives."""
    check_against_torch(name, np.linspace(-2, 2, 9, dtype=np.float32).reshape(3, 3), y, **kw)


# ---------------------------------------------------------------- finite differences


def _numerical_grad(fn, x, h=1e-6):
    """Central differences of a scalar function, one coordinate at a time (a test tool)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (fn(up) - fn(down)) / (2 * h)
    return g


RNG = np.random.default_rng(1)
S = RNG.normal(size=(4, 5))  # continuous scores: no kink within 1e-6 (checked below)
FD_CASES = {
    "multi_margin p=1": ("multi_margin_loss", S, np.array([0, 4, 2, 2]),
                         {"weight": np.array([1.0, 2.0, 0.5, 1.0, 3.0])}),
    "multi_margin p=2": ("multi_margin_loss", S, np.array([0, 4, 2, 2]),
                         {"p": 2, "margin": 0.7}),
    "multilabel_margin": ("multilabel_margin_loss", S,
                          np.array([[1, 3, -1, 0, 0], [-1, 2, 2, 2, 2], [4, 4, 0, -1, 1],
                                    [0, 1, 2, 3, -1]]), {}),
    "soft_margin": ("soft_margin_loss", 3 * S, RNG.choice([-1.0, 1.0], size=S.shape), {}),
    "multilabel_soft_margin": ("multilabel_soft_margin_loss", 3 * S,
                               RNG.integers(0, 2, S.shape).astype(float),
                               {"weight": RNG.uniform(0.5, 2, size=5)}),
    "hinge_embedding": ("hinge_embedding_loss", np.abs(S), RNG.choice([-1, 1], size=S.shape),
                        {"margin": 1.2}),
}


@pytest.mark.parametrize("case", FD_CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradient_matches_finite_differences(case, reduction):
    name, x, target, kw = FD_CASES[case]
    kw = {**kw, "reduction": reduction}
    numerical = _numerical_grad(lambda v: getattr(helpers, name)(v, target, **kw), x)
    np.testing.assert_allclose(getattr(helpers, name + "_grad")(x, target, **kw), numerical,
                               rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- float32 extremes

BIG = np.float32([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [3e4, -3e4, -1e4]])


def _no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


F32_CASES = [
    ("multi_margin_loss", BIG, np.array([1, 2, 0]), {}),
    ("multi_margin_loss", BIG, np.array([1, 0, 2]), {"p": 2, "weight": np.float32([1, 2, 3])}),
    ("multilabel_margin_loss", BIG, np.array([[1, -1, 0], [0, 2, -1], [2, 2, 1]]), {}),
    ("multilabel_soft_margin_loss", BIG, (PM1 > 0).astype(np.float32),
     {"weight": np.float32([1, 2, 3])}),
    ("hinge_embedding_loss", np.abs(BIG), PM1, {"margin": 2.0}),
    ("soft_margin_loss", BIG, np.where(BIG >= 0, 1, -1).astype(np.float32), {}),  # y x >= 0
]


@pytest.mark.parametrize("name,x,y,kw", F32_CASES, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_float32_extremes_agree_with_torch(name, x, y, kw, reduction):
    kw = {**kw, "reduction": reduction}
    value = _no_warnings(getattr(helpers, name), x, y, **kw)
    grad = _no_warnings(getattr(helpers, name + "_grad"), x, y, **kw)
    assert np.asarray(value).dtype == np.float32 and grad.dtype == np.float32
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    tkw = {k: t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ref = getattr(F, name)(xt, t(y), **tkw)
    ref.sum().backward()
    torch.testing.assert_close(torch.from_numpy(np.asarray(value)), ref.detach())
    torch.testing.assert_close(torch.from_numpy(grad), xt.grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_soft_margin_stays_finite_where_torch_overflows(dtype):
    """A confident wrong answer: torch's log1p(exp(-y x)) is inf (gradient NaN); ours |x|, ±1."""
    x = np.array([-1e4, 1e4, 100.0, -800.0], dtype=dtype)
    y = np.array([1.0, -1.0, -1.0, 1.0], dtype=dtype)
    value = _no_warnings(helpers.soft_margin_loss, x, y, reduction="none")
    grad = _no_warnings(helpers.soft_margin_loss_grad, x, y, reduction="sum")
    np.testing.assert_allclose(value, np.abs(x), rtol=1e-6)  # log(1 + e^a) = a + O(e^-a)
    np.testing.assert_array_equal(grad, -y)
    ref = F.soft_margin_loss(t(x), t(y), reduction="none")
    assert torch.isinf(ref[:2]).all()  # what torch gives: if this fails, torch got stable


# ---------------------------------------------------------------- bad input

X = np.zeros((2, 3))
T = np.array([0, 2])
ML = np.array([[0, -1, -1], [1, 2, -1]])

# (id, the helper's call, the same call in torch, what the message must say)
CASES = [
    ("p = 3", lambda: helpers.multi_margin_loss(X, T, p=3),
     lambda: F.multi_margin_loss(t(X), t(T), p=3), "p == 1 and p == 2"),
    ("multi_margin target too large", lambda: helpers.multi_margin_loss(X, np.array([0, 3])),
     lambda: F.multi_margin_loss(t(X), t(np.array([0, 3]))), "out of range"),
    ("multi_margin target negative", lambda: helpers.multi_margin_loss_grad(X, np.array([-1, 0])),
     lambda: F.multi_margin_loss(t(X), t(np.array([-1, 0]))), "out of range"),
    ("multi_margin target of the wrong length",
     lambda: helpers.multi_margin_loss(X, np.array([0, 1, 2])),
     lambda: F.multi_margin_loss(t(X), t(np.array([0, 1, 2]))), "target must be 1-d"),
    ("multi_margin 2-d target", lambda: helpers.multi_margin_loss(X, T[:, None]),
     lambda: F.multi_margin_loss(t(X), t(T[:, None])), "target must be 1-d"),
    ("multi_margin float target", lambda: helpers.multi_margin_loss(X, T.astype(float)),
     lambda: F.multi_margin_loss(t(X), t(T.astype(float))), "integers"),
    ("multi_margin 3-d input", lambda: helpers.multi_margin_loss(np.zeros((2, 3, 4)), T),
     lambda: F.multi_margin_loss(t(np.zeros((2, 3, 4))), t(T)), "vector"),
    ("multi_margin no classes", lambda: helpers.multi_margin_loss(np.zeros((2, 0)), T),
     lambda: F.multi_margin_loss(t(np.zeros((2, 0))), t(T)), "non-empty"),
    ("multi_margin weight of the wrong length",
     lambda: helpers.multi_margin_loss(X, T, weight=np.ones(2)),
     lambda: F.multi_margin_loss(t(X), t(T), weight=t(np.ones(2))), "one entry per class"),
    ("multi_margin 2-d weight", lambda: helpers.multi_margin_loss(X, T, weight=np.ones((1, 3))),
     lambda: F.multi_margin_loss(t(X), t(T), weight=t(np.ones((1, 3)))), "one-dimensional"),
    ("multi_margin integer input", lambda: helpers.multi_margin_loss(X.astype(int), T),
     lambda: F.multi_margin_loss(t(X.astype(int)), t(T)), "floating-point"),
    ("multilabel target entry too large",
     lambda: helpers.multilabel_margin_loss(X, np.array([[0, 3, -1], [1, -1, 0]])),
     lambda: F.multilabel_margin_loss(t(X), t(np.array([[0, 3, -1], [1, -1, 0]]))),
     "out of range"),
    ("multilabel out of range after the -1",
     lambda: helpers.multilabel_margin_loss_grad(X, np.array([[0, -1, 3], [1, -1, 0]])),
     lambda: F.multilabel_margin_loss(t(X), t(np.array([[0, -1, 3], [1, -1, 0]]))),
     "out of range"),
    ("multilabel target below -1",
     lambda: helpers.multilabel_margin_loss(X, np.array([[0, -2, 1], [1, -1, 0]])),
     lambda: F.multilabel_margin_loss(t(X), t(np.array([[0, -2, 1], [1, -1, 0]]))),
     "out of range"),
    ("multilabel target not of the input's shape",
     lambda: helpers.multilabel_margin_loss(X, ML[:, :2]),
     lambda: F.multilabel_margin_loss(t(X), t(ML[:, :2])), "must have shape"),
    ("multilabel 1-d target for a matrix", lambda: helpers.multilabel_margin_loss(X, ML[0]),
     lambda: F.multilabel_margin_loss(t(X), t(ML[0])), "must have shape"),
    ("multilabel 2-d target for a vector", lambda: helpers.multilabel_margin_loss(X[0], ML[:1]),
     lambda: F.multilabel_margin_loss(t(X[0]), t(ML[:1])), "must have shape"),
    ("multilabel float target", lambda: helpers.multilabel_margin_loss(X, ML.astype(float)),
     lambda: F.multilabel_margin_loss(t(X), t(ML.astype(float))), "integers"),
    ("multilabel 3-d input",
     lambda: helpers.multilabel_margin_loss(np.zeros((1, 2, 3)), ML[None]),
     lambda: F.multilabel_margin_loss(t(np.zeros((1, 2, 3))), t(ML[None])), "vector"),
    ("soft_margin shape mismatch", lambda: helpers.soft_margin_loss(X, X[:, :2]),
     lambda: F.soft_margin_loss(t(X), t(X[:, :2])), "shape"),
    ("soft_margin integer input", lambda: helpers.soft_margin_loss_grad(X.astype(int), X),
     lambda: F.soft_margin_loss(t(X.astype(int)), t(X.astype(int))), "floating-point"),
    ("multilabel_soft shape mismatch", lambda: helpers.multilabel_soft_margin_loss(X, X[:, :2]),
     lambda: F.multilabel_soft_margin_loss(t(X), t(X[:, :2])), "shape"),
    ("multilabel_soft 0-d input",
     lambda: helpers.multilabel_soft_margin_loss(np.float64(0), np.float64(1)),
     lambda: F.multilabel_soft_margin_loss(t(np.float64(0)), t(np.float64(1))), "class axis"),
    ("multilabel_soft weight not broadcastable",
     lambda: helpers.multilabel_soft_margin_loss_grad(X, X, weight=np.ones(2)),
     lambda: F.multilabel_soft_margin_loss(t(X), t(X), weight=t(np.ones(2))), "broadcast"),
    ("multilabel_soft bool target",
     lambda: helpers.multilabel_soft_margin_loss(X, X > 0),
     lambda: F.multilabel_soft_margin_loss(t(X), t(X > 0)), "numbers"),
    ("hinge shape mismatch", lambda: helpers.hinge_embedding_loss(X, X[:, :2]),
     lambda: F.hinge_embedding_loss(t(X), t(X[:, :2])), "shape"),
]
REDUCTION_CASES = [
    (name, (X, T) if "multi_margin" in name else (X, ML) if name.startswith("multilabel_margin")
     else (X, X))
    for name in ["multi_margin_loss", "multilabel_margin_loss", "soft_margin_loss",
                 "multilabel_soft_margin_loss", "hinge_embedding_loss"]
]
CASES += [(f"{name} unknown reduction",
           lambda name=name, a=a: getattr(helpers, name)(*a, reduction="avg"),
           lambda name=name, a=a: getattr(F, name)(*map(t, a), reduction="avg"),
           "reduction must be one of") for name, a in REDUCTION_CASES]


@pytest.mark.parametrize("helper_call,torch_call,match", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_value_error(helper_call, torch_call, match):
    with pytest.raises(ValueError, match=match):
        helper_call()
    with pytest.raises((RuntimeError, ValueError, IndexError, NotImplementedError)):
        torch_call()


@pytest.mark.parametrize("name,args", REDUCTION_CASES)
def test_gradient_twins_validate_too(name, args):
    """Each _grad twin rejects what its loss rejects (they share the checks)."""
    with pytest.raises(ValueError, match="reduction"):
        getattr(helpers, name + "_grad")(*args, reduction="avg")


@pytest.mark.parametrize("name", ["soft_margin_loss", "multilabel_soft_margin_loss",
                                  "hinge_embedding_loss"])
def test_broadcastable_target_is_refused(name):
    """torch broadcasts an (N, C) input against a (C,) target silently; the twins refuse."""
    getattr(F, name)(t(X), t(X[0]))  # torch: no error, no warning
    with pytest.raises(ValueError, match="shape"):
        getattr(helpers, name)(X, X[0])


def test_inputs_are_not_modified():
    """Read-only inputs: a helper that writes into them raises (the others check equality)."""
    x, target, w = frozen(S, np.array([0, 4, 2, 2]), np.ones(5))
    for fn in [helpers.multi_margin_loss, helpers.multi_margin_loss_grad]:
        fn(x, target, p=2, weight=w)
    (y,) = frozen(FD_CASES["multilabel_margin"][2])
    helpers.multilabel_margin_loss_grad(x, y)


def test_margin_kernels_turn_a_nan_hinge_into_zero_as_torch():
    """torch's margin kernels compute ``z > 0 ? z : 0``: a NaN score adds 0, not NaN (the
    shared hinge keeps this with keep_nan=False; the embedding losses' clamp_min differs)."""
    x = np.array([[np.nan, 1.0, 2.0]])
    for name, y in [("multi_margin_loss", np.array([1])),
                    ("multilabel_margin_loss", np.array([[1, -1, 0]]))]:
        value = getattr(helpers, name)(x, y, reduction="none")
        ref = getattr(F, name)(torch.from_numpy(x), torch.from_numpy(y), reduction="none")
        np.testing.assert_allclose(value, ref.numpy())
        assert np.isfinite(value).all()
