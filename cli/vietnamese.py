"""Vietnamese for what Typer says on its own: the help's scaffolding and the usage errors.

Why it is done this way. Typer 0.29 (pinned in constraints.txt) no longer uses the ``click``
package: it carries its own copy, ``typer._click``, in which nearly every text is a plain
f-string ("Usage: ", "Error: ", "Try '… --help' for help.", "Missing argument",
"No such option", the help option's "Show this message and exit."). Only a few pass through
``gettext`` (the section titles, "default", "required"), so a message catalogue cannot
reach the rest, and rebinding module globals or patching methods would change Typer for the
whole process and break silently on an upgrade.

What Typer does let an application choose is the class of its groups and commands
(``cls=``), and the methods that print those texts are theirs: the usage line, the options
and commands sections, the help option, and the parsing during which every usage error is
raised. :class:`Typer` makes every group and command of an app the subclasses below:

* the help is built here from the parameters: Vietnamese section titles and type names,
  ranges as "≥ 0,1" or "từ 1 đến 24", defaults with the decimal comma ("[mặc định: 0,15]");
* a usage error raised while parsing is raised again as :class:`VietnameseUsageError`,
  worded from the original exception's kind and fields (never by translating its English
  text, except Click's two ``ctx.fail`` sentences, matched in :data:`_FAILS`), with its exit
  code (2) and the usage line of the command it concerns;
* a number option also takes the decimal comma (``--time-limit 0,5``), as the help writes it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import typer
from typer import _click
from typer._click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from models.labels import number_vn

USAGE = "Cách dùng: "
OPTIONS_METAVAR = "[TÙY CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM SỐ]..."
HELP_TEXT = "Hiện hướng dẫn này rồi thoát."
SECTION_ARGUMENTS, SECTION_OPTIONS, SECTION_COMMANDS = "Tham số", "Tùy chọn", "Lệnh"

#: Click's own ``ctx.fail`` sentences (no exception kind of their own), and their Vietnamese.
_FAILS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Got unexpected extra argument\(s\) \((.*)\)", re.S), lambda m: f"thừa tham số: {m[1]}"),
    (re.compile(r"Missing command\.?"), lambda m: "thiếu tên lệnh"),
]

#: Pydantic's error kinds (Typer checks values with pydantic) that a planner can meet.
_KINDS: dict[str, str] = {
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là một số",
    "float_type": "phải là một số",
    "finite_number": "phải là một số hữu hạn",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là văn bản",
}
_RANGE_KINDS = {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
#: ``ctx.meta`` key: the numbers typed with a decimal comma, by what they were read as.
_TYPED = "cli.vietnamese.typed"


def number(value: float) -> str:
    """``60``, ``0,15``, ``65535``: a number as the help writes it and a planner types it.

    Whole numbers keep no thousands dot: they are counts, ports and seeds typed back as
    shown, and ``8.000`` would not be read as eight thousand.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    decimals = len(repr(value).partition(".")[2])
    return number_vn(value, decimals).replace(".", "")


def describe_range(low: float | None, high: float | None, space: str = " ") -> str | None:
    """``≥ 0,1``, ``≤ 24``, ``từ 1 đến 24``; None without bounds. The help passes a no-break
    ``space``, so that its wrapping does not leave "≥" at the end of a line."""
    if low is not None and high is not None:
        return f"từ {number(low)} đến {number(high)}"
    if low is not None:
        return f"≥{space}{number(low)}"
    if high is not None:
        return f"≤{space}{number(high)}"
    return None


def type_name(param: TyperArgument | TyperOption) -> str:
    """The kind of value a parameter takes, in Vietnamese, as ``<số nguyên>``.

    An option's metavar replaces it, as in Click; an argument's is its name instead.
    """
    if param.metavar is not None and isinstance(param, TyperOption):
        return param.metavar
    descriptor = param.type_descriptor
    if descriptor.is_choice:
        label = "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ())
    elif descriptor.is_path:
        label = {"file": "tệp", "dir": "thư mục"}.get(descriptor.path_type, "đường dẫn")
    else:
        annotation = descriptor.annotation
        if descriptor.is_list:
            (annotation,) = getattr(annotation, "__args__", (str,))
        label = {
            int: "số nguyên",
            float: "số",
            bool: "true|false",
            str: "văn bản",
            datetime: "ngày giờ",
            Path: "đường dẫn",
        }.get(annotation, "giá trị")
    repeated = "..." if descriptor.is_list or param.nargs != 1 else ""
    return f"<{label}>{repeated}"


