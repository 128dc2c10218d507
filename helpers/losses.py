"""NumPy twins of ``torch.nn.functional``: the kernels, the losses and their gradients.

Every loss ``name(input, target, ...)`` has a twin ``name_grad(input, target, ...)`` right
under it, with the same signature, that returns the gradient of the loss with respect to
``input`` (same shape and dtype as ``input``). With ``reduction='none'`` it is the gradient
of the *sum* of the elementwise losses. The gradients are derived by hand; the course's
notebooks derive them, and ``tests/`` checks each one against autograd.

Shape letters, as in every notebook: N examples in the batch, C classes, d1, d2, ... extra
(spatial) dimensions. Only numerically stable forms live here; the naive forms are shown
failing in the notebooks.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "logsumexp",
    "softmax",
    "log_softmax",
    "sigmoid",
    "logsigmoid",
    "softplus",
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "nll_loss",
    "nll_loss_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "kl_div",
    "kl_div_grad",
]

_REDUCTIONS = ("none", "mean", "sum")


# --------------------------------------------------------------------------------------
# Checking and converting arguments
# --------------------------------------------------------------------------------------


def _float_array(x, name):
    """Return ``x`` as a floating-point array (never a copy we write into) or raise."""
    a = np.asarray(x)
    if a.dtype.kind != "f":
        raise ValueError(
            f"{name} must hold floating-point numbers, got dtype {a.dtype} "
            f"(write 1.0 rather than 1, or convert with np.asarray(..., dtype=float))"
        )
    return a


def _check_reduction(reduction, allowed=_REDUCTIONS):
    if reduction == "elementwise_mean":
        raise ValueError(
            "reduction='elementwise_mean' is the deprecated spelling of 'mean' "
            "(torch still accepts it with a warning); use reduction='mean'"
        )
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")


def _same_shape(input, target):
    if input.shape != target.shape:
        raise ValueError(
            f"target shape {target.shape} differs from input shape {input.shape}; "
            "torch would broadcast them (or fail), which is almost never what is meant"
        )


def _broadcastable_to(a, shape, name):
    """Broadcast an optional weight-like array to ``shape`` or raise."""
    try:
        ok = np.broadcast_shapes(a.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name} of shape {a.shape} does not broadcast to the input shape {shape}")
    return np.broadcast_to(a, shape)


def _pair(input, target):
    """Check an (input, target) pair of the elementwise losses; return them and their dtype."""
    input = _float_array(input, "input")
    target = _float_array(target, "target")
    _same_shape(input, target)
    return input, target, np.result_type(input, target)


def _as_grad(g, input):
    """A gradient as an array of the input's shape and dtype (0-d inputs included)."""
    return np.asarray(g).astype(input.dtype, copy=False).reshape(input.shape)


def _reduce(loss, reduction):
    """Reduce elementwise losses: 'none' keeps them, 'sum' adds them, 'mean' averages."""
    if reduction == "none":
        return loss
    total = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore", divide="ignore"):  # mean of nothing is NaN, as in torch
        return total / loss.dtype.type(loss.size)


def _grad_scale(size, reduction, dtype):
    """d(reduced loss) / d(elementwise loss): 1 for 'none' and 'sum', 1/size for 'mean'."""
    if reduction == "mean":
        with np.errstate(divide="ignore"):
            return dtype.type(1) / dtype.type(size)
    return dtype.type(1)


# --------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Regression losses: elementwise on any shape
# --------------------------------------------------------------------------------------


def l1_loss(input, target, reduction="mean"):
    r"""Mean absolute error: :math:`\ell_i = |\hat y_i - y_i|`, then reduced.

    Parameters
    ----------
    input : array_like of float, any shape
        Predictions :math:`\hat y`.
    target : array_like of float, same shape as ``input``
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses (shape of ``input``) for 'none'.

    Notes
    -----
    ``torch.nn.functional.l1_loss`` / ``nn.L1Loss``. torch broadcasts a target of another
    shape (with a warning); this twin raises ``ValueError`` instead.
    """
    input, target, dt = _pair(input, target)
    _check_reduction(reduction)
    return _reduce(np.abs(input - target).astype(dt, copy=False), reduction)


