/**
 * A compact Merkle frontier: the roots of the perfect subtrees that make up a tree of `size` leaves
 * (one per set bit of `size`, largest first), at most ~log2(size) hashes. Appending a leaf and taking
 * the root are O(log n) without reading any earlier leaf, so the store can keep the frontier next to
 * its latest checkpoint and sign a new root per batch without loading the whole log.
 */
import { emptyRoot, nodeHash } from "./merkle.js";

export interface MerkleFrontier {
  size: number;
  /** Perfect-subtree roots, left (largest) to right (smallest). */
  nodes: Buffer[];
}

export function emptyFrontier(): MerkleFrontier {
  return { size: 0, nodes: [] };
}

/** A new frontier with `leafHashes` appended (the input is not modified). */
export function appendToFrontier(frontier: MerkleFrontier, leafHashes: Uint8Array[]): MerkleFrontier {
  const nodes = [...frontier.nodes];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    let node: Buffer = Buffer.from(leaf);
    // Each trailing 1-bit of the old size is a perfect subtree of the new leaf's height: merge them.
    let carry = size;
    while (carry % 2 === 1) {
      const left = nodes.pop();
      if (left === undefined) throw new Error("corrupt frontier: fewer nodes than set bits of size");
      node = nodeHash(left, node);
      carry = Math.floor(carry / 2);
    }
    nodes.push(node);
    size += 1;
  }
  return { size, nodes };
}

/** The RFC 6962 root of the tree the frontier describes. */
export function frontierRoot(frontier: MerkleFrontier): Buffer {
  const { nodes } = frontier;
  const last = nodes[nodes.length - 1];
  if (last === undefined) return emptyRoot();
  // MTH splits at the largest power of two, so the root folds the subtree roots from the right.
  let root = last;
  for (let i = nodes.length - 2; i >= 0; i--) root = nodeHash(nodes[i] as Buffer, root);
  return root;
}
