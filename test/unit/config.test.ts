/** Configuration: every variable validated once at start; a bad value names the variable. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8787,
      host: "127.0.0.1",
      dataDir: "./.candor",
      policyPath: "policies/",
      durability: "strict",
    });
    expect(c.upstream).toEqual({ kind: "simulated" });
    expect(c.maxBodyBytes).toBe(32 * 1024 * 1024);
  });

  it("uses the real API only with a key, unless UPSTREAM_URL=simulated", () => {
    expect(loadConfig({ ANTHROPIC_API_KEY: "sk-ant-x" }).upstream).toEqual({
      kind: "http",
      url: "https://api.anthropic.com",
      apiKey: "sk-ant-x",
    });
    expect(loadConfig({ ANTHROPIC_API_KEY: "sk-ant-x", UPSTREAM_URL: "simulated" }).upstream.kind).toBe(
      "simulated",
    );
  });

  it("names every bad variable", () => {
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", CANDOR_DURABILITY: "maybe" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).message;
      expect(text).toContain("PORT");
      expect(text).toContain("DATABASE_URL");
      expect(text).toContain("CANDOR_DURABILITY");
    }
  });

  it("a bad value stops the process with a message naming the variable", () => {
    const r = spawnSync(process.execPath, ["dist/src/main.js"], {
      env: { ...process.env, PORT: "not-a-port", DATABASE_URL: "" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
  });

  it("an unreachable database stops startup fast with a message naming it (and no password)", () => {
    const r = spawnSync(process.execPath, ["dist/src/main.js"], {
      env: { ...process.env, PORT: "0", DATABASE_URL: "postgres://postgres:hunter2@127.0.0.1:1/nothing" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /cannot open the database \(PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nothing\)/,
    );
    expect(r.stderr).not.toContain("hunter2");
  });
});
