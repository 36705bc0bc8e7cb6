/**
 * The HTML report's script, inlined as text: it runs in the browser, not in Node, so it is plain
 * ES2020 with no imports. It pages, filters and searches the findings embedded as compact JSON
 * (see `encodeFindings` in html.ts for the row layout); rows are built with textContent only, so
 * no annotation or resource id can inject markup.
 */
export const CLIENT_SCRIPT = `
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const dict = data.d;
  const rows = data.f;
  const STATES = ["Non-compliant", "Insufficient data", "Compliant", "Not applicable", "Exempted"];
  const STATE_CLASS = ["nc", "id", "ok", "na", "ex"];
  const CHANGES = ["New", "Resolved", "Still failing", "Newly exempted", "No longer verifiable", "Unchanged"];
  const $ = (id) => document.getElementById(id);
  const filters = { rule: $("f-rule"), control: $("f-control"), state: $("f-state"), region: $("f-region"), account: $("f-account"), change: $("f-change") };
  // Framework controls: [label, rule indexes]; a control keeps the rows of any of its rules.
  const controls = data.c.map(([label, ruleIndexes]) => [label, new Set(ruleIndexes)]);
  const search = $("f-search");
  const pageSize = $("f-size");
  const body = $("rows");
  const info = $("page-info");
  let matched = [];
  let page = 0;
  let haystack = null;

  const addOptions = (select, labels, counts) => {
    labels.forEach((label, index) => {
      if (counts && !counts[index]) return;
      const option = document.createElement("option");
      option.value = String(index);
      option.textContent = counts ? \`\${label} (\${counts[index]})\` : label;
      select.appendChild(option);
    });
  };
  const countBy = (column, size) => {
    const counts = new Array(size).fill(0);
    for (const row of rows) if (row[column] >= 0) counts[row[column]]++;
    return counts;
  };
  addOptions(filters.rule, dict.r, countBy(0, dict.r.length));
  addOptions(filters.state, STATES, countBy(5, STATES.length));
  addOptions(filters.region, dict.g, countBy(3, dict.g.length));
  addOptions(filters.account, dict.a, countBy(4, dict.a.length));
  if (controls.length > 0) addOptions(filters.control, controls.map(([label]) => label));
  else filters.control.closest("label").hidden = true;
  if (data.hasDiff) addOptions(filters.change, CHANGES, countBy(8, CHANGES.length));
  else filters.change.closest("label").hidden = true;

  const apply = () => {
    const wanted = Object.entries({ 0: filters.rule, 5: filters.state, 3: filters.region, 4: filters.account, 8: filters.change })
      .filter(([, select]) => select.value !== "")
      .map(([column, select]) => [Number(column), Number(select.value)]);
    const control = filters.control.value === "" ? null : controls[Number(filters.control.value)][1];
    const needle = search.value.trim().toLowerCase();
    if (needle && !haystack) {
      haystack = rows.map((row) => [dict.r[row[0]], dict.t[row[1]], row[2], dict.a[row[4]], dict.n[row[6]]].join(" ").toLowerCase());
    }
    matched = [];
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index];
      let keep = true;
      for (const [column, value] of wanted) if (row[column] !== value) { keep = false; break; }
      if (keep && control && !control.has(row[0])) keep = false;
      if (keep && needle && !haystack[index].includes(needle)) keep = false;
      if (keep) matched.push(index);
    }
    page = 0;
    render();
  };

  const cell = (tr, text, className) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    tr.appendChild(td);
  };

  const render = () => {
    const size = Number(pageSize.value);
    const pages = Math.max(1, Math.ceil(matched.length / size));
    page = Math.min(page, pages - 1);
    const start = page * size;
    const slice = matched.slice(start, start + size);
    const fragment = document.createDocumentFragment();
    for (const index of slice) {
      const row = rows[index];
      const tr = document.createElement("tr");
      cell(tr, dict.r[row[0]]);
      cell(tr, data.rs[row[0]], \`sev-\${data.rs[row[0]]}\`);
      cell(tr, STATES[row[5]], \`state \${STATE_CLASS[row[5]]}\`);
      cell(tr, \`\${dict.t[row[1]].replace("AWS::EC2::", "")} \${row[2]}\`, "mono");
      cell(tr, dict.g[row[3]], "nowrap");
      cell(tr, dict.a[row[4]]);
      cell(tr, dict.s[row[7]].slice(0, 10), "nowrap");
      if (data.hasDiff) cell(tr, row[8] >= 0 ? CHANGES[row[8]] : "");
      cell(tr, dict.n[row[6]], "annotation");
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
    info.textContent = matched.length === 0
      ? "No findings match"
      : \`Findings \${start + 1}–\${start + slice.length} of \${matched.length} (page \${page + 1} of \${pages})\`;
    $("prev").disabled = page === 0;
    $("next").disabled = page >= pages - 1;
  };

  let timer;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 150); });
  for (const select of Object.values(filters)) select.addEventListener("change", apply);
  pageSize.addEventListener("change", render);
  $("prev").addEventListener("click", () => { page--; render(); });
  $("next").addEventListener("click", () => { page++; render(); });
  $("reset").addEventListener("click", () => {
    for (const select of Object.values(filters)) select.value = "";
    search.value = "";
    apply();
  });
  // Chart bars, summary rows and change counts carry the filter they stand for.
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-filter]");
    if (!target) return;
    event.preventDefault();
    for (const select of Object.values(filters)) select.value = "";
    search.value = "";
    for (const pair of target.getAttribute("data-filter").split(";")) {
      const [name, label] = pair.split("=");
      const select = filters[name];
      const option = Array.from(select.options).find((candidate) => dictLabel(name, candidate.value) === label);
      if (option) select.value = option.value;
    }
    apply();
    $("findings").scrollIntoView();
  });
  const dictLabel = (name, value) => {
    if (value === "") return "";
    const index = Number(value);
    if (name === "rule") return dict.r[index];
    if (name === "region") return dict.g[index];
    if (name === "account") return dict.a[index];
    if (name === "state") return STATE_CLASS[index];
    if (name === "control") return controls[index][0];
    return ["new", "resolved", "still-failing", "exempted", "unverified", "unchanged"][index];
  };
  apply();
  document.body.setAttribute("data-ready", "true");
})();
`;
