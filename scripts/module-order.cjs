// The module order of app/, lowest first: a module imports only modules before it. ESLint
// (eslint.config.mjs) and dependency-cruiser (.dependency-cruiser.cjs) both read this list (CommonJS, so both can).
// A folder not listed (app/routes, app/components, the entry files) is the top: it may import any.
const MODULE_ORDER = [
  "app/platform",
  "app/features/accounts",
  "app/features/trust",
  "app/features/catalogue",
  "app/features/findings",
  "app/features/certification",
  "app/features/monitoring",
  "app/features/retail",
  "app/features/notifications",
  "app/features/public",
  "app/system",
  "app/demo",
];
module.exports = { MODULE_ORDER };
