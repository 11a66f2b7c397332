/**
 * `pii`: personal data. Candidates are found by cheap regexes, then validated (Luhn for cards, the IBAN
 * checksum via ibantools, libphonenumber-js for phone numbers, SSA rules for US SSNs, node:net for IPs), so
 * order numbers and version strings are not redacted as cards or addresses.
 */
import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import type { CountryCode } from "libphonenumber-js";
import type { PiiDef, PiiKind } from "../schema.js";
import { eachInClusters } from "./clusters.js";
import { PhoneFinder } from "./phone.js";
import { cardValid, emailValid, ipValid, ssnValid } from "./pii-validators.js";
import { minTail } from "./tails.js";
import { type DetectorResult, fromSpans, MAX_SPANS, type Span, type SyncDetector } from "./types.js";

export const PII_LABELS: Record<PiiKind, string> = {
  email: "email address",
  phone: "phone number",
  card: "card number",
  iban: "IBAN",
  ssn: "national ID number",
  ip: "IP address",
};

// Up to ~10 cards written back to back: the candidate is split into cards by cardsIn.
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,199}(?!\d)/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g;
const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9.-]/;
const IPV6_CHAR = /[0-9A-Fa-f:]/;

/** Digits with single separators (the shape of cards and SSNs), possibly still growing. */
const DIGIT_RUN = /(?<![\d-])\d(?:[ -]?\d)*[ -]?$/g;

/**
 * Per kind, the text suffixes a match could still start with (see `holdFrom`). Each mirrors its finder:
 * - card, ssn: digits with single spaces/dashes, not preceded by a digit or dash;
 * - iban: up to two capitals, two digits, then capitals/digits with single spaces (at a word start);
 * - email: a local-part run, optionally `@` and a domain run (an e-mail's start is found back from its `@`);
 * - ip: digits and dots (v4), hex digits and colons at a word start (v6);
 * - phone: a run of digits and number punctuation starting at a digit, `+` or `(`.
 */
const TAILS: Record<PiiKind, RegExp[]> = {
  card: [DIGIT_RUN],
  ssn: [DIGIT_RUN],
  iban: [/\b[A-Z](?:[A-Z](?:\d(?:\d(?: ?[A-Z0-9])* ?)?)?)?$/g],
  email: [/[A-Za-z0-9._%+-]+(?:@[A-Za-z0-9.-]*)?$/g],
  ip: [/(?<![\d.])\d[\d.]*$/g, /(?<![\w.])[0-9A-Fa-f:]+$/g],
  phone: [/[\d+(][\d .()+-]*$/g],
};

/** The card numbers inside one candidate: groups of digits (split by single separators) totalling 13–19 digits. */
function cardsIn(cand: string, at: number, out: Span[]): void {
  const groups = [...cand.matchAll(/\d+/g)].map((m) => ({ s: m.index, e: m.index + m[0].length, d: m[0] }));
  let i = 0;
  while (i < groups.length) {
    let found = -1;
    let digits = "";
    // Longest run of groups starting at i that is a valid card (a card followed by "12/27" still counts).
    for (let j = i; j < groups.length; j++) {
      digits += (groups[j] as { d: string }).d;
      if (digits.length > 19) break;
      if (cardValid(digits)) found = j;
    }
    if (found >= 0) {
      out.push({
        start: at + (groups[i]?.s ?? 0),
        end: at + (groups[found]?.e ?? 0),
        label: PII_LABELS.card,
      });
      i = found + 1;
    } else i++;
  }
}

function ibansIn(cand: string, at: number, out: Span[]): void {
  // The regex may swallow a following upper-case word; drop trailing space-separated chunks until it checks out.
  let c = cand;
  while (c.replace(/ /g, "").length >= 15) {
    if (isValidIBAN(electronicFormatIBAN(c) ?? "")) {
      out.push({ start: at, end: at + c.length, label: PII_LABELS.iban });
      return;
    }
    const cut = c.lastIndexOf(" ");
    if (cut < 0) return;
    c = c.slice(0, cut);
  }
}

function emails(text: string, out: Span[]): void {
  for (let at = text.indexOf("@"); at >= 0 && out.length < MAX_SPANS; at = text.indexOf("@", at + 1)) {
    let s = at;
    while (s > 0 && at - s < 64 && EMAIL_LOCAL.test(text[s - 1] ?? "")) s--;
    let e = at + 1;
    while (e < text.length && e - at < 254 && EMAIL_DOMAIN.test(text[e] ?? "")) e++;
    while (e > at + 1 && /[.-]/.test(text[e - 1] ?? "")) e--;
    if (emailValid(text.slice(s, at), text.slice(at + 1, e))) {
      out.push({ start: s, end: e, label: PII_LABELS.email });
      at = e - 1;
    }
  }
}

/** IPv6 candidates grow from each ':' (rare in prose), so letters a–f do not each start a regex attempt. */
function ipv6(text: string, out: Span[]): void {
  let from = 0;
  for (let at = text.indexOf(":"); at >= 0 && out.length < MAX_SPANS; at = text.indexOf(":", from)) {
    let s = at;
    while (s > 0 && at - s < 40 && IPV6_CHAR.test(text[s - 1] ?? "")) s--;
    let e = at + 1;
    while (e < text.length && e - s < 40 && IPV6_CHAR.test(text[e] ?? "")) e++;
    from = e + 1;
    const before = text[s - 1] ?? " ";
    const after = text[e] ?? " ";
    if (/[\w.]/.test(before) || /[\w]/.test(after)) continue;
    const cand = text.slice(s, e);
    if (ipValid(cand)) out.push({ start: s, end: e, label: PII_LABELS.ip });
  }
}

function each(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) fn(m);
}

