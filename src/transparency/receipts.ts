/**
 * Receipts: a record, its leaf index, an inclusion proof and the signed checkpoint it is included
 * under. A receipt verifies offline — no call to Candor — so a user or auditor can check that the
 * record they were shown is the one in the log.
 */
import { z } from "zod";
import { canonicalJson } from "./canonical-json.js";
import { type Checkpoint, verifyCheckpoint } from "./checkpoint.js";
import { leafHash, verifyInclusion } from "./merkle.js";
import type { InterventionRecord } from "./record.js";

export interface Receipt {
  version: 1;
  record: InterventionRecord;
  leafIndex: number;
  treeSize: number;
  /** base64 hashes, leaf-side first */
  inclusionProof: string[];
  checkpoint: Checkpoint;
  /** PEM (SPKI) of the key that signed the checkpoint */
  publicKey: string;
}

export interface ReceiptVerification {
  valid: boolean;
  reason?: string;
  checks: { shape: boolean; inclusion: boolean; signature: boolean; trustedKey: boolean };
}

export function buildReceipt(
  record: InterventionRecord,
  leafIndex: number,
  proof: Uint8Array[],
  checkpoint: Checkpoint,
  publicKeyPem: string,
): Receipt {
  return {
    version: 1,
    record,
    leafIndex,
    treeSize: checkpoint.size,
    inclusionProof: proof.map((p) => Buffer.from(p).toString("base64")),
    checkpoint,
    publicKey: publicKeyPem,
  };
}

/** Canonical base64 of exactly 32 bytes (no whitespace, padding, alternative alphabets). */
const hash64 = z.string().refine((s) => {
  const bytes = Buffer.from(s, "base64");
  return bytes.length === 32 && bytes.toString("base64") === s;
}, "not base64 of 32 bytes");

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const checkpointSchema = z.object({
  origin: z.string().min(1),
  size: count,
  rootHash: hash64,
  timestamp: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

// The record schema checks only what verification relies on and keeps every other member: the leaf
// is the canonical form of the record *as given*, so fields added by a later version still verify.
const recordSchema = z.looseObject({ id: z.string(), cause: z.string(), createdAt: z.string() });

const receiptSchema = z.object({
  version: z.literal(1),
  record: recordSchema,
  leafIndex: count,
  treeSize: count,
  inclusionProof: z.array(hash64).max(64),
  checkpoint: checkpointSchema,
  publicKey: z.string(),
});

function fail(checks: ReceiptVerification["checks"], reason: string): ReceiptVerification {
  return { valid: false, reason, checks };
}

/**
 * Offline verification: recompute the leaf hash from the record's canonical bytes, check inclusion
 * against `checkpoint.rootHash` at `checkpoint.size`, and check the checkpoint signature — against
 * `trustedPublicKeyPem` when given (`checks.trustedKey` true), else against the embedded key, which only
 * proves the receipt is self-consistent. Never throws.
 */
export function verifyReceipt(receipt: unknown, trustedPublicKeyPem?: string): ReceiptVerification {
  const checks = { shape: false, inclusion: false, signature: false, trustedKey: false };
  try {
    const parsed = receiptSchema.safeParse(receipt);
    if (!parsed.success) return fail(checks, `malformed receipt: ${summarize(parsed.error)}`);
    const r = parsed.data;
    if (r.treeSize !== r.checkpoint.size) return fail(checks, "treeSize does not match the checkpoint size");
    if (r.leafIndex >= r.treeSize) return fail(checks, "leafIndex is outside the tree");
    checks.shape = true;

    const leaf = leafHash(Buffer.from(canonicalJson(r.record), "utf8"));
    const proof = r.inclusionProof.map((p) => Buffer.from(p, "base64"));
    const root = Buffer.from(r.checkpoint.rootHash, "base64");
    checks.inclusion = verifyInclusion(leaf, r.leafIndex, r.treeSize, proof, root);

    const key = trustedPublicKeyPem ?? r.publicKey;
    checks.signature = verifyCheckpoint(r.checkpoint, key);
    checks.trustedKey = trustedPublicKeyPem !== undefined && checks.signature;

    if (!checks.inclusion) return fail(checks, "record is not included under the checkpoint root");
    if (!checks.signature) {
      const whose = trustedPublicKeyPem === undefined ? "the embedded key" : "the trusted key";
      return fail(checks, `checkpoint signature does not verify with ${whose}`);
    }
    return { valid: true, checks };
  } catch (err) {
    // canonicalJson rejects values JSON cannot carry (e.g. a non-finite number injected by a caller).
    return fail(checks, `unverifiable receipt: ${err instanceof Error ? err.message : "unknown error"}`);
  }
}

function summarize(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}
