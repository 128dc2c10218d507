"""Cross-entropy at scale: the output layer and the cross-entropy fused, computed over
chunks of rows so that the full (N, V) logits never exist (notebook 13).

A language model's last layer multiplies N states of size H by a (V, H) output matrix; the
(N, V) logits and their gradient are then the largest arrays of the whole step. Here they
are computed ``chunk_size`` rows at a time, with the kernels and the class-index
cross-entropy of :mod:`helpers.classification` applied to each chunk. Shape letters: N
examples (token states), H the state size (torch's ``in_features``), V the number of
classes (the vocabulary; C elsewhere in the course).

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``).
"""

from __future__ import annotations

import numpy as np

from ._checks import _float_array
from .classification import (
    _class_grad_scale,
    _class_reduce,
    _class_setup,
    cross_entropy,
    cross_entropy_grad,
)

__all__ = [
    "LOGITS_BUDGET",
    "linear_cross_entropy",
    "linear_cross_entropy_grad",
]

LOGITS_BUDGET = 12 * 2**20
"""Bytes of logits one chunk may hold when ``chunk_size=None``: 12 MiB, so
``chunk_size = max(1, LOGITS_BUDGET // (V * itemsize))`` rows (196 rows for V = 16,000 in
float32). The gradient keeps two arrays of that size alive at once (the logits and their
softmax; three with label smoothing), plus its outputs and one (V, H) buffer. Much smaller
chunks make the matrix products slow (a few dozen rows are too few for BLAS)."""


def _chunk_rows(chunk_size, v, itemsize):
    """Rows per chunk: the one given (a positive int), or the budget's."""
    if chunk_size is None:
        return max(1, LOGITS_BUDGET // max(1, v * itemsize))
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer or None, got {chunk_size!r}")
    return int(chunk_size)


def _lce_setup(input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
               label_smoothing, chunk_size):
    """Check every argument once, for the whole batch, before any logits are computed.

    Returns the states as rows (N, H), the weight (V, H), the bias (V,) or None, the flat
    targets (N,), the per-row target weights ``w_y`` and valid mask (over ALL rows: the
    'mean' divides by their sum), the class weights (V,) and the rows per chunk.
    """
    input = _float_array(input, "input")
    linear_weight = _float_array(linear_weight, "linear_weight")
    if input.ndim not in (1, 2):
        raise ValueError(f"input must have shape (H,) or (N, H), got {input.shape}")
    if linear_weight.ndim != 2:
        raise ValueError(
            f"linear_weight must have shape (V, H), got {linear_weight.shape} (torch also "
            "takes (V, d1, ..., H) for a K-dimensional loss; these helpers do not)"
        )
    v, h = linear_weight.shape
    if v == 0:
        raise ValueError(f"linear_weight must have at least one class (V >= 1), got shape "
                         f"{linear_weight.shape}")
    if input.shape[-1] != h:
        raise ValueError(
            f"input of shape {input.shape} does not match linear_weight of shape "
            f"{linear_weight.shape}: the last sizes (H) must be equal"
        )
    arrays = [("linear_weight", linear_weight)]
    if linear_bias is not None:
        linear_bias = _float_array(linear_bias, "linear_bias")
        if linear_bias.shape != (v,):
            raise ValueError(f"linear_bias must have shape ({v},), one entry per class, "
                             f"got {linear_bias.shape}")
        arrays.append(("linear_bias", linear_bias))
    for name, a in arrays:
        if a.dtype != input.dtype:
            raise ValueError(f"{name} has dtype {a.dtype} but input has {input.dtype}; "
                             "torch's linear layer needs them equal")
    if np.asarray(target).dtype.kind == "f":
        raise ValueError("linear_cross_entropy here takes class-index (integer) targets only; "
                         "probability targets, which torch also accepts, are not supported")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    # the class-index checks of cross_entropy on a stand-in for the logits: a broadcast
    # view of one zero with the logits' shape, which allocates nothing
    logits_shape = (v,) if input.ndim == 1 else (input.shape[0], v)
    stand_in = np.broadcast_to(input.dtype.type(0), logits_shape)
    _, _, _, _, valid, w, w_y = _class_setup(stand_in, target, weight, ignore_index, reduction)
    rows = input.reshape(input.shape[0] if input.ndim == 2 else 1, h)  # also for H = 0
    flat_target = np.asarray(target).reshape(-1)
    return (rows, linear_weight, linear_bias, flat_target, valid, w, w_y,
            _chunk_rows(chunk_size, v, input.itemsize))


def _chunk_logits(rows, linear_weight, linear_bias, start, stop):
    """Logits of one chunk of rows, (stop - start, V): x W^T + b."""
    z = rows[start:stop] @ linear_weight.T
    if linear_bias is not None:
        z += linear_bias
    return z


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=-100, label_smoothing=0.0,
                         chunk_size=None):
    r"""Cross-entropy of a linear layer's output, in chunks of rows: the logits
    :math:`z = x W^\top + b` never exist all at once.

    .. math::
        L = \operatorname{cross\_entropy}(x W^\top + b,\ y), \qquad
        \ell_i = (1-\varepsilon)\,w_{y_i}\,(-\log p_{i,y_i})
                 + \frac{\varepsilon}{V}\sum_c w_c\,(-\log p_{i,c})

    with :math:`p_i = \operatorname{softmax}(z_i)`, computed ``chunk_size`` rows at a time
    by :func:`helpers.cross_entropy` with ``reduction='none'``. 'mean' divides the sum by
    :math:`\sum_i w_{y_i}` over the non-ignored targets of *all* chunks (computed first,
    from the targets alone), not chunk by chunk.

    Parameters
    ----------
    input : array_like of float, shape (N, H) or (H,)
        The states (the last hidden layer), one row per example.
    linear_weight : array_like of float, shape (V, H)
        The output layer's weight, as in ``torch.nn.Linear(H, V).weight``.
    target : array_like of int, shape (N,) or () for an unbatched input
        Class indices in [0, V - 1], or ``ignore_index``.
    linear_bias : array_like of float, shape (V,), optional
    weight : array_like of float, shape (V,), optional
        Weight of each class.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    ignore_index : int, default -100
        Targets equal to it contribute nothing, to the loss or to the mean's denominator.
    label_smoothing : float in [0, 1], default 0.0
    chunk_size : int or None, default None
        Rows per chunk: at most ``chunk_size`` × V logits exist at once. None picks
        ``max(1, LOGITS_BUDGET // (V * itemsize))`` rows (a 12 MiB budget).

    Returns
    -------
    ndarray: a scalar, or the per-example losses, shape (N,) (or ()), for 'none'.

    Notes
    -----
    ``torch.nn.functional.linear_cross_entropy`` (new in torch 2.13), whose reference path
    (``options=None``) is ``cross_entropy(linear(input, linear_weight, linear_bias), ...)``
    and whose chunked path (``options=torch.nn.LinearCrossEntropyOptions(...)``) splits
    the batch as here. What torch accepts and this twin does not: probability targets;
    a K-dimensional weight (V, d1, ..., dK, H) with bias (V, d1, ..., dK) and targets
    (N, d1, ..., dK); ``ignore_index=None`` (torch's default, meaning -100); a target of
    shape (1,) for an unbatched input (here it must be ()). Like torch,
    input must be 1-d or 2-d (no (N, T, H): flatten the tokens first); H = 0 is accepted
    (the logits are the bias, or 0), V = 0 is not. 'mean' where every kept target has class
    weight 0 is NaN (0/0), as torch, even with smoothing.
    Surprises in torch: its chunked path does not do label smoothing (it warns and falls
    back to the full logits), and its ``ignore_index`` defaults to None, not -100.
    Stability: each chunk's log-sum-exp is shifted by its rows' maxima (the kernels of
    notebook 03), so logits of ±1e4 are fine in float32.
    """
    (rows, lw, lb, t, _, w, w_y, step) = _lce_setup(
        input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
        label_smoothing, chunk_size)
    n = len(rows)
    loss = np.zeros(n, dtype=rows.dtype)  # one number per row: the only O(N) array
    for start in range(0, n, step):
        stop = min(start + step, n)
        z = _chunk_logits(rows, lw, lb, start, stop)
        loss[start:stop] = cross_entropy(z, t[start:stop], weight=w, ignore_index=ignore_index,
                                         reduction="none", label_smoothing=label_smoothing)
        del z  # before the next chunk's logits exist: one chunk at a time
    return _class_reduce(loss, w_y, reduction, np.shape(target))


