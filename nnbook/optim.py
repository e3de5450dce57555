r"""Optimisers: `SGD` (with momentum, Nesterov and weight decay) and `Adam`.

An optimiser holds a list of parameters; after ``loss.backward()`` has left a gradient
in each ``.grad``, `Optimizer.step` moves every parameter one step, in place, and
`Optimizer.zero_grad` clears the gradients for the next step. A parameter whose
``.grad`` is None (no gradient reached it) is left alone.

The update rules are ``torch.optim``'s, operation for operation, so that the same
weights, gradients and settings give the same numbers in both libraries (the test
suite checks ten steps of every variant against PyTorch in float64). The arithmetic
runs on the parameters' numpy arrays, outside the graph (as under `nnbook.no_grad`),
and keeps their dtype: float32 stays float32.

The learning rate is the attribute ``lr``, which may be changed between steps (by hand
or by a schedule such as `StepLR`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnbook.autodiff import Tensor
from nnbook.checks import positive_int

__all__ = ["Optimizer", "SGD", "Adam", "StepLR"]


def _number(value, name: str, caller: str, low: float = 0.0, high: float | None = None) -> float:
    """``value`` as a float if it is a finite real in [low, high) (or >= low); raise otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if high is None and not (math.isfinite(value) and value >= low):
        raise ValueError(f"{caller}: {name} must be a finite number >= {low:g}, got {value}")
    if high is not None and not low <= value < high:
        raise ValueError(f"{caller}: {name} must be in [{low:g}, {high:g}), got {value}")
    return value


