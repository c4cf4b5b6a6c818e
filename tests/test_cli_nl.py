"""The command line speaks Dutch: argparse's frame and errors, and help for every option."""
from __future__ import annotations

import argparse

import pytest

from harness import cli


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def test_usage_errors_are_dutch_and_exit_2(capsys):
    for argv in (["serve"], ["exchange", "--count", "x"], ["bestaat-niet"], ["validate", "--onbekend", "a.xml"]):
        with pytest.raises(SystemExit) as exit_:
            cli.main(argv)
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert "gebruik: oso-sim" in err and "oso-sim: fout:" in err, err
        for english in ("usage:", "error:", "required", "invalid", "unrecognized", "choose from"):
            assert english not in err, (argv, err)


def test_help_is_dutch_with_examples(capsys):
    with pytest.raises(SystemExit):
        cli.main(["conformance", "--help"])
    out = capsys.readouterr().out
    assert "gebruik:" in out and "opties:" in out and "toon deze hulp en stop" in out
    assert "voorbeelden:" in out and "oso-sim conformance --config" in out


def test_every_command_and_option_has_help():
    missing = []
    for name, sub in _subparsers(cli.build_parser()):
        assert sub.description, name
        for action in sub._actions:
            if action.help is None and not isinstance(action, argparse._SubParsersAction):
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
        for inner_name, inner in _subparsers(sub):
            for action in inner._actions:
                if action.help is None:
                    missing.append(f"{name} {inner_name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, missing
