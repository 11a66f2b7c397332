import { runPolicyCommand } from "./src/cli/policy.ts";
const io = { out: (s: string) => console.log(s), err: (s: string) => console.log("ERR:", s) };
console.log("exit", await runPolicyCommand(["test", "policies/examples/"], io));