class Optimizer:
    """The base of the optimisers: the parameters, the learning rate, `step` and `zero_grad`.

    A subclass defines ``_update(param, grad, state)``, the step of one parameter's
    array given its gradient and its own ``state`` dict.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to optimise, such as ``model.parameters()``: leaves, each once.
    lr : float
        The learning rate, finite and at least 0.

    Attributes
    ----------
    params : list of Tensor
        The parameters, in the order given.
    state : list of dict
        One dict per parameter: what the optimiser remembers about it between steps,
        under PyTorch's names (``"momentum_buffer"``; ``"step"``, ``"exp_avg"``,
        ``"exp_avg_sq"``, ``"max_exp_avg_sq"``).

    Examples
    --------
    >>> from nnbook import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    >>> isinstance(opt, optim.Optimizer), len(opt.params)
    (True, 2)
    >>> optim.SGD([], lr=0.1)
    Traceback (most recent call last):
    ValueError: SGD: got an empty parameter list; pass model.parameters() of a model that has parameters, or a list of tensors
    """

    def __init__(self, params, lr: float):
        caller = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{caller}: params must be an iterable of tensors, such as model.parameters(), "
                f"got a single Tensor; put it in a list: {caller}([w], ...)"
            )
        try:
            params = list(params)
        except TypeError:
            raise TypeError(
                f"{caller}: params must be an iterable of tensors, such as model.parameters(), "
                f"got {type(params).__name__}"
            ) from None
        if not params:
            raise ValueError(
                f"{caller}: got an empty parameter list; pass model.parameters() of a model "
                f"that has parameters, or a list of tensors"
            )
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{caller}: parameter {i} is a {type(p).__name__}, not a Tensor")
            if not p.is_leaf:
                raise ValueError(
                    f"{caller}: parameter {i} was computed by an operation, so a step on it would "
                    f"change nothing that is fitted; optimise the leaves (nn.Parameter, or "
                    f"nb.tensor(..., requires_grad=True))"
                )
            if id(p) in seen:
                raise ValueError(f"{caller}: parameter {i} appears twice in the list; give each once")
            seen.add(id(p))
        self.params: list[Tensor] = params
        self.state: list[dict] = [{} for _ in params]
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate; a schedule may set it between steps (it must be finite and >= 0)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _number(value, "lr", type(self).__name__)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None, as PyTorch does by default.

        Examples
        --------
        >>> import nnbook as nb
        >>> from nnbook import optim
        >>> w = nb.tensor([1.0], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> opt = optim.SGD([w], lr=0.1)
        >>> opt.zero_grad()
        >>> print(w.grad)
        None
        """
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Move every parameter that has a gradient one step, in place.

        Examples
        --------
        >>> import nnbook as nb
        >>> from nnbook import optim
        >>> w = nb.tensor([1.0, 2.0], requires_grad=True)
        >>> v = nb.tensor([5.0], requires_grad=True)       # gets no gradient below
        >>> (w * w).sum().backward()                       # grad 2w = [2, 4]
        >>> optim.SGD([w, v], lr=0.25).step()
        >>> print(w.data, v.data)
        [0.5 1. ] [5.]
        """
        for i, (p, state) in enumerate(zip(self.params, self.state)):
            if p.grad is None:
                continue
            grad = np.asarray(p.grad)
            if grad.shape != p.shape:
                raise ValueError(
                    f"{type(self).__name__}.step: parameter {i} has shape {p.shape} but its grad "
                    f"has shape {grad.shape}"
                )
            self._update(p.data, grad, state)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define its update")

    def _settings(self) -> str:
        return f"lr={self.lr}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings()})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.

    The step of ``torch.optim.SGD``, for a parameter $\theta$ with gradient $g_t$ at
    step $t$ ($\gamma$ = ``lr``, $\lambda$ = ``weight_decay``, $\mu$ = ``momentum``,
    $\tau$ = ``dampening``):

    $$
    \begin{aligned}
    g_t &\leftarrow g_t + \lambda\,\theta_{t-1} &&\text{(if } \lambda \ne 0\text{)}\\
    b_t &= \begin{cases} g_t & t = 1\\ \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 1\end{cases}
        &&\text{(if } \mu \ne 0\text{)}\\
    g_t &\leftarrow \begin{cases} g_t + \mu\, b_t & \text{Nesterov}\\ b_t & \text{otherwise}\end{cases}
        &&\text{(if } \mu \ne 0\text{)}\\
    \theta_t &= \theta_{t-1} - \gamma\, g_t.
    \end{aligned}
    $$

    The first buffer is the gradient itself, undamped. The arguments come in PyTorch's
    order. Weight decay $\lambda$ adds the
    gradient of $\tfrac{\lambda}{2}\lVert\theta\rVert^2$ (an L2 penalty).

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to optimise, such as ``model.parameters()``.
    lr : float
        The learning rate $\gamma$, finite and at least 0.
    momentum : float
        $\mu \ge 0$; 0 for plain gradient descent.
    dampening : float
        $\tau$, the share of the new gradient left out of the buffer.
    weight_decay : float
        $\lambda \ge 0$.
    nesterov : bool
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import optim
    >>> w = nb.tensor([1.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()     # the gradient of w² is 2w
    ...     opt.step()
    ...     print(round(w.item(), 4), round(float(opt.state[0]["momentum_buffer"][0]), 4))
    0.8 2.0
    0.46 3.4
    0.062 3.98
    >>> optim.SGD([w], lr=0.1, nesterov=True)
    Traceback (most recent call last):
    ValueError: SGD: nesterov=True needs momentum > 0 and dampening = 0, got momentum=0.0 and dampening=0.0
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr)
        self.momentum = _number(momentum, "momentum", "SGD")
        if isinstance(dampening, (bool, np.bool_)) or not isinstance(dampening, numbers.Real) \
                or not math.isfinite(dampening):
            raise ValueError(f"SGD: dampening must be a finite number, got {dampening!r}")
        self.dampening = float(dampening)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={self.momentum} and dampening={self.dampening}"
            )
        self.weight_decay = _number(weight_decay, "weight_decay", "SGD")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict) -> None:
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        if self.momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        param -= self.lr * grad

    def _settings(self) -> str:
        return (
            f"lr={self.lr}, momentum={self.momentum}, dampening={self.dampening}, "
            f"nesterov={self.nesterov}, weight_decay={self.weight_decay}"
        )


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place, evaluated as ``torch.lerp_`` evaluates it."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015), optionally with L2 weight decay and the AMSGrad maximum.

    The step of ``torch.optim.Adam``, for a parameter $\theta$ with gradient $g_t$ at
    step $t = 1, 2, \dots$ ($\gamma$ = ``lr``, $\beta_1, \beta_2$ = ``betas``,
    $\lambda$ = ``weight_decay``, $\epsilon$ = ``eps``; $m_0 = v_0 = 0$):

    $$
    \begin{aligned}
    g_t &\leftarrow g_t + \lambda\,\theta_{t-1} &&\text{(if } \lambda \ne 0\text{)}\\
    m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t\\
    v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2\\
    \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ with AMSGrad, else } v_t\\
    \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
        \frac{m_t}{\sqrt{\hat v_t}\,/\sqrt{1 - \beta_2^t} + \epsilon}.
    \end{aligned}
    $$

    The factors $1/(1 - \beta^t)$ undo the bias of averages that start at zero; note
    that $\epsilon$ is added after the correction of $\sqrt{\hat v_t}$, as PyTorch does.
    The weight decay here is an L2 penalty added to the gradient (PyTorch's ``Adam``),
    not the decoupled decay of ``AdamW``.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to optimise, such as ``model.parameters()``.
    lr : float
        The learning rate $\gamma$, finite and at least 0.
    betas : tuple of two floats
        $(\beta_1, \beta_2)$, each in [0, 1): the decay rates of the two averages.
    eps : float
        $\epsilon \ge 0$, which keeps the denominator away from zero.
    weight_decay : float
        $\lambda \ge 0$.
    amsgrad : bool
        Divide by the running maximum of $v_t$ (Reddi, Kale and Kumar, 2018).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import optim
    >>> w = nb.tensor([1.0, -3.0], requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> import numpy as np
    >>> print(np.round(w.data, 3))   # each entry moves about lr per step, whatever its gradient
    [ 0.8 -2.8]
    >>> optim.Adam([w], betas=(0.9, 1.0))
    Traceback (most recent call last):
    ValueError: Adam: betas[1] must be in [0, 1), got 1.0
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (
            _number(beta1, "betas[0]", "Adam", high=1.0),
            _number(beta2, "betas[1]", "Adam", high=1.0),
        )
        self.eps = _number(eps, "eps", "Adam")
        self.weight_decay = _number(weight_decay, "weight_decay", "Adam")
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise TypeError(f"Adam: amsgrad must be True or False, got {amsgrad!r}")
        self.amsgrad = bool(amsgrad)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict) -> None:
        beta1, beta2 = self.betas
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        t = state["step"]
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        m, v = state["exp_avg"], state["exp_avg_sq"]
        _lerp_(m, grad, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * grad * grad
        step_size = self.lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        if self.amsgrad:
            v_hat = state["max_exp_avg_sq"]
            np.maximum(v_hat, v, out=v_hat)
        else:
            v_hat = v
        denom = np.sqrt(v_hat) / bias_correction2_sqrt + self.eps
        param += -step_size * (m / denom)

    def _settings(self) -> str:
        return (
            f"lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay}, "
            f"amsgrad={self.amsgrad}"
        )


class StepLR:
    """Multiply an optimiser's learning rate by ``gamma`` every ``step_size`` calls of `step`.

    The schedule of ``torch.optim.lr_scheduler.StepLR``: call `step` once per epoch,
    after the epoch's optimiser steps; after ``k`` calls the learning rate is
    ``lr₀ · gamma ** (k // step_size)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser whose ``lr`` is scheduled.
    step_size : int
        The number of calls between two decays.
    gamma : float
        The factor, greater than 0.

    Attributes
    ----------
    last_epoch : int
        The number of calls of `step` so far.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import optim
    >>> opt = optim.SGD([nb.tensor([0.0], requires_grad=True)], lr=1.0)
    >>> schedule = optim.StepLR(opt, step_size=2, gamma=0.5)
    >>> rates = []
    >>> for epoch in range(6):
    ...     rates.append(opt.lr)     # ... the epoch's optimiser steps go here ...
    ...     schedule.step()
    >>> rates
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"StepLR: optimizer must be an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.step_size = positive_int(step_size, "step_size", "StepLR")
        self.gamma = _number(gamma, "gamma", "StepLR")
        if self.gamma == 0:
            raise ValueError("StepLR: gamma must be greater than 0, got 0.0")
        self.last_epoch = 0

    def step(self) -> None:
        """Count one epoch; decay the learning rate if ``step_size`` epochs have passed.

        Examples
        --------
        >>> import nnbook as nb
        >>> from nnbook import optim
        >>> opt = optim.SGD([nb.tensor([0.0], requires_grad=True)], lr=1.0)
        >>> schedule = optim.StepLR(opt, step_size=1, gamma=0.1)
        >>> schedule.step(); print(round(opt.lr, 10))
        0.1
        """
        self.last_epoch += 1
        if self.last_epoch % self.step_size == 0:
            self.optimizer.lr = self.optimizer.lr * self.gamma
