// The dashboard's build: static files in dist/, nothing fetched from a CDN at run time.
//
// The Supabase URL and anon key are read at run time from config.json next to
// index.html. When SUPABASE_URL and SUPABASE_ANON_KEY are set (as on Vercel), the
// build writes that file; `facilchat dev` serves its own instead.
import { defineConfig } from "vite";

/** The payload of a JWT-shaped key, or null when the key is not a JWT. */
function jwtPayload(key) {
  const parts = key.split(".");
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

/** Refuses any key that would let the browser bypass row-level security. */
export function checkBrowserKey(key) {
  if (key.startsWith("sb_secret_")) {
    throw new Error("SUPABASE_ANON_KEY is a secret key: the browser may only get the anon (publishable) key");
  }
  const payload = jwtPayload(key);
  if (payload && payload.role !== "anon") {
    throw new Error(`SUPABASE_ANON_KEY has role "${payload.role}": the browser may only get the anon key`);
  }
}

function runtimeConfig() {
  return {
    name: "facilchat-runtime-config",
    apply: "build",
    generateBundle() {
      const supabaseUrl = process.env.SUPABASE_URL?.trim();
      const anonKey = process.env.SUPABASE_ANON_KEY?.trim();
      if (!supabaseUrl && !anonKey) return;
      if (!supabaseUrl || !anonKey) {
        this.error("set both SUPABASE_URL and SUPABASE_ANON_KEY, or neither");
      }
      if (!/^https?:\/\//.test(supabaseUrl)) {
        this.error(`SUPABASE_URL must be an http(s) URL, not "${supabaseUrl}"`);
      }
      try {
        checkBrowserKey(anonKey);
      } catch (error) {
        this.error(error.message);
      }
      this.emitFile({
        type: "asset",
        fileName: "config.json",
        source: JSON.stringify({ supabaseUrl, anonKey }, null, 2) + "\n",
      });
    },
  };
}

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 400 },
  plugins: [runtimeConfig()],
});
