// npm run member-role: regenerates deploy/member-role.yml from the rules (test/deploy checks it is current).
const fs = require("node:fs");
const path = require("node:path");
const { loadGenerator } = require("./load");

const { memberRoleTemplate, toYaml } = loadGenerator();
const target = path.join(__dirname, "member-role.yml");
const temporary = `${target}.${process.pid}.tmp`;
fs.writeFileSync(temporary, `${toYaml(memberRoleTemplate()).trimStart()}\n`);
fs.renameSync(temporary, target);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
