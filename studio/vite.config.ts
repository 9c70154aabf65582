// Builds the studio into the Python package (api/static/studio), served by api/studio.py.
// Swagger UI and ReDoc are copied next to it, so /docs and /redoc work without a CDN.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../api/static/studio");

const VENDOR: [string, string][] = [
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
  ["swagger-ui-dist/LICENSE", "swagger-ui.LICENSE"],
  ["redoc/bundles/redoc.standalone.js", "redoc.standalone.js"],
  ["redoc/bundles/redoc.standalone.js.LICENSE.txt", "redoc.standalone.js.LICENSE.txt"],
  ["redoc/LICENSE", "redoc.LICENSE"],
];

function vendor(): Plugin {
  return {
    name: "mapwright-vendor",
    closeBundle() {
      mkdirSync(resolve(out, "vendor"), { recursive: true });
      for (const [from, to] of VENDOR) {
        copyFileSync(resolve(here, "node_modules", from), resolve(out, "vendor", to));
      }
    },
  };
}

export default defineConfig({
  base: "/studio/",
  plugins: [vendor()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: out,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
});
