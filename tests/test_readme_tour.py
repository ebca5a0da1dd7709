"""The README's tour is executed, so it cannot rot: its first command block runs in order."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from registry.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def tour_commands() -> list[str]:
    text = README.read_text()
    tour = text[text.index("## A tour") :]
    block = re.search(r"```sh\n(.*?)```", tour, re.S)
    assert block is not None, "the tour has no command block"
    return [line for line in block.group(1).splitlines() if line.startswith("pakta ")]


def test_the_readme_starts_with_the_two_commands() -> None:
    text = README.read_text()
    first_block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first_block is not None
    assert [line.split()[:2] for line in first_block.group(1).splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_the_tour_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commands = tour_commands()
    assert len(commands) >= 5
    for command in commands:
        argv = shlex.split(command.replace("/tmp/", f"{tmp_path}/"))[1:]
        assert main(argv) == 0, f"{command}: {capsys.readouterr()}"
    assert re.search(r"^ok: \d+ entries", capsys.readouterr().out, re.M)
