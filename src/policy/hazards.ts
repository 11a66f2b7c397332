/** Hazard codes: the MLCommons / Llama Guard 3 taxonomy S1–S14, plus Candor's own. */
export const HAZARD_NAMES: Record<string, string> = {
  S1: "Violent Crimes",
  S2: "Non-Violent Crimes",
  S3: "Sex-Related Crimes",
  S4: "Child Sexual Exploitation",
  S5: "Defamation",
  S6: "Specialized Advice",
  S7: "Privacy",
  S8: "Intellectual Property",
  S9: "Indiscriminate Weapons",
  S10: "Hate",
  S11: "Suicide & Self-Harm",
  S12: "Sexual Content",
  S13: "Elections",
  S14: "Code Interpreter Abuse",
  privacy: "Personal data",
  secrets: "Credentials and secrets",
  custom: "Operator-defined",
};

/**
 * A category reported by a model or webhook, reduced to a short code-like string so that nothing a remote
 * party echoes (possibly the content itself) reaches an explanation. Returns undefined when unusable.
 */
export function sanitizeCategory(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const t = raw.trim();
  return /^[A-Za-z0-9_.:, -]{1,40}$/.test(t) ? t : undefined;
}

/** The first known hazard code in a category string like "S1,S10", if any. */
export function hazardFromCategory(category: string | undefined): string | undefined {
  if (category === undefined) return undefined;
  for (const part of category.split(/[,\s]+/)) {
    const code = part.trim();
    if (/^S(?:[1-9]|1[0-4])$/.test(code) || code === "privacy" || code === "secrets") return code;
  }
  return undefined;
}
