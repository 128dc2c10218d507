"""The kernels (logsumexp, softmax, log_softmax, sigmoid, logsigmoid, softplus) against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import frozen
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import helpers

SHAPES = array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5)
VALUES = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


def assert_matches(mine, ref, x):
    assert isinstance(mine, np.ndarray) and mine.dtype == x.dtype
    torch.testing.assert_close(torch.from_numpy(mine), ref)


@given(data=st.data(), shape=SHAPES, keepdims=st.booleans())
def test_logsumexp(data, shape, keepdims):
    (x,) = frozen(data.draw(arrays(np.float64, shape, elements=VALUES)))
    ndim = len(shape)
    axis = data.draw(st.one_of(
        st.integers(-ndim, ndim - 1),
        st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)))
    ref = torch.logsumexp(torch.from_numpy(x.copy()), dim=axis, keepdim=keepdims)
    assert_matches(np.asarray(helpers.logsumexp(x, axis=axis, keepdims=keepdims)), ref, x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data(), shape=SHAPES)
def test_softmax_and_log_softmax(name, data, shape):
    (x,) = frozen(data.draw(arrays(np.float64, shape, elements=VALUES)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    ref = getattr(torch, name)(torch.from_numpy(x.copy()), dim=axis)
    assert_matches(getattr(helpers, name)(x, axis=axis), ref, x)


@pytest.mark.parametrize("name,ref_fn", [("sigmoid", torch.sigmoid),
                                         ("logsigmoid", F.logsigmoid)])
@given(data=st.data(), shape=SHAPES)
def test_sigmoid_and_logsigmoid(name, ref_fn, data, shape):
    (x,) = frozen(data.draw(arrays(np.float64, shape, elements=VALUES)))
    assert_matches(getattr(helpers, name)(x), ref_fn(torch.from_numpy(x.copy())), x)


@given(data=st.data(), shape=SHAPES, beta=st.floats(0.1, 5), threshold=st.floats(1, 50))
def test_softplus(data, shape, beta, threshold):
    (x,) = frozen(data.draw(arrays(np.float64, shape, elements=st.floats(-100, 100))))
    ref = F.softplus(torch.from_numpy(x.copy()), beta=beta, threshold=threshold)
    assert_matches(helpers.softplus(x, beta=beta, threshold=threshold), ref, x)


def test_logsumexp_of_infinities():
    """A row of -inf gives -inf (not NaN), a +inf gives +inf, as in torch."""
    x = np.array([[-np.inf, -np.inf], [0.0, np.inf], [1.0, -np.inf]])
    ref = torch.logsumexp(torch.from_numpy(x), dim=1)
    torch.testing.assert_close(torch.from_numpy(helpers.logsumexp(x)), ref)