def _default_text(param: TyperArgument | TyperOption, ctx: _click.Context) -> str | None:
    if isinstance(param.show_default, str):
        return param.show_default
    if not (param.show_default or ctx.show_default):
        return None
    resilient, ctx.resilient_parsing = ctx.resilient_parsing, True
    try:
        default = param.get_default(ctx, call=False)
    finally:
        ctx.resilient_parsing = resilient
    if default is None or callable(default):
        return None
    if isinstance(param, TyperOption) and param.is_bool_flag:
        if param.secondary_opts:  # --days/--no-days: the one that is on by default
            return (param.opts if default else param.secondary_opts)[0]
        return None  # a plain flag is off unless given
    if isinstance(default, list | tuple):
        return ", ".join(number(v) for v in default) or None
    return number(getattr(default, "value", default))


def help_record(param: _click.Parameter, ctx: _click.Context) -> tuple[str, str] | None:
    """The two columns of a parameter in the help: its name and type, then what it does
    with ``[mặc định: …; ≥ …; bắt buộc]``."""
    if not isinstance(param, TyperArgument | TyperOption) or param.hidden:
        return None
    if isinstance(param, TyperOption):
        names = [", ".join(sorted(param.opts, key=lambda o: o.startswith("--")))]
        names += param.secondary_opts
        name = " / ".join(names)
        if not param.is_flag and not param.count:
            name += f" {type_name(param)}"
    else:
        name = f"{param.metavar or param.name} {type_name(param)}"
    extra = []
    default = _default_text(param, ctx)
    if default:
        extra.append(f"mặc định: {default}")
    span = describe_range(getattr(param, "min", None), getattr(param, "max", None), space="\u00a0")
    if span:
        extra.append(span)
    if param.required:
        extra.append("bắt buộc")
    text = param.help or ""
    if extra:
        text = f"{text}  [{'; '.join(extra)}]".strip()
    return name, text


