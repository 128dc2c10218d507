"""The course's one plot helper: a loss and its gradient side by side, in one style."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COURSE_STYLE", "FIGURES", "figures_dir", "use_course_style", "save_figure",
           "plot_loss_and_grad"]

#: The committed figures, shown in the README: ``figures/`` at the top of the course.
FIGURES = Path(__file__).resolve().parent.parent / "figures"

#: Environment variable that sends the figures elsewhere (``make test`` points it at a
#: temporary directory, so a test run never rewrites the committed figures).
FIGURES_ENV = "COURSE_FIGURES"


def figures_dir():
    """The directory figures are written to: ``$COURSE_FIGURES`` if set, else ``figures/``.

    Returns
    -------
    pathlib.Path

    Notes
    -----
    Authors executing a notebook (``make execute``, JupyterLab) leave the variable unset and
    rewrite the committed figures; ``make test`` sets it to a temporary directory and then
    compares what was written there with the committed figures by what they show
    (``tests/figures_match.py``).
    """
    return Path(os.environ.get(FIGURES_ENV) or FIGURES)

#: One style for every figure of the course (small, grid, no top/right frame).
COURSE_STYLE = {
    "figure.figsize": (8.0, 3.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}


def use_course_style():
    """Apply :data:`COURSE_STYLE` to matplotlib's settings (call it once, in the setup cell).

    Notes
    -----
    :func:`plot_loss_and_grad` calls it too; other figures of a notebook (training curves,
    comparisons) get the same look when it has been called first.
    """
    mpl.rcParams.update(COURSE_STYLE)


def save_figure(fig, name):
    """Save ``fig`` as ``<name>.png`` in :func:`figures_dir`, byte-identical when run again.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        File name without extension, starting with the notebook's number, e.g.
        ``"01_mse"``. Only letters, digits, ``_`` and ``-``.

    Notes
    -----
    Fixed dpi and no "Software" metadata (which names the matplotlib version), so the file
    depends only on what is drawn, on one machine. Another CPU's kernels can move a curve
    by a fraction of a pixel, so the test suite compares figures by what they show, not by
    their bytes.
    """
    if not name or not all(ch.isalnum() or ch in "_-" for ch in name):
        raise ValueError(f"figure name must be letters, digits, '_' or '-', got {name!r}")
    out = figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{name}.png", dpi=COURSE_STYLE["savefig.dpi"],
                metadata={"Software": None})


def _curves(y, default_label):
    """Normalise one array or a {label: array} dict to a list of (label, array)."""
    if isinstance(y, dict):
        return list(y.items())
    return [(default_label, y)]


def plot_loss_and_grad(x, loss, grad, *, name, xlabel, title=None, loss_ylabel="loss",
                       grad_ylabel=None, loss_ylim=None, grad_ylim=None):
    r"""Draw a loss (left) and its gradient (right) against one variable, and save the figure.

    Parameters
    ----------
    x : array_like, shape (K,)
        The variable on the horizontal axis (a residual, a probability, a logit, ...).
    loss, grad : array_like of shape (K,), or dict of label -> array of shape (K,)
        One curve each, or several with a legend (e.g. ``{"MAE": ..., "MSE": ...}``); the
        same labels on both sides, in the same order, get the same colours.
    name : str or None
        Saved as ``figures/<name>.png`` (see :func:`save_figure`). ``None`` saves nothing:
        draw more on the returned figure (a marker, a line), then call :func:`save_figure`.
    xlabel : str
        Label of the horizontal axis, e.g. ``r"residual $\hat y - y$"``.
    title : str, optional
        Title over both panels.
    loss_ylabel, grad_ylabel : str, optional
        Vertical labels; they default to ``"loss"`` and ``"gradient"``.
    loss_ylim, grad_ylim : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure (end the cell with ``plt.show()``).
    """
    use_course_style()
    x = np.asarray(x)
    losses, grads = _curves(loss, "loss"), _curves(grad, "gradient")
    fig, (ax_l, ax_g) = plt.subplots(1, 2)
    for ax, curves in ((ax_l, losses), (ax_g, grads)):
        for label, y in curves:
            ax.plot(x, np.asarray(y), label=label)
        ax.set_xlabel(xlabel)
        ax.axhline(0, color="0.5", linewidth=0.8)
        if len(curves) > 1:
            ax.legend()
    ax_l.set_ylabel(loss_ylabel)
    ax_g.set_ylabel(grad_ylabel or "gradient")
    ax_l.set_title("loss")
    ax_g.set_title("gradient")
    if loss_ylim is not None:
        ax_l.set_ylim(*loss_ylim)
    if grad_ylim is not None:
        ax_g.set_ylim(*grad_ylim)
    if title:
        fig.suptitle(title)
    if name is not None:
        save_figure(fig, name)
    return fig
