/* The expression language of field forms (ADR 2021), in the browser: the same parser and evaluator
 * as xiachen/surveys/expressions.py, line for line, tested against the same vectors
 * (tests/surveys/expression_vectors.json). A tree of arrays, walked; no code is ever compiled from the text.
 * self.XiachenExpr = {parse, evaluate, run, truthy, references, ExpressionError}. */
(function (root) {
  "use strict";
  var MAX_LENGTH = 300, MAX_DEPTH = 20;
  var FUNCTIONS = {
    "if": [3, 3], "min": [1, 10], "max": [1, 10], "abs": [1, 1], "int": [1, 1], "round": [1, 2],
    "len": [1, 1], "selected": [2, 2], "count": [1, 1], "sum": [1, 1]
  };
  var KEYWORDS = { "and": 1, "or": 1, "not": 1, "true": 1, "false": 1 };
  var COMPARISONS = { "=": 1, "!=": 1, "<": 1, "<=": 1, ">": 1, ">=": 1 };
  var own = Object.prototype.hasOwnProperty;

  function ExpressionError(message) { this.message = message; this.name = "ExpressionError"; }
  ExpressionError.prototype = Object.create(Error.prototype);

  function isDigit(ch) { return ch >= "0" && ch <= "9"; }
  function isAlpha(ch) { return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_"; }

  function tokens(text) {
    var out = [], i = 0, n = text.length, j, ch, two;
    while (i < n) {
      ch = text[i];
      if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") { i += 1; }
      else if (isDigit(ch)) {
        j = i;
        while (j < n && isDigit(text[j])) j += 1;
        if (j + 1 < n && text[j] === "." && isDigit(text[j + 1])) {
          j += 1;
          while (j < n && isDigit(text[j])) j += 1;
        }
        out.push(["num", parseFloat(text.slice(i, j)), i]);
        i = j;
      } else if (ch === "'" || ch === '"') {
        j = text.indexOf(ch, i + 1);
        if (j < 0) throw new ExpressionError("第 " + (i + 1) + " 个字符处的引号没有闭合");
        out.push(["str", text.slice(i + 1, j), i]);
        i = j + 1;
      } else if (isAlpha(ch)) {
        j = i;
        while (j < n && (isAlpha(text[j]) || isDigit(text[j]))) j += 1;
        out.push(["name", text.slice(i, j), i]);
        i = j;
      } else if ((two = text.slice(i, i + 2)) === "<=" || two === ">=" || two === "!=" || two === "==") {
        out.push(["op", two === "==" ? "=" : two, i]);
        i += 2;
      } else if ("=<>+-*/(),.".indexOf(ch) >= 0) {
        out.push(["op", ch, i]);
        i += 1;
      } else {
        throw new ExpressionError("第 " + (i + 1) + " 个字符“" + ch + "”无法识别");
      }
    }
    out.push(["end", null, n]);
    return out;
  }

  function Parser(text) { this.tokens = tokens(text); this.pos = 0; this.depth = 0; }
  Parser.prototype.peek = function () { return this.tokens[this.pos]; };
  Parser.prototype.take = function () { return this.tokens[this.pos++]; };
  Parser.prototype.isOp = function (v) { var t = this.peek(); return t[0] === "op" && t[1] === v; };
  Parser.prototype.isName = function (v) { var t = this.peek(); return t[0] === "name" && t[1] === v; };
  Parser.prototype.expectOp = function (v) {
    if (!this.isOp(v)) throw new ExpressionError("第 " + (this.peek()[2] + 1) + " 个字符处缺少“" + v + "”");
    this.take();
  };
  Parser.prototype.nest = function () {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new ExpressionError("表达式嵌套太深");
  };
  Parser.prototype.parse = function () {
    var tree = this.parseOr();
    if (this.peek()[0] !== "end") throw new ExpressionError("第 " + (this.peek()[2] + 1) + " 个字符处多余的内容");
    return tree;
  };
  Parser.prototype.parseOr = function () {
    var left = this.parseAnd();
    while (this.isName("or")) { this.take(); left = ["or", left, this.parseAnd()]; }
    return left;
  };
  Parser.prototype.parseAnd = function () {
    var left = this.parseNot();
    while (this.isName("and")) { this.take(); left = ["and", left, this.parseNot()]; }
    return left;
  };
  Parser.prototype.parseNot = function () {
    if (this.isName("not")) {
      this.take(); this.nest();
      var node = ["not", this.parseNot()];
      this.depth -= 1;
      return node;
    }
    return this.parseCmp();
  };
  Parser.prototype.parseCmp = function () {
    var left = this.parseAdd(), t = this.peek();
    if (t[0] === "op" && own.call(COMPARISONS, t[1])) {
      this.take();
      left = ["cmp", t[1], left, this.parseAdd()];
    }
    return left;
  };
  Parser.prototype.parseAdd = function () {
    var left = this.parseMul();
    while (this.isOp("+") || this.isOp("-")) left = ["arith", this.take()[1], left, this.parseMul()];
    return left;
  };
  Parser.prototype.parseMul = function () {
    var left = this.parseUnary();
    while (this.isOp("*") || this.isOp("/")) left = ["arith", this.take()[1], left, this.parseUnary()];
    return left;
  };
  Parser.prototype.parseUnary = function () {
    if (this.isOp("-")) {
      this.take(); this.nest();
      var node = ["neg", this.parseUnary()];
      this.depth -= 1;
      return node;
    }
    return this.parsePrimary();
  };
  Parser.prototype.parsePrimary = function () {
    var t = this.take(), kind = t[0], value = t[1], at = t[2], node, args, limits;
    if (kind === "num") return ["num", value];
    if (kind === "str") return ["str", value];
    if (kind === "op" && value === ".") return ["ref", "."];
    if (kind === "op" && value === "(") {
      this.nest();
      node = this.parseOr();
      this.depth -= 1;
      this.expectOp(")");
      return node;
    }
    if (kind === "name") {
      if (value === "true" || value === "false") return ["bool", value === "true"];
      if (own.call(KEYWORDS, value)) throw new ExpressionError("第 " + (at + 1) + " 个字符处的“" + value + "”用法不对");
      if (this.isOp("(")) {
        if (!own.call(FUNCTIONS, value)) throw new ExpressionError("不支持的函数“" + value + "”");
        this.take(); this.nest();
        args = [];
        if (!this.isOp(")")) {
          args.push(this.parseOr());
          while (this.isOp(",")) { this.take(); args.push(this.parseOr()); }
        }
        this.expectOp(")");
        this.depth -= 1;
        limits = FUNCTIONS[value];
        if (args.length < limits[0] || args.length > limits[1]) throw new ExpressionError("函数“" + value + "”的参数个数不对");
        return ["call", value, args];
      }
      if (/^q[1-9][0-9]*$/.test(value)) return ["ref", value];
      throw new ExpressionError("未知的名称“" + value + "”（引用题目请写 q 加题号，如 q3）");
    }
    if (kind === "end") throw new ExpressionError("表达式不完整");
    throw new ExpressionError("第 " + (at + 1) + " 个字符处的“" + value + "”用法不对");
  };

  function parse(text) {
    text = (text || "").trim();
    if (!text) throw new ExpressionError("表达式为空");
    if (text.length > MAX_LENGTH) throw new ExpressionError("表达式不能超过 " + MAX_LENGTH + " 个字符");
    return new Parser(text).parse();
  }

  function references(tree, found) {
    found = found || {};
    if (tree[0] === "ref") { found[tree[1]] = true; return found; }
    tree.slice(1).forEach(function (part) {
      if (Array.isArray(part)) {
        (part.length && Array.isArray(part[0]) ? part : [part]).forEach(function (item) { references(item, found); });
      }
    });
    return found;
  }

  // --- evaluation ---
  function isNumber(v) { return typeof v === "number"; }
  function truthy(v) {
    if (v === null || v === undefined) return false;
    if (typeof v === "boolean") return v;
    if (isNumber(v)) return v !== 0 && !isNaN(v);
    if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
    return true;
  }
  function num(v) { return isNumber(v) && isFinite(v) ? v : null; }
  function equal(a, b) {
    if (isNumber(a) && isNumber(b)) return a === b;
    if ((typeof a === "string" && typeof b === "string") || (typeof a === "boolean" && typeof b === "boolean")) return a === b;
    return false;
  }
  function round(x, digits) {
    if (digits !== Math.trunc(digits) || digits < 0 || digits > 6) return null;
    var scaled = Math.abs(x) * Math.pow(10, digits) + 0.5;
    if (!isFinite(scaled)) return null;
    var result = Math.floor(scaled) / Math.pow(10, digits);
    return x < 0 ? -result : result;
  }
  function call(name, args, env) {
    if (name === "if") return evaluate(truthy(evaluate(args[0], env)) ? args[1] : args[2], env);
    var values = args.map(function (a) { return evaluate(a, env); }), numbers, value, total, i;
    if (name === "min" || name === "max" || name === "abs" || name === "int" || name === "round") {
      numbers = values.map(num);
      if (numbers.some(function (v) { return v === null; })) return null;
      if (name === "min") return Math.min.apply(null, numbers);
      if (name === "max") return Math.max.apply(null, numbers);
      if (name === "abs") return Math.abs(numbers[0]);
      if (name === "int") return Math.trunc(numbers[0]);
      return round(numbers[0], numbers.length > 1 ? numbers[1] : 0);
    }
    value = values[0];
    if (value === undefined) value = null;
    if (name === "len") return typeof value === "string" ? Array.from(value).length : null;
    if (name === "selected") {
      if (typeof values[1] !== "string") return false;
      if (Array.isArray(value)) return value.indexOf(values[1]) >= 0;
      return typeof value === "string" && value === values[1];
    }
    if (name === "count") {
      if (Array.isArray(value)) {
        return value.filter(function (v) {
          return v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0);
        }).length;
      }
      return value === null ? 0 : 1;
    }
    if (Array.isArray(value)) {
      total = 0;
      for (i = 0; i < value.length; i += 1) {
        if (value[i] === null || value[i] === undefined) continue;
        if (!isNumber(value[i])) return null;
        total += value[i];
      }
      return isFinite(total) ? total : null;
    }
    return num(value);
  }

  function evaluate(tree, env) {
    var op = tree[0], a, b, sign, x, result;
    if (op === "num" || op === "str" || op === "bool") return tree[1];
    if (op === "ref") return own.call(env, tree[1]) && env[tree[1]] !== undefined ? env[tree[1]] : null;
    if (op === "neg") { x = num(evaluate(tree[1], env)); return x === null ? null : -x; }
    if (op === "not") return !truthy(evaluate(tree[1], env));
    if (op === "and") return truthy(evaluate(tree[1], env)) && truthy(evaluate(tree[2], env));
    if (op === "or") return truthy(evaluate(tree[1], env)) || truthy(evaluate(tree[2], env));
    if (op === "call") return call(tree[1], tree[2], env);
    a = evaluate(tree[2], env); b = evaluate(tree[3], env);
    if (a === null || a === undefined || b === null || b === undefined) return null;
    sign = tree[1];
    if (op === "cmp") {
      if (sign === "=") return equal(a, b);
      if (sign === "!=") return !equal(a, b);
      if (!((isNumber(a) && isNumber(b)) || (typeof a === "string" && typeof b === "string"))) return null;
      if (sign === "<") return a < b;
      if (sign === "<=") return a <= b;
      if (sign === ">") return a > b;
      return a >= b;
    }
    if (sign === "+" && typeof a === "string" && typeof b === "string") return a + b;
    a = num(a); b = num(b);
    if (a === null || b === null) return null;
    if (sign === "/") {
      if (b === 0) return null;
      result = a / b;
    } else {
      result = sign === "+" ? a + b : sign === "-" ? a - b : a * b;
    }
    return isFinite(result) ? result : null;
  }

  function run(text, env) { return evaluate(parse(text), env); }

  root.XiachenExpr = {
    parse: parse, evaluate: evaluate, run: run, truthy: truthy, references: references,
    ExpressionError: ExpressionError
  };
})(typeof self !== "undefined" ? self : globalThis);
