"""A credential that does not leak: :class:`Secret`.

Internal module: import :class:`Secret` from :mod:`service_monitoring`.

The module is called ``secret`` (singular) so that it never shadows the
standard library's :mod:`secrets`.
"""

from __future__ import annotations

import hmac
from typing import ClassVar, NoReturn, final

from ..domain.errors import DomainError

__all__ = ["Secret"]


@final
class Secret:
    """A credential (an API token, a password) that shows itself only on request.

    Every way an object usually turns into text -- ``repr``, ``str``,
    ``format``, ``%s`` in a log call -- shows a fixed mask that says nothing
    about the value, not even its length. JSON encoding and pickling are
    refused with a :class:`TypeError`, so a secret cannot slip into a file or
    a message by accident. :meth:`reveal` hands the value to the one place
    that needs it (for example an ``Authorization`` header).

    Two secrets are equal when their values are, compared in constant time;
    a secret is not hashable, because a hash is derived from the value.
    ``copy.copy`` and ``copy.deepcopy`` return the same object: a secret is
    immutable, so sharing it creates no second copy of the value to leak.

    >>> token = Secret("s3cr3t-token")
    >>> token
    Secret('********')
    >>> f"Bearer {token}"
    'Bearer ********'
    >>> token.reveal()
    's3cr3t-token'
    >>> import json
    >>> json.dumps({"token": token})
    Traceback (most recent call last):
    ...
    TypeError: Object of type Secret is not JSON serializable
    """

    __slots__ = ("_value",)

    #: What every text form of a secret shows.
    MASK: ClassVar[str] = "********"

    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise DomainError(f"a Secret wraps a string, got {type(value).__name__}")
        if not value:
            raise DomainError("a Secret cannot be empty")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """Return the value itself: call this only where the credential is used."""
        return self._value

    # -- every text form is the mask ------------------------------------------

    def __repr__(self) -> str:
        return f"Secret({self.MASK!r})"

    def __str__(self) -> str:
        return self.MASK

    def __format__(self, format_spec: str) -> str:
        return format(self.MASK, format_spec)

    # -- comparison without leaks -----------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode("utf-8"), other._value.encode("utf-8"))

    #: Unhashable: any hash is derived from the value.
    __hash__ = None  # type: ignore[assignment]

    # -- immutable, copyable, never serialised -----------------------------------

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a Secret is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("a Secret is immutable")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: store the credential, not the object")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: store the credential, not the object")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: store the credential, not the object")
