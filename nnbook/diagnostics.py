r"""Measurements of a network while it runs: how large its signals are, layer by layer.

A deep network trains only if the signal reaches every layer in both directions: the
activations on the way up, the gradients on the way down. These functions measure
both, for a feed-forward network written as an `nnbook.nn.Sequential` of `Linear`
layers, each followed by an elementwise activation (the *hidden layers*; the last
`Linear` is the output layer):

* `deep_mlp` builds such a network of a chosen activation, width, depth and
  initialisation;
* `weight_grad_norms` reads the norm of every `Linear` layer's weight gradient after
  a backward pass, $\lVert \partial\mathcal L / \partial W^l \rVert$ for
  $l = 1, \dots, L$;
* `error_signal_norms` measures how much gradient reaches each layer's
  pre-activations, $\delta^l_n = \partial\mathcal L/\partial z^l_n$, example by
  example: what the backward pass carries down, before the examples' contributions
  to a weight gradient are added up (and partly cancel);
* `activation_stats` runs a batch forward and reports, for every hidden layer, the
  spread of its pre-activations $z^l$ and of its units $\phi^l = \rho(z^l)$, the
  typical size of the slope $\rho'(z^l)$, the fraction of saturated entries (where the slope $\rho'(z)$ is nearly 0) and the
  fraction of dead units (saturated for every example of the batch; for a ReLU, off
  for all of them, so that they pass back nothing).

The activation's slope is taken from the activation module itself, by automatic
differentiation, so any elementwise activation module works, one defined by the reader
included.

References
----------
X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
neural networks", AISTATS 2010: activation and gradient statistics per layer.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from nnbook import init as _init
from nnbook import nn
from nnbook.autodiff import Tensor, as_tensor, no_grad
from nnbook.checks import positive_int
from nnbook.rng import get_rng

__all__ = ["deep_mlp", "weight_grad_norms", "error_signal_norms", "LayerStats", "activation_stats"]

_ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
_INITS = ("default", "glorot", "he")


def deep_mlp(
    in_features: int,
    width: int,
    depth: int,
    out_features: int = 1,
    activation="relu",
    init: str = "default",
    gain: float = 1.0,
    rng=None,
) -> nn.Sequential:
    r"""A feed-forward network of ``depth`` `Linear` layers, an activation after each but the last.

    The layers map ``in_features`` → ``width`` → … → ``width`` → ``out_features``: $L$ =
    ``depth`` layers, $L - 1$ hidden layers of width $M$ = ``width``. Laid out as
    ``Sequential(Linear, act, Linear, act, …, Linear)``, so layer $l$'s weight is
    ``model[2 * (l - 1)].weight``.

    Parameters
    ----------
    in_features : int
        $D$, the number of inputs.
    width : int
        $M$, the units of every hidden layer.
    depth : int
        $L$, the number of `Linear` layers, the output layer included (1: no hidden layer).
    out_features : int
        $K$, the number of outputs.
    activation : {"sigmoid", "tanh", "relu"} or callable
        The activation of the hidden layers; or a function of no arguments (such as a
        `Module` class) that returns a new elementwise activation module.
    init : {"default", "glorot", "he"}
        How the weights start. ``"default"``: as `nnbook.nn.Linear` (and PyTorch)
        draws them, weights and biases uniform on $\pm 1/\sqrt{\text{fan\_in}}$, a
        weight variance of $1/(3\,\text{fan\_in})$. ``"glorot"``:
        `nnbook.init.xavier_uniform_`, variance $2/(\text{fan\_in} + \text{fan\_out})$.
        ``"he"``: `nnbook.init.kaiming_normal_` for a ReLU, variance
        $2/\text{fan\_in}$. With ``"glorot"`` and ``"he"`` the biases start at 0.
    gain : float
        A factor on every weight after it is drawn (its variance is multiplied by
        ``gain**2``): below 1 the signal shrinks faster, above 1 it grows.
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`).

    Returns
    -------
    nn.Sequential
        Input ``(N, in_features)``, output ``(N, out_features)``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.diagnostics import deep_mlp
    >>> model = deep_mlp(64, 32, depth=4, out_features=10, activation="tanh", init="glorot", rng=0)
    >>> model(np.zeros((5, 64))).shape
    (5, 10)
    >>> [m.weight.shape for m in model[::2]]        # W^1, ..., W^4, laid out (out, in)
    [(32, 64), (32, 32), (32, 32), (10, 32)]
    >>> type(model[1]).__name__, float(np.abs(model[0].bias.data).max())
    ('Tanh', 0.0)
    """
    caller = "deep_mlp"
    in_features = positive_int(in_features, "in_features", caller)
    width = positive_int(width, "width", caller)
    depth = positive_int(depth, "depth", caller)
    out_features = positive_int(out_features, "out_features", caller)
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"{caller}: unknown activation {activation!r}; use one of "
                f"{', '.join(map(repr, _ACTIVATIONS))} or a function returning a Module"
            )
        make_activation = _ACTIVATIONS[activation]
    elif callable(activation):
        make_activation = activation
    else:
        raise TypeError(
            f"{caller}: activation must be a name or a function returning a Module, "
            f"got {activation!r}"
        )
    if init not in _INITS:
        raise ValueError(f"{caller}: unknown init {init!r}; use one of {', '.join(map(repr, _INITS))}")
    if isinstance(gain, bool) or not isinstance(gain, numbers.Real) or not (0 < gain < math.inf):
        raise ValueError(f"{caller}: gain must be a positive finite number, got {gain!r}")
    generator = get_rng(rng)
    sizes = [in_features] + [width] * (depth - 1) + [out_features]
    layers = []
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        linear = nn.Linear(fan_in, fan_out, rng=generator)
        if init == "glorot":
            _init.xavier_uniform_(linear.weight, rng=generator)
            _init.zeros_(linear.bias)
        elif init == "he":
            _init.kaiming_normal_(linear.weight, nonlinearity="relu", rng=generator)
            _init.zeros_(linear.bias)
        linear.weight.data *= gain
        layers.append(linear)
        if l < depth:
            act = make_activation()
            if not isinstance(act, nn.Module):
                raise TypeError(
                    f"{caller}: activation() must return a Module, got {type(act).__name__}"
                )
            layers.append(act)
    return nn.Sequential(*layers)


def _linear_layers(model, caller: str) -> list:
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"{caller}: expected an nn.Sequential, got {type(model).__name__}")
    linears = [m for m in model if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(f"{caller}: the model has no Linear layer")
    return linears


def weight_grad_norms(model) -> list[float]:
    r"""$\lVert \partial\mathcal L / \partial W^l \rVert$ for every `Linear` layer, read from ``.grad``.

    The Frobenius norm (the square root of the sum of squares) of each weight
    gradient, layer 1 first, as the last backward pass left it. Biases are left out.

    Parameters
    ----------
    model : nn.Sequential
        A network whose loss has been backpropagated (``loss.backward()``).

    Returns
    -------
    list of float
        One norm per `Linear` layer, in order: $L$ numbers.

    Raises
    ------
    ValueError
        If a layer's weight has no gradient yet, or the model has no `Linear` layer.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F
    >>> from nnbook.diagnostics import deep_mlp, weight_grad_norms
    >>> model = deep_mlp(3, 8, depth=3, activation="tanh", rng=0)
    >>> X, y = np.ones((4, 3)), np.zeros((4, 1))
    >>> F.squared_loss(model(X), y).backward()
    >>> norms = weight_grad_norms(model)
    >>> len(norms), norms[-1] == float(np.linalg.norm(model[-1].weight.grad))
    (3, True)
    """
    norms = []
    for l, layer in enumerate(_linear_layers(model, "weight_grad_norms"), start=1):
        if layer.weight.grad is None:
            raise ValueError(
                f"weight_grad_norms: the weight of Linear layer {l} has no gradient; run "
                f"loss.backward() first (and do not freeze the weights)"
            )
        norms.append(float(np.linalg.norm(layer.weight.grad)))
    return norms


def error_signal_norms(model, x, y, loss_fn: Callable) -> list[float]:
    r"""The size of the error signal $\delta^l_n = \partial\mathcal L/\partial z^l_n$ at every `Linear` layer.

    For each layer $l = 1, \dots, L$, the root mean square over the batch of
    $\lVert\delta^l_n\rVert$, $\bigl(\frac1N \sum_n \lVert\delta^l_n\rVert^2\bigr)^{1/2}$:
    how much gradient reaches layer $l$'s pre-activations, example by example. This is
    what the backward pass carries down (it multiplies $\delta^l$ by $W^l$ and by
    $\rho'(z^{l-1})$ at every step), before the examples are added up: the weight
    gradient is $\partial\mathcal L/\partial W^l = \sum_n (\delta^l_n)^\top
    (\phi^{l-1}_n)^\top$, which also depends on the layer's input and on how much the
    examples' terms cancel.

    One forward and one backward pass; the parameters are not touched (their ``.grad``
    stays as it was).

    Parameters
    ----------
    model : nn.Sequential
        `Linear` layers and elementwise modules; nothing that mixes the examples.
    x : array_like, shape (N, in_features)
    y : array_like
        The targets, as ``loss_fn`` takes them.
    loss_fn : callable
        ``loss_fn(output, y)`` → a scalar Tensor, a sum (or a mean) of one term per
        example, such as ``F.squared_loss`` or ``F.cross_entropy``; then $\delta^l_n$ is
        the gradient of example $n$'s own term.

    Returns
    -------
    list of float
        One number per `Linear` layer, layer 1 first; the last is the size of
        $\partial\mathcal L/\partial f_n$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F
    >>> from nnbook.diagnostics import deep_mlp, error_signal_norms
    >>> model = deep_mlp(3, 8, depth=3, activation="tanh", rng=0)
    >>> X = np.random.default_rng(0).normal(size=(16, 3))
    >>> y = np.zeros((16, 1))
    >>> sizes = error_signal_norms(model, X, y, F.squared_loss)
    >>> f = model(X).data                           # dL/df_n = f_n - y_n
    >>> len(sizes), bool(np.isclose(sizes[-1], np.sqrt(np.mean(f ** 2))))
    (3, True)
    """
    _linear_layers(model, "error_signal_norms")
    h, probes = as_tensor(x), []
    for module in model:
        if isinstance(module, nn.Linear):
            # The layer's arithmetic on plain arrays, so that no parameter collects a gradient.
            h = h @ module.weight.data.T
            if module.bias is not None:
                h = h + module.bias.data
            # A zero leaf added to z^l: its gradient is dL/dz^l, the error signal.
            probe = Tensor(np.zeros(h.shape, dtype=h.dtype), requires_grad=True)
            probes.append(probe)
            h = h + probe
        else:
            h = module(h)
    loss = loss_fn(h, y)
    if not isinstance(loss, Tensor) or loss.data.size != 1:
        raise ValueError(
            "error_signal_norms: loss_fn must return a scalar Tensor, a sum or a mean over the examples"
        )
    loss.backward()
    sizes = []
    for probe in probes:
        delta = probe.grad.reshape(len(probe.grad), -1)
        sizes.append(float(np.sqrt(np.mean(np.sum(delta * delta, axis=1)))))
    return sizes


class LayerStats(NamedTuple):
    r"""What `activation_stats` measured in one hidden layer, over a batch.

    Attributes
    ----------
    z_std : float
        The standard deviation of the pre-activations $z^l$, over examples and units.
    mean, std : float
        The mean and standard deviation of the units $\phi^l = \rho(z^l)$.
    slope_rms : float
        The root mean square of the slopes $\rho'(z^l_{nj})$ over examples and units,
        $\sqrt{\mathbb E[\rho'(z)^2]}$: the factor by which the layer's activation
        scales, on average, the size of the gradient passing through it.
    saturated : float
        The fraction of the entries $(n, j)$ whose slope $\rho'(z^l_{nj})$ is below the
        threshold: a unit there passes back almost none of the gradient it receives
        (for a ReLU, the entries where it is off).
    dead : float
        The fraction of units saturated for every example of the batch. For a ReLU
        these are the units that are off for every input: their slope is exactly 0, so
        they pass back no gradient and their weights get none from this batch.

    Examples
    --------
    >>> from nnbook.diagnostics import LayerStats
    >>> s = LayerStats(z_std=1.0, mean=0.4, std=0.6, slope_rms=0.7, saturated=0.5, dead=0.0)
    >>> s.saturated, s._fields
    (0.5, ('z_std', 'mean', 'std', 'slope_rms', 'saturated', 'dead'))
    """

    z_std: float
    mean: float
    std: float
    slope_rms: float
    saturated: float
    dead: float


def activation_stats(model, x, slope_below: float = 0.05) -> list[LayerStats]:
    r"""Run ``x`` through ``model`` and measure every hidden layer: spread, saturation, dead units.

    A hidden layer is a `Linear` layer followed by a module that is not `Linear`: that
    module is taken to be the layer's elementwise activation $\rho$, and its slope
    $\rho'(z)$ at every entry is computed by differentiating the module itself.
    Modules after the activation (dropout, say) run as they would in the model, in its
    current mode; the output layer is not reported.

    Parameters
    ----------
    model : nn.Sequential
        `Linear` layers, each but the last followed by an elementwise activation.
    x : array_like, shape (N, in_features)
        A batch of inputs.
    slope_below : float
        An entry counts as saturated where $\rho'(z) <$ ``slope_below`` (5 % of the
        gradient gets through, or less).

    Returns
    -------
    list of LayerStats
        One per hidden layer, layer 1 first.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.diagnostics import activation_stats, deep_mlp
    >>> model = deep_mlp(2, 4, depth=3, activation="relu", rng=0)
    >>> model[2].bias.data[:] = -10.0              # every unit of layer 2 is off
    >>> stats = activation_stats(model, np.random.default_rng(0).normal(size=(50, 2)))
    >>> [(s.saturated, s.dead) for s in stats][1]
    (1.0, 1.0)
    >>> print(round(stats[1].mean, 3), round(stats[1].std, 3))
    0.0 0.0
    """
    caller = "activation_stats"
    _linear_layers(model, caller)
    if isinstance(slope_below, bool) or not isinstance(slope_below, numbers.Real) or not slope_below > 0:
        raise ValueError(f"{caller}: slope_below must be a positive number, got {slope_below!r}")
    h, z, stats = as_tensor(x), None, []
    for module in model:
        if isinstance(module, nn.Linear):
            with no_grad():
                h = module(h)
            z = h
        elif z is not None:
            leaf = Tensor(z.data.copy(), requires_grad=True)
            out = module(leaf)
            if out.shape != leaf.shape:
                raise ValueError(
                    f"{caller}: {type(module).__name__} changed the shape {leaf.shape} to "
                    f"{out.shape}; an activation must act entry by entry"
                )
            out.sum().backward()
            slope = leaf.grad.reshape(len(leaf.grad), -1)
            phi = out.data
            stats.append(LayerStats(
                z_std=float(z.data.std()),
                mean=float(phi.mean()),
                std=float(phi.std()),
                slope_rms=float(np.sqrt(np.mean(slope * slope))),
                saturated=float(np.mean(slope < slope_below)),
                dead=float(np.mean(np.all(slope < slope_below, axis=0))),
            ))
            h, z = out.detach(), None
        else:
            with no_grad():
                h = module(h)
    return stats
