/** Record factories for the transparency tests: each call builds a fresh, realistic record. */
import { randomUUID } from "node:crypto";
import type { Cause } from "../../src/transparency/causes.js";
import type { InterventionRecord } from "../../src/transparency/record.js";
import {
  type BuildRecordInput,
  buildRecord,
  contentCommitment,
  newSalt,
} from "../../src/transparency/record.js";

export const CREATED_AT = new Date("2025-03-01T14:05:00.000Z");

export const CARD_RULE = {
  policyId: "default",
  policyVersion: "3",
  ruleId: "privacy.card-numbers",
  hazard: "privacy",
  label: "card number",
  action: "redact",
};

export function makeRecord(cause: Cause, overrides: Partial<BuildRecordInput> = {}): InterventionRecord {
  const isPolicy = cause.startsWith("policy_") || cause.startsWith("appeal_");
  return buildRecord({
    id: `int_${randomUUID().replaceAll("-", "")}`,
    tenantId: `ten_${randomUUID()}`,
    sessionId: `ses_${randomUUID()}`,
    turnId: `turn_${randomUUID()}`,
    cause,
    createdAt: CREATED_AT,
    content: {
      messageId: `msg_${randomUUID()}`,
      role: "assistant",
      blockIndex: 0,
      start: 20,
      end: 39,
      contentHash: contentCommitment("4111 1111 1111 1111", newSalt()),
    },
    rule: isPolicy ? CARD_RULE : null,
    ...overrides,
  });
}
