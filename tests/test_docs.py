"""The README and the tutorial show what the project has: their commands exist, their code
is the project's, their links resolve, and the seed's train.py gives the pipeline's result.

A fenced block of project code names its file, relative to the repository's root, in the
fence's info string, and shows that file's text:

    ```python title="src/kedro_azureml_starter/pipelines/iris_pipeline/nodes.py"

Lines that are just `...` or `# ...` (at any indentation) leave text out: each piece
between them, without its leading and trailing blank lines, must occur verbatim in the
file, in order (in a notebook, each within one cell). A block of any language with a
title is compared; a python, yaml, toml, dockerfile, json or ini block without one fails.
A title naming a file that git ignores, such as conf/local/credentials.yml, shows what the
reader writes: it is not compared, but it must be ignored by git.

The commands checked are the lines of bash, sh and shell blocks, the lines after a `$ `
prompt in console and text blocks, and inline code that starts with `invoke ` or `kedro `.
"""

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from invoke import Program
from invoke.exceptions import ParseError
from invoke.parser import Parser, ParserContext

from tasks import namespace

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "docs/tutorial.md"]
CODE_LANGUAGES = {"python", "py", "yaml", "yml", "toml", "dockerfile", "json", "ini"}
SHELL_LANGUAGES = {"bash", "sh", "shell"}
PROMPT_LANGUAGES = {"console", "text"}  # only the lines after a `$ ` prompt are commands
FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
ELISION = re.compile(r"^\s*(# ?)?\.\.\.\s*$")
ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
TOOL_SPAN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(invoke|kedro)\s")


@dataclass
class Block:
    info: str
    line: int  # of the opening fence
    lines: list[str]

    @property
    def language(self) -> str:
        return self.info.split()[0].lower() if self.info.split() else ""

    @property
    def title(self) -> str | None:
        found = re.search(r'title="([^"]*)"', self.info)
        return found and found[1]


@dataclass
class Markdown:
    name: str
    blocks: list[Block]
    prose: str  # the text with the fenced blocks blanked out, so line numbers still hold

    def line_of(self, offset: int) -> int:
        return self.prose.count("\n", 0, offset) + 1


@functools.cache
def read_markdown(name: str) -> Markdown:
    path = ROOT / name
    assert path.exists(), f"{name} does not exist"
    blocks, prose, closing = [], [], None
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        opening = FENCE.match(line)
        if closing is None and opening:
            indent, fence = len(opening[1]), opening[2]
            closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}} *")
            blocks.append(Block(opening[3].strip(), number, []))
        elif closing is not None and closing.fullmatch(line):
            closing = None
        elif closing is not None:
            # Inside a list item, the fence's indentation is not part of the text.
            blocks[-1].lines.append(line[indent:] if line[:indent].isspace() else line)
        else:
            prose.append(line)
            continue
        prose.append("")
    return Markdown(name, blocks, "\n".join(prose))


def code_spans(markdown: Markdown) -> list[tuple[int, str]]:
    """Inline code, with its line; a span may wrap onto the next line."""
    spans = CODE_SPAN.finditer(markdown.prose)
    return [(markdown.line_of(m.start()), " ".join(m[2].split())) for m in spans]


def command_lines(markdown: Markdown) -> list[tuple[int, str]]:
    """The shell command lines shown, continuations joined, with the line they start on."""
    lines: list[tuple[int, str]] = []
    for block in markdown.blocks:
        shell, prompted = block.language in SHELL_LANGUAGES, block.language in PROMPT_LANGUAGES
        pending, start = "", 0
        for number, text in enumerate(block.lines, start=block.line + 1):
            if not pending:
                if not (shell or (prompted and text.startswith("$ "))):
                    continue
                start, text = number, text.removeprefix("$ ")
            text = pending + text
            pending = text[:-1] if text.endswith("\\") else ""
            if not pending:
                lines.append((start, text))
    spans = code_spans(markdown)
    return lines + [(number, span) for number, span in spans if TOOL_SPAN.match(span)]


