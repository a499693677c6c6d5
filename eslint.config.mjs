// ESLint: correctness rules from typescript-eslint, and the house's shape: no import cycles and
// no import against the module order (a module imports only the modules before it). The same
// order is checked independently by dependency-cruiser (.dependency-cruiser.cjs).
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";
import moduleOrder from "./scripts/module-order.cjs";

const { MODULE_ORDER } = moduleOrder;

/** Each module may not import any module after it in the order. */
const orderZones = MODULE_ORDER.slice(0, -1).map((target, i) => ({
  target: `./${target}`,
  from: MODULE_ORDER.slice(i + 1).map((m) => `./${m}`),
  message: `${target} may import only the modules before it (see scripts/module-order.cjs).`,
}));

export default tseslint.config(
  {
    ignores: [
      "build/**",
      "public/build/**",
      ".build-*/**",
      ".cache/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      "data/**",
      ".e2e-*/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        console: "readonly",
        process: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
      },
    },
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".tsx", ".mjs", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx", ".mjs", ".js"] },
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".tsx", ".mjs", ".js", ".json"] })],
    },
    rules: {
      "import-x/no-cycle": ["error", { maxDepth: Infinity, ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { zones: orderZones }],
      "import-x/no-self-import": "error",
      "no-undef": "off", // TypeScript checks names
      // Refusing control characters (file names, form text, headers) is deliberate security code here.
      "no-control-regex": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // CommonJS configuration files (dependency-cruiser reads only CommonJS).
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests read loose JSON (the CLI's output, API answers), and Playwright's fixtures start with "{}".
    files: ["tests/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "no-empty-pattern": "off" },
  },
);
