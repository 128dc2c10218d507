"""Margin and multi-label losses (notebook 10): the multiclass SVM loss, its multi-label
version over (positive, negative) pairs, the soft margin (logistic) loss with ±1 labels,
its multi-label class-mean, and the hinge embedding loss on distances.

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``).
Where a hinge sits exactly at its kink, the gradient is the one torch's backward
picks (said in each docstring).
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    _as_grad,
    _broadcastable_to,
    _check_reduction,
    _float_array,
    _grad_scale,
    _hinge,
    _reduce,
    _sign_labels,
)
from .kernels import _exp_neg_abs, sigmoid

__all__ = [
    "multi_margin_loss",
    "multi_margin_loss_grad",
    "multilabel_margin_loss",
    "multilabel_margin_loss_grad",
    "soft_margin_loss",
    "soft_margin_loss_grad",
    "multilabel_soft_margin_loss",
    "multilabel_soft_margin_loss_grad",
    "hinge_embedding_loss",
    "hinge_embedding_loss_grad",
]


# --------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------


def _score_rows(input):
    """Scores (C,) or (N, C) as rows (N, C); torch also takes a 0-d input as one class."""
    input = _float_array(input, "input")
    if input.ndim > 2 or (input.ndim > 0 and input.shape[-1] == 0):
        raise ValueError(
            "input must be a non-empty vector (C,) or matrix (N, C) of class scores "
            f"(N may be 0), got shape {input.shape}"
        )
    return input, input.reshape(-1, input.shape[-1] if input.ndim else 1)


def _int_targets(target):
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise ValueError(f"class-index targets must be integers, got dtype {target.dtype}")
    return target


# --------------------------------------------------------------------------------------
# MultiMarginLoss: the multiclass SVM (Weston-Watkins) loss
# --------------------------------------------------------------------------------------


def _multi_margin_setup(input, target, p, margin, weight, reduction):
    input, rows = _score_rows(input)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError(f"only p == 1 and p == 2 are supported, got p={p!r}")
    target = _int_targets(target)
    n, c = rows.shape
    if target.ndim > 1 or target.size != n:
        raise ValueError(
            f"for input of shape {input.shape} the target must be 1-d with {n} class "
            f"index(es), got shape {target.shape}"
        )
    t = target.reshape(-1)
    bad = (t < 0) | (t >= c)
    if bad.any():
        raise ValueError(f"target {t[bad][0]} is out of range: class indices must be in "
                         f"[0, {c - 1}]")
    if weight is None:
        w_y = np.ones(n, dtype=input.dtype)
    else:
        weight = _float_array(weight, "weight")
        if weight.ndim != 1 or weight.size != c:
            raise ValueError(f"weight must be one-dimensional with one entry per class, "
                             f"shape ({c},), got {weight.shape}")
        w_y = weight.astype(input.dtype, copy=False)[t]  # the weight of each row's target
    ar = np.arange(n)
    # z_ij = margin - x_{i,y_i} + x_ij, counted where z > 0 and j != y_i
    z = input.dtype.type(margin) - rows[ar, t][:, None] + rows
    z[ar, t] = 0
    return input, target, rows, t, w_y, z


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    r"""Multiclass hinge (SVM) loss: every wrong class must score ``margin`` below the target.

    .. math::
        \ell_i = \frac{w_{y_i}}{C} \sum_{j \ne y_i}
                 \max\big(0,\ \text{margin} - x_{i,y_i} + x_{i,j}\big)^p

    Parameters
    ----------
    input : array_like of float, shape (C,) or (N, C)
        Class scores x (any real numbers; no softmax). N may be 0.
    target : array_like of int, shape (N,) (or () for one example)
        Class indices in [0, C - 1].
    p : {1, 2}, default 1
        1: the hinge; 2: the squared hinge.
    margin : float, default 1.0
    weight : array_like of float, shape (C,), optional
        One weight per class; example i is scaled by the weight of its *target* class.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-example losses, shape of ``target``, for 'none'.

    Notes
    -----
    ``torch.nn.functional.multi_margin_loss`` / ``nn.MultiMarginLoss``. The sum is divided
    by C (all classes, the target included) and 'mean' divides by N, not by the weights
    (unlike cross-entropy's weighted mean). A satisfied margin gives exactly 0 loss. Only
    differences of scores are formed, so nothing overflows short of scores near the
    dtype's maximum. With N = 0, 'mean' is NaN here; torch returns uninitialised memory.
    torch wants int64 targets and a weight of the input's dtype; any integer targets and
    float weights are accepted here.
    """
    input, target, rows, t, w_y, z = _multi_margin_setup(input, target, p, margin, weight,
                                                         reduction)
    h = _hinge(z, keep_nan=False)  # torch's margin kernels: NaN -> 0
    if p == 2:
        h = h * h
    loss = (h.sum(axis=1) * w_y / input.dtype.type(rows.shape[1])).astype(input.dtype,
                                                                           copy=False)
    if reduction == "none":
        return loss.reshape(target.shape)
    return _reduce(loss, reduction)


def multi_margin_loss_grad(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    r"""Gradient of :func:`multi_margin_loss` with respect to the scores ``input``.

    With :math:`z_{ij} = \text{margin} - x_{i,y_i} + x_{ij}` and
    :math:`a_{ij} = [z_{ij} > 0]\,(1 \text{ if } p = 1,\ 2 z_{ij} \text{ if } p = 2)` for
    :math:`j \ne y_i`:

    .. math::
        \frac{\partial \ell_i}{\partial x_{ij}} = \frac{w_{y_i}}{C}\, a_{ij}\ (j \ne y_i),
        \qquad
        \frac{\partial \ell_i}{\partial x_{i,y_i}} = -\frac{w_{y_i}}{C} \sum_{j \ne y_i} a_{ij}

    Divided by N for 'mean'. At a tie (z = 0 exactly) the hinge counts as inactive: 0, the
    subgradient torch's backward picks.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, _, rows, t, w_y, z = _multi_margin_setup(input, target, p, margin, weight,
                                                    reduction)
    n, c = rows.shape
    a = (z > 0).astype(input.dtype) if p == 1 else 2 * _hinge(z, keep_nan=False)
    a *= (w_y * (_grad_scale(n, reduction, input.dtype) / input.dtype.type(c)))[:, None]
    a[np.arange(n), t] = -a.sum(axis=1)  # the target's score pushes against every violator
    return _as_grad(a, input)