def invoke_and_kedro_commands(line: str) -> list[list[str]]:
    """The `invoke` and `kedro` commands of a shell line, as words, without comments,
    the other commands it chains, or variables set in front."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars="&|;")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for word in lexer:
        if set(word) <= set("&|;"):
            commands.append([])
        elif commands[-1] or not ENV_ASSIGNMENT.match(word):
            commands[-1].append(word)
    return [words for words in commands if words and words[0] in ("invoke", "kedro")]


@functools.cache
def invoke_parser() -> Parser:
    core = ParserContext(args=Program(namespace=namespace).core_args())
    return Parser(initial=core, contexts=namespace.to_contexts())


def invoke_problem(args: list[str]) -> str | None:
    # A placeholder such as `<port>` stands for a value of any type.
    args = ["0" if re.fullmatch(r"<[^>]+>", arg) else arg for arg in args]
    try:
        invoke_parser().parse_argv(args)
    except (ParseError, ValueError) as error:
        return str(error)
    return None


# Walks the project's `kedro` command tree, plugins' groups included, in a fresh process:
# loading it configures logging and puts the project on sys.path.
_KEDRO_TREE = """
import json
from pathlib import Path
import click
from kedro.framework.cli.cli import KedroCLI

def tree(command, context):
    options = {}
    for param in command.get_params(context):
        if isinstance(param, click.Option):
            nargs = 0 if param.is_flag or param.count else param.nargs
            options.update(dict.fromkeys(param.opts + param.secondary_opts, nargs))
    commands = {}
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            settings = {**sub.context_settings, "info_name": name, "parent": context}
            commands[name] = tree(sub, click.Context(sub, **settings))
    return {"options": options, "commands": commands}

