/**
 * Policies reload on change without a restart; a broken new file is rejected and the old policy stays in force.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { until } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { blockWordPolicy } from "../helpers/policies.js";

const dir = mkdtempSync(join(tmpdir(), "candor-policies-"));
const file = join(dir, "default.yaml");

let candor: TestCandor;
beforeAll(async () => {
  writeFileSync(file, blockWordPolicy("alpha"));
  candor = await startTestCandor({ CANDOR_POLICY: dir });
});
afterAll(async () => {
  await candor.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("a changed file takes effect; a broken one is rejected and the old one stays", {
  timeout: 30_000,
}, async () => {
  const { client } = await candor.tenant();
  const ask = async (text: string) =>
    (
      await client.messages.create({
        model: "m",
        max_tokens: 16,
        messages: [{ role: "user", content: text }],
      })
    ).stop_reason;
  expect(await ask("alpha")).toBe("refusal");
  expect(await ask("beta")).toBe("end_turn");
  const before = candor.server.services.policies.versions().default;

  writeFileSync(file, blockWordPolicy("beta"));
  await until(async () => candor.server.services.policies.versions().default !== before);
  expect(await ask("beta")).toBe("refusal");
  expect(await ask("alpha")).toBe("end_turn");
  const good = candor.server.services.policies.versions().default;

  writeFileSync(file, `${blockWordPolicy("gamma")}    typo_field: 1\n`);
  await new Promise((r) => setTimeout(r, 800));
  expect(candor.server.services.policies.versions().default).toBe(good);
  expect(await ask("beta")).toBe("refusal");
});
