"""The explorers of notebooks 01–07: one idea each, computed with the helpers.

Each function displays its controls and drawing in a notebook cell and returns the
:class:`~helpers.interactive.Explorer` (``show=False`` builds it without displaying, as the
tests do). See :mod:`helpers.interactive` for how to add one.

What each explorer computes lives in a small module-level private function
(``_regression_curves``, ``_nll_logit_grad``, ``_focal``, ...) that its draw function
calls; ``tests/test_explorers.py`` checks those numbers against torch.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    nll_loss,
    nll_loss_grad,
)
from .divergence import kl_div
from .interactive import explore
from .kernels import log_softmax, logsigmoid, sigmoid, softmax
from .margin import multi_margin_loss, multi_margin_loss_grad
from .regression import (
    gaussian_nll_loss,
    gaussian_nll_loss_grad,
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
)

__all__ = ["regression_losses", "nll_picks", "softmax_cross_entropy", "bce_on_probabilities",
           "bce_with_logits", "kl_divergence", "focal_loss",
           "gaussian_nll", "multiclass_hinge", "triplet_geometry", "ctc_alignment",
           "chunked_cross_entropy"]

_COLOURS = {"MAE": "C0", "MSE": "C1", "Huber": "C2"}
_CLASSES = np.arange(3)
#: every control: the whole label shown (ipywidgets cuts it at about 8 characters otherwise)
_STYLE = {"description_width": "initial"}
#: sliders: wide enough that a drag reaches precise values
_SLIDER_LAYOUT = {"width": "380px"}
_NLL_FEEDS = ("log_softmax(z)", "softmax(z)", "raw z")


# --------------------------------------------------------------------------- controls

def _slider(value, lo, hi, step, description):
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         style=_STYLE, layout=w.Layout(**_SLIDER_LAYOUT))


def _log_slider(value, lo, hi, step, description):
    """A slider on log10 of the value: ``lo`` and ``hi`` are exponents."""
    return w.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step,
                            description=description, style=_STYLE,
                            layout=w.Layout(**_SLIDER_LAYOUT))


def _toggle(options, value, description):
    return w.ToggleButtons(options=list(options), value=value, description=description,
                           style=_STYLE)


def _classes(description="true class"):
    return _toggle([0, 1, 2], 0, description)


# --------------------------------------------------------------------------- computing

def _regression_curves(cs, y, delta):
    """MAE, MSE and Huber of the constant prediction c against the targets y.

    Parameters
    ----------
    cs : ndarray (n,)
        Constant predictions.
    y : ndarray (m,)
        Targets.
    delta : float
        Huber's δ.

    Returns
    -------
    dict of name -> (loss, grad): each ndarray (n,), the loss averaged over the targets
    and its derivative in c.
    """
    grid = np.broadcast_to(np.asarray(cs, dtype=float)[:, None], (np.size(cs), y.size))
    ys = np.broadcast_to(y, grid.shape)
    return {
        "MAE": (l1_loss(grid, ys, reduction="none").mean(1),
                l1_loss_grad(grid, ys, reduction="sum").mean(1)),
        "MSE": (mse_loss(grid, ys, reduction="none").mean(1),
                mse_loss_grad(grid, ys, reduction="sum").mean(1)),
        "Huber": (huber_loss(grid, ys, reduction="none", delta=delta).mean(1),
                  huber_loss_grad(grid, ys, reduction="sum", delta=delta).mean(1)),
    }


def _huber_minimiser(y, delta):
    """The constant c minimising mean Huber(c - y): bisection on its gradient (monotone)."""
    lo, hi = float(y.min()), float(y.max())
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        g = huber_loss_grad(np.full_like(y, mid), y, reduction="sum", delta=delta).sum()
        lo, hi = (mid, hi) if g < 0 else (lo, mid)
    return 0.5 * (lo + hi)


def _regression_minimisers(y, delta):
    """The constant minimising each loss: the median (MAE), the mean (MSE), Huber's."""
    return {"MAE": float(np.median(y)), "MSE": float(y.mean()),
            "Huber": _huber_minimiser(y, delta)}


def _nll_logit_grad(z, y, fed):
    """NLLLoss fed ``fed`` (one of log_softmax(z), softmax(z), raw z) of the logits z.

    Parameters
    ----------
    z : ndarray (1, C)
        Logits.
    y : int
        True class.
    fed : str
        What NLLLoss gets: ``"log_softmax(z)"``, ``"softmax(z)"`` or ``"raw z"``.

    Returns
    -------
    row : ndarray (1, C), the input NLLLoss gets
    loss : float, NLLLoss = -row[y]
    dz : ndarray (1, C), d loss / d z (the chain rule back through what was fed)
    """
    target = np.array([y])
    p = softmax(z, axis=1)
    row = {"log_softmax(z)": log_softmax(z, axis=1), "softmax(z)": p, "raw z": z}[fed]
    loss = float(nll_loss(row, target))
    g = nll_loss_grad(row, target)  # d loss / d input: -1 at the true class
    if fed == "log_softmax(z)":  # Jacobian of log_softmax: I - 1 p^T
        dz = g - p * g.sum(axis=1, keepdims=True)
    elif fed == "softmax(z)":  # Jacobian of softmax: diag(p) - p p^T
        dz = p * (g - (g * p).sum(axis=1, keepdims=True))
    else:
        dz = g
    return row, loss, dz


def _softmax_ce(z, y, T):
    """Cross-entropy of softmax(z / T) for the true class y.

    Returns
    -------
    p : ndarray (C,), softmax(z / T)
    loss : float
    grad : ndarray (C,), d loss / d z = (softmax(z / T) - onehot) / T
    """
    zt = np.asarray(z, dtype=float).reshape(1, -1) / T
    target = np.array([y])
    p = softmax(zt, axis=1)[0]
    loss = float(cross_entropy(zt, target))
    grad = cross_entropy_grad(zt, target)[0] / T  # chain rule through z / T
    return p, loss, grad


