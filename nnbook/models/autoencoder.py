r"""The autoencoder of the chapter *Autoencoders*: `Autoencoder`.

An autoencoder is two networks in a row, trained to give back their input: an
*encoder* that maps an input $x \in \mathbb{R}^D$ to a *code* $h \in \mathbb{R}^K$, and
a *decoder* that maps the code back to a reconstruction $f \in \mathbb{R}^D$,

$$f(x) = \operatorname{dec}\bigl(\operatorname{enc}(x)\bigr),$$

fitted by making $f(x_n)$ close to $x_n$ itself, so that no labels are needed. With
$K < D$ the code is a *bottleneck*: the network cannot copy its input through and must
find the $K$ numbers from which the $D$ can best be rebuilt. A *denoising* autoencoder
is the same network fitted to rebuild the clean input from a corrupted one; here the
corruption is Gaussian noise added in front of the encoder in training mode only.

`Autoencoder` holds the encoder and the decoder as two `nn.Sequential` children,
``encoder`` and ``decoder``, so that the parameters are keyed as PyTorch keys a
module with those two attributes: ``"encoder.0.weight"``, ``"decoder.0.weight"``, … .
"""

from __future__ import annotations

import math
import numbers
from typing import Sequence

from nnbook.autodiff import Tensor
from nnbook.checks import positive_int
from nnbook.nn import GaussianNoise, Linear, Module, ReLU, Sequential, Sigmoid, Tanh
from nnbook.rng import get_rng

__all__ = ["Autoencoder"]

#: The activations of the hidden layers, by name.
ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}
#: What the decoder's last layer is followed by: a sigmoid, for targets in [0, 1], or nothing.
OUTPUTS = {"sigmoid": Sigmoid, "linear": None}


