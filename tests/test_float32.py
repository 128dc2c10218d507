"""float32 in, float32 out; no overflow, NaN or floating-point warning at logits of ±1e4."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import helpers

LOGITS = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [-1e4, -1e4, -1e4]], dtype=np.float32)
TARGETS = np.array([1, 1, 2])

CASES = {
    "softmax": (lambda m, x: m.softmax(x, 1) if m is torch else m.softmax(x, axis=1)),
    "log_softmax": (lambda m, x: m.log_softmax(x, 1) if m is torch else m.log_softmax(x, axis=1)),
    "logsumexp": (lambda m, x: m.logsumexp(x, 1) if m is torch else m.logsumexp(x, axis=1)),
    "sigmoid": (lambda m, x: m.sigmoid(x)),
    "logsigmoid": (lambda m, x: F.logsigmoid(x) if m is torch else m.logsigmoid(x)),
    "softplus": (lambda m, x: F.softplus(x) if m is torch else m.softplus(x)),
}


def _no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("name", CASES)
def test_kernels_at_extremes(name):
    mine = _no_warnings(CASES[name], helpers, LOGITS)
    ref = CASES[name](torch, torch.from_numpy(LOGITS))
    assert mine.dtype == np.float32 and not np.isnan(mine).any()
    torch.testing.assert_close(torch.from_numpy(np.asarray(mine)), ref)


def _pairs():
    y01 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]], dtype=np.float32)
    p = np.array([[0.0, 1.0, 1.0], [0.5, 1e-30, 1.0], [1.0, 0.0, 0.25]], dtype=np.float32)
    return [
        ("cross_entropy", LOGITS, TARGETS, {"label_smoothing": 0.1}),
        ("cross_entropy", LOGITS, np.eye(3, dtype=np.float32), {}),
        ("nll_loss", LOGITS, TARGETS, {}),
        ("binary_cross_entropy_with_logits", LOGITS, y01,
         {"pos_weight": np.float32([1, 2, 3])}),
        ("binary_cross_entropy", p, y01, {}),
        ("kl_div", -np.abs(LOGITS), np.full((3, 3), 1 / 3, dtype=np.float32), {}),
        ("mse_loss", LOGITS, -LOGITS, {}),
        ("huber_loss", LOGITS, -LOGITS, {}),
    ]


@pytest.mark.parametrize("name,x,t,kw", _pairs(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_losses_at_extremes(name, x, t, kw, reduction):
    value = _no_warnings(getattr(helpers, name), x, t, reduction=reduction, **kw)
    grad = _no_warnings(getattr(helpers, name + "_grad"), x, t, reduction=reduction, **kw)
    assert np.asarray(value).dtype == np.float32 and grad.dtype == np.float32
    assert np.isfinite(value).all() and np.isfinite(grad).all()

    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    tkw = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ref = getattr(F, name)(xt, torch.from_numpy(t), reduction=reduction, **tkw)
    ref.sum().backward()
    torch.testing.assert_close(torch.from_numpy(np.asarray(value)), ref.detach())
    torch.testing.assert_close(torch.from_numpy(grad), xt.grad)


def test_bce_clamps_log_at_minus_100():
    """p = 0 for a positive is a loss of exactly 100, as torch's BCELoss gives."""
    p, y = np.float32([0.0, 1.0]), np.float32([1.0, 0.0])
    np.testing.assert_array_equal(helpers.binary_cross_entropy(p, y, reduction="none"),
                                  np.float32([100.0, 100.0]))
