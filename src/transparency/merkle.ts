/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing, proofs and their RFC 9162 verification.
 * Builders take *leaf hashes* (what the store keeps), not raw entries. Everything is iterative over
 * levels, so a root over 100k leaves costs ~200k SHA-256 calls and no recursion depth.
 */
import { createHash, hash, timingSafeEqual } from "node:crypto";

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 ‖ entry) */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(entry).digest();
}

// One reused buffer for the common 32+32-byte case: the one-shot `hash` over it is ~30% faster than a
// streaming createHash per node, which matters when a root is recomputed over 100k+ leaves.
const NODE_SCRATCH = Buffer.alloc(65, NODE_PREFIX[0]);

/** SHA-256(0x01 ‖ l ‖ r) */
export function nodeHash(l: Uint8Array, r: Uint8Array): Buffer {
  if (l.length !== 32 || r.length !== 32) {
    return createHash("sha256").update(NODE_PREFIX).update(l).update(r).digest();
  }
  NODE_SCRATCH.set(l, 1);
  NODE_SCRATCH.set(r, 33);
  return hash("sha256", NODE_SCRATCH, "buffer");
}

/** MTH of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Buffer {
  return createHash("sha256").digest();
}

/**
 * MTH per RFC 6962 §2.1. Pairing neighbours level by level and promoting an odd last node unchanged
 * builds exactly the tree the RFC defines by splitting at the largest power of two below n.
 */
export function rootFromLeafHashes(leaves: Uint8Array[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
  let level: Uint8Array[] = leaves;
  while (level.length > 1) level = nextLevel(level);
  return Buffer.from(level[0] as Uint8Array);
}

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2)
    next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
  if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
  return next;
}

function assertSize(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}], got ${value}`);
  }
}

/** Audit path for leaf `index` in the tree of all `leaves` (RFC 6962 §2.1.1 PATH), leaf-side first. */
export function inclusionProof(leaves: Uint8Array[], index: number): Buffer[] {
  assertSize("index", index, leaves.length - 1);
  const proof: Buffer[] = [];
  let level: Uint8Array[] = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    // The last node of an odd level has no sibling: it is promoted and contributes nothing to the path.
    if (sibling < level.length) proof.push(Buffer.from(level[sibling] as Uint8Array));
    level = nextLevel(level);
    i = Math.floor(i / 2);
  }
  return proof;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Consistency proof between the first `oldSize` and first `newSize` leaves (RFC 6962 §2.1.2 PROOF). */
export function consistencyProof(leaves: Uint8Array[], oldSize: number, newSize: number): Buffer[] {
  assertSize("newSize", newSize, leaves.length);
  assertSize("oldSize", oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) return [];
  const proof: Buffer[] = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled: each step descends into one half and records the other's root.
  let lo = 0;
  let hi = newSize;
  let m = oldSize;
  let complete = true;
  while (m !== hi - lo) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m <= k) {
      proof.push(rootFromLeafHashes(leaves.slice(lo + k, hi)));
      hi = lo + k;
    } else {
      proof.push(rootFromLeafHashes(leaves.slice(lo, lo + k)));
      lo += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) proof.push(rootFromLeafHashes(leaves.slice(lo, hi)));
  // SUBPROOF appends the sibling roots on the way back up, so the path is the reverse of the descent.
  return proof.reverse();
}

function equalHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === 32;
}

/** Verify an inclusion proof (RFC 9162 §2.1.3.2). Never throws; malformed input is `false`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHash(r, root);
}

/** Verify a consistency proof (RFC 9162 §2.1.4.2). Never throws; malformed input is `false`. */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    return false;
  }
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (oldSize === newSize) return proof.length === 0 && equalHash(oldRoot, newRoot);
  // The empty tree is a prefix of every tree; there is nothing to prove.
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHash(fr, oldRoot) && equalHash(sr, newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