# --------------------------------------------------------------------------------------
# MultiLabelMarginLoss: a hinge over every (positive, negative) pair
# --------------------------------------------------------------------------------------


def _multilabel_margin_setup(input, target, reduction):
    input, rows = _score_rows(input)
    _check_reduction(reduction)
    target = _int_targets(target)
    n, c = rows.shape
    if input.ndim == 2:
        ok = target.shape == (n, c)
    else:
        ok = target.ndim <= 1 and target.size == c
    if not ok:
        want = f"({n}, {c})" if input.ndim == 2 else f"({c},)"
        raise ValueError(f"for input of shape {input.shape} the target must have shape "
                         f"{want} (class indices padded with -1), got {target.shape}")
    t = target.reshape(n, c)
    bad = (t < -1) | (t >= c)
    if bad.any():  # torch checks every entry, those after the first -1 too
        raise ValueError(f"target {t[bad][0]} is out of range: entries must be class "
                         f"indices in [0, {c - 1}] or the padding -1")
    listed = np.cumprod(t >= 0, axis=1).astype(bool)  # the entries before the first -1
    # count[i, j]: how often class j is listed in row i (a repeated label counts twice)
    count = ((t[:, :, None] == np.arange(c)) & listed[:, :, None]).sum(axis=1)
    positive = count > 0
    # z[i, j, k] = 1 - x_ij + x_ik for a listed j and an unlisted k, else inactive
    z = 1 - rows[:, :, None] + rows[:, None, :]
    pair = positive[:, :, None] & ~positive[:, None, :]
    z = np.where(pair, z, 0).astype(input.dtype, copy=False)
    return input, rows, count.astype(input.dtype), z


