"""Every loss of helpers, value and gradient, against torch.nn.functional and autograd.

Property-based: hypothesis draws the shapes, the values and the options; float64, so
that any difference is a mistake and not rounding.
"""

import numpy as np
import pytest
from conftest import check_against_torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import helpers

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def float_array(draw, shape, lo, hi):
    return draw(arrays(np.float64, shape, elements=floats(lo, hi)))


def broadcastable_shape(draw, shape):
    """A shape that broadcasts to ``shape``: a suffix of it, some sizes replaced by 1."""
    k = draw(st.integers(0, len(shape)))
    suffix = shape[len(shape) - k:]
    return tuple(draw(st.sampled_from([n, 1])) for n in suffix)


# ---------------------------------------------------------------- regression: any shape

ELEMENTWISE_SHAPES = array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss"])
@given(data=st.data(), shape=ELEMENTWISE_SHAPES, reduction=REDUCTIONS)
def test_l1_mse(name, data, shape, reduction):
    x = float_array(data.draw, shape, -1e3, 1e3)
    y = float_array(data.draw, shape, -1e3, 1e3)
    check_against_torch(name, x, y, reduction=reduction)


@given(data=st.data(), shape=ELEMENTWISE_SHAPES, reduction=REDUCTIONS, delta=floats(1e-3, 10))
def test_huber(data, shape, reduction, delta):
    x = float_array(data.draw, shape, -20, 20)
    y = float_array(data.draw, shape, -20, 20)
    check_against_torch("huber_loss", x, y, reduction=reduction, delta=delta)


@given(data=st.data(), shape=ELEMENTWISE_SHAPES, reduction=REDUCTIONS,
       beta=st.one_of(st.just(0.0), floats(1e-3, 10)))
def test_smooth_l1(data, shape, reduction, beta):
    x = float_array(data.draw, shape, -20, 20)
    y = float_array(data.draw, shape, -20, 20)
    check_against_torch("smooth_l1_loss", x, y, reduction=reduction, beta=beta)


@pytest.mark.parametrize("name", ["l1_loss", "huber_loss", "smooth_l1_loss"])
def test_kinks_match_torch(name):
    """At the kinks (residual 0, ±delta, ±beta) the gradient is torch's choice too."""
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 0.5])
    y = np.array([-2.0, 0.0, 0.0, 0.0, 1.0, -0.5])
    check_against_torch(name, x, y, reduction="sum")


# ---------------------------------------------------------------- classification: (N, C, d...)


@st.composite
def class_problem(draw, probability_targets=False):
    """Logits of shape (C,), (N, C) or (N, C, d1, ...), and matching targets and options."""
    c = draw(st.integers(1, 6))
    layout = draw(st.sampled_from(["unbatched", "batched", "spatial"]))
    if layout == "unbatched":
        shape = (c,)
    elif layout == "batched":
        shape = (draw(st.integers(1, 5)), c)
    else:
        extra = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
        shape = (draw(st.integers(1, 3)), c, *extra)
    x = float_array(draw, shape, -30, 30)
    kw = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):  # some class weights exactly 0 (every kept target's, at times)
        zero = draw(arrays(np.bool_, (c,)))
        kw["weight"] = np.where(zero, 0.0, float_array(draw, (c,), 0.1, 3))
    if probability_targets:
        return x, float_array(draw, shape, 0, 1), kw
    t_shape = () if layout == "unbatched" else shape[:1] + shape[2:]
    t = draw(arrays(np.int64, t_shape, elements=st.integers(0, c - 1)))
    if draw(st.booleans()):  # ignore some targets, with the default or a class index
        ignore = draw(st.sampled_from([-100, draw(st.integers(0, c - 1))]))
        mask = draw(arrays(np.bool_, t_shape))
        t = np.where(mask, ignore, t)
        kw["ignore_index"] = ignore
    return x, t, kw


@given(class_problem())
def test_nll(problem):
    x, t, kw = problem
    check_against_torch("nll_loss", x, t, **kw)


