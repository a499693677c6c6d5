// REMIX_BUILD_DIR (optional) puts the server build and the browser assets in a folder of their own,
// so two builds (say, two engineers' test runs on one machine) do not delete each other's assets.
const out = process.env.REMIX_BUILD_DIR;

/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  ...(out ? { serverBuildPath: `${out}/server/index.js`, assetsBuildDirectory: `${out}/public/build` } : {}),
  serverModuleFormat: "esm",
  serverPlatform: "node",
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
