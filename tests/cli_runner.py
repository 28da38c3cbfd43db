"""Invoke the ``asl-runner`` command in-process, as click's ``CliRunner`` did before the CLI
moved to argparse: ``CliRunner().invoke(main, args, input=..., env=...)`` returns a result with
``exit_code``, ``stdout``, ``stderr``, ``output`` (both, interleaved) and ``exception``."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


class _Tee(io.BytesIO):
    """A stream's bytes, also copied into the interleaved ``output``."""

    def __init__(self, both: io.BytesIO):
        super().__init__()
        self._both = both

    def write(self, data: Any) -> int:
        self._both.write(data)
        return super().write(data)


class Result:
    def __init__(self, exit_code: int, stdout: bytes, stderr: bytes, output: bytes,
                 exception: BaseException | None):
        self.exit_code = exit_code
        self.stdout_bytes = stdout
        self.stderr_bytes = stderr
        self.stdout = stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        self.stderr = stderr.decode("utf-8", "replace").replace("\r\n", "\n")
        self.output = output.decode("utf-8", "replace").replace("\r\n", "\n")
        self.exception = exception

    def __repr__(self) -> str:
        return f"<Result exit {self.exit_code}{f' {self.exception!r}' if self.exception else ''}>"


class CliRunner:
    def invoke(self, main: Callable[[list[str]], Any], args: Sequence[str] = (), *,
               input: str | bytes | None = None, env: Mapping[str, str | None] | None = None,
               catch_exceptions: bool = True) -> Result:
        """Run ``main(args)`` with stdin, stdout and stderr of its own and ``env`` set in
        ``os.environ`` (None removes a variable), all restored afterwards."""
        both = io.BytesIO()
        out, err = _Tee(both), _Tee(both)
        data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
        saved_streams = sys.stdin, sys.stdout, sys.stderr
        saved_env = {name: os.environ.get(name) for name in env or {}}
        # kept here until the end: a wrapper that is let go closes the buffer under it
        streams = (io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
                   io.TextIOWrapper(out, encoding="utf-8", write_through=True),
                   io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True))
        sys.stdin, sys.stdout, sys.stderr = streams
        _set_env(env or {})
        exception: BaseException | None = None
        try:
            main(list(args))
            exit_code = 0
        except SystemExit as exc:
            exit_code = _exit_code(exc.code)
            if exit_code != 0:
                exception = exc
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
        except Exception as exc:
            if not catch_exceptions:
                raise
            exception, exit_code = exc, 1
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            _set_env(saved_env)
        return Result(exit_code, out.getvalue(), err.getvalue(), both.getvalue(), exception)


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _set_env(env: Mapping[str, str | None]) -> None:
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
