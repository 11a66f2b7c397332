/**
 * SIGTERM-style graceful stop during 10 in-flight streams: each stream either completes or is ended and recorded
 * with cause `shutdown`, and in both cases every byte the client received restores.
 */
import { expect, it } from "vitest";
import { api, lastText, streamText, until } from "../helpers/api.js";
import { startTestCandor } from "../helpers/candor.js";

it("in-flight streams finish or are recorded as shutdown, with nothing lost", {
  timeout: 40_000,
}, async () => {
  const candor = await startTestCandor({ CANDOR_SHUTDOWN_GRACE_S: "1" });
  const tenant = await candor.tenant();
  const lengths = [10, 20, 30, 40, 60, 150, 200, 250, 300, 400]; // × 10 ms: some finish within the grace period, some do not
  const streams = lengths.map((n, i) =>
    streamText(tenant.client, `[sim:long n=${n} delay_ms=10]`, {
      headers: { "x-candor-session": `shutdown-${i}` },
    }),
  );
  const before = candor.sim.stats.messageRequests;
  await until(
    async () =>
      candor.sim.stats.messageRequests - before === lengths.length &&
      candor.server.services.lifecycle.inFlight() >= 5,
  );
  const stopping = candor.server.stop();
  const results = await Promise.all(streams);
  await stopping;

  // Reopen on the same database to look at what was recorded.
  const { startServer } = await import("../../src/server.js");
  const { loadConfig } = await import("../../src/config.js");
  const { pino } = await import("pino");
  const again = await startServer(
    loadConfig({ PORT: "0", UPSTREAM_URL: "simulated", CANDOR_LOG_LEVEL: "silent" }),
    { store: candor.db.store, log: pino({ level: "silent" }) },
    { banner: false },
  );
  try {
    const causes: string[] = [];
    for (const [i, got] of results.entries()) {
      const view = await api<{ turns: Array<{ cause: string; status: string }> }>(
        again.url,
        tenant.key,
        "GET",
        `/v1/sessions/shutdown-${i}`,
      );
      const turn = view.json.turns[0];
      expect(turn?.status).toBe("ended");
      causes.push(turn?.cause ?? "");
      const restored = await api<{ messages: Array<{ role: string; content: unknown }> }>(
        again.url,
        tenant.key,
        "POST",
        `/v1/sessions/shutdown-${i}/restore`,
        {
          continuation: "prefill",
        },
      );
      // A partial reply is restored trimmed at the end (the API refuses trailing whitespace in a prefill).
      expect(lastText(restored.json.messages)).toBe(
        turn?.cause === "completed" ? got.text : got.text.trimEnd(),
      );
      if (turn?.cause === "shutdown") {
        expect(String((got.error as Error)?.message)).toMatch(/restarting/);
        const log = await api<{ data: Array<{ cause: string; actor: string }> }>(
          again.url,
          tenant.key,
          "GET",
          `/v1/sessions/shutdown-${i}/interventions`,
        );
        expect(log.json.data.map((r) => [r.cause, r.actor])).toContainEqual(["shutdown", "proxy"]);
      }
    }
    expect(causes).toContain("completed");
    expect(causes).toContain("shutdown");
    expect(causes.every((c) => c === "completed" || c === "shutdown")).toBe(true);
  } finally {
    await again.stop();
    await candor.db.close();
  }
});