def _bce_curves(z, y, dtype):
    """BCELoss(sigmoid(z), y) computed in ``dtype``, and its gradient in z.

    Returns
    -------
    loss, grad : ndarray, same shape as z, in ``dtype``; the gradient goes through the
    sigmoid, d loss / dp · p (1 - p), as autograd does.
    """
    p = sigmoid(np.asarray(z).astype(dtype))
    t = np.full_like(p, y)
    loss = binary_cross_entropy(p, t, reduction="none")
    grad = binary_cross_entropy_grad(p, t, reduction="sum") * p * (1 - p)  # through σ
    return loss, grad


def _bce_optimum(y, r):
    """The logit minimising BCEWithLogitsLoss for label y and pos_weight r.

    The gradient -r y (1 - σ(z)) + (1 - y) σ(z) vanishes where σ(z) = r y / (r y + 1 - y),
    so z* = log(r y / (1 - y)); +∞ for y = 1 and -∞ for y = 0.
    """
    if y >= 1.0:
        return np.inf
    if y <= 0.0:
        return -np.inf
    return float(np.log(r * y / (1.0 - y)))


def _kl_bars(zp, zq):
    """p = softmax(zp), q = softmax(zq), and H(p), CE(p, q), KL(p ‖ q), KL(q ‖ p) in nats.

    Returns
    -------
    p, q : ndarray (1, C)
    bars : dict of name -> float, with keys "H(p)", "CE(p, q)", "KL(p ‖ q)", "KL(q ‖ p)"
    """
    zp, zq = np.asarray(zp, dtype=float), np.asarray(zq, dtype=float)
    p, q = softmax(zp, axis=1), softmax(zq, axis=1)
    kl_pq = float(kl_div(log_softmax(zq, axis=1), p, reduction="sum"))  # input log q, target p
    kl_qp = float(kl_div(log_softmax(zp, axis=1), q, reduction="sum"))
    ce = float(cross_entropy(zq, p))  # probability targets: -sum p log q
    return p, q, {"H(p)": ce - kl_pq, "CE(p, q)": ce, "KL(p ‖ q)": kl_pq, "KL(q ‖ p)": kl_qp}


def _focal(pt, gamma, alpha):
    """The focal loss -α (1 - p_t)^γ log p_t for y = 1 (p_t = σ(z)), and d loss / dz.

    Stable form of notebook 07: log p_t = logsigmoid(z), (1 - p_t)^γ = exp(γ logsigmoid(-z)).

    Returns
    -------
    loss, grad : ndarray, same shape as pt.
    """
    pt = np.asarray(pt, dtype=float)
    z = np.log(pt) - np.log1p(-pt)  # the logit with σ(z) = p_t
    log_pt, log_rest = logsigmoid(z), logsigmoid(-z)
    weight = np.exp(gamma * log_rest)  # (1 - p_t)^γ
    loss = -alpha * weight * log_pt
    grad = alpha * weight * (gamma * pt * log_pt - (1 - pt))  # d loss / dz
    return loss, grad


def _ratio(x):
    """A plain number: two decimals below 10, else whole with thousands separators."""
    return f"{x:.2f}" if x < 10 else f"{x:,.0f}"


# --------------------------------------------------------------------------- explorers

def regression_losses(show=True):
    """01: a constant prediction c against five targets, one of them an outlier.

    MAE, MSE and Huber (mean over the targets) and their gradients in c, with each loss's
    minimiser: the median, the mean and Huber's compromise between them (3.25 at the
    default δ = 3 and outlier 20). Move the outlier and δ: widen δ (up to 40) and Huber
    turns into MSE, its minimiser moving to the mean; narrow it and its minimiser
    moves to the median, as MAE's.

    Returns
    -------
    Explorer
    """
    cs = np.linspace(-5.0, 45.0, 501)

    def draw(axes, c, outlier, delta):
        ax_l, ax_g = axes
        y = np.array([1.0, 2.0, 3.0, 4.0, outlier])
        curves = _regression_curves(cs, y, delta)
        best = _regression_minimisers(y, delta)
        now = {name: loss[0] for name, (loss, _) in _regression_curves([c], y, delta).items()}
        for name, (loss, grad) in curves.items():
            colour = _COLOURS[name]
            ax_l.plot(cs, loss, color=colour, label=name)
            ax_g.plot(cs, grad, color=colour, label=name)
            ax_l.plot(c, now[name], "o", color=colour)
            for ax in axes:
                ax.axvline(best[name], color=colour, linestyle=":", linewidth=1)
        values = np.concatenate([loss for loss, _ in curves.values()] + [list(now.values())])
        ax_l.set(xlabel="prediction c", ylabel="loss (log scale)", yscale="log",
                 ylim=(0.5 * values.min(), 2.0 * values.max()),
                 title=f"minimisers: median {best['MAE']:.2f}, Huber {best['Huber']:.2f}, "
                       f"mean {best['MSE']:.2f}")
        lim = max(3.0, 1.1 * delta)  # Huber's pull far from every target is ±δ
        ax_g.set(xlabel="prediction c", ylabel="d loss / dc", ylim=(-lim, lim),
                 title="MAE's pull is bounded by 1, Huber's by δ")
        ax_g.axhline(0, color="0.5", linewidth=0.8)
        ax_g.axvline(c, color="0.3", linewidth=0.8)
        ax_l.legend(loc="best")  # the curves move a lot with the outlier and δ

    return explore(draw, {
        "c": _slider(3.0, -5.0, 45.0, 0.5, "prediction c"),
        "outlier": _slider(20.0, 0.0, 40.0, 1.0, "outlier"),
        "delta": _slider(3.0, 0.1, 40.0, 0.1, "δ"),
    }, show=show)


