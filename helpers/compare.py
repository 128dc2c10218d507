"""The course's checks: a from-scratch result beside PyTorch's as a checklist row, and an
exercise's verdict."""

from __future__ import annotations

import numpy as np

__all__ = ["compare", "tolerances", "verdict"]

# torch.testing.assert_close's defaults, by the less precise of the two dtypes
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def _as_numpy(x):
    """A NumPy array from an ndarray, a number, or a torch tensor (detached; no torch import)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def tolerances(a, b):
    """The (rtol, atol) that ``torch.testing.assert_close`` would use for ``a`` against ``b``.

    Parameters
    ----------
    a, b : array_like or torch.Tensor

    Returns
    -------
    (float, float): rtol and atol for the less precise floating dtype of the two
    (float64's when neither is floating).
    """
    dts = [d for d in (_as_numpy(a).dtype, _as_numpy(b).dtype) if d in _TOLERANCES]
    worst = min(dts, key=lambda d: d.itemsize) if dts else np.dtype(np.float64)
    return _TOLERANCES[worst]


def compare(name, mine, reference, rtol=None, atol=None):
    r"""Print one checklist row: does ``mine`` match ``reference`` within tolerance?

    The test is :math:`|a - b| \le \text{atol} + \text{rtol}\,|b|` elementwise (NaN equal
    to NaN), after checking that the shapes agree: the rule of ``numpy.allclose`` and
    ``torch.testing.assert_close``. The row names the quantity, gives the verdict and the
    tolerance; it prints no raw differences, which vary from machine to machine.

    Parameters
    ----------
    name : str
        What is compared, e.g. ``"cross_entropy, value"``.
    mine : array_like or torch.Tensor
        The from-scratch result (a helper's output).
    reference : array_like or torch.Tensor
        PyTorch's result, or a value computed by hand.
    rtol, atol : float, optional
        Tolerances; by default those of ``torch.testing.assert_close`` for the dtypes
        (float32: 1.3e-6 and 1e-5; float64: 1e-7 and 1e-7).

    Returns
    -------
    None. The row is the result: nbval compares it with the stored one, so a row that turns
    from ✓ to ✗ fails the notebook's check.

    Examples
    --------
    >>> compare("mse", 5.0, 5.0)
    mse                                      ✓ allclose   rtol=1e-07  atol=1e-07
    """
    a, b = _as_numpy(mine), _as_numpy(reference)
    d_rtol, d_atol = tolerances(a, b)
    rtol = d_rtol if rtol is None else rtol
    atol = d_atol if atol is None else atol
    if a.shape != b.shape:
        verdict = f"✗ shapes differ: {a.shape} vs {b.shape}"
    elif np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        verdict = "✓ allclose"
    else:
        verdict = "✗ NOT close"
    print(f"{name:<40} {verdict:<12} rtol={rtol:.0e}  atol={atol:.0e}")


def verdict(ok, hint):
    """Print an exercise's verdict: ``✓ right``, or ``✗ not yet`` with a hint.

    The notebooks' ``check_...`` functions decide whether a learner's answer is right and
    call this to say so. The hint points to the section or the idea to revisit; it must
    never contain the answer itself.

    Parameters
    ----------
    ok : bool
        Whether the answer is right.
    hint : str
        What to look at again, printed only when ``ok`` is false.

    Returns
    -------
    None. The printed line is the result (nbval compares it with the stored one).

    Examples
    --------
    >>> verdict(False, "MSELoss has no 1/2 in front.")
    ✗ not yet. Hint: MSELoss has no 1/2 in front.
    """
    print("✓ right" if ok else f"✗ not yet. Hint: {hint}")
