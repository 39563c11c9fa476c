"""``strata completion bash|zsh``: a completion script written from the parser itself, so a new
command or option completes the day it is added, with nothing to keep in step by hand."""

from __future__ import annotations

import argparse
import shlex
import sys

ROOT = "strata"


def _walk(
    parser: argparse.ArgumentParser, path: str, words: dict[str, list[str]], choices: dict[str, list[str]]
) -> None:
    """Every command path's words (subcommands, options, fixed positional values) and every
    option's fixed values, keyed ``path`` and ``path option``."""
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(name)
                _walk(sub, f"{path} {name}", words, choices)
        elif action.option_strings:
            found.extend(o for o in action.option_strings if o.startswith("--"))
            if action.choices:
                for option in action.option_strings:
                    choices[f"{path} {option}"] = [str(c) for c in action.choices]
        elif action.choices:
            found.extend(str(c) for c in action.choices)
    words[path] = found


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    words: dict[str, list[str]] = {}
    choices: dict[str, list[str]] = {}
    _walk(parser, ROOT, words, choices)

    def table(name: str, entries: dict[str, list[str]]) -> str:
        rows = "\n".join(f"  [{shlex.quote(k)}]={shlex.quote(' '.join(v))}" for k, v in sorted(entries.items()))
        return f"typeset -gA {name}\n{name}=(\n{rows}\n)"

    body = f"""# strata {shell} completion: eval "$(strata completion {shell})"
{table("_strata_words", words)}
{table("_strata_choices", choices)}
_strata() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} path={ROOT} i next
  for ((i = 1; i < COMP_CWORD; i++)); do
    next="$path ${{COMP_WORDS[i]}}"
    [[ -n ${{_strata_words[$next]+set}} ]] && path=$next
  done
  if [[ -n ${{_strata_choices["$path $prev"]+set}} ]]; then
    COMPREPLY=($(compgen -W "${{_strata_choices["$path $prev"]}}" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -W "${{_strata_words[$path]}}" -- "$cur"))
  # Paths in Strata cannot be completed offline; local files can (upload, request files).
  if [[ ${{#COMPREPLY[@]}} -eq 0 && $cur != -* ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -F _strata strata
"""
    if shell == "zsh":
        return "autoload -U +X bashcompinit && bashcompinit\n" + body
    return body


def _completion(args: argparse.Namespace) -> int:
    from cli.main import build_parser

    sys.stdout.write(script(build_parser(), args.shell))
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    completion = commands.add_parser(
        "completion", help='print a shell completion script: eval "$(strata completion bash)"'
    )
    completion.add_argument("shell", choices=["bash", "zsh"])
    completion.set_defaults(handler=_completion)
