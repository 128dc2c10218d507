"""The negative log-likelihoods of notebook 09: gaussian_nll_loss and poisson_nll_loss.

Value and gradient(s) against torch.nn.functional and autograd (float64, property-based
over shapes, the shapes of var, options and reductions), against finite differences,
against formulas written out here, in float32 at the extremes, and every bad input.
"""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import check_against_torch, frozen, gradcheck_helper
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import helpers

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])
SHAPES = array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def t_(a):
    return torch.from_numpy(np.array(a))


def _dtype(tensor):
    return np.dtype(str(tensor.dtype).removeprefix("torch."))


# ---------------------------------------------------------------- Gaussian NLL


def check_gaussian(x, target, var, **kw):
    """Value, d_input and d_var against F.gaussian_nll_loss and autograd; inputs unchanged.

    A float var has no gradient in torch; its d_var is checked against the gradient of a 0-d
    leaf expanded to the input's shape (the derivative with respect to that one number).
    """
    x, target = frozen(x, target)
    if isinstance(var, np.ndarray):
        (var,) = frozen(var)
    before = [a.copy() for a in (x, target, var) if isinstance(a, np.ndarray)]

    value = helpers.gaussian_nll_loss(x, target, var, **kw)
    d_x, d_v = helpers.gaussian_nll_loss_grad(x, target, var, **kw)

    xt = t_(x).requires_grad_(True)
    if isinstance(var, float):
        ref = F.gaussian_nll_loss(xt, t_(target), var, **kw)  # torch's own float path
        leaf = torch.tensor(var, dtype=xt.dtype, requires_grad=True)
        F.gaussian_nll_loss(t_(x), t_(target), leaf.expand(x.shape), **kw).sum().backward()
    else:
        leaf = t_(var).requires_grad_(True)
        ref = F.gaussian_nll_loss(xt, t_(target), leaf, **kw)
    ref.sum().backward()

    value = np.asarray(value)
    assert value.shape == tuple(ref.shape) and value.dtype == _dtype(ref)
    torch.testing.assert_close(torch.from_numpy(value), ref.detach(), equal_nan=True)
    assert d_x.shape == x.shape and d_x.dtype == x.dtype
    torch.testing.assert_close(torch.from_numpy(d_x), xt.grad, equal_nan=True)
    assert d_v.shape == tuple(leaf.shape) and d_v.dtype == _dtype(leaf)
    torch.testing.assert_close(torch.from_numpy(np.asarray(d_v)), leaf.grad, equal_nan=True)
    for a, b in zip([a for a in (x, target, var) if isinstance(a, np.ndarray)], before,
                    strict=True):
        np.testing.assert_array_equal(a, b)


# variances: 0 and below-eps values (the clamp) as well as ordinary ones
VARIANCES = st.one_of(st.sampled_from([0.0, 1e-12, 1e-6, 1e-3]), floats(1e-3, 100))


@st.composite
def gaussian_problem(draw):
    shape = draw(SHAPES)
    x = draw(arrays(np.float64, shape, elements=floats(-100, 100)))
    t_shape = shape
    if draw(st.booleans()):  # torch's documented broadcasting of the target: sizes 1
        t_shape = tuple(draw(st.sampled_from([n, 1])) for n in shape)
    target = draw(arrays(np.float64, t_shape, elements=floats(-100, 100)))
    kind = draw(st.sampled_from(["same", "float"] + (["fewer", "one"] if shape else [])))
    if kind == "float":
        var = draw(VARIANCES)
    else:
        if kind == "same":
            v_shape = shape
        elif kind == "fewer":  # one dimension fewer: (d1, ..., dk-1)
            v_shape = shape[:-1]
        else:  # the input's shape with one size 1
            i = draw(st.integers(0, len(shape) - 1))
            v_shape = shape[:i] + (1,) + shape[i + 1:]
        var = draw(arrays(np.float64, v_shape, elements=VARIANCES))
    kw = {"full": draw(st.booleans()), "reduction": draw(REDUCTIONS),
          "eps": draw(st.sampled_from([1e-6, 1e-3, 0.5]))}
    return x, target, var, kw


@given(gaussian_problem())
def test_gaussian(problem):
    x, target, var, kw = problem
    check_gaussian(x, target, var, **kw)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gaussian_defaults(reduction):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    check_gaussian(x, y, rng.uniform(0.1, 2, (5, 3)), reduction=reduction)
    check_gaussian(x, y, rng.uniform(0.1, 2, (5, 1)), reduction=reduction)
    check_gaussian(x, y, rng.uniform(0.1, 2, 5), reduction=reduction)
    check_gaussian(x, y, 0.7, reduction=reduction)


@pytest.mark.parametrize("dtypes", [("float32", "float32", "float64"),
                                    ("float32", "float64", "float32"),
                                    ("float64", "float32", "float32"),
                                    ("float32", "float32", "float32")])
