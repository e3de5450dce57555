r"""How many parameters a network has: exact formulas, the models they describe, and a counter.

The set-up is the exercise that closes the course notes: an image of $D \times N$
pixels (D rows of N pixels) and a single output, read by

1. a fully connected network with $L$ hidden layers of $M$ units (`fc_params`,
   `fc_network`);
2. a convolutional network of $L$ convolutions with $P \times P$ kernels, each followed
   by a ReLU and a max-pooling by a factor ``pool``, then one fully connected layer to
   the output (`conv_params`, `conv_network`);
3. a recurrent network that reads the image one row per step, from $d = 1$ to $d = D$
   (each step's input the N pixels of a row), with a hidden state of $H$ units, and a
   linear output on the last state (`rnn_params`, `rnn_network`; ``cell`` = ``"rnn"``,
   ``"lstm"`` or ``"gru"``).

Each ``*_params`` function is the exact count, biases included unless ``bias=False``;
each ``*_network`` builds the `nnbook.nn` model of the same specification, so that
`count_params` of the model can be set beside the formula. A recurrent layer of nnbook
(as of PyTorch) has two bias vectors, ``bias_ih`` and ``bias_hh``; ``biases=1`` counts
the one-bias form of the textbooks, and ``biases=0`` a layer without biases. For the
simple RNN and the LSTM the one-bias form computes the same functions (the two biases
are only ever added); for PyTorch's GRU it does not, since the reset gate multiplies
$W_{hn} h + b_{hn}$ and not $b_{in}$.

Examples
--------
>>> from nnbook import counting
>>> counting.fc_params(D=28, N=28, L=2, M=100), counting.count_params(counting.fc_network(28, 28, 2, 100))
(88701, 88701)
"""

from __future__ import annotations

from nnbook import nn
from nnbook.checks import positive_int
from nnbook.models import SequenceClassifier

__all__ = [
    "count_params", "fc_params", "conv_params", "conv_output_size", "rnn_params",
    "fc_network", "conv_network", "rnn_network",
]

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def count_params(module) -> int:
    """The number of numbers a model fits: the entries of all its parameters.

    The same as ``sum(p.numel() for p in model.parameters())`` in PyTorch.

    Examples
    --------
    >>> from nnbook import nn
    >>> from nnbook.counting import count_params
    >>> count_params(nn.Linear(3, 2))   # a 2×3 weight and 2 biases
    8
    """
    return sum(int(p.data.size) for p in module.parameters())


def fc_params(D: int, N: int, L: int, M: int, bias: bool = True) -> int:
    r"""Parameters of a fully connected network on a $D \times N$ image: L hidden layers of M, one output.

    $$DN\,M + (L - 1)M^2 + M \;+\; \underbrace{LM + 1}_{\text{biases}}$$

    Examples
    --------
    >>> from nnbook.counting import fc_params
    >>> fc_params(28, 28, 1, 10), fc_params(28, 28, 1, 10, bias=False)
    (7861, 7850)
    """
    D, N, L, M = (positive_int(v, name, "fc_params") for v, name in ((D, "D"), (N, "N"), (L, "L"), (M, "M")))
    weights = D * N * M + (L - 1) * M * M + M
    return weights + (L * M + 1 if bias else 0)


def conv_output_size(size: int, P: int, L: int, pool: int = 1, padding: int = 0) -> int:
    r"""The side of the feature map after L rounds of a $P \times P$ convolution (stride 1) and a pooling by ``pool``.

    Each round maps a side $s$ to $\lfloor (s + 2p - P + 1)/\text{pool} \rfloor$; without
    padding a convolution takes $P - 1$ pixels off a side, not $P$.

    Raises
    ------
    ValueError
        If the map shrinks to nothing before the last round, or ``padding`` is not an
        int >= 0.

    Examples
    --------
    >>> from nnbook.counting import conv_output_size
    >>> conv_output_size(28, P=3, L=2), conv_output_size(28, P=3, L=2, pool=2)
    (24, 5)
    """
    size = positive_int(size, "size", "conv_output_size")
    P = positive_int(P, "P", "conv_output_size")
    L = positive_int(L, "L", "conv_output_size")
    pool = positive_int(pool, "pool", "conv_output_size")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"conv_output_size: padding must be an int >= 0, got {padding!r}")
    for layer in range(1, L + 1):
        after_conv = size + 2 * padding - P + 1
        if after_conv < pool:
            raise ValueError(
                f"conv_output_size: after layer {layer} nothing is left of a side of {size} "
                f"(kernel {P}, padding {padding}, pooling {pool})"
            )
        size = after_conv // pool
    return size


