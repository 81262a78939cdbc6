// Bundle the widget: src/index.js → dist/ttps-widget.js (one classic script, IIFE, no
// external requests) and src/widget.css → dist/ttps-widget.css. `node build.mjs --dev` keeps
// the output unminified.
import { build } from "esbuild";
import { mkdir } from "node:fs/promises";

const dev = process.argv.includes("--dev");
await mkdir(new URL("./dist/", import.meta.url), { recursive: true });

const common = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  target: ["es2020", "chrome90", "firefox90", "safari15"],
  legalComments: "eof",
  logLevel: "info",
  absWorkingDir: new URL(".", import.meta.url).pathname,
};

await build({
  ...common,
  entryPoints: ["src/index.js"],
  outfile: "dist/ttps-widget.js",
  format: "iife",
  platform: "browser",
  define: { "process.env.NODE_ENV": '"production"' },
});

await build({
  ...common,
  entryPoints: ["src/widget.css"],
  outfile: "dist/ttps-widget.css",
});
