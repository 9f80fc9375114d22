// Validates an OpenAPI document against the specification's own JSON schema (strict), as an outside client would.
// Usage: node validate-openapi.mjs <document.json>; prints one JSON line { "valid", "version", "errors" }.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(process.env.OPS_TOOLS_MODULES + '/');
const { Validator } = await import(pathToFileURL(require.resolve('@seriousme/openapi-schema-validator')).href);

const validator = new Validator({ strict: true });
const result = await validator.validate(process.argv[2]);
console.log(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }));
