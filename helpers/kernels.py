"""The stable kernels under every loss: log-sum-exp, softmax, log-softmax, sigmoid,
log-sigmoid, softplus.

Only numerically stable forms live here; the naive forms are shown failing in the
notebooks. Each is the twin of the torch function of the same name.
"""

from __future__ import annotations

import numpy as np

from ._checks import _float_array

__all__ = [
    "logsumexp",
    "softmax",
    "log_softmax",
    "sigmoid",
    "logsigmoid",
    "softplus",
]

def _shift_by_max(x, axis):
    """Return ``x - max(x)`` along ``axis`` (every entry <= 0) and the max, kept as size 1."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)  # all -inf rows: no NaN
    return x - m, m


def _log_sum_exp_shifted(shifted, axis):
    """``log(sum(exp(shifted)))`` of max-shifted values; overwrites ``shifted`` with exp."""
    np.exp(shifted, out=shifted)  # in (0, 1], one of them exactly 1
    with np.errstate(divide="ignore"):  # log(0) = -inf only when every entry is -inf
        return np.log(np.sum(shifted, axis=axis, keepdims=True))


def _exp_neg_abs(x):
    """``exp(-|x|)``, in (0, 1]: the one exponential the sigmoid family needs; never overflows."""
    e = np.asarray(np.abs(x))  # a fresh array (0-d included) that we may overwrite
    np.negative(e, out=e)
    return np.exp(e, out=e)


def logsumexp(x, axis=-1, keepdims=False):
    r"""Log of the sum of exponentials, computed without overflow.

    .. math:: \operatorname{logsumexp}(x) = m + \log \sum_j e^{x_j - m},\quad m = \max_j x_j

    Parameters
    ----------
    x : array_like of float, any shape
    axis : int or tuple of int, default -1
        Axis or axes to reduce over.
    keepdims : bool, default False
        Keep the reduced axes with size 1 (for broadcasting back against ``x``).

    Returns
    -------
    ndarray, the shape of ``x`` without ``axis`` (or with size 1 there if ``keepdims``).

    Notes
    -----
    Subtracting the maximum makes every exponent <= 0, so ``exp`` cannot overflow and at
    least one term is exactly 1, so the log never sees 0 (unless every entry is -inf).
    Same as ``torch.logsumexp(x, dim=axis, keepdim=keepdims)``, whose ``dim`` is required.
    """
    x = _float_array(x, "x")
    shifted, m = _shift_by_max(x, axis)
    out = _log_sum_exp_shifted(shifted, axis) + m  # m + log(sum(exp(x - m)))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(x, axis=-1):
    r"""Softmax along ``axis``: :math:`p_i = e^{x_i - m} / \sum_j e^{x_j - m}`, m = max x.

    Parameters
    ----------
    x : array_like of float, any shape, e.g. logits of shape (N, C)
    axis : int, default -1
        The class axis (``dim`` in ``torch.softmax``, which has no default: without it torch
        warns and picks one). Pass ``axis=1`` for (N, C, d1, ...) logits.

    Returns
    -------
    ndarray, same shape and dtype as ``x``; non-negative, summing to 1 along ``axis``.

    Notes
    -----
    The shift by the maximum changes nothing mathematically (it cancels between numerator
    and denominator) and keeps ``exp`` from overflowing. Same as ``torch.softmax(x, dim)``.
    """
    x = _float_array(x, "x")
    e, _ = _shift_by_max(x, axis)
    np.exp(e, out=e)  # every exponent <= 0: no overflow
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def log_softmax(x, axis=-1):
    r"""Log of the softmax along ``axis``: :math:`x_i - \operatorname{logsumexp}(x)`.

    Parameters
    ----------
    x : array_like of float, any shape, e.g. logits of shape (N, C)
    axis : int, default -1
        The class axis (torch's ``dim`` has no default). Pass ``axis=1`` for (N, C, d1, ...).

    Returns
    -------
    ndarray, same shape and dtype as ``x``; every entry <= 0.

    Notes
    -----
    Never computes ``log(softmax(x))``, which gives ``-inf`` once a probability underflows
    to 0 (logit gaps above about 104 in float32). Same as ``torch.log_softmax(x, dim)``.
    """
    x = _float_array(x, "x")
    shifted, _ = _shift_by_max(x, axis)
    # (x - m) - log(sum(exp(x - m))): both terms small, so no precision is lost to m
    return shifted - _log_sum_exp_shifted(shifted.copy(), axis)


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise.

    Parameters
    ----------
    x : array_like of float, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``x``, values in [0, 1].

    Notes
    -----
    With :math:`e = e^{-|x|} \le 1` it is :math:`1/(1+e)` for x >= 0 and
    :math:`e/(1+e)` for x < 0, so ``exp`` never overflows. Same as ``torch.sigmoid``.
    """
    x = _float_array(x, "x")
    e = _exp_neg_abs(x)
    numerator = np.maximum(e, x >= 0)  # 1 where x >= 0, e where x < 0 (e <= 1); no branch
    return (numerator / (1 + e)).astype(x.dtype, copy=False)


def logsigmoid(x):
    r"""Log of the sigmoid, :math:`\log \sigma(x) = -\operatorname{softplus}(-x)`.

    Parameters
    ----------
    x : array_like of float, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``x``, values <= 0.

    Notes
    -----
    Computed as :math:`\min(x, 0) - \log(1 + e^{-|x|})`: no overflow, and no ``log(0)``
    for very negative x. Same as ``torch.nn.functional.logsigmoid``.
    """
    x = _float_array(x, "x")
    return np.minimum(x, 0) - np.log1p(_exp_neg_abs(x))


def softplus(x, beta=1.0, threshold=20.0):
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, linear above ``threshold``.

    Parameters
    ----------
    x : array_like of float, any shape
    beta : float, default 1.0
        Sharpness; must not be 0.
    threshold : float, default 20.0
        Where :math:`\beta x` > threshold, return ``x`` itself (as torch does).

    Returns
    -------
    ndarray, same shape and dtype as ``x``.

    Notes
    -----
    :math:`\log(1 + e^{t}) = \max(t, 0) + \log(1 + e^{-|t|})` never overflows.
    Same as ``torch.nn.functional.softplus(x, beta, threshold)``.
    """
    x = _float_array(x, "x")
    if beta == 0:
        raise ValueError("softplus needs a non-zero beta (it divides by beta)")
    bx = x * x.dtype.type(beta)
    smooth = (np.maximum(bx, 0) + np.log1p(_exp_neg_abs(bx))) / x.dtype.type(beta)
    return np.where(bx > threshold, x, smooth).astype(x.dtype, copy=False)