type Finder = (text: string, out: Span[], phones: PhoneFinder) => void;

/** In priority order: a later kind's span overlapping an earlier one is dropped (a card is not also a phone). */
const FINDERS: Array<[PiiKind, Finder]> = [
  ["card", (t, out) => eachInClusters(CARD, t, 13, (m, at) => cardsIn(m[0], at, out))],
  ["iban", (t, out) => each(IBAN, t, (m) => ibansIn(m[0], m.index, out))],
  [
    "ssn",
    (t, out) =>
      eachInClusters(SSN, t, 9, (m, at) => {
        if (ssnValid(m[1] ?? "", m[3] ?? "", m[4] ?? "")) {
          out.push({ start: at, end: at + m[0].length, label: PII_LABELS.ssn });
        }
      }),
  ],
  ["email", emails],
  [
    "ip",
    (t, out) => {
      eachInClusters(IPV4, t, 4, (m, at) => {
        if (ipValid(m[0])) out.push({ start: at, end: at + m[0].length, label: PII_LABELS.ip });
      });
      ipv6(t, out);
    },
  ],
  ["phone", (t, out, phones) => phones.find(t, out, PII_LABELS.phone)],
];

function overlapsAny(s: Span, taken: Span[]): boolean {
  return taken.some((t) => s.start < t.end && t.start < s.end);
}

/** A pii detector for the kinds listed in the rule. */
export function createPiiDetector(def: PiiDef): SyncDetector {
  const kinds = new Set(def.kinds);
  const finders = FINDERS.filter(([k]) => kinds.has(k));
  const phones = new PhoneFinder(def.default_country as CountryCode);
  const tails = [...new Set(def.kinds.flatMap((k) => TAILS[k]))];
  return {
    mode: "sync",
    type: "pii",
    scan(text: string): DetectorResult {
      const taken: Span[] = [];
      for (const [, find] of finders) {
        const found: Span[] = [];
        find(text, found, phones);
        for (const s of found) if (!overlapsAny(s, taken)) taken.push(s);
      }
      taken.sort((a, b) => a.start - b.start);
      return fromSpans(taken.slice(0, MAX_SPANS));
    },
    holdFrom(text: string, from: number): number {
      return minTail(tails, text, from);
    },
  };
}
