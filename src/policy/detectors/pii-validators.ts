/**
 * Validators that turn regex candidates into findings: checksums and range rules, so "a number that looks
 * like a card" is not redacted unless it could be one.
 */
import { isIPv4, isIPv6 } from "node:net";

/** Luhn (mod 10) checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Issuer prefixes of the major networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6[0-9]|35|50|5[6-9])/;

/** A payment card number: 13–19 digits, a known issuer prefix, and a valid Luhn checksum. */
export function cardValid(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && CARD_PREFIX.test(digits) && luhnValid(digits);
}

/** Numbers the SSA never issues or that are published examples. */
const SSN_DENY = new Set(["078051120", "219099999", "123456789"]);

/** A US Social Security number: area not 000, 666 or 900–999; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  return !SSN_DENY.has(area + group + serial);
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Structural e-mail check: a sane local part and a dotted domain with a letter TLD. */
export function emailValid(local: string, domain: string): boolean {
  if (local.length === 0 || local.length > 64 || domain.length > 253) return false;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  if (!labels.every((l) => LABEL.test(l))) return false;
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? "");
}

export function ipValid(candidate: string): boolean {
  if (candidate.includes(":")) {
    const hex = candidate.replace(/:/g, "").length;
    const colons = candidate.length - hex;
    return hex >= 4 && (colons >= 3 || candidate.includes("::")) && isIPv6(candidate);
  }
  return isIPv4(candidate);
}
