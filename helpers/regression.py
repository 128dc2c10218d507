"""Regression losses, elementwise on any shape: MAE, MSE, Huber, Smooth L1 (notebook 01);
the Gaussian and Poisson negative log-likelihoods (notebook 09).

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import (
    _as_grad,
    _broadcastable_to,
    _check_reduction,
    _float_array,
    _grad_scale,
    _pair,
    _reduce,
    _same_shape,
)

__all__ = [
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "gaussian_nll_loss",
    "gaussian_nll_loss_grad",
    "poisson_nll_loss",
    "poisson_nll_loss_grad",
]


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
# Probabilistic regression: negative log-likelihoods (notebook 09)
# --------------------------------------------------------------------------------------

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)  # a Python float: keeps float32 float32


def _nll_target(target, input):
    """Float targets as they are; integer targets (counts) in the input's dtype, as torch."""
    t = np.asarray(target)
    if t.dtype.kind in "iu":
        return t.astype(input.dtype)
    return _float_array(t, "target")


def _sum_to(g, shape):
    """Sum a gradient over the axes along which an array of ``shape`` was broadcast."""
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _gaussian_setup(input, target, var, reduction):
    """Check the arguments of gaussian_nll_loss; return input, target, var shaped to
    broadcast against input, and whether var was a Python float."""
    input = _float_array(input, "input")
    target = _nll_target(target, input)
    if target.shape != input.shape and (
            target.ndim != input.ndim
            or any(n not in (m, 1) for m, n in zip(input.shape, target.shape, strict=True))):
        raise ValueError(
            f"target of shape {target.shape} must have the input's shape {input.shape}, "
            "or that shape with some sizes 1; torch broadcasts other shapes silently "
            "(an (N,) target against an (N, 1) input gives an (N, N) loss)"
        )
    scalar = isinstance(var, (float, np.floating))  # torch: a float is var * ones_like(input)
    v = np.asarray(var, dtype=input.dtype) if scalar else _float_array(var, "var")
    if (v < 0).any():
        raise ValueError("var has negative entry/entries: it is a variance, so >= 0")
    if not scalar and v.shape != input.shape:
        # torch's test: var's sizes where they differ from input's add up to 1 (one size 1)
        mismatched = [n for m, n in zip(input.shape, v.shape, strict=False) if m != n]
        if v.shape == input.shape[:-1]:  # one dimension fewer: shared along the last axis
            v = v[..., None]
        elif not (v.ndim == input.ndim and sum(mismatched) == 1):
            raise ValueError(
                f"var is of incorrect size: {v.shape} for input {input.shape}; it must be "
                f"{input.shape}, {input.shape[:-1]}, or {input.shape} with one size 1"
            )
        _broadcastable_to(v, input.shape, "var")
    _check_reduction(reduction)
    return input, target, v, scalar


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Gaussian negative log-likelihood with a predicted mean and variance.

    With the variance clamped from below, :math:`v_i = \max(\sigma^2_i, \varepsilon)`:

    .. math::
        \ell_i = \tfrac12\Big(\log v_i + \frac{(\mu_i - y_i)^2}{v_i}\Big)
                 \;\big[+\ \tfrac12\log 2\pi \text{ if full}\big]

    Parameters
    ----------
    input : array_like of float, shape (N, *) or (*)
        Predicted means :math:`\mu`.
    target : array_like of float (or int), shape of ``input``
        Observations :math:`y`; sizes 1 where ``input`` has more (torch's broadcasting).
    var : array_like of float, or float
        Predicted *variances* :math:`\sigma^2 \ge 0` (not standard deviations, not
        log-variances): shape of ``input`` (heteroscedastic); ``input.shape[:-1]`` (one
        variance per row of the last axis); ``input``'s shape with one size 1; or a Python
        float for all.
    full : bool, default False
        Add the constant :math:`\tfrac12\log 2\pi`, so that the loss is the exact NLL.
    eps : float, default 1e-6
        Lower clamp of ``var``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses (shape of ``input``) for 'none'.

    Notes
    -----
    ``torch.nn.functional.gaussian_nll_loss`` / ``nn.GaussianNLLLoss``. Its rules for
    ``var``, mirrored here: a var with one dimension fewer is aligned on the *leading*
    axes (``input`` (N, C) with ``var`` (N,) gives one variance per row, unlike NumPy's
    broadcasting, which aligns trailing axes); a 0-d var array is "of incorrect size" for
    an input of 2 or more dimensions (a Python float is fine); a negative var is a
    ``ValueError`` (NaN is not checked). With ``full=False`` the loss can be negative.
    Stability: the clamp keeps :math:`\log v` and :math:`1/v` finite as var reaches 0.
    """
    input, target, v, _ = _gaussian_setup(input, target, var, reduction)
    vc = np.maximum(v, v.dtype.type(eps))  # the clamp (NaN stays NaN, as torch)
    d = input - target
    with np.errstate(divide="ignore", invalid="ignore"):  # eps <= 0 and var 0: as torch
        loss = 0.5 * (np.log(vc) + d**2 / vc)
    if full:
        loss = loss + _HALF_LOG_2PI
    return _reduce(loss, reduction)  # of the input's shape: target and var broadcast to it


def gaussian_nll_loss_grad(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Gradients of :func:`gaussian_nll_loss` with respect to ``input`` and ``var``.

    With :math:`v = \max(\sigma^2, \varepsilon)` and :math:`r = (\mu - y)/v`:

    .. math::
        \frac{\partial \ell}{\partial \mu} = r, \qquad
        \frac{\partial \ell}{\partial \sigma^2} = \tfrac12\Big(\frac1v - r^2\Big)

    (/n for 'mean'), summed over the axes along which ``var`` was broadcast.

    Returns
    -------
    (d_input, d_var): ``d_input`` of the shape and dtype of ``input``; ``d_var`` of the
    shape and dtype of ``var`` (a 0-d array in the input's dtype, the derivative with
    respect to that one number, if ``var`` is a float).

    Notes
    -----
    torch clamps ``var`` outside autograd ("the clamping of var is ignored with respect to
    autograd"): where :math:`\sigma^2 < \varepsilon` the gradient is *not* 0, it is the
    formula above evaluated at :math:`v = \varepsilon`, passed straight through to var.
    This twin does the same. :math:`r^2` rather than :math:`(\mu - y)^2/v^2` keeps the
    square of a small v from underflowing.
    """
    input, target, v, scalar = _gaussian_setup(input, target, var, reduction)
    vc = np.maximum(v, v.dtype.type(eps))
    dt = np.result_type(input, target, vc)
    scale = _grad_scale(input.size, reduction, dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (input - target) / vc
        d_var = 0.5 * (1 / vc - r * r) * scale
    d_input = _as_grad(r * scale, input)
    if scalar:
        return d_input, np.asarray(d_var.sum(), dtype=input.dtype)
    return d_input, _sum_to(d_var, v.shape).astype(v.dtype, copy=False).reshape(np.shape(var))


def _poisson_setup(input, target, reduction):
    input = _float_array(input, "input")
    target = _nll_target(target, input)
    _same_shape(input, target)
    _check_reduction(reduction)
    return input, target, np.result_type(input, target)


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    r"""Poisson negative log-likelihood of counts :math:`y` given a rate :math:`\lambda`.

    .. math::
        \ell_i = \begin{cases} e^{x_i} - y_i\,x_i & \text{log\_input } (x = \log\lambda) \\
                 x_i - y_i \log(x_i + \varepsilon) & \text{otherwise } (x = \lambda)
                 \end{cases}

    dropping :math:`\log y_i!`; ``full`` adds its Stirling approximation
    :math:`y\log y - y + \tfrac12\log(2\pi y)`, only where :math:`y > 1`.

    Parameters
    ----------
    input : array_like of float, any shape
        Log-rates :math:`\log\lambda` (``log_input=True``), or rates :math:`\lambda \ge 0`.
    target : array_like of float or int, same shape as ``input``
        Counts :math:`y`.
    log_input : bool, default True
    full : bool, default False
        Add the Stirling term (0 where :math:`y \le 1`, where :math:`\log y! = 0` exactly).
    eps : float, default 1e-8
        Added to the rate inside the log when ``log_input=False``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.poisson_nll_loss`` / ``nn.PoissonNLLLoss``. ``log_input=True`` is
    the stable choice (any real input is a valid rate, no log of the input); with
    ``log_input=False`` a negative rate gives NaN, as in torch (no error), and a rate of
    ``-eps`` with a count of 0 gives 0·log 0 = NaN. The Stirling term is 0 for counts 0
    and 1 (log 0! = log 1! = 0) and for fractional targets up to 1. torch broadcasts a target
    of another shape silently; this twin raises ``ValueError``. Integer targets are taken
    in the input's dtype (torch computes their Stirling term in float32 even for a float64
    input).
    """
    input, target, dt = _poisson_setup(input, target, reduction)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # inf and NaN as torch
        if log_input:
            loss = np.exp(input) - target * input
        else:
            loss = input - target * np.log(input + eps)
        if full:
            y = np.where(target > 1, target, 1)  # log y only where it is used
            stirling = y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y)
            loss = loss + np.where(target > 1, stirling, 0)
    return _reduce(loss.astype(dt, copy=False), reduction)


def poisson_nll_loss_grad(input, target, log_input=True, full=False, eps=1e-8,
                          reduction="mean"):
    r"""Gradient of :func:`poisson_nll_loss` with respect to ``input``.

    .. math::
        \frac{\partial \ell}{\partial x} = e^{x} - y \;\;(\text{log\_input}),
        \qquad 1 - \frac{y}{x + \varepsilon} \;\;(\text{otherwise})

    (/n for 'mean'): the predicted rate minus the count, in the log link. The Stirling term
    of ``full`` does not depend on the input.

    Returns
    -------
    ndarray, same shape and dtype as ``input``.
    """
    input, target, dt = _poisson_setup(input, target, reduction)
    scale = _grad_scale(input.size, reduction, dt)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = np.exp(input) - target if log_input else 1 - target / (input + eps)
        return _as_grad(g * scale, input)
