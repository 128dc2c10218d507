"""Embedding losses (notebook 11): ranking two scores, similar / dissimilar pairs by cosine
similarity, and triplets (anchor, positive, negative) by a distance, torch's p-norm
``pairwise_distance`` or any NumPy distance function.

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``). These losses take two or three model outputs, so each ``_grad``
returns a tuple, in signature order. Every hinge here is torch's ``clamp_min(z, 0)``,
whose backward passes the gradient at the kink: :math:`[z \\ge 0]`, not :math:`[z > 0]`,
and whose value passes a NaN through (a NaN input is a NaN loss, as in torch).
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    _as_grad,
    _check_reduction,
    _float_array,
    _grad_scale,
    _hinge,
    _reduce,
    _same_shape,
    _sign_labels,
)

__all__ = [
    "margin_ranking_loss",
    "margin_ranking_loss_grad",
    "cosine_embedding_loss",
    "cosine_embedding_loss_grad",
    "triplet_margin_loss",
    "triplet_margin_loss_grad",
    "triplet_margin_with_distance_loss",
    "triplet_margin_with_distance_loss_grad",
]

_COSINE_EPS = 1e-12  # torch's EPSILON in cosine_embedding_loss, added to each squared norm


# --------------------------------------------------------------------------------------
# MarginRankingLoss: which of two scores should be higher
# --------------------------------------------------------------------------------------


def _ranking_setup(input1, input2, target, reduction):
    input1 = _float_array(input1, "input1")
    input2 = _float_array(input2, "input2")
    target = _sign_labels(target, kinds="fiu")
    _check_reduction(reduction)
    _same_shape(input1, input2, target, names=("input1", "input2", "target"))
    dt = np.result_type(input1, input2, *([target] if target.dtype.kind == "f" else []))
    return input1, input2, target.astype(dt, copy=False), dt


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    r"""Ranking hinge: ``input1`` should score above ``input2`` by ``margin`` where y = 1,
    below it where y = -1.

    .. math::
        \ell_i = \max\big(0,\ -y_i\,(x_{1,i} - x_{2,i}) + \text{margin}\big)

    Parameters
    ----------
    input1, input2 : array_like of float, any shape (the same), e.g. (N,)
        The two scores of each pair.
    target : array_like, same shape
        Labels y: 1 (x1 should be higher), -1 (x2 should be higher).
    margin : float, default 0.0
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the elementwise losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.margin_ranking_loss`` / ``nn.MarginRankingLoss``. Only the
    difference of the scores enters: no overflow short of scores near the dtype's maximum.
    A label 0 gives ``max(0, margin)`` and no gradient, with no error (labels in {0, 1}
    are a silent mistake). torch wants the three of the same number of dimensions and
    broadcasts them; this twin wants the same shape. The result's dtype is that of the
    inputs and a floating-point target together (a float64 target makes it float64, as in
    torch). An empty batch: 'mean' is NaN, as in torch.
    """
    input1, input2, target, dt = _ranking_setup(input1, input2, target, reduction)
    z = -target * (input1.astype(dt) - input2.astype(dt)) + dt.type(margin)
    return _reduce(np.asarray(_hinge(np.asarray(z, dtype=dt))), reduction)


def margin_ranking_loss_grad(input1, input2, target, margin=0.0, reduction="mean"):
    r"""Gradients of :func:`margin_ranking_loss`: ``(d_input1, d_input2)``.

    With :math:`z_i = -y_i (x_{1,i} - x_{2,i}) + \text{margin}`,
    :math:`\partial \ell_i / \partial x_{1,i} = -y_i [z_i \ge 0]` and
    :math:`\partial \ell_i / \partial x_{2,i} = +y_i [z_i \ge 0]`; divided by the number
    of elements for 'mean'. At the kink (z = 0) torch's ``clamp_min`` passes the gradient.

    Returns
    -------
    tuple of two ndarrays, the shapes and dtypes of ``input1`` and ``input2``.
    """
    input1, input2, target, dt = _ranking_setup(input1, input2, target, reduction)
    z = -target * (input1.astype(dt) - input2.astype(dt)) + dt.type(margin)
    g = -target * (np.asarray(z) >= 0) * _grad_scale(z.size, reduction, dt)
    return _as_grad(g, input1), _as_grad(-g, input2)


# --------------------------------------------------------------------------------------
# CosineEmbeddingLoss: similar pairs (y = 1) to cosine 1, dissimilar ones below a margin
# --------------------------------------------------------------------------------------


def _cosine_setup(input1, input2, target, reduction):
    input1 = _float_array(input1, "input1")
    input2 = _float_array(input2, "input2")
    target = _sign_labels(target, kinds="fiu")
    _check_reduction(reduction)
    _same_shape(input1, input2, names=("input1", "input2"))
    if not ((input1.ndim == 2 and target.shape == input1.shape[:1])
            or (input1.ndim == 1 and target.ndim == 0)):
        raise ValueError(
            "inputs must be (N, D) with a target of shape (N,), or (D,) with a 0-d target; "
            f"got inputs of shape {input1.shape} and a target of shape {target.shape}")
    dt = np.result_type(input1, input2)
    x1, x2 = input1.astype(dt, copy=False), input2.astype(dt, copy=False)
    eps = dt.type(_COSINE_EPS)
    a = np.sum(x1 * x1, axis=-1) + eps  # |x1|² + eps, as torch (eps inside the square root)
    b = np.sum(x2 * x2, axis=-1) + eps
    denom = np.sqrt(a) * np.sqrt(b)  # sqrt(a b), without forming the product a b
    cos = np.sum(x1 * x2, axis=-1) / denom
    return x1, x2, target, a, b, denom, cos, dt


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    r"""Cosine embedding loss: pull similar pairs to cosine 1, push dissimilar ones below
    ``margin``.

    .. math::
        \cos_i = \frac{x_{1,i} \cdot x_{2,i}}
                      {\sqrt{(\lVert x_{1,i} \rVert^2 + \epsilon)
                             (\lVert x_{2,i} \rVert^2 + \epsilon)}},
        \qquad
        \ell_i = \begin{cases} 1 - \cos_i & y_i = 1 \\
                 \max(0,\ \cos_i - \text{margin}) & y_i = -1 \end{cases}

    with :math:`\epsilon = 10^{-12}`.

    Parameters
    ----------
    input1, input2 : array_like of float, shape (N, D) or (D,)
        The two embeddings of each pair (D may be 0: cosine 0).
    target : array_like, shape (N,) (or () for (D,) inputs)
        Labels y: 1 (similar), -1 (dissimilar).
    margin : float, default 0.0
        Usually in [-1, 1]; 0 to 0.5 is the usual advice.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-pair losses, shape of ``target``, for 'none'.

    Notes
    -----
    ``torch.nn.functional.cosine_embedding_loss`` / ``nn.CosineEmbeddingLoss``. The eps is
    added to each *squared* norm, inside the square root (not to the norm, and not
    ``max(norm, eps)`` as ``F.cosine_similarity`` does), so a zero vector has cosine 0 and a
    finite gradient. A label other than ±1 (a 0 from {0, 1} labels) gives loss 0 and no
    gradient, with no error. torch computes ``sqrt(a * b)``: in float32 the product of the
    squared norms overflows once the norms reach about 4e9, and torch's cosine becomes 0
    (loss 1 for a similar pair); this twin takes ``sqrt(a) * sqrt(b)`` and stays right
    until a squared norm itself overflows (norms near 1e19). torch broadcasts the two
    inputs and the target against each other; this twin wants the shapes above exactly.
    """
    _, _, target, _, _, _, cos, dt = _cosine_setup(input1, input2, target, reduction)
    loss = np.where(target == 1, 1 - cos, 0) + np.where(target == -1,
                                                        _hinge(cos - dt.type(margin)), 0)
    return _reduce(np.asarray(loss, dtype=dt), reduction)


def cosine_embedding_loss_grad(input1, input2, target, margin=0.0, reduction="mean"):
    r"""Gradients of :func:`cosine_embedding_loss`: ``(d_input1, d_input2)``.

    With :math:`a = \lVert x_1 \rVert^2 + \epsilon`, :math:`b = \lVert x_2 \rVert^2 +
    \epsilon`, :math:`\cos = x_1 \cdot x_2 / \sqrt{ab}`:

    .. math::
        \frac{\partial \cos}{\partial x_1} = \frac{x_2}{\sqrt{ab}} - \cos \frac{x_1}{a},
        \qquad
        \frac{\partial \cos}{\partial x_2} = \frac{x_1}{\sqrt{ab}} - \cos \frac{x_2}{b}

    times :math:`\partial \ell / \partial \cos`: -1 for y = 1,
    :math:`[\cos - \text{margin} \ge 0]` for y = -1 (torch passes the gradient at the kink),
    0 otherwise; divided by N for 'mean'.

    Returns
    -------
    tuple of two ndarrays, the shapes and dtypes of ``input1`` and ``input2``.
    """
    x1, x2, target, a, b, denom, cos, dt = _cosine_setup(input1, input2, target, reduction)
    dcos = np.where(target == 1, -1, 0) + np.where(
        target == -1, (cos - dt.type(margin)) >= 0, 0)
    g = (dcos * _grad_scale(cos.size, reduction, dt)).astype(dt)[..., None]
    c = cos[..., None]
    d1 = g * (x2 / denom[..., None] - c * x1 / a[..., None])
    d2 = g * (x1 / denom[..., None] - c * x2 / b[..., None])
    return _as_grad(d1, np.asarray(input1)), _as_grad(d2, np.asarray(input2))


# --------------------------------------------------------------------------------------
# torch's pairwise_distance: the p-norm of x1 - x2 + eps over the last axis
# --------------------------------------------------------------------------------------


def _pnorm(d, p):
    """``torch.linalg.vector_norm(d, p, dim=-1)``: torch's ``(sum |d|^p)^(1/p)``, and where
    that sum overflows or underflows, the same scaled by the largest (p > 0) or smallest
    (p < 0) ``|d|``, so that no power leaves the dtype's range."""
    r = np.abs(d)
    if p == 0:  # the number of non-zero entries
        return np.count_nonzero(d, axis=-1).astype(d.dtype)
    if p == 1:
        return r.sum(axis=-1)
    if np.isinf(p):
        if d.shape[-1] == 0:
            raise ValueError(f"the {p} norm of an empty last axis (D = 0) is undefined")
        return r.max(axis=-1) if p > 0 else r.min(axis=-1)
    if p < 0 and d.shape[-1] == 0:
        raise ValueError(f"the {p} norm of an empty last axis (D = 0) is undefined")
    m = r.max(axis=-1, initial=0) if p > 0 else r.min(axis=-1)
    pp, inv = d.dtype.type(p), d.dtype.type(1 / p)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        total = np.sum(r**pp, axis=-1)  # torch's form: same rounding, so the same kinks
        direct = total**inv
        # m * (sum (|d| / m)^p)^(1/p): each ratio is at most 1 (p > 0) or at least 1 (p < 0)
        safe = np.where(m > 0, m, 1)
        scaled = m * np.sum((r / safe[..., None]) ** pp, axis=-1) ** inv
    fine = np.isfinite(total) & (total >= np.finfo(d.dtype).tiny)
    # 0 where every |d| is 0 (p > 0) or one is (p < 0); a NaN entry (m NaN) passes through
    return np.where(m == 0, 0, np.where(fine, direct, scaled)).astype(d.dtype, copy=False)