def l1_loss_grad(input, target, reduction="mean"):
    r"""Gradient of :func:`l1_loss` with respect to ``input``: :math:`\operatorname{sign}(d)`.

    With :math:`d = \hat y - y`; divided by the number of elements for 'mean'. At d = 0 the
    absolute value has no derivative; like torch, this returns 0 there (a subgradient).

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, _ = _pair(input, target)
    _check_reduction(reduction)
    scale = _grad_scale(input.size, reduction, input.dtype)
    return _as_grad(np.sign(input - target) * scale, input)


def mse_loss(input, target, reduction="mean"):
    r"""Mean squared error: :math:`\ell_i = (\hat y_i - y_i)^2`, then reduced.

    Parameters
    ----------
    input : array_like of float, any shape
    target : array_like of float, same shape as ``input``
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.mse_loss`` / ``nn.MSELoss``: no factor 1/2, so the gradient is
    :math:`2(\hat y - y)/n`. A target of another shape raises ``ValueError`` (torch
    broadcasts it with a warning: an (N, 1) input and an (N,) target become (N, N)).
    """
    input, target, dt = _pair(input, target)
    _check_reduction(reduction)
    d = input - target
    return _reduce((d * d).astype(dt, copy=False), reduction)


def mse_loss_grad(input, target, reduction="mean"):
    r"""Gradient of :func:`mse_loss` with respect to ``input``: :math:`2(\hat y - y)` (/n: 'mean').

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, _ = _pair(input, target)
    _check_reduction(reduction)
    scale = _grad_scale(input.size, reduction, input.dtype)
    return _as_grad(2 * (input - target) * scale, input)


def huber_loss(input, target, reduction="mean", delta=1.0):
    r"""Huber loss: quadratic near 0, linear beyond ``delta``.

    .. math::
        \ell_i = \begin{cases} \tfrac12 d_i^2 & |d_i| < \delta \\
                 \delta\,(|d_i| - \tfrac12\delta) & \text{otherwise} \end{cases},
        \qquad d_i = \hat y_i - y_i

    Parameters
    ----------
    input : array_like of float, any shape
    target : array_like of float, same shape as ``input``
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    delta : float > 0, default 1.0
        Where the quadratic turns linear.

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.huber_loss``. Equals ``delta * smooth_l1_loss(beta=delta)``.
    """
    input, target, dt = _pair(input, target)
    _check_reduction(reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss needs delta > 0, got {delta}")
    a = np.abs(input - target)
    delta = dt.type(delta)
    loss = np.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta))
    return _reduce(loss.astype(dt, copy=False), reduction)


