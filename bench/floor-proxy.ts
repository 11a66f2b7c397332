/**
 * The floor: the least a write-before-forward proxy on this stack can do, measured beside Candor so a latency
 * figure can be read against what the machine allows (ADR 0006). Plain node:http on both sides, bytes passed
 * through unparsed, no policy, no sessions; but the durable writes Candor's plain turn makes, on postgres.js
 * with prepared statements:
 *   - one statement stores the request and opens the turn, committed before the upstream is called;
 *   - every upstream chunk is group-committed into a journal (one multi-row INSERT for all streams, the next
 *     batch gathering while one commits) before it is written to the client;
 *   - one statement ends the turn (a JSON reply is journaled in it, before it is sent).
 * It is a yardstick, not a product: no auth, no error shapes, no backpressure.
 *
 * Run: `node --import tsx bench/floor-proxy.ts --upstream URL --database URL [--port N]` prints {"port":N}.
 * `--exit-with-stdin` stops it when its stdin closes (run.ts), so it never outlives the bench.
 */
import { randomUUID } from "node:crypto";
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import postgres from "postgres";

const { values: args } = parseArgs({
  options: {
    upstream: { type: "string" },
    database: { type: "string" },
    port: { type: "string", default: "0" },
    "exit-with-stdin": { type: "boolean", default: false },
  },
});
if (!args.upstream || !args.database) {
  process.stderr.write("usage: floor-proxy.ts --upstream URL --database URL [--port N]\n");
  process.exit(2);
}
const upstream = new URL(args.upstream);
const sql = postgres(args.database, { max: 10, prepare: true, onnotice: () => {} });
await sql.unsafe(`create table if not exists floor_turns (
  id text primary key, request jsonb not null, status text not null,
  opened_at timestamptz not null default now(), ended_at timestamptz)`);
await sql.unsafe(`create table if not exists floor_journal (
  turn_id text not null, seq int not null, data text not null, primary key (turn_id, seq))`);

const OPEN = "insert into floor_turns (id, request, status) values ($1, $2::jsonb, 'in_flight')";
const APPEND =
  "insert into floor_journal (turn_id, seq, data) select * from unnest($1::text[], $2::int[], $3::text[])";
const END = `with j as (insert into floor_journal (turn_id, seq, data) select $1, $2, $3::text where $3::text is not null)
  update floor_turns set status = 'ended', ended_at = now() where id = $1`;
const run = (text: string, params: unknown[]) => sql.unsafe(text, params as never[], { prepare: true });

let seq = 0;
let pending: Array<{ turnId: string; data: string; done: () => void }> = [];
let committing = false;

/** Group commit: one INSERT for everything pending; what arrives meanwhile waits for the next one. */
async function commitLoop(): Promise<void> {
  committing = true;
  while (pending.length > 0) {
    const batch = pending;
    pending = [];
    await run(APPEND, [batch.map((b) => b.turnId), batch.map(() => seq++), batch.map((b) => b.data)]);
    for (const b of batch) b.done();
  }
  committing = false;
}

function journal(turnId: string, data: string): Promise<void> {
  return new Promise((done) => {
    pending.push({ turnId, data, done });
    if (!committing) void commitLoop();
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (req.method !== "POST") {
    res.writeHead(404).end();
    return;
  }
  const turnId = randomUUID();
  await run(OPEN, [turnId, body.toString("utf8")]);
  const up = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: req.url,
      method: req.method,
      agent,
      headers: { "content-type": "application/json", "content-length": body.length, "x-api-key": "bench" },
    },
    (ur) => {
      res.writeHead(ur.statusCode ?? 502, {
        "content-type": ur.headers["content-type"] ?? "application/json",
      });
      if (!String(ur.headers["content-type"]).startsWith("text/event-stream")) {
        void readBody(ur)
          .then(async (reply) => {
            await run(END, [turnId, seq++, reply.toString("utf8")]);
            res.end(reply);
          })
          .catch(() => res.destroy());
        return;
      }
      ur.on("error", () => res.destroy());
      // Each chunk is written only once it is committed, in arrival order.
      let chain = Promise.resolve();
      ur.on("data", (c: Buffer) => {
        chain = chain.then(() => journal(turnId, c.toString("utf8"))).then(() => void res.write(c));
      });
      ur.on("end", () => {
        chain = chain.then(() => run(END, [turnId, null, null])).then(() => void res.end());
        chain.catch(() => res.destroy());
      });
    },
  );
  up.on("error", () => {
    res.statusCode = 502;
    res.end();
  });
  up.end(body);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => res.destroy());
});
server.keepAliveTimeout = 60_000;
server.listen(Number(args.port), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
if (args["exit-with-stdin"]) {
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}
process.on("SIGTERM", () => {
  server.close();
  void sql.end({ timeout: 2 }).then(() => process.exit(0));
});