def _pnorm_grad(d, n, p):
    """d n / d d, as torch's ``linalg_vector_norm`` backward (0 where n = 0)."""
    if p == 0:
        return np.zeros_like(d)
    s = np.where(np.isnan(d), 0, np.sign(d))  # torch's sign(NaN) is 0
    if p == 1:
        return s
    if np.isinf(p):  # the extreme entries share the gradient equally (none if n is NaN)
        mask = np.abs(d) == n[..., None]
        return s * mask / np.maximum(mask.sum(axis=-1, keepdims=True), 1)
    # a NaN distance makes its whole row NaN, as torch's d * |d|^(p-2) / n^(p-1)
    safe = np.where(n == 0, 1, n)[..., None]
    # sign(d) (|d| / n)^(p - 1), the form that keeps every power near 1
    with np.errstate(divide="ignore", invalid="ignore"):  # |d| = 0, p < 1: masked below
        g = s * (np.abs(d) / safe) ** d.dtype.type(p - 1)
    if p < 1:
        g = np.where(d == 0, 0, g)
    return np.where(n[..., None] == 0, 0, g).astype(d.dtype, copy=False)


def _distance(x1, x2, p, eps):
    """torch's ``pairwise_distance``: ``||x1 - x2 + eps||_p`` over the last axis."""
    d = x1 - x2 + x1.dtype.type(eps)  # eps added to the difference, not to the norm
    d = d.reshape(d.shape or (1,))  # a 0-d pair is a vector of one entry
    return d, _pnorm(d, p)


