"""One place for randomness: every random draw in nnbook goes through `get_rng`."""

from __future__ import annotations

import numpy as np

__all__ = ["seed", "get_rng"]

_default = np.random.default_rng(0)


def seed(n: int) -> None:
    """Reset the default generator, so that ``rng=None`` draws repeat.

    Examples
    --------
    >>> import nnbook as nb
    >>> nb.seed(0); a = nb.get_rng().normal()
    >>> nb.seed(0); b = nb.get_rng().normal()
    >>> a == b
    True
    """
    global _default
    _default = np.random.default_rng(n)


def get_rng(rng=None) -> np.random.Generator:
    """The generator to draw from: ``rng`` itself, a new one seeded by an int, or the default.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator
        None for the default generator (see `seed`), an int to seed a new one.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> print(np.round(nb.get_rng(0).normal(size=2), 4))
    [ 0.1257 -0.1321]
    >>> gen = np.random.default_rng(1)
    >>> nb.get_rng(gen) is gen
    True
    """
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {type(rng).__name__}")