def conv_params(D: int, N: int, P: int, L: int, channels: int = 1, pool: int = 1,
                padding: int = 0, bias: bool = True) -> int:
    r"""Parameters of the convolutional network on a $D \times N$ image (see the module's docstring).

    Layer 1 maps the image's 1 channel to ``channels``, later layers ``channels`` to
    ``channels``; then one dense layer maps the last feature map, of
    $C \cdot D_L \cdot N_L$ numbers (`conv_output_size`), to the output:

    $$C P^2 + (L - 1) C^2 P^2 + C D_L N_L \;+\; \underbrace{LC + 1}_{\text{biases}}$$

    With one channel this is $LP^2 + D_L N_L$ plus $L + 1$ biases.

    Examples
    --------
    >>> from nnbook.counting import conv_params
    >>> conv_params(28, 28, P=3, L=2), conv_params(28, 28, P=3, L=2, channels=16, pool=2)
    (597, 2881)
    """
    C = positive_int(channels, "channels", "conv_params")
    side_d = conv_output_size(D, P, L, pool, padding)
    side_n = conv_output_size(N, P, L, pool, padding)
    weights = C * P * P + (L - 1) * C * C * P * P + C * side_d * side_n
    return weights + (L * C + 1 if bias else 0)


def rnn_params(N: int, H: int, cell: str = "rnn", biases: int = 2) -> int:
    r"""Parameters of the recurrent network that reads a row of N pixels a step, with H hidden units.

    A cell with G gate blocks (1 for the RNN, 4 for the LSTM, 3 for the GRU) has
    $G(HN + H^2)$ weights and $G \cdot \text{biases} \cdot H$ biases; the linear output
    on the last state adds $H + 1$. Note the count does not depend on D, the number of
    steps: the same weights serve every row.

    Examples
    --------
    >>> from nnbook.counting import rnn_params
    >>> rnn_params(28, 128), rnn_params(28, 128, biases=1), rnn_params(28, 128, "lstm")
    (20353, 20225, 81025)
    """
    N = positive_int(N, "N", "rnn_params")
    H = positive_int(H, "H", "rnn_params")
    if cell not in GATES:
        raise ValueError(f"rnn_params: cell must be one of {tuple(GATES)}, got {cell!r}")
    if biases not in (0, 1, 2):
        raise ValueError(f"rnn_params: biases must be 0, 1 or 2 bias vectors per gate, got {biases!r}")
    G = GATES[cell]
    return G * (H * N + H * H + biases * H) + H + 1


# -- the models of the same specifications ------------------------------------------------


def fc_network(D: int, N: int, L: int, M: int, bias: bool = True, rng=None):
    """The fully connected network of `fc_params`: Flatten, L × (Linear, ReLU), Linear to 1.

    Examples
    --------
    >>> from nnbook.counting import count_params, fc_network, fc_params
    >>> count_params(fc_network(8, 8, 3, 32)) == fc_params(8, 8, 3, 32)
    True
    """
    D, N, L, M = (positive_int(v, name, "fc_network") for v, name in ((D, "D"), (N, "N"), (L, "L"), (M, "M")))
    layers = [nn.Flatten()]
    width = D * N
    for _ in range(L):
        layers += [nn.Linear(width, M, bias=bias, rng=rng), nn.ReLU()]
        width = M
    return nn.Sequential(*layers, nn.Linear(width, 1, bias=bias, rng=rng))


def conv_network(D: int, N: int, P: int, L: int, channels: int = 1, pool: int = 1,
                 padding: int = 0, bias: bool = True, rng=None):
    """The convolutional network of `conv_params`, for inputs of shape (batch, 1, D, N).

    Examples
    --------
    >>> from nnbook.counting import conv_network, conv_params, count_params
    >>> net = conv_network(28, 28, P=5, L=2, channels=8, pool=2)
    >>> count_params(net) == conv_params(28, 28, P=5, L=2, channels=8, pool=2)
    True
    """
    C = positive_int(channels, "channels", "conv_network")
    L = positive_int(L, "L", "conv_network")
    pool = positive_int(pool, "pool", "conv_network")
    layers, inputs = [], 1
    for _ in range(L):
        layers += [nn.Conv2d(inputs, C, P, padding=padding, bias=bias, rng=rng), nn.ReLU()]
        if pool > 1:
            layers.append(nn.MaxPool2d(pool))
        inputs = C
    features = C * conv_output_size(D, P, L, pool, padding) * conv_output_size(N, P, L, pool, padding)
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(features, 1, bias=bias, rng=rng))


def rnn_network(N: int, H: int, cell: str = "rnn", rng=None):
    """The recurrent network of `rnn_params` (two bias vectors per gate, as PyTorch's layers).

    A `nnbook.models.SequenceClassifier` with one output: its input is (batch, D, N), the
    image's rows as the steps.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.counting import count_params, rnn_network, rnn_params
    >>> net = rnn_network(28, 64, "gru")
    >>> count_params(net) == rnn_params(28, 64, "gru"), net(np.zeros((5, 28, 28))).shape
    (True, (5, 1))
    """
    if cell not in GATES:
        raise ValueError(f"rnn_network: cell must be one of {tuple(GATES)}, got {cell!r}")
    return SequenceClassifier(cell, N, H, 1, rng=rng)