cli = KedroCLI(Path.cwd())
print(json.dumps(tree(cli, click.Context(cli, info_name="kedro", **cli.context_settings))))
"""


@functools.cache
def kedro_tree() -> dict:
    walk = subprocess.run(
        [sys.executable, "-c", _KEDRO_TREE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"},
    )
    assert walk.returncode == 0, walk.stderr
    return json.loads(walk.stdout.splitlines()[-1])


def kedro_problem(args: list[str]) -> str | None:
    node, path = kedro_tree(), "kedro"
    words = iter(args)
    for word in words:
        if word.startswith("-") and word != "-":
            name, has_value, _ = word.partition("=")
            if name not in node["options"]:
                return f"`{path}` has no option {name}"
            for _ in range(0 if has_value else node["options"][name]):
                next(words, None)
        elif node["commands"]:
            if word not in node["commands"]:
                return f"`{path}` has no command {word!r}"
            node, path = node["commands"][word], f"{path} {word}"
    return None


@pytest.mark.parametrize("doc", DOCS)
def test_every_invoke_and_kedro_command_shown_exists_with_its_options(doc):
    problems = []
    for line, text in command_lines(read_markdown(doc)):
        try:
            commands = invoke_and_kedro_commands(text)
        except ValueError as error:  # an unclosed quote
            problems.append(f"{doc}:{line}: `{text}`: {error}")
            continue
        for command in commands:
            check = invoke_problem if command[0] == "invoke" else kedro_problem
            if problem := check(command[1:]):
                problems.append(f"{doc}:{line}: `{shlex.join(command)}`: {problem}")

    assert not problems, "\n".join(problems)


def pieces(block: Block) -> list[tuple[int, list[str]]]:
    """The block's text between elisions, without blank lines at either end, with the
    line each piece starts on."""
    found, current = [], []
    for number, text in enumerate([*block.lines, "..."], start=block.line + 1):
        if not ELISION.match(text):
            current.append((number, text))
            continue
        while current and not current[-1][1].strip():
            current.pop()
        while current and not current[0][1].strip():
            current.pop(0)
        if current:
            found.append((current[0][0], [text for _, text in current]))
        current = []
    return found


def file_text(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text()
    # Cells joined by a character no piece holds, so none can match across two cells.
    cells = json.loads(path.read_text())["cells"]
    return "\n\0\n".join("".join(cell["source"]) for cell in cells)


def is_ignored_by_git(name: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0


def block_problem(doc: str, block: Block) -> str | None:
    if block.title is None:
        return f'{doc}:{block.line}: a {block.language} block without title="<file>"'
    if is_ignored_by_git(block.title):
        return None
    if not (ROOT / block.title).is_file():
        return f"{doc}:{block.line}: {block.title} does not exist (nor does git ignore it)"
    text, position = file_text(ROOT / block.title), 0
    for line, lines in pieces(block):
        # The longest start of the piece that follows in the file shows where it differs.
        for end in range(1, len(lines) + 1):
            found = text.find("\n".join(lines[:end]), position)
            if found < 0:
                return (
                    f"{doc}:{line + end - 1}: not in {block.title}"
                    f"{' after the text above it' if end == 1 and position else ''}: "
                    f"{lines[end - 1].strip()!r}"
                )
        position = found + len("\n".join(lines))
    return None


@pytest.mark.parametrize("doc", DOCS)
def test_every_code_block_names_its_file_and_shows_its_text(doc):
    blocks = read_markdown(doc).blocks
    shown = [b for b in blocks if b.title is not None or b.language in CODE_LANGUAGES]

    problems = [problem for block in shown if (problem := block_problem(doc, block))]

    assert not problems, "\n".join(problems)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the text as shown, lowercase, without punctuation
    other than hyphens and underscores, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>|[`*]", "", text)
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(markdown: Markdown) -> set[str]:
    found, seen = set(), Counter()
    headings = re.finditer(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", markdown.prose, re.M)
    for heading in headings:
        anchor = slug(heading[1])
        found.add(f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor)  # repeats: -1, -2
        seen[anchor] += 1
    return found | set(re.findall(r"""<a\s[^>]*(?:id|name)=["']([^"']+)""", markdown.prose))


def link_targets(markdown: Markdown) -> list[tuple[int, str]]:
    """Targets of links and images, in Markdown and HTML, outside code."""
    prose = CODE_SPAN.sub(lambda span: " " * len(span[0]), markdown.prose)
    patterns = (
        r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)",  # [text](target), ![alt](target)
        r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)",  # [label]: target
        r"""<(?:img|a)\s[^>]*(?:src|href)=["']([^"']+)""",
    )
    return [
        (markdown.line_of(found.start()), found[1])
        for pattern in patterns
        for found in re.finditer(pattern, prose, re.M)
    ]


def link_problem(doc: str, target: str) -> str | None:
    if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
        return None
    path, _, anchor = unquote(target).partition("#")
    # GitHub reads a path from / as from the repository's root.
    base = ROOT if path.startswith("/") else (ROOT / doc).parent
    file = os.path.relpath((base / path.lstrip("/")).resolve() if path else ROOT / doc, ROOT)
    if not (ROOT / file).exists():
        return f"{target}: {file} does not exist"
    if anchor and file.endswith(".md") and anchor not in anchors(read_markdown(file)):
        return f"{target}: no heading in {file} has the anchor #{anchor}"
    return None


@pytest.mark.parametrize("doc", DOCS)
def test_every_relative_link_and_image_resolves(doc):
    problems = [
        f"{doc}:{line}: {problem}"
        for line, target in link_targets(read_markdown(doc))
        if (problem := link_problem(doc, target))
    ]

    assert not problems, "\n".join(problems)


def test_the_seed_train_py_prints_the_pipelines_test_accuracy(ran_project, tmp_path):
    shutil.copy(ROOT / "data/01_raw/iris.csv", tmp_path / "iris.csv")

    run = subprocess.run(
        [sys.executable, ROOT / "docs" / "train.py"], cwd=tmp_path, capture_output=True, text=True
    )

    assert run.returncode == 0, run.stderr
    (printed,) = re.findall(r"^Test Accuracy: (\S+)$", run.stdout, re.M)
    metrics = json.loads((ran_project / "data/08_reporting/metrics.json").read_text())
    assert float(printed) == metrics["test_accuracy"]