@given(class_problem(), st.one_of(st.just(0.0), floats(0, 1)))
def test_cross_entropy_class_indices(problem, label_smoothing):
    x, t, kw = problem
    check_against_torch("cross_entropy", x, t, label_smoothing=label_smoothing, **kw)


@given(class_problem(probability_targets=True), st.one_of(st.just(0.0), floats(0, 1)))
def test_cross_entropy_probability_targets(problem, label_smoothing):
    x, q, kw = problem
    check_against_torch("cross_entropy", x, q, label_smoothing=label_smoothing, **kw)


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_every_target_ignored(name, reduction):
    """torch: the mean is 0/0 = NaN (sum 0), and the gradient is 0 everywhere."""
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    check_against_torch(name, x, np.array([-100, -100]), reduction=reduction)
    check_against_torch(name, x, np.array([-100, -100]), reduction=reduction,
                        weight=np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("name, kw", [("nll_loss", {}), ("cross_entropy", {}),
                                      ("cross_entropy", {"label_smoothing": 0.1})])
@pytest.mark.parametrize("target", [[1, 1], [1, -100]])
def test_every_kept_target_has_class_weight_zero(name, kw, target):
    """torch: 'mean' divides by a zero weight sum: NaN (not inf, even with smoothing, whose
    term is not 0); the gradient is NaN on the kept rows and 0 on the ignored ones."""
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    check_against_torch(name, x, np.array(target), weight=np.array([1.0, 0.0, 2.0]), **kw)
    assert np.isnan(getattr(helpers, name)(x, np.array(target),
                                           weight=np.array([1.0, 0.0, 2.0]), **kw))


# ---------------------------------------------------------------- binary cross-entropy


@st.composite
def binary_problem(draw, probabilities, pos_weight=False):
    shape = draw(ELEMENTWISE_SHAPES)
    if probabilities:  # p in [0, 1], the ends included (the -100 clamp)
        x = draw(arrays(np.float64, shape, elements=st.one_of(
            st.sampled_from([0.0, 1.0, 1e-300, 1 - 1e-16]), floats(0, 1))))
    else:
        x = float_array(draw, shape, -60, 60)
    y = draw(arrays(np.float64, shape, elements=st.one_of(st.sampled_from([0.0, 1.0]),
                                                           floats(0, 1))))
    kw = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["weight"] = float_array(draw, broadcastable_shape(draw, shape), 0, 3)
    if pos_weight and draw(st.booleans()):
        kw["pos_weight"] = float_array(draw, broadcastable_shape(draw, shape), 0.1, 10)
    return x, y, kw


@given(binary_problem(probabilities=True))
def test_binary_cross_entropy(problem):
    x, y, kw = problem
    check_against_torch("binary_cross_entropy", x, y, **kw)


@given(binary_problem(probabilities=False, pos_weight=True))
def test_binary_cross_entropy_with_logits(problem):
    x, y, kw = problem
    check_against_torch("binary_cross_entropy_with_logits", x, y, **kw)


# ---------------------------------------------------------------- KL divergence


@given(data=st.data(), shape=ELEMENTWISE_SHAPES, log_target=st.booleans(),
       reduction=st.sampled_from(["none", "mean", "sum", "batchmean"]))
def test_kl_div(data, shape, log_target, reduction):
    x = float_array(data.draw, shape, -30, 0)  # log q
    if log_target:
        t = float_array(data.draw, shape, -30, 0)
    else:  # p, zeros included (0 log 0 = 0)
        t = data.draw(arrays(np.float64, shape,
                             elements=st.one_of(st.just(0.0), floats(0, 1))))
    check_against_torch("kl_div", x, t, reduction=reduction, log_target=log_target)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_kl_div_batchmean_divides_by_the_first_dimension(shape):
    """torch: the sum over input.size(0) for 1-d and up, the plain sum for a 0-d input."""
    x = -np.arange(1.0, 1.0 + np.prod(shape, dtype=int)).reshape(shape) / 4
    check_against_torch("kl_div", x, np.full(shape, 0.25), reduction="batchmean")
