"""Backpropagation by hand (see the chapter on backpropagation by hand)."""

__all__: list[str] = []
