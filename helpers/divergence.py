"""The Kullback-Leibler divergence, in torch's conventions: ``input`` is log q (notebook 06).

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``).
"""

from __future__ import annotations

import numpy as np

from ._checks import _REDUCTIONS, _as_grad, _check_reduction, _grad_scale, _pair, _reduce

__all__ = [
    "kl_div",
    "kl_div_grad",
]


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