def nll_picks(show=True):
    """02: NLLLoss picks the true class's entry of its input and negates it.

    Three logits z, the true class, and what is fed to NLLLoss: log_softmax(z) (right),
    softmax(z) or raw z (the sources' mistakes). Left: the input row and the picked entry;
    right: the gradient of the loss with respect to the logits.

    Returns
    -------
    Explorer
    """
    # fixed per option, wide enough for every slider position (log_softmax >= -12.7)
    ylims = {"log_softmax(z)": (-13.5, 0.5), "softmax(z)": (-0.05, 1.05), "raw z": (-6.5, 6.5)}

    def draw(axes, z1, z2, z3, y, fed):
        ax_in, ax_g = axes
        row, loss, dz = _nll_logit_grad(np.array([[z1, z2, z3]]), y, fed)
        colours = ["C3" if k == y else "C0" for k in _CLASSES]
        ax_in.bar(_CLASSES, row[0], color=colours)
        ax_in.axhline(0, color="0.5", linewidth=0.8)
        ax_in.set(xticks=_CLASSES, xlabel="class", ylim=ylims[fed], ylabel=f"input: {fed}",
                  title=f"NLLLoss = -input[{y}] = {loss:.3f}")
        ax_g.bar(_CLASSES, dz[0], color=colours)
        ax_g.axhline(0, color="0.5", linewidth=0.8)
        ax_g.set(xticks=_CLASSES, xlabel="class", ylim=(-1.05, 1.05),
                 ylabel="d loss / d z", title="gradient reaching the logits")

    return explore(draw, {
        "z1": _slider(1.0, -6.0, 6.0, 0.1, "z[0]"),
        "z2": _slider(2.0, -6.0, 6.0, 0.1, "z[1]"),
        "z3": _slider(3.0, -6.0, 6.0, 0.1, "z[2]"),
        "y": _classes(),
        "fed": _toggle(_NLL_FEEDS, _NLL_FEEDS[0], "NLLLoss gets"),
    }, show=show)


def softmax_cross_entropy(show=True):
    """03: three logits, a temperature and the true class: softmax, loss and gradient.

    Left: softmax(z / T), the true class in red; right: the gradient of the cross-entropy
    with respect to z, (softmax(z / T) - onehot) / T, which sums to 0.

    Returns
    -------
    Explorer
    """

    def draw(axes, z1, z2, z3, y, T):
        ax_p, ax_g = axes
        p, loss, grad = _softmax_ce(np.array([z1, z2, z3]), y, T)
        colours = ["C3" if k == y else "C0" for k in _CLASSES]
        ax_p.bar(_CLASSES, p, color=colours)
        ax_p.set(xticks=_CLASSES, xlabel="class", ylim=(0, 1), ylabel="softmax(z / T)",
                 title=f"cross-entropy = -log p[{y}] = {loss:.3f}")
        ax_g.bar(_CLASSES, grad, color=colours)
        ax_g.axhline(0, color="0.5", linewidth=0.8)
        lim = max(1.05, 1.05 / T)
        ax_g.set(xticks=_CLASSES, xlabel="class", ylim=(-lim, lim), ylabel="d loss / d z",
                 title="(softmax - onehot) / T: sums to 0")

    return explore(draw, {
        "z1": _slider(1.0, -6.0, 6.0, 0.1, "z[0]"),
        "z2": _slider(2.0, -6.0, 6.0, 0.1, "z[1]"),
        "z3": _slider(3.0, -6.0, 6.0, 0.1, "z[2]"),
        "y": _classes(),
        "T": _log_slider(1.0, -1, 1, 0.05, "temperature T"),
    }, show=show)


def bce_on_probabilities(show=True):
    """04: BCE on sigmoid probabilities, in float32 and float64, against the exact curve.

    Move the (soft) label y and the logit z; past z of about 16.6 (or below -88.7) float32
    rounds the sigmoid to 1 (or 0), and the loss of a wrong answer jumps to the clamp.

    Returns
    -------
    Explorer
    """
    zs = np.linspace(-40.0, 40.0, 801)

    def draw(axes, z, y):
        ax_l, ax_g = axes
        exact = binary_cross_entropy_with_logits(zs, np.full_like(zs, y), reduction="none")
        ax_l.plot(zs, exact, color="0.6", linewidth=4, label="exact")
        ax_g.plot(zs, sigmoid(zs) - y, color="0.6", linewidth=4, label="exact σ(z) - y")
        for dtype, colour in ((np.float64, "C0"), (np.float32, "C3")):
            loss, grad = _bce_curves(zs, y, dtype)
            ax_l.plot(zs, loss, color=colour, label=np.dtype(dtype).name)
            ax_g.plot(zs, grad, color=colour, label=np.dtype(dtype).name)
        loss32, _ = _bce_curves(np.array([z]), y, np.float32)
        ax_l.plot(z, loss32[0], "o", color="C3")
        ax_l.set(xlabel="logit z", ylabel="BCELoss(sigmoid(z), y)", ylim=(0, 105),
                 title=f"z = {z:.1f}: float32 {loss32[0]:.4g}, exact "
                       f"{binary_cross_entropy_with_logits(np.array([z]), np.array([y])):.4g}")
        ax_g.set(xlabel="logit z", ylabel="d loss / dz", ylim=(-1.1, 1.1),
                 title="gradient through the sigmoid")
        ax_g.axvline(z, color="0.3", linewidth=0.8)
        ax_l.legend(loc="upper center")

    return explore(draw, {
        "z": _slider(20.0, -40.0, 40.0, 0.5, "logit z"),
        "y": _slider(0.0, 0.0, 1.0, 0.05, "label y"),
    }, show=show)


