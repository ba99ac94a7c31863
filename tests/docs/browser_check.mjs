// Opens the built site in headless Chromium (Debian's, driven by
// puppeteer-core) from the local server tests/docs/run.sh started, and
// checks what a reader sees:
//   - each page below renders: its title and its first heading are the
//     expected ones, and no request of the page failed (a missing style
//     sheet or script shows as a broken page, not as a broken link);
//   - the site's search, typed into as a reader does (through ?q=, which
//     the theme's search reads on load), lists a page for
//     gameye_session_create, and the C quickstart among them;
//   - a screenshot of the C quickstart is written (the CI artifact).
//
//   node browser_check.mjs BASE_URL SCREENSHOT.png
// CHROMIUM names the browser (default /usr/bin/chromium).
import { createRequire } from "node:module";
import { statSync } from "node:fs";

const require = createRequire(process.env.GAMEYE_DOCS_NODE_MODULES + "/");
const puppeteer = require("puppeteer-core");

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: node browser_check.mjs BASE_URL SCREENSHOT.png");
  process.exit(2);
}

// page, a title fragment, and the text of its first heading.
const PAGES = [
  ["index.html", "gameye SDK", "gameye SDK"],
  ["quickstart/c.html", "C - gameye SDK", "C quickstart"],
  ["quickstart/python.html", "Python - gameye SDK", "Python quickstart"],
  ["concepts/threads.html", "Threads and the completion queue", "Threads and the completion queue"],
  ["troubleshooting.html", "Troubleshooting", "Troubleshooting"],
  ["reference/python.html", "Python - gameye SDK", "Python API"],
  ["reference/csharp.html", "C# - gameye SDK", "C# API"],
  ["api/c/gameye_8h.html", "gameye.h File Reference", "gameye.h File Reference"],
  ["api/cpp/classgameye_1_1Client.html", "gameye::Client Class Reference", "gameye::Client Class Reference"],
  ["api/rust/gameye_core/index.html", "gameye_core", "Crate gameye_core"],
];

const failures = [];
let passed = 0;
function check(ok, what) {
  if (ok) passed++;
  else failures.push(what);
  console.log((ok ? "ok   " : "FAIL ") + what);
}

// Every request of the page that failed or answered >= 400, while fn runs;
// not the browser's own /favicon.ico, which no page asks for.
async function visit(page, url, fn) {
  const bad = [];
  const onResponse = (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) bad.push(`${r.status()} ${r.url()}`);
  };
  const onFailed = (r) => bad.push(`failed ${r.url()}`);
  page.on("response", onResponse);
  page.on("requestfailed", onFailed);
  try {
    await page.goto(url, { waitUntil: "networkidle0", timeout: 30000 });
    await fn();
  } finally {
    page.off("response", onResponse);
    page.off("requestfailed", onFailed);
  }
  return bad;
}

async function checkPages(page) {
  for (const [path, title, heading] of PAGES) {
    let got = { title: "", h1: "" };
    const bad = await visit(page, base + path, async () => {
      got = await page.evaluate(() => ({
        title: document.title,
        h1: (document.querySelector("h1, .title") || { textContent: "" }).textContent.trim(),
      }));
    });
    check(got.title.includes(title), `${path}: title "${got.title}" has "${title}"`);
    check(got.h1.includes(heading), `${path}: first heading "${got.h1}" has "${heading}"`);
    check(bad.length === 0, `${path}: every request answered` + (bad.length ? ` (${bad.join(", ")})` : ""));
  }
}

async function checkSearch(page) {
  const query = "gameye_session_create";
  let results = [];
  await visit(page, `${base}index.html?q=${query}`, async () => {
    await page.waitForSelector(".md-search-result__item", { timeout: 20000 }).catch(() => {});
    results = await page.$$eval(".md-search-result__item a", (as) =>
      as.map((a) => ({ href: a.getAttribute("href"), text: a.textContent.replace(/\s+/g, " ").trim() })));
  });
  console.log(`search "${query}": ${results.length} results`);
  for (const r of results.slice(0, 8)) console.log(`  ${r.href}  ${r.text.slice(0, 70)}`);
  check(results.length > 0, `search finds "${query}"`);
  check(results.some((r) => (r.href || "").includes("quickstart/c.html")),
        `search for "${query}" lists the C quickstart`);
}

async function takeScreenshot(page) {
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(base + "quickstart/c.html", { waitUntil: "networkidle0", timeout: 30000 });
  await page.screenshot({ path: screenshot });
  const size = statSync(screenshot).size;
  // A blank or unstyled page compresses to a few kilobytes.
  check(size > 20000, `screenshot ${screenshot} (${size} bytes)`);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // As root (CI), Chromium's sandbox cannot start.
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  timeout: 60000,
});
try {
  const page = await browser.newPage();
  await checkPages(page);
  await checkSearch(page);
  await takeScreenshot(page);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