def test_gaussian_mixed_dtypes(dtypes):
    """The result in torch's promoted dtype; each gradient in its own argument's dtype."""
    rng = np.random.default_rng(2)
    x, y, v = (rng.uniform(0.5, 2, (4, 3)).astype(d) for d in dtypes)
    check_gaussian(x, y, v, reduction="sum")
    check_gaussian(x, y, v[:, :1], reduction="mean")


def test_gaussian_var_one_dimension_fewer_is_one_variance_per_row():
    """var (N,) for input (N, C) is aligned on the leading axis (not NumPy's trailing one)."""
    x = np.zeros((2, 2))
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    var = np.array([1.0, 100.0])
    per_row = np.array([[1.0], [100.0]])
    expected = 0.5 * (np.log(per_row) + y**2 / per_row)
    np.testing.assert_allclose(helpers.gaussian_nll_loss(x, y, var, reduction="none"), expected)
    check_gaussian(x, y, var, reduction="none")


def test_gaussian_0d_var_with_1d_input():
    check_gaussian(np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0]), np.array(2.0),
                   reduction="sum")


def test_gaussian_empty():
    """Mean of nothing is NaN (torch), the gradients are empty or 0."""
    check_gaussian(np.zeros((2, 0)), np.zeros((2, 0)), np.ones((2, 1)))
    check_gaussian(np.zeros((2, 0)), np.zeros((2, 0)), np.ones((2, 1)), reduction="sum")


def test_gaussian_clamp_passes_the_gradient_straight_through():
    """torch clamps var outside autograd: below eps, d_var is the formula at v = eps, not 0."""
    eps = 1e-3
    x, y = np.array([1.0, 1.0, 1.0]), np.zeros(3)
    var = np.array([0.0, 1e-5, 4.0])  # two clamped, one not
    d_x, d_v = helpers.gaussian_nll_loss_grad(x, y, var, eps=eps, reduction="sum")
    v = np.array([eps, eps, 4.0])
    np.testing.assert_allclose(d_x, 1 / v)
    np.testing.assert_allclose(d_v, 0.5 * (1 / v - 1 / v**2))
    assert (d_v[:2] != 0).all()
    value = helpers.gaussian_nll_loss(x, y, var, eps=eps, reduction="none")
    np.testing.assert_allclose(value, 0.5 * (np.log(v) + 1 / v))
    check_gaussian(x, y, var, eps=eps, reduction="sum")


def test_gaussian_with_unit_variance_is_half_the_mse():
    """The fixed-variance special case: 0.5 * MSE, plus 0.5 log(2 pi) with full."""
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    np.testing.assert_allclose(helpers.gaussian_nll_loss(x, y, 1.0), 0.5 * np.mean((x - y)**2))
    np.testing.assert_allclose(helpers.gaussian_nll_loss(x, y, np.ones((6, 2)), full=True),
                               0.5 * np.mean((x - y)**2) + 0.5 * math.log(2 * math.pi))
    np.testing.assert_allclose(helpers.gaussian_nll_loss_grad(x, y, 1.0)[0],
                               0.5 * helpers.mse_loss_grad(x, y))


# ---------------------------------------------------------------- Poisson NLL


@st.composite
def poisson_problem(draw):
    shape = draw(SHAPES)
    log_input = draw(st.booleans())
    if log_input:  # log-rates
        x = draw(arrays(np.float64, shape, elements=floats(-10, 5)))
    else:  # rates, 0 included
        x = draw(arrays(np.float64, shape, elements=st.one_of(st.just(0.0), floats(0, 50))))
    counts = st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.integers(0, 40).map(float),
                       floats(0, 40))  # 1 is the edge of the Stirling term
    y = draw(arrays(np.float64, shape, elements=counts))
    kw = {"log_input": log_input, "full": draw(st.booleans()), "reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["eps"] = draw(floats(1e-8, 1))
    return x, y, kw


@given(poisson_problem())
def test_poisson(problem):
    x, y, kw = problem
    check_against_torch("poisson_nll_loss", x, y, **kw)


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [True, False])
def test_poisson_integer_counts(log_input, full):
    """Counts as integers, as torch takes them (its Stirling term is then float32)."""
    x = np.array([[0.5, 1.0, 2.0], [3.0, 0.1, 1.5]])
    y = np.array([[0, 1, 2], [7, 0, 30]])
    check_against_torch("poisson_nll_loss", x, y, log_input=log_input, full=False)
    value = helpers.poisson_nll_loss(x, y, log_input=log_input, full=full, reduction="none")
    ref = F.poisson_nll_loss(t_(x), t_(y), log_input=log_input, full=full, reduction="none")
    assert value.dtype == np.float64
    torch.testing.assert_close(torch.from_numpy(value), ref, rtol=1e-6, atol=1e-6)


