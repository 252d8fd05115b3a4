/* The gate's pass verifier: the JavaScript twin of xiachen/passes/tokens.py + verifier.py.
 * Same checks, same order, same reason codes (tests/passes/vectors.json runs through both).
 * Ed25519 through WebCrypto when the browser has it, else the vendored tweetnacl. Never throws. */
(function (global) {
  "use strict";
  var PREFIX = "XC1", MAX_TOKEN_LENGTH = 400, PAYLOAD_BYTES = 57;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var GROUPS = ["", "medical_staff", "cadres_on_duty", "delivery", "utility_repair", "emergency"];
  var SHANGHAI_OFFSET = 8 * 3600;

  function TokenError(reason) { this.reason = reason; }

  function b32decode(text) {
    if (!text || [1, 3, 6].indexOf(text.length % 8) >= 0) throw new TokenError("malformed");
    var bits = 0, value = 0, out = [];
    for (var i = 0; i < text.length; i++) {
      var index = ALPHABET.indexOf(text.charAt(i));
      if (index < 0) throw new TokenError("malformed");
      value = (value << 5) | index; bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    if (value & ((1 << bits) - 1)) throw new TokenError("malformed");  // non-zero padding bits
    return new Uint8Array(out);
  }

  function b64decode(text) {
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function uuidOf(bytes) {
    var hex = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function uint32(bytes, offset) {
    return ((bytes[offset] << 24) >>> 0) + (bytes[offset + 1] << 16) + (bytes[offset + 2] << 8) + bytes[offset + 3];
  }

  function parseToken(token) {
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) throw new TokenError("oversize");
    token = token.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");  // the one whitespace rule: not trim() (BOM, NBSP…)
    var parts = token.split(":");
    if (parts[0] !== PREFIX) throw new TokenError(parts[0].indexOf("XC") === 0 ? "unsupported_version" : "malformed");
    if (parts.length !== 4) throw new TokenError(parts.length < 4 ? "truncated" : "malformed");
    var keyId = b32decode(parts[1]), payload = b32decode(parts[2]), signature = b32decode(parts[3]);
    if (keyId.length !== 4 || payload.length !== PAYLOAD_BYTES || signature.length !== 64) throw new TokenError("truncated");
    if (payload[56] >= GROUPS.length) throw new TokenError("malformed");
    return {
      keyId: parts[1],
      claims: {
        passId: uuidOf(payload.slice(0, 16)), householdId: uuidOf(payload.slice(16, 32)),
        audienceId: uuidOf(payload.slice(32, 48)), notBefore: uint32(payload, 48), notAfter: uint32(payload, 52),
        group: GROUPS[payload[56]]
      },
      signedPart: new TextEncoder().encode(token.slice(0, token.lastIndexOf(":"))),
      signature: signature
    };
  }

  // Ed25519's group order L, little-endian. S >= L is a malleated signature: WebCrypto and the
  // server refuse it, tweetnacl does not, so it is refused here before either is asked.
  var ED25519_L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
  function sIsCanonical(signature) {
    for (var i = 31; i >= 0; i--) {
      if (signature[32 + i] < ED25519_L[i]) return true;
      if (signature[32 + i] > ED25519_L[i]) return false;
    }
    return false;  // S == L
  }

  var webCryptoEd25519 = null;  // null: not probed yet
  async function signatureIsValid(parsed, publicKey) {
    if (!sIsCanonical(parsed.signature)) return false;
    if (webCryptoEd25519 !== false && global.crypto && global.crypto.subtle) {
      try {
        var key = await global.crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
        webCryptoEd25519 = true;
        return await global.crypto.subtle.verify({ name: "Ed25519" }, key, parsed.signature, parsed.signedPart);
      } catch (error) {
        if (webCryptoEd25519 === true) return false;
        webCryptoEd25519 = false;
      }
    }
    try {
      return global.nacl.sign.detached.verify(parsed.signedPart, parsed.signature, publicKey);
    } catch (error) {
      return false;
    }
  }

  function minutes(hhmm) { var p = hhmm.split(":"); return parseInt(p[0], 10) * 60 + parseInt(p[1], 10); }

  var DAY = 86400;
  // Reasons that let the person through: "valid" and the two warnings (shown in amber).
  var PASSING = ["valid", "held_warning", "overstayed"];

  function localDay(epoch) { return Math.floor((epoch + SHANGHAI_OFFSET) / DAY); }

  // The household's outings let through before: (pass id, epoch) from the server and from this phone.
  function outsOf(outs, household) {
    return (outs || []).filter(function (o) { return o.household === household; });
  }

  // 每户外出间隔: some outing of the household (any member, the same person included) before now fell
  // on one of the last `days` local calendar days, today included.
  function wentOutWithinDays(outs, now, days) {
    var today = localDay(now);
    return outs.some(function (o) { return o.at < now && today - localDay(o.at) < days; });
  }

  function overstayed(outs, passId, now, maxHours) {
    var last = null;
    outs.forEach(function (o) { if (o.pass_id === passId && o.at < now && (last === null || o.at > last)) last = o.at; });
    return last !== null && now - last > maxHours * 3600;
  }

  function has(list, value) { return (list || []).indexOf(value) >= 0; }

  /* Fever, then coming back late, then held at home, exemptions, hours, designated member, interval. */
  function policyReason(policy, claims, scan, snapshot) {
    if (scan.temperature !== null && scan.temperature !== undefined && scan.temperature >= policy.fever_threshold) return "fever";
    var exempt = has(policy.exempt_groups, claims.group);
    if (scan.direction !== "out") {
      if (policy.max_hours_out && !exempt &&
          overstayed(outsOf(snapshot.recent_outs, claims.householdId), claims.passId, scan.now, policy.max_hours_out)) return "overstayed";
      return "valid";
    }
    var warning = "valid";
    if (has(snapshot.held_passes, claims.passId)) {  // a health order: no exempt group lifts it
      if (policy.held_action !== "warn") return "held";
      warning = "held_warning";
    }
    if (exempt) return warning;
    var localMinute = Math.floor(((scan.now + SHANGHAI_OFFSET) % DAY) / 60);
    if (!(minutes(policy.hours[0]) <= localMinute && localMinute < minutes(policy.hours[1]))) return "outside_hours";
    if (policy.designated_only && !has(snapshot.designated_passes, claims.passId)) return "not_designated";
    if (policy.out_every_days && wentOutWithinDays(outsOf(snapshot.recent_outs, claims.householdId), scan.now, policy.out_every_days)) return "too_frequent";
    return warning;
  }

  /* snapshot: {keys: {kid: base64 public key}, revoked_keys, revoked_passes, audiences, policy, held_passes,
   *            designated_passes, recent_outs: [{household, pass_id, at}]}
   * scan: {now (unix seconds), direction, temperature}. Resolves to {valid, reason, pass_id, key_id, household_id, policy_version}. */
  async function verify(token, snapshot, scan) {
    var parsed;
    try {
      parsed = parseToken(token);
    } catch (error) {
      return { valid: false, reason: error instanceof TokenError ? error.reason : "malformed", pass_id: "", key_id: "", household_id: "", policy_version: null };
    }
    var claims = parsed.claims, reason;
    var key = Object.prototype.hasOwnProperty.call(snapshot.keys || {}, parsed.keyId) ? snapshot.keys[parsed.keyId] : null;
    if ((snapshot.revoked_keys || []).indexOf(parsed.keyId) >= 0) reason = "key_revoked";
    else if (key === null) reason = "unknown_key";
    else if (!(await signatureIsValid(parsed, b64decode(key)))) reason = "bad_signature";
    else if (scan.now < claims.notBefore) reason = "not_yet_valid";
    else if (scan.now >= claims.notAfter) reason = "expired";
    else if ((snapshot.audiences || []).length && snapshot.audiences.indexOf(claims.audienceId) < 0) reason = "wrong_audience";
    else if ((snapshot.revoked_passes || []).indexOf(claims.passId) >= 0) reason = "pass_revoked";
    else if (snapshot.policy) reason = policyReason(snapshot.policy, claims, scan, snapshot);
    else if (scan.direction === "out" && has(snapshot.held_passes, claims.passId)) reason = "held";
    else reason = "valid";
    return {
      valid: PASSING.indexOf(reason) >= 0, reason: reason, pass_id: claims.passId, key_id: parsed.keyId,
      household_id: claims.householdId, policy_version: snapshot.policy ? snapshot.policy.version : null
    };
  }

  global.XiachenVerifier = { verify: verify, parseToken: parseToken, usesWebCrypto: function () { return webCryptoEd25519; } };
})(typeof self !== "undefined" ? self : this);
