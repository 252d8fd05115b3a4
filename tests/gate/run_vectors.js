/* Runs the gate's verifier (xiachen/static/gate/verifier.js) on the pass test-vector corpus under node:
 *   node run_vectors.js <verifier.js> <tweetnacl.js> <vectors.json> [webcrypto|tweetnacl]
 * and prints {case name: {valid, reason}} as JSON. The snapshot is built the way gate.js builds it;
 * a case's "policy" overrides fields of the corpus policy (as tests/passes/test_tokens.py does). */
"use strict";
const fs = require("fs");
const vm = require("vm");

const [verifierPath, naclPath, corpusPath, engine] = process.argv.slice(2);
globalThis.self = globalThis;
if (engine === "tweetnacl") Object.defineProperty(globalThis, "crypto", { value: { subtle: undefined } });
vm.runInThisContext(fs.readFileSync(naclPath, "utf8"), { filename: naclPath });
vm.runInThisContext(fs.readFileSync(verifierPath, "utf8"), { filename: verifierPath });

(async () => {
  const corpus = JSON.parse(fs.readFileSync(corpusPath, "utf8"));
  const out = {};
  for (const c of corpus.cases) {
    const snapshot = {
      keys: corpus.keys, revoked_keys: corpus.revoked_keys, revoked_passes: corpus.revoked_passes,
      audiences: corpus.audiences, policy: Object.assign({}, corpus.policy, c.policy || {}),
      held_passes: corpus.held_passes, designated_passes: corpus.designated_passes, recent_outs: corpus.recent_outs
    };
    const v = await self.XiachenVerifier.verify(c.token, snapshot, { now: c.now, direction: c.direction, temperature: c.temperature });
    out[c.name] = { valid: v.valid, reason: v.reason };
  }
  out["#engine"] = self.XiachenVerifier.usesWebCrypto() ? "webcrypto" : "tweetnacl";
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { process.stderr.write(String(error.stack || error)); process.exit(1); });
