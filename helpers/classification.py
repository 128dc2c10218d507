"""Classification losses: NLL and cross-entropy over a class axis, (C,), (N, C) or
(N, C, d1, ...) (notebooks 02, 03); binary cross-entropy on probabilities and on logits,
elementwise on any shape (notebooks 04, 05).

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``).
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    _as_grad,
    _broadcastable_to,
    _check_reduction,
    _float_array,
    _grad_scale,
    _pair,
    _reduce,
)
from .kernels import (
    _exp_neg_abs,
    _log_sum_exp_shifted,
    _shift_by_max,
    sigmoid,
    softmax,
)

__all__ = [
    "nll_loss",
    "nll_loss_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
]


def _class_rows(input):
    """View (N, C, d1, ...) logits as rows (M, C) with M = N*d1*..., and the way back."""
    if input.ndim == 0:
        raise ValueError("input must have a class axis: shape (C,), (N, C) or (N, C, d1, ...)")
    if input.ndim == 1:  # one unbatched example
        return input[None, :], lambda rows: rows[0]
    moved = np.moveaxis(input, 1, -1)  # (N, d1, ..., C): a view, no copy
    shape = moved.shape

    def back(rows):
        return np.moveaxis(rows.reshape(shape), -1, 1)

    return moved.reshape(-1, input.shape[1]), back


def _class_targets(input, target, ignore_index):
    """Check class-index targets against the input; return them flat (M,) and a valid mask."""
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise ValueError(
            f"class-index targets must be integers, got dtype {target.dtype}; "
            "probability targets must have the input's shape "
            f"{input.shape} (cross_entropy only)"
        )
    expected = () if input.ndim == 1 else input.shape[:1] + input.shape[2:]
    if target.shape != expected:
        raise ValueError(
            f"for input of shape {input.shape} the class-index target must have shape "
            f"{expected}, got {target.shape}"
        )
    c = input.shape[0] if input.ndim == 1 else input.shape[1]
    flat = target.reshape(-1)
    valid = flat != ignore_index
    bad = valid & ((flat < 0) | (flat >= c))
    if bad.any():
        raise ValueError(
            f"class index {flat[bad][0]} is out of range: targets must be in [0, {c - 1}] "
            f"or equal ignore_index={ignore_index}"
        )
    return np.where(valid, flat, 0), valid


def _class_weight(weight, c, dtype):
    """The per-class weight vector (C,), all ones when ``weight`` is None."""
    if weight is None:
        return np.ones(c, dtype=dtype)
    weight = _float_array(weight, "weight")
    if weight.shape != (c,):
        raise ValueError(f"weight must have one entry per class, shape ({c},), got {weight.shape}")
    return weight.astype(dtype, copy=False)


def _class_setup(input, target, weight, ignore_index, reduction):
    """Everything nll_loss and cross_entropy with index targets share."""
    input = _float_array(input, "input")
    _check_reduction(reduction)
    rows, back = _class_rows(input)
    t, valid = _class_targets(input, target, ignore_index)
    w = _class_weight(weight, rows.shape[1], input.dtype)
    w_y = np.where(valid, w[t], 0).astype(input.dtype, copy=False)  # weight of each target
    return input, rows, back, t, valid, w, w_y


def _class_reduce(loss, w_y, reduction, shape):
    """'mean' of the class losses divides by the summed weights of the (non-ignored) targets."""
    if reduction == "none":
        return loss.reshape(shape)
    total = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return total
    if not w_y.any():  # every target ignored, or every kept one of class weight 0: torch's
        return loss.dtype.type(np.nan)  # 0/0 = NaN, even where smoothing makes total != 0
    with np.errstate(invalid="ignore", divide="ignore"):  # weights cancelling: total/0
        return total / w_y.sum(dtype=loss.dtype)


def _class_grad_scale(w_y, valid, reduction):
    """d(reduced)/d(per-example loss), one per row (N,): 1, or 1/sum(w_y) for 'mean'; 0 on
    ignored rows (also where every target is ignored: torch's loss is NaN, its gradient 0),
    NaN on the kept rows when sum(w_y) = 0 (every kept target of class weight 0), as torch."""
    one = w_y.dtype.type(1)
    if reduction != "mean":
        scale = one
    else:
        total = w_y.sum(dtype=w_y.dtype)
        scale = one / total if total != 0 else w_y.dtype.type(np.nan)
    return np.where(valid, scale, 0).astype(w_y.dtype, copy=False)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood: pick the log-probability of the target class and negate it.

    .. math::
        \ell_i = -w_{y_i}\, x_{i, y_i}, \qquad
        L_{\text{mean}} = \frac{\sum_i \ell_i}{\sum_{i:\, y_i \ne \text{ignore}} w_{y_i}}

    Parameters
    ----------
    input : array_like of float, shape (C,), (N, C) or (N, C, d1, d2, ...)
        Log-probabilities (the output of :func:`log_softmax`). Nothing checks that they are.
    target : array_like of int, shape (), (N,) or (N, d1, d2, ...)
        Class indices in [0, C - 1], or ``ignore_index``.
    weight : array_like of float, shape (C,), optional
        Weight of each class.
    ignore_index : int, default -100
        Targets equal to it contribute nothing, to the loss or to the mean's denominator.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-example losses, shape of ``target``, for 'none'.

    Notes
    -----
    ``torch.nn.functional.nll_loss`` / ``nn.NLLLoss``. The weighted mean divides by the sum
    of the targets' weights, not by N; if every target is ignored it is 0/0 = NaN.
    """
    input, rows, _, t, valid, _, w_y = _class_setup(input, target, weight, ignore_index, reduction)
    picked = rows[np.arange(len(t)), t]  # x[i, y_i]
    loss = np.where(valid, -w_y * picked, 0).astype(input.dtype, copy=False)
    return _class_reduce(loss, w_y, reduction, np.shape(target))


def nll_loss_grad(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Gradient of :func:`nll_loss` with respect to ``input``.

    .. math:: \frac{\partial \ell_i}{\partial x_{i,c}} = -w_{y_i}\,[c = y_i]

    A negative weight on the target class and 0 elsewhere; divided by
    :math:`\sum_i w_{y_i}` for 'mean'; 0 for ignored targets.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, rows, back, t, valid, _, w_y = _class_setup(input, target, weight, ignore_index,
                                                       reduction)
    g = np.zeros_like(rows)
    g[np.arange(len(t)), t] = -w_y * _class_grad_scale(w_y, valid, reduction)
    return back(g)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    r"""Cross-entropy of softmax(input) against class indices or class probabilities.

    With class indices :math:`y_i`, weights :math:`w` (ones by default) and smoothing
    :math:`\varepsilon`, writing :math:`\log p = \operatorname{log\_softmax}(x)`:

    .. math::
        \ell_i = (1-\varepsilon)\,w_{y_i}\,(-\log p_{i,y_i})
                 + \frac{\varepsilon}{C}\sum_c w_c\,(-\log p_{i,c})

    and 'mean' divides the sum by :math:`\sum_i w_{y_i}` over the non-ignored targets.
    With probability targets :math:`q` (same shape as ``input``), smoothed to
    :math:`(1-\varepsilon)q + \varepsilon/C`:
    :math:`\ell_i = -\sum_c w_c\, q_{i,c} \log p_{i,c}`, and 'mean' divides by N (times
    d1·d2·…).

    Parameters
    ----------
    input : array_like of float, shape (C,), (N, C) or (N, C, d1, d2, ...)
        Logits (unnormalised scores); the softmax is taken here, along axis 1.
    target : array_like
        Either int class indices of shape (), (N,) or (N, d1, ...), or float class
        probabilities of the same shape as ``input``.
    weight : array_like of float, shape (C,), optional
    ignore_index : int, default -100
        Only for class-index targets.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0

    Returns
    -------
    ndarray: a scalar, or per-example losses of shape (N, d1, ...) for 'none'.

    Notes
    -----
    ``torch.nn.functional.cross_entropy`` / ``nn.CrossEntropyLoss``: the same as
    ``nll_loss(log_softmax(input, axis=1), target)`` when there is no smoothing. 'mean'
    where every kept target has class weight 0 is NaN, as torch (0/0; with smoothing too,
    although its term is not 0), and the gradient NaN on those rows. The
    log-sum-exp is shifted by the row maximum, so logits of ±1e4 are fine in float32.
    """
    input = _float_array(input, "input")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    eps = input.dtype.type(label_smoothing)
    if np.asarray(target).dtype.kind == "f":
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps)
    input, rows, _, t, valid, w, w_y = _class_setup(input, target, weight, ignore_index,
                                                    reduction)
    c = rows.shape[1]
    # -log p_c = log(sum_k exp(x_k - m)) - (x_c - m): work with the shifted logits x - m
    shifted, _ = _shift_by_max(rows, 1)
    picked = shifted[np.arange(len(t)), t]  # x_y - m
    smooth = shifted @ w if eps else None  # sum_c w_c (x_c - m)
    log_z = _log_sum_exp_shifted(shifted, 1)[:, 0]  # log sum_k exp(x_k - m)
    loss = (1 - eps) * w_y * (log_z - picked)  # (1 - eps) w_y (-log p_y)
    if eps:  # + eps/C sum_c w_c (-log p_c) = eps/C (W log_z - sum_c w_c (x_c - m))
        loss = loss + eps / c * (w.sum() * log_z - smooth)
    loss = np.where(valid, loss, 0).astype(input.dtype, copy=False)
    return _class_reduce(loss, w_y, reduction, np.shape(target))


def cross_entropy_grad(input, target, weight=None, ignore_index=-100, reduction="mean",
                       label_smoothing=0.0):
    r"""Gradient of :func:`cross_entropy` with respect to the logits ``input``.

    Without weights or smoothing it is the famous :math:`p_i - \text{onehot}(y_i)`
    (divided by N for 'mean'). In general, with :math:`W = \sum_c w_c`:

    .. math::
        \frac{\partial \ell_i}{\partial x_{i,c}} =
        \Big((1-\varepsilon)\,w_{y_i} + \frac{\varepsilon}{C} W\Big)\, p_{i,c}
        - (1-\varepsilon)\,w_{y_i}\,[c = y_i] - \frac{\varepsilon}{C}\, w_c

    and for probability targets :math:`q`:
    :math:`\big(\sum_k w_k q_{i,k}\big)\,p_{i,c} - w_c\,q_{i,c}`.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input = _float_array(input, "input")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    eps = input.dtype.type(label_smoothing)
    if np.asarray(target).dtype.kind == "f":
        return _cross_entropy_probs_grad(input, target, weight, ignore_index, reduction, eps)
    input, rows, back, t, valid, w, w_y = _class_setup(input, target, weight, ignore_index,
                                                       reduction)
    c = rows.shape[1]
    scale = _class_grad_scale(w_y, valid, reduction)
    coef = (1 - eps) * w_y  # weight on "p - onehot(y)" for each row
    if eps:
        coef = coef + eps / c * w.sum() * valid
    # p * coef * scale: the softmax of the rows, its normalisation fused with the row factor
    g, _ = _shift_by_max(rows, 1)
    np.exp(g, out=g)
    g *= (coef * scale / g.sum(axis=1))[:, None]
    g[np.arange(len(t)), t] -= (1 - eps) * w_y * scale
    if eps:
        g -= (eps / c * scale)[:, None] * w[None, :]  # scale is 0 on ignored rows
    return back(g)


def _probs_setup(input, target, weight, ignore_index, reduction, eps):
    """Check probability targets; return logits rows, smoothed targets rows, w and `back`."""
    target = _float_array(target, "target")
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"probability targets must have the input's shape {input.shape}, got {target.shape}"
        )
    if ignore_index != -100:
        raise ValueError("ignore_index is not supported with probability (float) targets")
    rows, back = _class_rows(input)
    q, _ = _class_rows(target.astype(input.dtype, copy=False))
    c = rows.shape[1]
    if eps:
        q = (1 - eps) * q + eps / c
    return rows, q, _class_weight(weight, c, input.dtype), back


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps):
    rows, q, w, _ = _probs_setup(input, target, weight, ignore_index, reduction, eps)
    wq = q * w  # w_c q_{i,c}
    shifted, _ = _shift_by_max(rows, 1)
    # -sum_c w_c q_c log p_c = (sum_c w_c q_c) log_z - sum_c w_c q_c (x_c - m)
    dot = np.sum(wq * shifted, axis=1)
    loss = wq.sum(axis=1) * _log_sum_exp_shifted(shifted, 1)[:, 0] - dot
    loss = loss.astype(input.dtype, copy=False)
    if reduction == "none":
        return loss.reshape(input.shape[:1] + input.shape[2:] if input.ndim > 1 else ())
    return _reduce(loss, reduction)


def _cross_entropy_probs_grad(input, target, weight, ignore_index, reduction, eps):
    rows, q, w, back = _probs_setup(input, target, weight, ignore_index, reduction, eps)
    wq = q * w
    g = softmax(rows, axis=1)
    g *= wq.sum(axis=1, keepdims=True)
    g -= wq
    g *= _grad_scale(len(rows), reduction, input.dtype)
    return back(g)




_BCE_EPS = 1e-12  # torch bounds p(1 - p) below by this in the BCE gradient


def _bce_setup(input, target, weight, reduction, probabilities):
    input, target, dt = _pair(input, target)
    _check_reduction(reduction)
    if weight is not None:
        weight = _broadcastable_to(_float_array(weight, "weight"), input.shape, "weight")
    if probabilities:
        for name, a in (("input", input), ("target", target)):
            if not np.all((a >= 0) & (a <= 1)):  # NaN fails this too
                raise ValueError(f"binary_cross_entropy: every {name} must be in [0, 1]")
    return input, target, weight, dt


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    r"""Binary cross-entropy of probabilities: the negative Bernoulli log-likelihood.

    .. math:: \ell_i = -w_i\,\big[y_i \log p_i + (1 - y_i) \log(1 - p_i)\big]

    with each log clamped below at -100, as torch does, so p = 0 or 1 gives a finite loss.

    Parameters
    ----------
    input : array_like of float, any shape
        Probabilities p in [0, 1] (the output of a sigmoid).
    target : array_like of float, same shape, values in [0, 1]
    weight : array_like of float, broadcastable to the input's shape, optional
        Weight of each element (not of each class: compare ``pos_weight``).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.binary_cross_entropy`` / ``nn.BCELoss``. Prefer
    :func:`binary_cross_entropy_with_logits` on logits: a float32 sigmoid is exactly 1
    above z of about 16.6 and exactly 0 below about -88.7 (e^{-z} overflows), and the loss
    of a wrong confident answer then reads 100; torch's backward floors p(1 - p) at 1e-12,
    which shrinks the gradient through a sigmoid beyond |z| of about 27.6, in any precision.
    """
    input, target, weight, dt = _bce_setup(input, target, weight, reduction, True)
    with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped at -100
        log_p = np.maximum(np.log(input), -100)
        log_1mp = np.maximum(np.log1p(-input), -100)
    loss = -(target * log_p + (1 - target) * log_1mp)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.astype(dt, copy=False), reduction)


def binary_cross_entropy_grad(input, target, weight=None, reduction="mean"):
    r"""Gradient of :func:`binary_cross_entropy` with respect to the probabilities ``input``.

    .. math::
        \frac{\partial \ell_i}{\partial p_i} = w_i\Big(-\frac{y_i}{p_i} + \frac{1-y_i}{1-p_i}\Big)
        = w_i\,\frac{p_i - y_i}{p_i(1 - p_i)}

    Like torch, the denominator is bounded below by 1e-12, so the gradient stays finite
    at p = 0 and p = 1. Divided by the number of elements for 'mean'.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, weight, _ = _bce_setup(input, target, weight, reduction, True)
    g = (input - target) / np.maximum(input * (1 - input), _BCE_EPS)
    if weight is not None:
        g = g * weight
    return _as_grad(g * _grad_scale(input.size, reduction, input.dtype), input)


def _bce_logits_setup(input, target, weight, reduction, pos_weight):
    input, target, weight, dt = _bce_setup(input, target, weight, reduction, False)
    if pos_weight is not None:
        pos_weight = _broadcastable_to(_float_array(pos_weight, "pos_weight"), input.shape,
                                       "pos_weight")
    return input, target, weight, pos_weight, dt


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    r"""Binary cross-entropy on logits z, with the sigmoid folded in stably.

    .. math::
        \ell_i = -w_i\,\big[\,r_i\, y_i \log\sigma(z_i) + (1 - y_i)\log(1 - \sigma(z_i))\big]

    with :math:`r` = ``pos_weight`` (1 by default), which scales the positive term only.
    Since :math:`-\log\sigma(z) = \operatorname{softplus}(-z)` and
    :math:`-\log(1-\sigma(z)) = \operatorname{softplus}(z)`, and
    :math:`\operatorname{softplus}(\pm z) = \max(\pm z, 0) + \log(1 + e^{-|z|})`, for
    r = 1 this is :math:`\max(z, 0) - z\,y + \log(1 + e^{-|z|})`.

    Parameters
    ----------
    input : array_like of float, any shape
        Logits z (any real number).
    target : array_like of float, same shape
        Targets, usually 0 or 1 (soft targets in [0, 1] work too).
    weight : array_like of float, broadcastable to the input's shape, optional
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    pos_weight : array_like of float, broadcastable to the input's shape, optional
        Weight of the positive term, e.g. shape (C,) for (N, C) multi-label logits; the
        usual choice is (number of negatives) / (number of positives).

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.binary_cross_entropy_with_logits`` / ``nn.BCEWithLogitsLoss``.
    No ``exp`` of a positive number is ever taken: finite for logits of ±1e4 in float32.
    """
    input, target, weight, pos_weight, dt = _bce_logits_setup(input, target, weight, reduction,
                                                              pos_weight)
    log1p_e = np.log1p(_exp_neg_abs(input))  # log(1 + e^{-|z|}), in (0, log 2]
    if pos_weight is None:
        loss = np.asarray(np.maximum(input, 0))
        loss -= input * target
        loss += log1p_e
    else:  # (1 - y) softplus(z) + r y softplus(-z)
        loss = ((1 - target) * (np.maximum(input, 0) + log1p_e)
                + pos_weight * target * (np.maximum(-input, 0) + log1p_e))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.astype(dt, copy=False), reduction)


def binary_cross_entropy_with_logits_grad(input, target, weight=None, reduction="mean",
                                          pos_weight=None):
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to the logits.

    .. math::
        \frac{\partial \ell_i}{\partial z_i} =
        w_i\,\big[(1 - y_i)\,\sigma(z_i) - r_i\, y_i\,(1 - \sigma(z_i))\big]

    which for r = 1 is the familiar :math:`w_i(\sigma(z_i) - y_i)`. Divided by the number of
    elements for 'mean'.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, weight, pos_weight, _ = _bce_logits_setup(input, target, weight, reduction,
                                                             pos_weight)
    s = sigmoid(input)
    if pos_weight is None:
        g = s - target
    else:
        g = (1 - target) * s - pos_weight * target * (1 - s)
    if weight is not None:
        g = g * weight
    return _as_grad(g * _grad_scale(input.size, reduction, input.dtype), input)
