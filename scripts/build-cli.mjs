// Bundles the CLI (and the benchmark) into dist/ so `bin/ec2-config-rules.js` starts fast with no TS loader.
import { build } from "esbuild";

await build({
  entryPoints: {
    cli: "lib/cli/main.ts",
    bench: "scripts/bench.ts",
    "bench-report": "scripts/bench-report.ts",
    "bench-lambda": "scripts/bench-lambda.ts",
    "bench-package": "scripts/bench-package.ts",
    "bench-scan": "scripts/bench-scan.ts",
    "bench-record": "scripts/bench-record.ts",
    "bench-bounds": "scripts/bench-bounds.ts",
  },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  mainFields: ["module", "main"],
  sourcemap: true,
  logLevel: "warning",
});