def bce_with_logits(show=True):
    """05: BCEWithLogitsLoss with a soft label y and pos_weight r, and its optimal logit.

    The loss r·y·softplus(-z) + (1 - y)·softplus(z) and its gradient in z; pos_weight moves
    the optimum from log(y / (1 - y)) (grey dotted line) to log(r·y / (1 - y)) (blue
    dotted line), a shift of log r. The loss axis always shows the marker at z.

    Returns
    -------
    Explorer
    """
    zs = np.linspace(-10.0, 10.0, 401)

    def draw(axes, z, y, r):
        ax_l, ax_g = axes
        t = np.full_like(zs, y)
        pw = np.float64(r)
        plain = binary_cross_entropy_with_logits(zs, t, reduction="none")
        for weight, colour, style in ((np.float64(1.0), "0.6", "--"), (pw, "C0", "-")):
            label = "pos_weight = 1" if style == "--" else f"pos_weight = {r:.3g}"
            ax_l.plot(zs, binary_cross_entropy_with_logits(zs, t, reduction="none",
                                                           pos_weight=weight),
                      color=colour, linestyle=style, label=label)
            ax_g.plot(zs, binary_cross_entropy_with_logits_grad(zs, t, reduction="sum",
                                                                pos_weight=weight),
                      color=colour, linestyle=style, label=label)
        here = float(binary_cross_entropy_with_logits(np.array([z]), np.array([y]),
                                                      pos_weight=pw))
        ax_l.plot(z, here, "o", color="C0")
        z_best = _bce_optimum(y, r)
        if np.isfinite(z_best):
            for ax in axes:
                ax.axvline(_bce_optimum(y, 1.0), color="0.6", linestyle=":", linewidth=1)
                ax.axvline(z_best, color="C0", linestyle=":", linewidth=1)
            best = (f"optimum z* = {z_best:.2f} (log r = {np.log(r):+.2f}), "
                    f"σ(z*) = {sigmoid(np.array(z_best)):.2f}")
        else:
            best = "optimum at z = " + ("+∞" if z_best > 0 else "-∞")
        # the unweighted curve and the marker always fit; a heavy pos_weight runs off the top
        top = 1.15 * max(plain.max(), here)
        ax_l.set(xlabel="logit z", ylabel="loss", ylim=(0, top), title=best)
        ax_g.set(xlabel="logit z", ylabel="d loss / dz", ylim=(-max(1.05, r * y + 0.05), 1.05),
                 title=f"z = {z:.1f}: loss {here:.3f}")
        ax_g.axhline(0, color="0.5", linewidth=0.8)
        ax_g.axvline(z, color="0.3", linewidth=0.8)
        ax_l.legend(loc="best")

    return explore(draw, {
        "z": _slider(0.0, -10.0, 10.0, 0.1, "logit z"),
        "y": _slider(0.3, 0.0, 1.0, 0.05, "label y"),
        "r": _log_slider(1.0, -1, 2, 0.05, "pos_weight"),
    }, show=show)


def kl_divergence(show=True):
    """06: two distributions over three classes: KL both ways, entropy and cross-entropy.

    p and q are the softmax of two logit vectors (the third logit fixed at 0). Right:
    H(p), CE(p, q) = H(p) + KL(p ‖ q), KL(p ‖ q) and KL(q ‖ p), computed with the helpers,
    on an axis sized to the longest bar.

    Returns
    -------
    Explorer
    """

    def draw(axes, p1, p2, q1, q2):
        ax_d, ax_k = axes
        p, q, bars = _kl_bars(np.array([[p1, p2, 0.0]]), np.array([[q1, q2, 0.0]]))
        h, kl_pq, kl_qp = bars["H(p)"], bars["KL(p ‖ q)"], bars["KL(q ‖ p)"]
        ax_d.bar(_CLASSES - 0.2, p[0], width=0.4, label="p (target)")
        ax_d.bar(_CLASSES + 0.2, q[0], width=0.4, label="q (model)")
        ax_d.set(xticks=_CLASSES, xlabel="class", ylim=(0, 1), ylabel="probability")
        ax_d.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        names = list(bars)
        ax_k.barh(names, [h, h, kl_pq, kl_qp], color=["C2", "C2", "C1", "C4"])
        ax_k.barh(names[1], kl_pq, left=h, color="C1")  # CE = H(p) + KL(p ‖ q)
        ax_k.invert_yaxis()
        ax_k.set(xlim=(0, max(1.0, 1.15 * max(bars.values()))), xlabel="nats",
                 title=f"KL(p‖q) {kl_pq:.3f} vs KL(q‖p) {kl_qp:.3f}")

    return explore(draw, {
        "p1": _slider(1.0, -4.0, 4.0, 0.1, "p: z[0]"),
        "p2": _slider(0.0, -4.0, 4.0, 0.1, "p: z[1]"),
        "q1": _slider(-1.0, -4.0, 4.0, 0.1, "q: z[0]"),
        "q2": _slider(1.0, -4.0, 4.0, 0.1, "q: z[1]"),
    }, show=show)


def focal_loss(show=True):
    """07: the focal loss -α (1 - p_t)^γ log p_t against p_t, and its gradient in z.

    γ = 0 is the cross-entropy (grey). Computed in the stable form of notebook 07:
    log p_t = logsigmoid(z) and (1 - p_t)^γ = exp(γ logsigmoid(-z)), for y = 1. The title
    gives how many times smaller than CE the loss of an easy example (p_t = 0.9) is; the
    gradient shows focal pulling the hardest examples (p_t near 0.05) harder than CE.

    Returns
    -------
    Explorer
    """
    pt = np.linspace(0.005, 0.995, 199)
    easy = np.argmin(abs(pt - 0.9))

    def draw(axes, gamma, alpha):
        ax_l, ax_g = axes
        ce, ce_grad = _focal(pt, 0.0, 1.0)
        loss, grad = _focal(pt, gamma, alpha)
        ax_l.plot(pt, ce, color="0.6", linestyle="--", label="cross-entropy")
        ax_l.plot(pt, loss, color="C0", label=f"focal, γ = {gamma:.1f}")
        ax_g.plot(pt, ce_grad, color="0.6", linestyle="--", label="cross-entropy")
        ax_g.plot(pt, grad, color="C0", label=f"focal, γ = {gamma:.1f}")
        ax_l.set(xlabel="p_t (probability of the true class)", ylabel="loss", ylim=(0, 5.5),
                 title=f"CE / focal at p_t = 0.9: {_ratio(ce[easy] / loss[easy])}")
        ax_g.set(xlabel="p_t", ylabel="d loss / dz", ylim=(min(-1.4, 1.05 * grad.min()), 0.05),
                 title="gradient")
        ax_g.axhline(-1, color="0.5", linewidth=0.8)  # CE's pull never exceeds 1
        ax_l.legend(loc="upper right")

    return explore(draw, {
        "gamma": _slider(2.0, 0.0, 5.0, 0.1, "γ"),
        "alpha": _slider(1.0, 0.05, 1.0, 0.05, "α"),
    }, show=show)


