/** The transparency core: pure functions over records, the Merkle log, checkpoints and tokens. */
export * from "./canonical-json.js";
export * from "./causes.js";
export * from "./checkpoint.js";
export * from "./dsa-export.js";
export * from "./explain.js";
export * from "./merkle.js";
export * from "./merkle-frontier.js";
export * from "./receipts.js";
export * from "./record.js";
export * from "./view-token.js";
