"""Sequence losses (notebook 12): the connectionist temporal classification (CTC) loss, a
sum over every alignment of a label sequence to the time steps of the input, computed by
the forward (alpha) and backward (beta) recursions in log space.

The conventions every loss and its ``_grad`` twin follow are in the package docstring
(``help(helpers)``). The one loop is over time, which is inherent to the recursions;
examples and positions in the label sequence are vectorised.
"""

from __future__ import annotations

import operator

import numpy as np

from ._checks import _check_reduction, _float_array

__all__ = ["ctc_loss", "ctc_loss_grad"]


# --------------------------------------------------------------------------------------
# Checking the arguments (the same calls that torch rejects)
# --------------------------------------------------------------------------------------


def _int_values(a, name):
    """Integers as int64; whole-number floats and booleans too (torch casts them)."""
    a = np.asarray(a)
    if a.dtype.kind in "biu":
        return a.astype(np.int64)
    if a.dtype.kind == "f" and name == "targets":
        if not np.all(np.isfinite(a) & (a == np.trunc(a))):
            raise ValueError("targets must be whole numbers (torch would truncate 1.5 to 1 "
                             "without a word)")
        return a.astype(np.int64)
    raise ValueError(f"{name} must be integral, got dtype {a.dtype}")


def _lengths(lengths, n, name):
    lengths = _int_values(lengths, name).reshape(-1)  # a 0-d length serves one example
    if lengths.size != n:
        raise ValueError(f"{name} must hold one length per example ({n}), got {lengths.size}")
    if (lengths < 0).any():
        raise ValueError(f"{name} must be non-negative, got {lengths.min()}")
    return lengths


def _ctc_setup(log_probs, targets, input_lengths, target_lengths, blank, reduction):
    """Check everything; return lp (T, N, C), labels (N, U), lengths, unbatched flag."""
    lp = _float_array(log_probs, "log_probs")
    if lp.dtype not in (np.float32, np.float64):
        raise ValueError(f"log_probs must be float32 or float64 (torch's CPU kernel has no "
                         f"{lp.dtype}), got {lp.dtype}")
    if lp.ndim not in (2, 3):
        raise ValueError(f"log_probs must have shape (T, N, C) or, unbatched, (T, C); "
                         f"got shape {lp.shape}")
    unbatched = lp.ndim == 2
    if unbatched:
        lp = lp[:, None, :]
    if lp.size == 0:
        raise ValueError(f"log_probs must not be empty, got shape {lp.shape}")
    _check_reduction(reduction)
    t_max, n, c = lp.shape
    if isinstance(blank, bool | np.bool_):
        raise ValueError(f"blank must be an integer, got {blank!r}")
    try:
        blank = operator.index(blank)
    except TypeError:
        raise ValueError(f"blank must be an integer, got {blank!r}") from None
    if not 0 <= blank < c:
        raise ValueError(f"blank must be in the label range [0, {c - 1}], got {blank}")

    targets = _int_values(targets, "targets")
    in_len = _lengths(input_lengths, n, "input_lengths")
    tg_len = _lengths(target_lengths, n, "target_lengths")
    if (in_len > t_max).any():
        raise ValueError(f"input_lengths must be at most T = {t_max}, got {in_len.max()}")
    u = int(tg_len.max())
    if targets.ndim == 2:  # padded (N, S): row i holds its labels first, then anything
        if targets.shape[0] != n or targets.shape[1] < u:
            raise ValueError(f"padded targets must have shape (N, S) with N = {n} and "
                             f"S >= max(target_lengths) = {u}, got {targets.shape}")
        labels = targets[:, :u]
    elif targets.ndim == 1:  # concatenated: the N label sequences one after the other
        if targets.size != tg_len.sum():
            raise ValueError(f"concatenated targets must hold sum(target_lengths) = "
                             f"{tg_len.sum()} labels, got {targets.size}")
        starts = np.cumsum(tg_len) - tg_len
        idx = np.minimum(starts[:, None] + np.arange(u), max(targets.size - 1, 0))
        labels = targets[idx] if targets.size else np.zeros((n, u), np.int64)
    else:
        raise ValueError(f"targets must be padded (N, S) or concatenated (sum of lengths,); "
                         f"got shape {targets.shape}")
    used = np.arange(u) < tg_len[:, None]  # (N, U): the labels that count
    bad = used & ((labels < 0) | (labels >= c))
    if bad.any():
        raise ValueError(f"label {labels[bad][0]} is out of range [0, {c - 1}] (torch does "
                         "not check: it reads memory outside log_probs)")
    is_blank = used & (labels == blank)
    if is_blank.any():
        raise ValueError(f"label equal to blank ({blank}) in target {np.argwhere(is_blank)[0, 0]}: "
                         "CTC's blank cannot be a label; shift the labels or choose another "
                         "blank")
    labels = np.where(used, labels, blank)
    return lp, labels, in_len, tg_len, blank, unbatched


