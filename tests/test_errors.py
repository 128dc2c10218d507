"""Bad input: the helper raises ValueError naming the problem, where torch rejects (or warns)."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import helpers

X = np.zeros((2, 3))
P = np.full((2, 3), 0.5)
T = np.array([0, 2])


def t(a):
    return torch.from_numpy(np.asarray(a))


# (id, the helper's call, the same call in torch, what the message must say)
CASES = [
    ("shape mismatch (broadcastable)", lambda: helpers.mse_loss(np.zeros((3, 1)), np.zeros(3)),
     lambda: F.mse_loss(t(np.zeros((3, 1))), t(np.zeros(3))), "shape"),
    ("shape mismatch (not broadcastable)", lambda: helpers.l1_loss(np.zeros(3), np.zeros(2)),
     lambda: F.l1_loss(t(np.zeros(3)), t(np.zeros(2))), "shape"),
    ("shape mismatch, bce", lambda: helpers.binary_cross_entropy(P, P[0]),
     lambda: F.binary_cross_entropy(t(P), t(P[0])), "shape"),
    ("shape mismatch, bce with logits",
     lambda: helpers.binary_cross_entropy_with_logits(X, X[:, :1]),
     lambda: F.binary_cross_entropy_with_logits(t(X), t(X[:, :1])), "shape"),
    ("shape mismatch, cross_entropy target", lambda: helpers.cross_entropy(X, np.array([0, 1, 2])),
     lambda: F.cross_entropy(t(X), t(np.array([0, 1, 2]))), "shape"),
    ("shape mismatch, probability target", lambda: helpers.cross_entropy(X, P[:, :2]),
     lambda: F.cross_entropy(t(X), t(P[:, :2])), "shape"),
    ("class index too large", lambda: helpers.nll_loss(X, np.array([0, 3])),
     lambda: F.nll_loss(t(X), t(np.array([0, 3]))), "out of range"),
    ("class index negative", lambda: helpers.cross_entropy(X, np.array([-1, 0])),
     lambda: F.cross_entropy(t(X), t(np.array([-1, 0]))), "out of range"),
    ("float class targets", lambda: helpers.nll_loss(X, np.array([0.0, 1.0])),
     lambda: F.nll_loss(t(X), t(np.array([0.0, 1.0]))), "integers"),
    ("integer input", lambda: helpers.mse_loss(np.array([0, 3]), np.array([1, 0])),
     lambda: F.mse_loss(t(np.array([0, 3])), t(np.array([1, 0]))), "floating-point"),
    ("probability above 1", lambda: helpers.binary_cross_entropy(P + 0.6, P),
     lambda: F.binary_cross_entropy(t(P + 0.6), t(P)), r"input must be in \[0, 1\]"),
    ("negative probability", lambda: helpers.binary_cross_entropy_grad(P - 0.6, P),
     lambda: F.binary_cross_entropy(t(P - 0.6), t(P)), r"input must be in \[0, 1\]"),
    ("target outside [0, 1]", lambda: helpers.binary_cross_entropy(P, P + 0.6),
     lambda: F.binary_cross_entropy(t(P), t(P + 0.6)), r"target must be in \[0, 1\]"),
    ("integer bce target", lambda: helpers.binary_cross_entropy(P, np.ones((2, 3), dtype=int)),
     lambda: F.binary_cross_entropy(t(P), t(np.ones((2, 3), dtype=int))), "floating-point"),
    ("unknown reduction", lambda: helpers.l1_loss(X, X, reduction="avg"),
     lambda: F.l1_loss(t(X), t(X), reduction="avg"), "reduction must be one of"),
    ("batchmean outside kl_div", lambda: helpers.mse_loss(X, X, reduction="batchmean"),
     lambda: F.mse_loss(t(X), t(X), reduction="batchmean"), "reduction must be one of"),
    ("label_smoothing above 1", lambda: helpers.cross_entropy(X, T, label_smoothing=1.5),
     lambda: F.cross_entropy(t(X), t(T), label_smoothing=1.5), "label_smoothing"),
    ("weight of the wrong length", lambda: helpers.nll_loss(X, T, weight=np.ones(2)),
     lambda: F.nll_loss(t(X), t(T), weight=t(np.ones(2))), "one entry per class"),
    ("weight of the wrong length, ce", lambda: helpers.cross_entropy_grad(X, T, weight=np.ones(4)),
     lambda: F.cross_entropy(t(X), t(T), weight=t(np.ones(4))), "one entry per class"),
    ("bce weight not broadcastable",
     lambda: helpers.binary_cross_entropy(P, P, weight=np.ones(2)),
     lambda: F.binary_cross_entropy(t(P), t(P), weight=t(np.ones(2))), "broadcast"),
    ("pos_weight not broadcastable",
     lambda: helpers.binary_cross_entropy_with_logits(X, P, pos_weight=np.ones(2)),
     lambda: F.binary_cross_entropy_with_logits(t(X), t(P), pos_weight=t(np.ones(2))),
     "broadcast"),
    ("negative beta", lambda: helpers.smooth_l1_loss(X, X, beta=-1.0),
     lambda: F.smooth_l1_loss(t(X), t(X), beta=-1.0), "beta"),
    ("zero delta", lambda: helpers.huber_loss_grad(X, X, delta=0.0),
     lambda: F.huber_loss(t(X), t(X), delta=0.0), "delta"),
    ("negative delta", lambda: helpers.huber_loss(X, X, delta=-1.0),
     lambda: F.huber_loss(t(X), t(X), delta=-1.0), "delta"),
    ("ignore_index with probability targets",
     lambda: helpers.cross_entropy(X, P, ignore_index=1),
     lambda: F.cross_entropy(t(X), t(P), ignore_index=1), "ignore_index"),
    ("no class axis", lambda: helpers.nll_loss(np.float64(1.0), np.int64(0)),
     lambda: F.nll_loss(t(np.float64(1.0)), t(np.int64(0))), "class axis"),
]


@pytest.mark.parametrize("helper_call,torch_call,match", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_value_error(helper_call, torch_call, match):
    with pytest.raises(ValueError, match=match):
        helper_call()
    # torch rejects the same call, or (broadcastable shapes) warns that it is probably wrong
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((RuntimeError, ValueError, IndexError, NotImplementedError,
                            UserWarning)):
            torch_call()


def test_elementwise_mean_is_named():
    """The deprecated spelling gets a message that says what to write instead."""
    with pytest.raises(ValueError, match="use reduction='mean'"):
        helpers.mse_loss(X, X, reduction="elementwise_mean")
    with pytest.warns(UserWarning, match="deprecated"):
        F.mse_loss(t(X), t(X), reduction="elementwise_mean")


def test_gradient_twins_validate_too():
    """Each _grad twin rejects what its loss rejects (they share the checks)."""
    for name in ["l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss", "kl_div",
                 "binary_cross_entropy_with_logits"]:
        with pytest.raises(ValueError, match="shape"):
            getattr(helpers, name + "_grad")(np.zeros(3), np.zeros(2))
    for name in ["nll_loss", "cross_entropy"]:
        with pytest.raises(ValueError, match="out of range"):
            getattr(helpers, name + "_grad")(X, np.array([0, 7]))
