/** Rewrites examples/ from scripts/example-account.ts. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLE_FILES } from "./example-account";

const folder = join(__dirname, "..", "examples");
for (const [name, render] of Object.entries(EXAMPLE_FILES)) writeFileSync(join(folder, name), render());
process.stdout.write(`wrote ${Object.keys(EXAMPLE_FILES).join(", ")} to ${folder}\n`);