# --------------------------------------------------------------------------------------
# TripletMarginLoss: the anchor nearer the positive than the negative, by a margin
# --------------------------------------------------------------------------------------


_TRIPLET = ("anchor", "positive", "negative")


def _triplet_args(anchor, positive, negative, margin, reduction):
    """The checks both triplet losses share: three float arrays, the reduction, margin > 0."""
    arrays = [_float_array(v, k) for v, k in zip((anchor, positive, negative), _TRIPLET,
                                                 strict=True)]
    _check_reduction(reduction)
    if not margin > 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return arrays


def _triplet_setup(anchor, positive, negative, margin, reduction):
    arrays = _triplet_args(anchor, positive, negative, margin, reduction)
    _same_shape(*arrays, names=_TRIPLET)
    dt = np.result_type(*arrays)
    return arrays, [v.astype(dt, copy=False) for v in arrays], dt


def _triplet_parts(anchor, positive, negative, margin, p, eps, swap, reduction):
    """Everything both the loss and its gradient need: distances, the hinge's argument."""
    arrays, (a, pos, neg), dt = _triplet_setup(anchor, positive, negative, margin, reduction)
    d_ap, dist_pos = _distance(a, pos, p, eps)
    d_an, dist_neg = _distance(a, neg, p, eps)
    parts = {"arrays": arrays, "dt": dt, "d_ap": d_ap, "d_an": d_an,
             "dist_pos": dist_pos, "dist_neg": dist_neg, "nearest": dist_neg}
    if swap:  # Balntas et al.: the negative's distance to the nearer of anchor and positive
        parts["d_pn"], parts["dist_swap"] = _distance(pos, neg, p, eps)
        parts["nearest"] = np.minimum(dist_neg, parts["dist_swap"])
    parts["z"] = np.asarray(dt.type(margin) + dist_pos - parts["nearest"], dtype=dt)
    return parts


