"""The argument checks and reductions that every loss shares (private).

Bad input is a ``ValueError`` that names the problem, never a silent wrong answer; inputs
are never modified.
"""

from __future__ import annotations

import numpy as np

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


def _same_shape(*arrays, names=("input", "target")):
    """Raise unless the arrays (an input and its target, or those named) share one shape."""
    shapes = [a.shape for a in arrays]
    if all(s == shapes[0] for s in shapes):
        return
    if tuple(names) == ("input", "target"):
        raise ValueError(
            f"target shape {shapes[1]} differs from input shape {shapes[0]}; "
            "torch would broadcast them (or fail), which is almost never what is meant"
        )
    listed = ", ".join(f"{n} {s}" for n, s in zip(names, shapes, strict=True))
    raise ValueError(f"shapes differ: {listed}; they must be the same "
                     "(torch would broadcast them, or fail)")


def _sign_labels(target, kinds="fiub", like=None):
    """Labels compared with ±1 (floats or integers; booleans where ``kinds`` has "b"), of
    the shape of ``like`` when it is given; returned as an array, not converted."""
    target = np.asarray(target)
    if target.dtype.kind not in kinds:
        raise ValueError(f"target must hold numbers (±1 labels, floats or integers), got "
                         f"dtype {target.dtype}")
    if like is not None:
        _same_shape(like, target)
    return target


def _hinge(z, keep_nan=True):
    """``max(z, 0)`` as torch computes it; the derivative is ``[z >= 0]`` or ``[z > 0]``, as
    each loss's backward picks.

    ``keep_nan=True``: torch's ``clamp_min(z, 0)`` (the embedding losses): ``z`` unless
    ``z < 0``, so a NaN passes through. ``keep_nan=False``: torch's margin kernels,
    ``z > 0 ? z : 0``, which turn a NaN into 0.
    """
    keep = ~(z < 0) if keep_nan else z > 0
    return np.where(keep, z, 0).astype(z.dtype, copy=False)


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
