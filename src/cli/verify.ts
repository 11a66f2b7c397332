import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type ReceiptVerification, verifyReceipt } from "../transparency/receipts.js";
import type { Io } from "./main.js";

const USAGE = "Usage: candor verify RECEIPT.json [--key PUBLIC.pem]";

function describe(receipt: unknown): string {
  const r = receipt as {
    record?: { id?: unknown; cause?: unknown };
    leafIndex?: unknown;
    treeSize?: unknown;
  };
  const id = typeof r?.record?.id === "string" ? r.record.id : "?";
  const cause = typeof r?.record?.cause === "string" ? r.record.cause : "?";
  return `record ${id} (${cause}), leaf ${String(r?.leafIndex ?? "?")} of ${String(r?.treeSize ?? "?")}`;
}

function report(result: ReceiptVerification, keyGiven: boolean): string[] {
  const mark = (ok: boolean) => (ok ? "ok" : "FAILED");
  return [
    `  shape        ${mark(result.checks.shape)}`,
    `  inclusion    ${mark(result.checks.inclusion)}  (the record hashes to a leaf under the checkpoint's root)`,
    `  signature    ${mark(result.checks.signature)}  (the checkpoint is signed by ${keyGiven ? "the given key" : "the receipt's own key"})`,
    keyGiven
      ? `  trusted key  ${mark(result.checks.trustedKey)}`
      : "  trusted key  not checked: pass --key with the operator's published key to check who signed it",
  ];
}

/**
 * `candor verify RECEIPT.json [--key PUBLIC.pem]`: checks a receipt offline (no server, no database) and prints
 * each check. Accepts a receipt, or a record as the API returns it (its `receipt` member). Exit 0 when valid,
 * 1 when not, 2 on usage errors.
 */
export async function runVerifyCommand(args: string[], io: Io): Promise<number> {
  let parsed: { values: { key?: string | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { key: { type: "string" } }, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`candor verify: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    io.err(USAGE);
    return 2;
  }
  let json: unknown;
  let key: string | undefined;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
    key = parsed.values.key ? await readFile(parsed.values.key, "utf8") : undefined;
  } catch (err) {
    io.err(`candor verify: ${(err as Error).message}`);
    return 2;
  }
  const receipt =
    json && typeof json === "object" && !("version" in json) && "receipt" in json
      ? (json as { receipt: unknown }).receipt
      : json;
  const result = verifyReceipt(receipt, key);
  io.out(`${result.valid ? "VALID" : "INVALID"}: ${describe(receipt)}`);
  for (const line of report(result, key !== undefined)) io.out(line);
  if (result.reason) io.out(`  reason: ${result.reason}`);
  return result.valid ? 0 : 1;
}