def _triplet_output(z, arrays, reduction):
    loss = _hinge(z)
    if arrays[0].ndim == 0:
        loss = loss.reshape(())
    return _reduce(np.asarray(loss), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction="mean"):
    r"""Triplet loss: the anchor must be nearer the positive than the negative, by ``margin``.

    .. math::
        \ell_i = \max\big(0,\ \text{margin} + d(a_i, p_i) - d(a_i, n_i)\big),
        \qquad d(x, y) = \lVert x - y + \epsilon \rVert_p

    the norm taken over the last axis. With ``swap=True``, :math:`d(a_i, n_i)` is replaced by
    :math:`\min(d(a_i, n_i),\ d(p_i, n_i))`.

    Parameters
    ----------
    anchor, positive, negative : array_like of float, shape (N, D) or (D,) (the same)
        Embeddings; any shape (..., D) works, as in torch, and a 0-d triple is D = 1.
    margin : float > 0, default 1.0
    p : float, default 2.0
        The norm's order: 1, 2, any other real (torch accepts even p <= 0: p = 0 counts the
        non-zero entries), ``inf`` (the largest ``|entry|``) or ``-inf`` (the smallest).
    eps : float, default 1e-6
        Added to every entry of the difference (torch's ``pairwise_distance``).
    swap : bool, default False
        Use the nearer of anchor and positive to the negative (the "distance swap").
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-triplet losses, shape (N,) (the shape without the last
    axis), for 'none'.

    Notes
    -----
    ``torch.nn.functional.triplet_margin_loss`` / ``nn.TripletMarginLoss``, distances from
    ``F.pairwise_distance(x1, x2, p, eps)``, which is ``||x1 - x2 + eps||_p``: the eps is added
    to each entry of the difference, so the distance of a point to itself is
    :math:`\epsilon D^{1/p}`, not 0, and the gradient there is finite. The norm is torch's
    :math:`(\sum |\delta|^p)^{1/p}` (the same rounding, so the same side of a kink), except
    where that sum overflows or underflows: torch's float32 norm of a difference near 1e20
    squares it into ``inf`` (a NaN loss); its float64 norm of differences between 1e-162
    and 1e-154 loses precision (subnormal squares), and below that underflows to 0 (a zero
    gradient); there the norm here is scaled by the largest entry and stays right. For a
    fractional p, which side of an exact kink a triplet falls on can differ from torch's by
    the last bit of ``pow`` (NumPy and torch round it apart). torch
    raises ``ValueError`` for ``margin <= 0`` (as here); it broadcasts the three inputs,
    this twin wants one shape.
    Easy triplets (the hinge at 0) give no gradient at all: that is why mining matters.
    """
    parts = _triplet_parts(anchor, positive, negative, margin, p, eps, swap, reduction)
    return _triplet_output(parts["z"], parts["arrays"], reduction)