def test_poisson_values_and_gradient_from_the_formula():
    x = np.array([-1.0, 0.0, 2.0])
    y = np.array([0.0, 1.0, 5.0])
    np.testing.assert_allclose(helpers.poisson_nll_loss(x, y, reduction="none"),
                               np.exp(x) - y * x)
    np.testing.assert_allclose(helpers.poisson_nll_loss_grad(x, y), (np.exp(x) - y) / 3)
    rate = np.array([0.5, 1.0, 4.0])
    np.testing.assert_allclose(
        helpers.poisson_nll_loss(rate, y, log_input=False, eps=0.0, reduction="none"),
        rate - y * np.log(rate))
    np.testing.assert_allclose(
        helpers.poisson_nll_loss_grad(rate, y, log_input=False, eps=0.0, reduction="sum"),
        1 - y / rate)


def test_poisson_stirling_term_only_above_1_and_close_to_log_factorial():
    y = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 10.0, 100.0])
    x = np.zeros_like(y)
    term = (helpers.poisson_nll_loss(x, y, full=True, reduction="none")
            - helpers.poisson_nll_loss(x, y, full=False, reduction="none"))
    np.testing.assert_array_equal(term[:3], 0.0)
    log_factorial = np.array([math.lgamma(v + 1) for v in y[3:]])
    # Stirling: log y! = y log y - y + log(2 pi y)/2 + 1/(12 y) + O(1/y^3)
    np.testing.assert_allclose(log_factorial - term[3:], 1 / (12 * y[3:]), rtol=0.1)
    np.testing.assert_array_equal(
        helpers.poisson_nll_loss_grad(x, y, full=True), helpers.poisson_nll_loss_grad(x, y))


def test_poisson_nan_where_torch_has_nan():
    """log_input=False: a negative rate, or rate = -eps with count 0, is NaN (no error)."""
    x = np.array([-1.0, -1e-8, 0.0, -1.0])
    y = np.array([1.0, 0.0, 0.0, 0.0])
    check_against_torch("poisson_nll_loss", x, y, log_input=False, reduction="none")


# ---------------------------------------------------------------- finite differences


RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))


