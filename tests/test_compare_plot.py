"""The compare helper and the plot helper; and the rules of the helpers package."""

import importlib
import inspect
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
import torch

import helpers

matplotlib.use("Agg")


def test_compare_prints_a_checklist_row(capsys):
    helpers.compare("mse, value", np.float64(5.0), torch.tensor(5.0, dtype=torch.float64))
    helpers.compare("softmax", np.float32([0.1, 0.9]), np.float32([0.1, 0.8]))
    helpers.compare("shape", np.zeros((2, 1)), np.zeros(2))
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("mse, value") and "✓ allclose" in rows[0]
    assert "rtol=1e-07  atol=1e-07" in rows[0]
    assert "✗ NOT close" in rows[1] and "rtol=1e-06  atol=1e-05" in rows[1]
    assert "✗ shapes differ: (2, 1) vs (2,)" in rows[2]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_compare_uses_torch_testing_tolerances(dtype, capsys):
    """Just inside the default tolerance both agree; just outside both disagree."""
    rtol, atol = helpers.tolerances(torch.ones(1, dtype=dtype), torch.ones(1, dtype=dtype))
    ref = torch.tensor([1.0, 100.0], dtype=torch.float64)
    for factor, ok in ((0.5, True), (2.0, False)):
        mine = (ref + factor * (atol + rtol * ref)).to(dtype)
        helpers.compare("x", mine, ref.to(dtype))
        verdict = "✓" in capsys.readouterr().out
        assert verdict is ok
        try:
            torch.testing.assert_close(mine, ref.to(dtype))
            assert ok
        except AssertionError:
            assert not ok


def test_plot_is_saved_and_byte_identical(tmp_figures):
    x = np.linspace(-2, 2, 101)
    helpers.plot_loss_and_grad(x, {"MSE": x**2, "MAE": abs(x)}, {"MSE": 2 * x, "MAE": np.sign(x)},
                               name="test_pair", xlabel="residual")
    first = (tmp_figures / "test_pair.png").read_bytes()
    helpers.plot_loss_and_grad(x, {"MSE": x**2, "MAE": abs(x)}, {"MSE": 2 * x, "MAE": np.sign(x)},
                               name="test_pair", xlabel="residual")
    assert (tmp_figures / "test_pair.png").read_bytes() == first
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(first[16:20], "big"), int.from_bytes(first[20:24], "big")
    assert (width, height) == (800, 300)
    assert b"Matplotlib" not in first  # no version string in the metadata


def test_plot_single_curve_and_bad_name(tmp_figures):
    x = np.linspace(0.01, 1, 50)
    fig = helpers.plot_loss_and_grad(x, -np.log(x), -1 / x, name="single", xlabel="p")
    assert len(fig.axes) == 2 and fig.axes[0].get_legend() is None
    with pytest.raises(ValueError, match="figure name"):
        helpers.save_figure(fig, "../outside")


def test_helpers_never_import_torch():
    code = "import sys, helpers; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_every_public_function_is_documented():
    for name in helpers.__all__:
        obj = getattr(helpers, name)
        if callable(obj):
            doc = inspect.getdoc(obj) or ""
            assert "Returns" in doc or "Notes" in doc, f"{name} lacks a numpydoc docstring"


def test_every_loss_has_a_grad_twin_with_the_same_signature():
    losses = [n for n in helpers.__all__ if n.endswith(("_loss", "entropy", "_logits", "kl_div"))]
    assert sorted(losses) == sorted(n for f, names in FAMILIES.items() if f != "kernels"
                                    for n in names)
    for name in losses:
        twin = getattr(helpers, name + "_grad")
        assert inspect.signature(twin) == inspect.signature(getattr(helpers, name))


def test_every_loss_of_torch_has_a_twin():
    """The helpers' losses are exactly torch.nn.functional's, found there by name, so a
    loss that a new torch adds fails here until it has a twin."""
    import torch.nn.functional as F
    torch_losses = [n for n in dir(F) if not n.startswith("_")
                    and (n.endswith("_loss") or "entropy" in n or n == "kl_div")]
    assert sorted(torch_losses) == sorted(n for f, names in FAMILIES.items() if f != "kernels"
                                          for n in names)


def test_verdict_says_right_or_gives_the_hint(capsys):
    helpers.verdict(True, "never shown")
    helpers.verdict(False, "MSELoss has no 1/2 in front.")
    rows = capsys.readouterr().out.splitlines()
    assert rows == ["✓ right", "✗ not yet. Hint: MSELoss has no 1/2 in front."]


def test_plot_without_a_name_saves_nothing(tmp_figures):
    x = np.linspace(-1, 1, 11)
    fig = helpers.plot_loss_and_grad(x, x**2, 2 * x, name=None, xlabel="d")
    assert len(fig.axes) == 2 and not list(tmp_figures.iterdir())


FAMILIES = {"kernels": ["logsumexp", "softmax", "log_softmax", "sigmoid", "logsigmoid",
                        "softplus"],
            "regression": ["l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss",
                           "gaussian_nll_loss", "poisson_nll_loss"],
            "classification": ["nll_loss", "cross_entropy", "binary_cross_entropy",
                               "binary_cross_entropy_with_logits"],
            "divergence": ["kl_div"],
            "margin": ["multi_margin_loss", "multilabel_margin_loss", "soft_margin_loss",
                       "multilabel_soft_margin_loss", "hinge_embedding_loss"],
            "embedding": ["margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss",
                          "triplet_margin_with_distance_loss"],
            "sequence": ["ctc_loss"],
            "scale": ["linear_cross_entropy"]}


@pytest.mark.parametrize("family", FAMILIES)
def test_the_layout_shows_the_families(family):
    """One module per family of the course map, each readable in one sitting; the package
    re-exports every function, so notebooks only ever write helpers.<name>."""
    module = importlib.import_module(f"helpers.{family}")
    for name in FAMILIES[family]:
        for fn in (name, name + "_grad") if family != "kernels" else (name,):
            assert getattr(helpers, fn) is getattr(module, fn), f"{fn} not from {family}"
            assert fn in module.__all__ and fn in helpers.__all__
    assert len(inspect.getsource(module).splitlines()) < 600, f"{family} is too long to read"
