"""Shared tools of the tests: run a helper and torch on the same input, compare everything."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, settings

import helpers

settings.register_profile(
    "course", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("course")


def frozen(*arrays):
    """Read-only copies: a helper that writes into its inputs fails loudly."""
    out = []
    for a in arrays:
        a = np.array(a)
        a.flags.writeable = False
        out.append(a)
    return out


def _to_torch(v):
    return torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v


def check_against_torch(name, input, target, **kwargs):
    """``helpers.<name>`` and ``helpers.<name>_grad`` against ``F.<name>`` and autograd.

    The value must match torch's; the gradient must match autograd's gradient of the loss
    (of its sum for reduction='none'); shapes and dtypes must be torch's; the inputs must
    come out unchanged.
    """
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    input, target, *rest = frozen(input, target, *arrays.values())
    kwargs = {**kwargs, **dict(zip(arrays, rest, strict=True))}
    before = [a.copy() for a in (input, target, *rest)]

    value = getattr(helpers, name)(input, target, **kwargs)
    grad = getattr(helpers, name + "_grad")(input, target, **kwargs)

    x = torch.from_numpy(input.copy()).requires_grad_(True)
    ref = getattr(F, name)(x, _to_torch(target), **{k: _to_torch(v) for k, v in kwargs.items()})
    ref.sum().backward()

    value = np.asarray(value)
    assert value.shape == tuple(ref.shape)
    assert value.dtype == np.dtype(str(ref.dtype).removeprefix("torch."))
    torch.testing.assert_close(torch.from_numpy(value), ref.detach(), equal_nan=True)
    assert grad.shape == input.shape and grad.dtype == input.dtype
    torch.testing.assert_close(torch.from_numpy(grad), x.grad, equal_nan=True)
    for a, b in zip((input, target, *rest), before, strict=True):
        np.testing.assert_array_equal(a, b)



class _HelperLoss(torch.autograd.Function):
    """A torch op whose forward is a helper loss and whose backward is its _grad twin:
    apply(name, args, kwargs, *outputs), where ``args`` are the helper's positional
    arguments with None in the places of the model outputs, which ``outputs`` fill in order
    (the _grad twin returns one gradient per output, a tuple where there are several)."""

    @staticmethod
    def forward(ctx, name, args, kwargs, *outputs):
        arrays = iter([o.detach().numpy() for o in outputs])
        ctx.call = (name, [next(arrays) if a is None else a for a in args], kwargs)
        return torch.tensor(getattr(helpers, name)(*ctx.call[1], **kwargs))

    @staticmethod
    def backward(ctx, upstream):
        name, args, kwargs = ctx.call
        grads = getattr(helpers, name + "_grad")(*args, **kwargs)
        grads = grads if isinstance(grads, tuple) else (grads,)
        return (None, None, None, *(upstream * torch.from_numpy(g) for g in grads))


def gradcheck_helper(name, args, kwargs, **options):
    """``torch.autograd.gradcheck`` of ``helpers.<name>_grad`` against finite differences of
    ``helpers.<name>``: ``args`` are the helper's positional arguments, the model outputs
    among them as float64 tensors that require grad (those are perturbed); no torch loss is
    involved, so this checks the derivation, not agreement with torch."""
    outputs = tuple(a for a in args if isinstance(a, torch.Tensor))
    template = tuple(None if isinstance(a, torch.Tensor) else a for a in args)
    return torch.autograd.gradcheck(
        lambda *o: _HelperLoss.apply(name, template, kwargs, *o), outputs, **options)

@pytest.fixture
def tmp_figures(tmp_path, monkeypatch):
    """Point the plot helper at a temporary figures/ directory, as ``make test`` does."""
    monkeypatch.setenv(helpers.plot.FIGURES_ENV, str(tmp_path))
    return tmp_path