class Autoencoder(Module):
    r"""An encoder and a mirrored decoder: ``f(x) = decoder(encoder(x))``.

    ``sizes`` $= (M_0, M_1, \dots, M_L)$ lists the widths of the encoder, input first
    and code last: $M_0 = D$ inputs, $M_L = K$ code units. The encoder is
    ``Linear(M_0, M_1)``, activation, …, ``Linear(M_{L-1}, M_L)``, with no activation
    on the code; the decoder runs through the same widths backwards,
    ``Linear(M_L, M_{L-1})``, activation, …, ``Linear(M_1, M_0)``, followed by the
    ``output`` function. ``sizes=(64, 32, 2)`` gives the network 64-32-2-32-64;
    ``sizes=(D, K)`` with ``output="linear"`` gives the linear autoencoder
    $f(x) = W^2 (W^1 x + w^1) + w^2$. The two halves have the same number of weights,
    $\sum_l M_{l-1} M_l$ each; the encoder has $\sum_{l \ge 1} M_l$ biases and the
    decoder $\sum_{l < L} M_l$.

    Parameters
    ----------
    sizes : sequence of int
        At least two widths, each a positive int: the input size $D$ first, the code
        size $K$ last.
    activation : {"relu", "tanh", "sigmoid"}
        The nonlinearity of the hidden layers (there are none when ``sizes`` has two
        entries).
    output : {"sigmoid", "linear"}
        What follows the decoder's last layer: a sigmoid, so that every output lies in
        (0, 1) like pixel intensities, or nothing.
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`), encoder
        first, each layer as `nn.Linear` initialises itself; the noise is drawn from
        the same generator afterwards (from the default generator at each call when
        ``rng`` is None).
    noise : float
        The standard deviation $s$ of Gaussian noise added to the input in training
        mode, in front of the encoder (`nn.GaussianNoise`): a denoising autoencoder.
        0 (the default) adds none. `encode` never adds it.

    Attributes
    ----------
    encoder : nn.Sequential
        Input ``(..., D)`` to code ``(..., K)``.
    decoder : nn.Sequential
        Code ``(..., K)`` to reconstruction ``(..., D)``.
    noise : nn.GaussianNoise or None
        The corruption applied in training mode; None when ``noise`` is 0.
    sizes : tuple of int
        The widths $M_0, \dots, M_L$ of the encoder.

    Examples
    --------
    Input ``(N, D)``, code ``(N, K)``, output ``(N, D)``:

    >>> import numpy as np
    >>> from nnbook.models.autoencoder import Autoencoder
    >>> model = Autoencoder([64, 32, 2], rng=0)
    >>> x = np.random.default_rng(0).uniform(size=(5, 64))
    >>> model.encode(x).shape, model(x).shape
    ((5, 2), (5, 64))
    >>> np.allclose(model(x).data, model.decode(model.encode(x)).data)
    True
    >>> model
    Autoencoder(
      (encoder): Sequential(
        (0): Linear(in_features=64, out_features=32, bias=True)
        (1): ReLU()
        (2): Linear(in_features=32, out_features=2, bias=True)
      )
      (decoder): Sequential(
        (0): Linear(in_features=2, out_features=32, bias=True)
        (1): ReLU()
        (2): Linear(in_features=32, out_features=64, bias=True)
        (3): Sigmoid()
      )
    )
    >>> sum(p.data.size for p in model.parameters())   # (64·32 + 32 + 32·2 + 2) + (2·32 + 32 + 32·64 + 64)
    4354

    With ``noise``, the input is corrupted in training mode only:

    >>> denoising = Autoencoder([64, 8], noise=0.2, rng=0)
    >>> a, b = denoising(x).data, denoising(x).data      # two noise draws
    >>> bool(np.allclose(a, b))
    False
    >>> np.allclose(denoising.eval()(x).data, denoising.decode(denoising.encode(x)).data)
    True
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        output: str = "sigmoid",
        rng=None,
        noise: float = 0.0,
    ):
        super().__init__()
        try:
            widths = list(sizes)
        except TypeError:
            raise TypeError(f"Autoencoder: sizes must be a sequence of ints, got {sizes!r}") from None
        if len(widths) < 2:
            raise ValueError(
                "Autoencoder: sizes must list at least two widths (the input size D and the "
                f"code size K), got {widths}"
            )
        widths = [positive_int(m, f"sizes[{i}]", "Autoencoder") for i, m in enumerate(widths)]
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"Autoencoder: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        if output not in OUTPUTS:
            raise ValueError(f"Autoencoder: output must be one of {sorted(OUTPUTS)}, got {output!r}")
        if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
            raise TypeError(f"Autoencoder: noise must be a real number, got {noise!r}")
        if not (math.isfinite(noise) and noise >= 0):
            raise ValueError(
                f"Autoencoder: noise is a standard deviation and must be finite and >= 0, got {noise}"
            )
        generator = get_rng(rng)
        # The noise layer only keeps the generator; its draws come after the weights'.
        self.noise = GaussianNoise(float(noise), rng=None if rng is None else generator) if noise else None
        self.encoder = Sequential(*_stack(widths, activation, generator))
        tail = [OUTPUTS[output]()] if OUTPUTS[output] is not None else []
        self.decoder = Sequential(*_stack(widths[::-1], activation, generator), *tail)
        self.sizes = tuple(widths)
        self.activation = activation
        self.output = output

    def encode(self, x) -> Tensor:
        """The code of ``x``: ``encoder(x)``, shape ``(..., K)``, never with noise."""
        return self.encoder(x)

    def decode(self, h) -> Tensor:
        """The reconstruction from a code ``h`` of shape ``(..., K)``: ``decoder(h)``, shape ``(..., D)``."""
        return self.decoder(h)

    def forward(self, x) -> Tensor:
        if self.noise is not None:
            x = self.noise(x)
        return self.decode(self.encode(x))


def _stack(widths: list[int], activation: str, generator) -> list[Module]:
    """Linear layers through ``widths``, the activation between each two (not after the last)."""
    layers: list[Module] = []
    for l, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:]), start=1):
        layers.append(Linear(fan_in, fan_out, rng=generator))
        if l < len(widths) - 1:
            layers.append(ACTIVATIONS[activation]())
    return layers