def linear_cross_entropy_grad(input, linear_weight, target, *, linear_bias=None, weight=None,
                              reduction="mean", ignore_index=-100, label_smoothing=0.0,
                              chunk_size=None):
    r"""Gradients of :func:`linear_cross_entropy` with respect to the states, the weight
    and the bias, chunk by chunk.

    With :math:`G = \partial L / \partial z` of one chunk, shape (chunk, V) (the
    :func:`helpers.cross_entropy_grad` of its logits: :math:`P - Y` without weights or
    smoothing, times the reduction's scale), the chain rule through
    :math:`z = x W^\top + b` gives

    .. math::
        \frac{\partial L}{\partial x} = G\,W, \qquad
        \frac{\partial L}{\partial W} = \sum_{\text{chunks}} G^\top x, \qquad
        \frac{\partial L}{\partial b} = \sum_{\text{chunks}} \sum_i G_i

    so only one chunk's :math:`G` exists at a time. The scale is
    :math:`1/\sum_i w_{y_i}` over *all* rows for 'mean' (0 if every target is ignored, as
    in torch; NaN on the kept rows if each has class weight 0, as torch), 1 otherwise, and
    0 on ignored rows; with 'none' these are the gradients of the sum.

    Returns
    -------
    tuple (d_input, d_linear_weight, d_linear_bias)
        Shapes and dtypes of ``input``, ``linear_weight`` and ``linear_bias``;
        ``d_linear_bias`` is None without a bias.
    """
    (rows, lw, lb, t, valid, w, w_y, step) = _lce_setup(
        input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
        label_smoothing, chunk_size)
    n = len(rows)
    scale = _class_grad_scale(w_y, valid, reduction)
    d_rows = np.empty_like(rows)
    d_w = np.zeros_like(lw)
    d_w_chunk = np.empty_like(lw)  # reused for each chunk's G^T x, then added
    d_b = None if lb is None else np.zeros_like(lb)
    for start in range(0, n, step):
        stop = min(start + step, n)
        z = _chunk_logits(rows, lw, lb, start, stop)
        g = cross_entropy_grad(z, t[start:stop], weight=w, ignore_index=ignore_index,
                               reduction="sum", label_smoothing=label_smoothing)
        del z
        g *= scale[start:stop, None]  # dL/dz: each row's loss enters the total with its scale
        np.matmul(g, lw, out=d_rows[start:stop])  # dL/dx = G W
        np.matmul(g.T, rows[start:stop], out=d_w_chunk)  # this chunk's part of G^T x
        d_w += d_w_chunk
        if d_b is not None:
            d_b += g.sum(axis=0)
        del g  # before the next chunk's logits exist: one chunk's G at a time
    return d_rows.reshape(np.shape(input)), d_w, d_b