# --------------------------------------------------------------------------- 09: Gaussian NLL

def _gaussian_nll_curves(mus, variances, mu, var, y=0.0):
    """GaussianNLLLoss (full=False) of one target y, against the mean and against the variance.

    Parameters
    ----------
    mus : ndarray (K,)
        Means on the horizontal axis of the left panel (the variance held at ``var``).
    variances : ndarray (M,)
        Variances on the horizontal axis of the right panel (the mean held at ``mu``).
    mu, var : float
        The current prediction.
    y : float, default 0.0
        The target.

    Returns
    -------
    dict with "by_mu" (K,), "by_var" (M,): the losses ½(log σ² + (μ - y)²/σ²);
    "loss" (float) at (mu, var); "d_mu", "d_var" (float): its gradients (μ - y)/σ² and
    ½(1/σ² - (μ - y)²/σ⁴); "best_var" (float): the variance that minimises the loss,
    (μ - y)², clamped at torch's eps = 1e-6.
    """
    mus, variances = np.asarray(mus, dtype=float), np.asarray(variances, dtype=float)
    by_mu = gaussian_nll_loss(mus, np.full_like(mus, y), np.full_like(mus, var),
                              reduction="none")
    by_var = gaussian_nll_loss(np.full_like(variances, mu), np.full_like(variances, y),
                               variances, reduction="none")
    one = (np.array([mu]), np.array([y]), np.array([var]))
    d_mu, d_var = gaussian_nll_loss_grad(*one, reduction="sum")
    return {"by_mu": by_mu, "by_var": by_var, "loss": float(gaussian_nll_loss(*one)),
            "d_mu": float(d_mu[0]), "d_var": float(d_var[0]),
            "best_var": max((mu - y) ** 2, 1e-6)}


def gaussian_nll(show=True):
    """09: one target y = 0, a predicted mean μ and a predicted variance σ².

    Left: GaussianNLLLoss against μ at the chosen σ² (solid) and at σ² = 1 (dashed, MSE / 2):
    a large σ² flattens the parabola, so a large error costs less. Right:
    the loss against σ² (log axis) at the chosen μ, with its minimum at σ² = (μ - y)²
    (dotted): the best variance is the squared error. The titles give the loss and both
    gradients at the current point.

    Returns
    -------
    Explorer
    """
    mus = np.linspace(-4.0, 4.0, 401)
    variances = np.logspace(-2, 2, 401)

    def draw(axes, mu, var):
        ax_m, ax_v = axes
        c = _gaussian_nll_curves(mus, variances, mu, var)
        ref = _gaussian_nll_curves(mus, variances, mu, 1.0)["by_mu"]
        ax_m.plot(mus, ref, color="0.6", linestyle="--", label="σ² = 1 (MSE / 2)")
        ax_m.plot(mus, c["by_mu"], color="C0", label=f"σ² = {var:.3g}")
        ax_m.plot(mu, c["loss"], "o", color="C0")
        low = min(c["by_mu"].min(), ref.min())
        ax_m.set(xlabel="predicted mean μ (target y = 0)", ylabel="Gaussian NLL",
                 ylim=(low - 0.5, low + 9.0),
                 title=f"loss {c['loss']:.3f}, ∂/∂μ = (μ - y)/σ² = {c['d_mu']:.3g}")
        ax_m.legend(loc="best")
        ax_v.plot(variances, c["by_var"], color="C1")
        ax_v.plot(var, c["loss"], "o", color="C1")
        if variances[0] <= c["best_var"] <= variances[-1]:
            ax_v.axvline(c["best_var"], color="C1", linestyle=":", linewidth=1)
        floor = c["by_var"].min()
        ax_v.set(xscale="log", xlabel="predicted variance σ²", ylabel="Gaussian NLL",
                 ylim=(floor - 0.5, floor + 6.0),
                 title=f"best σ² = (μ - y)² = {(mu ** 2):.3g}, ∂/∂σ² = {c['d_var']:.3g}")

    return explore(draw, {
        "mu": _slider(2.0, -4.0, 4.0, 0.1, "mean μ"),
        "var": _log_slider(0.5, -2, 2, 0.05, "variance σ²"),
    }, show=show)



# --------------------------------------------------------------------------- 10: margin


def _hinge_and_ce(z, y, margin, p):
    """MultiMarginLoss (p, margin) and CrossEntropyLoss of one row of scores z, true class y.

    Parameters
    ----------
    z : ndarray (C,)
        Scores.
    y : int
        True class.
    margin : float
    p : {1, 2}

    Returns
    -------
    dict of name -> (loss, grad): "hinge" and "cross-entropy", each a float and the
    gradient with respect to z, ndarray (C,).
    """
    row, target = np.asarray(z, dtype=float).reshape(1, -1), np.array([y])
    return {
        "hinge": (float(multi_margin_loss(row, target, p=p, margin=margin)),
                  multi_margin_loss_grad(row, target, p=p, margin=margin)[0]),
        "cross-entropy": (float(cross_entropy(row, target)),
                          cross_entropy_grad(row, target)[0]),
    }


