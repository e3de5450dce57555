"""The models the architecture chapters build and train: each a `nnbook.nn.Module` like any other.

* `MLP` — the L-layer feed-forward network (Feed-forward networks);
* `SmallCNN` — a small convolutional network for 8×8 digits (Convolutional networks);
* `Autoencoder` — encoder, bottleneck, decoder (Autoencoders);
* `SequenceClassifier` — a recurrent layer and a linear read-out of its last state, with
  `recall_task` (a memory task) and `input_gradient_norms` (Recurrent networks, LSTM and GRU).

Examples
--------
>>> from nnbook.models import MLP
>>> [name for name, _ in MLP([64, 32, 10], rng=0).named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
"""

from nnbook.models.mlp import MLP
from nnbook.models.cnn import SmallCNN
from nnbook.models.autoencoder import Autoencoder
from nnbook.models.sequence import SequenceClassifier, input_gradient_norms, recall_task

__all__ = ["MLP", "SmallCNN", "Autoencoder", "SequenceClassifier", "recall_task", "input_gradient_norms"]
