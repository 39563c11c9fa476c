import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vue from "@vitejs/plugin-vue";
import { defineConfig, type Plugin } from "vite";

const require = createRequire(import.meta.url);

// GraphiQL at /graphql is served by Strata itself from these copies: no CDN.
const GRAPHIQL: Record<string, string> = {
  "react.production.min.js": "react/umd/react.production.min.js",
  "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
  "graphiql.min.js": "graphiql/graphiql.min.js",
  "graphiql.min.css": "graphiql/graphiql.min.css",
};

function graphiqlAssets(): Plugin {
  return {
    name: "strata-graphiql-assets",
    apply: "build",
    writeBundle(options) {
      const target = join(options.dir ?? "dist", "graphiql");
      mkdirSync(target, { recursive: true });
      for (const [name, module] of Object.entries(GRAPHIQL)) {
        const packageDir = dirname(require.resolve(`${module.split("/")[0]}/package.json`));
        copyFileSync(join(packageDir, module.split("/").slice(1).join("/")), join(target, name));
      }
    },
  };
}

const api = process.env.STRATA_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [vue(), graphiqlAssets()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: { "/graphql": { target: api, ws: true }, "/web-config.json": api },
  },
});
