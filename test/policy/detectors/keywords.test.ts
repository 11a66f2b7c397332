import { describe, expect, it } from "vitest";
import {
  createKeywordsDetector,
  KeywordIndex,
  normalizeForKeywords,
} from "../../../src/policy/detectors/keywords.js";
import type { KeywordsDef } from "../../../src/policy/schema.js";

const def = (over: Partial<KeywordsDef> = {}): KeywordsDef => ({
  type: "keywords",
  words: ["nightjar", "project bluebird", "kill"],
  match: "word",
  leetspeak: true,
  confusables: true,
  ...over,
});

function found(text: string, d = def()): string[] {
  const r = createKeywordsDetector(d).scan(text);
  return (r.data?.spans ?? []).map((s) => text.slice(s.start, s.end));
}

describe("keywords detector", () => {
  it.each([
    ["plain word", "the nightjar sings", ["nightjar"]],
    ["case-insensitive", "The NIGHTJAR sings", ["NIGHTJAR"]],
    ["leetspeak", "the n1ghtj4r sings", ["n1ghtj4r"]],
    ["phrase with extra spaces", "Project    Bluebird is live", ["Project    Bluebird"]],
    ["phrase across a newline", "project\nbluebird", ["project\nbluebird"]],
    ["punctuation after the word", "i will kill!", ["kill"]],
    ["look-alike letters", "the ｎｉｇｈｔｊａｒ sings", ["ｎｉｇｈｔｊａｒ"]],
    ["several matches", "kill, KILL and k1ll", ["kill", "KILL", "k1ll"]],
  ])("finds %s", (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it.each([
    ["inside a longer word", "skills and killers"],
    ["a prefix only", "nightjars"],
    ["unrelated text", "a quiet evening in the garden"],
    ["phrase words apart", "project x bluebird"],
  ])("does not match %s", (_name, text) => {
    expect(createKeywordsDetector(def()).scan(text).verdict).toBe("no_match");
  });

  it("matches inside words in substring mode", () => {
    expect(found("skills", def({ match: "substring" }))).toEqual(["kill"]);
  });

  it("does not see through leetspeak when it is turned off", () => {
    expect(found("n1ghtjar", def({ leetspeak: false }))).toEqual([]);
  });

  it("uses obscenity's English profanity list for list: profanity", () => {
    const d = def({ words: undefined, list: "profanity" });
    expect(createKeywordsDetector(d).scan("what the fuck").verdict).toBe("match");
    expect(createKeywordsDetector(d).scan("f u c k").verdict).toBe("no_match");
    expect(createKeywordsDetector(d).scan("what a lovely day").verdict).toBe("no_match");
  });

  it("maps offsets back to the original text around astral characters", () => {
    const text = "😀😀 nightjar";
    const span = createKeywordsDetector(def()).scan(text).data?.spans[0];
    expect(span && text.slice(span.start, span.end)).toBe("nightjar");
  });

  it("scans many rules in one index and attributes each match to its rule", () => {
    const index = new KeywordIndex([
      { key: 1, def: def({ words: ["alpha"] }) },
      { key: 2, def: def({ words: ["beta"], leetspeak: false }) },
    ]);
    const r = index.scan("alpha and b3ta and beta");
    expect([...r.keys()].sort()).toEqual([1, 2]);
    expect(r.get(2)?.length).toBe(1);
  });

  it("folds ASCII text keeping its indexes", () => {
    expect(normalizeForKeywords("H3LL0\tW", { leetspeak: true, confusables: true })).toEqual({
      text: "hello w",
    });
  });

  it("folds other text with a position map, collapsing whitespace", () => {
    const n = normalizeForKeywords("Ｈ3LL0  W", { leetspeak: true, confusables: true });
    expect(n.text).toBe("hello w");
    expect([n.start?.[5], n.end?.[5]]).toEqual([5, 7]);
  });
});
