// Validate Amazon States Language definitions with the pinned asl-validator.
// Input (stdin): a JSON object {"<name>": <definition>, ...}.
// Output (stdout): {"<name>": {"isValid": bool, "errors": [...]}, ...}.
"use strict";
const validator = require("asl-validator");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const definitions = JSON.parse(input);
  const results = {};
  for (const [name, definition] of Object.entries(definitions)) {
    const { isValid, errors } = validator(definition);
    results[name] = { isValid, errors };
  }
  process.stdout.write(JSON.stringify(results));
});