class VietnameseUsageError(UsageError):
    """A usage error already worded in Vietnamese; shown as Click shows one (usage line,
    where to find help, then the error), with the same exit code (2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        if file is None:
            file = _click._compat.get_text_stderr()
        ctx = self.ctx
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = f"Xem hướng dẫn: {ctx.command_path} {ctx.help_option_names[0]}\n"
            typer.echo(f"{ctx.get_usage()}\n{hint}", file=file, color=ctx.color)
        typer.echo(f"Lỗi: {self.format_message()}", file=file, color=ctx.color if ctx else None)


def _hint(param: _click.Parameter | None, fallback: Sequence[str] | str | None = None) -> str:
    """How the parameter is written on the command line: ``--time-limit``, ``username``."""
    if isinstance(param, _click.Parameter):
        if param.param_type_name == "option" and param.opts:
            return max(param.opts, key=len)
        return str(param.metavar or param.name)
    if isinstance(fallback, str):
        return fallback
    return " / ".join(fallback or ())


def _bad_value(error: BadParameter) -> str:
    param = error.param
    where = _hint(param, error.param_hint)
    cause = error.__cause__
    problems = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if not problems:
        return f"{where}: giá trị không hợp lệ" if where else "giá trị không hợp lệ"
    first = problems[0]
    given = first.get("input")
    if isinstance(given, str) and error.ctx is not None:
        given = error.ctx.meta.get(_TYPED, {}).get(given, given)
    typed = f" (đã nhập {given})" if isinstance(given, str | int | float) else ""
    kind = first.get("type", "")
    if kind in _RANGE_KINDS:
        context = first.get("ctx", {})
        low = getattr(param, "min", None)
        high = getattr(param, "max", None)
        if low is None and high is None:  # not from the option's bounds: say the one broken
            low, high = context.get("ge", context.get("gt")), context.get("le", context.get("lt"))
        wanted = describe_range(low, high) or "nằm trong khoảng cho phép"
        return f"{where} phải {wanted}{typed}"
    if kind == "literal_error" or kind == "enum":
        expected = first.get("ctx", {}).get("expected", "")
        return f"{where} phải là một trong: {expected}{typed}"
    return f"{where} {_KINDS.get(kind, 'có giá trị không hợp lệ')}{typed}"


def vietnamese(error: ClickException) -> ClickException:
    """``error`` worded in Vietnamese (itself when it already is, or is not a usage error)."""
    if isinstance(error, VietnameseUsageError | NoArgsIsHelpError) or not isinstance(error, UsageError):
        return error
    ctx = error.ctx
    if isinstance(error, MissingParameter):
        kind = "tùy chọn" if error.param is not None and error.param.param_type_name == "option" else "tham số"
        message = f"thiếu {kind} {_hint(error.param, error.param_hint)}"
    elif isinstance(error, BadParameter):
        message = _bad_value(error)
    elif isinstance(error, NoSuchOption):
        message = f"không có tùy chọn {error.option_name}"
        if error.possibilities:
            message += f" (có phải: {', '.join(sorted(error.possibilities))}?)"
    elif isinstance(error, BadOptionUsage):
        if "does not take a value" in error.message:
            message = f"tùy chọn {error.option_name} không nhận giá trị"
        else:
            message = f"tùy chọn {error.option_name} cần một giá trị"
    elif isinstance(error, BadArgumentUsage):
        message = "số giá trị của tham số không đúng"
    else:
        for pattern, say in _FAILS:
            found = pattern.fullmatch(error.message)
            if found:
                message = say(found)
                break
        else:  # a sentence this module does not know: said to be one, and kept to be looked up
            message = f"cách gọi lệnh không đúng ({error.message})"
    translated = VietnameseUsageError(message, ctx)
    translated.exit_code = error.exit_code
    return translated


@contextmanager
def _worded(ctx: _click.Context | None = None) -> Iterator[None]:
    """Usage errors raised inside, in Vietnamese; one raised without its context (the parser
    leaves it out of some) gets ``ctx``, so that its usage line is shown."""
    try:
        yield
    except ClickException as error:
        if isinstance(error, UsageError) and error.ctx is None and ctx is not None:
            error.ctx, error.cmd = ctx, ctx.command
        translated = vietnamese(error)
        if translated is error:
            raise
        raise translated from None


def _decimal_commas(command: _click.Command, ctx: _click.Context, args: list[str]) -> list[str]:
    """``args`` with ``0,5`` read as ``0.5`` where a number option takes it (an error then
    quotes what was typed: :data:`_TYPED` in ``ctx.meta``)."""
    numeric = {
        opt
        for param in command.get_params(ctx)
        if isinstance(param, TyperOption) and param.type_descriptor.annotation is float
        for opt in param.opts
    }
    out: list[str] = []
    for i, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if equals and name in numeric and _DECIMAL_COMMA.fullmatch(value):
            ctx.meta.setdefault(_TYPED, {})[value.replace(",", ".")] = value
            arg = f"{name}={value.replace(',', '.')}"
        elif i > 0 and args[i - 1] in numeric and _DECIMAL_COMMA.fullmatch(arg):
            ctx.meta.setdefault(_TYPED, {})[arg.replace(",", ".")] = arg
            arg = arg.replace(",", ".")
        out.append(arg)
    return out


class _Vietnamese(_click.Command):
    """What the command and the group below share: usage line, help option, options, errors."""

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE)

    def get_help_option(self, ctx: _click.Context) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        records = [(p, help_record(p, ctx)) for p in self.get_params(ctx)]
        arguments = [r for p, r in records if r is not None and p.param_type_name == "argument"]
        options = [r for p, r in records if r is not None and p.param_type_name == "option"]
        for title, rows in ((SECTION_ARGUMENTS, arguments), (SECTION_OPTIONS, options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        # Every usage error of a command line is raised while its words are parsed.
        with _worded(ctx):
            return super().parse_args(ctx, _decimal_commas(self, ctx, args))


class Command(_Vietnamese, TyperCommand):
    """A Typer command whose help and usage errors are Vietnamese."""


class Group(_Vietnamese, TyperGroup):
    """A Typer group whose help, command list and usage errors are Vietnamese."""

    def __init__(self, *, subcommand_metavar: str | None = None, **attrs: Any) -> None:
        super().__init__(subcommand_metavar=subcommand_metavar or SUBCOMMAND_METAVAR, **attrs)

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        rows = [
            (name, command.get_short_help_str(formatter.width - 6 - len(name)))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section(SECTION_COMMANDS):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            close = difflib.get_close_matches(name, self.list_commands(ctx))
            maybe = f" (có phải: {', '.join(close)}?)" if close else ""
            raise VietnameseUsageError(f"không có lệnh {name!r}{maybe}", ctx)
        with _worded():
            return super().resolve_command(ctx, args)

    def invoke(self, ctx: _click.Context) -> Any:
        with _worded():
            return super().invoke(ctx)


class Typer(typer.Typer):
    """``typer.Typer`` whose group and commands are :class:`Group` and :class:`Command`."""

    def __init__(self, **settings: Any) -> None:
        settings.setdefault("cls", Group)
        settings.setdefault("options_metavar", OPTIONS_METAVAR)
        # Typer's rich help and error panels (typer/rich_utils.py) print other English texts
        # of their own; the plain ones, built here, are the ones the commands use.
        settings.setdefault("rich_markup_mode", None)
        super().__init__(**settings)

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **settings: Any) -> Any:
        return super().command(name, cls=cls or Command, **settings)