def multilabel_margin_loss(input, target, reduction="mean"):
    r"""Multi-label hinge: every listed class must score 1 above every unlisted class.

    With :math:`P_i` the classes listed in row i of ``target`` (before its first -1):

    .. math::
        \ell_i = \frac{1}{C} \sum_{j \in P_i} \sum_{k \notin P_i}
                 \max\big(0,\ 1 - (x_{ij} - x_{ik})\big)

    Parameters
    ----------
    input : array_like of float, shape (C,) or (N, C)
        Class scores.
    target : array_like of int, same shape as ``input``
        Each row lists the row's classes, then -1 and anything (in range) after it: for
        C = 4, classes {3, 0} are ``[3, 0, -1, 1]`` or ``[3, 0, -1, -1]``. It is not a
        multi-hot vector.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-example losses (N,) for 'none' on an (N, C) input.

    Notes
    -----
    ``torch.nn.functional.multilabel_margin_loss`` / ``nn.MultiLabelMarginLoss``. What
    surprised us in torch: the first -1 ends the list, so ``[-1, 0, 1]`` lists nothing
    (loss 0, whatever the scores); a class listed twice counts its hinges twice; every
    entry, even after the -1, must be in [-1, C - 1]; the sum is divided by C, not by the
    number of pairs. With 'none' a (C,) input gives a 0-d loss. With N = 0, 'mean' is NaN
    here (torch returns uninitialised memory). Differences of scores only: no overflow.
    The pairs are formed as an (N, C, C) array: memory grows as C².
    """
    input, rows, count, z = _multilabel_margin_setup(input, target, reduction)
    c = input.dtype.type(rows.shape[1])
    hinge = _hinge(z, keep_nan=False)
    loss = (np.einsum("ij,ijk->i", count, hinge) / c).astype(input.dtype, copy=False)
    if reduction == "none":
        return loss if input.ndim == 2 else loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss_grad(input, target, reduction="mean"):
    r"""Gradient of :func:`multilabel_margin_loss` with respect to the scores ``input``.

    With :math:`a_{ijk} = n_{ij}\,[1 - x_{ij} + x_{ik} > 0]` for listed j (listed
    :math:`n_{ij}` times) and unlisted k:

    .. math::
        \frac{\partial \ell_i}{\partial x_{ik}} = \frac{1}{C} \sum_j a_{ijk}\ (k \notin P_i),
        \qquad
        \frac{\partial \ell_i}{\partial x_{ij}} = -\frac{1}{C} \sum_k a_{ijk}\ (j \in P_i)

    Divided by N for 'mean'. At a tie (margin exactly met) the pair is inactive: 0, as
    torch's backward.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, rows, count, z = _multilabel_margin_setup(input, target, reduction)
    n, c = rows.shape
    a = count[:, :, None] * (z > 0)  # (N, C, C): j listed, k unlisted, hinge active
    g = a.sum(axis=1) - a.sum(axis=2)  # + on each negative k, - on each positive j
    return _as_grad(g * (_grad_scale(n, reduction, input.dtype) / input.dtype.type(c)), input)


# --------------------------------------------------------------------------------------
# SoftMarginLoss and MultiLabelSoftMarginLoss: the logistic loss with ±1 or 0/1 labels
# --------------------------------------------------------------------------------------


def _soft_margin_setup(input, target, reduction):
    input = _float_array(input, "input")
    _check_reduction(reduction)
    target = _sign_labels(target, like=input).astype(input.dtype, copy=False)
    return input, target


def soft_margin_loss(input, target, reduction="mean"):
    r"""Logistic loss with ±1 labels, elementwise: :math:`\ell_i = \log(1 + e^{-y_i x_i})`.

    Computed as :math:`\operatorname{softplus}(m) = \max(m, 0) + \log(1 + e^{-|m|})` with
    :math:`m = -y_i x_i`: no ``exp`` of a positive number.

    Parameters
    ----------
    input : array_like of float, any shape
        Scores x.
    target : array_like, same shape as ``input``
        Labels y, ±1 (with a 0 label the loss is log 2 whatever x: use ±1).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'; the input's dtype.

    Notes
    -----
    ``torch.nn.functional.soft_margin_loss`` / ``nn.SoftMarginLoss``: the same as
    ``binary_cross_entropy_with_logits(x, (y + 1) / 2)``. torch computes the naive
    ``log1p(exp(-y x))``: in float32 a wrong answer with :math:`y x < -88.7` gives ``inf``
    (and its gradient NaN), in float64 beyond 709.8; this twin gives :math:`|x|` and
    :math:`\pm 1`. torch broadcasts a target of another shape without a warning; this twin
    raises ``ValueError``. The result has the input's dtype (as torch's).
    """
    input, target = _soft_margin_setup(input, target, reduction)
    m = np.asarray(-target * input)
    loss = np.maximum(m, 0) + np.log1p(_exp_neg_abs(m))  # softplus(-y x), stably
    return _reduce(loss.astype(input.dtype, copy=False), reduction)


def soft_margin_loss_grad(input, target, reduction="mean"):
    r"""Gradient of :func:`soft_margin_loss`: :math:`-y_i\,\sigma(-y_i x_i)`.

    From :math:`\frac{d}{dm}\operatorname{softplus}(m) = \sigma(m)` and
    :math:`\frac{dm}{dx} = -y`; divided by the number of elements for 'mean'. Finite for
    any x (torch's is NaN once :math:`e^{-y x}` overflows).

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target = _soft_margin_setup(input, target, reduction)
    g = -target * sigmoid(-target * input)
    return _as_grad(g * _grad_scale(input.size, reduction, input.dtype), input)


def _multilabel_soft_setup(input, target, weight, reduction):
    input = _float_array(input, "input")
    _check_reduction(reduction)
    if input.ndim == 0:
        raise ValueError("input must have a class axis (the last one): shape (C,) or (N, C)")
    target = _sign_labels(target, kinds="fiu", like=input)
    dt = np.result_type(input, target) if target.dtype.kind == "f" else input.dtype
    if weight is not None:
        weight = _broadcastable_to(_float_array(weight, "weight"), input.shape, "weight")
        dt = np.result_type(dt, weight)
    return input, target.astype(dt, copy=False), weight, dt


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    r"""Multi-label logistic loss: binary cross-entropy with logits, averaged over classes.

    .. math::
        \ell_i = \frac{1}{C} \sum_c w_c \big[-y_{ic} \log \sigma(x_{ic})
                 - (1 - y_{ic}) \log(1 - \sigma(x_{ic}))\big]

    each term computed as :math:`\max(x, 0) - x y + \log(1 + e^{-|x|})`, then reduced over
    the examples.

    Parameters
    ----------
    input : array_like of float, shape (C,) or (N, C) (torch: any shape, classes last)
        Logits x.
    target : array_like, same shape as ``input``
        Multi-hot labels y in {0, 1} (soft labels in [0, 1] work too).
    weight : array_like of float, broadcastable to the input's shape, optional
        Usually shape (C,): one weight per class.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-example losses, shape ``input.shape[:-1]``, for 'none'.

    Notes
    -----
    ``torch.nn.functional.multilabel_soft_margin_loss`` / ``nn.MultiLabelSoftMarginLoss``:
    ``binary_cross_entropy_with_logits(x, y, weight, reduction='none').mean(-1)``, then
    reduced, so its 'mean' equals BCE-with-logits's 'mean' (without weights); 'sum' is C
    times smaller. Despite the name, the labels are 0/1, not ±1. torch broadcasts a target
    or a weight of another shape (a weight with more dimensions even reshapes the result);
    this twin raises ``ValueError``. C = 0 gives NaN, as in torch.
    """
    input, target, weight, dt = _multilabel_soft_setup(input, target, weight, reduction)
    x = input.astype(dt, copy=False)
    loss = np.maximum(x, 0) - x * target + np.log1p(_exp_neg_abs(x))
    if weight is not None:
        loss = loss * weight
    with np.errstate(invalid="ignore"):  # C = 0: 0/0 = NaN, as in torch
        per_example = (loss.sum(axis=-1) / dt.type(input.shape[-1])).astype(dt, copy=False)
    return _reduce(np.asarray(per_example), reduction)


def multilabel_soft_margin_loss_grad(input, target, weight=None, reduction="mean"):
    r"""Gradient of :func:`multilabel_soft_margin_loss`: :math:`w_c(\sigma(x_{ic}) - y_{ic})/C`.

    The BCE-with-logits gradient divided by C; divided also by the number of examples
    (``input.size / C``) for 'mean'.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, weight, dt = _multilabel_soft_setup(input, target, weight, reduction)
    g = sigmoid(input) - target
    if weight is not None:
        g = g * weight
    c = input.shape[-1]
    scale = _grad_scale(input.size // c if c else 1, reduction, dt)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _as_grad(g * (scale / dt.type(c)), input)


# --------------------------------------------------------------------------------------
# HingeEmbeddingLoss: distances, small for similar pairs (y = 1), above a margin otherwise
# --------------------------------------------------------------------------------------


def _hinge_embedding_setup(input, target, reduction):
    input = _float_array(input, "input")
    _check_reduction(reduction)
    target = _sign_labels(target, like=input)
    return input, target != 1, target != -1  # torch's two masks, not "y == -1", "y == 1"


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    r"""Hinge embedding loss on distances x with ±1 labels (similar / dissimilar pairs).

    .. math::
        \ell_i = \begin{cases} x_i & y_i = 1 \\
                 \max(0,\ \text{margin} - x_i) & y_i = -1 \end{cases}

    Parameters
    ----------
    input : array_like of float, any shape
        Usually distances x >= 0 (e.g. an L1 distance between two embeddings).
    target : array_like, same shape as ``input``
        Labels y: 1 (similar: pull x to 0) or -1 (dissimilar: push x above ``margin``).
    margin : float, default 1.0
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'; the input's dtype.

    Notes
    -----
    ``torch.nn.functional.hinge_embedding_loss`` / ``nn.HingeEmbeddingLoss``. torch adds
    the hinge where ``y != 1`` and x where ``y != -1``: a label that is neither (a 0 from
    {0, 1} labels) gets *both*, :math:`x + \max(0, \text{margin} - x)`, with no error. This
    twin does the same. A target of another shape raises ``ValueError`` (torch broadcasts).
    """
    input, hinge_mask, pull_mask = _hinge_embedding_setup(input, target, reduction)
    dissimilar = np.maximum(input.dtype.type(margin) - input, 0)
    loss = np.where(hinge_mask, dissimilar, 0) + np.where(pull_mask, input, 0)
    return _reduce(loss.astype(input.dtype, copy=False), reduction)


def hinge_embedding_loss_grad(input, target, margin=1.0, reduction="mean"):
    r"""Gradient of :func:`hinge_embedding_loss`: 1 for y = 1, :math:`-[x \le \text{margin}]`
    for y = -1 (both terms for any other label).

    At x = margin exactly, torch's ``clamp_min`` passes the gradient, so it is -1 there
    (not 0, unlike the multi-class hinges above). Divided by the number of elements for
    'mean'.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, hinge_mask, pull_mask = _hinge_embedding_setup(input, target, reduction)
    g = pull_mask.astype(input.dtype) - (hinge_mask & (input <= input.dtype.type(margin)))
    return _as_grad(g * _grad_scale(input.size, reduction, input.dtype), input)