def triplet_margin_loss_grad(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6,
                             swap=False, reduction="mean"):
    r"""Gradients of :func:`triplet_margin_loss`: ``(d_anchor, d_positive, d_negative)``.

    With :math:`z = \text{margin} + d_{ap} - d_{an}`, :math:`g = [z \ge 0]` (torch passes the
    gradient at the kink) and :math:`u_{xy} = \partial \lVert x - y + \epsilon \rVert_p /
    \partial x = \operatorname{sign}(\delta)\,(|\delta| / \lVert\delta\rVert_p)^{p-1}`:

    .. math::
        \frac{\partial \ell}{\partial a} = g\,(u_{ap} - u_{an}),\quad
        \frac{\partial \ell}{\partial p} = -g\,u_{ap},\quad
        \frac{\partial \ell}{\partial n} = g\,u_{an}

    With ``swap``, the minimum sends the :math:`d_{an}` terms to :math:`d_{pn}` where that is
    the smaller one (:math:`\partial/\partial p \mathrel{-}= g\,u_{pn}`,
    :math:`\partial/\partial n \mathrel{+}= g\,u_{pn}`), and half to each at a tie, as
    torch's ``min`` does. :math:`u = \operatorname{sign}(\delta)` for p = 1; for p = ±inf the
    extreme entries share it equally; 0 for p = 0 and wherever the distance is 0. Divided by
    the number of triplets for 'mean'.

    Returns
    -------
    tuple of three ndarrays, the shapes and dtypes of the three inputs.
    """
    parts = _triplet_parts(anchor, positive, negative, margin, p, eps, swap, reduction)
    dt, z = parts["dt"], parts["z"]
    g = ((z >= 0) * _grad_scale(z.size, reduction, dt)).astype(dt)
    g = g.reshape(parts["d_ap"].shape[:-1])[..., None]
    u_ap = _pnorm_grad(parts["d_ap"], parts["dist_pos"], p)
    u_an = _pnorm_grad(parts["d_an"], parts["dist_neg"], p)
    w_an = np.ones_like(z)
    if swap:  # torch's min: the smaller takes the gradient, a tie splits it in half
        dn, ds = parts["dist_neg"], parts["dist_swap"]
        w_an = (dn < ds) + 0.5 * (dn == ds)
        u_pn = _pnorm_grad(parts["d_pn"], ds, p) * (1 - w_an)[..., None]
    else:
        u_pn = 0
    u_an = u_an * np.reshape(w_an, u_an.shape[:-1])[..., None]
    a, pos, neg = parts["arrays"]
    return (_as_grad(g * (u_ap - u_an), a), _as_grad(-g * (u_ap + u_pn), pos),
            _as_grad(g * (u_an + u_pn), neg))


