"""Fuzzing the command line: `run` and `validate` exit 0, 1 or 2 and never print a traceback,
whatever the definition file, the input and the options (see tests/fuzzing.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import count
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from asl_runner.cli import main

from cli_runner import CliRunner
from fuzz_strategies import definitions, inputs, json_texts, text, valid_machines, weighted
from fuzzing import CRASHED, budgeted, examples

# the command next to this interpreter: CI runs the tests without activating the venv
EXE = str(Path(sys.executable).with_name("asl-runner"))
HANDLERS = {"F.py": "def handler(event, context):\n    return event\n",
            "G.py": "def handler(event, context):\n    raise ValueError('G fails')\n"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-cli")
    (root / "lambdas").mkdir()
    for name, source in HANDLERS.items():
        (root / "lambdas" / name).write_text(source)
    return root


#: what a definition file holds: a definition's JSON, text that is not JSON, bytes that are not UTF-8
definition_files = weighted(
    (6, definitions.map(lambda d: json.dumps(d).encode())), (3, valid_machines.map(lambda d: json.dumps(d).encode())),
    (1, json_texts().map(lambda t: t.encode("utf-8", "surrogatepass"))), (1, st.binary(max_size=40)))
input_texts = weighted((3, inputs.map(json.dumps)), (1, json_texts()))
run_options = st.fixed_dictionaries({}, optional={
    "--json": st.just(None), "--history": st.just(None),
    "--type": weighted((4, st.sampled_from(["EXPRESS", "express"])), (1, st.just("BATCH"))),
    "--name": weighted((4, st.sampled_from(["run-1", "a" * 80, "ü"])),
                       (1, st.sampled_from(["a" * 81, "../../x", "a b", "", "\udcff"])), (1, text)),
})


def command_line(workdir: Path, command: str, content: bytes, input_text: str, via_file: bool,
                 options: dict) -> list[str]:
    number = next(_files)
    definition = workdir / f"definition-{number}.asl.json"
    definition.write_bytes(content)
    args = [command, str(definition)]
    if command == "run":
        args += ["--clock", "virtual", "--lambdas", str(workdir / "lambdas")]
        if via_file:
            path = workdir / f"input-{number}.json"
            path.write_bytes(input_text.encode("utf-8", "surrogatepass"))
            args += ["--input-file", str(path)]
        else:
            args += ["--input", input_text]
        for option, value in options.items():
            args += [option] if value is None else [option, value]
    return args


_files = count()


def check_exit(exit_code: int, stdout: str, stderr: str, args: list[str]) -> None:
    assert exit_code in (0, 1, 2), (exit_code, stdout[-2000:], stderr[-2000:])
    assert "Traceback" not in stdout and "Traceback" not in stderr, stderr[-4000:]
    if "--json" in args and exit_code in (0, 1) and args[0] == "run":
        described = json.loads(stdout)  # exactly one JSON object
        assert isinstance(described, dict) and not described.get("cause", "").startswith(CRASHED), described


@examples(60)
@given(command=st.sampled_from(["run", "run", "validate"]), content=definition_files, input_text=input_texts,
       via_file=st.booleans(), options=run_options)
@budgeted
def test_cli_exits_0_1_or_2_without_a_traceback(workdir: Path, command: str, content: bytes,
                                                input_text: str, via_file: bool, options: dict):
    args = command_line(workdir, command, content, input_text, via_file, options)
    result = CliRunner().invoke(main, args, catch_exceptions=True, env={"ASL_RUNNER_CLOCK": "virtual"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    event(f"{command} exit {result.exit_code}")
    check_exit(result.exit_code, result.stdout, result.stderr, args)


@examples(2)
@given(content=definition_files, input_text=input_texts, options=run_options)
def test_cli_in_a_real_process(workdir: Path, content: bytes, input_text: str, options: dict):
    """The same through a new process: what CliRunner cannot show (the interpreter's own
    handling of an exception that escapes, output encoding)."""
    args = command_line(workdir, "run", content, input_text, True, options)
    if any("\x00" in arg for arg in args):
        return  # no process can be given one (CliRunner takes it: see above)
    done = subprocess.run([EXE, *args], capture_output=True, timeout=60, cwd=workdir,
                          env={**os.environ, "ASL_RUNNER_CLOCK": "virtual"})
    check_exit(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"), args)
