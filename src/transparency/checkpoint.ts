/**
 * Ed25519-signed checkpoints of the log: origin, size and root hash, signed as a C2SP-style note body
 * ("origin\nsize\nbase64(root)\ntimestamp\n"), so anyone with the public key can check a root offline.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";

export interface Checkpoint {
  origin: string;
  size: number;
  /** base64 of the 32-byte RFC 6962 root */
  rootHash: string;
  /** ISO 8601 */
  timestamp: string;
  keyId: string;
  /** base64 Ed25519 signature over {@link checkpointBody} */
  signature: string;
}

export interface SigningKey {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Key id: first 8 bytes (hex) of SHA-256 over the public key's SPKI DER encoding. */
export function keyIdFor(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest().subarray(0, 8).toString("hex");
}

export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { keyId: keyIdFor(publicKeyPem), privateKeyPem, publicKeyPem };
}

/** The exact bytes that are signed (UTF-8 of this string). */
export function checkpointBody(cp: Pick<Checkpoint, "origin" | "size" | "rootHash" | "timestamp">): string {
  return `${cp.origin}\n${cp.size}\n${cp.rootHash}\n${cp.timestamp}\n`;
}

// Parsing a PEM costs about a millisecond; a server signs with the same key all its life.
const privateKeys = new Map<string, KeyObject>();
function privateKeyOf(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (!key) {
    key = createPrivateKey(pem);
    privateKeys.set(pem, key);
  }
  return key;
}

/** Sign the tree head `root` of `size` leaves for `origin` (e.g. "candor.example.com/log"). */
export function signCheckpoint(
  key: SigningKey,
  origin: string,
  size: number,
  root: Uint8Array,
  now: Date,
): Checkpoint {
  if (origin.length === 0 || /[\n\r]/.test(origin)) throw new RangeError("origin must be one non-empty line");
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError("size must be a non-negative integer");
  if (root.length !== 32) throw new RangeError("root must be 32 bytes");
  const body = {
    origin,
    size,
    rootHash: Buffer.from(root).toString("base64"),
    timestamp: now.toISOString(),
  };
  const signature = sign(null, Buffer.from(checkpointBody(body), "utf8"), privateKeyOf(key.privateKeyPem));
  return { ...body, keyId: key.keyId, signature: signature.toString("base64") };
}

/**
 * True when `cp` is signed by `publicKeyPem` and names that key's id. Never throws: a bad key, a
 * malformed signature or a non-string field is simply `false`.
 */
export function verifyCheckpoint(cp: Checkpoint, publicKeyPem: string): boolean {
  try {
    if (
      typeof cp.origin !== "string" ||
      /[\n\r]/.test(cp.origin) ||
      !Number.isSafeInteger(cp.size) ||
      cp.size < 0
    ) {
      return false;
    }
    if (typeof cp.rootHash !== "string" || typeof cp.timestamp !== "string" || /[\n\r]/.test(cp.timestamp)) {
      return false;
    }
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== "ed25519" || keyIdFor(publicKeyPem) !== cp.keyId) return false;
    const signature = Buffer.from(cp.signature, "base64");
    if (signature.length !== 64) return false;
    return verify(null, Buffer.from(checkpointBody(cp), "utf8"), key, signature);
  } catch {
    return false;
  }
}