def multiclass_hinge(show=True):
    """10: the multiclass hinge (MultiMarginLoss) against softmax cross-entropy.

    Three scores, the true class, the margin and p (1: hinge, 2: squared hinge). Left: both
    losses as the true class's score sweeps the horizontal axis (the others fixed), the
    current score marked and the point where the margin is met dotted; right: the gradient
    with respect to each score, hinge and cross-entropy side by side. Once the true score
    beats every other by the margin, the hinge's loss and gradient are exactly 0;
    cross-entropy's never are.

    Returns
    -------
    Explorer
    """
    sweep = np.linspace(-8.0, 10.0, 361)

    def draw(axes, z1, z2, z3, y, margin, p):
        ax_l, ax_g = axes
        z = np.array([z1, z2, z3])
        rows = np.repeat(z[None, :], sweep.size, axis=0)
        rows[:, y] = sweep
        target = np.full(sweep.size, y)
        hinge = multi_margin_loss(rows, target, p=p, margin=margin, reduction="none")
        ce = cross_entropy(rows, target, reduction="none")
        now = _hinge_and_ce(z, y, margin, p)
        met = np.max(np.delete(z, y)) + margin  # the true score from which the hinge is 0
        ax_l.plot(sweep, hinge, color="C0", label=f"hinge, p = {p}")
        ax_l.plot(sweep, ce, color="C1", label="cross-entropy")
        ax_l.plot(z[y], now["hinge"][0], "o", color="C0")
        ax_l.plot(z[y], now["cross-entropy"][0], "o", color="C1")
        ax_l.axvline(met, color="0.3", linestyle=":", linewidth=1)
        ax_l.set(xlabel=f"score of the true class z[{y}]", ylabel="loss", ylim=(-0.2, 8.0),
                 title=f"hinge {now['hinge'][0]:.3f}, cross-entropy "
                       f"{now['cross-entropy'][0]:.3f}")
        ax_l.legend(loc="upper right")
        width = 0.38
        for shift, name, colour in ((-width / 2, "hinge", "C0"),
                                    (width / 2, "cross-entropy", "C1")):
            ax_g.bar(_CLASSES + shift, now[name][1], width=width, color=colour, label=name)
        ax_g.axhline(0, color="0.5", linewidth=0.8)
        zero = not now["hinge"][1].any()
        lim = max(1.05, 1.05 * np.abs(now["hinge"][1]).max())
        ax_g.set(xticks=_CLASSES, xlabel="class", ylabel="d loss / d z", ylim=(-lim, lim),
                 title="hinge gradient exactly 0: margin met" if zero
                 else "hinge gradient: margin not met")
        ax_g.legend(loc="lower right")

    return explore(draw, {
        "z1": _slider(3.0, -6.0, 6.0, 0.1, "z[0]"),
        "z2": _slider(1.0, -6.0, 6.0, 0.1, "z[1]"),
        "z3": _slider(2.5, -6.0, 6.0, 0.1, "z[2]"),
        "y": _classes(),
        "margin": _slider(1.0, 0.0, 3.0, 0.1, "margin"),
        "p": _toggle([1, 2], 1, "p"),
    }, show=show)


# --------------------------------------------------------------------------- 11: triplet


def _triplet_geometry(d_ap, d_an, angle, margin, swap, sweep):
    """One triplet in the plane and TripletMarginLoss (p = 2, eps = 1e-6) with its gradients.

    The anchor sits at the origin, the positive at (d_ap, 0), the negative at distance d_an
    from the anchor, ``angle`` degrees from the positive's direction.

    Parameters
    ----------
    d_ap, d_an : float
        Anchor–positive and anchor–negative distances (before torch's eps).
    angle : float
        Degrees between the directions of the positive and of the negative.
    margin : float > 0
    swap : bool
        torch's distance swap: the negative's distance is min(d(a, n), d(p, n)).
    sweep : ndarray (K,)
        Anchor–negative distances for the curve (same angle).

    Returns
    -------
    dict with "points" (3, 2): anchor, positive, negative; "loss" (float); "grads" (3, 2):
    the gradients with respect to the anchor, the positive and the negative
    (``triplet_margin_loss_grad``); "curve" (K,): the loss over ``sweep``; "kind": "easy"
    (loss 0), "semi-hard" (loss > 0, the negative further than the positive) or "hard".
    """
    from .embedding import triplet_margin_loss, triplet_margin_loss_grad

    theta = np.deg2rad(angle)
    direction = np.array([np.cos(theta), np.sin(theta)])
    points = np.array([[0.0, 0.0], [d_ap, 0.0], d_an * direction])
    one = [points[k][None, :] for k in range(3)]
    loss = float(triplet_margin_loss(*one, margin=margin, swap=swap))
    grads = np.concatenate(triplet_margin_loss_grad(*one, margin=margin, swap=swap))
    sweep = np.asarray(sweep, dtype=float)
    many = (np.zeros((sweep.size, 2)), np.tile(points[1], (sweep.size, 1)),
            sweep[:, None] * direction)
    curve = triplet_margin_loss(*many, margin=margin, swap=swap, reduction="none")
    d_neg = min(d_an, float(np.hypot(*(points[2] - points[1])))) if swap else d_an
    kind = "easy" if loss == 0 else ("semi-hard" if d_neg > d_ap else "hard")
    return {"points": points, "loss": loss, "grads": grads, "curve": curve, "kind": kind}


