import { describe, expect, it } from "vitest";
import { createPiiDetector } from "../../../src/policy/detectors/pii.js";
import { cardValid, luhnValid, ssnValid } from "../../../src/policy/detectors/pii-validators.js";
import type { PiiKind } from "../../../src/policy/schema.js";

function found(kinds: PiiKind[], text: string): Array<[string, string | undefined]> {
  const r = createPiiDetector({ type: "pii", kinds, default_country: "US" }).scan(text);
  return (r.data?.spans ?? []).map((s) => [text.slice(s.start, s.end), s.label]);
}

describe("pii detector: finds validated personal data", () => {
  it.each<[PiiKind, string, string, string]>([
    ["card", "Visa with spaces", "my card is 4111 1111 1111 1111 ok", "4111 1111 1111 1111"],
    ["card", "Mastercard with dashes", "use 5500-0000-0000-0004.", "5500-0000-0000-0004"],
    ["card", "Amex, no separators", "amex 378282246310005", "378282246310005"],
    ["card", "card followed by its expiry", "4111 1111 1111 1111 12 27", "4111 1111 1111 1111"],
    ["email", "plain address", "write to jane.doe@example.com.", "jane.doe@example.com"],
    ["email", "plus tag and subdomain", "x a+b@mail.example.co.uk y", "a+b@mail.example.co.uk"],
    ["phone", "international", "ring +44 20 7946 0958 today", "+44 20 7946 0958"],
    ["phone", "US national format", "call (415) 555-2671", "(415) 555-2671"],
    [
      "iban",
      "German IBAN with spaces",
      "IBAN DE89 3704 0044 0532 0130 00 thanks",
      "DE89 3704 0044 0532 0130 00",
    ],
    [
      "iban",
      "UK IBAN, compact, followed by a word",
      "pay GB82WEST12345698765432 NOW",
      "GB82WEST12345698765432",
    ],
    ["ssn", "US SSN", "SSN 536-22-1234.", "536-22-1234"],
    ["ip", "IPv4", "host 192.168.10.254.", "192.168.10.254"],
    ["ip", "IPv6", "at 2001:db8::8a2e:370:7334 now", "2001:db8::8a2e:370:7334"],
  ])("%s: %s", (kind, _name, text, expected) => {
    expect(found([kind], text).map(([t]) => t)).toEqual([expected]);
  });

  it.each<[PiiKind, string, string]>([
    ["card", "bad Luhn checksum", "order 4111 1111 1111 1112"],
    ["card", "unknown issuer prefix", "id 1234 5678 9012 3452"],
    ["card", "too short", "4111 1111 1111"],
    ["email", "no dot in the domain", "user@localhost"],
    ["email", "TLD is a number", "a@b.123"],
    ["phone", "a short number", "code 12345"],
    ["phone", "a date", "on 2024-01-15 we met"],
    ["iban", "bad IBAN checksum", "DE88 3704 0044 0532 0130 00"],
    ["ssn", "area 000", "000-12-3456"],
    ["ssn", "area 666", "666-12-3456"],
    ["ssn", "area 9xx", "912-12-3456"],
    ["ssn", "group 00", "536-00-1234"],
    ["ssn", "serial 0000", "536-22-0000"],
    ["ssn", "mixed separators", "536-22 1234"],
    ["ip", "octet above 255", "1.2.3.256"],
    ["ip", "a clock time", "at 12:30:45 sharp"],
  ])("%s: rejects %s", (kind, _name, text) => {
    expect(found([kind], text)).toEqual([]);
  });

  it("finds every card of several written back to back (none may slip through as part of a longer run)", () => {
    expect(found(["card"], "cards 4111111111111111 5500000000000004 378282246310005 done")).toEqual([
      ["4111111111111111", "card number"],
      ["5500000000000004", "card number"],
      ["378282246310005", "card number"],
    ]);
    expect(found(["card"], "4111 1111 1111 1111 5500 0000 0000 0004")).toEqual([
      ["4111 1111 1111 1111", "card number"],
      ["5500 0000 0000 0004", "card number"],
    ]);
  });

  it("labels each kind and does not report a card as a phone number too", () => {
    const text = "card 4111111111111111, mail a@example.org, phone +1 202-555-0143";
    expect(found(["card", "email", "phone"], text)).toEqual([
      ["4111111111111111", "card number"],
      ["a@example.org", "email address"],
      ["+1 202-555-0143", "phone number"],
    ]);
  });
});

describe("pii validators", () => {
  it.each([
    ["4111111111111111", true],
    ["4111111111111112", false],
    ["79927398713", true],
    ["", false],
  ])("Luhn %s → %s", (digits, ok) => expect(luhnValid(digits)).toBe(ok));

  it("cards need a length of 13-19 and a known issuer", () => {
    expect(cardValid("4222222222222")).toBe(true);
    expect(cardValid("0000000000000000")).toBe(false);
  });

  it("SSNs published as examples are rejected", () => {
    expect(ssnValid("078", "05", "1120")).toBe(false);
    expect(ssnValid("536", "22", "1234")).toBe(true);
  });
});
