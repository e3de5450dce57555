"""Modules: models built from layers that own their parameters, as in ``torch.nn``.

``from nnbook import nn`` gives the names a PyTorch reader expects: `Module`,
`Parameter`, `Sequential`, `ModuleList`, `Linear`, `Sigmoid`, `Tanh`, `ReLU`,
`Flatten`, `Dropout`, `Conv2d`, `MaxPool2d`, `RNN`, `LSTM`, `GRU`, plus `GaussianNoise` (input perturbation) and `functional_call`.
The parameter names, shapes and layouts are PyTorch's, so that `Module.state_dict`
of one library loads into the same model in the other.

Examples
--------
>>> import numpy as np
>>> from nnbook import nn
>>> model = nn.Sequential(nn.Linear(2, 16, rng=0), nn.ReLU(), nn.Linear(16, 1, rng=1))
>>> [name for name, _ in model.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
>>> model(np.zeros((5, 2))).shape
(5, 1)
"""

from nnbook.nn.conv import Conv2d, MaxPool2d
from nnbook.nn.layers import Flatten, Linear, ReLU, Sigmoid, Tanh
from nnbook.nn.module import Module, ModuleList, Parameter, Sequential, functional_call
from nnbook.nn.noise import Dropout, GaussianNoise
from nnbook.nn.recurrent import GRU, LSTM, RNN

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "functional_call",
    "Linear", "Sigmoid", "Tanh", "ReLU", "Flatten", "Dropout", "GaussianNoise",
    "Conv2d", "MaxPool2d", "RNN", "LSTM", "GRU",
]
