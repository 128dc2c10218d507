"""Each hand-derived gradient against finite differences of its own loss.

torch.autograd.gradcheck perturbs the input and compares the change of the helper's value
with the helper's _grad: a check that does not rely on torch's implementation at all.
"""

import numpy as np
import pytest
import torch
from conftest import gradcheck_helper

import helpers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3, 2))  # (N, C, d1) logits, residuals well away from the kinks
CASES = {
    "l1_loss": (X, X + RNG.choice([-1, 1], size=X.shape) * RNG.uniform(0.1, 1, X.shape), {}),
    "mse_loss": (X, RNG.normal(size=X.shape), {}),
    "huber_loss": (X, X + RNG.choice([-0.5, 2.0], size=X.shape), {"delta": 1.0}),
    "smooth_l1_loss": (X, X + RNG.choice([-0.2, 1.5], size=X.shape), {"beta": 0.7}),
    "nll_loss": (X, np.array([[0, 2], [1, 1], [-100, 0], [2, 2]]),
                 {"weight": np.array([0.5, 1.0, 2.0])}),
    "cross_entropy": (X, np.array([[0, 2], [1, 1], [-100, 0], [2, 2]]),
                      {"weight": np.array([0.5, 1.0, 2.0]), "label_smoothing": 0.2}),
    "cross_entropy (probabilities)": (X, helpers.softmax(RNG.normal(size=X.shape), axis=1),
                                      {"label_smoothing": 0.1}),
    "binary_cross_entropy": (helpers.sigmoid(X), RNG.uniform(size=X.shape),
                             {"weight": RNG.uniform(size=(1, 3, 1))}),
    "binary_cross_entropy_with_logits": (3 * X, RNG.integers(0, 2, X.shape).astype(float),
                                         {"pos_weight": np.array([[1.0], [2.0], [5.0]])}),
    "kl_div": (helpers.log_softmax(X, axis=1), helpers.softmax(RNG.normal(size=X.shape), axis=1),
               {}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradient_matches_finite_differences(case, reduction):
    name = case.split()[0]
    x, target, kwargs = CASES[case]
    kwargs = {**kwargs, "reduction": reduction}
    xt = torch.tensor(x, requires_grad=True)
    assert gradcheck_helper(name, (xt, target), kwargs, eps=1e-6, atol=1e-6, rtol=1e-5)


def test_kl_div_batchmean_gradient():
    x, target, _ = CASES["kl_div"]
    xt = torch.tensor(x, requires_grad=True)
    kw = {"reduction": "batchmean"}
    assert gradcheck_helper("kl_div", (xt, target), kw)
