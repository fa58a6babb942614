"""A stand-in for a service layer's RPC client in unit tests: it answers each method from a
table and records the calls."""
from __future__ import annotations

from typing import Any, Callable


class FakeConductor:
    """`answers` maps a method to its result: a value, an exception to raise, or a function
    of the call's keyword arguments. A method without an answer returns None, or with
    `strict` is missing (AttributeError), so a test notices a call it did not expect."""

    def __init__(self, strict: bool = False, **answers: Any) -> None:
        self.strict = strict
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_") or (self.strict and method not in self.answers):
            raise AttributeError(f"the test gave no answer for {method}")

        def call(ctx: Any, **kwargs: Any) -> Any:
            self.calls.append((method, kwargs))
            answer = self.answers.get(method)
            if isinstance(answer, BaseException):
                raise answer
            return answer(**kwargs) if callable(answer) else answer
        return call

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]
