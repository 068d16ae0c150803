// The page's weight budget: what each page loads (app.js, its static chunks, the route's own chunk
// behind `import()`, the parts that page loads later with its own `import()`, and app.css) as built for
// production, gzipped, at most 60 KB a page; and nothing
// in the page source builds markup from strings.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const BUDGET_BYTES = 60 * 1024;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("page bundle", () => {
  it("ships at most 60 KB of JS + CSS gzipped for every page", () => {
    execFileSync(process.execPath, ["scripts/build-web.mjs"], { env: { ...process.env, LOOKOUT_QUIET_BUILD: "1" }, stdio: "inherit" });
    const gzipped = (f: string) => gzipSync(readFileSync(join("web/dist", f)), { level: 9 }).length;
    expect(gzipped("app.css")).toBeGreaterThan(500);
    const pages = JSON.parse(readFileSync("web/.page-weights.json", "utf8")) as Record<string, { files: string[] }>;
    // app.js is the router; the list, the board and compare are each their own chunk behind import().
    expect(Object.keys(pages)).toEqual(expect.arrayContaining(["web/src/main.ts", "web/src/campaign-list.ts", "web/src/board-page.ts", "web/src/compare-page.ts"]));
    expect(pages["web/src/compare-page.ts"]!.files.some((f) => /^chunks\/compare-page-/.test(f))).toBe(true);
    expect(pages["web/src/board-page.ts"]!.files.some((f) => /compare-page/.test(f))).toBe(false);
    // The board's "what changed" panel and a card's timeline load after the board, each weighed with it, and
    // the board is weighed once more with both loaded.
    const board = new Set(pages["web/src/board-page.ts"]!.files);
    for (const part of ["since-last-visit", "experiment-timeline"]) {
      expect(pages["web/src/board-page.ts"]!.files.some((f) => f.includes(part))).toBe(false);
      const page = pages[`web/src/${part}.ts`]!.files;
      expect(page.some((f) => f.startsWith(`chunks/${part}-`))).toBe(true);
      expect([...board].every((f) => page.includes(f))).toBe(true);
    }
    const loaded = pages["web/src/board-page.ts + later parts"]!.files;
    expect(["since-last-visit", "experiment-timeline"].every((part) => loaded.some((f) => f.startsWith(`chunks/${part}-`)))).toBe(true);
    const weights = Object.entries(pages).map(([page, { files }]) => {
      expect(files).toContain("app.js");
      expect(files).toContain("app.css");
      return [page, files.reduce((sum, f) => sum + gzipped(f), 0)] as const;
    });
    // The board really is measured (a build that lost it would pass the budget trivially).
    expect(weights.find(([page]) => page === "web/src/board-page.ts")![1]).toBeGreaterThan(20 * 1024);
    expect(weights.filter(([, bytes]) => bytes > BUDGET_BYTES)).toEqual([]);
  });

  it("never turns strings into markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write in web/src", () => {
    const offenders = sourceFiles("web/src")
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => readFileSync(f, "utf8").split("\n").map((line, i) => ({ f, i, line })))
      .filter(({ line }) => !line.trim().startsWith("//") && /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write)\b/.test(line))
      .map(({ f, i }) => `${f}:${i + 1}`);
    expect(offenders).toEqual([]);
  });

  it("keeps index.html free of inline script and style", () => {
    const html = readFileSync("web/public/index.html", "utf8");
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });
});
