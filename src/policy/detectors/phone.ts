/**
 * Phone numbers: regex candidates, cheap structural filters, then libphonenumber-js
 * (`findPhoneNumbersInText`) as the validator. The library is thorough but costs ~90 µs a call, so dates,
 * decimals, sentence breaks and impossible North-American numbers are turned away before it is asked,
 * and its answers are remembered (conversations resend their history every turn).
 */
import { type CountryCode, findPhoneNumbersInText } from "libphonenumber-js";
import { Lru } from "../lru.js";
import { eachInClusters } from "./clusters.js";
import type { Span } from "./types.js";

const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d[\d .-]{5,16}\d(?!\w)/g;
const DATE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;
const DECIMAL = /^\d+\.\d+$/;
/** E.164 allows at most 15 digits; national numbers have at least 7 almost everywhere. */
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;
const NANP = new Set<string>([
  "US",
  "CA",
  "AG",
  "AI",
  "AS",
  "BB",
  "BM",
  "BS",
  "DM",
  "DO",
  "GD",
  "GU",
  "JM",
  "KN",
  "KY",
  "LC",
  "MP",
  "MS",
  "PR",
  "SX",
  "TC",
  "TT",
  "VC",
  "VG",
  "VI",
]);

/** Pieces of a candidate worth validating: split at sentence breaks and around date-shaped tokens. */
function pieces(cand: string): Array<{ at: number; text: string }> {
  const out: Array<{ at: number; text: string }> = [];
  let start = -1;
  let end = 0;
  const flush = () => {
    if (start >= 0) out.push({ at: start, text: cand.slice(start, end) });
    start = -1;
  };
  for (const m of cand.matchAll(/\S+/g)) {
    const tok = m[0];
    if (DATE.test(tok) || DECIMAL.test(tok)) {
      flush();
      continue;
    }
    if (start < 0) start = m.index;
    end = m.index + tok.length;
    if (tok.endsWith(".")) {
      end--;
      flush();
    }
  }
  flush();
  return out;
}

/** A national North-American number must be NXX-NXX-XXXX (area code and exchange not starting with 0/1). */
function plausible(text: string, country: CountryCode): boolean {
  const digits = text.replace(/\D/g, "");
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) return false;
  if (text.startsWith("+") || !NANP.has(country)) return true;
  const n = digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
  return n.length === 10 && n[0] !== "0" && n[0] !== "1" && n[3] !== "0" && n[3] !== "1";
}

export class PhoneFinder {
  private readonly cache = new Lru<string, Array<{ s: number; e: number }>>(1000);
  constructor(private readonly country: CountryCode) {}

  find(text: string, out: Span[], label: string): void {
    eachInClusters(PHONE, text, MIN_DIGITS, (m, at) => {
      for (const p of pieces(m[0])) {
        if (!plausible(p.text, this.country)) continue;
        for (const f of this.validate(p.text))
          out.push({ start: at + p.at + f.s, end: at + p.at + f.e, label });
      }
    });
  }

  private validate(text: string): Array<{ s: number; e: number }> {
    let found = this.cache.get(text);
    if (!found) {
      found = findPhoneNumbersInText(text, { defaultCountry: this.country }).map((f) => ({
        s: f.startsAt,
        e: f.endsAt,
      }));
      this.cache.set(text, found);
    }
    return found;
  }
}
