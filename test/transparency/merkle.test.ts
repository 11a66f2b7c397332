import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../src/transparency/merkle.js";
import { appendToFrontier, emptyFrontier, frontierRoot } from "../../src/transparency/merkle-frontier.js";

// The Certificate Transparency / Trillian reference tree (trillian merkle/log_verifier_test.go).
const ENTRIES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((h) => Buffer.from(h, "hex"));
const LEAVES = ENTRIES.map(leafHash);
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const INCLUSION: Array<{ index: number; size: number; path: string[] }> = [
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];
const CONSISTENCY: Array<{ oldSize: number; newSize: number; path: string[] }> = [
  { oldSize: 1, newSize: 8, path: INCLUSION[0]?.path ?? [] },
  {
    oldSize: 6,
    newSize: 8,
    path: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    path: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const hex = (bufs: Buffer[]): string[] => bufs.map((b) => b.toString("hex"));
const randomLeaves = (n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry-${i}`)));

function flipBit(b: Uint8Array, bit = 0): Buffer {
  const copy = Buffer.from(b);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

describe("RFC 6962 hashing", () => {
  it("uses the domain-separated leaf and node hashes", () => {
    expect(emptyRoot().toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(rootFromLeafHashes([]).equals(emptyRoot())).toBe(true);
    expect(leafHash(Buffer.alloc(0)).toString("hex")).toBe(ROOTS[0]);
    const expectedNode = createHash("sha256")
      .update(Buffer.from([1]))
      .update(LEAVES[0] ?? "")
      .update(LEAVES[1] ?? "");
    expect(nodeHash(LEAVES[0] ?? Buffer.alloc(0), LEAVES[1] ?? Buffer.alloc(0))).toEqual(
      expectedNode.digest(),
    );
  });

  it("reproduces the published roots for tree sizes 1..8", () => {
    const roots = ROOTS.map((_, i) => rootFromLeafHashes(LEAVES.slice(0, i + 1)).toString("hex"));
    expect(roots).toEqual(ROOTS);
  });

  it("reproduces the published inclusion proofs", () => {
    for (const v of INCLUSION) {
      const proof = inclusionProof(LEAVES.slice(0, v.size), v.index);
      expect(hex(proof)).toEqual(v.path);
      const root = Buffer.from(ROOTS[v.size - 1] ?? "", "hex");
      expect(verifyInclusion(LEAVES[v.index] ?? Buffer.alloc(0), v.index, v.size, proof, root)).toBe(true);
    }
  });

  it("reproduces the published consistency proofs", () => {
    for (const v of CONSISTENCY) {
      const proof = consistencyProof(LEAVES, v.oldSize, v.newSize);
      expect(hex(proof)).toEqual(v.path);
      const oldRoot = Buffer.from(ROOTS[v.oldSize - 1] ?? "", "hex");
      const newRoot = Buffer.from(ROOTS[v.newSize - 1] ?? "", "hex");
      expect(verifyConsistency(v.oldSize, v.newSize, oldRoot, newRoot, proof)).toBe(true);
    }
  });
});

describe("inclusion proofs (properties)", () => {
  const leaves = randomLeaves(40);

  it("verify for every index of every tree size 1..40, and fail at another index or another tree", () => {
    const roots = leaves.map((_, i) => rootFromLeafHashes(leaves.slice(0, i + 1)));
    for (let size = 1; size <= 40; size++) {
      const tree = leaves.slice(0, size);
      const root = roots[size - 1] ?? emptyRoot();
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(tree, i);
        const leaf = tree[i] ?? Buffer.alloc(0);
        expect(verifyInclusion(leaf, i, size, proof, root)).toBe(true);
        if (size > 1) expect(verifyInclusion(leaf, (i + 1) % size, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, i, size * 2, proof, root)).toBe(false);
        // The size itself is bound by the signed checkpoint; against the real root of the next tree, fail.
        if (size < 40) expect(verifyInclusion(leaf, i, size + 1, proof, roots[size] ?? root)).toBe(false);
      }
    }
  });

  it("fail when any bit of the leaf, the root or any proof node flips", () => {
    const tree = leaves.slice(0, 13);
    const root = rootFromLeafHashes(tree);
    for (const i of [0, 6, 12]) {
      const leaf = tree[i] ?? Buffer.alloc(0);
      const proof = inclusionProof(tree, i);
      for (const bit of [0, 7, 100, 255]) {
        expect(verifyInclusion(flipBit(leaf, bit), i, 13, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, i, 13, proof, flipBit(root, bit))).toBe(false);
        proof.forEach((node, n) => {
          const bad = proof.map((p, m) => (m === n ? flipBit(node, bit) : p));
          expect(verifyInclusion(leaf, i, 13, bad, root)).toBe(false);
        });
      }
      expect(verifyInclusion(leaf, i, 13, [...proof, root], root)).toBe(false);
      expect(verifyInclusion(leaf, i, 13, proof.slice(1), root)).toBe(false);
    }
  });

  it("reject malformed arguments without throwing", () => {
    const root = rootFromLeafHashes(leaves.slice(0, 4));
    const leaf = leaves[0] ?? Buffer.alloc(0);
    expect(verifyInclusion(leaf, -1, 4, [], root)).toBe(false);
    expect(verifyInclusion(leaf, 4, 4, [], root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 0, [], emptyRoot())).toBe(false);
    expect(verifyInclusion(leaf, 0.5, 4, [], root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 4, [Buffer.alloc(3)], root)).toBe(false);
    expect(() => inclusionProof(leaves.slice(0, 4), 4)).toThrow(RangeError);
  });
});

describe("consistency proofs (properties)", () => {
  const leaves = randomLeaves(40);
  const roots = [emptyRoot(), ...leaves.map((_, i) => rootFromLeafHashes(leaves.slice(0, i + 1)))];

  it("verify for every (old, new) pair with 0 <= old <= new <= 40", () => {
    for (let n = 0; n <= 40; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(leaves, m, n);
        expect(verifyConsistency(m, n, roots[m] ?? emptyRoot(), roots[n] ?? emptyRoot(), proof)).toBe(true);
      }
    }
  });

  it("fail against the wrong sizes, a flipped root or a flipped proof node", () => {
    for (const [m, n] of [
      [3, 7],
      [4, 8],
      [5, 33],
      [16, 40],
    ] as const) {
      const proof = consistencyProof(leaves, m, n);
      const oldRoot = roots[m] ?? emptyRoot();
      const newRoot = roots[n] ?? emptyRoot();
      expect(verifyConsistency(m, n, flipBit(oldRoot), newRoot, proof)).toBe(false);
      expect(verifyConsistency(m, n, oldRoot, flipBit(newRoot, 200), proof)).toBe(false);
      expect(verifyConsistency(m + 1, n, roots[m + 1] ?? oldRoot, newRoot, proof)).toBe(false);
      expect(verifyConsistency(m, n - 1, oldRoot, roots[n - 1] ?? newRoot, proof)).toBe(false);
      expect(verifyConsistency(m, n * 2, oldRoot, newRoot, proof)).toBe(false);
      expect(verifyConsistency(m, n, newRoot, oldRoot, proof)).toBe(false);
      expect(verifyConsistency(m, n, oldRoot, newRoot, [])).toBe(false);
      proof.forEach((node, i) => {
        const bad = proof.map((p, j) => (j === i ? flipBit(node, 9) : p));
        expect(verifyConsistency(m, n, oldRoot, newRoot, bad)).toBe(false);
      });
    }
  });

  it("treat equal sizes as consistent only with equal roots and an empty proof", () => {
    const r = roots[5] ?? emptyRoot();
    expect(verifyConsistency(5, 5, r, r, [])).toBe(true);
    expect(verifyConsistency(5, 5, r, roots[6] ?? emptyRoot(), [])).toBe(false);
    expect(verifyConsistency(5, 5, r, r, [r])).toBe(false);
    expect(verifyConsistency(6, 5, r, r, [])).toBe(false);
  });
});

describe("frontier", () => {
  it("gives the same root as the full tree for every size 0..70, appending one leaf or many", () => {
    const leaves = randomLeaves(70);
    let frontier = emptyFrontier();
    for (let n = 0; n <= 70; n++) {
      expect(frontierRoot(frontier).equals(rootFromLeafHashes(leaves.slice(0, n)))).toBe(true);
      // at most one stored node per set bit of the size
      expect(frontier.nodes.length).toBe(n.toString(2).replaceAll("0", "").length);
      if (n < 70) frontier = appendToFrontier(frontier, [leaves[n] ?? Buffer.alloc(0)]);
    }
    const batched = appendToFrontier(
      appendToFrontier(emptyFrontier(), leaves.slice(0, 29)),
      leaves.slice(29),
    );
    expect(frontierRoot(batched).equals(rootFromLeafHashes(leaves))).toBe(true);
  });
});

describe("performance", () => {
  // CPU time, not wall time: the suite shares its cores with other workers, and what must stay under a
  // second is the work a root costs, not how long the scheduler makes it wait.
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };

  it("computes a root over 100k leaves in well under a second of CPU, and a proof alongside", () => {
    const leaves = randomLeaves(100_000);
    const start = process.cpuUsage();
    const root = rootFromLeafHashes(leaves);
    const rootMs = cpuMs(start);
    const proof = inclusionProof(leaves, 73_421);
    const totalMs = cpuMs(start);
    expect(verifyInclusion(leaves[73_421] ?? Buffer.alloc(0), 73_421, 100_000, proof, root)).toBe(true);
    expect(rootMs).toBeLessThan(800);
    expect(totalMs).toBeLessThan(1600);
  });
});
