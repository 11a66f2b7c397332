/** A one-rule policy file that blocks a word on input: what reload tests write and rewrite. */
export function blockWordPolicy(word: string): string {
  return `id: default
rules:
  - id: test.word
    stages: [input]
    detector: { type: keywords, words: [${word}] }
    hazard: custom
    action: block
    on_error: closed
    explanation: "Blocked by {rule}."
`;
}
