/**
 * The policies in force: loaded from CANDOR_POLICY at start (a broken file stops startup with its error), reloaded
 * on change or SIGHUP without dropping in-flight requests (a request keeps the engine it started with), and a
 * broken new file is rejected while the old set stays in force.
 */
import type { Logger } from "pino";
import { createPolicyEngine, type EngineDeps, type PolicyEngine } from "../policy/engine.js";
import { type LoadedPolicy, loadPolicyDir, watchPolicies } from "../policy/load.js";
import type { Tenant } from "../store/tenants.js";

export const DEFAULT_POLICY_ID = "default";

export interface PolicyRegistry {
  forTenant(tenant: Tenant): PolicyEngine | null;
  /** id → version of every policy in force. */
  versions(): Record<string, string>;
  /** Rules that are inactive (e.g. llm_judge without a judge model) and why. */
  inactive(): Array<{ policyId: string; ruleId: string; reason: string }>;
  watch(log: Logger): () => void;
}

function compile(set: Map<string, LoadedPolicy>, deps: EngineDeps): Map<string, PolicyEngine> {
  return new Map([...set].map(([id, p]) => [id, createPolicyEngine(p, deps)]));
}

export async function loadPolicyRegistry(path: string, deps: EngineDeps): Promise<PolicyRegistry> {
  let engines = compile(await loadPolicyDir(path), deps);
  return {
    forTenant(tenant) {
      const wanted = tenant.settings.policyId ?? DEFAULT_POLICY_ID;
      if (wanted === "none") return null; // an operator's explicit choice: no moderation for this tenant
      return engines.get(wanted) ?? engines.get(DEFAULT_POLICY_ID) ?? null;
    },
    versions: () => Object.fromEntries([...engines].map(([id, e]) => [id, e.version])),
    inactive: () => [...engines].flatMap(([policyId, e]) => e.inactiveRules.map((r) => ({ policyId, ...r }))),
    watch(log) {
      return watchPolicies(path, {
        onChange(set) {
          engines = compile(set, deps);
          log.info(
            { policies: Object.fromEntries([...set].map(([id, p]) => [id, p.version])) },
            "policies reloaded",
          );
        },
        onError(err) {
          log.error(
            { file: err.file, issues: err.issues },
            "policy reload rejected; the previous policies stay in force",
          );
        },
      });
    },
  };
}