@pytest.mark.parametrize("v_shape", [(4, 3), (4, 1), (4,)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_finite_differences(v_shape, reduction, full):
    y = RNG.normal(size=X.shape)
    v = torch.tensor(RNG.uniform(0.2, 2, v_shape), requires_grad=True)
    kw = {"reduction": reduction, "full": full}
    assert gradcheck_helper("gaussian_nll_loss", (torch.tensor(X, requires_grad=True), y, v), kw)


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_poisson_finite_differences(log_input, reduction):
    x = X if log_input else np.exp(X)
    y = RNG.poisson(3, size=X.shape).astype(float)
    kw = {"reduction": reduction, "log_input": log_input, "full": True}
    assert gradcheck_helper("poisson_nll_loss", (torch.tensor(x, requires_grad=True), y), kw)


# ---------------------------------------------------------------- float32 extremes


def _no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


MEANS = np.float32([[1e4, -1e4, 0.0, 3.0], [-1e4, 1e4, 1e-30, 0.0]])
OBS = np.float32([[-1e4, 1e4, 0.0, 3.0], [0.0, 0.0, 1e4, 1e-30]])
VARS = np.float32([[0.0, 1e-30, 1e-6, 1e4], [1e10, 1.0, 0.0, 1e-3]])


@pytest.mark.parametrize("var", [VARS, VARS[:, :1], 1e-30], ids=["same", "column", "float"])
@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_float32_extremes(var, reduction, full):
    kw = {"reduction": reduction, "full": full}
    value = _no_warnings(helpers.gaussian_nll_loss, MEANS, OBS, var, **kw)
    d_x, d_v = _no_warnings(helpers.gaussian_nll_loss_grad, MEANS, OBS, var, **kw)
    assert np.asarray(value).dtype == np.float32 and d_x.dtype == np.float32
    assert np.asarray(d_v).dtype == np.float32
    for a in (value, d_x, d_v):
        assert np.isfinite(a).all()
    check_gaussian(MEANS, OBS, var, **kw)


LOG_RATES = np.float32([[-1e4, -50.0, 0.0], [50.0, 80.0, 1e-30]])
RATES = np.float32([[0.0, 1e-30, 1.0], [1e6, 1e30, 3.0]])
COUNTS = np.float32([[0.0, 1e6, 1.0], [1e30, 2.0, 1e-30]])


@pytest.mark.parametrize("x,log_input", [(LOG_RATES, True), (RATES, False)],
                         ids=["log_input", "rates"])
@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_float32_extremes(x, log_input, reduction, full):
    kw = {"log_input": log_input, "full": full, "reduction": reduction}
    y = COUNTS if not log_input else np.minimum(COUNTS, 1e6)  # e^x - y x: no inf - inf
    value = _no_warnings(helpers.poisson_nll_loss, x, y, **kw)
    grad = _no_warnings(helpers.poisson_nll_loss_grad, x, y, **kw)
    assert np.asarray(value).dtype == np.float32 and grad.dtype == np.float32
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    ref = F.poisson_nll_loss(xt, torch.from_numpy(y), **kw)
    ref.sum().backward()
    torch.testing.assert_close(torch.from_numpy(np.asarray(value)), ref.detach())
    torch.testing.assert_close(torch.from_numpy(grad), xt.grad)


# ---------------------------------------------------------------- bad input

X23, Y23 = np.zeros((2, 3)), np.zeros((2, 3))

# (id, the helper's call, the same call in torch, what the message must say)
CASES = [
    ("negative var", lambda: helpers.gaussian_nll_loss(X23, Y23, -np.ones((2, 3))),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), -torch.ones(2, 3)), "negative"),
    ("negative float var", lambda: helpers.gaussian_nll_loss_grad(X23, Y23, -0.5),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), -0.5), "negative"),
    ("var of another size", lambda: helpers.gaussian_nll_loss(X23, Y23, np.ones(3)),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), torch.ones(3)), "incorrect size"),
    ("var with two sizes 1", lambda: helpers.gaussian_nll_loss(X23, Y23, np.ones((1, 1))),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), torch.ones(1, 1)), "incorrect size"),
    ("var 0-d array, 2-d input", lambda: helpers.gaussian_nll_loss_grad(X23, Y23, np.array(1.0)),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), torch.tensor(1.0)), "incorrect size"),
    ("var with a size 0", lambda: helpers.gaussian_nll_loss(X23, Y23, np.ones((0, 1))),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), torch.ones(0, 1)), "broadcast"),
    ("integer var", lambda: helpers.gaussian_nll_loss(X23, Y23, 1),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), 1), "floating-point"),
    ("integer input, gaussian", lambda: helpers.gaussian_nll_loss(np.zeros(3, int), Y23[0], 1.0),
     lambda: F.gaussian_nll_loss(torch.zeros(3, dtype=int).requires_grad_(), t_(Y23[0]), 1.0),
     "floating-point"),
    ("unknown reduction, gaussian",
     lambda: helpers.gaussian_nll_loss(X23, Y23, 1.0, reduction="avg"),
     lambda: F.gaussian_nll_loss(t_(X23), t_(Y23), 1.0, reduction="avg"), "reduction"),
    ("unknown reduction, poisson", lambda: helpers.poisson_nll_loss_grad(X23, Y23, reduction="avg"),
     lambda: F.poisson_nll_loss(t_(X23), t_(Y23), reduction="avg"), "reduction"),
    ("integer input, poisson", lambda: helpers.poisson_nll_loss(np.zeros(3, int), np.zeros(3)),
     lambda: F.poisson_nll_loss(torch.zeros(3, dtype=int).requires_grad_(), torch.zeros(3)),
     "floating-point"),
]


@pytest.mark.parametrize("helper_call,torch_call,match", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_value_error(helper_call, torch_call, match):
    with pytest.raises(ValueError, match=match):
        helper_call()
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        torch_call()


@pytest.mark.parametrize("name,args,torch_shape", [
    ("gaussian_nll_loss", (np.zeros((3, 1)), np.zeros(3), 1.0), (3, 3)),
    ("gaussian_nll_loss", (np.zeros((2, 3)), np.zeros(3), 1.0), (2, 3)),
    ("poisson_nll_loss", (np.zeros((3, 1)), np.zeros(3)), (3, 3)),
    ("poisson_nll_loss", (np.zeros((2, 3)), np.zeros((2, 1))), (2, 3)),
])
def test_target_shapes_torch_broadcasts_silently_raise(name, args, torch_shape):
    """torch broadcasts these targets without a word (an (N, 1) input and an (N,) target
    give an (N, N) loss); the twins raise, loss and _grad alike."""
    for fn in (getattr(helpers, name), getattr(helpers, name + "_grad")):
        with pytest.raises(ValueError, match="shape"):
            fn(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(F, name)(*(t_(a) if isinstance(a, np.ndarray) else a for a in args),
                               reduction="none")
    assert out.shape == torch_shape


def test_gradient_twins_validate_too():
    with pytest.raises(ValueError, match="negative"):
        helpers.gaussian_nll_loss_grad(X23, Y23, np.full((2, 3), -1.0))
    with pytest.raises(ValueError, match="incorrect size"):
        helpers.gaussian_nll_loss_grad(X23, Y23, np.ones(3))
    with pytest.raises(ValueError, match="floating-point"):
        helpers.poisson_nll_loss_grad(X23, np.zeros((2, 3), dtype=bool))
