// Validates an OpenAPI document with a real validator (@apidevtools/swagger-parser:
// the OpenAPI 3.1 JSON Schema, then $ref resolution), and checks what it does
// not: every {parameter} of a path is declared as a path parameter of each of
// its operations, and every operationId is unique.
//
//   node validate.mjs docs/openapi.json      (run.sh installs the package)
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
const api = await SwaggerParser.validate(file);
if (api.openapi !== "3.1.0") throw new Error(`openapi is ${api.openapi}, not 3.1.0`);

const problems = [];
const ids = new Set();
for (const [path, item] of Object.entries(api.paths)) {
  const wanted = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
  for (const [method, op] of Object.entries(item)) {
    if (ids.has(op.operationId)) problems.push(`duplicate operationId ${op.operationId}`);
    ids.add(op.operationId);
    const declared = (op.parameters || []).filter((p) => p.in === "path").map((p) => p.name).sort();
    if (JSON.stringify(declared) !== JSON.stringify(wanted))
      problems.push(`${method.toUpperCase()} ${path}: path parameters ${declared} != ${wanted}`);
    if (!op.responses || Object.keys(op.responses).length === 0)
      problems.push(`${method.toUpperCase()} ${path}: no responses`);
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${file}: valid OpenAPI ${api.openapi}, ${ids.size} operations`);
