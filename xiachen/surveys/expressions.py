"""The expression language of field forms (ADR 2021): calculations and constraints.

A tiny whitelisted language, parsed by a recursive-descent parser into a tree of lists and walked by an
evaluator; no code is ever compiled from the text. `xiachen/static/surveys/expressions.js` is the same parser and
evaluator in JavaScript, line for line; both are run against `tests/surveys/expression_vectors.json`.

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := add (("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") add)?
    add     := mul (("+" | "-") mul)*
    mul     := unary (("*" | "/") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | STRING | "true" | "false" | "." | q<N> | NAME "(" args ")" | "(" expr ")"

`.` is the value of the question being checked; `q3` the answer of question 3 (in a member block: the
same member's answer when question 3 is per member; from outside: the list of all members' answers).
Numbers are IEEE doubles on both sides. Empty answers are null; null spreads through arithmetic and
comparisons; a type mismatch or a division by zero gives null, never an exception.
"""

import math

from django.utils.translation import gettext as _

MAX_LENGTH = 300
MAX_DEPTH = 20
FUNCTIONS = {  # name: (fewest, most) arguments
    "if": (3, 3), "min": (1, 10), "max": (1, 10), "abs": (1, 1), "int": (1, 1), "round": (1, 2),
    "len": (1, 1), "selected": (2, 2), "count": (1, 1), "sum": (1, 1),
}
KEYWORDS = {"and", "or", "not", "true", "false"}
COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}


class ExpressionError(ValueError):
    """An expression that does not parse; the message is Chinese, for the form's author."""


def _tokens(text: str) -> list[tuple[str, object, int]]:
    tokens, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch.isascii() and ch.isdigit():
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j + 1 < n and text[j] == "." and text[j + 1].isascii() and text[j + 1].isdigit():
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            tokens.append(("num", float(text[i:j]), i))
            i = j
        elif ch in "'\"":
            j = text.find(ch, i + 1)
            if j < 0:
                raise ExpressionError(_("第 %(at)s 个字符处的引号没有闭合") % {"at": i + 1})
            tokens.append(("str", text[i + 1:j], i))
            i = j + 1
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(("name", text[i:j], i))
            i = j
        elif text[i:i + 2] in ("<=", ">=", "!=", "=="):
            tokens.append(("op", "=" if text[i:i + 2] == "==" else text[i:i + 2], i))
            i += 2
        elif ch in "=<>+-*/(),.":
            tokens.append(("op", ch, i))
            i += 1
        else:
            raise ExpressionError(_("第 %(at)s 个字符“%(char)s”无法识别") % {"at": i + 1, "char": ch})
    tokens.append(("end", None, n))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.pos]

    def take(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def is_op(self, value) -> bool:
        kind, val, _at = self.peek()
        return kind == "op" and val == value

    def is_name(self, value) -> bool:
        kind, val, _at = self.peek()
        return kind == "name" and val == value

    def expect_op(self, value) -> None:
        if not self.is_op(value):
            raise ExpressionError(_("第 %(at)s 个字符处缺少“%(name)s”") % {"at": self.peek()[2] + 1, "name": value})
        self.take()

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(_("表达式嵌套太深"))

    def parse(self):
        tree = self.parse_or()
        if self.peek()[0] != "end":
            raise ExpressionError(_("第 %(at)s 个字符处多余的内容") % {"at": self.peek()[2] + 1})
        return tree

    def parse_or(self):
        left = self.parse_and()
        while self.is_name("or"):
            self.take()
            left = ["or", left, self.parse_and()]
        return left

    def parse_and(self):
        left = self.parse_not()
        while self.is_name("and"):
            self.take()
            left = ["and", left, self.parse_not()]
        return left

    def parse_not(self):
        if self.is_name("not"):
            self.take()
            self.nest()
            node = ["not", self.parse_not()]
            self.depth -= 1
            return node
        return self.parse_cmp()

    def parse_cmp(self):
        left = self.parse_add()
        kind, value, _at = self.peek()
        if kind == "op" and value in COMPARISONS:
            self.take()
            left = ["cmp", value, left, self.parse_add()]
        return left

    def parse_add(self):
        left = self.parse_mul()
        while self.is_op("+") or self.is_op("-"):
            left = ["arith", self.take()[1], left, self.parse_mul()]
        return left

    def parse_mul(self):
        left = self.parse_unary()
        while self.is_op("*") or self.is_op("/"):
            left = ["arith", self.take()[1], left, self.parse_unary()]
        return left

    def parse_unary(self):
        if self.is_op("-"):
            self.take()
            self.nest()
            node = ["neg", self.parse_unary()]
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self):
        kind, value, at = self.take()
        if kind == "num":
            return ["num", value]
        if kind == "str":
            return ["str", value]
        if kind == "op" and value == ".":
            return ["ref", "."]
        if kind == "op" and value == "(":
            self.nest()
            node = self.parse_or()
            self.depth -= 1
            self.expect_op(")")
            return node
        if kind == "name":
            if value in ("true", "false"):
                return ["bool", value == "true"]
            if value in KEYWORDS:
                raise ExpressionError(_("第 %(at)s 个字符处的“%(name)s”用法不对") % {"at": at + 1, "name": value})
            if self.is_op("("):
                if value not in FUNCTIONS:
                    raise ExpressionError(_("不支持的函数“%(name)s”") % {"name": value})
                self.take()
                self.nest()
                args = []
                if not self.is_op(")"):
                    args.append(self.parse_or())
                    while self.is_op(","):
                        self.take()
                        args.append(self.parse_or())
                self.expect_op(")")
                self.depth -= 1
                fewest, most = FUNCTIONS[value]
                if not fewest <= len(args) <= most:
                    raise ExpressionError(_("函数“%(name)s”的参数个数不对") % {"name": value})
                return ["call", value, args]
            if value[0] == "q" and value[1:].isdigit() and value[1] != "0":
                return ["ref", value]
            raise ExpressionError(_("未知的名称“%(name)s”（引用题目请写 q 加题号，如 q3）") % {"name": value})
        if kind == "end":
            raise ExpressionError(_("表达式不完整"))
        raise ExpressionError(_("第 %(at)s 个字符处的“%(name)s”用法不对") % {"at": at + 1, "name": value})


