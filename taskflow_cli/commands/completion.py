"""`taskflow completion bash|zsh|fish`: the shell code that completes `taskflow` commands.

The completion itself is argcomplete's: the shell runs `taskflow` with `_ARGCOMPLETE` set,
which builds the whole parser (see `main.main`); a normal run never imports argcomplete.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

SHELLS = ("bash", "zsh", "fish")
HELP = """\
Print the code that lets your shell complete taskflow's commands, options and
task numbers. Load it in the current shell, or add it to the shell's start-up:

  bash:  eval "$(taskflow completion bash)"        (in ~/.bashrc)
  zsh:   eval "$(taskflow completion zsh)"         (in ~/.zshrc)
  fish:  taskflow completion fish > ~/.config/fish/completions/taskflow.fish"""


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    parser.description = HELP
    parser.add_argument("shell", choices=SHELLS, type=str.lower)
    parser.set_defaults(handler=completion)


def completion(args: argparse.Namespace) -> None:
    """Print the completion code for one shell."""
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode(["taskflow"], shell=args.shell))
