import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../rules";

const root = join(__dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const ciScript = readFileSync(join(root, ".ci/run"), "utf8");

describe("README and CI agree", () => {
  it("CI runs the README's test command", () => {
    expect(readme).toContain("```sh\nnpm install && npm test\n```");
    expect(ciScript).toMatch(/^npm install && npm test$/m);
  });

  it("CI installs exactly the system prerequisites the README gives", () => {
    const aptLine = ciScript.match(/^\s*(apt-get update && apt-get install .*)$/m)?.[1];
    expect(aptLine).toBeDefined();
    expect(readme).toContain(`\`${aptLine}\``);
  });

  it("the README's quick start runs the example snapshot that exists", () => {
    const command = readme.match(/```sh\n(npm install && npm run build && node bin\/ec2-config-rules\.js evaluate --snapshot (\S+))\n```/);
    expect(command).not.toBeNull();
    expect(() => readFileSync(join(root, command?.[2] ?? ""))).not.toThrow();
  });

  it("the rules table has one row per rule, in RULES order each linking its docs page (npm run generate writes it)", () => {
    const table = readme.slice(readme.indexOf("| rule | reports on | fails when |"));
    const ids = [...table.slice(0, table.indexOf("\n\n")).matchAll(/^\| \[`([a-z0-9-]+)`\]\(docs\/rules\/\1\.md\) \|/gm)].map(
      (match) => match[1],
    );
    expect(ids).toEqual(RULES.map((rule) => rule.meta.id));
  });
});
