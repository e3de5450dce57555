"""Logistic regression by hand (see the chapter on logistic regression)."""

__all__: list[str] = []
