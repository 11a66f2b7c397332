#!/usr/bin/env node
// The `candor` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import("../dist/src/cli/main.js").catch((err) => {
  console.error(`candor: could not load the CLI (${err.message}). Run \`npm run build\` first.`);
  process.exit(1);
});