def parse(text: str) -> list:
    """The tree of `text`; ExpressionError (Chinese) when it is empty, too long or not well formed."""
    text = (text or "").strip()
    if not text:
        raise ExpressionError(_("表达式为空"))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("表达式不能超过 %(limit)s 个字符") % {"limit": MAX_LENGTH})
    return _Parser(text).parse()


def references(tree) -> set[str]:
    """The names (`.`, `q3`, …) a tree reads."""
    if tree[0] == "ref":
        return {tree[1]}
    found: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, list):
            for item in part if part and isinstance(part[0], list) else [part]:
                found |= references(item)
    return found


# --- evaluation ----------------------------------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truthy(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if _is_number(value):
        return value != 0
    if isinstance(value, (str, list)):
        return len(value) > 0
    return True


def _number(value):
    """A finite float, or None."""
    if not _is_number(value):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _equal(a, b) -> bool:
    if _is_number(a) and _is_number(b):
        return float(a) == float(b)
    if (isinstance(a, str) and isinstance(b, str)) or (isinstance(a, bool) and isinstance(b, bool)):
        return a == b
    return False


def _round(x: float, digits: float) -> float | None:
    if digits != int(digits) or not 0 <= digits <= 6:
        return None
    scaled = abs(x) * 10.0 ** int(digits) + 0.5
    if not math.isfinite(scaled):
        return None
    result = math.floor(scaled) / 10.0 ** int(digits)
    return -result if x < 0 else result


def _call(name: str, args: list, env: dict):
    if name == "if":
        return evaluate(args[1] if truthy(evaluate(args[0], env)) else args[2], env)
    values = [evaluate(arg, env) for arg in args]
    if name in ("min", "max"):
        numbers = [_number(v) for v in values]
        if any(v is None for v in numbers):
            return None
        return min(numbers) if name == "min" else max(numbers)
    if name in ("abs", "int", "round"):
        numbers = [_number(v) for v in values]
        if any(v is None for v in numbers):
            return None
        x = numbers[0]
        if name == "abs":
            return abs(x)
        if name == "int":
            return float(math.trunc(x))
        return _round(x, numbers[1] if len(numbers) > 1 else 0.0)
    value = values[0]
    if name == "len":
        return float(len(value)) if isinstance(value, str) else None
    if name == "selected":
        if not isinstance(values[1], str):
            return False
        if isinstance(value, list):
            return values[1] in value
        return isinstance(value, str) and value == values[1]
    if name == "count":
        if isinstance(value, list):
            return float(sum(1 for v in value if v is not None and v != "" and v != []))
        return 0.0 if value is None else 1.0
    # sum
    if isinstance(value, list):
        total = 0.0
        for item in value:
            if item is None:
                continue
            if not _is_number(item):
                return None
            total += float(item)
        return total if math.isfinite(total) else None
    return _number(value)


def evaluate(tree, env: dict):
    """The value of a parsed tree in `env` (name → value: float, str, bool, list or None)."""
    op = tree[0]
    if op in ("num", "str", "bool"):
        return tree[1]
    if op == "ref":
        return env.get(tree[1])
    if op == "neg":
        x = _number(evaluate(tree[1], env))
        return None if x is None else -x
    if op == "not":
        return not truthy(evaluate(tree[1], env))
    if op == "and":
        return truthy(evaluate(tree[1], env)) and truthy(evaluate(tree[2], env))
    if op == "or":
        return truthy(evaluate(tree[1], env)) or truthy(evaluate(tree[2], env))
    if op == "call":
        return _call(tree[1], tree[2], env)
    a, b = evaluate(tree[2], env), evaluate(tree[3], env)
    if a is None or b is None:
        return None
    sign = tree[1]
    if op == "cmp":
        if sign == "=":
            return _equal(a, b)
        if sign == "!=":
            return not _equal(a, b)
        if _is_number(a) and _is_number(b):
            a, b = float(a), float(b)
        elif not (isinstance(a, str) and isinstance(b, str)):
            return None
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[sign]
    if sign == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    a, b = _number(a), _number(b)
    if a is None or b is None:
        return None
    if sign == "/":
        if b == 0:
            return None
        result = a / b
    else:
        result = a + b if sign == "+" else a - b if sign == "-" else a * b
    return result if math.isfinite(result) else None


def run(text: str, env: dict):
    """Parse and evaluate in one step (for tests and the vectors)."""
    return evaluate(parse(text), env)
