/**
 * The built-in simulated model (an Anthropic-compatible upstream for demos and tests).
 * See docs/simulated-model.md for the directives it understands.
 */
export { JUDGE_MARKER, JUDGE_SLOW_MS } from "./judge.js";
export {
  createSimulatedModel,
  type SimulatedModel,
  type SimulatedModelOptions,
  type SimulatedModelStats,
} from "./model.js";
export { SIMULATED_MODELS } from "./models-catalog.js";
export { type ServedSimulatedModel, serveSimulatedModel } from "./serve.js";
