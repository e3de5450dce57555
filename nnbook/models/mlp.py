r"""The feed-forward network of the chapter *Feed-forward networks*: `MLP`.

An $L$-layer network maps $\phi^0 = x$ through $z^l = W^l \phi^{l-1} + w^l$ and
$\phi^l = \rho(z^l)$ for $l < L$, to the output $f = z^L$, which has no activation
(a regression output, or the class scores, *logits*, that `F.cross_entropy` takes).
`MLP` builds that stack from `nn.Linear` layers and activation modules, numbered as
`nn.Sequential` numbers its children, so that its parameters are keyed exactly as
PyTorch keys ``torch.nn.Sequential(Linear, ReLU, …, Linear)``: ``"0.weight"``,
``"0.bias"``, ``"2.weight"``, … .
"""

from __future__ import annotations

from typing import Sequence

from nnbook.checks import positive_int
from nnbook.nn import Linear, ReLU, Sequential, Sigmoid, Tanh
from nnbook.rng import get_rng

__all__ = ["MLP"]

#: The activations `MLP` accepts, by name.
ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class MLP(Sequential):
    r"""A multi-layer perceptron: `Linear` layers with an activation between each two.

    ``sizes`` $= (M_0, M_1, \dots, M_L)$ lists the widths of the layers, inputs first
    and outputs last: $M_0 = D$ inputs, $M_L = K$ outputs, $L$ = ``len(sizes) - 1``
    layers. Layer $l$ is ``Linear(M_{l-1}, M_l)``, whose weight is the book's $W^l$
    (shape $M_l \times M_{l-1}$) and whose bias is $w^l$; an activation follows every
    layer but the last. The children are numbered from 0 in that order — Linear,
    activation, Linear, …, Linear — so layer $l$ is child ``2 * (l - 1)`` and the
    model's `state_dict` has the keys of ``torch.nn.Sequential`` holding the same
    layers. There are $\sum_{l=1}^{L} (M_{l-1} M_l + M_l)$ parameters.

    Parameters
    ----------
    sizes : sequence of int
        At least two widths, each a positive int.
    activation : {"relu", "tanh", "sigmoid"}
        The nonlinearity $\rho$ of the hidden layers.
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`); the
        layers draw from one generator, first layer first, each as `nn.Linear`
        initialises itself.

    Attributes
    ----------
    sizes : tuple of int
        The widths $M_0, \dots, M_L$.
    activation : str
        The name of the activation.

    Examples
    --------
    Input ``(N, M_0)``, output ``(N, M_L)``:

    >>> import numpy as np
    >>> from nnbook.models.mlp import MLP
    >>> model = MLP([64, 128, 10], rng=0)
    >>> model(np.zeros((5, 64))).shape
    (5, 10)
    >>> model
    MLP(
      (0): Linear(in_features=64, out_features=128, bias=True)
      (1): ReLU()
      (2): Linear(in_features=128, out_features=10, bias=True)
    )
    >>> list(model.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> sum(p.data.size for p in model.parameters())   # 64·128 + 128 + 128·10 + 10
    9610
    >>> MLP([64])
    Traceback (most recent call last):
    ValueError: MLP: sizes must list at least two widths (inputs and outputs), got [64]
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", rng=None):
        try:
            widths = list(sizes)
        except TypeError:
            raise TypeError(f"MLP: sizes must be a sequence of ints, got {sizes!r}") from None
        if len(widths) < 2:
            raise ValueError(
                f"MLP: sizes must list at least two widths (inputs and outputs), got {widths}"
            )
        widths = [positive_int(m, f"sizes[{i}]", "MLP") for i, m in enumerate(widths)]
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        generator = get_rng(rng)
        layers = []
        for l, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:]), start=1):
            layers.append(Linear(fan_in, fan_out, rng=generator))
            if l < len(widths) - 1:
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
        self.sizes = tuple(widths)
        self.activation = activation
