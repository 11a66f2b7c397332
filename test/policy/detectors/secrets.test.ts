import { describe, expect, it } from "vitest";
import { createSecretsDetector, entropy } from "../../../src/policy/detectors/secrets.js";
import type { SecretKind } from "../../../src/policy/schema.js";

function found(text: string, kinds?: SecretKind[]): Array<[string, string | undefined]> {
  const r = createSecretsDetector({ type: "secrets", ...(kinds ? { kinds } : {}) }).scan(text);
  return (r.data?.spans ?? []).map((s) => [text.slice(s.start, s.end), s.label]);
}

const ANTHROPIC = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefAA";
const OPENAI = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

describe("secrets detector", () => {
  it.each([
    ["Anthropic key", `key=${ANTHROPIC}`, ANTHROPIC, "API key"],
    ["OpenAI project key", `OPENAI_API_KEY=${OPENAI}`, OPENAI, "API key"],
    [
      "OpenAI classic key",
      "sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghij",
      "sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghij",
      "API key",
    ],
    ["AWS access key id", "id AKIAIOSFODNN7EXAMPLE.", "AKIAIOSFODNN7EXAMPLE", "AWS access key"],
    [
      "AWS secret",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "AWS secret key",
    ],
    [
      "GitHub token",
      "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
      "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
      "GitHub token",
    ],
    ["Slack token", "xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij", "Slack token"],
    [
      "Google API key",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345",
      "Google API key",
    ],
    ["Stripe live key", "sk_live_abcdefghijklmnopqrstuvwx", "sk_live_abcdefghijklmnopqrstuvwx", "Stripe key"],
    ["PEM private key", `here:\n${PEM}\nthanks`, PEM, "private key"],
  ])("finds a %s", (_name, text, secret, label) => {
    expect(found(text)).toEqual([[secret, label]]);
  });

  it("matches an unterminated PEM key to the end of the text (a key still streaming)", () => {
    const text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3";
    expect(found(text)).toEqual([[text, "private key"]]);
  });

  it.each([
    ["prose mentioning keys", "set your API key in the sk- prefixed variable"],
    ["a task name", "the task-force-meeting-notes-2024-archive"],
    ["a public PEM certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
    ["a too-short AWS id", "AKIA1234"],
    ["a git commit hash", "commit 3f786850e387550fdab836ed7e6dc881de23001b"],
  ])("ignores %s", (_name, text) => {
    expect(found(text)).toEqual([]);
  });

  it("finds generic high-entropy tokens only when asked, and not hex digests", () => {
    const token = "Zx9Qm2Lr7Tb4Wc8Nv1Hk6Jd3Fs5Gp0Ay";
    expect(found(`token ${token}`)).toEqual([]);
    expect(found(`token ${token}`, ["generic"])).toEqual([[token, "secret token"]]);
    expect(found("sha 3f786850e387550fdab836ed7e6dc881de23001b", ["generic"])).toEqual([]);
    expect(entropy("aaaa")).toBe(0);
  });

  it("limits itself to the kinds listed", () => {
    expect(found(`AKIAIOSFODNN7EXAMPLE ${OPENAI}`, ["aws"]).map(([, l]) => l)).toEqual(["AWS access key"]);
  });
});
