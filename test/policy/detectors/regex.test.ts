import { describe, expect, it } from "vitest";
import { AhoCorasick } from "../../../src/policy/aho-corasick.js";
import { createRegexDetector, RegexIndex } from "../../../src/policy/detectors/regex.js";
import { Lru } from "../../../src/policy/lru.js";
import { requiredLiterals } from "../../../src/policy/regex-literals.js";
import type { RegexDef } from "../../../src/policy/schema.js";

const re = (patterns: string[], flags = ""): RegexDef => ({ type: "regex", patterns, flags });

function found(d: RegexDef, text: string): string[] {
  return (createRegexDetector(d).scan(text).data?.spans ?? []).map((s) => text.slice(s.start, s.end));
}

describe("regex detector", () => {
  it.each([
    [re(["\\bINC-\\d{6}\\b"]), "see INC-123456 now", ["INC-123456"]],
    [re(["\\bINC-\\d{6}\\b"], "i"), "see inc-123456 now", ["inc-123456"]],
    [re(["colou?r"]), "color and colour", ["color", "colour"]],
    [re(["foo|bar"]), "a bar, a foo", ["bar", "foo"]],
    [re(["[0-9]{3}-[0-9]{4}"]), "call 555-1234", ["555-1234"]],
    [re(["(?<=id=)\\w+"]), "x id=abc y", ["abc"]],
    [re(["x*"]), "yyy", []],
  ])("%j on %j finds %j", (d, text, expected) => {
    expect(found(d, text)).toEqual(expected);
  });

  it("does not match when the pattern is absent", () => {
    expect(createRegexDetector(re(["\\bsecret-\\d+\\b"])).scan("nothing here").verdict).toBe("no_match");
  });

  it("the literal prefilter never hides a case-insensitive match", () => {
    // Prefilter literal "abc" is searched ASCII-case-folded; the regex decides.
    expect(found(re(["ABC\\d"], "i"), "xx abc1 ABC2")).toEqual(["abc1", "ABC2"]);
    expect(found(re(["ABC\\d"]), "xx abc1 ABC2")).toEqual(["ABC2"]);
    // Under Unicode case folding, U+212A KELVIN SIGN matches k.
    expect(found(re(["kelvin"], "iu"), "\u212Aelvin")).toEqual(["\u212Aelvin"]);
  });

  it("attributes matches of many rules to their own rule", () => {
    const index = new RegexIndex(
      Array.from({ length: 50 }, (_, i) => ({ key: i, def: re([`\\bterm-${i}\\b`]) })),
    );
    const r = index.scan("we saw term-7 and term-42 but not term-420");
    expect([...r.keys()].sort((a, b) => a - b)).toEqual([7, 42]);
  });
});

describe("required literals (prefilter)", () => {
  it.each([
    ["\\bsk-ant-[A-Za-z0-9_-]{20,}", "", ["sk-ant-"]],
    ["foo|bar(baz)?", "", ["foo", "bar"]],
    ["colou?r", "", ["colo"]],
    ["a{2}bc", "", ["bc"]],
    ["(a|b)cd", "", ["cd"]],
    ["x\\.y+z", "", ["x.y"]],
    ["ab?c", "", null],
    ["[abc]|de", "", null],
    ["\\d+", "", null],
    ["héllo", "i", ["llo"]],
    ["\\u{1F600}ab", "u", ["ab"]],
    ["\\u{1F600}", "u", null],
  ])("%s (flags %j) → %j", (src, flags, expected) => {
    expect(requiredLiterals(src, flags)).toEqual(expected);
  });
});

describe("Aho–Corasick", () => {
  it("reports every occurrence of every pattern, overlapping ones included", () => {
    const ac = new AhoCorasick(["he", "she", "his", "hers"], { foldCase: true });
    const hits: Array<[number, number]> = [];
    ac.scan("uSHErs his", (p, end) => hits.push([p, end]));
    expect(hits).toEqual([
      [1, 4],
      [0, 4],
      [3, 6],
      [2, 10],
    ]);
  });

  it("handles non-ASCII patterns and text", () => {
    const ac = new AhoCorasick(["ünï", "日本"], { foldCase: false });
    expect([...ac.present("xünïx 日本語")]).toEqual([1, 1]);
    expect([...ac.present("unix")]).toEqual([0, 0]);
  });
});

describe("Lru", () => {
  it("evicts the least recently used entry by count and by weight", () => {
    const byCount = new Lru<string, number>(2);
    byCount.set("a", 1);
    byCount.set("b", 2);
    byCount.get("a");
    byCount.set("c", 3);
    expect([byCount.get("a"), byCount.get("b"), byCount.get("c")]).toEqual([1, undefined, 3]);
    const byWeight = new Lru<string, number>(100, { weigh: (k) => k.length, maxWeight: 5 });
    byWeight.set("aaa", 1);
    byWeight.set("bbb", 2);
    expect([byWeight.get("aaa"), byWeight.get("bbb"), byWeight.size]).toEqual([undefined, 2, 1]);
  });
});
