"""`Module` and `Parameter`: a model as a tree of layers that knows its own parameters.

A `Module` finds its parameters and its child modules by attribute assignment, as
PyTorch's does: ``self.weight = Parameter(...)`` registers a parameter and
``self.hidden = Linear(...)`` a child, so that `Module.named_parameters` can walk the
tree and name every parameter by its dotted path (``"hidden.weight"``). Those names
are the keys of `Module.state_dict`, the same keys PyTorch uses, so weights move
between the two libraries as plain numpy arrays.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Iterator, Mapping

import numpy as np

from nnbook.autodiff import Tensor, as_tensor

__all__ = ["Parameter", "Module", "Sequential", "ModuleList", "functional_call"]


class Parameter(Tensor):
    """A Tensor that a `Module` registers as one of its parameters.

    A parameter is a leaf with ``requires_grad=True``: ``backward`` leaves its
    gradient in ``.grad``, and an optimiser updates its ``.data`` in place.

    Parameters
    ----------
    data : Tensor or array_like
        The initial values, any shape. An ndarray (or a Tensor's array) is shared, not
        copied; floats keep their dtype, anything else becomes float64.
    requires_grad : bool
        Whether gradients are computed for it (True unless the parameter is frozen).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.nn import Parameter
    >>> w = Parameter(np.zeros((2, 3)))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    >>> Parameter([1.0, 2.0])
    Parameter containing:
    tensor([1., 2.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `Module.load_state_dict` with ``strict=False`` left out, as PyTorch reports it.

    Examples
    --------
    >>> from nnbook.nn import Linear
    >>> layer = Linear(2, 1)
    >>> layer.load_state_dict(layer.state_dict())
    <All keys matched successfully>
    >>> layer.load_state_dict({"weight": [[1.0, 2.0]]}, strict=False)
    IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])
    """

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class Module:
    """The base class of every layer and model.

    A subclass calls ``super().__init__()`` first in its ``__init__``, assigns its
    parameters and sub-modules as attributes, and defines ``forward``; calling the
    module calls ``forward``. Assigning a list or tuple of modules registers them as a
    `ModuleList` (PyTorch asks for ``nn.ModuleList(...)`` explicitly; the keys are the
    same: ``"blocks.0.weight"``).

    Attributes
    ----------
    training : bool
        True in training mode (the default), False in evaluation mode; see `train` and
        `eval`. Layers such as `Dropout` behave differently in the two.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> class Affine(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = nn.Parameter(np.ones(2))
    ...         self.shift = nn.Linear(2, 2, rng=0)
    ...     def forward(self, x):
    ...         return self.shift(x * self.scale)
    >>> model = Affine()
    >>> [name for name, _ in model.named_parameters()]
    ['scale', 'shift.weight', 'shift.bias']
    >>> model(np.ones((5, 2))).shape
    (5, 2)
    >>> model
    Affine(
      (shift): Linear(in_features=2, out_features=2, bias=True)
    )
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # -- what the module computes ----------------------------------------------------

    def forward(self, *args, **kwargs):
        """What the module computes; every layer defines it."""
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(); define forward(self, ...) to say what "
            f"calling the module computes"
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # -- registration by attribute assignment ------------------------------------------

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, (list, tuple)) and value and all(isinstance(m, Module) for m in value):
            value = ModuleList(value)
        registry = self.__dict__.get("_parameters")
        children = self.__dict__.get("_modules")
        if isinstance(value, (Parameter, Module)):
            if registry is None:
                raise AttributeError(
                    f"{type(self).__name__}: call super().__init__() at the start of __init__, "
                    f"before assigning parameters or sub-modules (assigning {name!r})"
                )
            self._forget(name)
            (registry if isinstance(value, Parameter) else children)[name] = value
        elif registry is not None and name in registry:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} to parameter "
                    f"{name!r}; assign an nn.Parameter (e.g. nn.Parameter(values)) or None"
                )
            registry[name] = None
        elif children is not None and name in children:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} to sub-module "
                    f"{name!r}; assign a Module or None"
                )
            children[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        # Reached only when ordinary lookup fails: parameters and children live in dicts.
        for registry in ("_parameters", "_modules"):
            entries = self.__dict__.get(registry, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._modules.pop(name, None)

    # -- walking the tree --------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names, in assignment order.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        >>> [name for name, _ in net.named_children()]
        ['0', '1']
        """
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, in assignment order.

        Examples
        --------
        >>> from nnbook import nn
        >>> [type(m).__name__ for m in nn.Sequential(nn.Linear(2, 3), nn.ReLU()).children()]
        ['Linear', 'ReLU']
        """
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, depth first, each once, with its path.

        The module itself comes first, named ``prefix`` (``""`` by default).

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU()))
        >>> [name for name, _ in net.named_modules()]
        ['', '0', '1', '1.0']
        """
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            below = [(f"{path}.{name}" if path else name, child) for name, child in module.named_children()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, depth first, each once.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        >>> [type(m).__name__ for m in net.modules()]
        ['Sequential', 'Linear', 'ReLU']
        """
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name, each once, in PyTorch's order.

        A module's own parameters come first (in assignment order), then those of each
        child in turn, depth first. A parameter shared by two modules is listed once,
        under the first name that reaches it.

        Parameters
        ----------
        prefix : str
            Put in front of every name, with a dot.
        recurse : bool
            If False, only this module's own parameters.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        >>> for name, p in net.named_parameters():
        ...     print(name, p.shape)
        0.weight (3, 2)
        0.bias (3,)
        2.weight (1, 3)
        2.bias (1,)
        """
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for path, module in modules:
            for name, param in module._parameters.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{path}.{name}" if path else name), param

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, each once, in the order of `named_parameters`.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        >>> sum(p.size for p in net.parameters())   # (2·3 + 3) + (3·1 + 1)
        13
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def _named_entries(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every (name, parameter) of the state dict: as named_parameters, without dropping repeats."""
        for name, param in self._parameters.items():
            if param is not None:
                yield prefix + name, param
        for name, child in self.named_children():
            yield from child._named_entries(f"{prefix}{name}.")

    # -- gradients and modes ------------------------------------------------------------

    def zero_grad(self) -> None:
        """Set the ``.grad`` of every parameter to None, as PyTorch does by default.

        Examples
        --------
        >>> import numpy as np
        >>> from nnbook import nn
        >>> layer = nn.Linear(2, 1)
        >>> layer(np.ones((3, 2))).sum().backward()
        >>> layer.weight.grad is None
        False
        >>> layer.zero_grad()
        >>> layer.weight.grad is None
        True
        """
        for param in self.parameters():
            param.grad = None

    def train(self, mode: bool = True) -> Module:
        """Put this module and every module below it in training mode (or not); return self.

        Parameters
        ----------
        mode : bool
            True for training mode, False for evaluation mode.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
        >>> net.eval()[1].training
        False
        >>> net.train()[1].training
        True
        """
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Put this module and every module below it in evaluation mode; return self.

        The same as ``train(False)``: dropout and input noise switch off.

        Examples
        --------
        >>> from nnbook import nn
        >>> nn.Dropout(0.5).eval().training
        False
        """
        return self.train(False)

    # -- saving and loading ---------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, keyed by its dotted name, as PyTorch keys them.

        The arrays are copies: training on after taking a state dict does not change
        it, so a state dict is a snapshot (PyTorch's tensors share storage instead).

        Returns
        -------
        dict of str to numpy.ndarray
            One entry per parameter, in the order of `named_parameters`; each array has
            the parameter's shape and dtype.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        >>> {name: value.shape for name, value in net.state_dict().items()}
        {'0.weight': (3, 2), '0.bias': (3,), '2.weight': (1, 3), '2.bias': (1,)}
        """
        return {name: param.data.copy() for name, param in self._named_entries()}

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters, by name; each keeps its own dtype.

        Nothing is copied unless everything fits: with ``strict=True`` every parameter
        must have a key and every key a parameter; whatever ``strict`` says, a value
        must have its parameter's shape. The error names each key at fault.

        Parameters
        ----------
        state_dict : mapping of str to array_like
            Values keyed as `state_dict` keys them: numpy arrays, nested lists,
            Tensors, or PyTorch's ``model.state_dict()`` itself (CPU tensors become
            arrays).
        strict : bool
            If False, missing and unexpected keys are allowed and reported.

        Returns
        -------
        IncompatibleKeys
            The missing and the unexpected keys (both empty when ``strict`` is True).

        Raises
        ------
        ValueError
            Naming every missing or unexpected key (``strict=True``) and every key whose
            value has the wrong shape.

        Examples
        --------
        >>> import numpy as np
        >>> from nnbook import nn
        >>> layer = nn.Linear(2, 1)
        >>> layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
        <All keys matched successfully>
        >>> print(layer(np.array([[1.0, 1.0]])).data)
        [[3.5]]
        >>> layer.load_state_dict({"weight": np.ones((2, 1))})
        Traceback (most recent call last):
        ValueError: Linear.load_state_dict: the state dict does not fit the module:
          missing key: 'bias'
          shape mismatch for 'weight': (2, 1) in the state dict, (1, 2) in the module
        (strict=False allows missing and unexpected keys, never a shape mismatch)
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a mapping of names to arrays "
                f"(such as model.state_dict()), got {type(state_dict).__name__}"
            )
        own = dict(self._named_entries())
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        problems, values = [], {}
        if strict and missing:
            problems.append(_keys_line("missing", missing))
        if strict and unexpected:
            problems.append(_keys_line("unexpected", unexpected))
        for key, param in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.dtype.kind not in "biuf":
                problems.append(f"value for {key!r} is not numeric (dtype {value.dtype})")
            elif value.shape != param.shape:
                problems.append(
                    f"shape mismatch for {key!r}: {value.shape} in the state dict, "
                    f"{param.shape} in the module"
                )
            else:
                values[key] = value
        if problems:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state dict does not fit the module:\n  "
                + "\n  ".join(problems)
                + "\n(strict=False allows missing and unexpected keys, never a shape mismatch)"
            )
        for key, value in values.items():
            own[key].data[...] = value
        return IncompatibleKeys(missing, unexpected)

    # -- printing -----------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses of the module's repr (none here).

        Examples
        --------
        >>> from nnbook import nn
        >>> nn.Linear(3, 2).extra_repr()
        'in_features=3, out_features=2, bias=True'
        """
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().splitlines()
        for name, child in self._modules.items():
            lines.append(f"({name}): " + repr(child).replace("\n", "\n  "))
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _keys_line(kind: str, keys: list[str]) -> str:
    return f"{kind} key{'s' if len(keys) > 1 else ''}: " + ", ".join(repr(k) for k in keys)


def _check_module(value, position: str, caller: str) -> Module:
    if not isinstance(value, Module):
        raise TypeError(f"{caller}: {position} is a {type(value).__name__}, not a Module")
    return value


def _item(container: Module, index):
    """``container[index]`` for an int (negative counts from the end) over its children."""
    modules = list(container._modules.values())
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(
            f"{type(container).__name__} indices must be integers or slices, got {type(index).__name__}"
        )
    if not -len(modules) <= index < len(modules):
        raise IndexError(
            f"{type(container).__name__}: index {index} is out of range for {len(modules)} modules"
        )
    return modules[index]


class Sequential(Module):
    """Modules applied one after another: the output of each is the input of the next.

    Children are named by position, ``"0"``, ``"1"``, …, as in PyTorch, so the
    parameters of ``Sequential(Linear(…), ReLU(), Linear(…))`` are ``"0.weight"``,
    ``"0.bias"``, ``"2.weight"`` and ``"2.bias"``.

    Parameters
    ----------
    *modules : Module
        The layers, in order; or a single dict from names to modules.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> net = nn.Sequential(nn.Linear(4, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    >>> net(np.ones((10, 4))).shape     # x: (N, 4) -> (N, 8) -> (N, 8) -> (N, 1)
    (10, 1)
    >>> len(net), net[-1]
    (3, Linear(in_features=8, out_features=1, bias=True))
    >>> net
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): Tanh()
      (2): Linear(in_features=8, out_features=1, bias=True)
    )
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            items = list(modules[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(modules)]
        for i, (name, module) in enumerate(items):
            self._modules[str(name)] = _check_module(module, f"argument {i}", "Sequential")

    def forward(self, x):
        """Apply each module in turn to ``x``.

        Examples
        --------
        >>> import numpy as np
        >>> from nnbook import nn
        >>> print(nn.Sequential(nn.ReLU(), nn.Tanh())(np.array([-1.0, 0.0])).data)
        [0. 0.]
        """
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(dict(list(self._modules.items())[index]))
        return _item(self, index)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end, named by its position; return self.

        Examples
        --------
        >>> from nnbook import nn
        >>> net = nn.Sequential(nn.Linear(2, 2))
        >>> len(net.append(nn.ReLU()))
        2
        """
        self._modules[str(len(self._modules))] = _check_module(module, "the module", "Sequential.append")
        return self


class ModuleList(Module):
    """A list of modules, registered as children named ``"0"``, ``"1"``, ….

    It holds modules for its owner to call (in a loop, say); it computes nothing itself.
    Assigning a plain list of modules to an attribute makes one.

    Parameters
    ----------
    modules : iterable of Module, optional
        The initial modules.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> class Deep(nn.Module):
    ...     def __init__(self, widths):
    ...         super().__init__()
    ...         self.layers = nn.ModuleList(
    ...             nn.Linear(m, n, rng=k) for k, (m, n) in enumerate(zip(widths, widths[1:])))
    ...     def forward(self, x):
    ...         for layer in self.layers:
    ...             x = layer(x).tanh()
    ...         return x
    >>> net = Deep([3, 5, 5, 2])
    >>> [name for name, _ in net.named_parameters()][:3]
    ['layers.0.weight', 'layers.0.bias', 'layers.1.weight']
    >>> net(np.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(self, modules=None):
        super().__init__()
        for module in modules if modules is not None else ():
            self.append(module)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return _item(self, index)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; return self.

        Examples
        --------
        >>> from nnbook import nn
        >>> len(nn.ModuleList().append(nn.ReLU()))
        1
        """
        self._modules[str(len(self._modules))] = _check_module(module, "the module", "ModuleList.append")
        return self

    def extend(self, modules) -> ModuleList:
        """Add each of ``modules`` at the end; return self.

        Examples
        --------
        >>> from nnbook import nn
        >>> len(nn.ModuleList([nn.ReLU()]).extend([nn.Tanh(), nn.Sigmoid()]))
        3
        """
        for module in modules:
            self.append(module)
        return self


def functional_call(module: Module, parameters: Mapping[str, Tensor], *args, **kwargs):
    """Call ``module`` with some of its parameters replaced by the given tensors.

    Seen this way a module is a plain function of its parameters and its input, which
    is what `nnbook.gradcheck` needs: ``lambda w, x: functional_call(layer, {"weight":
    w}, x)``. The module's own parameters are put back afterwards, even on an error.
    PyTorch's ``torch.func.functional_call`` does the same.

    Parameters
    ----------
    module : Module
        The module to call.
    parameters : mapping of str to Tensor or array_like
        Replacements, keyed as `Module.named_parameters` names them.
    *args, **kwargs
        Passed on to the module.

    Returns
    -------
    object
        Whatever the module returns.

    Raises
    ------
    ValueError
        If a name is not one of the module's parameters.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import nn
    >>> layer = nn.Linear(3, 2, rng=0)
    >>> x = np.ones((4, 3))
    >>> nb.gradcheck(lambda w, b: nn.functional_call(layer, {"weight": w, "bias": b}, x),
    ...              layer.weight, layer.bias)
    True
    """
    owners = []
    for name in parameters:
        *path, leaf = name.split(".")
        owner = module
        for part in path:
            owner = owner._modules.get(part) if isinstance(owner, Module) else None
        if not isinstance(owner, Module) or owner._parameters.get(leaf) is None:
            raise ValueError(
                f"functional_call: {name!r} is not a parameter of this {type(module).__name__}; "
                f"its parameters are {[n for n, _ in module.named_parameters()]}"
            )
        owners.append((owner, leaf, owner._parameters[leaf]))
    try:
        for (owner, leaf, _), value in zip(owners, parameters.values()):
            owner._parameters[leaf] = as_tensor(value)
        return module(*args, **kwargs)
    finally:
        for owner, leaf, original in reversed(owners):
            owner._parameters[leaf] = original
