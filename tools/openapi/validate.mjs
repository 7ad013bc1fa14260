// Validates an OpenAPI 3.0 document against the OpenAPI schema and checks its $refs.
//   node tools/openapi/validate.mjs <file>
// Exit status: 0 valid, 1 invalid (errors on stderr), 2 usage error.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error("usage: node validate.mjs <openapi.json>");
  process.exit(2);
}

try {
  // validate() dereferences, so keep the original for the version check.
  const api = await SwaggerParser.parse(file);
  if (typeof api.openapi !== "string" || !api.openapi.startsWith("3.0.")) {
    console.error(`${file}: expected an OpenAPI 3.0.x document, got ${api.openapi ?? api.swagger}`);
    process.exit(1);
  }
  await SwaggerParser.validate(file);
  const paths = Object.keys(api.paths ?? {}).length;
  console.log(`${file}: valid OpenAPI ${api.openapi} (${api.info.title} ${api.info.version}, ` +
              `${paths} paths)`);
} catch (err) {
  console.error(`${file}: invalid OpenAPI document`);
  for (const detail of err.details ?? []) {
    console.error(`  ${(detail.path ?? []).join("/")}: ${detail.message}`);
  }
  console.error(`  ${err.message}`);
  process.exit(1);
}
