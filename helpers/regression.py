"""Regression losses, elementwise on any shape: MAE, MSE, Huber, Smooth L1 (notebook 01).

Every loss ``name(input, target, ...)`` has a twin ``name_grad(input, target, ...)`` right
under it, with the same signature, that returns the gradient of the loss with respect to
``input`` (same shape and dtype as ``input``); with ``reduction='none'``, the gradient of
the *sum* of the elementwise losses. Derived by hand; ``tests/`` checks each against
autograd. Shape letters as in every notebook: N examples, C classes, d1, d2, ... extra
dimensions.
"""

from __future__ import annotations

import numpy as np

from ._checks import _as_grad, _check_reduction, _grad_scale, _pair, _reduce

__all__ = [
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
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