# --------------------------------------------------------------------------------------
# The recursions, in log space
# --------------------------------------------------------------------------------------


def _logsumexp3(a, b, c):
    """``log(e^a + e^b + e^c)`` elementwise, max-shifted; -inf where all three are -inf,
    NaN where one is +inf (inf - inf), as torch."""
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(np.isneginf(m), 0, m).astype(a.dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m + np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m))


def _shift(x, k):
    """``x[:, s - k]`` at position s (-inf where s < k): the state k steps to the left."""
    out = np.full_like(x, -np.inf)
    out[:, k:] = x[:, : x.shape[1] - k]
    return out


def _unshift(x, k):
    """``x[:, s + k]`` at position s (-inf past the end): the state k steps to the right."""
    out = np.full_like(x, -np.inf)
    out[:, : x.shape[1] - k] = x[:, k:]
    return out


def _ctc_forward(lp, labels, in_len, tg_len, blank, need_beta):
    """log alpha, log beta (T, N, L), the extended labels' log-probs and the NLL (N,)."""
    t_max, n, _ = lp.shape
    length = 2 * labels.shape[1] + 1
    ext = np.full((n, length), blank, dtype=np.int64)  # l' = (b, l1, b, l2, ..., lU, b)
    ext[:, 1::2] = labels
    lp_ext = np.take_along_axis(lp, np.broadcast_to(ext, (t_max, n, length)), axis=2)
    # a jump from s - 2 to s skips a blank: allowed unless l'_s repeats l'_{s-2}
    skip = np.zeros((n, length), dtype=bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
    ninf = lp.dtype.type(-np.inf)
    ar = np.arange(n)
    last = 2 * tg_len  # index of the final blank of each example's l'

    # alpha_t(s) = y_t(l'_s) (alpha_{t-1}(s) + alpha_{t-1}(s-1) + [skip] alpha_{t-1}(s-2))
    alpha = np.full((t_max, n, length), ninf, dtype=lp.dtype)
    alpha[0, :, 0] = lp_ext[0, :, 0]
    if length > 1:
        alpha[0, :, 1] = np.where(tg_len > 0, lp_ext[0, :, 1], ninf)
    for t in range(1, t_max):
        a = alpha[t - 1]
        alpha[t] = _logsumexp3(a, _shift(a, 1), np.where(skip, _shift(a, 2), ninf)) + lp_ext[t]

    # -log p(l | x) = -log(alpha_{T-1}(L-1) + alpha_{T-1}(L-2)), T and L each example's own
    t_end = np.maximum(in_len - 1, 0)
    end = alpha[t_end, ar]
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN from a +inf log-prob passes
        before = np.where(last > 0, end[ar, np.maximum(last - 1, 0)], ninf)
        nll = -np.logaddexp(end[ar, last], before)
    # no input step at all: the empty label sequence has probability 1, any other 0
    nll = np.where(in_len == 0, np.where(tg_len == 0, 0, np.inf), nll).astype(lp.dtype)
    if not need_beta:
        return None, None, None, nll

    # beta_t(s) = y_t(l'_s) (beta_{t+1}(s) + beta_{t+1}(s+1) + [skip_{s+2}] beta_{t+1}(s+2)),
    # started at each example's last step T-1 on its last two states (-inf after it stays
    # -inf: the recursion only adds to it)
    skip_next = _unshift(skip.astype(lp.dtype), 2) > 0  # skip allowed from s to s + 2
    start = np.full((n, length), ninf, dtype=lp.dtype)
    start[ar, last] = 0  # the final blank ...
    has = last > 0
    start[ar[has], last[has] - 1] = 0  # ... and the last label
    beta = np.full((t_max, n, length), ninf, dtype=lp.dtype)
    b = np.full((n, length), ninf, dtype=lp.dtype)
    for t in range(t_max - 1, -1, -1):
        step = _logsumexp3(b, _unshift(b, 1), np.where(skip_next, _unshift(b, 2), ninf))
        b = np.where((t == in_len - 1)[:, None], start, step) + lp_ext[t]
        beta[t] = b
    return alpha, beta, ext, nll


def _ctc_scale(tg_len, reduction, dtype):
    """d(reduced loss)/d(loss_i): 1, or 1/(N max(U_i, 1)) for torch's 'mean'."""
    if reduction != "mean":
        return np.ones(tg_len.shape, dtype=dtype)
    return (1 / (np.maximum(tg_len, 1) * tg_len.size)).astype(dtype)


# --------------------------------------------------------------------------------------
# CTCLoss
# --------------------------------------------------------------------------------------


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    r"""Connectionist temporal classification: -log of the summed probability of every
    alignment of the label sequence to the input.

    An alignment :math:`\pi` of length :math:`T_i` collapses to the labels :math:`l` (of
    length :math:`U_i`) when merging repeats and then dropping blanks gives :math:`l`.
    Over the extended sequence :math:`l' = (b, l_1, b, l_2, \dots, l_U, b)` of length
    :math:`2U+1`, in log space, with :math:`y_t(c)` = ``exp(log_probs[t, i, c])``:

    .. math::
        \alpha_t(s) = y_t(l'_s)\big(\alpha_{t-1}(s) + \alpha_{t-1}(s-1)
                       + [l'_s \ne l'_{s-2}]\,\alpha_{t-1}(s-2)\big), \qquad
        \ell_i = -\log\big(\alpha_{T_i-1}(2U_i) + \alpha_{T_i-1}(2U_i-1)\big)

    starting from :math:`\alpha_0(0) = y_0(b)`, :math:`\alpha_0(1) = y_0(l_1)`. torch's
    'mean' is :math:`\frac1N \sum_i \ell_i / \max(U_i, 1)`; 'sum' adds the :math:`\ell_i`.

    Parameters
    ----------
    log_probs : array_like of float32 or float64, shape (T, N, C) or, unbatched, (T, C)
        Log-probabilities over C symbols (blank included) at each of T time steps: the
        output of :func:`log_softmax` along C. Time first, not batch first.
    targets : array_like of int, shape (N, S) or (sum(target_lengths),)
        Padded: row i holds its ``target_lengths[i]`` labels, then anything. Concatenated
        (1-D, and always for unbatched 1-D targets): the label sequences one after another.
        Labels are in [0, C - 1] and must not be ``blank`` (see Notes).
    input_lengths : array_like of int, shape (N,) (or () for one example)
        :math:`T_i \le T`: the steps of example i that count; the rest of its column is
        ignored.
    target_lengths : array_like of int, shape (N,) (or () for one example)
        :math:`U_i`; at most S for padded targets.
    blank : int, default 0
        The blank symbol's index in [0, C - 1].
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    zero_infinity : bool, default False
        Replace an infinite loss (no alignment fits: :math:`T_i` too short for the labels
        and the blanks their repeats need) and its gradient by 0.

    Returns
    -------
    ndarray: a scalar, or the losses (N,) for 'none' (() unbatched), dtype of ``log_probs``.

    Notes
    -----
    ``torch.nn.functional.ctc_loss`` / ``nn.CTCLoss``. Stable: products of probabilities are
    sums of log-probabilities, and sums are max-shifted log-sum-exps, so long sequences do
    not underflow (the naive product does after a few hundred steps in float32).
    A sequence needs :math:`T_i \ge U_i + r_i` steps, :math:`r_i` the number of adjacent
    repeated labels (each needs a blank between); shorter gives ``inf``, as torch. A +inf
    entry (not a log-probability) on a symbol of :math:`l'` gives NaN, as torch.

    What torch does not check, and what this twin does:

    * a label equal to ``blank`` (within the target's length; padding past it is
      ignored): torch accepts it silently and returns a number that means nothing (no
      alignment collapses to a target holding the blank: it runs the recursion with that
      label as a symbol of :math:`l'`), and, when it is the last label, a gradient that is
      not its loss's derivative (see :func:`ctc_loss_grad`). This twin raises
      ``ValueError``;
    * a label outside [0, C - 1]: torch reads memory outside ``log_probs`` (any number);
      this twin raises ``ValueError``;
    * float targets: torch truncates them to integers; this twin takes whole numbers only;
    * lengths as a Python int: torch wants a tuple or a tensor; NumPy cannot tell an int
      from a 0-d array, so here one int serves one example, as a 0-d tensor does in torch.
    """
    lp, labels, in_len, tg_len, blank, unbatched = _ctc_setup(
        log_probs, targets, input_lengths, target_lengths, blank, reduction)
    nll = _ctc_forward(lp, labels, in_len, tg_len, blank, need_beta=False)[3]
    if zero_infinity:
        nll = np.where(np.isposinf(nll), 0, nll).astype(nll.dtype)
    if reduction == "none":
        return nll[0] if unbatched else nll
    if reduction == "sum":
        return nll.sum(dtype=nll.dtype)
    return (nll / np.maximum(tg_len, 1).astype(nll.dtype)).mean(dtype=nll.dtype)


def ctc_loss_grad(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
                  zero_infinity=False):
    r"""Gradient of :func:`ctc_loss` as torch's autograd returns it for ``log_probs``.

    With :math:`\alpha, \beta` in torch's convention (both include :math:`y_t(l'_s)`), every
    alignment passes through one state s at each step t, so
    :math:`p = \sum_s \alpha_t(s)\beta_t(s) / y_t(l'_s)` for every t, and the posterior
    that the alignment emits symbol c at step t is

    .. math::
        \gamma_t(c) = \frac{1}{p\, y_t(c)} \sum_{s:\ l'_s = c} \alpha_t(s)\,\beta_t(s),
        \qquad \sum_c \gamma_t(c) = 1 .

    The derivative of :math:`\ell = -\log p` with respect to :math:`x_t(c)` =
    ``log_probs[t, i, c]``, taken literally, is :math:`-\gamma_t(c)`. torch returns instead

    .. math:: g_t(c) = e^{x_t(c)} - \gamma_t(c) \quad (t < T_i), \qquad 0 \quad (t \ge T_i)

    (times :math:`1/(N \max(U_i, 1))` for 'mean'): the gradient with respect to logits
    :math:`z` behind ``x = log_softmax(z)``. The two agree once chained through
    log_softmax: :math:`\partial \ell/\partial z_c = -\gamma_c + y_c \sum_k \gamma_k
    = y_c - \gamma_c`. On log-probabilities that are not normalised, torch's gradient is
    not the derivative of its loss (a finite difference shows it).

    Returns
    -------
    ndarray, same shape and dtype as ``log_probs``.

    Notes
    -----
    An infinite loss (no alignment) gives a NaN gradient on its example's first
    :math:`T_i` steps, as torch (0 with ``zero_infinity``). :math:`\gamma` is computed as
    ``exp(log alpha + log beta - x + nll)``, an exponent <= 0 in exact arithmetic; rounded
    in float32 it comes out a little above 0 (kept: torch rounds alike), and at losses near
    1e8 far above 0, where torch's gradient entries reach 1e14 or overflow; here it is
    clipped at 1 (a state's occupancy at most e instead of 1), so the gradient stays
    finite. The gradient is 0 past each example's input length. A +inf entry of
    ``log_probs`` (no log-probability) on a symbol of :math:`l'` gives a NaN loss and
    gradient, as torch.

    A label equal to ``blank`` raises ``ValueError`` (see :func:`ctc_loss`). torch accepts
    it, and where it is the *last* label its autograd at (:math:`T_i - 1`, blank) counts
    only one of the two final states of :math:`l'` (both are the blank symbol), so its
    gradient is not exp(x) plus the derivative of its own value. On every valid input
    this gradient equals torch's autograd.
    """
    lp, labels, in_len, tg_len, blank, unbatched = _ctc_setup(
        log_probs, targets, input_lengths, target_lengths, blank, reduction)
    alpha, beta, ext, nll = _ctc_forward(lp, labels, in_len, tg_len, blank, need_beta=True)
    t_max, n, c = lp.shape
    inf = np.isposinf(nll)
    nll_safe = np.where(inf, 0, nll).astype(lp.dtype)
    ab = alpha + beta  # log alpha_t(s) beta_t(s), -inf off every alignment
    lp_ext = np.take_along_axis(lp, np.broadcast_to(ext, ab.shape), axis=2)
    with np.errstate(invalid="ignore"):  # -inf - (-inf) where y_t(l'_s) = 0: no alignment
        expo = np.where(np.isneginf(ab), -np.inf, ab - lp_ext + nll_safe[None, :, None])
    # <= 0 in exact arithmetic; rounded, a little above 0 (as in torch: kept, to agree with
    # it), and far above it at float32 losses near 1e8, where exp would overflow: clip at 1
    expo = np.minimum(expo, 1)
    occ = np.exp(expo)  # per state s, (T, N, L), in [0, 1] up to rounding (at most e)
    onehot = (ext[:, :, None] == np.arange(c)).astype(lp.dtype)  # (N, L, C)
    gamma = np.einsum("tnl,nlc->tnc", occ, onehot)  # sum over the states of symbol c
    g = np.exp(lp) - gamma  # torch's convention: exp(x) - gamma
    live = np.arange(t_max)[:, None] < in_len  # (T, N): steps that count
    g = np.where(live[:, :, None], g, 0)
    if zero_infinity:  # torch zeroes the whole example
        g = np.where(inf[None, :, None], 0, g)
    else:  # exp(x) - exp(-inf + inf): NaN, as torch
        g = np.where(inf[None, :, None] & live[:, :, None], np.nan, g)
    g = (g * _ctc_scale(tg_len, reduction, lp.dtype)[None, :, None]).astype(lp.dtype)
    return g[:, 0, :] if unbatched else g