def huber_loss_grad(input, target, reduction="mean", delta=1.0):
    r"""Gradient of :func:`huber_loss`: :math:`\operatorname{clip}(\hat y - y, -\delta, \delta)`.

    The residual itself inside the quadratic zone, :math:`\pm\delta` outside; /n for 'mean'.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, _ = _pair(input, target)
    _check_reduction(reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss needs delta > 0, got {delta}")
    scale = _grad_scale(input.size, reduction, input.dtype)
    g = np.clip(input - target, -delta, delta)
    return _as_grad(g * scale, input)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    r"""Smooth L1 loss: :math:`d^2/(2\beta)` for :math:`|d| < \beta`, else :math:`|d| - \beta/2`.

    Parameters
    ----------
    input : array_like of float, any shape
    target : array_like of float, same shape as ``input``
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    beta : float >= 0, default 1.0
        Width of the quadratic zone; ``beta=0`` is exactly :func:`l1_loss`.

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.smooth_l1_loss``. Its linear part has slope 1 whatever beta is
    (Huber's has slope delta): ``huber_loss(delta=b) == b * smooth_l1_loss(beta=b)``.
    """
    input, target, dt = _pair(input, target)
    _check_reduction(reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss needs beta >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    a = np.abs(input - target)
    beta = dt.type(beta)
    loss = np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)
    return _reduce(loss.astype(dt, copy=False), reduction)


def smooth_l1_loss_grad(input, target, reduction="mean", beta=1.0):
    r"""Gradient of :func:`smooth_l1_loss`: :math:`d/\beta` for :math:`|d| < \beta`, else sign(d).

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, _ = _pair(input, target)
    _check_reduction(reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss needs beta >= 0, got {beta}")
    if beta == 0:
        return l1_loss_grad(input, target, reduction)
    scale = _grad_scale(input.size, reduction, input.dtype)
    return _as_grad(np.clip((input - target) / beta, -1, 1) * scale, input)


# --------------------------------------------------------------------------------------
# Classification losses with a class axis: (C,), (N, C) or (N, C, d1, d2, ...)
# --------------------------------------------------------------------------------------


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
    with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: 0/0 = NaN
        return total / w_y.sum(dtype=loss.dtype)


def _class_grad_scale(w_y, valid, reduction):
    """d(reduced)/d(per-example loss): 1/sum(w_y) for 'mean' (0 if every target is ignored,
    where torch's loss is NaN but its gradient is 0), else 1."""
    if reduction != "mean":
        return w_y.dtype.type(1)
    if not valid.any():
        return w_y.dtype.type(0)
    return 1 / w_y.sum(dtype=w_y.dtype)


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
    ``nll_loss(log_softmax(input, axis=1), target)`` when there is no smoothing. The
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
        g -= (eps / c * scale) * valid[:, None] * w[None, :]
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


# --------------------------------------------------------------------------------------
# Binary cross-entropy: elementwise on any shape
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Kullback-Leibler divergence
# --------------------------------------------------------------------------------------


def _kl_setup(input, target, reduction):
    input, target, dt = _pair(input, target)
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    return input, target, dt


def _kl_reduce(loss, reduction, input):
    if reduction == "batchmean":
        total = loss.sum(dtype=loss.dtype)
        return total / loss.dtype.type(input.shape[0]) if input.ndim else total
    return _reduce(loss, reduction)


def kl_div(input, target, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p\,\|\,q)`, torch's way round.

    ``input`` is :math:`\log q` (the model's log-probabilities) and ``target`` is
    :math:`p` (or :math:`\log p` if ``log_target``). Elementwise:

    .. math:: \ell = p\,(\log p - \log q), \quad\text{with } 0 \log 0 = 0

    Parameters
    ----------
    input : array_like of float, any shape, e.g. (N, C)
        Log-probabilities :math:`\log q`.
    target : array_like of float, same shape
        Probabilities :math:`p`, or log-probabilities if ``log_target``.
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        'batchmean' divides the sum by ``input.shape[0]``: N for (N, C), the mathematical KL
        per example; C for a single 1-D distribution; N only for (N, C, d1, ...). 'mean'
        divides by every element, N·C (torch warns about it).
    log_target : bool, default False

    Returns
    -------
    ndarray: a scalar, or the elementwise terms for 'none'.

    Notes
    -----
    ``torch.nn.functional.kl_div`` / ``nn.KLDivLoss``. Note the order: the *target* is the
    first argument of KL. torch broadcasts a target of another shape; this twin raises.
    """
    input, target, dt = _kl_setup(input, target, reduction)
    if log_target:
        loss = np.exp(target) * (target - input)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):  # p < 0 gives NaN, as torch
            p_log_p = target * np.log(np.where(target == 0, 1, target))  # 0 log 0 = 0
        loss = p_log_p - target * input
    return _kl_reduce(loss.astype(dt, copy=False), reduction, input)


def kl_div_grad(input, target, reduction="mean", log_target=False):
    r"""Gradient of :func:`kl_div` with respect to ``input`` = log q: simply :math:`-p`.

    (:math:`-e^{\text{target}}` if ``log_target``.) Divided by the number of elements for
    'mean' and by N = ``input.shape[0]`` for 'batchmean'.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, _ = _kl_setup(input, target, reduction)
    p = np.exp(target) if log_target else target
    if reduction == "batchmean":
        scale = input.dtype.type(1) / input.shape[0] if input.ndim else input.dtype.type(1)
    else:
        scale = _grad_scale(input.size, reduction, input.dtype)
    return _as_grad(-p * scale, input)
