// The staff pages in a real browser (Debian's Chromium with playwright-core),
// as a content owner uses them: sign in, see last week's figures and charts,
// label three messages in the review queue, download the figures. Runs the
// staff app (python -m staff) over a seeded tracker database
// (tests/staff/seed.py). Screenshots go to results/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHOTS = join(ROOT, "results", "screenshots");
const PY = join(ROOT, ".venv", "bin", "python");
const PASSWORD = "a long staff password for the browser test";
// Personal details planted in the seeded messages (tests/staff/seed.py).
const PLANTED = ["Kowalska", "Jayden", "07700 900123", "jo.bloggs", "LS1 4AB", "QQ 12 34 56 C", "Priya"];
let app, browser, base, tmp, log = "";

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "staff-browser-"));
  const port = await freePort();
  const env = { ...process.env, TRACKER_DB: join(tmp, "conversations.db"), STAFF_DB: `sqlite:///${join(tmp, "staff.db")}`,
                STAFF_USERS: join(tmp, "users.json"), STAFF_SECRET: "a-secret-for-the-browser-test-only-0123456789",
                STAFF_PORT: String(port), STAFF_PASSWORD: PASSWORD, ENDPOINTS: join(ROOT, "endpoints.yml") };
  delete env.STAFF_INSECURE_COOKIES;
  for (const args of [[join(ROOT, "tests", "staff", "seed.py"), env.TRACKER_DB], ["-m", "staff.accounts", "ana"]]) {
    const done = spawnSync(PY, args, { cwd: ROOT, env, encoding: "utf8" });
    assert.equal(done.status, 0, done.stderr);
  }
  app = spawn(PY, ["-m", "staff"], { cwd: ROOT, env, detached: true });
  app.stdout.on("data", (d) => { log += d; });
  app.stderr.on("data", (d) => { log += d; });
  base = `http://localhost:${port}`;
  const deadline = Date.now() + 90000;
  for (;;) {
    assert.ok(app.exitCode === null, `the staff pages stopped:\n${log}`);
    assert.ok(Date.now() < deadline, `not ready in 90s:\n${log}`);
    try { if ((await fetch(`${base}/health`)).ok) { break; } } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
                                    args: ["--no-sandbox"] });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) { await browser.close(); }
  if (app && app.exitCode === null) {
    process.kill(-app.pid, "SIGTERM");
    await new Promise((r) => app.once("exit", r));
  }
  if (tmp) { rmSync(tmp, { recursive: true, force: true }); }
});

function assertNoPlanted(text, where) {
  for (const detail of PLANTED) {
    assert.ok(!text.toLowerCase().includes(detail.toLowerCase()), `${detail} shown on ${where}`);
  }
}

test("a content owner signs in, sees the figures, labels three messages and downloads the figures", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const scriptErrors = [];
  // The wrong password below is answered with 401, which Chromium logs; nothing else may be.
  page.on("console", (m) => { if (m.type() === "error" && !/status of 401/.test(m.text())) { scriptErrors.push(m.text()); } });

  // Without a session every page sends the browser to sign in.
  await page.goto(`${base}/queue`);
  assert.match(page.url(), /\/signin\?next=%2Fqueue$/);
  await page.getByLabel("Username").fill("ana");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.match(await page.locator("#signin-error").innerText(), /do not match/);
  await page.getByLabel("Username").fill("ana");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.match(page.url(), /\/queue$/);

  // Last week's figures, with charts drawn on the page.
  await page.getByRole("link", { name: "Figures" }).click();
  assert.equal(await page.locator("#conversations").innerText(), "8");
  assert.equal(await page.locator("svg.chart").count(), 3);
  assert.ok(await page.locator("svg.chart rect title").count() >= 8);
  const box = await page.locator("svg.chart").first().boundingBox();
  assert.ok(box.width > 400 && box.height > 100, `chart drawn ${box.width}x${box.height}`);
  assert.match(await page.locator("table").first().innerText(), /SMS\s+1\s+2/);
  assertNoPlanted(await page.content(), "the figures");
  await page.screenshot({ path: join(SHOTS, "staff-figures.png"), fullPage: true });

  // The review queue: label three messages, three ways.
  await page.getByRole("link", { name: "Review queue" }).click();
  const items = page.locator("li.item");
  assert.equal(await items.count(), 5);
  assertNoPlanted(await page.content(), "the review queue");
  await page.screenshot({ path: join(SHOTS, "staff-queue.png"), fullPage: true });

  let item = items.first();
  assert.match(await item.locator(".text").innerText(), /\[NI-number\]/);
  await item.getByRole("radio", { name: "It is this topic:" }).check();
  await item.getByRole("combobox").selectOption({ label: "Minutes and who sees them" });
  await item.getByRole("button", { name: "Save label" }).click();
  assert.equal(await page.getByRole("status").innerText(), "Label saved.");

  item = page.locator("li.item").first();
  assert.match(await item.locator(".text").innerText(), /LADO/);
  await item.getByRole("radio", { name: "Needs a new topic" }).check();
  await item.getByPlaceholder("Note (for a new topic)").fill("Explain the LADO's role");
  await item.getByRole("button", { name: "Save label" }).click();
  assert.equal(await page.getByRole("status").innerText(), "Label saved.");

  item = page.locator("li.item").first();
  await item.getByRole("radio", { name: "Not relevant" }).check();
  await item.getByRole("button", { name: "Save label" }).click();
  assert.equal(await page.locator("li.item").count(), 2);

  await page.getByRole("link", { name: "Labelled", exact: true }).click();
  const labelled = (await page.locator("p.labelled").allInnerTexts()).join("\n");
  assert.match(labelled, /Labelled: Minutes and who sees them, by ana/);
  assert.match(labelled, /Labelled: Needs a new topic, by ana: Explain the LADO's role/);
  assert.match(labelled, /Labelled: Not relevant, by ana/);

  // Download the figures as CSV.
  await page.getByRole("link", { name: "Figures" }).click();
  const [download] = await Promise.all([page.waitForEvent("download"),
                                        page.getByRole("link", { name: /Download these figures/ }).click()]);
  const csv = readFileSync(await download.path(), "utf8");
  assert.match(download.suggestedFilename(), /^figures-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.equal(csv.split(/\r?\n/)[0], "measure,detail,day,channel,count");
  assert.match(csv, /topic,ask_bring_supporter,[^,]+,,2/);
  assertNoPlanted(csv, "the CSV");
  assert.deepEqual(scriptErrors, []);
  await context.close();
});

test("the staff pages work with the keyboard alone", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/signin`);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "username");
  await page.keyboard.type("ana");          // the username field has focus
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/insights$/);
  await page.waitForLoadState("load");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
  await context.close();
});