def triplet_geometry(show=True):
    """11: one triplet in the plane, TripletMarginLoss and where its gradient moves each point.

    Left: the anchor (at the origin), the positive and the negative, with the circles of
    radius d_ap (dotted) and d_ap + margin (dashed) around the anchor, and an arrow on each
    point along minus its gradient (the step gradient descent takes): a negative outside the
    dashed circle makes the triplet easy, and every arrow vanishes (on the circle, torch's
    eps can leave a loss of a few 1e-7 and full arrows: 3.66e-07 at the defaults). Right:
    the loss against the anchor–negative distance (the negative moved along its direction),
    the current triplet marked; the title says easy, semi-hard or hard, with the loss to 3
    significant digits. The vertical lines at d_ap and d_ap + margin mark the kinks without
    swap only; with swap the negative's distance is min(d(a, n), d(p, n)) and they are not
    drawn. d_an starts at 0.05: at 0 the negative sits on the anchor and its direction is
    eps's.

    Returns
    -------
    Explorer
    """
    sweep = np.linspace(0.0, 4.0, 401)
    names = ("anchor", "positive", "negative")
    colours = ("0.2", "C2", "C3")
    circle = np.linspace(0.0, 2 * np.pi, 200)

    def draw(axes, d_an, d_ap, angle, margin, swap):
        ax_g, ax_l = axes
        t = _triplet_geometry(d_ap, d_an, angle, margin, swap, sweep)
        for radius, style in ((d_ap, ":"), (d_ap + margin, "--")):
            ax_g.plot(radius * np.cos(circle), radius * np.sin(circle), color="0.6",
                      linestyle=style, linewidth=1)
        for (x, y), (gx, gy), name, colour in zip(t["points"], t["grads"], names, colours,
                                                  strict=True):
            ax_g.plot(x, y, "o", color=colour, label=name)
            if gx or gy:
                ax_g.annotate("", xy=(x - gx, y - gy), xytext=(x, y),
                              arrowprops={"arrowstyle": "->", "color": colour, "lw": 2})
        lim = 5.2
        ax_g.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="e[0]",
                 ylabel="e[1]", title="arrows: minus the gradient")
        ax_g.legend(loc="lower left", fontsize=8)
        ax_l.plot(sweep, t["curve"], color="C0")
        ax_l.plot(d_an, t["loss"], "o", color="C3")
        if not swap:  # with swap the kinks move: min(d(a, n), d(p, n))
            ax_l.axvline(d_ap, color="0.6", linestyle=":", linewidth=1)
            ax_l.axvline(d_ap + margin, color="0.6", linestyle="--", linewidth=1)
        ax_l.set(xlabel="anchor–negative distance d_an", ylabel="triplet loss",
                 ylim=(-0.2, max(5.5, 1.05 * t["curve"].max())),
                 title=f"{t['kind']}: loss {t['loss']:.3g}")

    return explore(draw, {
        "d_an": _slider(1.5, 0.05, 4.0, 0.05, "anchor–negative d_an"),
        "d_ap": _slider(1.0, 0.1, 3.0, 0.05, "anchor–positive d_ap"),
        "angle": _slider(60.0, 0.0, 180.0, 5.0, "angle (degrees)"),
        "margin": _slider(1.0, 0.1, 2.0, 0.05, "margin"),
        "swap": _toggle([False, True], False, "swap"),
    }, show=show)


# --------------------------------------------------------------------------- 12: CTC

#: the explorer's targets over the symbols -, a, b (blank 0, a = 1, b = 2)
_CTC_TARGETS = {"ab": [1, 2], "ba": [2, 1], "aa": [1, 1], "a": [1]}
_CTC_FRAMES = 8


def _ctc_tiny(centre_a, centre_b, blank_logit, target, frames=_CTC_FRAMES, height=4.0):
    """A tiny CTC case: per-frame probabilities set by two bumps, the loss and the posterior.

    Frame t (t = 0 … frames - 1) has logits ``blank_logit`` for the blank and
    ``height * exp(-(t - centre)² / 2)`` for a and for b, each around its centre; the
    probabilities are their softmax.

    Parameters
    ----------
    centre_a, centre_b : float
        The frames around which a and b are likely.
    blank_logit : float
        The blank's logit at every frame.
    target : list of int
        Labels over {1: a, 2: b}, e.g. ``[1, 2]`` for "ab".
    frames : int, default 8
    height : float, default 4.0
        The bumps' peak logit.

    Returns
    -------
    probs : ndarray (frames, 3), the per-frame probabilities of -, a, b
    loss : float, the CTC loss -log p(target) (``ctc_loss``, reduction 'sum')
    gamma : ndarray (frames, 3), the posterior that frame t emits symbol k given the target:
        exp(log_probs) - ``ctc_loss_grad`` (whose convention is torch's, exp(x) - gamma)
    """
    from .sequence import ctc_loss, ctc_loss_grad  # here: this section was appended

    t = np.arange(frames, dtype=float)
    logits = np.stack([np.full(frames, float(blank_logit)),
                       height * np.exp(-0.5 * (t - centre_a) ** 2),
                       height * np.exp(-0.5 * (t - centre_b) ** 2)], axis=1)
    lp = log_softmax(logits, axis=1)
    labels = np.asarray(target, dtype=np.int64)
    args = (lp, labels, np.array(frames), np.array(labels.size))
    loss = float(ctc_loss(*args, reduction="sum"))
    gamma = np.exp(lp) - ctc_loss_grad(*args, reduction="sum")
    return np.exp(lp), loss, gamma


def ctc_alignment(show=True):
    """12: per-frame probabilities of a tiny case, the CTC loss and the alignment posterior.

    Eight frames over the symbols -, a, b. The probability of a is a bump around one frame,
    that of b a bump around another, and the blank has one logit at every frame (left
    panel, against time). Right: the posterior γ_t(k), the share of the target's
    alignments (weighted by probability) that emit symbol k at frame t, as an image, with
    the CTC loss in the title. Put b before a and the loss of "ab" jumps while the posterior
    blurs (no alignment fits the outputs); pick "aa" and b's row empties, the first a sits on
    the bump and the second, with no bump of its own, is spread thin after a blank; raise the
    blank and it fills the frames between the bumps.

    Returns
    -------
    Explorer
    """
    frames = np.arange(_CTC_FRAMES)
    names = ["-", "a", "b"]

    def draw(axes, centre_a, centre_b, blank, target):
        ax_p, ax_g = axes
        probs, loss, gamma = _ctc_tiny(centre_a, centre_b, blank, _CTC_TARGETS[target])
        for k, (name, colour) in enumerate(zip(names, ("0.5", "C0", "C1"), strict=True)):
            ax_p.plot(frames, probs[:, k], "o-", color=colour, label=name)
        ax_p.set(xlabel="frame t", ylabel="per-frame probability y_t(k)", ylim=(-0.03, 1.03),
                 xticks=frames)
        ax_p.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
        ax_g.imshow(gamma.T, aspect="auto", cmap="Blues", vmin=0, vmax=1)
        ax_g.set(xlabel="frame t", xticks=frames, yticks=range(3), yticklabels=names,
                 title=f"posterior γ_t(k) for '{target}': loss {loss:.3f}")
        ax_g.grid(False)

    return explore(draw, {
        "centre_a": _slider(2.0, 0.0, 7.0, 0.5, "a around frame"),
        "centre_b": _slider(5.0, 0.0, 7.0, 0.5, "b around frame"),
        "blank": _slider(1.0, -2.0, 6.0, 0.25, "blank logit"),
        "target": _toggle(list(_CTC_TARGETS), "ab", "target"),
    }, show=show)