# --------------------------------------------------------------------------------------
# TripletMarginWithDistanceLoss: the triplet loss for any distance function
# --------------------------------------------------------------------------------------


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    r"""Triplet loss with any distance: :math:`\max(0,\ \text{margin} + d(a, p) - d(a, n))`.

    Parameters
    ----------
    anchor, positive, negative : array_like of float, shape (N, D) or (D,)
        Embeddings (the same number of dimensions, as torch checks).
    distance_function : callable (x1, x2) -> ndarray, optional
        A NumPy distance, e.g. the cosine distance
        ``lambda x1, x2: 1 - (x1 * x2).sum(-1) / (norm(x1, axis=-1) * norm(x2, axis=-1))``;
        it returns one distance per pair, shape (N,). None: torch's default,
        ``pairwise_distance`` with p = 2 and eps = 1e-6 (then this is
        :func:`triplet_margin_loss` with its defaults).
    margin : float > 0, default 1.0
    swap : bool, default False
        Replace :math:`d(a, n)` by :math:`\min(d(a, n), d(p, n))`.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    ndarray: a scalar, or the per-triplet losses for 'none'.

    Notes
    -----
    ``torch.nn.functional.triplet_margin_with_distance_loss`` /
    ``nn.TripletMarginWithDistanceLoss``, whose arguments after the inputs are keyword-only
    (here too). torch raises ``ValueError`` for ``margin <= 0``. The loss is only as stable
    as the distance function passed in; the default is the stable norm of
    :func:`triplet_margin_loss`.
    """
    if distance_function is None:
        return triplet_margin_loss(anchor, positive, negative, margin=margin, swap=swap,
                                   reduction=reduction)
    arrays = _triplet_args(anchor, positive, negative, margin, reduction)
    if len({v.ndim for v in arrays}) != 1:
        raise ValueError("anchor, positive and negative must have the same number of "
                         f"dimensions, got shapes {[v.shape for v in arrays]}")
    a, pos, neg = arrays
    dist_pos = np.asarray(distance_function(a, pos))
    dist_neg = np.asarray(distance_function(a, neg))
    if swap:
        dist_neg = np.minimum(dist_neg, np.asarray(distance_function(pos, neg)))
    z = np.asarray(margin + dist_pos - dist_neg)
    return _reduce(_hinge(z), reduction)


def triplet_margin_with_distance_loss_grad(anchor, positive, negative, *,
                                           distance_function=None, margin=1.0, swap=False,
                                           reduction="mean"):
    r"""Gradients of :func:`triplet_margin_with_distance_loss`, for the default distance only.

    With ``distance_function=None`` this is :func:`triplet_margin_loss_grad` with p = 2 and
    eps = 1e-6: ``(d_anchor, d_positive, d_negative)``. A custom NumPy function cannot be
    differentiated here (NumPy has no autograd): ``ValueError``. Chain its own gradient
    with :math:`\partial \ell / \partial d(a, p) = [z \ge 0]` and
    :math:`\partial \ell / \partial d(a, n) = -[z \ge 0]` instead.

    Returns
    -------
    tuple of three ndarrays, the shapes and dtypes of the three inputs.
    """
    if distance_function is not None:
        raise ValueError(
            "cannot differentiate a custom distance_function (NumPy has no autograd); "
            "only distance_function=None (pairwise_distance, p=2) has a gradient here")
    return triplet_margin_loss_grad(anchor, positive, negative, margin=margin, swap=swap,
                                    reduction=reduction)
