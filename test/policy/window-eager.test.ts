import { describe, expect, it } from "vitest";
import { createPolicyEngine, type PolicyEngine } from "../../src/policy/engine.js";
import { loadPolicyFile } from "../../src/policy/load.js";
import { chunks, policyOf, rule, stream } from "./helpers.js";

const defaultEngine = async () => createPolicyEngine(await loadPolicyFile("policies/default.yaml"));
const engineOf = (rules: Array<Record<string, unknown>>, window_chars = 64) =>
  createPolicyEngine(policyOf({ window_chars, rules }));

const PROSE =
  "The quick brown fox jumps over the lazy dog, then naps under the old oak tree until noon. " +
  "Nothing here looks like a number, a mail address or a credential, so it should pass through at once.";

describe("eager release: prose passes in the push that brought it", () => {
  it("with the default policy, 4-character deltas are each released unchanged", async () => {
    const screen = (await defaultEngine()).createOutputScreen();
    let out = "";
    for (const delta of chunks(PROSE, 4)) {
      const step = screen.push(0, "text", delta);
      expect(step.release).toBe(delta);
      out += step.release;
    }
    const end = await screen.end(0);
    expect(end.release).toBe("");
    expect(out).toBe(PROSE);
  });
});

describe("eager release: a card number after prose", () => {
  it("releases the prose at once, holds the digits until the card is complete, then redacts it", async () => {
    const screen = (await defaultEngine()).createOutputScreen();
    const lead = "Sure, the card on file is ";
    expect(screen.push(0, "text", lead).release).toBe(lead);
    const digits = ["4111 11", "11 1111 ", "1111"];
    for (const d of digits) expect(screen.push(0, "text", d).release).toBe("");
    const next = screen.push(0, "text", ", thanks.");
    expect(next.release).toBe("[redacted: card number], thanks.");
    expect(next.matches.map((m) => m.ruleId)).toEqual(["privacy.card-numbers"]);
    expect((await screen.end(0)).release).toBe("");
  });
});

describe("eager release: a keyword rule", () => {
  const nightjar = rule({
    id: "codename",
    stages: ["output"],
    detector: { type: "keywords", words: ["nightjar"] },
    action: "redact",
  });

  it("holds a trailing prefix of the keyword and releases it once it cannot become the keyword", async () => {
    const screen = engineOf([nightjar]).createOutputScreen();
    expect(screen.push(0, "text", "the nigh").release).toBe("the ");
    expect(screen.push(0, "text", "t").release).toBe("");
    expect(screen.push(0, "text", " ").release).toBe("night ");
    expect(screen.push(0, "text", "and nightjar").release).toBe("and ");
    // "nightjar" complete, but it could still become "nightjars" (no word boundary yet).
    expect(screen.push(0, "text", "s").release).toBe("nightjars");
    const r = screen.push(0, "text", " nightjar.");
    expect(r.release).toBe(" [redacted: keyword].");
    expect(r.matches).toHaveLength(1);
  });
});

describe("eager release: regex rules", () => {
  const unanalysable = rule({
    id: "ticket",
    stages: ["output"],
    detector: { type: "regex", patterns: ["\\d{3}-[a-z]{4}"] },
    action: "redact",
  });
  const literalLed = rule({
    id: "ticket",
    stages: ["output"],
    detector: { type: "regex", patterns: ["ticket-\\d{4}"] },
    action: "redact",
  });

  it("a regex without a known leading literal falls back to the full window", async () => {
    const screen = engineOf([unanalysable], 16).createOutputScreen();
    const text = "some plain words and then some more plain words";
    let released = 0;
    for (const [i, c] of chunks(text, 3).entries()) {
      released += screen.push(0, "text", c).release.length;
      expect(released).toBe(Math.max(0, Math.min(text.length, (i + 1) * 3) - 16));
    }
  });

  it("and still catches a match split across deltas", async () => {
    const text = "your code is 123-abcd, keep it";
    const r = await stream(engineOf([unanalysable]).createOutputScreen(), chunks(text, 1));
    expect(r.released).toBe("your code is [redacted: pattern], keep it");
    expect(r.steps.join("")).not.toContain("123");
  });

  it("a regex led by a literal holds only from where the literal could begin", async () => {
    const engine = engineOf([literalLed]);
    const clean = engine.createOutputScreen();
    expect(clean.push(0, "text", "plain words, no literal").release).toBe("plain words, no literal");
    const screen = engine.createOutputScreen();
    expect(screen.push(0, "text", "see tic").release).toBe("see ");
    expect(screen.push(0, "text", "ket-12").release).toBe("");
    // Where a match of an arbitrary regex ends is not known: from its literal on, the window applies.
    expect(screen.push(0, "text", "34 ok").release).toBe("");
    expect((await screen.end(0)).release).toBe("[redacted: pattern] ok");
  });
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = "sky extra Alpha green eye gh x A sk rk as the - to AK AIr eyes slow github mail at".split(" ");
const SECRETS = [
  { raw: "4111 1111 1111 1111", marker: "[redacted: card number]" },
  { raw: "5500-0000-0000-0004", marker: "[redacted: card number]" },
  { raw: "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", marker: "[redacted: API key]" },
  { raw: "AKIAIOSFODNN7EXAMPLE", marker: "[redacted: AWS access key]" },
  { raw: "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", marker: "[redacted: GitHub token]" },
];
const EMAIL = "jane.doe@example.com";

function randomCase(r: () => number): { text: string; expected: string } {
  let text = "";
  let expected = "";
  const n = 5 + Math.floor(r() * 25);
  for (let i = 0; i < n; i++) {
    const roll = r();
    const sep = i === 0 ? "" : r() < 0.2 ? ", " : " ";
    const pick = SECRETS[Math.floor(r() * SECRETS.length)];
    const piece =
      roll < 0.15 && pick
        ? pick
        : roll < 0.22
          ? { raw: EMAIL, marker: EMAIL }
          : { raw: WORDS[Math.floor(r() * WORDS.length)] ?? "word", marker: "" };
    // A word after each secret: two card numbers in a row are one digit run to the detector.
    const after = piece.marker && piece.marker !== piece.raw ? " word" : "";
    text += sep + piece.raw + after;
    expected += sep + (piece.marker || piece.raw) + after;
  }
  return { text, expected };
}

function randomSplit(text: string, r: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = r() < 0.3 ? 1 : 1 + Math.floor(r() * 12);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

async function matchesOf(engine: PolicyEngine, parts: string[]) {
  const r = await stream(engine.createOutputScreen(), parts);
  const where = r.matches.map((m) => `${m.ruleId}@${m.location.start}-${m.location.end}`).sort();
  return { ...r, where };
}

describe("eager release: property test", () => {
  it("random texts split at random points never leak a match and equal the whole-text screening", async () => {
    const engine = await defaultEngine();
    const r = rng(20240611);
    for (let iter = 0; iter < 150; iter++) {
      const { text, expected } = randomCase(r);
      const parts = randomSplit(text, r);
      const whole = await matchesOf(engine, [text]);
      const streamed = await matchesOf(engine, parts);
      const ctx = JSON.stringify(parts);
      expect(whole.released, ctx).toBe(expected);
      expect(streamed.released, ctx).toBe(expected);
      expect(streamed.where, ctx).toEqual(whole.where);
      for (const s of SECRETS) expect(streamed.released, ctx).not.toContain(s.raw.slice(0, 12));
      // Every release step is a piece of the final text: nothing was forwarded and later taken back.
      expect(streamed.steps.join(""), ctx).toBe(expected);
    }
  });
});
