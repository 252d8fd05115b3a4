/* Runs the browser's expression evaluator (xiachen/static/surveys/expressions.js) on the shared vectors:
 *   node run_expression_vectors.js <expressions.js> <vectors.json>
 * and prints a JSON list, one {result} or {error: message} per case, in order. */
"use strict";
const fs = require("fs");
const vm = require("vm");

const [enginePath, vectorsPath] = process.argv.slice(2);
globalThis.self = globalThis;
vm.runInThisContext(fs.readFileSync(enginePath, "utf8"), { filename: enginePath });
const out = JSON.parse(fs.readFileSync(vectorsPath, "utf8")).cases.map((c) => {
  try {
    return { result: self.XiachenExpr.run(c.expr, c.env || {}) };
  } catch (error) {
    if (!(error instanceof self.XiachenExpr.ExpressionError)) throw error;
    return { error: error.message };
  }
});
process.stdout.write(JSON.stringify(out));
