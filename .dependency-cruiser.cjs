// dependency-cruiser: the independent check of the house's shape (ESLint checks the same with
// import-x). No cycles anywhere in app/; no module importing a module after it in the order of
// scripts/module-order.cjs; pure rules (any domain/ folder) import no .server file and no adapter.
const { MODULE_ORDER: ORDER } = require("./scripts/module-order.cjs");
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const order = ORDER.slice(0, -1).map((from, i) => ({
  name: `order:${from.replace(/^app\//, "")}`,
  comment: `${from} may import only the modules before it (scripts/module-order.cjs)`,
  severity: "error",
  from: { path: `^${esc(from)}/` },
  to: {
    path: `^(${ORDER.slice(i + 1)
      .map(esc)
      .join("|")})/`,
  },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "an import cycle",
      severity: "error",
      from: { path: "^app/" },
      to: { circular: true },
    },
    ...order,
    {
      name: "domain-is-pure",
      comment: "pure rules (domain/) import no .server module and no adapter",
      severity: "error",
      from: { path: "/domain/" },
      to: { path: "(\\.server\\.tsx?$|/adapters/)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".mjs", ".js", ".json"] },
  },
};