# --------------------------------------------------------------------------- 13: chunks

#: the explorer's problem: rows, state size, the vocabularies offered, the chunk sizes drawn
_CHUNK_N, _CHUNK_H = 256, 16
_CHUNK_VOCABS = (1_000, 4_000, 16_000)
_CHUNK_SIZES = (1, 4, 16, 64, 256)  # rows
_CHUNK_CACHE = {}


def _chunked_peak(v, chunk_size, n=_CHUNK_N, h=_CHUNK_H):
    """Peak NumPy memory of ``linear_cross_entropy_grad`` on a seeded float32 problem.

    Parameters
    ----------
    v : int
        Vocabulary size V.
    chunk_size : int
        Rows of logits per chunk.
    n, h : int
        Rows N and state size H.

    Returns
    -------
    dict with "peak" (int): the largest number of bytes NumPy held at once during the
    gradient call (the three gradients; the loss is computed outside the traced call),
    beyond what existed before (``tracemalloc``: the arrays' sizes are the same on every
    machine, the last few KB of Python objects vary from run to run); "full" (int): the
    bytes of the full float32 logits, N × V × 4; "passes" (int): the chunks,
    ⌈N / chunk_size⌉, each of which reads all of W; "loss" (float): the helper's 'mean'
    loss (the same for every chunk size). Cached by (v, chunk_size, n, h).
    """
    import gc
    import tracemalloc

    from .scale import linear_cross_entropy, linear_cross_entropy_grad

    key = (v, chunk_size, n, h)
    if key not in _CHUNK_CACHE:
        rng = np.random.default_rng(13)
        x = rng.normal(size=(n, h)).astype(np.float32)
        weight = (rng.normal(size=(v, h)) / np.sqrt(h)).astype(np.float32)
        target = rng.integers(0, v, size=n)
        # once untraced first: a first call in a fresh process also allocates one-off state
        # (tens of KB), which would make the first chunk size drawn look costlier than it is
        linear_cross_entropy_grad(x, weight, target, chunk_size=chunk_size)
        was_tracing, was_collecting = tracemalloc.is_tracing(), gc.isenabled()
        gc.disable()  # no collection in the middle of the measurement (and no costly collect)
        if not was_tracing:
            tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            linear_cross_entropy_grad(x, weight, target, chunk_size=chunk_size)
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            if not was_tracing:
                tracemalloc.stop()
            if was_collecting:
                gc.enable()
        _CHUNK_CACHE[key] = {
            "peak": int(peak), "full": n * v * 4, "passes": -(-n // chunk_size),
            "loss": float(linear_cross_entropy(x, weight, target, chunk_size=chunk_size))}
    return _CHUNK_CACHE[key]


def chunked_cross_entropy(show=True):
    """13: the peak memory of the chunked linear cross-entropy against the chunk size.

    N = 256 float32 states of size H = 16 and a vocabulary of V words. Left: the peak NumPy
    memory of ``linear_cross_entropy_grad`` (the three gradients), measured with
    tracemalloc, for chunks of 1 to 256 rows, against the full logits (dashed) and the
    logits with their gradient (dotted); the chosen chunk is marked. Right: the passes over
    the weight W, one per chunk. The title gives the peak as a multiple of the full logits,
    to 0.1: at the default (V = 1,000, 16 rows) at least 20 KB from a rounding edge. The
    smallest chunks at V = 1,000 hold tiny arrays, so there the first call's set-up (up to
    60 KB) is a visible part of the peak.

    Returns
    -------
    Explorer
    """
    sizes = np.array(_CHUNK_SIZES)

    def draw(axes, chunk, v):
        ax_m, ax_p = axes
        rows = [_chunked_peak(v, int(c)) for c in sizes]
        now = _chunked_peak(v, chunk)
        mib = 2.0 ** 20
        ax_m.plot(sizes, [r["peak"] / mib for r in rows], color="C0", marker=".",
                  label="peak, gradients")
        ax_m.axhline(now["full"] / mib, color="0.4", linestyle="--", linewidth=1,
                     label="full logits")
        ax_m.axhline(2 * now["full"] / mib, color="0.4", linestyle=":", linewidth=1,
                     label="logits + gradient")
        ax_m.plot(chunk, now["peak"] / mib, "o", color="C3")
        ax_m.set(xscale="log", xlabel="chunk size (rows)", ylabel="peak memory (MiB)",
                 ylim=(0, 2.6 * now["full"] / mib),
                 title=f"V = {v:,}: peak {now['peak'] / now['full']:.1f} × the full logits")
        ax_m.legend(loc="upper left")
        ax_p.plot(sizes, [r["passes"] for r in rows], color="C1", marker=".")
        ax_p.plot(chunk, now["passes"], "o", color="C3")
        ax_p.set(xscale="log", yscale="log", xlabel="chunk size (rows)",
                 ylabel="passes over W", title=f"{now['passes']} passes over W")

    return explore(draw, {
        "chunk": w.SelectionSlider(options=list(_CHUNK_SIZES), value=16,
                                   description="chunk size (rows)", style=_STYLE,
                                   layout=w.Layout(**_SLIDER_LAYOUT)),
        "v": _toggle(_CHUNK_VOCABS, 1_000, "vocabulary V"),
    }, show=show)
