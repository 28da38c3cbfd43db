"""Small slotted record classes, declared like dataclasses but cheap to define.

Why not dataclasses: each frozen dataclass costs about 1.5 ms to create (it generates and
``exec``s its methods), and the model alone has a dozen of them; that was over 20 ms of the
CLI's 150 ms start-up budget. A record is built from its annotations by a metaclass: slots,
keyword ``__init__`` with defaults, ``__repr__``, ``__eq__``, immutability unless declared
``mutable=True``.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


class _RecordMeta(type):
    def __new__(mcs, name: str, bases: tuple, ns: dict, mutable: bool = False):
        own = [k for k in ns.get("__annotations__", {}) if not k.startswith("_")]
        defaults: dict[str, Any] = {}
        for base in reversed(bases):
            defaults.update(getattr(base, "_defaults", {}))
        inherited = [f for base in bases for f in getattr(base, "_fields", ())]
        for k in own:
            defaults[k] = ns.pop(k, _MISSING)
        ns["__slots__"] = tuple(k for k in own if k not in inherited)
        cls = super().__new__(mcs, name, bases, ns)
        cls._fields = tuple(dict.fromkeys(inherited + own))
        cls._defaults = defaults
        cls._mutable = mutable
        return cls


class Record(metaclass=_RecordMeta):
    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _defaults: dict[str, Any] = {}
    _mutable = False

    def __init__(self, *args: Any, **kw: Any):
        set_ = object.__setattr__
        if args:
            if len(args) > len(self._fields):
                raise TypeError(f"{type(self).__name__}: too many arguments")
            kw.update(zip(self._fields, args, strict=False))
        for name in self._fields:
            value = kw.pop(name, _MISSING)
            if value is _MISSING:
                value = self._defaults[name]
                if value is _MISSING:
                    raise TypeError(f"{type(self).__name__}: missing field {name!r}")
            set_(self, name, value)
        if kw:
            raise TypeError(f"{type(self).__name__}: unknown fields {sorted(kw)}")

    def __setattr__(self, name: str, value: Any) -> None:
        if not self._mutable:
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, f) == getattr(other, f) for f in self._fields)

    def __hash__(self) -> int:
        return hash((type(self),) + tuple(_hashable(getattr(self, f)) for f in self._fields))



def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return id(value)
